#pragma once

#include <string>

#include "config/config_reader.h"
#include "two_n_client.h"

namespace lpr::plugins::sink_2n {

// Reads how to reach one 2N device from a plugin's configuration: host (kept as written in
// `host`), scheme, username, password, auth, tls.fingerprint_sha256, tls.ca_file,
// allow_basic_over_http, timeout_ms. Problems, each naming its key, go to the reader; among
// them every combination TwoNClient would refuse (HTTPS without a pinned certificate or CA,
// TLS settings with HTTP, Basic over HTTP), said in terms of the keys. Shared by every plugin
// that talks to a 2N device (sink_2n, sink_barrier_2n).
TwoNClientOptions readConnection(ConfigReader& config, std::string& host);

}  // namespace lpr::plugins::sink_2n
