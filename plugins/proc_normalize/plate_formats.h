#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lpr::plugins::proc_normalize {

// Longest plate text a format may describe; the 2N API accepts 1–12 characters.
inline constexpr std::size_t kMaxFormatLength = 12;

// A format is one class per position: 'L' a letter A–Z, 'D' a digit 0–9 ("LLDDDLL").
bool isValidFormat(std::string_view format);

// Country (ISO 3166-1 alpha-2) → the common shapes of its standard car plates. Pragmatic, not
// complete: specials (diplomatic, military, personalised) are left out, and every entry can be
// replaced from the configuration.
const std::map<std::string, std::vector<std::string>>& presetFormats();

enum class FormatFit {
  Matched,    // one format fits as read, or several fit and one of them as read
  Repaired,   // exactly one format fits, after swapping look-alike letters and digits
  Ambiguous,  // several formats fit only after swaps: which one is meant is unknown
  None,       // no format of this length fits
};
std::string_view toString(FormatFit fit);

// Repairs the OCR confusions O/0, I/1, B/8, S/5, Z/2, G/6 in `plate` (A–Z and 0–9 only) by
// position, but only when exactly one of `formats` of the same length fits; otherwise `plate`
// stays as it is.
FormatFit fitFormats(std::string& plate, const std::vector<std::string>& formats);

}  // namespace lpr::plugins::proc_normalize
