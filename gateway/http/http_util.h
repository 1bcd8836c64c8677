#pragma once

#include <Poco/Net/HTTPResponse.h>

#include <cstddef>
#include <optional>
#include <string>

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace lpr {

// Reads the request body, at most `maxBytes`: nullopt when it is larger. The rest is not
// buffered and the connection is closed after the answer. Works with Content-Length and chunked.
std::optional<std::string> readBody(Poco::Net::HTTPServerRequest& request,
                                    Poco::Net::HTTPServerResponse& response, std::size_t maxBytes);
// Reads and discards what is left of a body, bounded, so a keep-alive connection stays usable.
void drainBody(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
               std::size_t maxBytes = 1 << 20);
void sendJson(Poco::Net::HTTPServerResponse& response, const std::string& body,
              Poco::Net::HTTPResponse::HTTPStatus status = Poco::Net::HTTPResponse::HTTP_OK);

}  // namespace lpr
