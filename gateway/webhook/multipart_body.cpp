#include "webhook/multipart_body.h"

#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/MultipartReader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/String.h>

#include <sstream>

namespace lpr {

namespace {

InputError malformed(std::string message) {
  return InputError{"malformed_multipart", "", std::move(message)};
}

}  // namespace

std::string mediaType(std::string_view contentType) {
  std::string type(contentType.substr(0, contentType.find(';')));
  Poco::trimInPlace(type);
  Poco::toLowerInPlace(type);
  return type;
}

bool isMultipart(std::string_view contentType) {
  return mediaType(contentType).rfind("multipart/", 0) == 0;
}

std::variant<std::vector<MultipartPart>, InputError> parseMultipart(std::string_view body,
                                                                    std::string_view contentType,
                                                                    std::size_t maxParts) {
  std::string type;
  Poco::Net::NameValueCollection params;
  Poco::Net::MessageHeader::splitParameters(std::string(contentType), type, params);
  const std::string boundary = params.get("boundary", "");
  if (boundary.empty()) return malformed("content type has no boundary parameter");
  if (boundary.size() > 70) return malformed("boundary longer than 70 characters");

  // MultipartReader accepts a body that simply ends without the closing delimiter; a truncated
  // upload must not pass as complete, so the delimiter is checked first.
  if (body.find("--" + boundary + "--") == std::string_view::npos) {
    return malformed("no closing boundary delimiter (truncated body or wrong boundary)");
  }

  std::vector<MultipartPart> parts;
  try {
    std::istringstream in{std::string(body)};
    Poco::Net::MultipartReader reader(in, boundary);
    while (reader.hasNextPart()) {
      if (parts.size() >= maxParts) {
        return malformed("more than " + std::to_string(maxParts) + " parts");
      }
      Poco::Net::MessageHeader header;
      reader.nextPart(header);
      MultipartPart part;
      part.contentType = header.get("Content-Type", "");
      if (header.has("Content-Disposition")) {
        std::string disposition;
        Poco::Net::NameValueCollection dispositionParams;
        Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition"), disposition,
                                                  dispositionParams);
        part.name = dispositionParams.get("name", "");
        part.filename = dispositionParams.get("filename", "");
      }
      std::ostringstream content;
      content << reader.stream().rdbuf();
      part.body = content.str();
      if (!reader.stream().eof() && reader.stream().fail()) {
        return malformed("part " + std::to_string(parts.size() + 1) + " could not be read");
      }
      parts.push_back(std::move(part));
    }
  } catch (const Poco::Exception& e) {
    return malformed(e.displayText());
  } catch (const std::exception& e) {
    return malformed(e.what());
  }
  if (parts.empty()) return malformed("no parts");
  return parts;
}

const MultipartPart* findPart(const std::vector<MultipartPart>& parts, std::string_view key) {
  for (const auto& part : parts) {
    if (Poco::icompare(part.name, std::string(key)) == 0 ||
        Poco::icompare(part.filename, std::string(key)) == 0) {
      return &part;
    }
  }
  return nullptr;
}

}  // namespace lpr
