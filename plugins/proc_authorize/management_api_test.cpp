// The management API through a real HttpServer on port 0, and what the fallback decides after.
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "fake_plugin_context.h"
#include "http/http_router.h"
#include "http/http_server.h"
#include "http_test_client.h"
#include "metrics/metrics.h"
#include "proc_authorize.h"
#include "storage/event_store.h"
#include "test_env.h"

namespace lpr::plugins::proc_authorize {
namespace {

using namespace Poco::Data::Keywords;
using lpr::testing::ClientAuth;
using lpr::testing::FakePluginContext;
using lpr::testing::HttpAnswer;

const char* const kDeviceUuid = "11111111-2222-3333-4444-555555555555";
const char* const kHeader =
    "name,plates,valid_from,valid_to,entry,exit,entry_profiles,exit_profiles\r\n";

class HttpContext : public FakePluginContext {
 public:
  using FakePluginContext::FakePluginContext;
  HttpRouter& http() override { return router; }
  HttpRouter router;
};

// A synced mirror as sink_2n writes it, with one device user holding DEV1.
void writeMirror(const std::string& path) {
  Poco::Data::SQLite::Connector::registerConnector();
  Poco::Data::Session s("SQLite", path);
  s << "CREATE TABLE users (uuid TEXT, name TEXT, owner TEXT, valid_from TEXT, valid_to TEXT)", now;
  s << "CREATE TABLE plates (uuid TEXT, plate TEXT, position INTEGER)", now;
  s << "CREATE TABLE access_points (uuid TEXT, ap INTEGER, enabled INTEGER, profiles TEXT)", now;
  s << "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", now;
  s << "INSERT INTO users VALUES ('" << kDeviceUuid << "', 'Device user', '', '0', '0')", now;
  s << "INSERT INTO plates VALUES ('" << kDeviceUuid << "', 'DEV1', 0)", now;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  s << "INSERT INTO meta VALUES ('series', 's1'), ('timestamp', '1'),"
       " ('last_confirmed_fresh_ms', '"
    << std::to_string(ms) << "')",
      now;
}

Poco::JSON::Object::Ptr parse(const std::string& body) {
  return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
}

class ManagementApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_.set("api.username", "admin").set("api.password", "secret");
    HttpServerOptions loopback;
    loopback.address = "127.0.0.1";
    loopback.port = 0;
    server_ = std::make_unique<HttpServer>(loopback, ctx_.router, ctx_.metrics(), [] {
      return std::pair<bool, std::string>{true, "{}"};
    });
    server_->start();
  }
  void TearDown() override {
    server_->stop();
    plugin_.stop();
  }
  void start() {
    plugin_.configure(ctx_);
    ASSERT_TRUE(ctx_.problems().empty()) << ctx_.problemText();
    ASSERT_EQ(plugin_.start().kind, StartResult::Kind::Ok);
  }
  HttpAnswer call(const std::string& method, const std::string& path, const std::string& body = {},
                  const std::string& type = "application/json") {
    return lpr::testing::httpRequest(server_->boundPort(), method, path, body, type,
                                     ClientAuth::Digest, "admin", "secret");
  }
  Decision decide(const std::string& plate) {
    PlateEvent read;
    read.id = "evt";
    read.sourceId = "cam";
    read.plate = read.plateRaw = plate;
    return ctx_.verdicts().fallback()(read).value_or(Decision{});
  }
  std::string metric(const std::string& kind) {
    const std::string text = ctx_.metrics().renderPrometheus();
    const std::string key = "lpr_input_errors_total{plugin=\"auth\",kind=\"" + kind + "\"} ";
    const auto at = text.find(key);
    return at == std::string::npos ? "absent" : text.substr(at + key.size(), 1);
  }

  HttpContext ctx_{"auth"};
  ProcAuthorize plugin_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ManagementApiTest, CreatedUserIsGrantedByTheFallbackUntilDeleted) {
  start();
  EXPECT_FALSE(decide("AB123CD").valid);
  HttpAnswer created = call("POST", "/api/v1/users", R"({"name":"Jo","plates":["AB123CD"]})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string uuid = parse(created.body)->getValue<std::string>("uuid");
  Decision granted = decide("ab 123cd");
  EXPECT_TRUE(granted.valid) << granted.reason;
  EXPECT_EQ(granted.decidedBy, "local_fallback");
  EXPECT_EQ(granted.uuid, uuid);
  EXPECT_EQ(granted.userName, "Jo");

  HttpAnswer put =
      call("PUT", "/api/v1/users/" + uuid, R"({"name":"Jo","plates":["ZZ1"],"entry":false})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_FALSE(decide("AB123CD").valid);
  EXPECT_EQ(call("GET", "/api/v1/users/" + uuid).body, put.body);

  EXPECT_EQ(call("DELETE", "/api/v1/users/" + uuid).status, 204);
  EXPECT_EQ(call("GET", "/api/v1/users").body, R"({"users":[]})");
  EXPECT_FALSE(decide("ZZ1").uuid.has_value());
}

TEST_F(ManagementApiTest, ALocalUsersTimeProfilesLimitTheFallback) {
  start();
  // Only on holidays, and there are none: never active.
  ASSERT_EQ(call("PUT", "/api/v1/profiles/shift", R"({"intervals":"holiday 00:00-24:00"})").status,
            200);
  HttpAnswer created = call(
      "POST", "/api/v1/users",
      R"({"name":"Night guard","plates":["NG1"],"entry_profiles":["shift"],"exit_profiles":[]})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto user = parse(created.body);
  EXPECT_EQ(user->getArray("entry_profiles")->getElement<std::string>(0), "shift");
  Decision outside = decide("NG1");
  EXPECT_FALSE(outside.valid);
  EXPECT_NE(outside.reason.find("outside time profiles"), std::string::npos) << outside.reason;

  ASSERT_EQ(call("PUT", "/api/v1/profiles/shift", R"({"intervals":"daily 00:00-24:00"})").status,
            200);
  EXPECT_TRUE(decide("NG1").valid);
  EXPECT_NE(call("GET", "/api/v1/users.csv").body.find("Night guard,NG1,,,1,1,shift,\r\n"),
            std::string::npos);

  HttpAnswer bad =
      call("POST", "/api/v1/users", R"({"name":"X","plates":["X1"],"exit_profiles":["a b"]})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(parse(bad.body)->getObject("error")->getValue<std::string>("field"), "exit_profiles");
}

TEST_F(ManagementApiTest, InvalidUserIs400WithTheFieldAndCounted) {
  start();
  HttpAnswer a = call("POST", "/api/v1/users", R"({"name":"Jo","plates":["ABCDEFGHIJK"]})");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(parse(a.body)->getObject("error")->getValue<std::string>("field"), "plates");
  EXPECT_EQ(call("POST", "/api/v1/users", "{not json").status, 400);
  EXPECT_EQ(call("POST", "/api/v1/users", R"({"plates":[]})").status, 400);
  EXPECT_EQ(metric("bad_value"), "1");
  EXPECT_EQ(metric("malformed_json"), "1");
  EXPECT_EQ(metric("missing_field"), "1");
  EXPECT_EQ(call("DELETE", "/api/v1/lists/99").status, 404);
}

TEST_F(ManagementApiTest, ImportsAThousandPlatesAndExportsThemByteForByte) {
  start();
  std::string text = kHeader;
  for (int u = 0; u < 100; ++u) {
    std::string plates;
    for (int p = 0; p < 10; ++p) plates += (p ? ";" : "") + ("P" + std::to_string(u * 10 + p));
    text += "\"User " + std::to_string(u) + ", \"\"quoted\"\"\"," + plates +
            (u % 2 ? ",2026-01-01T00:00:00Z,2030-12-31T23:59:59Z,1,0,,\r\n"
                   : ",,,1,1,always;office,always\r\n");
  }
  ASSERT_EQ(call("PUT", "/api/v1/profiles/always", R"({"intervals":"daily 00:00-24:00"})").status,
            200);
  HttpAnswer imported = call("POST", "/api/v1/users.csv", text, "text/csv");
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(imported.body, R"({"imported":100})");
  HttpAnswer exported = call("GET", "/api/v1/users.csv");
  ASSERT_EQ(exported.status, 200);
  EXPECT_EQ(exported.body, text);
  EXPECT_TRUE(decide("P999").valid);
  EXPECT_TRUE(decide("P0").valid);
}

TEST_F(ManagementApiTest, BadRowsAreAllReportedAndNothingIsStored) {
  start();
  std::string text = kHeader;
  for (int row = 1; row <= 40; ++row) {
    std::string plates = "R" + std::to_string(row);
    std::string from;
    if (row == 7) plates = "ABCDEFGHIJK";
    if (row == 12) {
      for (int p = 1; p <= 20; ++p) plates += ";X" + std::to_string(p);
    }
    if (row == 30) from = "2026-13-45";
    text += "u" + std::to_string(row) + "," + plates + "," + from + ",,1,1,,\r\n";
  }
  HttpAnswer a = call("POST", "/api/v1/users.csv", text, "text/csv");
  ASSERT_EQ(a.status, 400) << a.body;
  auto rows = parse(a.body)->getObject("error")->getArray("rows");
  std::vector<std::string> where;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    auto row = rows->getObject(i);
    where.push_back(std::to_string(row->getValue<int>("row")) + ":" +
                    row->getValue<std::string>("field"));
  }
  EXPECT_EQ(where, (std::vector<std::string>{"7:plates", "12:plates", "30:valid_from"}));
  EXPECT_EQ(call("GET", "/api/v1/users.csv").body, kHeader);
  EXPECT_FALSE(decide("R1").valid);
  EXPECT_EQ(metric("bad_rows"), "1");
}

TEST_F(ManagementApiTest, WrongPasswordIs401AndCounted) {
  start();
  HttpAnswer wrong =
      lpr::testing::httpRequest(server_->boundPort(), "GET", "/api/v1/users", {},
                                "application/json", ClientAuth::Digest, "admin", "nope");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.wwwAuthenticate.find("Digest"), std::string::npos);
  EXPECT_EQ(metric("auth"), "1");
  EXPECT_EQ(call("GET", "/api/v1/users").status, 200);
}

TEST_F(ManagementApiTest, DeviceOwnedUsersAreReadOnlyAndDecidedFirst) {
  lpr::testing::ScratchDir dir;
  writeMirror(dir.file("mirror.db"));
  ctx_.set("directory_path", dir.file("mirror.db"));
  start();
  HttpAnswer put =
      call("PUT", std::string("/api/v1/users/") + kDeviceUuid, R"({"name":"x","plates":["AB1"]})");
  EXPECT_EQ(put.status, 409) << put.body;
  EXPECT_NE(put.body.find("owned by the 2N device; change it there"), std::string::npos);
  EXPECT_EQ(call("DELETE", std::string("/api/v1/users/") + kDeviceUuid).status, 409);
  EXPECT_EQ(metric("owned_by_device"), "2");
  HttpAnswer directory = call("GET", "/api/v1/directory");
  EXPECT_NE(directory.body.find(kDeviceUuid), std::string::npos) << directory.body;
  // The same plate locally: the device's entry still wins.
  ASSERT_EQ(call("POST", "/api/v1/users", R"({"name":"Local","plates":["DEV1"]})").status, 201);
  EXPECT_EQ(decide("DEV1").uuid, kDeviceUuid);
}

TEST_F(ManagementApiTest, ListEntriesJoinTheConfiguredOnes) {
  ctx_.set("list.1.action", "allow").set("list.1.plate", "CFG1");
  start();
  ASSERT_EQ(call("POST", "/api/v1/users", R"({"name":"Jo","plates":["AB1"]})").status, 201);
  HttpAnswer added = call("POST", "/api/v1/lists", R"({"action":"deny","plate":"AB1"})");
  ASSERT_EQ(added.status, 201) << added.body;
  Decision denied = decide("AB1");
  EXPECT_FALSE(denied.valid);
  EXPECT_EQ(denied.decidedBy, "list");
  EXPECT_TRUE(decide("CFG1").valid);
  const auto id = parse(added.body)->getValue<long long>("id");
  EXPECT_EQ(call("DELETE", "/api/v1/lists/" + std::to_string(id)).status, 204);
  EXPECT_TRUE(decide("AB1").valid);
}

TEST_F(ManagementApiTest, BodyOverTheLimitIs413) {
  ctx_.set("api.max_body_bytes", "1024");
  start();
  EXPECT_EQ(
      call("POST", "/api/v1/users.csv", std::string(kHeader) + std::string(2000, 'x'), "text/csv")
          .status,
      413);
  EXPECT_EQ(metric("too_big"), "1");
}

TEST_F(ManagementApiTest, NoUsernameNoApi) {
  ctx_.set("api.username", "");
  start();
  EXPECT_EQ(call("GET", "/api/v1/users").status, 404);
}

TEST_F(ManagementApiTest, TheAccessLogFiltersDecisionsAndLinksTheirSnapshots) {
  lpr::testing::ScratchDir dir("lpr-access-log");
  Metrics storeMetrics;
  StoreOptions options;
  options.path = dir.file("decisions.db");
  options.stream = "decisions";
  EventStore log(options, storeMetrics);
  lpr::testing::writeFile(dir.file("snap.jpg"), std::string("\xff\xd8jpeg-bytes\xff\xd9"));
  auto decided = [&](const std::string& plate, bool valid, const std::string& image) {
    PlateEvent e;
    e.id = newUuid();
    e.sourceId = "gate1";
    e.plate = e.plateRaw = plate;
    e.receivedAt = e.capturedAt = Clock::now();
    e.imagePath = image;
    e.decision = Decision{};
    e.decision->valid = valid;
    e.decision->decidedBy = "2n";
    EXPECT_EQ(log.append(e).status, EventStore::AppendResult::Status::Stored);
    return e.id;
  };
  const std::string granted = decided("AB123CD", true, dir.file("snap.jpg"));
  decided("AB123CD", false, "");
  decided("ZZ999ZZ", false, "");
  ctx_.setDecisionLog(&log);
  start();

  HttpAnswer answer = call("GET", "/api/v1/access-log?plate=AB123CD&result=granted");
  ASSERT_EQ(answer.status, 200) << answer.body;
  auto root = Poco::JSON::Parser().parse(answer.body).extract<Poco::JSON::Object::Ptr>();
  auto events = root->getArray("events");
  ASSERT_EQ(events->size(), 1u) << answer.body;
  auto entry = events->getObject(0);
  EXPECT_EQ(entry->getValue<std::string>("id"), granted);
  EXPECT_FALSE(entry->has("image")) << "no file paths in the API";
  const std::string link = entry->getValue<std::string>("snapshot");
  EXPECT_EQ(link, "/api/v1/snapshots/" + granted);

  HttpAnswer image = call("GET", link);
  EXPECT_EQ(image.status, 200);
  EXPECT_EQ(image.body, std::string("\xff\xd8jpeg-bytes\xff\xd9"));

  answer = call("GET", "/api/v1/access-log?result=refused&limit=1");
  root = Poco::JSON::Parser().parse(answer.body).extract<Poco::JSON::Object::Ptr>();
  ASSERT_EQ(root->getArray("events")->size(), 1u);
  const auto before = root->getValue<Poco::Int64>("next_before");
  answer = call("GET", "/api/v1/access-log?result=refused&before=" + std::to_string(before));
  root = Poco::JSON::Parser().parse(answer.body).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(root->getArray("events")->size(), 1u) << "the second page";

  answer = call("GET", "/api/v1/access-log?result=maybe");
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find("\"field\":\"result\""), std::string::npos) << answer.body;
  EXPECT_EQ(call("GET", "/api/v1/access-log?colour=red").status, 400);
  EXPECT_EQ(call("GET", "/api/v1/snapshots/" + newUuid()).status, 404);
  log.close();
}

TEST_F(ManagementApiTest, TimeProfilesAndHolidaysWrittenThroughTheApiDecide) {
  lpr::testing::ScratchDir dir;
  writeMirror(dir.file("mirror.db"));
  {
    // The device user may enter only within time profile "office", which the device defines
    // and the mirror names by id only.
    Poco::Data::Session s("SQLite", dir.file("mirror.db"));
    s << "INSERT INTO access_points VALUES ('" << kDeviceUuid << "', 0, 1, 'office'), ('"
      << kDeviceUuid << "', 1, 1, '')",
        now;
  }
  ctx_.set("directory_path", dir.file("mirror.db"));
  start();
  Decision before = decide("DEV1");
  EXPECT_FALSE(before.valid) << "a profile nobody defined is never active: " << before.reason;

  HttpAnswer put = call("PUT", "/api/v1/profiles/office", R"({"intervals":"daily 00:00-24:00"})");
  ASSERT_EQ(put.status, 200) << put.body;
  Decision after = decide("DEV1");
  EXPECT_TRUE(after.valid) << after.reason;
  EXPECT_NE(call("GET", "/api/v1/profiles").body.find("daily 00:00-24:00"), std::string::npos);

  HttpAnswer bad = call("PUT", "/api/v1/profiles/office", R"({"intervals":"someday 25:00-26:00"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("\"field\":\"intervals\""), std::string::npos) << bad.body;
  EXPECT_TRUE(decide("DEV1").valid) << "a refused write changes nothing";

  // A holiday without a holiday row in the profile closes it that day (today, here).
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::chrono::year_month_day ymd{today};
  char date[16];
  std::snprintf(date, sizeof(date), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  HttpAnswer holiday = call("POST", "/api/v1/holidays", std::string(R"({"date":")") + date + "\"}");
  ASSERT_EQ(holiday.status, 201) << holiday.body;
  EXPECT_FALSE(decide("DEV1").valid) << "closed on a holiday";
  EXPECT_EQ(call("POST", "/api/v1/holidays", std::string(R"({"date":")") + date + "\"}").status,
            409);
  EXPECT_EQ(call("POST", "/api/v1/holidays", R"({"date":"2026-13-40"})").status, 400);
  EXPECT_NE(call("GET", "/api/v1/holidays").body.find(date), std::string::npos);
  ASSERT_EQ(call("DELETE", std::string("/api/v1/holidays/") + date).status, 204);
  EXPECT_TRUE(decide("DEV1").valid);
  ASSERT_EQ(call("DELETE", "/api/v1/profiles/office").status, 204);
  EXPECT_FALSE(decide("DEV1").valid);
  EXPECT_EQ(call("DELETE", "/api/v1/profiles/office").status, 404);
}

}  // namespace
}  // namespace lpr::plugins::proc_authorize
