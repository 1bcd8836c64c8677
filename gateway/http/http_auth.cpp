#include "http/http_auth.h"

#include <Poco/DigestEngine.h>
#include <Poco/Exception.h>
#include <Poco/HMACEngine.h>
#include <Poco/MD5Engine.h>
#include <Poco/Net/HTTPAuthenticationParams.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/NumberFormatter.h>
#include <Poco/NumberParser.h>
#include <Poco/RandomStream.h>
#include <Poco/SHA1Engine.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include <algorithm>
#include <atomic>
#include <initializer_list>

namespace lpr {

namespace {

constexpr int kTimestampHex = 16;
constexpr int kCounterHex = 16;
constexpr int kMacHex = 2 * Poco::SHA1Engine::DIGEST_SIZE;
constexpr std::size_t kNonceHex = kTimestampHex + kCounterHex + kMacHex;
// Live nonces whose nc is remembered. Entries are only made after a fully verified request, so
// only holders of the password can fill the table; when it is full the oldest entry goes.
constexpr std::size_t kMaxTrackedNonces = 4096;
// How far back out-of-order nonce counts are still accepted (parallel requests on one nonce).
constexpr std::uint64_t kNcWindow = 64;

const std::string kAuthorization = "Authorization";
const std::string kWwwAuthenticate = "WWW-Authenticate";

// Drawn once per process: nonces die with a restart, and every authenticator in the process can
// verify every other one's nonces (several instances share one path).
const std::string& processSecret() {
  static const std::string secret = [] {
    std::string bytes(32, '\0');
    Poco::RandomInputStream random;
    random.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return bytes;
  }();
  return secret;
}

std::string hmacHex(std::string_view data) {
  Poco::HMACEngine<Poco::SHA1Engine> hmac(processSecret());
  hmac.update(data.data(), static_cast<unsigned>(data.size()));
  return Poco::DigestEngine::digestToHex(hmac.digest());
}

// Compares in time that depends only on the (public) length.
bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

// Hashing both sides first hides the secret's length too.
bool secretEquals(std::string_view given, std::string_view expected) {
  return constantTimeEquals(hmacHex(given), hmacHex(expected));
}

std::string md5Hex(std::initializer_list<std::string_view> parts) {
  Poco::MD5Engine md5;
  bool first = true;
  for (auto part : parts) {
    if (!first) md5.update(':');
    md5.update(part.data(), static_cast<unsigned>(part.size()));
    first = false;
  }
  return Poco::DigestEngine::digestToHex(md5.digest());
}

std::int64_t toMs(HttpAuthenticator::SteadyClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

bool isLowerHex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Returns the issue time (ms) of a nonce this process made, nullopt for anything else.
std::optional<std::int64_t> verifyNonce(const std::string& nonce) {
  if (nonce.size() != kNonceHex || !isLowerHex(nonce)) return std::nullopt;
  const std::string_view body(nonce.data(), kTimestampHex + kCounterHex);
  if (!constantTimeEquals(hmacHex(body), std::string_view(nonce).substr(body.size()))) {
    return std::nullopt;
  }
  Poco::UInt64 issued = 0;
  if (!Poco::NumberParser::tryParseHex64(nonce.substr(0, kTimestampHex), issued)) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(issued);
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Splits "Scheme info" the way Poco's HTTPRequest::getCredentials does.
void splitAuthorization(const std::string& header, std::string& scheme, std::string& info) {
  const std::string trimmed = Poco::trim(header);
  const auto space = trimmed.find_first_of(" \t");
  scheme = trimmed.substr(0, space);
  info = space == std::string::npos ? std::string() : Poco::trim(trimmed.substr(space));
}

bool sameRequestUri(const std::string& claimed, const std::string& actual) {
  if (claimed == actual) return true;
  // A client talking through a proxy may put the absolute form in one of them.
  const bool absolute =
      claimed.find("://") != std::string::npos || actual.find("://") != std::string::npos;
  if (!absolute) return false;
  try {
    return Poco::URI(claimed).getPathEtc() == Poco::URI(actual).getPathEtc();
  } catch (const Poco::Exception&) {
    return false;
  }
}

std::atomic<std::uint64_t> nonceCounter{0};

}  // namespace

std::string toString(HttpAuthMode mode) {
  switch (mode) {
    case HttpAuthMode::None:
      return "none";
    case HttpAuthMode::Basic:
      return "basic";
    case HttpAuthMode::Digest:
      return "digest";
    case HttpAuthMode::Any:
      return "any";
  }
  return "none";
}

std::optional<HttpAuthMode> httpAuthModeFromString(std::string_view text) {
  if (text == "none") return HttpAuthMode::None;
  if (text == "basic") return HttpAuthMode::Basic;
  if (text == "digest") return HttpAuthMode::Digest;
  if (text == "any") return HttpAuthMode::Any;
  return std::nullopt;
}

std::string toString(HttpAuthenticator::Result result) {
  switch (result) {
    case HttpAuthenticator::Result::Ok:
      return "ok";
    case HttpAuthenticator::Result::Missing:
      return "missing";
    case HttpAuthenticator::Result::Wrong:
      return "wrong";
    case HttpAuthenticator::Result::Stale:
      return "stale";
  }
  return "wrong";
}

HttpAuthenticator::HttpAuthenticator(HttpAuthMode mode, HttpCredentials credentials,
                                     std::string realm, std::chrono::seconds nonceLifetime)
    : mode_(mode),
      credentials_(std::move(credentials)),
      realm_(std::move(realm)),
      nonceLifetime_(nonceLifetime),
      ha1_(md5Hex({credentials_.username, realm_, credentials_.password})) {}

HttpAuthenticator::Result HttpAuthenticator::check(
    const Poco::Net::HTTPServerRequest& request) const {
  return evaluate(request).result;
}

HttpAuthenticator::Outcome HttpAuthenticator::evaluate(
    const Poco::Net::HTTPServerRequest& request) const {
  return evaluate(request.getMethod(), request.getURI(), request.get(kAuthorization, ""),
                  SteadyClock::now());
}

HttpAuthenticator::Outcome HttpAuthenticator::evaluate(const std::string& method,
                                                       const std::string& uri,
                                                       const std::string& authorization,
                                                       SteadyClock::time_point now) const {
  if (mode_ == HttpAuthMode::None) return {Result::Ok, {}};
  std::string scheme, info;
  splitAuthorization(authorization, scheme, info);
  if (scheme.empty()) return {Result::Missing, "no credentials"};
  if (Poco::icompare(scheme, Poco::Net::HTTPBasicCredentials::SCHEME) == 0) {
    if (mode_ == HttpAuthMode::Digest) return {Result::Wrong, "basic sent, digest required"};
    return checkBasic(info);
  }
  if (Poco::icompare(scheme, "Digest") == 0) {
    if (mode_ == HttpAuthMode::Basic) return {Result::Wrong, "digest sent, basic required"};
    return checkDigest(method, uri, info, now);
  }
  return {Result::Wrong, "unsupported authentication scheme"};
}

HttpAuthenticator::Outcome HttpAuthenticator::checkBasic(const std::string& info) const {
  std::string user, password;
  try {
    Poco::Net::HTTPBasicCredentials credentials(info);
    user = credentials.getUsername();
    password = credentials.getPassword();
  } catch (const Poco::Exception&) {
    return {Result::Wrong, "malformed basic credentials"};
  }
  // Both comparisons always run, so the time does not tell which one failed.
  const bool userOk = secretEquals(user, credentials_.username);
  const bool passwordOk = secretEquals(password, credentials_.password);
  if (!(userOk & passwordOk)) return {Result::Wrong, "wrong username or password"};
  return {Result::Ok, {}};
}

HttpAuthenticator::Outcome HttpAuthenticator::checkDigest(const std::string& method,
                                                          const std::string& uri,
                                                          const std::string& info,
                                                          SteadyClock::time_point now) const {
  Poco::Net::HTTPAuthenticationParams params;
  try {
    params.fromAuthInfo(info);
  } catch (const Poco::Exception&) {
    return {Result::Wrong, "malformed digest credentials"};
  }
  for (const char* key : {"username", "realm", "nonce", "uri", "response"}) {
    if (!params.has(key)) return {Result::Wrong, "incomplete digest credentials"};
  }
  if (params.getRealm() != realm_) return {Result::Wrong, "realm mismatch"};
  if (params.has("algorithm") && Poco::icompare(params.get("algorithm"), "MD5") != 0) {
    return {Result::Wrong, "unsupported digest algorithm"};
  }
  if (params.has("userhash") && Poco::icompare(params.get("userhash"), "true") == 0) {
    return {Result::Wrong, "userhash not supported"};
  }
  const std::string& digestUri = params.get("uri");
  if (!sameRequestUri(digestUri, uri)) return {Result::Wrong, "uri mismatch"};

  const std::string qop = params.get("qop", "");
  std::uint64_t nc = 0;
  if (!qop.empty()) {
    if (Poco::icompare(qop, "auth") != 0) return {Result::Wrong, "unsupported qop"};
    const std::string& ncText = params.get("nc", "");
    Poco::UInt64 parsed = 0;
    if (ncText.empty() || ncText.size() > 16 ||
        !Poco::NumberParser::tryParseHex64(ncText, parsed) || parsed == 0 ||
        params.get("cnonce", "").empty()) {
      return {Result::Wrong, "bad nonce count or cnonce"};
    }
    nc = parsed;
  }

  const std::string& nonce = params.get("nonce");
  const auto issuedMs = verifyNonce(nonce);
  if (!issuedMs) return {Result::Wrong, "nonce not issued here"};

  const std::string ha2 = md5Hex({method, digestUri});
  const std::string expected =
      qop.empty() ? md5Hex({ha1_, nonce, ha2})
                  : md5Hex({ha1_, nonce, params.get("nc"), params.get("cnonce"), qop, ha2});
  const bool userOk = secretEquals(params.get("username"), credentials_.username);
  const bool responseOk = constantTimeEquals(Poco::toLower(params.get("response")), expected);
  if (!(userOk & responseOk)) return {Result::Wrong, "wrong username or password"};

  const std::int64_t nowMs = toMs(now);
  const std::int64_t lifetimeMs =
      std::chrono::duration_cast<std::chrono::milliseconds>(nonceLifetime_).count();
  if (*issuedMs > nowMs) return {Result::Wrong, "nonce from the future"};
  if (nowMs - *issuedMs > lifetimeMs) return {Result::Stale, "nonce expired"};
  if (!qop.empty() && !recordNonceCount(nonce, *issuedMs, nc, nowMs)) {
    return {Result::Stale, "nonce count replayed"};
  }
  return {Result::Ok, {}};
}

bool HttpAuthenticator::recordNonceCount(const std::string& nonce, std::int64_t issuedMs,
                                         std::uint64_t nc, std::int64_t nowMs) const {
  const std::int64_t lifetimeMs =
      std::chrono::duration_cast<std::chrono::milliseconds>(nonceLifetime_).count();
  std::lock_guard lock(mutex_);
  auto it = nonceUses_.find(nonce);
  if (it == nonceUses_.end()) {
    if (issuedMs <= evictedUpToMs_) return false;
    if (nonceUses_.size() >= kMaxTrackedNonces) {
      std::erase_if(nonceUses_,
                    [&](const auto& entry) { return nowMs - entry.second.issuedMs > lifetimeMs; });
    }
    if (nonceUses_.size() >= kMaxTrackedNonces) {
      auto oldest = std::min_element(nonceUses_.begin(), nonceUses_.end(), [](auto& a, auto& b) {
        return a.second.issuedMs < b.second.issuedMs;
      });
      evictedUpToMs_ = std::max(evictedUpToMs_, oldest->second.issuedMs);
      nonceUses_.erase(oldest);
      if (issuedMs <= evictedUpToMs_) return false;
    }
    it = nonceUses_.emplace(nonce, NonceUse{issuedMs, 0, 0}).first;
  }
  NonceUse& use = it->second;
  if (nc > use.highest) {
    const std::uint64_t shift = nc - use.highest;
    use.window = shift >= kNcWindow ? 0 : use.window << shift;
    use.window |= 1;
    use.highest = nc;
    return true;
  }
  const std::uint64_t back = use.highest - nc;
  if (back >= kNcWindow) return false;
  const std::uint64_t bit = std::uint64_t{1} << back;
  if (use.window & bit) return false;
  use.window |= bit;
  return true;
}

std::string HttpAuthenticator::makeNonce(SteadyClock::time_point now) const {
  const auto issued = static_cast<unsigned long long>(std::max<std::int64_t>(0, toMs(now)));
  const auto counter = static_cast<unsigned long long>(nonceCounter.fetch_add(1));
  std::string body = Poco::NumberFormatter::formatHex(issued, kTimestampHex) +
                     Poco::NumberFormatter::formatHex(counter, kCounterHex);
  body = Poco::toLower(body);
  return body + hmacHex(body);
}

std::vector<std::string> HttpAuthenticator::challengeHeaders(bool stale,
                                                             SteadyClock::time_point now) const {
  std::vector<std::string> out;
  if (mode_ == HttpAuthMode::Digest || mode_ == HttpAuthMode::Any) {
    std::string digest = "Digest realm=" + quoted(realm_) +
                         ", qop=\"auth\", algorithm=MD5, nonce=" + quoted(makeNonce(now));
    if (stale) digest += ", stale=true";
    out.push_back(std::move(digest));
  }
  if (mode_ == HttpAuthMode::Basic || mode_ == HttpAuthMode::Any) {
    out.push_back("Basic realm=" + quoted(realm_));
  }
  return out;
}

void HttpAuthenticator::challenge(Poco::Net::HTTPServerResponse& response, bool stale) const {
  response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED);
  response.erase(kWwwAuthenticate);
  for (auto& value : challengeHeaders(stale, SteadyClock::now())) {
    response.add(kWwwAuthenticate, value);
  }
}

std::optional<std::string> HttpAuthenticator::claimedUser(
    const Poco::Net::HTTPServerRequest& request) {
  return claimedUser(request.get(kAuthorization, ""));
}

std::optional<std::string> HttpAuthenticator::claimedUser(const std::string& authorization) {
  std::string scheme, info;
  splitAuthorization(authorization, scheme, info);
  std::string user;
  try {
    if (Poco::icompare(scheme, Poco::Net::HTTPBasicCredentials::SCHEME) == 0) {
      user = Poco::Net::HTTPBasicCredentials(info).getUsername();
    } else if (Poco::icompare(scheme, "Digest") == 0) {
      user = Poco::Net::HTTPAuthenticationParams(info).get("username", "");
    }
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
  if (user.empty()) return std::nullopt;
  return user;
}

}  // namespace lpr
