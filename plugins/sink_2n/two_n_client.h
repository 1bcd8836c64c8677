#pragma once

#include <Poco/JSON/Object.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace Poco::Net {
class HTTPClientSession;
class HTTPRequest;
class HTTPResponse;
}  // namespace Poco::Net

namespace lpr::plugins::sink_2n {

enum class Scheme { Https, Http };
enum class AuthMethod { Digest, Basic };

std::string toString(Scheme scheme);
std::string toString(AuthMethod auth);

// How to reach and authenticate with one 2N device.
struct TwoNClientOptions {
  std::string host;  // name or address; an IPv6 address without brackets
  int port = 0;      // 0: 443 for https, 80 for http
  Scheme scheme = Scheme::Https;
  std::string username;
  std::string password;
  AuthMethod auth = AuthMethod::Digest;
  // HTTPS trust, exactly one of the two: the device certificate's SHA-256 fingerprint (64 hex
  // digits, as normaliseFingerprint() returns it), or a PEM CA file (chain + host name checked).
  std::string fingerprintSha256;
  std::string caFile;
  bool allowBasicOverHttp = false;
  std::chrono::milliseconds timeout{5000};  // connect, TLS handshake, and each send/receive
};

// "host", "host:port", "[v6]:port", "v6" → host and port (0 when none); nullopt when malformed.
struct HostPort {
  std::string host;
  int port = 0;
};
std::optional<HostPort> parseHostPort(const std::string& text);

// "AB:CD:…", "abcd…", or openssl's "sha256 Fingerprint=AB:CD:…" → 64 lower-case hex digits;
// nullopt when it is not 32 bytes of hex.
std::optional<std::string> normaliseFingerprint(const std::string& text);
// 64 hex digits → "AB:CD:…" (openssl's form, for messages).
std::string formatFingerprint(const std::string& hex);
// SHA-256 of a PEM certificate file's DER (what `openssl x509 -fingerprint -sha256` prints),
// as 64 lower-case hex digits. Throws Poco::Exception when the file is not a certificate.
std::string certificateFingerprint(const std::string& pemFile);

// Why these options are unsafe or incomplete (empty when they are fine): HTTPS without a pinned
// fingerprint or a CA file, both at once, TLS settings with plain HTTP, Basic over plain HTTP
// without allowBasicOverHttp.
std::string optionsProblem(const TwoNClientOptions& options);

// {"code":9,"param":"…","description":"…"} of a failure envelope.
struct TwoNApiError {
  int code = 0;
  std::string param;
  std::string description;
};

// One exchange with the device: either a transport failure, or an HTTP answer whose body was
// checked for the 2N envelope {success, result | error{code, param, description}}.
struct TwoNReply {
  enum class Failure {
    None,         // an HTTP answer arrived (see httpStatus and the envelope)
    Timeout,      // connect, handshake or answer took longer than the timeout
    Connection,   // refused, reset, unreachable, name not found
    Tls,          // TLS handshake failed for a reason other than the certificate
    Certificate,  // the device certificate is not the pinned one, or not trusted by the CA file
    AuthScheme,   // the device asks for an authentication scheme this client may not use
    Protocol,     // not HTTP, or an answer too large
  };
  Failure failure = Failure::None;
  std::string detail;  // one line saying what went wrong (failures only)
  int httpStatus = 0;
  std::string contentType;
  std::string body;
  bool envelope = false;  // body is a 2N envelope (a JSON object with a boolean "success")
  bool success = false;
  std::optional<TwoNApiError> error;
  Poco::JSON::Object::Ptr result;  // "result" of a success envelope; null when none
  std::chrono::milliseconds elapsed{0};
  bool reauthenticated = false;  // a Digest challenge was answered on the way (first or stale)

  bool answered() const { return failure == Failure::None; }
  bool ok() const { return answered() && envelope && success; }
  // "HTTP 200, 2N error 12 (param plateText): invalid parameter value" and the like.
  std::string summary() const;
};
std::string toString(TwoNReply::Failure failure);

// Fills envelope, success, error and result from body.
void parseEnvelope(TwoNReply& reply);

// HTTP(S) client for one 2N device (Poco). One request at a time: calls are serialised, so give
// each thread of work (forwarding, later the log reader and the directory mirror) its own client.
//
// - HTTPS trusts only the pinned certificate fingerprint or the CA file; the check runs inside
//   the TLS handshake through callbacks on this client's own OpenSSL context, so nothing global
//   (Poco's SSLManager certificate handlers) can relax it.
// - Digest (MD5, qop=auth) answers the device's challenge and keeps the nonce for the next
//   requests; a 401 (stale nonce, restarted device) is answered once per request, transparently.
//   Basic is sent preemptively, only over HTTPS unless allowBasicOverHttp. The client never
//   falls back from Digest to Basic by itself.
// - The connection is kept alive; a kept-alive connection that the device closed meanwhile is
//   replaced once without reporting an error.
class TwoNClient {
 public:
  // Throws std::invalid_argument when optionsProblem() is not empty, Poco::Exception when the
  // CA file cannot be loaded.
  explicit TwoNClient(TwoNClientOptions options);
  ~TwoNClient();
  TwoNClient(const TwoNClient&) = delete;
  TwoNClient& operator=(const TwoNClient&) = delete;

  TwoNReply get(const std::string& pathAndQuery);
  TwoNReply postJson(const std::string& path, const std::string& json);
  // Closes the kept-alive connection (the next request opens a new one).
  void disconnect();

  const TwoNClientOptions& options() const { return options_; }
  std::string baseUrl() const;  // https://host:port

  struct TlsState;  // OpenSSL verification state, shared with the callbacks

 private:
  TwoNReply exchange(const std::string& method, const std::string& path, const std::string& body,
                     const std::string& contentType);
  void sendOnce(Poco::Net::HTTPRequest& request, const std::string& body, TwoNReply& reply,
                Poco::Net::HTTPResponse& response);
  void applyCredentials(Poco::Net::HTTPRequest& request);
  Poco::Net::HTTPClientSession& session();

  TwoNClientOptions options_;
  std::unique_ptr<TlsState> tls_;
  std::mutex mutex_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  struct DigestState;
  std::unique_ptr<DigestState> digest_;
};

}  // namespace lpr::plugins::sink_2n
