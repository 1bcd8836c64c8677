#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/http_auth.h"

namespace Poco::Net {
class HTTPServer;
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace lpr::plugins::sink_2n::testing {

// One scripted answer of the fake device.
struct FakeReply {
  int status = 200;
  std::string body = R"({"success":true})";
  std::chrono::milliseconds delay{0};  // before answering (interrupted when the device stops)

  static FakeReply success();
  // {"success":false,"error":{"code":N[,"param":P],"description":"..."}}
  static FakeReply error(int code, const std::string& param = {}, int status = 200);
  FakeReply& after(std::chrono::milliseconds wait) {
    delay = wait;
    return *this;
  }
};

struct FakeDeviceOptions {
  bool tls = true;
  std::string bindAddress = "127.0.0.1";  // any loopback address (127.0.0.2 works on Linux)
  std::string certFile;                   // PEM, with tls
  std::string keyFile;
  HttpAuthMode auth = HttpAuthMode::Digest;
  std::string username = "gateway";
  std::string password = "s3cret-pass";
  std::string swVersion = "2.45.0.61.2";
  std::string deviceName = "Gate Verso";
  // How long the server keeps an idle connection open.
  std::chrono::milliseconds keepAliveTimeout{15000};
};

struct RecordedRequest {
  std::string method;
  std::string uri;
  std::string body;
  std::string authorization;  // raw header, empty when none
  std::string contentType;
  bool authenticated = false;  // passed the device's check (always true with auth None)
};

// A small in-process stand-in for a 2N device's HTTP API, on a real Poco HTTP(S) server on
// 127.0.0.1 and a kernel-chosen port, with the gateway's own server-side Basic/Digest
// (HttpAuthenticator, as strict as a 2N device: nonces bound to method and URI, replayed nonce
// counts refused). It knows two functions:
// - /api/system/info: {"success":true,"result":{"swVersion",...,"deviceName"}}
// - POST /api/lpr/licenseplate: a body without "lprUuid" (the plugin's start-time check) gets
//   the probe reply (2N error 11 by default); other bodies get the pushed replies in order, then
//   the default reply ({"success":true}).
// Every request is recorded.
class FakeTwoNDevice {
 public:
  explicit FakeTwoNDevice(FakeDeviceOptions options = {});
  ~FakeTwoNDevice();
  FakeTwoNDevice(const FakeTwoNDevice&) = delete;
  FakeTwoNDevice& operator=(const FakeTwoNDevice&) = delete;

  int port() const { return port_; }
  std::string host() const { return options_.bindAddress + ":" + std::to_string(port_); }
  const FakeDeviceOptions& options() const { return options_; }

  void pushReply(FakeReply reply);
  void setDefaultReply(FakeReply reply);
  void setProbeReply(FakeReply reply);
  void setInfoReply(FakeReply reply);
  // The next request with valid credentials is answered 401 with stale=true and a new nonce, as
  // a device does when its nonce has aged out.
  void staleNextNonce();

  std::vector<RecordedRequest> requests() const;
  // Authenticated POSTs to /api/lpr/licenseplate that carry an lprUuid (forwarded reads).
  std::vector<RecordedRequest> lprPosts() const;
  std::size_t challenges() const;  // 401s sent

  void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

 private:
  FakeReply nextReply(const std::string& uri, const std::string& body);
  void wait(std::chrono::milliseconds delay);

  FakeDeviceOptions options_;
  std::unique_ptr<HttpAuthenticator> auth_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int port_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  int active_ = 0;
  bool staleNext_ = false;
  std::size_t challenges_ = 0;
  std::deque<FakeReply> pushed_;
  FakeReply defaultReply_;
  FakeReply probeReply_;
  FakeReply infoReply_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace lpr::plugins::sink_2n::testing
