#pragma once

#include <string>
#include <utility>
#include <vector>

namespace lpr::testing {

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::string wwwAuthenticate;
};

enum class ClientAuth { None, Basic, Digest };

// One request over a fresh connection to 127.0.0.1:port. Digest performs the challenge round
// trip the way a camera does (Poco::Net::HTTPCredentials).
HttpAnswer httpRequest(int port, const std::string& method, const std::string& path,
                       const std::string& body = {},
                       const std::string& contentType = "application/json",
                       ClientAuth auth = ClientAuth::None, const std::string& user = {},
                       const std::string& password = {});

// The same with extra request headers (a token header, say).
HttpAnswer httpRequest(int port, const std::string& method, const std::string& path,
                       const std::string& body, const std::string& contentType,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       ClientAuth auth = ClientAuth::None, const std::string& user = {},
                       const std::string& password = {});

// The same over HTTPS, trusting only `caFile` (hostname 127.0.0.1 is verified).
HttpAnswer httpsRequest(int port, const std::string& caFile, const std::string& method,
                        const std::string& path, const std::string& body,
                        const std::string& contentType, ClientAuth auth, const std::string& user,
                        const std::string& password);

// A 2N-format read body (POST /api/lpr/licenseplate).
std::string twoNRead(const std::string& lprUuid, const std::string& plate, int accessPoint = 0,
                     int lprId = 1, int lprDir = 2, const std::string& imageBase64 = {});

}  // namespace lpr::testing
