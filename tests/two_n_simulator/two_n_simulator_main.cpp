// lpr-2n-simulator: the 2N device simulator as a program, for demos and manual tests.
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "two_n_reply.h"
#include "two_n_simulator.h"

namespace {

const char* const kUsage = R"(usage: lpr-2n-simulator [options]

Simulates a 2N IP intercom's HTTP API (LPR, event log, directory, switches) on one port.

  --port N                 port to listen on (default 0: any free port, printed)
  --bind ADDRESS           address to listen on (default 127.0.0.1)
  --http                   plain HTTP instead of HTTPS
  --cert FILE --key FILE   PEM certificate and key for HTTPS (default: a generated
                           self-signed one, its path and SHA-256 printed)
  --tls-dir DIR            keep the generated certificate in DIR
  --user NAME              API account (default gateway)
  --password TEXT          its password (default secret)
  --auth MODE              digest | any | basic | none (default digest)
  --sw-version VERSION     firmware version reported (default 2.40.0.50.3); below 2.40
                           lprID/lprDir are handled as --legacy-lpr-keys says
  --legacy-lpr-keys MODE   reject | ignore (default reject)
  --users FILE             JSON {"users":[...]} loaded into the directory as /api/dir/create
  --delay-ms N             answer every request N ms late
  --port-file FILE         write the port to FILE once listening
  --help                   this text

Prints "listening on URL", then port=, ca_file= and sha256= lines; stops on SIGINT/SIGTERM.
)";

int fail(const std::string& message) {
  std::cerr << "lpr-2n-simulator: " << message << "\n" << kUsage;
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  // Blocked before any thread exists, so that only sigwait() below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  lpr::testing::TwoNSimulatorOptions options;
  std::string usersFile, portFile;
  long delayMs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + " needs a value");
      return argv[++i];
    };
    try {
      if (arg == "--help" || arg == "-h") {
        std::cout << kUsage;
        return 0;
      } else if (arg == "--port") {
        options.port = std::stoi(value());
      } else if (arg == "--bind") {
        options.bindAddress = value();
      } else if (arg == "--http") {
        options.tls = false;
      } else if (arg == "--cert") {
        options.certFile = value();
      } else if (arg == "--key") {
        options.keyFile = value();
      } else if (arg == "--tls-dir") {
        options.tlsDirectory = value();
      } else if (arg == "--user") {
        options.username = value();
      } else if (arg == "--password") {
        options.password = value();
      } else if (arg == "--auth") {
        const auto mode = lpr::httpAuthModeFromString(value());
        if (!mode) return fail("--auth: expected digest, any, basic or none");
        options.authMode = *mode;
      } else if (arg == "--sw-version") {
        options.swVersion = value();
      } else if (arg == "--legacy-lpr-keys") {
        const std::string mode = value();
        if (mode != "reject" && mode != "ignore") {
          return fail("--legacy-lpr-keys: expected reject or ignore");
        }
        options.legacyLprKeys = mode == "reject" ? lpr::testing::LegacyLprKeys::Reject
                                                 : lpr::testing::LegacyLprKeys::Ignore;
      } else if (arg == "--users") {
        usersFile = value();
      } else if (arg == "--delay-ms") {
        delayMs = std::stol(value());
      } else if (arg == "--port-file") {
        portFile = value();
      } else {
        return fail("unknown option " + arg);
      }
    } catch (const std::invalid_argument& error) {
      return fail(error.what());
    } catch (const std::out_of_range&) {
      return fail(arg + ": value out of range");
    }
  }

  try {
    lpr::testing::TwoNSimulator simulator(options);
    if (!usersFile.empty()) {
      std::ifstream in(usersFile);
      if (!in) return fail("cannot read " + usersFile);
      std::stringstream text;
      text << in.rdbuf();
      const auto result = simulator.directoryCreate(text.str());
      const auto users = result->getArray("users");
      std::size_t refused = 0;
      for (std::size_t i = 0; users && i < users->size(); ++i) {
        if (users->getObject(i)->has("errors")) {
          ++refused;
          std::cerr << "refused: " << lpr::testing::toJson(users->getObject(i)) << "\n";
        }
      }
      std::cout << "directory: " << simulator.directoryEntries(false).size() << " users loaded, "
                << refused << " refused\n";
    }
    simulator.setDelay(std::chrono::milliseconds(delayMs));
    simulator.start();
    std::cout << "lpr-2n-simulator listening on " << simulator.baseUrl() << "\n"
              << "port=" << simulator.boundPort() << "\n";
    if (options.tls) {
      std::cout << "ca_file=" << simulator.caFile() << "\n"
                << "sha256=" << simulator.certificateSha256() << "\n";
    }
    std::cout << std::flush;
    if (!portFile.empty()) {
      std::ofstream(portFile) << simulator.boundPort() << "\n";
    }
    int received = 0;
    sigwait(&signals, &received);
    std::cout << "lpr-2n-simulator: stopping\n" << std::flush;
    simulator.stop();
  } catch (const lpr::testing::TwoNError& error) {
    std::cerr << "lpr-2n-simulator: " << error.what() << ": " << error.description() << "\n";
    return 1;
  } catch (const Poco::Exception& error) {
    std::cerr << "lpr-2n-simulator: " << error.displayText() << "\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "lpr-2n-simulator: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
