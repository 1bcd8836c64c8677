#include "gateway_process.h"

#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace lpr::testing {

std::string GatewayProcess::binary() {
  return Poco::Environment::get("LPR_GATEWAY_BIN", "lpr-gateway");
}

GatewayProcess::GatewayProcess()
    : configFile_(scratch_.file("lpr-gateway.properties")),
      portFile_(scratch_.file("port")),
      logFile_(scratch_.file("gateway.log")) {}

GatewayProcess::~GatewayProcess() {
  if (running()) kill();
}

void GatewayProcess::configure(const std::string& body) {
  writeFile(configFile_,
            "gateway.id = test-gw\n"
            "gateway.log_plates = full\n"
            "http.address = 127.0.0.1\n"
            "http.port = 0\n"
            "http.port_file = " +
                portFile_ +
                "\n"
                "storage.directory = " +
                scratch_.file("state") + "\n" + body);
}

void GatewayProcess::start() {
  if (Poco::File(portFile_).exists()) Poco::File(portFile_).remove();
  // Output goes to a file (appended across restarts) so the test can read it after a kill.
  // Everything the child needs is prepared before fork(): only async-signal-safe calls after.
  const std::string bin = binary();
  const long openMax = ::sysconf(_SC_OPEN_MAX);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // The child must not inherit the test's descriptors: a listening socket of an in-process
    // device simulator kept open here would still take (and never answer) connections after
    // the simulator stops and listens again on the same port.
    if (::close_range(3, ~0U, 0) != 0) {
      for (long i = 3; i < openMax; ++i) ::close(static_cast<int>(i));
    }
    int fd = ::open(logFile_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(bin.c_str(), bin.c_str(), "--config", configFile_.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  exitCode_.reset();
  pid_ = pid;
  bool up = waitFor([&] { return Poco::File(portFile_).exists() || !running(); },
                    std::chrono::seconds(15));
  if (!up || !running()) {
    throw std::runtime_error("gateway did not start; log:\n" + log());
  }
  port_ = std::stoi(readFile(portFile_));
}

bool GatewayProcess::running() const {
  if (pid_ <= 0 || exitCode_) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  exitCode_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return false;
}

int GatewayProcess::stop() {
  if (!running()) return exitCode_.value_or(-1);
  ::kill(pid_, SIGTERM);
  if (waitFor([&] { return !running(); }, kStopBound, std::chrono::milliseconds(20))) {
    return *exitCode_;
  }
  // A gateway that ignores SIGTERM is hung: its threads' stacks say where, before it goes.
  std::string stacks;
  const std::string gdb = findProgram("gdb");
  if (!gdb.empty()) {
    runCapturing(gdb, {"-p", std::to_string(pid_), "-batch", "-ex", "thread apply all bt"}, stacks);
  }
  appendToLog("---- lpr-gateway did not exit within " + std::to_string(kStopBound.count()) +
              " ms of SIGTERM; killed. Thread stacks (gdb):\n" +
              (gdb.empty() ? std::string("(gdb not installed)\n") : stacks));
  kill();
  return kStopHung;
}

void GatewayProcess::appendToLog(const std::string& text) const {
  std::ofstream(logFile_, std::ios::app) << text;
}

void GatewayProcess::kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  exitCode_ = 128 + SIGKILL;
}

void GatewayProcess::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

std::string GatewayProcess::log() const { return readFile(logFile_); }

int GatewayProcess::runToCompletion(const std::vector<std::string>& args, std::string& output) {
  return runCapturing(binary(), args, output);
}

int GatewayProcess::runCapturing(const std::string& program, const std::vector<std::string>& args,
                                 std::string& output) {
  Poco::Pipe outPipe;
  Poco::ProcessHandle ph = Poco::Process::launch(program, args, nullptr, &outPipe, &outPipe);
  Poco::PipeInputStream in(outPipe);
  output.clear();
  Poco::StreamCopier::copyToString(in, output);
  return ph.wait();
}

}  // namespace lpr::testing
