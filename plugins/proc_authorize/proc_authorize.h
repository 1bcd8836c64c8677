#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "authorize_config.h"
#include "local_store.h"
#include "management_api.h"
#include "mirror_loader.h"
#include "plugin/plugin.h"

namespace lpr {
class Counter;
}

namespace lpr::plugins::proc_authorize {

extern const PluginDescriptor kDescriptor;

// The local decision for reads the 2N device did not decide in time (VerdictBoard fallback):
// the gateway's allow/deny lists, then the mirrored 2N directory, or fallback_policy while the
// mirror is too old. As a processor it passes every read unchanged: deciding happens in the
// decision stage, after the read is stored.
class ProcAuthorize : public Processor {
 public:
  ~ProcAuthorize() override;
  void configure(PluginContext& ctx) override;
  StartResult start() override;
  void stop() noexcept override;
  void describe(std::ostream& out) const override;
  // The lists, profiles, holidays, deviation and UTC offset from the configuration, the local
  // store, and the mirror file again.
  void reload(ConfigReader& config) override;
  Health health() const override;
  Verdict process(PlateEvent& event) override { return Verdict::pass(); }

  // The fallback the decision stage calls; quick and in memory.
  std::optional<Decision> decide(const PlateEvent& read);
  // Reads the mirror again when a sync changed it; false when it could not be read.
  bool reloadNow();
  // Reads the local users and list entries again after a write through the API.
  void reloadLocal();

 private:
  struct State {
    lpr::access::AccessData data;   // mirrored users, every list entry
    lpr::access::AccessData local;  // local users only: decided after the mirror
    lpr::access::MirrorFreshness freshness;
  };
  std::shared_ptr<const State> state() const;
  // Under mutex_: the state with these mirrored users and the current local data.
  std::shared_ptr<State> compose(std::vector<lpr::access::DirectoryUser> mirrored,
                                 lpr::access::MirrorFreshness freshness) const;
  void reloadLoop();

  PluginContext* ctx_ = nullptr;
  AuthorizeSettings settings_;
  std::unique_ptr<MirrorLoader> loader_;
  std::string storePath_;
  ApiSettings apiSettings_;
  std::unique_ptr<LocalStore> store_;  // opened in start() when the API is on or the file exists
  std::unique_ptr<ManagementApi> api_;
  std::map<std::string, Counter*> decided_;  // by decided_by; filled in start()

  mutable std::mutex mutex_;
  std::shared_ptr<const State> state_;
  std::vector<lpr::access::DirectoryUser> localUsers_;
  std::vector<lpr::access::ListEntry> apiList_;
  std::vector<lpr::access::TimeProfile> apiProfiles_;  // replace configured ones of the same id
  std::vector<lpr::access::Holiday> apiHolidays_;
  std::mutex localMutex_;  // one reloadLocal at a time, so an older read never wins
  std::optional<std::optional<MirrorStamp>> loadedStamp_;  // outer nullopt: never loaded
  std::string loadError_;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread reloader_;
};

}  // namespace lpr::plugins::proc_authorize
