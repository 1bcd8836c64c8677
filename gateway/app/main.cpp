#include <signal.h>

#include <iostream>

#include "app/gateway_app.h"

int main(int argc, char** argv) {
  // Block the stop and reload signals before any thread exists, so every thread (ours, Poco's,
  // Paho's) inherits the mask and only the main thread's sigwait in GatewayApp::waitForStop()
  // receives them; a SIGTERM or SIGHUP landing in another thread would end the process.
  // SIGPIPE stays blocked: a peer closing a socket becomes an EPIPE error, not a crash.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGQUIT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  try {
    lpr::GatewayApp app;
    return app.run(argc, argv);
  } catch (const Poco::Exception& e) {
    std::cerr << "lpr-gateway: " << e.displayText() << "\n";
    return Poco::Util::Application::EXIT_SOFTWARE;
  }
}
