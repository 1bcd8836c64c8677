#include "csv.h"

namespace lpr::plugins::proc_authorize {

CsvResult parseCsv(std::string_view text) {
  CsvResult result;
  std::size_t line = 1;
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto fail = [&](std::string message, std::size_t at) {
    result.error = std::move(message);
    result.errorLine = at;
    result.records.clear();
    return result;
  };
  while (i < n) {
    CsvRecord record{line, {}};
    while (true) {
      std::string field;
      if (i < n && text[i] == '"') {
        const std::size_t opened = line;  // an unclosed quote runs to the end: name its start
        ++i;
        while (true) {
          if (i >= n) return fail("quoted field not closed", opened);
          if (text[i] == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return fail("text after a closing quote", line);
        }
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') return fail("quote inside an unquoted field", line);
          field += text[i++];
        }
      }
      record.fields.push_back(std::move(field));
      if (i < n && text[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    if (i < n && text[i] == '\r') {
      ++i;
      if (i < n && text[i] != '\n') return fail("carriage return without line feed", line);
    }
    if (i < n && text[i] == '\n') {
      ++i;
      ++line;
    }
    result.records.push_back(std::move(record));
  }
  return result;
}

std::string csvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csvRecord(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csvField(fields[i]);
  }
  out += "\r\n";
  return out;
}

}  // namespace lpr::plugins::proc_authorize
