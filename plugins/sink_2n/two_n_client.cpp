#include "two_n_client.h"

#include <Poco/Crypto/X509Certificate.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPAuthenticationParams.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPDigestCredentials.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cctype>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <vector>

namespace lpr::plugins::sink_2n {

namespace {

using SteadyClock = std::chrono::steady_clock;

// Larger answers are not 2N API replies; reading them whole would only cost memory.
constexpr std::size_t kMaxReplyBytes = 1 << 20;
const std::string kWwwAuthenticate = "WWW-Authenticate";

std::string hexOf(const unsigned char* bytes, unsigned int length) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0x0F];
  }
  return out;
}

std::string sha256Of(const X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(certificate, EVP_sha256(), digest, &length) != 1) return {};
  return hexOf(digest, length);
}

bool isIpAddress(const std::string& host) {
  Poco::Net::IPAddress ip;
  return Poco::Net::IPAddress::tryParse(host, ip);
}

// Once per process, never undone: Poco's uninitializeSSL() also shuts the process-wide
// SSLManager down, which would pull the rug from under the gateway's own HTTPS server.
void initializeSslOnce() {
  static const bool done = [] {
    Poco::Net::initializeSSL();
    return true;
  }();
  (void)done;
}

// "Digest realm=..." → "Digest"
std::string schemeOf(const std::string& challenge) {
  const auto end = challenge.find_first_of(" \t");
  return challenge.substr(0, end);
}

std::vector<std::string> challengesOf(const Poco::Net::HTTPResponse& response) {
  std::vector<std::string> out;
  for (auto it = response.find(kWwwAuthenticate);
       it != response.end() && Poco::icompare(it->first, kWwwAuthenticate) == 0; ++it) {
    out.push_back(Poco::trim(it->second));
  }
  return out;
}

std::string joinSchemes(const std::vector<std::string>& challenges) {
  std::string out;
  for (const auto& c : challenges) out += (out.empty() ? "" : ", ") + schemeOf(c);
  return out.empty() ? "no scheme" : out;
}

}  // namespace

// Verification state of one client's OpenSSL context. The callbacks run inside SSL_connect, on
// the thread of the request, which holds the client's mutex: no locking of its own.
struct TwoNClient::TlsState {
  Poco::Net::Context::Ptr context;
  std::string pin;      // 64 lower-case hex digits; empty in the CA mode
  std::string failure;  // why the last handshake refused the certificate; empty when it did not
};

struct TwoNClient::DigestState {
  Poco::Net::HTTPDigestCredentials credentials;
  std::optional<Poco::Net::HTTPAuthenticationParams> challenge;  // to answer on the next send
  bool primed = false;  // credentials hold a nonce: send them with every request
};

namespace {

// SSL_CTX_set_cert_verify_callback: replaces chain building altogether. The peer certificate is
// accepted when its SHA-256 DER digest is the pinned one (a self-signed device certificate has
// no chain to build, and its host name is whatever the device chose).
int verifyPinned(X509_STORE_CTX* store, void* arg) {
  auto* state = static_cast<TwoNClient::TlsState*>(arg);
  X509* certificate = X509_STORE_CTX_get0_cert(store);
  if (certificate == nullptr) {
    state->failure = "the device sent no certificate";
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }
  const std::string presented = sha256Of(certificate);
  if (!presented.empty() && presented == state->pin) return 1;
  state->failure = "the device certificate's SHA-256 fingerprint is " +
                   formatFingerprint(presented) + ", not the pinned " +
                   formatFingerprint(state->pin);
  X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

// CA mode: OpenSSL's own chain and host name verification (the host is set on the context's
// verify parameters), with the reason kept for the message.
int verifyWithCa(X509_STORE_CTX* store, void* arg) {
  auto* state = static_cast<TwoNClient::TlsState*>(arg);
  if (X509_verify_cert(store) == 1) return 1;
  const int error = X509_STORE_CTX_get_error(store);
  state->failure = std::string("the device certificate is not trusted by the CA file: ") +
                   X509_verify_cert_error_string(error);
  return 0;
}

}  // namespace

std::string toString(Scheme scheme) { return scheme == Scheme::Https ? "https" : "http"; }

std::string toString(AuthMethod auth) { return auth == AuthMethod::Digest ? "digest" : "basic"; }

std::string toString(TwoNReply::Failure failure) {
  switch (failure) {
    case TwoNReply::Failure::None:
      return "none";
    case TwoNReply::Failure::Timeout:
      return "timeout";
    case TwoNReply::Failure::Connection:
      return "connection";
    case TwoNReply::Failure::Tls:
      return "tls";
    case TwoNReply::Failure::Certificate:
      return "certificate";
    case TwoNReply::Failure::AuthScheme:
      return "auth_scheme";
    case TwoNReply::Failure::Protocol:
      return "protocol";
  }
  return "unknown";
}

std::optional<HostPort> parseHostPort(const std::string& input) {
  const std::string text = Poco::trim(input);
  if (text.empty() || text.find_first_of("/@ \t?#") != std::string::npos) return std::nullopt;
  HostPort out;
  std::string portText;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) return std::nullopt;
    out.host = text.substr(1, close - 1);
    const std::string rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      portText = rest.substr(1);
      if (portText.empty()) return std::nullopt;
    }
    if (!isIpAddress(out.host)) return std::nullopt;
  } else if (std::count(text.begin(), text.end(), ':') > 1) {
    out.host = text;  // a bare IPv6 address
    if (!isIpAddress(out.host)) return std::nullopt;
  } else {
    const auto colon = text.find(':');
    out.host = text.substr(0, colon);
    if (colon != std::string::npos) {
      portText = text.substr(colon + 1);
      if (portText.empty()) return std::nullopt;
    }
  }
  if (out.host.empty()) return std::nullopt;
  if (!portText.empty()) {
    unsigned port = 0;
    if (portText.size() > 5 || !std::all_of(portText.begin(), portText.end(), ::isdigit) ||
        !Poco::NumberParser::tryParseUnsigned(portText, port) || port < 1 || port > 65535) {
      return std::nullopt;
    }
    out.port = static_cast<int>(port);
  }
  return out;
}

std::optional<std::string> normaliseFingerprint(const std::string& input) {
  std::string text = input;
  // openssl x509 -fingerprint prints "sha256 Fingerprint=AB:CD:..." (or "SHA256 Fingerprint=").
  if (const auto eq = text.find('='); eq != std::string::npos) {
    if (Poco::toLower(text.substr(0, eq)).find("fingerprint") == std::string::npos) {
      return std::nullopt;
    }
    text = text.substr(eq + 1);
  }
  std::string hex;
  for (char c : text) {
    if (c == ':' || std::isspace(static_cast<unsigned char>(c))) continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 64) return std::nullopt;
  return hex;
}

std::string formatFingerprint(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    if (!out.empty()) out += ':';
    out += Poco::toUpper(hex.substr(i, 2));
  }
  return out;
}

std::string certificateFingerprint(const std::string& pemFile) {
  Poco::Crypto::X509Certificate certificate(pemFile);
  std::string out = sha256Of(certificate.certificate());
  if (out.empty()) throw Poco::DataException("cannot compute the SHA-256 digest of " + pemFile);
  return out;
}

std::string optionsProblem(const TwoNClientOptions& options) {
  if (options.host.empty()) return "no device host";
  if (options.scheme == Scheme::Https) {
    if (options.fingerprintSha256.empty() && options.caFile.empty()) {
      return "HTTPS needs a way to trust the device: the pinned certificate fingerprint "
             "(tls.fingerprint_sha256) or a CA file (tls.ca_file); the certificate is never "
             "accepted unchecked";
    }
    if (!options.fingerprintSha256.empty() && !options.caFile.empty()) {
      return "set either the pinned fingerprint (tls.fingerprint_sha256) or the CA file "
             "(tls.ca_file), not both";
    }
    if (!options.fingerprintSha256.empty() &&
        normaliseFingerprint(options.fingerprintSha256) != options.fingerprintSha256) {
      return "the pinned fingerprint is not 64 hex digits";
    }
  } else {
    if (!options.fingerprintSha256.empty() || !options.caFile.empty()) {
      return "TLS settings (tls.fingerprint_sha256, tls.ca_file) with plain HTTP would protect "
             "nothing; use scheme = https";
    }
    if (options.auth == AuthMethod::Basic && !options.allowBasicOverHttp) {
      return "Basic authentication over plain HTTP sends the password readable to anyone on the "
             "path; use https or Digest (or set allow_basic_over_http = true on a trusted "
             "segment)";
    }
  }
  if (options.timeout.count() <= 0) return "the timeout must be positive";
  return {};
}

void parseEnvelope(TwoNReply& reply) {
  reply.envelope = false;
  reply.success = false;
  reply.error.reset();
  reply.result = nullptr;
  Poco::JSON::Object::Ptr object;
  try {
    Poco::Dynamic::Var parsed = Poco::JSON::Parser().parse(reply.body);
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return;
    object = parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
    return;
  } catch (const std::exception&) {
    return;
  }
  if (!object || !object->has("success")) return;
  const Poco::Dynamic::Var success = object->get("success");
  if (!success.isBoolean()) return;
  reply.envelope = true;
  reply.success = success.convert<bool>();
  if (reply.success) {
    if (object->isObject("result")) reply.result = object->getObject("result");
    return;
  }
  TwoNApiError error;
  if (object->isObject("error")) {
    auto detail = object->getObject("error");
    try {
      if (detail->has("code")) error.code = detail->get("code").convert<int>();
    } catch (const Poco::Exception&) {
      error.code = 0;
    }
    try {
      if (detail->has("param")) error.param = detail->get("param").convert<std::string>();
      if (detail->has("description")) {
        error.description = detail->get("description").convert<std::string>();
      }
    } catch (const Poco::Exception&) {
    }
  }
  reply.error = error;
}

std::string TwoNReply::summary() const {
  if (failure != Failure::None) return toString(failure) + ": " + detail;
  std::string out = "HTTP " + std::to_string(httpStatus);
  if (!envelope) return out + ", not a 2N API reply";
  if (success) return out + ", success";
  if (!error) return out + ", failure without an error object";
  out += ", 2N error " + std::to_string(error->code);
  if (!error->param.empty()) out += " (param " + error->param + ")";
  if (!error->description.empty()) out += ": " + error->description;
  return out;
}

TwoNClient::TwoNClient(TwoNClientOptions options)
    : options_(std::move(options)), digest_(std::make_unique<DigestState>()) {
  if (std::string problem = optionsProblem(options_); !problem.empty()) {
    throw std::invalid_argument(problem);
  }
  if (options_.port == 0) options_.port = options_.scheme == Scheme::Https ? 443 : 80;
  digest_->credentials.setUsername(options_.username);
  digest_->credentials.setPassword(options_.password);
  if (options_.scheme != Scheme::Https) return;

  initializeSslOnce();
  tls_ = std::make_unique<TlsState>();
  Poco::Net::Context::Params params;
  params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
  params.loadDefaultCAs = false;
  params.caLocation = options_.caFile;  // empty in the pinned mode
  tls_->context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
  tls_->context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  // Poco's own post-handshake host check skips "localhost" unless strict, and the pinned mode
  // wants none; OpenSSL checks the host in the CA mode instead.
  tls_->context->enableExtendedCertificateVerification(false);
  SSL_CTX* ctx = tls_->context->sslContext();
  // Replace Poco's verify callback, which would consult the process-wide SSLManager handlers
  // (an AcceptCertificateHandler registered anywhere could otherwise wave a certificate through).
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (!options_.fingerprintSha256.empty()) {
    tls_->pin = options_.fingerprintSha256;
    SSL_CTX_set_cert_verify_callback(ctx, &verifyPinned, tls_.get());
  } else {
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
    if (isIpAddress(options_.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, options_.host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, options_.host.c_str(), options_.host.size());
    }
    SSL_CTX_set_cert_verify_callback(ctx, &verifyWithCa, tls_.get());
  }
}

TwoNClient::~TwoNClient() {
  std::lock_guard<std::mutex> lock(mutex_);
  session_.reset();
}

std::string TwoNClient::baseUrl() const {
  const std::string host =
      options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host;
  return toString(options_.scheme) + "://" + host + ":" + std::to_string(options_.port);
}

TwoNReply TwoNClient::get(const std::string& pathAndQuery) {
  return exchange(Poco::Net::HTTPRequest::HTTP_GET, pathAndQuery, {}, {});
}

TwoNReply TwoNClient::postJson(const std::string& path, const std::string& json) {
  return exchange(Poco::Net::HTTPRequest::HTTP_POST, path, json, "application/json");
}

void TwoNClient::disconnect() {
  std::lock_guard<std::mutex> lock(mutex_);
  session_.reset();
}

Poco::Net::HTTPClientSession& TwoNClient::session() {
  if (!session_) {
    const auto port = static_cast<Poco::UInt16>(options_.port);
    if (tls_) {
      session_ =
          std::make_unique<Poco::Net::HTTPSClientSession>(options_.host, port, tls_->context);
    } else {
      session_ = std::make_unique<Poco::Net::HTTPClientSession>(options_.host, port);
    }
    session_->setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(
        std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout).count())));
    session_->setKeepAlive(true);
  }
  return *session_;
}

void TwoNClient::applyCredentials(Poco::Net::HTTPRequest& request) {
  if (options_.username.empty() && options_.password.empty()) return;
  if (options_.auth == AuthMethod::Basic) {
    Poco::Net::HTTPBasicCredentials(options_.username, options_.password).authenticate(request);
    return;
  }
  if (digest_->challenge) {
    // A fresh nonce: forget the nonce counts of the old ones (the map would grow forever).
    digest_->credentials.reset();
    digest_->credentials.authenticate(request, *digest_->challenge);
    digest_->challenge.reset();
    digest_->primed = true;
  } else if (digest_->primed) {
    digest_->credentials.updateAuthInfo(request);  // same nonce, next nc
  } else {
    return;
  }
  // Poco quotes qop ("auth"); RFC 7616 and the clients 2N devices are used with (curl, camera
  // apps) send it bare, which strict servers insist on.
  std::string value = request.get(Poco::Net::HTTPRequest::AUTHORIZATION, "");
  if (const auto at = value.find("qop=\"auth\""); at != std::string::npos) {
    value.replace(at, 10, "qop=auth");
    request.set(Poco::Net::HTTPRequest::AUTHORIZATION, value);
  }
}

void TwoNClient::sendOnce(Poco::Net::HTTPRequest& request, const std::string& body,
                          TwoNReply& reply, Poco::Net::HTTPResponse& response) {
  Poco::Net::HTTPClientSession& s = session();
  std::ostream& out = s.sendRequest(request);
  if (!body.empty()) out.write(body.data(), static_cast<std::streamsize>(body.size()));
  std::istream& in = s.receiveResponse(response);
  std::string text;
  char buffer[8192];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxReplyBytes) {
      throw Poco::Net::MessageException("reply larger than " + std::to_string(kMaxReplyBytes) +
                                        " bytes");
    }
  }
  reply.httpStatus = static_cast<int>(response.getStatus());
  reply.contentType = response.getContentType();
  reply.body = std::move(text);
}

TwoNReply TwoNClient::exchange(const std::string& method, const std::string& path,
                               const std::string& body, const std::string& contentType) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto started = SteadyClock::now();
  TwoNReply reply;
  bool challengeAnswered = false;
  bool connectionReplaced = false;
  auto fail = [&](TwoNReply::Failure failure, std::string detail) {
    reply = TwoNReply{};
    reply.failure = failure;
    reply.detail = std::move(detail);
    session_.reset();  // whatever state the connection is in, do not reuse it
  };
  while (true) {
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    request.set("Accept", "application/json");
    if (method == Poco::Net::HTTPRequest::HTTP_POST || !body.empty()) {
      request.setContentType(contentType);
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    Poco::Net::HTTPResponse response;
    const bool reused = session_ && session_->connected();
    if (tls_) tls_->failure.clear();
    try {
      applyCredentials(request);
      reply = TwoNReply{};
      sendOnce(request, body, reply, response);
    } catch (const Poco::TimeoutException&) {
      fail(TwoNReply::Failure::Timeout, "no answer from " + baseUrl() + " within " +
                                            std::to_string(options_.timeout.count()) + " ms");
      break;
    } catch (const Poco::Net::SSLException& e) {
      if (tls_ && !tls_->failure.empty()) {
        fail(TwoNReply::Failure::Certificate, tls_->failure);
      } else if (reused && !connectionReplaced) {
        // A kept-alive TLS connection the device closed while idle ends in "unexpected eof"
        // (no close_notify): like a reset connection, the request never reached the device.
        connectionReplaced = true;
        session_.reset();
        continue;
      } else {
        fail(TwoNReply::Failure::Tls,
             "TLS handshake with " + baseUrl() + " failed: " + e.displayText());
      }
      break;
    } catch (const Poco::Net::MessageException& e) {
      fail(TwoNReply::Failure::Protocol,
           "unusable answer from " + baseUrl() + ": " + e.displayText());
      break;
    } catch (const Poco::Exception& e) {
      // NoMessageException, ConnectionResetException, ... on a kept-alive connection usually mean
      // the device closed it while idle: the request never reached it, so send it once more.
      if (reused && !connectionReplaced) {
        connectionReplaced = true;
        session_.reset();
        continue;
      }
      fail(TwoNReply::Failure::Connection, "cannot reach " + baseUrl() + ": " + e.displayText());
      break;
    } catch (const std::exception& e) {
      fail(TwoNReply::Failure::Connection, "cannot reach " + baseUrl() + ": " + e.what());
      break;
    }
    if (reply.httpStatus != Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED) break;

    // 401: answer the challenge once per request (the first one, or a stale nonce).
    const auto challenges = challengesOf(response);
    digest_->primed = false;
    // No challenge: a 401 that is an answer (2N error 9), not a request to authenticate.
    if (challenges.empty()) break;
    if (challengeAnswered || (options_.username.empty() && options_.password.empty())) break;
    challengeAnswered = true;
    if (options_.auth == AuthMethod::Basic) {
      bool basicOffered = false;
      for (const auto& c : challenges) basicOffered |= Poco::icompare(schemeOf(c), "Basic") == 0;
      if (!basicOffered) {
        fail(TwoNReply::Failure::AuthScheme,
             "the device asks for " + joinSchemes(challenges) + " authentication, not Basic");
      }
      break;  // Basic was sent already; a second try would carry the same password
    }
    std::optional<Poco::Net::HTTPAuthenticationParams> params;
    std::string refusal;
    for (const auto& c : challenges) {
      if (Poco::icompare(schemeOf(c), "Digest") != 0) continue;
      try {
        Poco::Net::HTTPAuthenticationParams parsed(Poco::trim(c.substr(6)));
        const std::string algorithm = parsed.get("algorithm", "MD5");
        const std::string qop = parsed.get("qop", "");
        if (Poco::icompare(algorithm, "MD5") != 0) {
          refusal = "Digest with algorithm " + algorithm + " (only MD5 is supported)";
          continue;
        }
        if (!qop.empty() && Poco::toLower(qop).find("auth") == std::string::npos) {
          refusal = "Digest with qop=" + qop + " (only qop=auth is supported)";
          continue;
        }
        if (!parsed.has("nonce") || !parsed.has("realm")) {
          refusal = "Digest without nonce or realm";
          continue;
        }
        params = std::move(parsed);
        break;
      } catch (const Poco::Exception& e) {
        refusal = "a Digest challenge that cannot be parsed (" + e.displayText() + ")";
      }
    }
    if (!params) {
      fail(TwoNReply::Failure::AuthScheme,
           "the device asks for " +
               (refusal.empty() ? joinSchemes(challenges) + " authentication" : refusal) +
               ", not Digest");
      break;
    }
    digest_->challenge = std::move(params);
  }
  reply.reauthenticated = challengeAnswered && reply.answered();
  reply.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
  if (reply.answered()) parseEnvelope(reply);
  return reply;
}

}  // namespace lpr::plugins::sink_2n
