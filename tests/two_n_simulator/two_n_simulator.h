#pragma once

#include <Poco/JSON/Object.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/http_auth.h"
#include "two_n_directory.h"
#include "two_n_event_log.h"

namespace Poco {
class ThreadPool;
namespace Net {
class TCPServer;
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Net
}  // namespace Poco

namespace lpr::testing {

class TwoNSwitches;

// What firmware before 2.40 does with lprID/lprDir, which it does not know. No source says;
// both are offered so that a client can be tested against either.
enum class LegacyLprKeys {
  Reject,  // error 12 naming the key
  Ignore,  // accepted and dropped
};

struct TwoNSimulatorOptions {
  std::string bindAddress = "127.0.0.1";
  int port = 0;  // 0: the kernel picks one, kept across stop()/start()
  bool tls = true;
  // PEM files for HTTPS; both empty: a self-signed certificate is made (see caFile()).
  std::string certFile;
  std::string keyFile;
  // The CA that signed certFile, only passed on by caFile(); empty: certFile itself.
  std::string caFile;
  // Where the self-signed certificate goes; empty: a scratch folder removed with the simulator.
  std::string tlsDirectory;

  std::string username = "gateway";
  std::string password = "secret";
  // Digest (the device's default), Any (Digest or Basic), Basic, None.
  HttpAuthMode authMode = HttpAuthMode::Digest;
  std::string realm = "HTTP API";
  std::chrono::seconds nonceLifetime{300};

  // /api/system/info
  std::string variant = "2N IP Verso";
  std::string serialNumber = "54-1234-5678";
  std::string macAddr = "7C-1E-B3-00-00-01";
  std::string hwVersion = "535v1";
  std::string swVersion = "2.40.0.50.3";
  std::string buildType = "beta";
  std::string deviceName = "2N IP Verso (simulated)";
  std::string firmwarePackage = "verso";

  // Firmware below 2.40 (from swVersion): lprID is optional, and lprID/lprDir are handled so.
  LegacyLprKeys legacyLprKeys = LegacyLprKeys::Reject;
  std::size_t eventCapacity = 10000;
  std::size_t imageCapacity = 5;
  DirectoryLimits directory;
  int switchCount = 4;
  std::chrono::milliseconds switchOnDuration{5000};
  // Switch triggered by a valid plate or a granted grantaccess; 0: none.
  int doorSwitch = 1;
  // Unix time for validity checks and event times; empty: the system clock.
  std::function<std::chrono::system_clock::time_point()> wallClock;
  // Device time a restart takes: the device clock jumps this far at every restart, as if it had
  // been booting that long, so that its new boot's records are later in time than the old
  // boot's, as on a real device (tens of seconds), without a test waiting for it.
  std::chrono::seconds bootDuration{30};
};

// A user for seeding the directory without HTTP.
struct TwoNUser {
  std::string uuid{};  // empty: the device makes one
  std::string name{};
  std::vector<std::string> plates{};
  std::string validFrom = "0";  // Unix seconds as a string, "0": no limit
  std::string validTo = "0";
  bool entryEnabled = true;  // access point 0
  bool exitEnabled = true;   // access point 1
  std::string owner{};
};

// One POST /api/lpr/licenseplate that passed authentication, as the simulator understood it.
struct TwoNLprRequest {
  std::string body;  // as received (only for the newest 100 requests, like image)
  std::string account;
  std::string lprUuid;
  std::optional<std::int64_t> lprId;
  int accessPoint = -1;
  std::string plateText;
  std::optional<int> lprDir;
  std::string image;  // decoded plateImage, empty when none
  int errorCode = 0;  // 0: accepted; else the 2N error answered
  std::string errorParam;
  AccessCheck decision;  // when accepted
  std::optional<std::int64_t> session;
};

// One answered HTTP request.
struct TwoNExchange {
  std::string method;
  std::string uri;
  int httpStatus = 0;
  int errorCode = 0;  // 2N error code of the reply, 0 for success or no envelope
};

// A 2N intercom / access unit as the LPR gateway sees it over the HTTP API: HTTPS + Digest,
// /api/system/info, /api/lpr/licenseplate deciding from its own directory and logging
// LicensePlateRecognized, /api/lpr/image, the /api/log long-poll channels, the /api/dir
// directory with series/timestamps/tombstones, switches and grantaccess — plus the faults a
// real one shows (restarts, slowness, HTTP errors, 2N errors, stale nonces) on demand.
// Everything about the real devices that no source confirms is listed in README.md.
class TwoNSimulator {
 public:
  explicit TwoNSimulator(TwoNSimulatorOptions options = {});
  ~TwoNSimulator();
  TwoNSimulator(const TwoNSimulator&) = delete;
  TwoNSimulator& operator=(const TwoNSimulator&) = delete;

  // Listens (on the same port again after stop()), like a device booting: the event log is
  // empty, old log channel ids are invalid, and DeviceState {state: startup} is logged.
  void start();
  // Like pulling the plug: stops listening and cuts every open connection, long polls included.
  void stop();
  // stop() + start(); a new directory series (entries kept, re-stamped) if asked.
  void restart(bool newSeries = false);
  bool running() const;
  int boundPort() const;
  std::string baseUrl() const;  // https://127.0.0.1:PORT
  // The file a client trusts: options.caFile when given, else the certificate itself (which
  // for the generated self-signed one is its own CA).
  std::string caFile() const;
  std::string certificateSha256() const;  // of the served certificate, 64 lower-case hex
  // As constructed, with the set*() changes since; read it while no request is in flight.
  const TwoNSimulatorOptions& options() const { return options_; }

  // --- Fault injection --------------------------------------------------------------------
  void setDelay(std::chrono::milliseconds delay);  // before every answer
  // The next `count` requests get this HTTP status (text body), before authentication.
  void failNext(int count, int httpStatus = 503);
  // The next `count` requests get no answer: the connection is closed.
  void dropNext(int count);
  // Requests to `path` (after authentication) answer 2N error `code`; count < 0: until cleared,
  // code 0 clears the path.
  void answerError(const std::string& path, int code, int count = -1);
  void clearFaults();
  void setCredentials(const std::string& username, const std::string& password);
  void setAuthMode(HttpAuthMode mode);
  void setNonceLifetime(std::chrono::seconds lifetime);
  // Nonces handed out so far are answered stale=true from now on (with the right password),
  // which makes a client redo the challenge.
  void expireNonces();
  void setSwVersion(const std::string& version);
  void setLegacyLprKeys(LegacyLprKeys mode);

  // --- Directory ---------------------------------------------------------------------------
  // Adds a user the way /api/dir/create would; returns its uuid. Throws std::runtime_error with
  // the entry's errors when the device would refuse it.
  std::string addUser(const TwoNUser& user);
  // The same operations as the HTTP endpoints, on a JSON text; return the reply's `result`.
  Poco::JSON::Object::Ptr directoryCreate(const std::string& json, bool force = false);
  Poco::JSON::Object::Ptr directoryUpdate(const std::string& json);
  Poco::JSON::Object::Ptr directoryDelete(const std::string& json);
  Poco::JSON::Object::Ptr directoryQuery(const std::string& json) const;
  void logDirectoryChange(std::uint64_t before);  // caller holds mutex_
  void newDirectorySeries(bool keepEntries = true);
  std::vector<Poco::JSON::Object::Ptr> directoryEntries(bool includeDeleted = true) const;
  std::string directorySeries() const;
  std::uint64_t directoryTimestamp() const;
  AccessCheck checkPlate(const std::string& plate, int accessPoint) const;

  // --- What happened -----------------------------------------------------------------------
  std::vector<TwoNLprRequest> lprRequests() const;
  std::vector<TwoNEvent> events() const;  // since the last start
  std::vector<TwoNEvent> events(const std::string& name) const;
  // Logs an event as the device would (e.g. one the gateway must ignore).
  TwoNEvent logEvent(const std::string& name, const std::string& paramsJson);
  std::size_t waitingPulls() const;  // long polls parked right now
  std::size_t logChannels() const;
  bool switchActive(int number) const;
  std::optional<std::string> storedImage(const std::string& plateText) const;
  std::vector<std::string> storedImagePlates() const;  // newest first
  std::vector<TwoNExchange> exchanges() const;
  std::size_t requestCount(const std::string& path) const;
  void clearRecords();  // LPR requests and exchanges

  // The HTTP entry point (public for the request handler).
  void handle(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
  class Connections;  // the open connections, for stop()

 private:
  struct Call;
  struct Route;
  struct StoredImage {
    std::string plate;  // normalised
    std::string bytes;
  };
  struct InjectedError {
    int code = 0;
    int remaining = -1;
  };

  void setUpTls();
  void rebuildAuthenticator();  // mutex_ held
  bool authenticate(Call& call);
  bool isLegacyFirmware() const;  // swVersion below 2.40; mutex_ held
  bool hasGrantAccess() const;    // 2.37 and later; mutex_ held
  std::int64_t nowUnix() const;
  void waitDelay(std::chrono::milliseconds delay);
  void logSwitch(int number, bool active, const std::string& originator);

  void systemInfo(Call& call);
  void systemStatus(Call& call);
  void licensePlate(Call& call);
  void lprImage(Call& call);
  void logCaps(Call& call);
  void logSubscribe(Call& call);
  void logPull(Call& call);
  void logUnsubscribe(Call& call);
  void dirTemplate(Call& call);
  void dirWrite(Call& call);
  void dirRead(Call& call);
  void switchCaps(Call& call);
  void switchStatus(Call& call);
  void switchCtrl(Call& call);
  void grantAccess(Call& call);

  void reply(Call& call, int httpStatus, const std::string& contentType, const std::string& body,
             int errorCode = 0);
  void replyJson(Call& call, const std::string& json, int errorCode = 0);
  void record(const TwoNExchange& exchange);
  void recordLprRequest(TwoNLprRequest request);

  // Seconds added to the device clock by restarts (bootDuration each); before options_, whose
  // clock reads it.
  std::shared_ptr<std::atomic<std::int64_t>> bootOffset_ =
      std::make_shared<std::atomic<std::int64_t>>(0);
  bool startedOnce_ = false;  // lifecycleMutex_
  TwoNSimulatorOptions options_;
  std::string scratchDir_;  // holds a generated certificate; removed by the destructor
  std::string certFile_, keyFile_, certSha256_;

  mutable std::mutex mutex_;  // everything below that is not itself thread-safe
  std::shared_ptr<HttpAuthenticator> authenticator_;
  // Nonces this simulator handed out, in order, for expireNonces() and restarts.
  std::map<std::string, std::uint64_t> nonceSerial_;
  std::deque<std::string> nonceOrder_;
  std::uint64_t nextNonceSerial_ = 1;
  std::uint64_t staleBelow_ = 0;      // serials below are answered stale=true
  std::uint64_t forgottenBelow_ = 0;  // serials below are unknown (device restarted)
  TwoNDirectory directory_;
  std::deque<StoredImage> images_;  // newest first
  std::deque<TwoNLprRequest> lprRequests_;
  std::deque<TwoNExchange> exchanges_;
  std::map<std::string, InjectedError> injected_;
  int failCount_ = 0;
  int failStatus_ = 503;
  int dropCount_ = 0;
  std::chrono::milliseconds delay_{0};
  std::int64_t session_ = 0;

  TwoNEventLog eventLog_;
  std::unique_ptr<TwoNSwitches> switches_;

  // Server lifecycle; lifecycleMutex_ serialises start/stop.
  std::mutex lifecycleMutex_;
  std::atomic<bool> running_{false};
  std::atomic<int> port_{0};
  std::mutex stopMutex_;
  std::condition_variable stopping_;  // wakes delays when the device goes down
  bool down_ = true;
  std::shared_ptr<Connections> connections_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::TCPServer> server_;
};

}  // namespace lpr::testing
