#include "source_2n_lpr.h"

#include <Poco/AutoPtr.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPDigestCredentials.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/Util/LayeredConfiguration.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <Poco/Util/SystemConfiguration.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>

#include "bus/ingest.h"
#include "bus/verdict_board.h"
#include "gate/gate_registry.h"
#include "http/http_router.h"
#include "http/http_server.h"
#include "metrics/metrics.h"

namespace lpr::plugins::source_2n_lpr {
namespace {

// A source hands in reads only; it never reports verdicts.
class NoVerdicts : public VerdictBoard {
 public:
  void registerAuthority(const std::string&) override {}
  void setAuthorityAvailable(const std::string&, bool) override {}
  void offerVerdict(const std::string&, const Decision&) override {}
  bool registerFallback(const std::string&, Fallback) override { return false; }
};

const std::string kPath = "/api/lpr/licenseplate";
const std::string kGoodBody =
    R"({"lprUuid":"6f1c2a9e-0d4b-4c1e-9a77-1b2c3d4e5f60","lprID":4711,"accessPoint":0,)"
    R"("plateText":"ab 123cd","lprDir":3,"plateImage":"/9j/4AAQ"})";

std::string bodyWithUuid(int n) {
  char uuid[37];
  std::snprintf(uuid, sizeof(uuid), "00000000-0000-4000-8000-%012d", n);
  return std::string(R"({"lprUuid":")") + uuid + R"(","accessPoint":1,"plateText":"AB123CD"})";
}

class FakeIngest : public Ingest {
 public:
  struct Submitted {
    PlateEvent event;
    std::string image;
    std::string extension;
  };

  IngestResult submit(PlateEvent event, std::string_view image,
                      std::string_view imageExtension) override {
    std::lock_guard lock(mutex_);
    submitted_.push_back({event, std::string(image), std::string(imageExtension)});
    if (fail_) return {IngestResult::Status::Failed, {}, 0, "disk full"};
    const auto key = event.sourceId + "/" + event.sourceEventId;
    if (!keys_.insert(key).second) return {IngestResult::Status::Duplicate, "e", 1, {}};
    return {IngestResult::Status::Stored,
            "e" + std::to_string(keys_.size()),
            static_cast<std::int64_t>(keys_.size()),
            {}};
  }

  std::vector<Submitted> submitted() const {
    std::lock_guard lock(mutex_);
    return submitted_;
  }
  void setFail(bool fail) {
    std::lock_guard lock(mutex_);
    fail_ = fail;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Submitted> submitted_;
  std::set<std::string> keys_;
  bool fail_ = false;
};

class FakeContext : public PluginContext {
 public:
  FakeContext(std::string id, const Poco::Util::AbstractConfiguration& config,
              ConfigProblems& problems, HttpRouter& router, Ingest& ingest, Metrics& metrics)
      : id_(std::move(id)),
        reader_(config, "plugin." + id_, problems),
        router_(router),
        ingest_(ingest),
        metrics_(metrics) {}

  const std::string& instanceId() const override { return id_; }
  Poco::Logger& logger() const override { return Poco::Logger::get("lpr.plugin." + id_); }
  ConfigReader& config() override { return reader_; }
  HttpRouter& http() override { return router_; }
  Ingest& ingest() override { return ingest_; }
  Metrics& metrics() override { return metrics_; }
  VerdictBoard& verdicts() override { return verdicts_; }
  GateControl& gates() override { return gates_; }
  const std::string& dataDirectory() const override { return dataDirectory_; }
  EventStore* decisionLog() override { return nullptr; }
  const std::string& gatewayId() const override { return gatewayId_; }
  std::string maskPlate(const std::string& plate) const override { return "***"; }

 private:
  std::string id_;
  std::string gatewayId_ = "test";
  ConfigReader reader_;
  HttpRouter& router_;
  Ingest& ingest_;
  Metrics& metrics_;
  NoVerdicts verdicts_;
  GateRegistry gates_;
  std::string dataDirectory_ = "/nonexistent";  // a source keeps no state
};

struct Reply {
  int status = 0;
  std::string body;
  std::vector<std::string> challenges;
};

enum class ClientAuth { None, Basic, Digest };

// The pieces of the core this plugin touches, with the real router and HTTP server on loopback.
class Harness {
 public:
  Harness() : config_(new Poco::Util::MapConfiguration) {}
  ~Harness() {
    for (auto& plugin : plugins_) plugin->stop();
    if (server_) server_->stop();
  }

  Source2nLpr& add(const std::string& id, const std::map<std::string, std::string>& keys) {
    config_->setString("plugin." + id + ".type", "source_2n_lpr");
    for (const auto& [key, value] : keys) config_->setString("plugin." + id + "." + key, value);
    contexts_.push_back(
        std::make_unique<FakeContext>(id, *config_, problems_, router_, ingest_, metrics_));
    auto plugin = std::make_unique<Source2nLpr>();
    plugin->configure(*contexts_.back());
    contexts_.back()->config().markKnown({"type"});
    contexts_.back()->config().reportUnknownKeys();
    EXPECT_TRUE(problems_.empty()) << problems_.lines().front();
    EXPECT_EQ(plugin->start().kind, StartResult::Kind::Ok);
    plugins_.push_back(std::move(plugin));
    return *plugins_.back();
  }

  void startServer() {
    HttpServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options, router_, metrics_,
                                           [] { return std::make_pair(true, std::string("{}")); });
    server_->start();
  }

  // One exchange as a camera does it: Digest answers the challenge and sends again.
  Reply send(const std::string& body, ClientAuth auth, const std::string& user = "",
             const std::string& password = "", const std::string& method = "POST") {
    Poco::Net::HTTPClientSession session("127.0.0.1",
                                         static_cast<Poco::UInt16>(server_->boundPort()));
    Poco::Net::HTTPRequest request(method, kPath, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/json");
    if (auth == ClientAuth::Basic) {
      Poco::Net::HTTPBasicCredentials(user, password).authenticate(request);
    }
    Reply reply = exchange(session, request, body);
    if (auth == ClientAuth::Digest && reply.status == 401) {
      Poco::Net::HTTPResponse challenge;
      for (const auto& value : reply.challenges) challenge.add("WWW-Authenticate", value);
      Poco::Net::HTTPDigestCredentials credentials(user, password);
      Poco::Net::HTTPRequest second(method, kPath, Poco::Net::HTTPMessage::HTTP_1_1);
      second.setContentType("application/json");
      credentials.authenticate(second, challenge);
      reply = exchange(session, second, body);
    }
    return reply;
  }

  std::uint64_t counter(const std::string& name, const Labels& labels) {
    return metrics_.counter(name, "", labels).value();
  }

  FakeIngest& ingest() { return ingest_; }
  ConfigProblems& problems() { return problems_; }
  HttpRouter& router() { return router_; }

 private:
  static Reply exchange(Poco::Net::HTTPClientSession& session, Poco::Net::HTTPRequest& request,
                        const std::string& body) {
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    Reply reply;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), reply.body);
    reply.status = response.getStatus();
    for (const auto& [name, value] : response) {
      if (Poco::icompare(name, "WWW-Authenticate") == 0) reply.challenges.push_back(value);
    }
    return reply;
  }

  Poco::AutoPtr<Poco::Util::MapConfiguration> config_;
  ConfigProblems problems_;
  HttpRouter router_;
  Metrics metrics_;
  FakeIngest ingest_;
  std::vector<std::unique_ptr<FakeContext>> contexts_;
  std::vector<std::unique_ptr<Source2nLpr>> plugins_;
  std::unique_ptr<HttpServer> server_;
};

const std::map<std::string, std::string> kDigestCam{{"username", "gate1cam"},
                                                    {"password", "s3cret"}};

TEST(Source2nLprHttp, DigestCameraPostsARead) {
  Harness gw;
  gw.add("gate1_2n", kDigestCam);
  gw.startServer();
  Reply reply = gw.send(kGoodBody, ClientAuth::Digest, "gate1cam", "s3cret");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, R"({"success":true})");
  auto submitted = gw.ingest().submitted();
  ASSERT_EQ(submitted.size(), 1u);
  const PlateEvent& event = submitted[0].event;
  EXPECT_EQ(event.sourceId, "gate1_2n");
  EXPECT_EQ(event.sourceEventId, "6f1c2a9e-0d4b-4c1e-9a77-1b2c3d4e5f60");
  EXPECT_EQ(event.vehicleId, "4711");
  EXPECT_EQ(event.plateRaw, "ab 123cd");
  EXPECT_EQ(event.plate, "AB123CD");
  EXPECT_EQ(event.direction, Direction::Out);
  EXPECT_EQ(submitted[0].image, std::string("\xFF\xD8\xFF\xE0\x00\x10", 6));
  EXPECT_EQ(submitted[0].extension, "jpg");
  EXPECT_EQ(gw.counter("lpr_http_requests_total", {{"plugin", "gate1_2n"}, {"code", "200"}}), 1u);
  EXPECT_EQ(gw.counter("lpr_http_requests_total", {{"plugin", "gate1_2n"}, {"code", "401"}}), 1u);
  EXPECT_EQ(gw.counter("lpr_input_errors_total", {{"plugin", "gate1_2n"}, {"kind", "auth"}}), 0u);
}

TEST(Source2nLprHttp, ResentReadIsStillSuccess) {
  Harness gw;
  gw.add("gate1_2n", kDigestCam);
  gw.startServer();
  EXPECT_EQ(gw.send(kGoodBody, ClientAuth::Digest, "gate1cam", "s3cret").body,
            R"({"success":true})");
  EXPECT_EQ(gw.send(kGoodBody, ClientAuth::Digest, "gate1cam", "s3cret").body,
            R"({"success":true})");
  EXPECT_EQ(gw.ingest().submitted().size(), 2u);
}

TEST(Source2nLprHttp, NoCredentialsGetsA2nChallenge) {
  Harness gw;
  gw.add("gate1_2n", kDigestCam);
  gw.startServer();
  Reply reply = gw.send(kGoodBody, ClientAuth::None);
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.body,
            R"({"success":false,"error":{"code":9,"description":"authorisation required"}})");
  ASSERT_EQ(reply.challenges.size(), 1u);
  EXPECT_EQ(reply.challenges[0].rfind("Digest realm=\"HTTP API\"", 0), 0u);
  EXPECT_TRUE(gw.ingest().submitted().empty());
}

TEST(Source2nLprHttp, WrongPasswordIsRefusedAndCounted) {
  Harness gw;
  gw.add("gate1_2n", kDigestCam);
  gw.startServer();
  EXPECT_EQ(gw.send(kGoodBody, ClientAuth::Digest, "gate1cam", "guess").status, 401);
  EXPECT_EQ(gw.send(kGoodBody, ClientAuth::Basic, "gate1cam", "s3cret").status, 401);
  EXPECT_EQ(gw.counter("lpr_input_errors_total", {{"plugin", "gate1_2n"}, {"kind", "auth"}}), 2u);
  EXPECT_TRUE(gw.ingest().submitted().empty());
}

TEST(Source2nLprHttp, BasicAndAnyModes) {
  Harness gw;
  // The first instance on a path challenges requests without credentials, so it offers both.
  gw.add("any_2n", {{"auth", "any"}, {"username", "cam_a"}, {"password", "pa"}});
  gw.add("basic_2n", {{"auth", "basic"}, {"username", "cam_b"}, {"password", "pb"}});
  gw.startServer();
  EXPECT_EQ(gw.send(bodyWithUuid(1), ClientAuth::Basic, "cam_b", "pb").status, 200);
  EXPECT_EQ(gw.send(bodyWithUuid(2), ClientAuth::Basic, "cam_a", "pa").status, 200);
  EXPECT_EQ(gw.send(bodyWithUuid(3), ClientAuth::Digest, "cam_a", "pa").status, 200);
  auto submitted = gw.ingest().submitted();
  ASSERT_EQ(submitted.size(), 3u);
  EXPECT_EQ(submitted[0].event.sourceId, "basic_2n");
  EXPECT_EQ(submitted[1].event.sourceId, "any_2n");
  EXPECT_EQ(submitted[2].event.sourceId, "any_2n");
}

TEST(Source2nLprHttp, CamerasSharingThePathAreToldApartByAccount) {
  Harness gw;
  gw.add("gate1_2n", {{"username", "gate1cam"}, {"password", "one"}});
  gw.add("gate2_2n", {{"username", "gate2cam"}, {"password", "two"}, {"access_point", "1"}});
  gw.startServer();
  // gate2's camera is challenged by gate1 (first on the path) and verified by gate2.
  EXPECT_EQ(gw.send(bodyWithUuid(1), ClientAuth::Digest, "gate2cam", "two").status, 200);
  EXPECT_EQ(gw.send(bodyWithUuid(2), ClientAuth::Digest, "gate1cam", "one").status, 200);
  EXPECT_EQ(gw.send(bodyWithUuid(3), ClientAuth::Digest, "gate2cam", "one").status, 401);
  auto submitted = gw.ingest().submitted();
  ASSERT_EQ(submitted.size(), 2u);
  EXPECT_EQ(submitted[0].event.sourceId, "gate2_2n");
  EXPECT_EQ(submitted[0].event.accessPoint, 1);
  EXPECT_EQ(submitted[1].event.sourceId, "gate1_2n");
  EXPECT_EQ(submitted[1].event.accessPoint, 1);  // from the body
}

TEST(Source2nLprHttp, BadBodiesGet2nErrors) {
  Harness gw;
  gw.add("gate1_2n", {{"auth", "none"}, {"max_body_bytes", "2048"}});
  gw.startServer();
  Reply missing = gw.send(R"({"lprUuid":"6f1c2a9e-0d4b-4c1e-9a77-1b2c3d4e5f60","accessPoint":0})",
                          ClientAuth::None);
  EXPECT_EQ(missing.status, 200);
  EXPECT_EQ(missing.body, R"({"success":false,"error":{"code":11,"param":"plateText",)"
                          R"("description":"missing mandatory parameter"}})");
  Reply malformed = gw.send("{not json", ClientAuth::None);
  EXPECT_NE(malformed.body.find(R"("code":12)"), std::string::npos);
  Reply tooBig = gw.send(std::string(5000, ' '), ClientAuth::None);
  EXPECT_EQ(tooBig.status, 200);
  EXPECT_EQ(tooBig.body,
            R"({"success":false,"error":{"code":13,"description":"parameter data too big"}})");
  Reply get = gw.send("", ClientAuth::None, "", "", "GET");
  EXPECT_EQ(get.body,
            R"({"success":false,"error":{"code":3,"description":"invalid request method"}})");
  const Labels plugin{{"plugin", "gate1_2n"}};
  EXPECT_EQ(gw.counter("lpr_input_errors_total", {plugin[0], {"kind", "missing_field"}}), 1u);
  EXPECT_EQ(gw.counter("lpr_input_errors_total", {plugin[0], {"kind", "malformed_json"}}), 1u);
  EXPECT_EQ(gw.counter("lpr_input_errors_total", {plugin[0], {"kind", "too_big"}}), 1u);
  EXPECT_EQ(gw.counter("lpr_input_errors_total", {plugin[0], {"kind", "method"}}), 1u);
  EXPECT_TRUE(gw.ingest().submitted().empty());
}

TEST(Source2nLprHttp, StoreFailureAsksTheCameraToResend) {
  Harness gw;
  gw.add("gate1_2n", {{"auth", "none"}});
  gw.startServer();
  gw.ingest().setFail(true);
  Reply reply = gw.send(kGoodBody, ClientAuth::None);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, R"({"success":false,"error":{"code":14,)"
                        R"("description":"unspecified processing error"}})");
  EXPECT_EQ(gw.counter("lpr_input_errors_total", {{"plugin", "gate1_2n"}, {"kind", "store"}}), 1u);
  gw.ingest().setFail(false);
  EXPECT_EQ(gw.send(kGoodBody, ClientAuth::None).body, R"({"success":true})");
}

TEST(Source2nLprHttp, AllowFromRefusesOtherAddresses) {
  Harness gw;
  gw.add("gate1_2n", {{"auth", "none"}, {"allow_from", "10.0.0.0/8, 192.168.1.7"}});
  gw.startServer();
  Reply reply = gw.send(kGoodBody, ClientAuth::None);
  EXPECT_EQ(reply.status, 403);
  EXPECT_NE(reply.body.find(R"("success":false)"), std::string::npos);
  EXPECT_EQ(gw.counter("lpr_input_errors_total", {{"plugin", "gate1_2n"}, {"kind", "forbidden"}}),
            1u);
  EXPECT_TRUE(gw.ingest().submitted().empty());
}

TEST(Source2nLprHttp, AllowFromPicksTheInstanceForUnauthenticatedCameras) {
  Harness gw;
  gw.add("far_2n", {{"auth", "none"}, {"allow_from", "10.1.2.3"}});
  gw.add("local_2n", {{"auth", "none"}, {"allow_from", "127.0.0.0/8"}});
  gw.startServer();
  EXPECT_EQ(gw.send(kGoodBody, ClientAuth::None).status, 200);
  auto submitted = gw.ingest().submitted();
  ASSERT_EQ(submitted.size(), 1u);
  EXPECT_EQ(submitted[0].event.sourceId, "local_2n");
}

TEST(Source2nLprHttp, StopRemovesTheRouteAndIsIdempotent) {
  Harness gw;
  auto& plugin = gw.add("gate1_2n", {{"auth", "none"}});
  gw.startServer();
  EXPECT_EQ(gw.send(kGoodBody, ClientAuth::None).status, 200);
  plugin.stop();
  plugin.stop();
  EXPECT_EQ(gw.send(kGoodBody, ClientAuth::None).status, 404);
  EXPECT_EQ(plugin.start().kind, StartResult::Kind::Ok);
  EXPECT_EQ(gw.send(bodyWithUuid(9), ClientAuth::None).status, 200);
}

// Configuration: the sample configures cleanly, mistakes are recorded with their key.

struct ConfigRun {
  ConfigProblems problems;
  std::string description;
};

ConfigRun configureFrom(const std::string& properties) {
  std::istringstream in(properties);
  Poco::AutoPtr<Poco::Util::LayeredConfiguration> root(new Poco::Util::LayeredConfiguration);
  root->add(Poco::AutoPtr<Poco::Util::AbstractConfiguration>(
      new Poco::Util::PropertyFileConfiguration(in)));
  root->add(Poco::AutoPtr<Poco::Util::AbstractConfiguration>(new Poco::Util::SystemConfiguration));
  ConfigRun run;
  HttpRouter router;
  Metrics metrics;
  FakeIngest ingest;
  FakeContext ctx("gate1_2n", *root, run.problems, router, ingest, metrics);
  Source2nLpr plugin;
  plugin.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  std::ostringstream out;
  plugin.describe(out);
  run.description = out.str();
  return run;
}

std::string readSample() {
  std::ifstream in(PLUGIN_SAMPLE);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(Source2nLprConfig, SampleConfiguresCleanly) {
  ::setenv("LPR_2N_GATE1_PASSWORD", "from-env", 1);
  const std::string sample = readSample();
  ASSERT_FALSE(sample.empty());
  ConfigRun run = configureFrom(sample);
  EXPECT_TRUE(run.problems.empty()) << run.problems.lines().front();

  // The commented defaults are valid values and really are the defaults.
  const std::string uncommented =
      std::regex_replace(sample, std::regex("(^|\n)# plugin"), "$1plugin");
  ConfigRun explicitRun = configureFrom(uncommented);
  EXPECT_TRUE(explicitRun.problems.empty()) << explicitRun.problems.lines().front();
  EXPECT_EQ(explicitRun.description, run.description);
  EXPECT_EQ(run.description,
            "path=/api/lpr/licenseplate max_body_bytes=400000 access_point=request auth=digest "
            "username=\"gate1cam\" password=<redacted> realm=\"HTTP API\" nonce_lifetime_s=300 "
            "allow_from=any");
  EXPECT_EQ(run.description.find("from-env"), std::string::npos);
}

TEST(Source2nLprConfig, MistakesNameTheirKey) {
  ConfigRun run = configureFrom(
      "plugin.gate1_2n.type = source_2n_lpr\n"
      "plugin.gate1_2n.path = api/lpr\n"
      "plugin.gate1_2n.auth = ntlm\n"
      "plugin.gate1_2n.realm = say \"hi\"\n"
      "plugin.gate1_2n.nonce_lifetime_s = 0\n"
      "plugin.gate1_2n.access_point = 2\n"
      "plugin.gate1_2n.allow_from = 10.0.0.0/33, nowhere\n"
      "plugin.gate1_2n.passwd = x\n");
  std::string all;
  for (const auto& line : run.problems.lines()) all += line + "\n";
  for (const char* key :
       {"plugin.gate1_2n.path", "plugin.gate1_2n.auth", "plugin.gate1_2n.realm",
        "plugin.gate1_2n.nonce_lifetime_s", "plugin.gate1_2n.access_point",
        "plugin.gate1_2n.username", "plugin.gate1_2n.password", "plugin.gate1_2n.passwd"}) {
    EXPECT_NE(all.find(key), std::string::npos) << key << " not in:\n" << all;
  }
  EXPECT_NE(all.find("'10.0.0.0/33'"), std::string::npos) << all;
  EXPECT_NE(all.find("'nowhere'"), std::string::npos) << all;
}

TEST(Source2nLprConfig, AuthNoneNeedsNoAccount) {
  ConfigRun run = configureFrom(
      "plugin.gate1_2n.type = source_2n_lpr\n"
      "plugin.gate1_2n.auth = none\n");
  EXPECT_TRUE(run.problems.empty()) << run.problems.lines().front();
  EXPECT_NE(run.description.find("auth=none allow_from=any"), std::string::npos);
}

TEST(Source2nLprConfig, IpNetworks) {
  auto net = parseIpNetwork("192.168.10.0/24");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains(Poco::Net::IPAddress("192.168.10.77")));
  EXPECT_TRUE(net->contains(Poco::Net::IPAddress("::ffff:192.168.10.77")));
  EXPECT_FALSE(net->contains(Poco::Net::IPAddress("192.168.11.1")));
  EXPECT_FALSE(net->contains(Poco::Net::IPAddress("fd00::1")));
  auto host = parseIpNetwork("10.0.0.7");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->contains(Poco::Net::IPAddress("10.0.0.7")));
  EXPECT_FALSE(host->contains(Poco::Net::IPAddress("10.0.0.8")));
  auto v6 = parseIpNetwork("fd00::/8");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(Poco::Net::IPAddress("fd12::1")));
  for (const char* bad : {"10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0", "host", "::/129"}) {
    EXPECT_FALSE(parseIpNetwork(bad)) << bad;
  }
}

TEST(Source2nLprDescriptor, NamesThePlugin) {
  EXPECT_EQ(kDescriptor.name, "source_2n_lpr");
  EXPECT_EQ(kDescriptor.kind, PluginKind::Source);
  EXPECT_NE(kDescriptor.create(), nullptr);
}

}  // namespace
}  // namespace lpr::plugins::source_2n_lpr
