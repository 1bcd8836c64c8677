#include "http_test_client.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPCredentials.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>

#include <sstream>

namespace lpr::testing {

namespace {

HttpAnswer send(Poco::Net::HTTPClientSession& session, Poco::Net::HTTPRequest& request,
                const std::string& body, Poco::Net::HTTPResponse& response) {
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  std::istream& in = session.receiveResponse(response);
  HttpAnswer answer;
  answer.status = response.getStatus();
  Poco::StreamCopier::copyToString(in, answer.body);
  answer.wwwAuthenticate = response.get("WWW-Authenticate", "");
  return answer;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

HttpAnswer exchange(Poco::Net::HTTPClientSession& session, const std::string& method,
                    const std::string& path, const std::string& body,
                    const std::string& contentType, ClientAuth auth, const std::string& user,
                    const std::string& password, const Headers& headers = {}) {
  session.setTimeout(Poco::Timespan(15, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!contentType.empty()) request.setContentType(contentType);
  for (const auto& [name, value] : headers) request.set(name, value);
  Poco::Net::HTTPCredentials credentials(user, password);
  if (auth == ClientAuth::Basic) {
    Poco::Net::HTTPBasicCredentials(user, password).authenticate(request);
  }
  Poco::Net::HTTPResponse response;
  HttpAnswer answer = send(session, request, body, response);
  if (auth == ClientAuth::Digest && answer.status == 401) {
    Poco::Net::HTTPRequest retry(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!contentType.empty()) retry.setContentType(contentType);
    for (const auto& [name, value] : headers) retry.set(name, value);
    credentials.authenticate(retry, response);
    Poco::Net::HTTPResponse second;
    answer = send(session, retry, body, second);
  }
  return answer;
}

}  // namespace

HttpAnswer httpRequest(int port, const std::string& method, const std::string& path,
                       const std::string& body, const std::string& contentType, ClientAuth auth,
                       const std::string& user, const std::string& password) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  return exchange(session, method, path, body, contentType, auth, user, password);
}

HttpAnswer httpRequest(int port, const std::string& method, const std::string& path,
                       const std::string& body, const std::string& contentType,
                       const Headers& headers, ClientAuth auth, const std::string& user,
                       const std::string& password) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  return exchange(session, method, path, body, contentType, auth, user, password, headers);
}

HttpAnswer httpsRequest(int port, const std::string& caFile, const std::string& method,
                        const std::string& path, const std::string& body,
                        const std::string& contentType, ClientAuth auth, const std::string& user,
                        const std::string& password) {
  Poco::Net::Context::Ptr context = new Poco::Net::Context(
      Poco::Net::Context::TLS_CLIENT_USE, "", "", caFile, Poco::Net::Context::VERIFY_STRICT);
  Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port), context);
  return exchange(session, method, path, body, contentType, auth, user, password);
}

std::string twoNRead(const std::string& lprUuid, const std::string& plate, int accessPoint,
                     int lprId, int lprDir, const std::string& imageBase64) {
  std::ostringstream out;
  out << R"({"lprUuid":")" << lprUuid << R"(","lprID":)" << lprId << R"(,"accessPoint":)"
      << accessPoint << R"(,"plateText":")" << plate << R"(","lprDir":)" << lprDir;
  if (!imageBase64.empty()) out << R"(,"plateImage":")" << imageBase64 << '"';
  out << "}";
  return out.str();
}

}  // namespace lpr::testing
