#include "plate_normalizer.h"

#include <Poco/TextIterator.h>
#include <Poco/UTF8Encoding.h>
#include <Poco/Unicode.h>

#include <algorithm>
#include <utility>

namespace lpr::plugins::proc_normalize {

namespace {

// Base letter of each Latin letter with a canonical decomposition (Ö is O with a diaeresis, Ș is S
// with a comma below) in U+00C0..U+023F, '.' where there is none. Generated from UnicodeData.txt:
// Poco has no decomposition. Letters that do not decompose (Ø Æ Ł Đ ß) are not guessed at; a
// replace rule can map them (Ø is as often a slashed zero as an O).
constexpr char32_t kFoldFirst = 0xC0;
constexpr std::string_view kFold =
    "AAAAAA.CEEEEIIII.NOOOOO..UUUUY..AAAAAA.CEEEEIIII.NOOOOO..UUUUY.Y"   // U+00C0
    "AAAAAACCCCCCCCDD..EEEEEEEEEEGGGGGGGGHH..IIIIIIIII...JJKK.LLLLLL."   // U+0100
    "...NNNNNN...OOOOOO..RRRRRRSSSSSSSSTTTT..UUUUUUUUUUUUWWYYYZZZZZZ."   // U+0140
    "................................OO.............UU..............."   // U+0180
    ".............AAIIOOUUUUUUUUUU.AAAA....GGKKOOOO..J...GG..NNAA...."   // U+01C0
    "AAAAEEEEIIIIOOOORRRRUUUUSSTT..HH......AAEEOOOOOOOOYY............";  // U+0200

// Cyrillic and Greek capitals that look like Latin ones, as their Latin twin: Russian, Ukrainian
// and Greek plates use only such letters, and OCR engines trained on them output them. Lower case
// reaches this table already upper-cased, except where Poco's (PCRE's) case table gives another
// member of a caseless set (ι → U+0345, μ → µ) or nothing (ı stays ı): those three are listed in
// lower case and looked up before upper-casing.
constexpr std::pair<char32_t, char> kLookAlikes[] = {
    {0x03B9, 'I'}, {0x03BC, 'M'}, {0x0131, 'I'}, {0x0406, 'I'}, {0x0410, 'A'}, {0x0412, 'B'},
    {0x0415, 'E'}, {0x041A, 'K'}, {0x041C, 'M'}, {0x041D, 'H'}, {0x041E, 'O'}, {0x0420, 'P'},
    {0x0421, 'C'}, {0x0422, 'T'}, {0x0423, 'Y'}, {0x0425, 'X'}, {0x0391, 'A'}, {0x0392, 'B'},
    {0x0395, 'E'}, {0x0396, 'Z'}, {0x0397, 'H'}, {0x0399, 'I'}, {0x039A, 'K'}, {0x039C, 'M'},
    {0x039D, 'N'}, {0x039F, 'O'}, {0x03A1, 'P'}, {0x03A4, 'T'}, {0x03A5, 'Y'}, {0x03A7, 'X'},
};

bool isPlateChar(char32_t c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Spaces, separators (- . · _ / …), controls and other invisible characters carry no plate content;
// the 2N device ignores spaces too. Letters, digits and symbols stay for the replace rules to see.
bool isSeparator(int c) {
  Poco::Unicode::CharacterProperties props;
  Poco::Unicode::properties(c, props);
  return props.category == Poco::Unicode::UCP_PUNCTUATION ||
         props.category == Poco::Unicode::UCP_SEPARATOR ||
         props.category == Poco::Unicode::UCP_OTHER;
}

std::optional<char> lookAlike(char32_t c) {
  for (const auto& [from, to] : kLookAlikes) {
    if (c == from) return to;
  }
  return std::nullopt;
}

char32_t mapChar(char32_t c) {
  // Full-width forms (Ａ１) come from East Asian input methods and OCR engines.
  if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
  if (auto latin = lookAlike(c)) return static_cast<char32_t>(*latin);
  c = static_cast<char32_t>(Poco::Unicode::toUpper(static_cast<int>(c)));
  if (auto latin = lookAlike(c)) return static_cast<char32_t>(*latin);
  if (c >= kFoldFirst && c - kFoldFirst < kFold.size() && kFold[c - kFoldFirst] != '.') {
    return static_cast<char32_t>(kFold[c - kFoldFirst]);
  }
  return c;
}

// UTF-8 → mapped characters, separators dropped (and counted in `dropped` when given).
// Invalid UTF-8 sequences are dropped too: they cannot be plate content.
std::u32string mapText(std::string_view utf8, std::size_t* dropped = nullptr) {
  const std::string text(utf8);  // TextIterator walks a std::string
  Poco::UTF8Encoding encoding;
  std::u32string out;
  out.reserve(text.size());
  for (Poco::TextIterator it(text, encoding), end(text); it != end; ++it) {
    const int c = *it;
    if (c < 0 || isSeparator(c)) {
      if (dropped) ++*dropped;
      continue;
    }
    out.push_back(mapChar(static_cast<char32_t>(c)));
  }
  return out;
}

void applyRule(std::u32string& text, const ReplaceRule& rule) {
  const std::u32string to(rule.to.begin(), rule.to.end());
  for (auto at = text.find(rule.from); at != std::u32string::npos;
       at = text.find(rule.from, at + to.size())) {
    text.replace(at, rule.from.size(), to);
  }
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

}  // namespace

std::optional<ReplaceRule> parseReplaceRule(std::string_view text, std::string& expected) {
  const auto arrow = text.find('>');
  if (arrow == std::string_view::npos) {
    expected = "a rule FROM>TO, e.g. Ø>0";
    return std::nullopt;
  }
  const std::string_view from = trim(text.substr(0, arrow));
  const std::string_view to = trim(text.substr(arrow + 1));
  std::size_t dropped = 0;
  ReplaceRule rule{mapText(from, &dropped), {}};
  if (rule.from.empty() || dropped > 0) {
    // The rules see the text after separators are gone; a FROM with one would silently match
    // something other than what it says.
    expected = "a FROM>TO rule whose FROM is not empty and has no spaces or separators";
    return std::nullopt;
  }
  for (char c : to) {
    const char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (!isPlateChar(static_cast<unsigned char>(upper))) {
      expected = "a FROM>TO rule whose TO has only letters A-Z and digits 0-9 (or is empty)";
      return std::nullopt;
    }
    rule.to.push_back(upper);
  }
  return rule;
}

std::optional<std::string> countryCode(std::string_view text) {
  if (text.size() < 2 || text.size() > 3) return std::nullopt;
  std::string code;
  for (char c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') return std::nullopt;
    code.push_back(c);
  }
  return code;
}

PlateNormalizer::PlateNormalizer(NormalizerOptions options) : options_(std::move(options)) {}

std::string PlateNormalizer::normalize(std::string_view raw, std::string_view country) const {
  return normalizeDetailed(raw, country).plate;
}

Normalized PlateNormalizer::normalizeDetailed(std::string_view raw,
                                              std::string_view country) const {
  std::u32string text = mapText(raw);
  for (const auto& rule : options_.replace) applyRule(text, rule);

  Normalized out;
  out.plate.reserve(text.size());
  for (char32_t c : text) {
    if (isPlateChar(c)) out.plate.push_back(static_cast<char>(c));
  }
  if (!options_.repair || out.plate.empty()) return out;

  // The event's own country wins: a foreign car at the gate is read with its country's shapes.
  const std::optional<std::string> code =
      countryCode(trim(country).empty() ? options_.defaultCountry : trim(country));
  if (!code) return out;
  const auto formats = options_.formats.find(*code);
  if (formats == options_.formats.end() || formats->second.empty()) return out;
  out.fit = fitFormats(out.plate, formats->second);
  return out;
}

}  // namespace lpr::plugins::proc_normalize
