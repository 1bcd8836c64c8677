#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "webhook/webhook_conversion.h"

namespace lpr {

struct MultipartPart {
  std::string name;         // Content-Disposition name, empty when absent
  std::string filename;     // Content-Disposition filename, empty when absent
  std::string contentType;  // empty when the part has none
  std::string body;
};

// True for a `multipart/*` content type.
bool isMultipart(std::string_view contentType);
// Media type without parameters, lower case: "application/json; charset=utf-8" →
// "application/json".
std::string mediaType(std::string_view contentType);

// Splits a multipart body (RFC 2046) by the boundary of its content type. At most `maxParts`
// parts; anything malformed (no boundary, no closing delimiter, bad part headers, too many parts)
// is an InputError of kind malformed_multipart. Pure.
std::variant<std::vector<MultipartPart>, InputError> parseMultipart(std::string_view body,
                                                                    std::string_view contentType,
                                                                    std::size_t maxParts = 32);

// The first part whose name or filename equals `key` (case-insensitive), or nullptr.
const MultipartPart* findPart(const std::vector<MultipartPart>& parts, std::string_view key);

}  // namespace lpr
