#pragma once

#include <Poco/Process.h>

#include <memory>
#include <optional>
#include <string>

#include "test_env.h"

namespace lpr::testing {

// Which listeners the broker opens; each is its own port on 127.0.0.1.
struct MosquittoOptions {
  bool anonymousListener = true;  // plain, no credentials: port() / uri()
  bool passwordListener = false;  // plain, needs username/password: passwordPort()
  bool tlsListener = false;       // TLS with a server cert from a generated test CA: tlsPort()
  bool tlsNeedsPassword = false;  // the TLS listener also needs username/password
  std::string username = "edge";
  std::string password = "s3cret";
  // Sessions (clean_session=false) and their queued QoS>0 messages survive stop()/start().
  bool persistence = true;
  std::string globalConfig;  // extra lines for the general section (e.g. max_inflight_messages)
};

// A real mosquitto child process for tests. Ports are chosen on the first start() and kept for
// the life of the object, so that clients configured with uri() find it again after restart().
class MosquittoBroker {
 public:
  explicit MosquittoBroker(MosquittoOptions options = {});
  ~MosquittoBroker();
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  // Returns once every listener accepts connections; throws std::runtime_error (with the broker
  // log) when mosquitto does not come up.
  void start();
  // SIGTERM and wait for the exit, so that the persistence file is written.
  void stop();
  // SIGKILL: nothing is saved, clients see the connections drop.
  void kill();
  void restart();
  bool running() const;

  int port() const { return anonymousPort_; }
  int passwordPort() const { return passwordPort_; }
  int tlsPort() const { return tlsPort_; }
  std::string uri() const;                               // tcp://127.0.0.1:port()
  std::string passwordUri() const;                       // tcp://127.0.0.1:passwordPort()
  std::string tlsUri() const;                            // ssl://127.0.0.1:tlsPort()
  const std::string& caFile() const { return caFile_; }  // PEM of the CA that signed the server
  const std::string& username() const { return options_.username; }
  const std::string& password() const { return options_.password; }
  const std::string& dir() const { return scratch_.path(); }
  // Everything mosquitto wrote: its log file, then what it printed before opening it.
  std::string log() const;

 private:
  void prepareFiles();
  void pickPorts();
  void writeConfig();
  bool launchAndWait(std::string& why);
  bool exited() const;
  void terminate(int signal);

  MosquittoOptions options_;
  ScratchDir scratch_{"lpr-mosquitto"};
  std::string program_;
  std::string configFile_;
  std::string logFile_;
  std::string stderrFile_;
  std::string caFile_;
  std::string certFile_;
  std::string keyFile_;
  int anonymousPort_ = 0;
  int passwordPort_ = 0;
  int tlsPort_ = 0;
  bool portsFixed_ = false;  // true once a start succeeded: restarts must reuse the ports
  std::unique_ptr<Poco::ProcessHandle> process_;
  mutable std::optional<int> exitCode_;  // set once the child has been reaped
};

}  // namespace lpr::testing
