#include "proc_authorize.h"

#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Logger.h>

#include "access/access_decision.h"
#include "bus/verdict_board.h"
#include "metrics/metrics.h"

namespace lpr::plugins::proc_authorize {

namespace access = lpr::access;

const PluginDescriptor kDescriptor{
    "proc_authorize", PluginKind::Processor,
    "Local access decision while the 2N device cannot answer: allow/deny lists, the mirrored "
    "2N directory with its rules, a fallback policy for a stale mirror",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<ProcAuthorize>(); }};

ProcAuthorize::~ProcAuthorize() { stop(); }

void ProcAuthorize::configure(PluginContext& ctx) {
  ctx_ = &ctx;
  ConfigReader& config = ctx.config();
  settings_ = readSettings(config, ctx.dataDirectory());
  storePath_ = config.getString("store_path",
                                ctx.dataDirectory() + "/authorize-" + ctx.instanceId() + ".db");
  apiSettings_ = readApiSettings(config);
  {
    std::lock_guard lock(mutex_);
    state_ = compose({}, {std::nullopt, settings_.maxStaleness, settings_.policy});
  }
  if (!settings_.mirrorPath.empty()) loader_ = std::make_unique<MirrorLoader>(settings_.mirrorPath);
  const bool registered = ctx.verdicts().registerFallback(
      ctx.instanceId(), [this](const PlateEvent& read) { return decide(read); });
  if (!registered) {
    config.problem("type", "proc_authorize", "only one proc_authorize instance per gateway");
  }
}

StartResult ProcAuthorize::start() {
  if (!ctx_) return StartResult::fatal("not configured");
  if (reloader_.joinable()) return StartResult::ok();
  Metrics& metrics = ctx_->metrics();
  for (const char* by : {access::kByLocalFallback, access::kByList, access::kByPolicy}) {
    decided_[by] = &metrics.counter("lpr_authorize_decisions_total",
                                    "Reads decided by the gateway without the 2N device",
                                    {{"plugin", ctx_->instanceId()}, {"decided_by", by}});
  }
  metrics.gauge("lpr_authorize_mirror_users", "Users in the directory mirror in use",
                {{"plugin", ctx_->instanceId()}},
                [this] { return static_cast<double>(state()->data.users.size()); });
  const bool apiOn = !apiSettings_.username.empty();
  try {
    // Without the API a missing store has nothing to say, and is not created.
    if (!store_ && (apiOn || Poco::File(storePath_).exists())) {
      store_ = std::make_unique<LocalStore>(storePath_);
    }
    reloadLocal();
  } catch (const Poco::Exception& e) {
    return StartResult::fatal("cannot open local store " + storePath_ + ": " + e.displayText());
  }
  if (!apiOn) {
    ctx_->logger().information("management API off: api.username is not set");
  } else {
    if (!api_) {
      api_ = std::make_unique<ManagementApi>(
          *ctx_, apiSettings_, *store_, [this] { reloadLocal(); },
          [this] { return state()->data.users; });
    }
    api_->start();
  }
  reloadNow();  // a read failure shows in health(); the thread tries again
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  reloader_ = std::thread([this] { reloadLoop(); });
  return StartResult::ok();
}

void ProcAuthorize::stop() noexcept {
  if (api_) api_->stop();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (reloader_.joinable()) reloader_.join();
}

void ProcAuthorize::reloadLoop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, settings_.reloadInterval, [this] { return stopping_; })) {
    lock.unlock();
    reloadNow();
    lock.lock();
  }
}

bool ProcAuthorize::reloadNow() {
  if (!loader_) return true;
  try {
    const std::optional<MirrorStamp> stamp = loader_->stamp();
    {
      std::lock_guard lock(mutex_);
      if (loadedStamp_ && *loadedStamp_ == stamp && loadError_.empty()) return true;
    }
    MirrorSnapshot snapshot = loader_->load();
    ctx_->logger().information("directory mirror %s loaded: %z users", settings_.mirrorPath,
                               snapshot.users.size());
    {
      std::lock_guard lock(mutex_);
      state_ = compose(std::move(snapshot.users),
                       {snapshot.lastConfirmedFresh, settings_.maxStaleness, settings_.policy});
      loadedStamp_.emplace(stamp ? std::optional(snapshot.stamp) : std::nullopt);
      loadError_.clear();
    }
    return true;
  } catch (const Poco::Exception& e) {
    // Keep deciding with what was loaded last; its age still makes it stale in time.
    std::lock_guard lock(mutex_);
    if (loadError_.empty()) {
      ctx_->logger().warning("cannot read directory mirror %s: %s", settings_.mirrorPath,
                             e.displayText());
    }
    loadError_ = e.displayText();
    return false;
  }
}

void ProcAuthorize::reloadLocal() {
  if (!store_) return;
  std::lock_guard localLock(localMutex_);
  std::vector<access::DirectoryUser> users = store_->users();
  std::vector<access::ListEntry> list;
  for (auto& stored : store_->lists()) list.push_back(std::move(stored.entry));
  // Written through the API after the same checks, so they parse; one that does not is skipped.
  std::vector<access::TimeProfile> profiles;
  for (const auto& [id, text] : store_->profiles()) {
    std::string error;
    if (auto intervals = parseIntervals(text, error)) profiles.push_back({id, id, *intervals});
  }
  std::vector<access::Holiday> holidays;
  for (const auto& date : store_->holidays()) {
    if (auto holiday = parseHoliday(date)) holidays.push_back(*holiday);
  }
  std::lock_guard lock(mutex_);
  localUsers_ = std::move(users);
  apiList_ = std::move(list);
  apiProfiles_ = std::move(profiles);
  apiHolidays_ = std::move(holidays);
  state_ = compose(state_->data.users, state_->freshness);
}

void ProcAuthorize::reload(ConfigReader& config) {
  const std::size_t before = config.problems().lines().size();
  AuthorizeSettings fresh = readSettings(config, ctx_->dataDirectory());
  if (config.problems().lines().size() != before) {
    ctx_->logger().warning("reload: configuration has problems, the lists in use stay");
  } else {
    std::lock_guard lock(mutex_);
    settings_.data = std::move(fresh.data);
    state_ = compose(state_->data.users, state_->freshness);
  }
  try {
    reloadLocal();
  } catch (const Poco::Exception& e) {
    ctx_->logger().warning("reload: cannot read local store %s: %s", storePath_, e.displayText());
  }
  {
    std::lock_guard lock(mutex_);
    loadedStamp_.reset();  // read the mirror even when its sync stamp did not move
  }
  reloadNow();
  ctx_->logger().information("reloaded: %z list entries, %z profiles", state()->data.list.size(),
                             state()->data.profiles.size());
}

std::shared_ptr<ProcAuthorize::State> ProcAuthorize::compose(
    std::vector<access::DirectoryUser> mirrored, access::MirrorFreshness freshness) const {
  auto next = std::make_shared<State>();
  next->data = settings_.data;
  next->data.list.insert(next->data.list.end(), apiList_.begin(), apiList_.end());
  for (const auto& profile : apiProfiles_) {
    std::erase_if(next->data.profiles, [&](const auto& p) { return p.id == profile.id; });
    next->data.profiles.push_back(profile);
  }
  next->data.holidays.insert(next->data.holidays.end(), apiHolidays_.begin(), apiHolidays_.end());

  next->local = next->data;  // before the mirrored users go in: the local pass has its own
  next->local.list.clear();  // decided in the first pass already
  next->data.users = std::move(mirrored);
  next->local.users = localUsers_;
  next->freshness = freshness;
  return next;
}

std::shared_ptr<const ProcAuthorize::State> ProcAuthorize::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::optional<Decision> ProcAuthorize::decide(const PlateEvent& read) {
  const auto now = std::chrono::system_clock::now();
  const std::shared_ptr<const State> current = state();
  const access::DecisionRequest request{read.plate.empty() ? read.plateRaw : read.plate,
                                        read.accessPoint, now, read.sourceId,
                                        decisionUtcOffset(settings_, now)};
  access::AccessDecision local = access::decide(request, current->data, current->freshness);
  // Local users come after the mirrored ones (device first). They are the gateway's own data,
  // so like the lists they hold while the mirror is stale, where the policy decides otherwise.
  if (local.decidedBy != access::kByList && !local.uuid && !current->local.users.empty()) {
    const access::MirrorFreshness alwaysFresh{now, access::kDefaultMaxStaleness, settings_.policy};
    access::AccessDecision own = access::decide(request, current->local, alwaysFresh);
    if (own.uuid) local = std::move(own);
  }
  if (auto it = decided_.find(local.decidedBy); it != decided_.end()) it->second->inc();
  Decision decision;
  decision.valid = local.valid;
  decision.uuid = std::move(local.uuid);
  decision.userName = std::move(local.userName);
  decision.decidedBy = std::move(local.decidedBy);
  decision.reason = std::move(local.reason);
  decision.decidedAt = now;
  return decision;
}

Health ProcAuthorize::health() const {
  if (!loader_) return Health::ok("no directory: lists and fallback_policy only");
  const std::shared_ptr<const State> current = state();
  std::string error;
  {
    std::lock_guard lock(mutex_);
    error = loadError_;
  }
  const std::string policy = "fallback_policy=" + access::toString(settings_.policy);
  const auto& fresh = current->freshness.lastConfirmedFresh;
  if (!error.empty()) return Health::degraded("directory mirror unreadable: " + error);
  if (!fresh) {
    return Health::degraded("directory mirror " + settings_.mirrorPath +
                            " never synced: " + policy + " decides directory reads");
  }
  const std::string since = "directory mirror confirmed " + formatUtc(*fresh);
  if (std::chrono::system_clock::now() - *fresh > settings_.maxStaleness) {
    return Health::degraded(since + ", older than max_staleness_s: " + policy +
                            " decides directory reads");
  }
  return Health::ok(since + ", " + std::to_string(current->data.users.size()) + " users");
}

void ProcAuthorize::describe(std::ostream& out) const {
  out << "directory_path=" << (settings_.mirrorPath.empty() ? "none" : settings_.mirrorPath)
      << " max_staleness_s=" << settings_.maxStaleness.count()
      << " fallback_policy=" << access::toString(settings_.policy)
      << " deviation=" << access::toString(settings_.data.deviation)
      << " utc_offset_min=" << settings_.data.utcOffset.count() << " time_zone="
      << (settings_.systemTimeZone ? "system"
          : settings_.zone         ? settings_.zone->name()
                                   : "fixed")
      << " reload_interval_s=" << settings_.reloadInterval.count()
      << " list_entries=" << settings_.data.list.size()
      << " profiles=" << settings_.data.profiles.size()
      << " holidays=" << settings_.data.holidays.size() << " store_path=" << storePath_
      << " api=" << (apiSettings_.username.empty() ? "off" : toString(apiSettings_.auth))
      << " api.max_body_bytes=" << apiSettings_.maxBodyBytes;
}

}  // namespace lpr::plugins::proc_authorize
