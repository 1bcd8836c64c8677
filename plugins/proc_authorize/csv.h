#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lpr::plugins::proc_authorize {

// RFC 4180: fields separated by ',', records by CRLF or LF; a field in double quotes may hold
// commas, line breaks and quotes written twice. Poco has no CSV reader.
struct CsvRecord {
  std::size_t line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

struct CsvResult {
  std::vector<CsvRecord> records;  // a final empty line is not a record
  std::string error;               // empty: the whole text parsed
  std::size_t errorLine = 0;
};

CsvResult parseCsv(std::string_view text);

// One field, quoted only when it must be.
std::string csvField(std::string_view value);
// The fields of one record, ending in CRLF.
std::string csvRecord(const std::vector<std::string>& fields);

}  // namespace lpr::plugins::proc_authorize
