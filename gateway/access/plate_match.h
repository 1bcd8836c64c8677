#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/access_model.h"

namespace lpr::access {

// The 2N device setting "Allow Character Deviation" (2n-http-api.md §5/§7): none / from start /
// from end / both ends, the start tried first.
enum class DeviationMode { None, FromStart, FromEnd, Both };

std::string toString(DeviationMode mode);  // "none" | "start" | "end" | "both"
std::optional<DeviationMode> deviationModeFromString(std::string_view text);

enum class PlateMatch { None, Exact, DeviationAtStart, DeviationAtEnd };

// [UNCONFIRMED] How many characters 2N tolerates is not documented; the gateway tolerates one
// character (missing, extra or different) at the chosen end, and only when at least this many
// characters remain equal, so that a short stored plate does not match almost any read.
inline constexpr std::size_t kMinDeviationOverlap = 3;

// "ab 123cd" → "AB123CD": Unicode upper case, as the sources normalise reads, spaces removed.
std::string normalizePlate(std::string_view plate);

// Characters (UTF-8 code points) without spaces: what the 10-character limit counts.
std::size_t plateLength(std::string_view plate);

// Compares a read with a stored plate, both normalised here. Exact wins; then, as the mode allows,
// a deviation at the start, then at the end.
PlateMatch matchPlate(std::string_view read, std::string_view stored, DeviationMode mode);

struct UserMatch {
  std::size_t userIndex = 0;   // into the directory
  std::size_t plateIndex = 0;  // into that user's plates
  PlateMatch kind = PlateMatch::None;
};

// The first user in directory order holding the plate (2N: "the first match found in the
// directory"). [UNCONFIRMED] With deviation the directory is searched in passes: every user for
// an exact match first, then for a deviation at the start, then at the end — so a tolerance never
// hands an exactly matching plate to another user.
std::optional<UserMatch> findUser(const std::vector<DirectoryUser>& users, std::string_view read,
                                  DeviationMode mode);

}  // namespace lpr::access
