#include "app/gateway_app.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/Path.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/IntValidator.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <Poco/Util/SystemConfiguration.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <sstream>

#include "app/service_notifier.h"
#include "bus/decision_stage.h"
#include "bus/pipeline.h"
#include "config/core_config.h"
#include "gate/gate_registry.h"
#include "http/http_router.h"
#include "http/http_server.h"
#include "lpr_version.h"
#include "metrics/metrics.h"
#include "plugin/plugin_host.h"
#include "plugin/plugin_registry.h"
#include "storage/event_store.h"
#include "storage/image_spool.h"

namespace lpr {

namespace {
const char* kDefaultConfig = "/etc/lpr-gateway/lpr-gateway.properties";
// Later layers win: /etc file < conf.d/*.properties (lexical order) < --define on the CLI.
constexpr int kMainFilePriority = 0;
}  // namespace

void GatewayApp::defineOptions(Poco::Util::OptionSet& options) {
  ServerApplication::defineOptions(options);
  options.addOption(Poco::Util::Option("config", "c",
                                       "main configuration file (default " +
                                           std::string(kDefaultConfig) +
                                           "); conf.d/*.properties beside it are layered on top")
                        .required(false)
                        .repeatable(false)
                        .argument("FILE"));
  options.addOption(Poco::Util::Option("define", "D", "set a configuration key, highest layer")
                        .required(false)
                        .repeatable(true)
                        .argument("KEY=VALUE"));
  options.addOption(Poco::Util::Option("validate", "",
                                       "check the whole configuration and exit: 0 when valid, "
                                       "78 with one line per problem otherwise"));
  options.addOption(Poco::Util::Option("help", "h", "show this help and exit"));
  options.addOption(Poco::Util::Option("version", "", "print the version and exit"));
}

void GatewayApp::handleOption(const std::string& name, const std::string& value) {
  ServerApplication::handleOption(name, value);
  if (name == "help") {
    helpRequested_ = true;
    stopOptionsProcessing();
  } else if (name == "version") {
    versionRequested_ = true;
    stopOptionsProcessing();
  } else if (name == "config") {
    configFile_ = value;
    configGiven_ = true;
  } else if (name == "validate") {
    validateOnly_ = true;
  } else if (name == "define") {
    auto pos = value.find('=');
    if (pos == std::string::npos || pos == 0) {
      loadProblems_.push_back("--define '" + value + "': expected KEY=VALUE");
    } else {
      config().setString(value.substr(0, pos), value.substr(pos + 1));
      defines_.emplace_back(value.substr(0, pos), value.substr(pos + 1));
    }
  }
}

void GatewayApp::initialize(Poco::Util::Application& self) {
  if (!helpRequested_ && !versionRequested_) loadLayers(config(), loadProblems_);
  setupDefaultLogging();
  ServerApplication::initialize(self);
}

void GatewayApp::loadLayers(Poco::Util::LayeredConfiguration& into,
                            std::vector<std::string>& problems) {
  std::string main = configGiven_ ? configFile_ : kDefaultConfig;
  Poco::File mainFile(main);
  if (!mainFile.exists()) {
    // Without --config a missing /etc file means "all defaults"; a named file must exist.
    if (configGiven_) problems.push_back("--config " + main + ": file not found");
    return;
  }
  try {
    into.add(new Poco::Util::PropertyFileConfiguration(main), "file:" + main, kMainFilePriority,
             false);
  } catch (const Poco::Exception& e) {
    problems.push_back(main + ": cannot read: " + e.displayText());
    return;
  }
  Poco::Path confd(Poco::Path(main).parent(), "conf.d");
  if (!Poco::File(confd).exists()) return;
  std::vector<std::string> files;
  for (Poco::DirectoryIterator it(confd), end; it != end; ++it) {
    if (it->isFile() && Poco::Path(it->path()).getExtension() == "properties") {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  int priority = kMainFilePriority;
  for (const auto& f : files) {
    try {
      // Lower numbers win in a LayeredConfiguration; the CLI layer sits at -100.
      into.add(new Poco::Util::PropertyFileConfiguration(f), "file:" + f, std::max(--priority, -99),
               false);
    } catch (const Poco::Exception& e) {
      problems.push_back(f + ": cannot read: " + e.displayText());
    }
  }
}

void GatewayApp::setupDefaultLogging() {
  if (config().has("logging.loggers.root.channel")) return;  // an operator's logging.* wins
  Poco::AutoPtr<Poco::PatternFormatter> formatter(
      new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %q %s: %t"));
  Poco::AutoPtr<Poco::FormattingChannel> channel(
      new Poco::FormattingChannel(formatter, new Poco::ConsoleChannel));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel(config().getString("logging.loggers.root.level", "information"));
}

void GatewayApp::printHelp() {
  Poco::Util::HelpFormatter help(options());
  help.setCommand(commandName());
  help.setUsage("[--config FILE] [--define KEY=VALUE]... [--validate]");
  help.setHeader("lpr-gateway " LPR_VERSION
                 ": licence-plate reads from cameras to access decisions, barriers and MQTT.");
  help.setFooter("Configuration keys: see /etc/lpr-gateway/lpr-gateway.properties and README.md.");
  help.format(std::cout);
}

int GatewayApp::main(const std::vector<std::string>&) {
  if (helpRequested_) {
    printHelp();
    return EXIT_OK;
  }
  if (versionRequested_) {
    std::cout << "lpr-gateway " << LPR_VERSION << "\n";
    return EXIT_OK;
  }
  Poco::Logger& log = Poco::Logger::get("lpr.core");

  ConfigProblems problems;
  for (const auto& p : loadProblems_) problems.add(p);
  checkSections(config(), problems);
  CoreConfig core = readCoreConfig(config(), problems);

  PluginRegistry registry;
  registerBuiltinPlugins(registry);
  Metrics metrics;
  HttpRouter router;
  DecisionStage decide(metrics);
  GateRegistry gates;
  HostServices services;
  services.verdicts = &decide;
  services.gates = &gates;
  services.router = &router;
  services.metrics = &metrics;
  services.gatewayId = core.gatewayId;
  services.dataDirectory = core.dataDirectory;
  services.maskPlates = core.maskPlates;
  PluginHost host(config(), registry, services);
  host.configure(problems);

  if (!problems.empty() || validateOnly_) {
    std::ostream& out = problems.empty() ? std::cout : std::cerr;
    for (const auto& line : problems.lines()) out << "config error: " << line << "\n";
    if (problems.empty()) {
      out << "configuration valid: " << host.instanceCount() << " plugin instance(s)\n";
      return EXIT_OK;
    }
    out << problems.lines().size() << " problem(s); the gateway does not start\n";
    return EXIT_CONFIG;
  }

  std::unique_ptr<EventStore> store;
  std::unique_ptr<EventStore> decisions;
  std::unique_ptr<ImageSpool> spool;
  try {
    store = std::make_unique<EventStore>(core.store, metrics);
    decisions = std::make_unique<EventStore>(core.decisionStore, metrics);
    spool = std::make_unique<ImageSpool>(core.spoolDir, core.spoolMaxBytes,
                                         core.store.synchronousFull, metrics);
  } catch (const Poco::Exception& e) {
    log.fatal("cannot open the store at %s: %s", core.store.path, e.displayText());
    return EXIT_CANTCREAT;
  }
  Pipeline pipeline(*store, *spool, metrics);
  host.attach(*store, *decisions, pipeline);
  decide.setTimeout(host.decisionTimeout());
  decide.start(*store, *decisions);

  HttpServer server(core.http, router, metrics, [&host] { return host.healthJson(); });
  std::ostringstream described;
  host.describe(described);
  log.information("lpr-gateway %s id=%s store=%s\n%s", std::string(LPR_VERSION), core.gatewayId,
                  core.store.path, described.str());
  try {
    host.start();
    server.start();
  } catch (const std::exception& e) {
    log.fatal("cannot start: %s", std::string(e.what()));
    host.stop();
    decide.stop();
    decisions->close();
    store->close();
    return EXIT_SOFTWARE;
  }
  log.information("listening on %s:%d (%s)", core.http.address, server.boundPort(),
                  std::string(core.http.tls ? "https" : "http"));
  if (!core.portFile.empty()) {
    Poco::FileOutputStream out(core.portFile + ".tmp");
    out << server.boundPort() << "\n";
    out.close();
    Poco::File(core.portFile + ".tmp").renameTo(core.portFile);
  }

  ServiceNotifier notifier;
  notifier.ready("listening on port " + std::to_string(server.boundPort()) + ", " +
                 std::to_string(host.instanceCount()) + " plugin instance(s)");
  // Both stores' writers take every accepted event: while either hangs, nothing is accepted.
  auto alive = [&](std::chrono::milliseconds timeout) {
    return store->probe(timeout) && decisions->probe(timeout);
  };
  waitForStop(notifier, alive, [&] { reloadLive(host); });

  notifier.stopping();
  log.information("stopping");
  server.stop();  // no new reads; those in progress are committed before they answer
  host.stop();
  decide.stop();
  decisions->close();
  store->close();
  log.information("stopped");
  return EXIT_OK;
}

void GatewayApp::waitForStop(ServiceNotifier& notifier,
                             const std::function<bool(std::chrono::milliseconds)>& alive,
                             const std::function<void()>& reload) {
  Poco::Logger& log = Poco::Logger::get("lpr.core");
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGQUIT, SIGHUP}) sigaddset(&set, sig);
  // A quarter of WatchdogSec between pings, and as long again for the probe: a slow disk may
  // delay one ping, a hung writer stops them all.
  const auto watchdog = notifier.watchdogTimeout();
  const auto tick = std::chrono::duration_cast<std::chrono::milliseconds>(watchdog / 4);
  bool wasAlive = true;
  auto feed = [&] {
    const bool isAlive = alive(tick);
    if (isAlive) notifier.watchdog();
    if (isAlive != wasAlive) {
      if (isAlive) {
        log.information("event store answers again; watchdog fed");
      } else {
        log.critical("event store writer does not answer; watchdog not fed");
      }
    }
    wasAlive = isAlive;
  };
  if (watchdog.count() > 0) notifier.watchdog();
  while (true) {
    int sig = 0;
    if (watchdog.count() > 0) {
      timespec ts{static_cast<time_t>(tick.count() / 1000),
                  static_cast<long>(tick.count() % 1000) * 1000000L};
      sig = sigtimedwait(&set, nullptr, &ts);
    } else {
      sig = sigwaitinfo(&set, nullptr);
    }
    if (sig == SIGHUP) {
      notifier.reloading();
      reload();
      notifier.ready("reloaded");
      // Reloads in quick succession must not starve the watchdog.
      if (watchdog.count() > 0) feed();
    } else if (sig > 0) {
      return;
    } else if (errno == EAGAIN) {
      feed();
    }
  }
}

void GatewayApp::reloadLive(PluginHost& host) {
  Poco::Logger& log = Poco::Logger::get("lpr.core");
  // The files as they are now, under the same --define values, for what can change live.
  Poco::AutoPtr<Poco::Util::LayeredConfiguration> fresh(new Poco::Util::LayeredConfiguration);
  std::vector<std::string> loadProblems;
  loadLayers(*fresh, loadProblems);
  Poco::AutoPtr<Poco::Util::MapConfiguration> defines(new Poco::Util::MapConfiguration);
  for (const auto& [key, value] : defines_) defines->setString(key, value);
  fresh->add(defines, "defines", -100, false);
  fresh->add(new Poco::Util::SystemConfiguration, "system", 100, false);

  ConfigProblems problems;
  for (const auto& p : loadProblems) problems.add(p);
  if (!config().has("logging.loggers.root.channel")) {
    std::string level = fresh->getString("logging.loggers.root.level", "information");
    try {
      Poco::Logger::setLevel("", Poco::Logger::parseLevel(level));
    } catch (const Poco::Exception&) {
      problems.add("logging.loggers.root.level = '" + level + "': expected a log level");
    }
  }
  host.reload(*fresh, problems);
  for (const auto& line : problems.lines()) log.warning("reload: %s", line);
  log.information("reloaded: log levels and plugin lists (%z problem(s))", problems.lines().size());
}

}  // namespace lpr
