#pragma once

#include <functional>
#include <ostream>
#include <string>

#include "config/config_reader.h"

namespace mqtt {
class connect_options_builder;
}

// How a plugin reaches its MQTT broker, shared by sink_mqtt (publisher) and source_frigate
// (subscriber) so that both read the same keys the same way and explain a refused connection in
// the same words:
//   broker, client_id, username, password, tls.ca_file, tls.cert_file, tls.key_file,
//   tls.verify, keepalive_s, connect_timeout_ms
// each behind ConnectionSettings::keyPrefix, so that a plugin whose MQTT link is a side feature
// (source_rtsp's trigger: trigger_broker, ...) names them as its own.
namespace lpr::mqtt_link {

struct ConnectionSettings {
  // Set before readConnectionSettings(); every key above is read and named as keyPrefix + key.
  std::string keyPrefix;
  std::string broker = "tcp://127.0.0.1:1883";
  std::string clientId;
  std::string username;
  std::string password;
  std::string caFile;
  std::string certFile;
  std::string keyFile;
  bool verify = true;
  int keepaliveS = 30;
  int connectTimeoutMs = 5000;

  bool tls() const { return broker.rfind("ssl://", 0) == 0; }
};

// Reads the keys above into `settings` (its values are the defaults); problems go to the reader.
void readConnectionSettings(ConfigReader& config, ConnectionSettings& settings,
                            const std::string& defaultClientId);

// Fatal start problem: a tls.* file that cannot be read ("plugin.x.tls.ca_file = ... cannot be
// read"); empty when all are readable.
std::string unreadableTlsFile(const ConfigReader& config, const ConnectionSettings& settings);

// MQTT 3.1.1, keep-alive, connect timeout, credentials and TLS set from the settings; the
// caller adds what is its own (clean session, will, inflight window).
//
// No TLS error handler is set: paho 1.2 calls it through the address of the options copy that
// async_client::connect() took by value and has destroyed by then (a use after free; it crashed
// sink_mqtt's TLS test once the handler grew). A failed handshake is explained from the
// settings instead (explainConnectError).
mqtt::connect_options_builder connectOptions(const ConnectionSettings& settings);

// The text of an MQTT 3.1.1 CONNACK return code ("not authorised"); empty for others.
std::string connackText(int rc);

// One line that says why a connect failed and what to fix, naming the keys (never the
// password). `rc` is paho's return code.
std::string explainConnectError(const ConfigReader& config, const ConnectionSettings& settings,
                                int rc, const std::string& detail);

// "broker = ...\n" lines of the keys above, the password redacted.
void describeConnection(std::ostream& out, const ConnectionSettings& settings);

}  // namespace lpr::mqtt_link
