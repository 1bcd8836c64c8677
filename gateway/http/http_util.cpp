#include "http/http_util.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <istream>

namespace lpr {

std::optional<std::string> readBody(Poco::Net::HTTPServerRequest& request,
                                    Poco::Net::HTTPServerResponse& response, std::size_t maxBytes) {
  if (request.hasContentLength() &&
      request.getContentLength64() > static_cast<Poco::Int64>(maxBytes)) {
    // Do not buffer it; the server closes the connection after an unread body.
    response.setKeepAlive(false);
    return std::nullopt;
  }
  std::string body;
  if (request.hasContentLength())
    body.reserve(static_cast<std::size_t>(request.getContentLength64()));
  std::istream& in = request.stream();
  char buffer[16384];
  while (in) {
    in.read(buffer, sizeof(buffer));
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    if (body.size() + static_cast<std::size_t>(n) > maxBytes) {
      response.setKeepAlive(false);
      return std::nullopt;
    }
    body.append(buffer, static_cast<std::size_t>(n));
  }
  return body;
}

void drainBody(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
               std::size_t maxBytes) {
  readBody(request, response, maxBytes);
}

void sendJson(Poco::Net::HTTPServerResponse& response, const std::string& body,
              Poco::Net::HTTPResponse::HTTPStatus status) {
  response.setStatus(status);
  response.setContentType("application/json");
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  response.send() << body;
}

}  // namespace lpr
