#include "webhook_rig.h"

#include <Poco/Logger.h>
#include <gtest/gtest.h>

#include "bus/verdict_board.h"
#include "gate/gate_registry.h"

namespace lpr::testing {

IngestResult RecordingIngest::submit(PlateEvent event, std::string_view image,
                                     std::string_view imageExtension) {
  std::lock_guard lock(mutex_);
  ++submissions_;
  if (fail_) return {IngestResult::Status::Failed, {}, 0, "disk full"};
  if (!keys_.insert(event.sourceId + "/" + event.sourceEventId).second) {
    return {IngestResult::Status::Duplicate, "dup", 0, {}};
  }
  const auto seq = static_cast<std::int64_t>(stored_.size() + 1);
  event.seq = seq;
  event.id = "e" + std::to_string(seq);
  stored_.push_back({event, std::string(image), std::string(imageExtension)});
  return {IngestResult::Status::Stored, event.id, seq, {}};
}

std::vector<RecordingIngest::Stored> RecordingIngest::stored() const {
  std::lock_guard lock(mutex_);
  return stored_;
}

std::size_t RecordingIngest::submissions() const {
  std::lock_guard lock(mutex_);
  return submissions_;
}

void RecordingIngest::setFail(bool fail) {
  std::lock_guard lock(mutex_);
  fail_ = fail;
}

namespace {

// A source hands in reads only; it never reports verdicts.
class NoVerdicts : public VerdictBoard {
 public:
  void registerAuthority(const std::string&) override {}
  void setAuthorityAvailable(const std::string&, bool) override {}
  void offerVerdict(const std::string&, const Decision&) override {}
  bool registerFallback(const std::string&, Fallback) override { return false; }
};

}  // namespace

class WebhookRig::Context : public PluginContext {
 public:
  Context(std::string id, WebhookRig& rig)
      : id_(std::move(id)), rig_(rig), reader_(*rig.config_, "plugin." + id_, rig.problems_) {}

  const std::string& instanceId() const override { return id_; }
  Poco::Logger& logger() const override { return Poco::Logger::get("lpr.plugin." + id_); }
  ConfigReader& config() override { return reader_; }
  HttpRouter& http() override { return rig_.router_; }
  Ingest& ingest() override { return rig_.ingest_; }
  Metrics& metrics() override { return rig_.metrics_; }
  VerdictBoard& verdicts() override { return verdicts_; }
  GateControl& gates() override { return gates_; }
  const std::string& dataDirectory() const override { return dataDirectory_; }
  EventStore* decisionLog() override { return nullptr; }
  const std::string& gatewayId() const override { return gatewayId_; }
  std::string maskPlate(const std::string& plate) const override { return plate; }

 private:
  std::string id_;
  WebhookRig& rig_;
  ConfigReader reader_;
  NoVerdicts verdicts_;
  GateRegistry gates_;
  std::string gatewayId_ = "rig";
  std::string dataDirectory_ = "/nonexistent";  // a push source keeps no state
};

WebhookRig::WebhookRig() : config_(new Poco::Util::MapConfiguration) {}

WebhookRig::~WebhookRig() {
  if (server_) server_->stop();
  for (auto& plugin : plugins_) plugin->stop();
}

std::vector<std::string> WebhookRig::configureProblems(
    const std::string& id, const std::string& type, Plugin& plugin,
    const std::map<std::string, std::string>& keys) {
  config_->setString("plugin." + id + ".type", type);
  for (const auto& [key, value] : keys) config_->setString("plugin." + id + "." + key, value);
  const std::size_t before = problems_.lines().size();
  contexts_.push_back(std::make_unique<Context>(id, *this));
  plugin.configure(*contexts_.back());
  contexts_.back()->config().markKnown({"type"});
  contexts_.back()->config().reportUnknownKeys();
  return {problems_.lines().begin() + static_cast<std::ptrdiff_t>(before), problems_.lines().end()};
}

Plugin& WebhookRig::add(const std::string& id, const std::string& type,
                        std::unique_ptr<Plugin> plugin,
                        const std::map<std::string, std::string>& keys) {
  const auto problems = configureProblems(id, type, *plugin, keys);
  EXPECT_TRUE(problems.empty()) << problems.front();
  EXPECT_EQ(plugin->start().kind, StartResult::Kind::Ok);
  plugins_.push_back(std::move(plugin));
  if (!server_) {
    HttpServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options, router_, metrics_,
                                           [] { return std::make_pair(true, std::string("{}")); });
    server_->start();
  }
  return *plugins_.back();
}

HttpAnswer WebhookRig::post(const std::string& path, const std::string& body,
                            const std::string& contentType, ClientAuth auth,
                            const std::string& user, const std::string& password,
                            const std::vector<std::pair<std::string, std::string>>& headers,
                            const std::string& method) {
  return httpRequest(port(), method, path, body, contentType, headers, auth, user, password);
}

std::uint64_t WebhookRig::counter(const std::string& name, const Labels& labels) {
  return metrics_.counter(name, "", labels).value();
}

int WebhookRig::port() const { return server_ ? server_->boundPort() : 0; }

}  // namespace lpr::testing
