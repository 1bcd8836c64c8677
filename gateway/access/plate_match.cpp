#include "access/plate_match.h"

#include <Poco/UTF8String.h>

#include <algorithm>

namespace lpr::access {
namespace {

bool isContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::size_t codePoints(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !isContinuation(c); }));
}

// Cuts whole code points, never half of a multi-byte character.
std::string_view dropFirst(std::string_view text) {
  if (text.empty()) {
    return text;
  }
  std::size_t i = 1;
  while (i < text.size() && isContinuation(text[i])) {
    ++i;
  }
  return text.substr(i);
}

std::string_view dropLast(std::string_view text) {
  if (text.empty()) {
    return text;
  }
  std::size_t i = text.size() - 1;
  while (i > 0 && isContinuation(text[i])) {
    --i;
  }
  return text.substr(0, i);
}

// Reuses out's capacity: the directory scan normalises thousands of stored plates per decision.
void normalizeInto(std::string& out, std::string_view plate) {
  out.clear();
  const bool ascii = std::all_of(plate.begin(), plate.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii) {
    out = Poco::UTF8::toUpper(std::string(plate));
    std::erase(out, ' ');
    return;
  }
  for (char c : plate) {
    if (c == ' ') {
      continue;
    }
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
}

bool equalWithOverlap(std::string_view a, std::string_view b) {
  return a == b && codePoints(a) >= kMinDeviationOverlap;
}

// One character missing, extra or different at the cut end (the read lacks it, has one too many,
// or misread it); read and stored are normalised.
bool deviates(std::string_view read, std::string_view stored,
              std::string_view (*cut)(std::string_view)) {
  const std::string_view readCut = cut(read);
  const std::string_view storedCut = cut(stored);
  return equalWithOverlap(read, storedCut) || equalWithOverlap(readCut, stored) ||
         equalWithOverlap(readCut, storedCut);
}

bool allowsStart(DeviationMode mode) {
  return mode == DeviationMode::FromStart || mode == DeviationMode::Both;
}

bool allowsEnd(DeviationMode mode) {
  return mode == DeviationMode::FromEnd || mode == DeviationMode::Both;
}

bool matchesAs(std::string_view read, std::string_view stored, PlateMatch kind) {
  switch (kind) {
    case PlateMatch::Exact:
      return !read.empty() && read == stored;
    case PlateMatch::DeviationAtStart:
      return deviates(read, stored, dropFirst);
    case PlateMatch::DeviationAtEnd:
      return deviates(read, stored, dropLast);
    case PlateMatch::None:
      break;
  }
  return false;
}

std::vector<PlateMatch> passes(DeviationMode mode) {
  std::vector<PlateMatch> kinds{PlateMatch::Exact};
  if (allowsStart(mode)) {
    kinds.push_back(PlateMatch::DeviationAtStart);
  }
  if (allowsEnd(mode)) {
    kinds.push_back(PlateMatch::DeviationAtEnd);
  }
  return kinds;
}

}  // namespace

std::string toString(DeviationMode mode) {
  switch (mode) {
    case DeviationMode::None:
      return "none";
    case DeviationMode::FromStart:
      return "start";
    case DeviationMode::FromEnd:
      return "end";
    case DeviationMode::Both:
      return "both";
  }
  return "none";
}

std::optional<DeviationMode> deviationModeFromString(std::string_view text) {
  for (DeviationMode mode : {DeviationMode::None, DeviationMode::FromStart, DeviationMode::FromEnd,
                             DeviationMode::Both}) {
    if (text == toString(mode)) {
      return mode;
    }
  }
  return std::nullopt;
}

std::string normalizePlate(std::string_view plate) {
  std::string out;
  normalizeInto(out, plate);
  return out;
}

std::size_t plateLength(std::string_view plate) {
  return codePoints(plate) - static_cast<std::size_t>(std::count(plate.begin(), plate.end(), ' '));
}

PlateMatch matchPlate(std::string_view read, std::string_view stored, DeviationMode mode) {
  const std::string r = normalizePlate(read);
  const std::string s = normalizePlate(stored);
  for (PlateMatch kind : passes(mode)) {
    if (matchesAs(r, s, kind)) {
      return kind;
    }
  }
  return PlateMatch::None;
}

std::optional<UserMatch> findUser(const std::vector<DirectoryUser>& users, std::string_view read,
                                  DeviationMode mode) {
  const std::string r = normalizePlate(read);
  if (r.empty()) {
    return std::nullopt;
  }
  std::string stored;
  for (PlateMatch kind : passes(mode)) {
    for (std::size_t u = 0; u < users.size(); ++u) {
      const auto& plates = users[u].plates;
      for (std::size_t p = 0; p < plates.size(); ++p) {
        normalizeInto(stored, plates[p]);
        if (matchesAs(r, stored, kind)) {
          return UserMatch{u, p, kind};
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace lpr::access
