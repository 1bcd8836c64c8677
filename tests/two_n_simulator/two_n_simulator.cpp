#include "two_n_simulator.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPAuthenticationParams.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/TemporaryFile.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <sys/socket.h>

#include <algorithm>
#include <future>
#include <set>
#include <sstream>
#include <stdexcept>

#include "two_n_call.h"
#include "two_n_certificate.h"
#include "two_n_reply.h"
#include "two_n_switches.h"

namespace lpr::testing {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr std::size_t kMaxBody = 16 * 1024 * 1024;
constexpr std::size_t kMaxTrackedNonces = 10000;

std::once_flag sslOnce;

enum Method : unsigned { kGet = 1, kPost = 2, kPut = 4, kDelete = 8 };

unsigned methodBit(const std::string& method) {
  if (method == "GET") return kGet;
  if (method == "POST") return kPost;
  if (method == "PUT") return kPut;
  if (method == "DELETE") return kDelete;
  return 0;
}

// "2.40.0.50.3" -> {2, 40}; {0, 0} when unreadable.
std::pair<int, int> majorMinor(const std::string& version) {
  int major = 0, minor = 0;
  std::istringstream in(version);
  char dot = 0;
  in >> major >> dot >> minor;
  return {major, minor};
}

bool atLeast(const std::string& version, int major, int minor) {
  const auto [haveMajor, haveMinor] = majorMinor(version);
  return haveMajor > major || (haveMajor == major && haveMinor >= minor);
}

std::string mediaTypeOf(const std::string& contentType) {
  return Poco::toLower(Poco::trim(contentType.substr(0, contentType.find(';'))));
}

// Keeps the parts of a multipart body that carry data (blob-* parameters are sent as files).
class PartCollector : public Poco::Net::PartHandler {
 public:
  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string disposition, name;
    Poco::Net::NameValueCollection params;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition,
                                              params);
    name = params.get("name", "");
    std::string data;
    Poco::StreamCopier::copyToString(stream, data);
    parts[name] = std::move(data);
  }
  std::map<std::string, std::string> parts;
};

class RequestHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit RequestHandler(TwoNSimulator& simulator) : simulator_(simulator) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    simulator_.handle(request, response);
  }

 private:
  TwoNSimulator& simulator_;
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit HandlerFactory(TwoNSimulator& simulator) : simulator_(simulator) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new RequestHandler(simulator_);
  }

 private:
  TwoNSimulator& simulator_;
};

}  // namespace

// The open connections' sockets, so that stop() can cut them all like a power loss. It shuts the
// file descriptors down at TCP level: the connection threads then see end-of-stream in their own
// reads. (HTTPServer::stopAll(true) would run SSL_shutdown from the stopping thread while a
// connection thread may be inside SSL_read on the same SSL object, which OpenSSL does not allow.)
class TwoNSimulator::Connections {
 public:
  void add(int fd) {
    std::lock_guard lock(mutex_);
    if (closed_) {
      ::shutdown(fd, SHUT_RDWR);
    } else {
      fds_.insert(fd);
    }
  }
  void remove(int fd) {
    std::lock_guard lock(mutex_);
    fds_.erase(fd);
  }
  // Cuts every connection, and every one that starts running later, until open().
  void closeAll() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }
  void open() {
    std::lock_guard lock(mutex_);
    closed_ = false;
  }

 private:
  std::mutex mutex_;
  std::set<int> fds_;
  bool closed_ = false;
};

namespace {

// Poco's HTTP connection, registered with the simulator while it runs. A connection removes
// itself before its socket is closed (when this object is destroyed), so a registered file
// descriptor is never one the kernel has already reused.
class TrackedConnection : public Poco::Net::TCPServerConnection {
 public:
  TrackedConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                    std::shared_ptr<TwoNSimulator::Connections> connections)
      : TCPServerConnection(socket),
        http_(socket, std::move(params), std::move(factory)),
        connections_(std::move(connections)) {}

  void run() override {
    const int fd = socket().impl()->sockfd();
    connections_->add(fd);
    try {
      http_.run();
    } catch (...) {
      connections_->remove(fd);
      throw;
    }
    connections_->remove(fd);
  }

 private:
  Poco::Net::HTTPServerConnection http_;
  std::shared_ptr<TwoNSimulator::Connections> connections_;
};

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                    std::shared_ptr<TwoNSimulator::Connections> connections)
      : params_(std::move(params)),
        factory_(std::move(factory)),
        connections_(std::move(connections)) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new TrackedConnection(socket, params_, factory_, connections_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
  std::shared_ptr<TwoNSimulator::Connections> connections_;
};

std::string digestNonce(const std::string& headerValue) {
  std::string scheme, info;
  const auto space = headerValue.find(' ');
  if (space == std::string::npos) return {};
  scheme = headerValue.substr(0, space);
  if (Poco::icompare(scheme, "Digest") != 0) return {};
  try {
    return Poco::Net::HTTPAuthenticationParams(headerValue.substr(space + 1)).get("nonce", "");
  } catch (const Poco::Exception&) {
    return {};
  }
}

}  // namespace

struct TwoNSimulator::Route {
  const char* path;
  unsigned methods;
  void (TwoNSimulator::*handler)(Call&);
};

namespace {

// The configured clock (or the system's) plus the time restarts spent booting.
TwoNSimulatorOptions withBootClock(TwoNSimulatorOptions options,
                                   std::shared_ptr<std::atomic<std::int64_t>> offset) {
  options.wallClock = [base = std::move(options.wallClock), offset] {
    const auto now = base ? base() : std::chrono::system_clock::now();
    return now + std::chrono::seconds(offset->load());
  };
  return options;
}

}  // namespace

TwoNSimulator::TwoNSimulator(TwoNSimulatorOptions options)
    : options_(withBootClock(std::move(options), bootOffset_)),
      directory_(options_.directory),
      eventLog_(options_.eventCapacity, options_.wallClock),
      connections_(std::make_shared<Connections>()) {
  switches_ = std::make_unique<TwoNSwitches>(
      options_.switchCount, options_.switchOnDuration,
      [this](int number, bool active, const std::string& originator) {
        logSwitch(number, active, originator);
      });
  {
    std::lock_guard lock(mutex_);
    rebuildAuthenticator();
  }
  if (options_.tls) setUpTls();
}

TwoNSimulator::~TwoNSimulator() {
  stop();
  switches_.reset();
  if (!scratchDir_.empty()) {
    try {
      Poco::File(scratchDir_).remove(true);
    } catch (...) {
    }
  }
}

void TwoNSimulator::setUpTls() {
  std::call_once(sslOnce, [] { Poco::Net::initializeSSL(); });
  if (!options_.certFile.empty() || !options_.keyFile.empty()) {
    if (options_.certFile.empty() || options_.keyFile.empty()) {
      throw std::invalid_argument("2N simulator: certFile and keyFile go together");
    }
    certFile_ = options_.certFile;
    keyFile_ = options_.keyFile;
    certSha256_ = lpr::testing::certificateSha256(certFile_);
    return;
  }
  std::string directory = options_.tlsDirectory;
  if (directory.empty()) {
    scratchDir_ = Poco::TemporaryFile::tempName() + "-2n-sim";
    directory = scratchDir_;
  }
  Poco::File(directory).createDirectories();
  std::vector<std::string> names;
  Poco::Net::IPAddress address;
  if (Poco::Net::IPAddress::tryParse(options_.bindAddress, address) && !address.isWildcard() &&
      options_.bindAddress != "127.0.0.1") {
    names.push_back("IP:" + options_.bindAddress);
  }
  const SelfSignedCertificate made = makeSelfSignedCertificate(directory, names);
  certFile_ = made.certFile;
  keyFile_ = made.keyFile;
  certSha256_ = made.sha256;
}

std::string TwoNSimulator::caFile() const {
  return options_.caFile.empty() ? certFile_ : options_.caFile;
}
std::string TwoNSimulator::certificateSha256() const { return certSha256_; }

void TwoNSimulator::rebuildAuthenticator() {
  authenticator_ = std::make_shared<HttpAuthenticator>(
      options_.authMode, HttpCredentials{options_.username, options_.password}, options_.realm,
      options_.nonceLifetime);
}

void TwoNSimulator::start() {
  std::lock_guard lifecycle(lifecycleMutex_);
  if (running_) return;
  if (startedOnce_) *bootOffset_ += options_.bootDuration.count();
  startedOnce_ = true;
  const Poco::Net::SocketAddress address(
      options_.bindAddress, static_cast<Poco::UInt16>(port_ ? port_.load() : options_.port));
  std::unique_ptr<Poco::Net::ServerSocket> socket;
  if (options_.tls) {
    Poco::Net::Context::Params params;
    params.privateKeyFile = keyFile_;
    params.certificateFile = certFile_;
    params.verificationMode = Poco::Net::Context::VERIFY_NONE;
    params.loadDefaultCAs = false;
    // Poco's default DHE group is 1024 bits, which OpenSSL 3 clients refuse ("dh key too small").
    params.dhUse2048Bits = true;
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    socket = std::make_unique<Poco::Net::SecureServerSocket>(context);
  } else {
    socket = std::make_unique<Poco::Net::ServerSocket>();
  }
  // Reusing the address lets a restarted simulator take its port back at once. Not the port
  // (Poco's bind(address, true) sets SO_REUSEPORT too): a listener left open elsewhere would
  // silently get part of the connections; binding then fails instead.
  socket->bind(address, true, false);
  socket->listen(128);
  port_ = socket->address().port();

  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(true);
  params->setMaxThreads(64);
  params->setMaxQueued(256);
  params->setTimeout(Poco::Timespan(60, 0));
  pool_ = std::make_unique<Poco::ThreadPool>(2, 72, 60);
  connections_->open();
  server_ = std::make_unique<Poco::Net::TCPServer>(
      new ConnectionFactory(params, new HandlerFactory(*this), connections_), *pool_, *socket,
      params);
  {
    std::lock_guard lock(stopMutex_);
    down_ = false;
  }
  {
    std::lock_guard lock(mutex_);
    // A rebooted device knows none of the nonces it handed out before.
    forgottenBelow_ = nextNonceSerial_;
  }
  switches_->reset();
  eventLog_.restart();
  eventLog_.append("DeviceState", R"({"state":"startup"})");
  server_->start();
  running_ = true;
}

void TwoNSimulator::stop() {
  std::lock_guard lifecycle(lifecycleMutex_);
  if (!running_) return;
  {
    std::lock_guard lock(stopMutex_);
    down_ = true;
  }
  stopping_.notify_all();
  eventLog_.shutdown();
  // Stop accepting first, so that no connection starts after the cut below.
  auto stopped = std::async(std::launch::async, [this] { server_->stop(); });
  // TCPServer's accept loop looks at its stop flag only between 250 ms polls; a connection wakes
  // it, so that a restart takes milliseconds instead of a quarter second.
  const Poco::Net::SocketAddress self(
      options_.bindAddress == "0.0.0.0" ? "127.0.0.1" : options_.bindAddress,
      static_cast<Poco::UInt16>(port_.load()));
  while (stopped.wait_for(std::chrono::milliseconds(2)) != std::future_status::ready) {
    try {
      Poco::Net::StreamSocket poke;
      poke.connect(self, Poco::Timespan(0, 100000));
    } catch (const Poco::Exception&) {
    }
  }
  stopped.get();
  // Every open connection drops (a waiting long poll sees its connection die); then wait for the
  // handlers to leave before the server and its threads go away.
  connections_->closeAll();
  pool_->joinAll();
  server_.reset();
  pool_.reset();
  switches_->reset();
  running_ = false;
}

void TwoNSimulator::restart(bool newSeries) {
  stop();
  if (newSeries) newDirectorySeries(true);
  start();
}

bool TwoNSimulator::running() const { return running_; }
int TwoNSimulator::boundPort() const { return port_; }

std::string TwoNSimulator::baseUrl() const {
  std::string host = options_.bindAddress == "0.0.0.0" ? "127.0.0.1" : options_.bindAddress;
  return std::string(options_.tls ? "https" : "http") + "://" + host + ":" +
         std::to_string(port_.load());
}

// --- Fault injection ------------------------------------------------------------------------

void TwoNSimulator::setDelay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  delay_ = delay;
}

void TwoNSimulator::failNext(int count, int httpStatus) {
  std::lock_guard lock(mutex_);
  failCount_ = count;
  failStatus_ = httpStatus;
}

void TwoNSimulator::dropNext(int count) {
  std::lock_guard lock(mutex_);
  dropCount_ = count;
}

void TwoNSimulator::answerError(const std::string& path, int code, int count) {
  std::lock_guard lock(mutex_);
  if (code == 0) {
    injected_.erase(path);
  } else {
    injected_[path] = {code, count};
  }
}

void TwoNSimulator::clearFaults() {
  std::lock_guard lock(mutex_);
  injected_.clear();
  failCount_ = 0;
  dropCount_ = 0;
  delay_ = std::chrono::milliseconds(0);
}

void TwoNSimulator::setCredentials(const std::string& username, const std::string& password) {
  std::lock_guard lock(mutex_);
  options_.username = username;
  options_.password = password;
  rebuildAuthenticator();
}

void TwoNSimulator::setAuthMode(HttpAuthMode mode) {
  std::lock_guard lock(mutex_);
  options_.authMode = mode;
  rebuildAuthenticator();
}

void TwoNSimulator::setNonceLifetime(std::chrono::seconds lifetime) {
  std::lock_guard lock(mutex_);
  options_.nonceLifetime = lifetime;
  rebuildAuthenticator();
}

void TwoNSimulator::expireNonces() {
  std::lock_guard lock(mutex_);
  staleBelow_ = nextNonceSerial_;
}

void TwoNSimulator::setSwVersion(const std::string& version) {
  std::lock_guard lock(mutex_);
  options_.swVersion = version;
}

void TwoNSimulator::setLegacyLprKeys(LegacyLprKeys mode) {
  std::lock_guard lock(mutex_);
  options_.legacyLprKeys = mode;
}

bool TwoNSimulator::isLegacyFirmware() const { return !atLeast(options_.swVersion, 2, 40); }
bool TwoNSimulator::hasGrantAccess() const { return atLeast(options_.swVersion, 2, 37); }

std::int64_t TwoNSimulator::nowUnix() const {
  const auto now = options_.wallClock ? options_.wallClock() : std::chrono::system_clock::now();
  return std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
}

void TwoNSimulator::waitDelay(std::chrono::milliseconds delay) {
  if (delay.count() <= 0) return;
  std::unique_lock lock(stopMutex_);
  stopping_.wait_for(lock, delay, [&] { return down_; });
}

void TwoNSimulator::logSwitch(int number, bool active, const std::string& originator) {
  Object::Ptr params = makeObject();
  params->set("switch", number);
  params->set("state", active);
  params->set("originator", originator);
  eventLog_.append("SwitchStateChanged", toJson(params));
}

// --- HTTP -----------------------------------------------------------------------------------

void TwoNSimulator::handle(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) {
  static const Route kRoutes[] = {
      {"/api/system/info", kGet | kPost, &TwoNSimulator::systemInfo},
      {"/api/system/status", kGet | kPost, &TwoNSimulator::systemStatus},
      {"/api/lpr/licenseplate", kPost, &TwoNSimulator::licensePlate},
      {"/api/lpr/image", kGet | kPost, &TwoNSimulator::lprImage},
      {"/api/log/caps", kGet | kPost, &TwoNSimulator::logCaps},
      {"/api/log/subscribe", kGet | kPost, &TwoNSimulator::logSubscribe},
      {"/api/log/pull", kGet | kPost, &TwoNSimulator::logPull},
      {"/api/log/unsubscribe", kGet | kPost, &TwoNSimulator::logUnsubscribe},
      {"/api/dir/template", kGet | kPost, &TwoNSimulator::dirTemplate},
      {"/api/dir/create", kPut, &TwoNSimulator::dirWrite},
      {"/api/dir/update", kPut, &TwoNSimulator::dirWrite},
      {"/api/dir/delete", kPut, &TwoNSimulator::dirWrite},
      {"/api/dir/get", kPost, &TwoNSimulator::dirRead},
      {"/api/dir/query", kGet | kPost, &TwoNSimulator::dirRead},
      {"/api/switch/caps", kGet | kPost, &TwoNSimulator::switchCaps},
      {"/api/switch/status", kGet | kPost, &TwoNSimulator::switchStatus},
      {"/api/switch/ctrl", kGet | kPost, &TwoNSimulator::switchCtrl},
      {"/api/accesspoint/grantaccess", kGet | kPost, &TwoNSimulator::grantAccess},
  };

  Call call{request, response};
  call.method = request.getMethod();
  call.uri = request.getURI();
  try {
    Poco::URI uri(call.uri);
    call.path = uri.getPath();
    for (const auto& [name, value] : uri.getQueryParameters()) call.params[name] = value;
  } catch (const Poco::Exception&) {
    call.path = call.uri.substr(0, call.uri.find('?'));
  }
  call.mediaType = mediaTypeOf(request.getContentType());
  {
    // Read the whole body first: an answer before the body is consumed confuses keep-alive.
    std::istream& in = request.stream();
    char buffer[8192];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
      if (call.body.size() < kMaxBody)
        call.body.append(buffer, static_cast<std::size_t>(in.gcount()));
    }
  }

  std::chrono::milliseconds delay{0};
  bool drop = false;
  int failStatus = 0;
  {
    std::lock_guard lock(mutex_);
    delay = delay_;
    if (dropCount_ > 0) {
      --dropCount_;
      drop = true;
    } else if (failCount_ > 0) {
      --failCount_;
      failStatus = failStatus_;
    }
  }
  waitDelay(delay);
  if (drop) {
    response.setKeepAlive(false);
    try {
      static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket().shutdown();
    } catch (const Poco::Exception&) {
    }
    record({call.method, call.uri, 0, 0});
    return;
  }
  if (failStatus != 0) {
    const auto status = static_cast<Poco::Net::HTTPResponse::HTTPStatus>(failStatus);
    reply(call, failStatus, "text/plain",
          Poco::Net::HTTPResponse::getReasonForStatus(status) + "\n");
    return;
  }

  const Route* route = nullptr;
  for (const auto& candidate : kRoutes) {
    if (call.path == candidate.path) route = &candidate;
  }
  if (!route) {
    replyJson(call, twoNFailure(two_n_error::kInvalidPath), two_n_error::kInvalidPath);
    return;
  }
  if ((route->methods & methodBit(call.method)) == 0) {
    replyJson(call, twoNFailure(two_n_error::kInvalidMethod), two_n_error::kInvalidMethod);
    return;
  }
  if (!authenticate(call)) return;

  try {
    if (call.mediaType == "application/x-www-form-urlencoded") {
      Poco::URI form;
      form.setRawQuery(call.body);
      for (const auto& [name, value] : form.getQueryParameters()) call.params[name] = value;
    } else if (call.mediaType == "multipart/form-data") {
      std::istringstream in(call.body);
      PartCollector collector;
      Poco::Net::HTMLForm form;
      form.load(request, in, collector);
      for (const auto& [name, value] : form) {
        if (name.rfind("blob-", 0) == 0) {
          call.blobs[name] = value;
        } else {
          call.params[name] = value;
        }
      }
      for (auto& [name, data] : collector.parts) {
        if (name.rfind("blob-", 0) == 0) call.blobs[name] = std::move(data);
      }
    }
  } catch (const Poco::Exception&) {
    replyJson(call, twoNFailure(two_n_error::kInvalidParameter, {}, "malformed request body"),
              two_n_error::kInvalidParameter);
    return;
  }

  int injected = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = injected_.find(call.path);
    if (it != injected_.end()) {
      injected = it->second.code;
      if (it->second.remaining > 0 && --it->second.remaining == 0) injected_.erase(it);
    }
  }
  try {
    if (injected != 0) throw TwoNError(injected);
    (this->*(route->handler))(call);
  } catch (const TwoNError& error) {
    replyJson(call, twoNFailure(error.code(), error.param(), error.description()), error.code());
  } catch (const std::exception& error) {
    replyJson(call, twoNFailure(two_n_error::kProcessingError, {}, error.what()),
              two_n_error::kProcessingError);
  }
}

bool TwoNSimulator::authenticate(Call& call) {
  std::shared_ptr<HttpAuthenticator> authenticator;
  {
    std::lock_guard lock(mutex_);
    authenticator = authenticator_;
  }
  if (authenticator->mode() == HttpAuthMode::None) return true;
  const std::string header = call.request.get("Authorization", "");
  int code = two_n_error::kAuthRequired;
  HttpAuthenticator::Result result = HttpAuthenticator::Result::Missing;
  if (authenticator->mode() == HttpAuthMode::Digest &&
      Poco::icompare(header, 0, 6, "Basic ") == 0) {
    // Basic sent to a Digest-only service.
    code = two_n_error::kInvalidAuthMethod;
    result = HttpAuthenticator::Result::Wrong;
  } else {
    result = authenticator->check(call.request);
    const std::string nonce = digestNonce(header);
    if (result == HttpAuthenticator::Result::Ok && !nonce.empty()) {
      std::lock_guard lock(mutex_);
      auto it = nonceSerial_.find(nonce);
      if (it != nonceSerial_.end() && it->second < forgottenBelow_) {
        result = HttpAuthenticator::Result::Wrong;
      } else if (it != nonceSerial_.end() && it->second < staleBelow_) {
        result = HttpAuthenticator::Result::Stale;
      }
    }
  }
  if (result == HttpAuthenticator::Result::Ok) {
    call.account = HttpAuthenticator::claimedUser(call.request).value_or("");
    return true;
  }
  const auto challenges = authenticator->challengeHeaders(
      result == HttpAuthenticator::Result::Stale, HttpAuthenticator::SteadyClock::now());
  {
    std::lock_guard lock(mutex_);
    for (const auto& challenge : challenges) {
      const std::string nonce = digestNonce(challenge);
      if (nonce.empty()) continue;
      nonceSerial_[nonce] = nextNonceSerial_++;
      nonceOrder_.push_back(nonce);
      if (nonceOrder_.size() > kMaxTrackedNonces) {
        nonceSerial_.erase(nonceOrder_.front());
        nonceOrder_.pop_front();
      }
    }
  }
  for (const auto& challenge : challenges) call.response.add("WWW-Authenticate", challenge);
  reply(call, 401, "application/json", twoNFailure(code), code);
  return false;
}

void TwoNSimulator::reply(Call& call, int httpStatus, const std::string& contentType,
                          const std::string& body, int errorCode) {
  call.response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(httpStatus));
  call.response.setContentType(contentType);
  call.response.setContentLength(static_cast<std::streamsize>(body.size()));
  record({call.method, call.uri, httpStatus, errorCode});
  call.response.send() << body;
}

void TwoNSimulator::replyJson(Call& call, const std::string& json, int errorCode) {
  reply(call, 200, "application/json", json, errorCode);
}

void TwoNSimulator::record(const TwoNExchange& exchange) {
  std::lock_guard lock(mutex_);
  exchanges_.push_back(exchange);
  if (exchanges_.size() > kMaxRecords) exchanges_.pop_front();
}

void TwoNSimulator::recordLprRequest(TwoNLprRequest request) {
  std::lock_guard lock(mutex_);
  lprRequests_.push_back(std::move(request));
  // A benchmark sends thousands of reads with snapshots: only the newest keep their bytes.
  if (lprRequests_.size() > kFullLprRecords) {
    TwoNLprRequest& older = lprRequests_[lprRequests_.size() - 1 - kFullLprRecords];
    older.body.clear();
    older.body.shrink_to_fit();
    older.image.clear();
    older.image.shrink_to_fit();
  }
  if (lprRequests_.size() > kMaxRecords) lprRequests_.pop_front();
}

// --- Directory ------------------------------------------------------------------------------

namespace {

// Throws when a write result holds per-entry errors (for the C++ seeding helper).
void requireNoEntryErrors(const Object::Ptr& result) {
  const Array::Ptr users = result->getArray("users");
  for (std::size_t i = 0; users && i < users->size(); ++i) {
    const Object::Ptr entry = users->getObject(i);
    if (entry && entry->has("errors")) {
      throw std::runtime_error("2N simulator refused the entry: " + toJson(entry));
    }
  }
}

}  // namespace

std::string TwoNSimulator::addUser(const TwoNUser& user) {
  Object::Ptr entry = makeObject();
  if (!user.uuid.empty()) entry->set("uuid", user.uuid);
  if (!user.owner.empty()) entry->set("owner", user.owner);
  entry->set("name", user.name);
  Object::Ptr access = makeObject();
  std::string plates;
  for (const auto& plate : user.plates) plates += (plates.empty() ? "" : ",") + plate;
  access->set("licensePlates", plates);
  access->set("validFrom", user.validFrom);
  access->set("validTo", user.validTo);
  Array::Ptr points = new Array;
  for (bool enabled : {user.entryEnabled, user.exitEnabled}) {
    Object::Ptr point = makeObject();
    point->set("enabled", enabled);
    points->add(point);
  }
  access->set("accessPoints", points);
  entry->set("access", access);
  Array::Ptr users = new Array;
  users->add(entry);
  Object::Ptr request = makeObject();
  request->set("users", users);
  const Object::Ptr result = directoryCreate(toJson(request));
  requireNoEntryErrors(result);
  return result->getArray("users")->getObject(0)->getValue<std::string>("uuid");
}

// Every write that moved the directory's timestamp is announced, as the device does.
void TwoNSimulator::logDirectoryChange(std::uint64_t before) {
  if (directory_.timestamp() == before) return;
  eventLog_.append("DirectoryChanged", R"({"series":")" + directory_.series() +
                                           R"(","timestamp":)" +
                                           std::to_string(directory_.timestamp()) + "}");
}

Object::Ptr TwoNSimulator::directoryCreate(const std::string& json, bool force) {
  const Object::Ptr request = parseJsonObject(json);
  std::lock_guard lock(mutex_);
  const auto before = directory_.timestamp();
  Object::Ptr result = directory_.create(request, force);
  logDirectoryChange(before);
  return result;
}

Object::Ptr TwoNSimulator::directoryUpdate(const std::string& json) {
  const Object::Ptr request = parseJsonObject(json);
  std::lock_guard lock(mutex_);
  const auto before = directory_.timestamp();
  Object::Ptr result = directory_.update(request);
  logDirectoryChange(before);
  return result;
}

Object::Ptr TwoNSimulator::directoryDelete(const std::string& json) {
  const Object::Ptr request = parseJsonObject(json);
  std::lock_guard lock(mutex_);
  const auto before = directory_.timestamp();
  Object::Ptr result = directory_.remove(request);
  logDirectoryChange(before);
  return result;
}

Object::Ptr TwoNSimulator::directoryQuery(const std::string& json) const {
  const Object::Ptr request = parseJsonObject(json);
  std::lock_guard lock(mutex_);
  return directory_.query(request);
}

void TwoNSimulator::newDirectorySeries(bool keepEntries) {
  std::lock_guard lock(mutex_);
  directory_.newSeries(keepEntries);
  eventLog_.append("DirectoryChanged", R"({"series":")" + directory_.series() +
                                           R"(","timestamp":)" +
                                           std::to_string(directory_.timestamp()) + "}");
}

std::vector<Object::Ptr> TwoNSimulator::directoryEntries(bool includeDeleted) const {
  std::lock_guard lock(mutex_);
  return directory_.entries(includeDeleted);
}

std::string TwoNSimulator::directorySeries() const {
  std::lock_guard lock(mutex_);
  return directory_.series();
}

std::uint64_t TwoNSimulator::directoryTimestamp() const {
  std::lock_guard lock(mutex_);
  return directory_.timestamp();
}

AccessCheck TwoNSimulator::checkPlate(const std::string& plate, int accessPoint) const {
  std::lock_guard lock(mutex_);
  return directory_.checkPlate(plate, accessPoint, nowUnix());
}

// --- What happened --------------------------------------------------------------------------

std::vector<TwoNLprRequest> TwoNSimulator::lprRequests() const {
  std::lock_guard lock(mutex_);
  return {lprRequests_.begin(), lprRequests_.end()};
}

std::vector<TwoNEvent> TwoNSimulator::events() const { return eventLog_.events(); }

std::vector<TwoNEvent> TwoNSimulator::events(const std::string& name) const {
  std::vector<TwoNEvent> out;
  for (auto& event : eventLog_.events()) {
    if (event.event == name) out.push_back(std::move(event));
  }
  return out;
}

TwoNEvent TwoNSimulator::logEvent(const std::string& name, const std::string& paramsJson) {
  parseJsonObject(paramsJson);  // throws: a pull must never hand out broken JSON
  return eventLog_.append(name, paramsJson);
}

std::size_t TwoNSimulator::waitingPulls() const { return eventLog_.waitingPulls(); }
std::size_t TwoNSimulator::logChannels() const { return eventLog_.channelCount(); }
bool TwoNSimulator::switchActive(int number) const { return switches_->state(number).active; }

std::optional<std::string> TwoNSimulator::storedImage(const std::string& plateText) const {
  const std::string plate = TwoNDirectory::normalisePlate(plateText);
  std::lock_guard lock(mutex_);
  for (const auto& image : images_) {
    if (image.plate == plate) return image.bytes;
  }
  return std::nullopt;
}

std::vector<std::string> TwoNSimulator::storedImagePlates() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& image : images_) out.push_back(image.plate);
  return out;
}

std::vector<TwoNExchange> TwoNSimulator::exchanges() const {
  std::lock_guard lock(mutex_);
  return {exchanges_.begin(), exchanges_.end()};
}

std::size_t TwoNSimulator::requestCount(const std::string& path) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(exchanges_.begin(), exchanges_.end(), [&](const TwoNExchange& exchange) {
        return exchange.uri.substr(0, exchange.uri.find('?')) == path;
      }));
}

void TwoNSimulator::clearRecords() {
  std::lock_guard lock(mutex_);
  lprRequests_.clear();
  exchanges_.clear();
}

}  // namespace lpr::testing
