#include "payload_mutator.h"

#include <algorithm>
#include <vector>

namespace lpr::testing {

namespace {

bool isBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// Start and length of every run of 24+ base64 characters: embedded images.
std::vector<std::pair<std::size_t, std::size_t>> base64Runs(const std::string& body) {
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= body.size(); ++i) {
    if (i < body.size() && isBase64Char(body[i])) continue;
    if (i - start >= 24) runs.emplace_back(start, i - start);
    start = i + 1;
  }
  return runs;
}

// Positions just after `"key":"` or `<tag>`: where a value starts.
std::vector<std::size_t> valueStarts(const std::string& body) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i + 1 < body.size(); ++i) {
    if ((body[i] == ':' && i + 1 < body.size()) || (body[i] == '>' && body[i + 1] != '<')) {
      starts.push_back(i + 1);
    }
  }
  return starts;
}

}  // namespace

PayloadMutator::Mutant PayloadMutator::mutate(const std::string& body,
                                              const std::string& contentType) {
  const bool multipart = contentType.rfind("multipart/", 0) == 0;
  switch (below(multipart ? 10 : 9)) {
    case 0:
      return {truncate(body), contentType, "truncated"};
    case 1:
      return {flipBytes(body), contentType, "flipped bytes"};
    case 2:
      return {wrongType(body), contentType, "wrong type"};
    case 3:
      return {hugeField(body), contentType, "huge field"};
    case 4:
      return {badBase64(body), contentType, "bad base64"};
    case 5:
      return {deepNesting(body), contentType, "deep nesting"};
    case 6:
      return {entityBomb(body), contentType, "entity bomb"};
    case 7:
      return {spliceSpan(body), contentType, "spliced span"};
    case 8:
      return {body, below(2) ? "text/plain" : "", "wrong content type"};
    default:
      return breakMultipart(body, contentType);
  }
}

std::string PayloadMutator::truncate(const std::string& body) {
  return body.substr(0, below(body.size()));
}

std::string PayloadMutator::flipBytes(const std::string& body) {
  std::string out = body;
  const std::size_t flips = 1 + below(8);
  for (std::size_t i = 0; i < flips && !out.empty(); ++i) {
    out[below(out.size())] = static_cast<char>(random_() & 0xFF);
  }
  return out;
}

std::string PayloadMutator::wrongType(const std::string& body) {
  static const char* const kValues[] = {
      "{}",          "[]",          "null",       "true", "-1e309", "\"\"", "12345678901234567890",
      "[1,[2,[3]]]", "\"\\ud800\"", "\"\\u0000\""};
  const auto starts = valueStarts(body);
  if (starts.empty()) return body + "{}";
  const std::size_t at = starts[below(starts.size())];
  // Replace up to the end of the value (the next , } ] or <).
  std::size_t end = body.find_first_of(",}]<", at);
  if (end == std::string::npos) end = body.size();
  return body.substr(0, at) + kValues[below(std::size(kValues))] + body.substr(end);
}

std::string PayloadMutator::hugeField(const std::string& body) {
  const auto starts = valueStarts(body);
  const std::size_t at = starts.empty() ? body.size() / 2 : starts[below(starts.size())];
  // Around the sources' limits: most stay inside, some go over (413).
  const std::size_t size = below(2) ? 100000 + below(300000) : 1 + below(20000);
  const char fill = "A9\"<\\x"[below(6)];
  return body.substr(0, at) + "\"" + std::string(size, fill) + "\"" + body.substr(at);
}

std::string PayloadMutator::badBase64(const std::string& body) {
  const auto runs = base64Runs(body);
  if (runs.empty()) return flipBytes(body);
  auto [start, length] = runs[below(runs.size())];
  std::string out = body;
  const std::size_t spoils = 1 + below(4);
  for (std::size_t i = 0; i < spoils; ++i) out[start + below(length)] = "*!=-_.%"[below(7)];
  if (below(3) == 0) out.insert(start + below(length), "====");
  return out;
}

std::string PayloadMutator::deepNesting(const std::string& body) {
  const std::size_t depth = 1000 + below(100000);
  const bool xml = body.find('<') != std::string::npos && body.find('{') == std::string::npos;
  const auto starts = valueStarts(body);
  const std::size_t at = starts.empty() ? 0 : starts[below(starts.size())];
  std::string nest;
  if (xml) {
    nest.reserve(depth * 3);
    for (std::size_t i = 0; i < depth; ++i) nest += "<a>";
  } else {
    nest = std::string(depth, below(2) ? '[' : '{');
  }
  return body.substr(0, at) + nest + body.substr(at);
}

std::string PayloadMutator::entityBomb(const std::string& body) {
  // Billion laughs and an external entity: an XML parser must refuse or bound both.
  const std::string doctype =
      "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">"
      "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
      "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
      "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\"><!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">"
      "<!ENTITY x SYSTEM \"file:///etc/passwd\">]>";
  std::string out = body;
  const auto declEnd = out.find("?>");
  if (out.rfind("<?xml", 0) == 0 && declEnd != std::string::npos) out.erase(0, declEnd + 2);
  const auto starts = valueStarts(out);
  if (!starts.empty()) out.insert(starts[below(starts.size())], below(2) ? "&g;" : "&x;");
  return doctype + out;
}

std::string PayloadMutator::spliceSpan(const std::string& body) {
  if (body.size() < 4) return body + body;
  const std::size_t a = below(body.size());
  const std::size_t length = 1 + below(std::min<std::size_t>(body.size() - a, 512));
  if (below(2)) return body.substr(0, a) + body.substr(a + length);    // a span deleted
  return body.substr(0, a) + body.substr(a, length) + body.substr(a);  // a span doubled
}

PayloadMutator::Mutant PayloadMutator::breakMultipart(const std::string& body,
                                                      const std::string& contentType) {
  const auto at = contentType.find("boundary=");
  const std::string boundary = at == std::string::npos ? "" : contentType.substr(at + 9);
  switch (below(5)) {
    case 0:  // the header names another boundary
      return {body,
              contentType.substr(0, at == std::string::npos ? contentType.size() : at) +
                  "boundary=nope" + std::to_string(below(1000)),
              "wrong boundary"};
    case 1:  // no boundary parameter at all
      return {body, "multipart/form-data", "no boundary"};
    case 2: {  // the closing delimiter is gone
      std::string out = body;
      const auto close = out.rfind("--" + boundary + "--");
      if (close != std::string::npos) out.erase(close);
      return {out, contentType, "no closing delimiter"};
    }
    case 3: {  // a delimiter line is damaged
      std::string out = body;
      const auto first = out.find("--" + boundary, below(out.size() / 2));
      if (first != std::string::npos) out[first + 2 + below(boundary.size() + 1)] = '#';
      return {out, contentType, "damaged delimiter"};
    }
    default: {  // a part's headers are damaged
      std::string out = body;
      const auto header = out.find("Content-Disposition");
      if (header != std::string::npos) out.replace(header, 19, below(2) ? "" : "\r\n\r\n");
      return {out, contentType, "damaged part header"};
    }
  }
}

}  // namespace lpr::testing
