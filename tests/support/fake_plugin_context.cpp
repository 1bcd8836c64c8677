#include "fake_plugin_context.h"

#include <Poco/Logger.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <functional>
#include <stdexcept>

namespace lpr::testing {

FakePluginContext::FakePluginContext(std::string instanceId, std::string gatewayId)
    : instanceId_(std::move(instanceId)),
      gatewayId_(std::move(gatewayId)),
      root_(new Poco::Util::MapConfiguration),
      reader_(*root_, "plugin." + instanceId_, problems_) {}

FakePluginContext& FakePluginContext::set(const std::string& key, const std::string& value) {
  root_->setString("plugin." + instanceId_ + "." + key, value);
  return *this;
}

FakePluginContext& FakePluginContext::loadProperties(const std::string& path) {
  Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file(
      new Poco::Util::PropertyFileConfiguration(path));
  // Copied key by key into the map so that set() can still override single keys.
  std::function<void(const std::string&)> copy = [&](const std::string& prefix) {
    Poco::Util::AbstractConfiguration::Keys keys;
    file->keys(prefix, keys);
    for (const auto& key : keys) {
      std::string full = prefix.empty() ? key : prefix + "." + key;
      if (file->hasProperty(full)) root_->setString(full, file->getRawString(full));
      copy(full);
    }
  };
  copy("");
  return *this;
}

std::string FakePluginContext::problemText() const {
  std::string text;
  for (const auto& line : problems_.lines()) text += line + "\n";
  return text;
}

Poco::Logger& FakePluginContext::logger() const {
  return Poco::Logger::get("lpr.plugin." + instanceId_);
}

HttpRouter& FakePluginContext::http() {
  throw std::logic_error("FakePluginContext: http() is not available in this test");
}

Ingest& FakePluginContext::ingest() {
  if (ingest_) return *ingest_;
  throw std::logic_error("FakePluginContext: ingest() is not available in this test");
}

void RecordingVerdictBoard::registerAuthority(const std::string& authority) {
  std::lock_guard lock(mutex_);
  authorities_.emplace(authority, true);
  changed_.notify_all();
}

void RecordingVerdictBoard::setAuthorityAvailable(const std::string& authority, bool available) {
  std::lock_guard lock(mutex_);
  authorities_[authority] = available;
  changed_.notify_all();
}

void RecordingVerdictBoard::offerVerdict(const std::string& eventId, const Decision& decision) {
  std::lock_guard lock(mutex_);
  verdicts_.emplace(eventId, decision);
  changed_.notify_all();
}

bool RecordingVerdictBoard::registerFallback(const std::string&, Fallback fallback) {
  std::lock_guard lock(mutex_);
  if (fallback_) return false;
  fallback_ = std::move(fallback);
  return true;
}

std::vector<std::string> RecordingVerdictBoard::authorities() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [id, available] : authorities_) out.push_back(id);
  return out;
}

std::optional<bool> RecordingVerdictBoard::available(const std::string& authority) const {
  std::lock_guard lock(mutex_);
  auto it = authorities_.find(authority);
  if (it == authorities_.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, Decision> RecordingVerdictBoard::verdicts() const {
  std::lock_guard lock(mutex_);
  return verdicts_;
}

std::optional<Decision> RecordingVerdictBoard::waitVerdict(
    const std::string& eventId, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  if (!changed_.wait_for(lock, timeout, [&] { return verdicts_.count(eventId) > 0; })) {
    return std::nullopt;
  }
  return verdicts_.at(eventId);
}

}  // namespace lpr::testing
