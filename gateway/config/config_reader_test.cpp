#include "config/config_reader.h"

#include <Poco/AutoPtr.h>
#include <Poco/Environment.h>
#include <Poco/Util/MapConfiguration.h>
#include <gtest/gtest.h>

namespace lpr {
namespace {

class ConfigReaderTest : public ::testing::Test {
 protected:
  Poco::AutoPtr<Poco::Util::MapConfiguration> config_{new Poco::Util::MapConfiguration};
  ConfigProblems problems_;
};

TEST_F(ConfigReaderTest, ReadsTypedValuesAndDefaults) {
  config_->setString("plugin.cam.port", "8443");
  config_->setString("plugin.cam.ratio", "0.5");
  config_->setString("plugin.cam.tls", "true");
  config_->setString("plugin.cam.hosts", " a , b,,c ");
  ConfigReader r(*config_, "plugin.cam", problems_);
  EXPECT_EQ(r.getInt("port", 1, 1, 65535), 8443);
  EXPECT_DOUBLE_EQ(r.getDouble("ratio", 0, 0, 1), 0.5);
  EXPECT_TRUE(r.getBool("tls", false));
  EXPECT_EQ(r.getList("hosts", {}), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(r.getString("missing", "dflt"), "dflt");
  r.reportUnknownKeys();
  EXPECT_TRUE(problems_.empty()) << problems_.lines().front();
}

TEST_F(ConfigReaderTest, BadValueNamesKeyValueAndWhatIsAllowed) {
  config_->setString("plugin.cam.port", "99999");
  config_->setString("plugin.cam.mode", "fast");
  ConfigReader r(*config_, "plugin.cam", problems_);
  EXPECT_EQ(r.getInt("port", 80, 1, 65535), 80);
  r.getEnum("mode", "slow", {"slow", "safe"});
  ASSERT_EQ(problems_.lines().size(), 2u);
  EXPECT_EQ(problems_.lines()[0], "plugin.cam.port = '99999': expected an integer in 1..65535");
  EXPECT_EQ(problems_.lines()[1], "plugin.cam.mode = 'fast': expected one of slow | safe");
}

TEST_F(ConfigReaderTest, UnknownKeysAreReportedIncludingNestedOnes) {
  config_->setString("plugin.cam.port", "1");
  config_->setString("plugin.cam.prot", "2");
  config_->setString("plugin.cam.tls.ca_fiel", "x");
  ConfigReader r(*config_, "plugin.cam", problems_);
  r.getInt("port", 1, 1, 2);
  r.getString("tls.ca_file", "");
  r.reportUnknownKeys();
  ASSERT_EQ(problems_.lines().size(), 2u);
  EXPECT_NE(problems_.lines()[0].find("plugin.cam.prot is not a known key"), std::string::npos);
  EXPECT_NE(problems_.lines()[1].find("plugin.cam.tls.ca_fiel"), std::string::npos);
}

TEST_F(ConfigReaderTest, SecretsExpandFromTheEnvironment) {
  Poco::Environment::set("LPR_TEST_SECRET", "s3cret");
  config_->setString("plugin.cam.password", "${LPR_TEST_VALUE}");
  config_->setString("LPR_TEST_VALUE", "s3cret");
  ConfigReader r(*config_, "plugin.cam", problems_);
  EXPECT_EQ(r.getString("password", ""), "s3cret");
}

TEST_F(ConfigReaderTest, RequiredKeyMissingIsAProblem) {
  ConfigReader r(*config_, "plugin.cam", problems_);
  r.requireString("username");
  ASSERT_EQ(problems_.lines().size(), 1u);
  EXPECT_EQ(problems_.lines()[0], "plugin.cam.username is missing: it must be set");
}

}  // namespace
}  // namespace lpr
