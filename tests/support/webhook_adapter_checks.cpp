#include "webhook_adapter_checks.h"

#include <Poco/AutoPtr.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <sstream>

#include "test_env.h"

namespace lpr::testing {
namespace {

std::map<std::string, std::string> pluginKeys(const std::string& text, const std::string& id,
                                              std::string& type) {
  std::istringstream in(text);
  Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file(
      new Poco::Util::PropertyFileConfiguration(in));
  Poco::Util::AbstractConfiguration::Keys keys;
  file->keys("plugin." + id, keys);
  std::map<std::string, std::string> out;
  for (const auto& key : keys) out[key] = file->getRawString("plugin." + id + "." + key);
  type = out.count("type") ? out["type"] : std::string();
  out.erase("type");
  return out;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& line : lines) all += line + "\n";
  return all;
}

std::uint64_t duplicates(WebhookRig& rig, const std::string& pluginId) {
  return rig.counter("lpr_webhook_reads_total", {{"plugin", pluginId}, {"result", "duplicate"}});
}

HttpAnswer send(WebhookRig& rig, const GoodPost& post, ClientAuth auth,
                const std::string& password) {
  return rig.post(post.path, post.body, post.contentType, auth, post.user, password);
}

}  // namespace

SampleConfiguration expectSampleConfiguresCleanly(const std::string& samplePath,
                                                  const std::string& id, const std::string& type,
                                                  const PluginFactory& make,
                                                  const std::vector<std::string>& shows,
                                                  bool commentsAreDefaults) {
  const std::string sample = readFile(samplePath);
  EXPECT_FALSE(sample.empty()) << samplePath;
  SampleConfiguration result;
  std::string declaredType;
  result.keys = pluginKeys(sample, id, declaredType);
  EXPECT_EQ(declaredType, type) << "plugin." << id << ".type in " << samplePath;

  const std::string envSecret = "sample-secret-from-env";
  static const std::regex kEnvRef(R"(\$\{system\.env\.([A-Za-z0-9_]+)\})");
  std::smatch match;
  const auto password = result.keys.find("password");
  if (password != result.keys.end() && std::regex_match(password->second, match, kEnvRef)) {
    ::setenv(match[1].str().c_str(), envSecret.c_str(), 1);
  }

  WebhookRig rig;
  result.plugin = make();
  const auto problems = rig.configureProblems(id, type, *result.plugin, result.keys);
  EXPECT_TRUE(problems.empty()) << joined(problems);
  std::ostringstream described;
  result.plugin->describe(described);
  result.described = described.str();
  for (const auto& part : shows) {
    EXPECT_NE(result.described.find(part), std::string::npos) << part << " in " << result.described;
  }

  if (commentsAreDefaults) {
    const std::string uncommented =
        std::regex_replace(sample, std::regex("(^|\n)# plugin"), "$1plugin");
    std::string ignored;
    WebhookRig defaultsRig;
    const auto defaults = make();
    const auto defaultsProblems =
        defaultsRig.configureProblems(id, type, *defaults, pluginKeys(uncommented, id, ignored));
    EXPECT_TRUE(defaultsProblems.empty())
        << "with the defaults written out: " << joined(defaultsProblems);
    std::ostringstream defaultsDescribed;
    defaults->describe(defaultsDescribed);
    EXPECT_EQ(defaultsDescribed.str(), result.described) << "a commented line is not the default";
  }

  EXPECT_EQ(result.described.find(envSecret), std::string::npos) << "a secret in describe()";
  if (password != result.keys.end() && !password->second.empty()) {
    EXPECT_EQ(result.described.find(password->second), std::string::npos)
        << "a secret in describe()";
  }
  return result;
}

std::vector<std::string> expectProblemsNameKeys(const std::string& id, const std::string& type,
                                                const PluginFactory& make,
                                                const std::map<std::string, std::string>& keys,
                                                const std::vector<std::string>& named) {
  WebhookRig rig;
  const auto plugin = make();
  const auto problems = rig.configureProblems(id, type, *plugin, keys);
  const std::string all = joined(problems);
  for (const auto& key : named) {
    const std::string full = "plugin." + id + "." + key;
    EXPECT_NE(all.find(full), std::string::npos) << full << " in " << all;
  }
  return problems;
}

void expectWrongAuthRefused(WebhookRig& rig, const std::string& pluginId, const GoodPost& post) {
  const std::size_t submissions = rig.ingest().submissions();
  const Labels authErrors{{"plugin", pluginId}, {"kind", "auth"}};
  const std::uint64_t errorsBefore = rig.counter("lpr_input_errors_total", authErrors);
  EXPECT_EQ(send(rig, post, post.auth, post.password + "-wrong").status, 401) << "wrong password";
  EXPECT_EQ(send(rig, post, ClientAuth::None, {}).status, 401) << "no credentials";
  EXPECT_EQ(rig.ingest().submissions(), submissions);
  EXPECT_EQ(rig.counter("lpr_input_errors_total", authErrors), errorsBefore + 1);
}

HttpAnswer expectResendStoredOnce(WebhookRig& rig, const std::string& pluginId,
                                  const GoodPost& post) {
  const std::size_t storedBefore = rig.ingest().stored().size();
  const std::size_t submissionsBefore = rig.ingest().submissions();
  const std::uint64_t duplicatesBefore = duplicates(rig, pluginId);
  const HttpAnswer first = send(rig, post, post.auth, post.password);
  EXPECT_EQ(first.status, 200) << first.body;
  const std::size_t reads = rig.ingest().stored().size() - storedBefore;
  EXPECT_GT(reads, 0u) << "the payload must hold a read for a resend to mean anything";
  const HttpAnswer again = send(rig, post, post.auth, post.password);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(rig.ingest().stored().size(), storedBefore + reads);
  EXPECT_EQ(rig.ingest().submissions(), submissionsBefore + 2 * reads);
  EXPECT_EQ(duplicates(rig, pluginId), duplicatesBefore + reads);
  return first;
}

}  // namespace lpr::testing
