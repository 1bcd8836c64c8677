#include "mqtt_connection.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <mqtt/connect_options.h>
#include <mqtt/ssl_options.h>

#include <chrono>
#include <utility>

namespace lpr::mqtt_link {
namespace {

bool readable(const std::string& path) {
  try {
    Poco::File file(path);
    return file.exists() && file.isFile() && file.canRead();
  } catch (const Poco::Exception&) {
    return false;
  }
}

}  // namespace

void readConnectionSettings(ConfigReader& config, ConnectionSettings& settings,
                            const std::string& defaultClientId) {
  const auto k = [&](const char* key) { return settings.keyPrefix + key; };
  settings.broker = config.getString(k("broker"), settings.broker);
  if (settings.broker.rfind("tcp://", 0) != 0 && settings.broker.rfind("ssl://", 0) != 0) {
    config.problem(k("broker"), settings.broker, "tcp://host:port or ssl://host:port");
  } else if (settings.broker.size() <= 6) {
    config.problem(k("broker"), settings.broker, "a host after the scheme, e.g. tcp://host:1883");
  }
  settings.clientId = config.getString(k("client_id"), defaultClientId);
  if (settings.clientId.empty()) {
    config.problem(k("client_id"), settings.clientId, "a non-empty client identifier");
  }
  settings.username = config.getString(k("username"), "");
  settings.password = config.getString(k("password"), "");
  settings.caFile = config.getString(k("tls.ca_file"), "");
  settings.certFile = config.getString(k("tls.cert_file"), "");
  settings.keyFile = config.getString(k("tls.key_file"), "");
  settings.verify = config.getBool(k("tls.verify"), settings.verify);
  if (!settings.tls() &&
      (!settings.caFile.empty() || !settings.certFile.empty() || !settings.keyFile.empty())) {
    // Silently sending in clear what the operator meant to protect would be worse than failing.
    config.problem(k("broker"), settings.broker,
                   "an ssl:// broker when " + k("tls.*") + " files are set");
  }
  if (!settings.keyFile.empty() && settings.certFile.empty()) {
    config.problem(k("tls.cert_file"), "",
                   "the client certificate that goes with " + k("tls.key_file"));
  }
  if (!settings.password.empty() && settings.username.empty()) {
    config.problem(k("username"), "", "a user name when a password is set");
  }
  settings.keepaliveS =
      static_cast<int>(config.getInt(k("keepalive_s"), settings.keepaliveS, 0, 65535));
  settings.connectTimeoutMs = static_cast<int>(
      config.getInt(k("connect_timeout_ms"), settings.connectTimeoutMs, 100, 600000));
}

std::string unreadableTlsFile(const ConfigReader& config, const ConnectionSettings& settings) {
  for (const auto& [key, path] :
       {std::pair{"tls.ca_file", settings.caFile}, std::pair{"tls.cert_file", settings.certFile},
        std::pair{"tls.key_file", settings.keyFile}}) {
    if (!path.empty() && !readable(path)) {
      return config.fullKey(settings.keyPrefix + key) + " = \"" + path + "\" cannot be read";
    }
  }
  return {};
}

mqtt::connect_options_builder connectOptions(const ConnectionSettings& settings) {
  auto builder =
      mqtt::connect_options_builder()
          .mqtt_version(MQTTVERSION_3_1_1)
          .keep_alive_interval(std::chrono::seconds(settings.keepaliveS))
          // paho takes whole seconds here; round up so that a short timeout is not 0 (none).
          .connect_timeout(std::chrono::seconds((settings.connectTimeoutMs + 999) / 1000));
  if (!settings.username.empty()) {
    builder.user_name(settings.username).password(settings.password);
  }
  if (settings.tls()) {
    auto ssl = mqtt::ssl_options_builder()
                   .enable_server_cert_auth(settings.verify)
                   .verify(settings.verify);
    if (!settings.caFile.empty()) ssl.trust_store(settings.caFile);
    if (!settings.certFile.empty()) ssl.key_store(settings.certFile);
    if (!settings.keyFile.empty()) ssl.private_key(settings.keyFile);
    builder.ssl(ssl.finalize());
  }
  return builder;
}

// MQTT 3.1.1 CONNACK return codes (paho reports them as the failure code of the connect).
std::string connackText(int rc) {
  switch (rc) {
    case 1:
      return "unacceptable protocol version";
    case 2:
      return "client identifier rejected";
    case 3:
      return "server unavailable";
    case 4:
      return "bad user name or password";
    case 5:
      return "not authorised";
    default:
      return {};
  }
}

std::string explainConnectError(const ConfigReader& config, const ConnectionSettings& settings,
                                int rc, const std::string& detail) {
  const std::string& broker = settings.broker;
  const auto key = [&](const char* name) { return config.fullKey(settings.keyPrefix + name); };
  if (std::string text = connackText(rc); !text.empty()) {
    std::string out = "broker " + broker + " refused the connection: " + text + " (CONNACK " +
                      std::to_string(rc) + ")";
    if (rc == 4 || rc == 5) {
      out +=
          settings.username.empty()
              ? "; the broker wants credentials: set " + key("username") + " and " + key("password")
              : "; check " + key("username") + " (\"" + settings.username + "\") and " +
                    key("password") + " against the broker's password file and ACL";
    } else if (rc == 2) {
      out += "; check " + key("client_id") + " (\"" + settings.clientId + "\")";
    }
    return out;
  }
  if (settings.tls()) {
    return "cannot connect to broker " + broker + ": " + detail +
           "; is the broker running and reachable at that address, does " + key("tls.ca_file") +
           " hold the CA that signed the broker's certificate, " +
           "and does that certificate name the host in " + key("broker") + "?";
  }
  return "cannot connect to broker " + broker + ": " + detail +
         "; is the broker running and reachable at that address?";
}

void describeConnection(std::ostream& out, const ConnectionSettings& settings) {
  const std::string& p = settings.keyPrefix;
  out << p << "broker = " << settings.broker << "\n"
      << p << "client_id = " << settings.clientId << "\n"
      << p << "username = " << settings.username << "\n"
      << p << "password = " << (settings.password.empty() ? "" : "<redacted>") << "\n"
      << p << "tls.ca_file = " << settings.caFile << "\n"
      << p << "tls.cert_file = " << settings.certFile << "\n"
      << p << "tls.key_file = " << settings.keyFile << "\n"
      << p << "tls.verify = " << (settings.verify ? "true" : "false") << "\n"
      << p << "keepalive_s = " << settings.keepaliveS << "\n"
      << p << "connect_timeout_ms = " << settings.connectTimeoutMs << "\n";
}

}  // namespace lpr::mqtt_link
