#include "two_n_connection_config.h"

namespace lpr::plugins::sink_2n {

TwoNClientOptions readConnection(ConfigReader& config, std::string& host) {
  TwoNClientOptions client;
  host = config.requireString("host");
  if (!host.empty()) {
    if (auto parsed = parseHostPort(host)) {
      client.host = parsed->host;
      client.port = parsed->port;
    } else {
      config.problem("host", host,
                     "host[:port]: a name or an address (an IPv6 address in brackets when a port "
                     "follows, [fd00::5]:8443), without scheme or path");
    }
  }
  client.scheme =
      config.getEnum("scheme", "https", {"https", "http"}) == "http" ? Scheme::Http : Scheme::Https;
  client.username = config.requireString("username");
  client.password = config.requireString("password");
  client.auth = config.getEnum("auth", "digest", {"digest", "basic"}) == "basic"
                    ? AuthMethod::Basic
                    : AuthMethod::Digest;
  const std::string fingerprint = config.getString("tls.fingerprint_sha256", "");
  if (!fingerprint.empty()) {
    if (auto normalised = normaliseFingerprint(fingerprint)) {
      client.fingerprintSha256 = *normalised;
    } else {
      config.problem("tls.fingerprint_sha256", fingerprint,
                     "the SHA-256 fingerprint of the device certificate: 64 hex digits, with or "
                     "without colons (openssl x509 -noout -fingerprint -sha256; see the README)");
    }
  }
  client.caFile = config.getString("tls.ca_file", "");
  client.allowBasicOverHttp = config.getBool("allow_basic_over_http", false);
  client.timeout = std::chrono::milliseconds(config.getInt("timeout_ms", 5000, 100, 600000));
  // The combinations optionsProblem() refuses, said in terms of the keys.
  if (client.scheme == Scheme::Https) {
    if (fingerprint.empty() && client.caFile.empty()) {
      config.problems().add(
          config.fullKey("tls.fingerprint_sha256") + " or " + config.fullKey("tls.ca_file") +
          " must be set with scheme = https: the device certificate is never accepted unchecked. "
          "Pin its fingerprint (openssl s_client -connect <host>:443 </dev/null | openssl x509 "
          "-noout -fingerprint -sha256) or give the CA that signed it; see the README");
    } else if (!fingerprint.empty() && !client.caFile.empty()) {
      config.problems().add(config.fullKey("tls.fingerprint_sha256") + " and " +
                            config.fullKey("tls.ca_file") + " are both set: use one of them");
    }
  } else {
    if (!fingerprint.empty() || !client.caFile.empty()) {
      config.problem("scheme", "http",
                     "https when tls.fingerprint_sha256 or tls.ca_file is set (TLS settings with "
                     "plain HTTP would protect nothing)");
    }
    if (client.auth == AuthMethod::Basic && !client.allowBasicOverHttp) {
      config.problem("auth", "basic",
                     "digest with scheme = http: Basic sends the password readable to anyone on "
                     "the path (use https, or set allow_basic_over_http = true on a trusted "
                     "segment)");
    }
  }

  return client;
}

}  // namespace lpr::plugins::sink_2n
