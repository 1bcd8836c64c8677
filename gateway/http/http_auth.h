#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace lpr {

// Any: accept Basic or Digest; the challenge offers both (Digest first, so clients that take the
// first challenge they understand pick the stronger one).
enum class HttpAuthMode { None, Basic, Digest, Any };

std::string toString(HttpAuthMode mode);
// "none" | "basic" | "digest" | "any"; nullopt for anything else.
std::optional<HttpAuthMode> httpAuthModeFromString(std::string_view text);

struct HttpCredentials {
  std::string username, password;
};

// Server side of HTTP Basic and Digest (RFC 7617, RFC 2617/7616 with MD5 and qop=auth, plus the
// RFC 2069 form without qop) for one account, as 2N devices do it.
//
// Nonces are stateless: "<issued ms><random><HMAC-SHA1(secret, issued|random)>", hex, with a
// secret drawn once per process. Every authenticator in the process shares it, so a nonce that one
// instance handed out is verified by another instance on the same path (per-camera credentials
// behind one URL). Nonces older than the lifetime are answered Stale, which makes a client
// redo the challenge without asking its user for a password. Nonce counts (nc) are tracked per
// nonce in a bounded table; a repeated nc is answered Stale, so a replayed request is refused while
// a client that really resent a request simply re-authenticates.
class HttpAuthenticator {
 public:
  using SteadyClock = std::chrono::steady_clock;

  HttpAuthenticator(HttpAuthMode mode, HttpCredentials credentials, std::string realm,
                    std::chrono::seconds nonceLifetime = std::chrono::seconds(300));
  HttpAuthenticator(const HttpAuthenticator&) = delete;
  HttpAuthenticator& operator=(const HttpAuthenticator&) = delete;

  enum class Result { Ok, Missing, Wrong, Stale };
  struct Outcome {
    Result result = Result::Wrong;
    std::string reason;  // short, for logs ("uri mismatch"); never contains secrets
  };

  // Thread-safe.
  Result check(const Poco::Net::HTTPServerRequest& request) const;
  Outcome evaluate(const Poco::Net::HTTPServerRequest& request) const;
  // What check() does, on plain values and with the time injected so tests need no sleeps.
  // `authorization` is the raw Authorization header value, empty when there is none.
  Outcome evaluate(const std::string& method, const std::string& uri,
                   const std::string& authorization, SteadyClock::time_point now) const;

  // Sets status 401 and the WWW-Authenticate header(s) for this mode (none for None); does not
  // send, so the caller adds the body.
  void challenge(Poco::Net::HTTPServerResponse& response, bool stale) const;
  // The WWW-Authenticate values challenge() sets, in order.
  std::vector<std::string> challengeHeaders(bool stale, SteadyClock::time_point now) const;

  // The username in an Authorization header (Basic or Digest), not verified: used to pick the
  // route that holds this camera's credentials.
  static std::optional<std::string> claimedUser(const Poco::Net::HTTPServerRequest& request);
  static std::optional<std::string> claimedUser(const std::string& authorization);

  HttpAuthMode mode() const { return mode_; }
  const std::string& realm() const { return realm_; }
  const std::string& username() const { return credentials_.username; }
  std::chrono::seconds nonceLifetime() const { return nonceLifetime_; }

  std::string makeNonce(SteadyClock::time_point now) const;

 private:
  struct NonceUse {
    std::int64_t issuedMs = 0;
    std::uint64_t highest = 0;  // highest nc seen
    std::uint64_t window = 0;   // bit i set: nc (highest - i) seen
  };

  Outcome checkBasic(const std::string& info) const;
  Outcome checkDigest(const std::string& method, const std::string& uri, const std::string& info,
                      SteadyClock::time_point now) const;
  // False when this nc was seen before for this nonce (or cannot be proven fresh).
  bool recordNonceCount(const std::string& nonce, std::int64_t issuedMs, std::uint64_t nc,
                        std::int64_t nowMs) const;

  HttpAuthMode mode_;
  HttpCredentials credentials_;
  std::string realm_;
  std::chrono::seconds nonceLifetime_;
  std::string ha1_;  // MD5(username:realm:password), lower-case hex

  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, NonceUse> nonceUses_;
  // Nonces issued at or before this time whose table entry was evicted cannot prove their nc is
  // fresh; they are answered Stale.
  mutable std::int64_t evictedUpToMs_ = -1;
};

std::string toString(HttpAuthenticator::Result result);

}  // namespace lpr
