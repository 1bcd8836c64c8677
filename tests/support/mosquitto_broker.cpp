#include "mosquitto_broker.h"

#include <Poco/File.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>
#include <signal.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "test_pki.h"

namespace lpr::testing {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(15);
constexpr auto kStopTimeout = std::chrono::seconds(15);
constexpr int kStartAttempts = 5;

std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs a shell command line to completion; throws with its output when it fails.
void runOrThrow(const std::string& commandLine, const std::string& outputFile) {
  Poco::ProcessHandle handle =
      Poco::Process::launch("/bin/sh", {"-c", commandLine + " >" + quote(outputFile) + " 2>&1"});
  int rc = handle.wait();
  if (rc != 0) {
    throw std::runtime_error("command failed (rc=" + std::to_string(rc) + "): " + commandLine +
                             "\n" + readFile(outputFile));
  }
}

bool acceptsConnections(int port) {
  try {
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)),
                   Poco::Timespan(0, 200 * 1000));
    socket.close();
    return true;
  } catch (const Poco::Exception&) {
    return false;
  }
}

std::string fileSuffix(const std::string& path, std::size_t from) {
  std::string content = readFile(path);
  return from < content.size() ? content.substr(from) : std::string();
}

}  // namespace

MosquittoBroker::MosquittoBroker(MosquittoOptions options) : options_(std::move(options)) {
  program_ = findProgram("mosquitto");
  if (program_.empty()) {
    throw std::runtime_error("mosquitto not found on PATH or in /usr/sbin (apt install mosquitto)");
  }
  configFile_ = scratch_.file("mosquitto.conf");
  logFile_ = scratch_.file("mosquitto.log");
  stderrFile_ = scratch_.file("mosquitto.stderr");
  prepareFiles();
}

MosquittoBroker::~MosquittoBroker() {
  try {
    if (running()) kill();
  } catch (...) {
  }
}

void MosquittoBroker::prepareFiles() {
  Poco::File(scratch_.file("data")).createDirectories();
  if (options_.passwordListener || options_.tlsNeedsPassword) {
    std::string tool = findProgram("mosquitto_passwd");
    if (tool.empty()) throw std::runtime_error("mosquitto_passwd not found");
    runOrThrow(quote(tool) + " -c -b " + quote(scratch_.file("passwd")) + " " +
                   quote(options_.username) + " " + quote(options_.password),
               scratch_.file("mosquitto_passwd.out"));
  }
  if (options_.tlsListener) {
    TestPki pki = makeTestPki(scratch_.path());
    caFile_ = pki.caFile;
    certFile_ = pki.certFile;
    keyFile_ = pki.keyFile;
  }
}

void MosquittoBroker::pickPorts() {
  anonymousPort_ = options_.anonymousListener ? freeLoopbackPort() : 0;
  passwordPort_ = options_.passwordListener ? freeLoopbackPort() : 0;
  tlsPort_ = options_.tlsListener ? freeLoopbackPort() : 0;
}

void MosquittoBroker::writeConfig() {
  std::ostringstream conf;
  // Run as root so the broker can read the root-owned files of the scratch folder (it would
  // otherwise drop to user mosquitto); it warns about this in the log.
  conf << "user root\n"
       << "per_listener_settings true\n"
       << "persistence " << (options_.persistence ? "true" : "false") << "\n"
       << "persistence_location " << scratch_.file("data")
       << "/\n"
       // stdout is block-buffered when redirected: a file shows lines as they happen.
       << "log_dest file " << logFile_ << "\n"
       << "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
       << "log_type subscribe\nlog_type unsubscribe\n"
       << "connection_messages true\n"
       << options_.globalConfig << "\n";
  if (options_.anonymousListener) {
    conf << "\nlistener " << anonymousPort_ << " 127.0.0.1\n"
         << "allow_anonymous true\n";
  }
  if (options_.passwordListener) {
    conf << "\nlistener " << passwordPort_ << " 127.0.0.1\n"
         << "allow_anonymous false\n"
         << "password_file " << scratch_.file("passwd") << "\n";
  }
  if (options_.tlsListener) {
    conf << "\nlistener " << tlsPort_ << " 127.0.0.1\n";
    if (options_.tlsNeedsPassword) {
      conf << "allow_anonymous false\n"
           << "password_file " << scratch_.file("passwd") << "\n";
    } else {
      conf << "allow_anonymous true\n";
    }
    conf << "cafile " << caFile_ << "\n"
         << "certfile " << certFile_ << "\n"
         << "keyfile " << keyFile_ << "\n"
         << "tls_version tlsv1.2\n";
  }
  writeFile(configFile_, conf.str());
}

void MosquittoBroker::start() {
  if (running()) return;
  std::string why;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    if (!portsFixed_) pickPorts();
    writeConfig();
    if (launchAndWait(why)) {
      portsFixed_ = true;
      return;
    }
    // A free port can be taken by someone else between freeLoopbackPort() and the bind; only a
    // first start may move to other ports, a restart must keep the ones clients know.
    if (portsFixed_ || why.find("Address already in use") == std::string::npos) break;
  }
  throw std::runtime_error("mosquitto did not start: " + why + "\n--- log ---\n" + log());
}

bool MosquittoBroker::launchAndWait(std::string& why) {
  // The log file is appended to across restarts: only lines after this offset are this run's.
  const std::size_t logOffset = readFile(logFile_).size();
  const std::size_t stderrOffset = readFile(stderrFile_).size();
  exitCode_.reset();
  // exec: the shell becomes mosquitto, so the pid we signal is the broker's own.
  process_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(
      "/bin/sh", {"-c", "exec " + quote(program_) + " -c " + quote(configFile_) + " >>" +
                            quote(stderrFile_) + " 2>&1"}));

  // "running" is logged only once every listener is bound (a failed bind ends the process
  // instead), so a port that accepts after it is this broker's and not someone else's.
  auto ready = [&] {
    if (fileSuffix(logFile_, logOffset).find(" running") == std::string::npos) return false;
    for (int port : {anonymousPort_, passwordPort_, tlsPort_}) {
      if (port != 0 && !acceptsConnections(port)) return false;
    }
    return true;
  };
  bool ok =
      waitFor([&] { return exited() || ready(); }, kStartTimeout, std::chrono::milliseconds(10));
  if (ok && !exited()) return true;
  why = exited() ? "mosquitto exited with code " + std::to_string(exitCode_.value_or(-1))
                 : "mosquitto was not ready within " +
                       std::to_string(std::chrono::seconds(kStartTimeout).count()) + " s";
  why += ": " + fileSuffix(logFile_, logOffset) + fileSuffix(stderrFile_, stderrOffset);
  if (!exited()) terminate(SIGKILL);
  return false;
}

bool MosquittoBroker::exited() const {
  if (!process_) return true;
  if (exitCode_) return true;
  int rc = process_->tryWait();
  if (rc == -1) return false;
  exitCode_ = rc;
  return true;
}

bool MosquittoBroker::running() const { return process_ && !exited(); }

void MosquittoBroker::terminate(int signal) {
  if (!process_ || exited()) return;
  ::kill(process_->id(), signal);
  if (!waitFor([&] { return exited(); }, kStopTimeout)) {
    ::kill(process_->id(), SIGKILL);
    process_->wait();
    exitCode_ = -1;
  }
}

void MosquittoBroker::stop() { terminate(SIGTERM); }

void MosquittoBroker::kill() { terminate(SIGKILL); }

void MosquittoBroker::restart() {
  stop();
  start();
}

std::string MosquittoBroker::uri() const {
  return "tcp://127.0.0.1:" + std::to_string(anonymousPort_);
}

std::string MosquittoBroker::passwordUri() const {
  return "tcp://127.0.0.1:" + std::to_string(passwordPort_);
}

std::string MosquittoBroker::tlsUri() const {
  return "ssl://127.0.0.1:" + std::to_string(tlsPort_);
}

std::string MosquittoBroker::log() const { return readFile(logFile_) + readFile(stderrFile_); }

}  // namespace lpr::testing
