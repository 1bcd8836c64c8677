#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plate_formats.h"

namespace lpr::plugins::proc_normalize {

// Replace `from` (already mapped like plate text: upper case, look-alikes, folded) with `to`
// (A–Z and 0–9, may be empty) wherever it occurs.
struct ReplaceRule {
  std::u32string from;
  std::string to;
};

// Parses "FROM>TO" (spaces around either side ignored). On failure returns nullopt and sets
// `expected` to what a rule must look like.
std::optional<ReplaceRule> parseReplaceRule(std::string_view text, std::string& expected);

// "de" → "DE"; nullopt unless 2 or 3 ASCII letters (ISO 3166-1 alpha-2 or alpha-3).
std::optional<std::string> countryCode(std::string_view text);

struct NormalizerOptions {
  std::vector<ReplaceRule> replace;  // applied in this order
  // Upper-case country code → formats; an empty list turns repair off for that country.
  std::map<std::string, std::vector<std::string>> formats = presetFormats();
  std::string defaultCountry;  // for plates whose event has no country; empty: none
  bool repair = true;
};

struct Normalized {
  std::string plate;             // A–Z and 0–9 only; empty when nothing was left
  std::optional<FormatFit> fit;  // absent when no formats applied (no country, or none known)
};

// Plate text as received → the form plates are compared in. Pure and immutable, so one
// instance serves every thread.
class PlateNormalizer {
 public:
  explicit PlateNormalizer(NormalizerOptions options = {});

  // `country` is the event's (any case; empty: use the default country).
  std::string normalize(std::string_view raw, std::string_view country) const;
  Normalized normalizeDetailed(std::string_view raw, std::string_view country) const;

  const NormalizerOptions& options() const { return options_; }

 private:
  NormalizerOptions options_;
};

}  // namespace lpr::plugins::proc_normalize
