#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "test_env.h"

namespace lpr::testing {

// The built lpr-gateway binary ($LPR_GATEWAY_BIN) as a child process, with its config and
// state in a scratch folder. It binds port 0 and reports the port through http.port_file.
class GatewayProcess {
 public:
  static constexpr int kStopHung = -2;
  // Far above a clean stop under load (seconds); only a hung gateway reaches it.
  static constexpr std::chrono::milliseconds kStopBound{60000};

  GatewayProcess();
  ~GatewayProcess();
  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;

  // `body` is appended to the base config (loopback, port 0, state in the scratch folder).
  void configure(const std::string& body);
  void start();  // throws when it does not come up within 15 s
  // SIGTERM, waits, returns the exit code; kStopHung (after logging its threads' stacks and
  // killing it) when it is still running after kStopBound.
  int stop();
  void kill();           // SIGKILL, waits
  void signal(int sig);  // e.g. SIGHUP (reload); does not wait
  bool running() const;
  int port() const { return port_; }
  std::string log() const;
  const std::string& configFile() const { return configFile_; }
  const std::string& dir() const { return scratch_.path(); }

  // Runs the binary with extra arguments to completion (e.g. --validate); returns exit code
  // and what it printed.
  static int runToCompletion(const std::vector<std::string>& args, std::string& output);
  static std::string binary();

 private:
  // Runs `program` to completion; `output` gets its stdout and stderr.
  static int runCapturing(const std::string& program, const std::vector<std::string>& args,
                          std::string& output);
  void appendToLog(const std::string& text) const;
  ScratchDir scratch_{"lpr-gateway"};
  std::string configFile_;
  std::string portFile_;
  std::string logFile_;
  pid_t pid_ = -1;
  mutable std::optional<int> exitCode_;
  int port_ = 0;
};

}  // namespace lpr::testing
