#include "webhook/tcp_push_listener.h"

#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerParams.h>
#include <Poco/ThreadPool.h>

#include <chrono>

#include "webhook/json_stream_splitter.h"

namespace lpr {
namespace {

// How often a waiting connection looks at stop() and the idle timeout.
const Poco::Timespan kPoll(0, 250'000);

}  // namespace

class TcpPushListener::Connection : public Poco::Net::TCPServerConnection {
 public:
  Connection(const Poco::Net::StreamSocket& socket, std::shared_ptr<Shared> shared)
      : Poco::Net::TCPServerConnection(socket), owner_(std::move(shared)) {
    std::lock_guard<std::mutex> lock(owner_->mutex);
    ++owner_->active;
  }
  ~Connection() override {
    {
      std::lock_guard<std::mutex> lock(owner_->mutex);
      --owner_->active;
    }
    owner_->idle.notify_all();
  }

  void run() override {
    if (owner_->stopping) return;  // made while stop() ran: the callbacks may be gone
    const std::string peer = unmappedAddress(socket().peerAddress().host()).toString();
    try {
      if (!addressAllowed(owner_->options.allowFrom, socket().peerAddress().host())) {
        owner_->onProblem("forbidden", "source address not in allow_from", peer);
        return;
      }
      serve(peer);
    } catch (const Poco::Exception& e) {
      // A reset by the peer is its way of hanging up.
      owner_->onProblem("truncated", "connection failed: " + e.displayText(), peer);
    }
  }

 private:
  void serve(const std::string& peer) {
    JsonStreamSplitter splitter(owner_->options.maxObjectBytes);
    socket().setReceiveTimeout(kPoll);
    auto lastData = std::chrono::steady_clock::now();
    std::string buffer(64 * 1024, '\0');
    while (!owner_->stopping) {
      int received = 0;
      try {
        received = socket().receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
      } catch (const Poco::TimeoutException&) {
        if (std::chrono::steady_clock::now() - lastData >
            std::chrono::seconds(owner_->options.idleTimeoutS)) {
          return;  // silent for too long: a half-open link holds a thread for nothing
        }
        continue;
      }
      if (received <= 0) break;  // the camera hung up
      lastData = std::chrono::steady_clock::now();
      for (auto& piece : splitter.feed(std::string_view(buffer.data(), received))) {
        switch (piece.kind) {
          case JsonStreamSplitter::Piece::Kind::Object:
            if (!owner_->onObject(std::move(piece.text), peer)) return;
            break;
          case JsonStreamSplitter::Piece::Kind::Garbage:
            owner_->onProblem("framing", "bytes outside a JSON object: " + piece.text, peer);
            break;
          case JsonStreamSplitter::Piece::Kind::TooBig:
            owner_->onProblem(
                "too_big",
                "object over max_body_bytes=" + std::to_string(owner_->options.maxObjectBytes),
                peer);
            break;
        }
      }
    }
    if (splitter.inObject()) {
      owner_->onProblem("truncated", "connection closed inside a JSON object", peer);
    }
  }

  const std::shared_ptr<Shared> owner_;
};

class TcpPushListener::Factory : public Poco::Net::TCPServerConnectionFactory {
 public:
  explicit Factory(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new Connection(socket, shared_);
  }

 private:
  const std::shared_ptr<Shared> shared_;
};

TcpPushListener::TcpPushListener(Options options, OnObject onObject, OnProblem onProblem)
    : shared_(std::make_shared<Shared>()) {
  shared_->options = std::move(options);
  shared_->onObject = std::move(onObject);
  shared_->onProblem = std::move(onProblem);
}

TcpPushListener::~TcpPushListener() { stop(); }

void TcpPushListener::start() {
  if (server_) return;
  shared_->stopping = false;
  const Options& options = shared_->options;
  Poco::Net::ServerSocket socket(
      Poco::Net::SocketAddress(options.host, static_cast<Poco::UInt16>(options.port)));
  port_ = socket.address().port();
  auto* params = new Poco::Net::TCPServerParams;
  params->setMaxThreads(options.maxConnections);
  params->setMaxQueued(options.maxConnections);
  if (!pool_) pool_ = std::make_unique<Poco::ThreadPool>(1, options.maxConnections + 1);
  server_ = std::make_unique<Poco::Net::TCPServer>(new Factory(shared_), *pool_, socket, params);
  server_->start();
}

void TcpPushListener::stop() noexcept {
  if (!server_) return;
  try {
    shared_->stopping = true;
    server_->stop();  // no new connections; the running ones see stopping within kPoll
    std::unique_lock<std::mutex> lock(shared_->mutex);
    shared_->idle.wait(lock, [this] { return shared_->active == 0; });
    lock.unlock();
    server_.reset();
  } catch (...) {
    // stop() must not throw; the server is gone or going either way.
  }
}

}  // namespace lpr
