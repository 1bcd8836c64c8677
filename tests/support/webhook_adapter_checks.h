#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "http_test_client.h"
#include "plugin/plugin.h"
#include "webhook_rig.h"

namespace lpr::testing {

// Checks every push-source adapter must pass the same way, so that each adapter's test states
// once what is its own and cannot silently drop one of the shared guarantees. Failures are
// recorded with EXPECT/ADD_FAILURE; the return values are for the adapter's own assertions.

using PluginFactory = std::function<std::unique_ptr<Plugin>()>;

struct SampleConfiguration {
  std::map<std::string, std::string> keys;  // plugin.<id>.*, raw, "type" left out
  std::unique_ptr<Plugin> plugin;           // configured from `keys`; its context is gone, so
                                            // only read what configure() set
  std::string described;                    // its describe()
};

// The sample.properties at `samplePath` must declare plugin.<id>.type = `type` and configure
// without problems, its describe() showing each of `shows` (the defaults an operator relies on).
// With `commentsAreDefaults` it must also do so with every "# plugin" line
// uncommented, to the same describe(): an operator reads those lines as the defaults. (Samples
// that list other auth modes' keys as comments cannot promise that: those keys are refused
// under the default mode.) A password taken from ${system.env.NAME} is set in the environment
// and must show nowhere in describe().
SampleConfiguration expectSampleConfiguresCleanly(const std::string& samplePath,
                                                  const std::string& id, const std::string& type,
                                                  const PluginFactory& make,
                                                  const std::vector<std::string>& shows,
                                                  bool commentsAreDefaults = true);

// Configures a fresh plugin with `keys` (mistakes included) and expects a problem line naming
// each of `named` as plugin.<id>.<key>, the way an operator finds the line to fix. Returns all
// problem lines.
std::vector<std::string> expectProblemsNameKeys(const std::string& id, const std::string& type,
                                                const PluginFactory& make,
                                                const std::map<std::string, std::string>& keys,
                                                const std::vector<std::string>& named);

// A payload the adapter accepts, and how its camera sends it.
struct GoodPost {
  std::string path;
  std::string body;
  std::string contentType = "application/json";
  ClientAuth auth = ClientAuth::Basic;
  std::string user;
  std::string password;
};

// A wrong password and no credentials both get 401 and reach nothing of the store. Only the wrong
// password counts as an auth error: no credentials is the challenge a camera first meets.
void expectWrongAuthRefused(WebhookRig& rig, const std::string& pluginId, const GoodPost& post);

// The same post twice: both answered 200 with the same body (a camera that sees an error resends
// forever), the second storing nothing and counting each of its reads as a duplicate. Returns the
// first answer.
HttpAnswer expectResendStoredOnce(WebhookRig& rig, const std::string& pluginId,
                                  const GoodPost& post);

}  // namespace lpr::testing
