// lpr-gateway --validate / --help / --version as an operator runs them.
#include <Poco/File.h>
#include <gtest/gtest.h>

#include "gateway_process.h"
#include "test_env.h"

namespace lpr::testing {
namespace {

int validate(const std::string& config, std::string& output) {
  ScratchDir dir("lpr-validate");
  writeFile(dir.file("gw.properties"), config);
  return GatewayProcess::runToCompletion({"--config", dir.file("gw.properties"), "--validate"},
                                         output);
}

TEST(ValidateTest, AValidConfigExitsZero) {
  std::string out;
  EXPECT_EQ(validate("plugin.cam.type = source_2n_lpr\nplugin.cam.username = u\n"
                     "plugin.cam.password = p\nplugin.bms.type = sink_mqtt\n",
                     out),
            0)
      << out;
  EXPECT_NE(out.find("configuration valid: 2 plugin instance(s)"), std::string::npos) << out;
}

TEST(ValidateTest, EachProblemIsOneLineNamingKeyValueAndWhatIsAllowed) {
  std::string out;
  int rc = validate(
      "http.port = 99999\n"
      "storage.synchronous = sometimes\n"
      "plugin.cam.type = source_2n_lpr\n"
      "plugin.cam.username = u\n"
      "plugin.cam.password = p\n"
      "plugin.cam.pasword = typo\n"
      "plugin.bms.type = sink_mqtt\n"
      "plugin.bms.qos = 3\n"
      "plugin.x.type = sink_nothing\n"
      "gatway.id = typo\n",
      out);
  EXPECT_EQ(rc, 78) << out;
  EXPECT_NE(out.find("http.port = '99999': expected an integer in 0..65535"), std::string::npos)
      << out;
  EXPECT_NE(out.find("storage.synchronous = 'sometimes': expected one of full | normal"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("plugin.cam.pasword is not a known key"), std::string::npos) << out;
  EXPECT_NE(out.find("plugin.bms.qos = '3'"), std::string::npos) << out;
  EXPECT_NE(out.find("plugin.x.type = 'sink_nothing'"), std::string::npos) << out;
  EXPECT_NE(out.find("gatway.*: unknown section"), std::string::npos) << out;
  EXPECT_NE(out.find("6 problem(s)"), std::string::npos) << out;
}

TEST(ValidateTest, ConfDLayersOverrideTheMainFileInLexicalOrder) {
  ScratchDir dir("lpr-layers");
  writeFile(dir.file("gw.properties"), "http.port = 1\n");
  Poco::File(dir.file("conf.d")).createDirectories();
  writeFile(dir.file("conf.d/10-a.properties"), "http.port = 99999\n");
  writeFile(dir.file("conf.d/20-b.properties"), "http.port = 77777\n");
  std::string out;
  EXPECT_EQ(
      GatewayProcess::runToCompletion({"--config", dir.file("gw.properties"), "--validate"}, out),
      78);
  EXPECT_NE(out.find("'77777'"), std::string::npos) << out;  // the last layer wins
  // The CLI layer wins over every file.
  EXPECT_EQ(
      GatewayProcess::runToCompletion(
          {"--config", dir.file("gw.properties"), "--define", "http.port=8081", "--validate"}, out),
      0)
      << out;
}

TEST(ValidateTest, MissingConfigFileIsAnError) {
  std::string out;
  EXPECT_NE(GatewayProcess::runToCompletion(
                {"--config", "/nonexistent/gw.properties", "--validate"}, out),
            0);
  EXPECT_NE(out.find("/nonexistent/gw.properties: file not found"), std::string::npos) << out;
}

TEST(ValidateTest, HelpAndVersion) {
  std::string out;
  EXPECT_EQ(GatewayProcess::runToCompletion({"--version"}, out), 0);
  EXPECT_NE(out.find("lpr-gateway "), std::string::npos);
  EXPECT_EQ(GatewayProcess::runToCompletion({"--help"}, out), 0);
  EXPECT_NE(out.find("--validate"), std::string::npos) << out;
}

}  // namespace
}  // namespace lpr::testing
