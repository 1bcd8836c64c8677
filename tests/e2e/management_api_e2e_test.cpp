// Issue 5, management API through the binary: local users written over /api/v1/ decide reads
// while no 2N device is configured, survive a restart, and a CSV import exports byte for byte.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "e2e_fixture.h"
#include "test_env.h"

namespace lpr::testing {
namespace {

using namespace std::chrono_literals;

class ManagementApiE2E : public GatewayE2E {
 protected:
  void startGateway() {
    gateway_.configure(baseConfig() +
                       "plugin.auth.type = proc_authorize\n"
                       "plugin.auth.api.username = admin\n"
                       "plugin.auth.api.password = secret\n"
                       "pipeline.processors = auth\n");
    gateway_.start();
  }
  HttpAnswer api(const std::string& method, const std::string& path, const std::string& body = {},
                 const std::string& type = "application/json",
                 const std::string& password = "secret") {
    return httpRequest(gateway_.port(), method, path, body, type, ClientAuth::Digest, "admin",
                       password);
  }
  Poco::JSON::Object::Ptr decide(const std::string& uuid, const std::string& plate) {
    EXPECT_EQ(postRead(uuid, plate).body, R"({"success":true})");
    EXPECT_TRUE(waitFor([&] { return eventsByUuid().count(uuid) == 1; }, 15s)) << plate;
    auto events = eventsByUuid();
    auto it = events.find(uuid);
    return it == events.end() ? nullptr : it->second->getObject("decision");
  }
  static std::string readUuid(int n) {
    return "00000000-0000-4000-8000-" + std::string(11 - std::to_string(n).size(), '0') + "9" +
           std::to_string(n);
  }
};

TEST_F(ManagementApiE2E, ApiUserDecidesReadsAndSurvivesARestart) {
  startGateway();
  HttpAnswer created =
      api("POST", "/api/v1/users", R"({"name":"Jo","plates":["AB123CD"],"exit":false})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string uuid = Poco::JSON::Parser()
                               .parse(created.body)
                               .extract<Poco::JSON::Object::Ptr>()
                               ->getValue<std::string>("uuid");

  auto granted = decide(readUuid(1), "AB123CD");
  ASSERT_TRUE(granted) << "undecided";
  EXPECT_TRUE(granted->getValue<bool>("valid"));
  EXPECT_EQ(granted->optValue<std::string>("decided_by", ""), "local_fallback");
  EXPECT_EQ(granted->optValue<std::string>("uuid", ""), uuid);
  auto stranger = decide(readUuid(2), "ZZ999ZZ");
  ASSERT_TRUE(stranger) << "undecided";
  EXPECT_FALSE(stranger->getValue<bool>("valid"));

  const std::string exported = api("GET", "/api/v1/users.csv").body;
  EXPECT_EQ(exported,
            "name,plates,valid_from,valid_to,entry,exit,entry_profiles,exit_profiles\r\n"
            "Jo,AB123CD,,,1,0,,\r\n");
  ASSERT_EQ(gateway_.stop(), 0);
  gateway_.start();
  EXPECT_EQ(api("GET", "/api/v1/users.csv").body, exported);
  EXPECT_EQ(api("GET", "/api/v1/users/" + uuid).status, 200);
}

TEST_F(ManagementApiE2E, ImportsAThousandUsersAndRefusesAWrongPassword) {
  startGateway();
  std::string csv = "name,plates,valid_from,valid_to,entry,exit,entry_profiles,exit_profiles\r\n";
  for (int i = 0; i < 1000; ++i) {
    csv +=
        "User " + std::to_string(i) + ",K" + std::to_string(i) + ",,2030-01-01T00:00:00Z,1,1,,\r\n";
  }
  HttpAnswer imported = api("POST", "/api/v1/users.csv", csv, "text/csv");
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(imported.body, R"({"imported":1000})");
  EXPECT_EQ(api("GET", "/api/v1/users.csv").body, csv);
  auto granted = decide(readUuid(3), "K999");
  ASSERT_TRUE(granted) << "undecided";
  EXPECT_TRUE(granted->getValue<bool>("valid"));

  EXPECT_EQ(api("GET", "/api/v1/users", {}, "application/json", "wrong").status, 401);
  EXPECT_EQ(metricValue("lpr_input_errors_total{plugin=\"auth\",kind=\"auth\"}"), 1);
}

}  // namespace
}  // namespace lpr::testing
