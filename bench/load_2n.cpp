// Load benchmark (loopback only, bounded count and time): posts 2N-format reads to the gateway
// binary over keep-alive connections, with the durable store on (synchronous=full), and times
// the answer and the read-to-MQTT delivery seen by a real subscriber on a real mosquitto.
//   lpr-bench-load [--reads N] [--connections C] [--rate R] [--max-seconds S] [--scrape-ms M]
// Phases: R reads/s, 4R reads/s (10 s each, paced), then N reads as fast as C connections go.
// Throughout, /metrics is scraped every M ms (0: never), as a Prometheus server would: a
// scrape once froze the gateway under load, so a load figure without one is not the real case.
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPCredentials.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <mqtt/async_client.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway_process.h"
#include "http_test_client.h"
#include "mosquitto_broker.h"
#include "test_env.h"

using Clock = std::chrono::steady_clock;
using namespace lpr::testing;

namespace {

struct Args {
  int reads = 20000;
  int connections = 8;
  int rate = 500;  // reads/s for the latency phase (one connection, paced)
  int maxSeconds = 60;
  int scrapeMs = 1000;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p / 100.0 * v.size()));
  return v[i];
}

std::string uuidFor(int phase, int i) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08d-0000-4000-8000-%012d", phase, i);
  return buf;
}

// Receipt times of events by lprUuid.
class Receiver : public virtual mqtt::callback {
 public:
  void message_arrived(mqtt::const_message_ptr msg) override {
    auto at = Clock::now();
    Poco::JSON::Parser parser;
    auto obj = parser.parse(msg->to_string()).extract<Poco::JSON::Object::Ptr>();
    std::lock_guard lock(mutex_);
    arrived_[obj->getValue<std::string>("source_event_id")] = at;
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return arrived_.size();
  }
  void clear() {
    std::lock_guard lock(mutex_);
    arrived_.clear();
  }
  std::map<std::string, Clock::time_point> snapshot() {
    std::lock_guard lock(mutex_);
    return arrived_;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, Clock::time_point> arrived_;
};

struct Phase {
  std::vector<double> answerMs;
  std::vector<double> mqttMs;
  double seconds = 0;
  int ok = 0;
  int failed = 0;
  std::vector<double> scrapeMs;
  int scrapesFailed = 0;
};

// Scrapes /metrics every `every` until stopped; each scrape on a new connection.
class Scraper {
 public:
  Scraper(int port, std::chrono::milliseconds every) : port_(port), every_(every) {
    if (every.count() > 0) thread_ = std::thread([this] { loop(); });
  }
  ~Scraper() { stop(); }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  std::vector<double> latenciesMs() const { return latencies_; }
  int failed() const { return failed_; }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      const auto at = Clock::now();
      try {
        const HttpAnswer answer = httpRequest(port_, "GET", "/metrics", {}, {});
        if (answer.status != 200) ++failed_;
        latencies_.push_back(std::chrono::duration<double, std::milli>(Clock::now() - at).count());
      } catch (const std::exception&) {
        ++failed_;  // includes the client's 15 s timeout: a stalled gateway
      }
      lock.lock();
      wake_.wait_until(lock, at + every_, [this] { return stopping_; });
    }
  }
  int port_;
  std::chrono::milliseconds every_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<double> latencies_;
  int failed_ = 0;
  std::thread thread_;
};

Phase run(int port, Receiver& receiver, int phaseId, int reads, int connections, int rate,
          int maxSeconds, int scrapeMs) {
  Phase result;
  receiver.clear();
  Scraper scraper(port, std::chrono::milliseconds(scrapeMs));
  std::vector<Clock::time_point> sentAt(reads);
  std::vector<double> answerMs(reads, -1);
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  auto start = Clock::now();
  auto deadline = start + std::chrono::seconds(maxSeconds);
  std::vector<std::thread> workers;
  for (int c = 0; c < connections; ++c) {
    workers.emplace_back([&] {
      Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
      session.setKeepAlive(true);
      while (Clock::now() < deadline) {
        int i = next++;
        if (i >= reads) break;
        if (rate > 0)
          std::this_thread::sleep_until(start + std::chrono::microseconds(1000000LL * i / rate));
        std::string body = twoNRead(uuidFor(phaseId, i), "BN" + std::to_string(i % 100000), 0, i);
        Poco::Net::HTTPRequest req("POST", "/api/lpr/licenseplate", "HTTP/1.1");
        req.setContentType("application/json");
        req.setContentLength(static_cast<std::streamsize>(body.size()));
        req.setKeepAlive(true);
        Poco::Net::HTTPBasicCredentials("bench", "bench").authenticate(req);
        try {
          sentAt[i] = Clock::now();
          session.sendRequest(req) << body;
          Poco::Net::HTTPResponse resp;
          std::string answer;
          Poco::StreamCopier::copyToString(session.receiveResponse(resp), answer);
          answerMs[i] = std::chrono::duration<double, std::milli>(Clock::now() - sentAt[i]).count();
          if (answer != R"({"success":true})") ++failed;
        } catch (const std::exception&) {
          ++failed;
          session.reset();
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  int sent = std::min<int>(next, reads);
  waitFor([&] { return receiver.count() >= static_cast<std::size_t>(sent - failed); },
          std::chrono::seconds(30), std::chrono::milliseconds(2));
  auto arrived = receiver.snapshot();
  Clock::time_point last = start;
  for (int i = 0; i < sent; ++i) {
    if (answerMs[i] >= 0) result.answerMs.push_back(answerMs[i]);
    auto it = arrived.find(uuidFor(phaseId, i));
    if (it != arrived.end()) {
      result.mqttMs.push_back(
          std::chrono::duration<double, std::milli>(it->second - sentAt[i]).count());
      last = std::max(last, it->second);
      ++result.ok;
    }
  }
  scraper.stop();
  result.scrapeMs = scraper.latenciesMs();
  result.scrapesFailed = scraper.failed();
  result.failed = failed;
  result.seconds = std::chrono::duration<double>(last - start).count();
  return result;
}

void print(const char* name, const Phase& p) {
  std::printf("%-34s reads=%zu delivered=%d failed=%d\n", name, p.answerMs.size(), p.ok, p.failed);
  std::printf("  answer latency      p50 %7.3f ms  p95 %7.3f ms  p99 %7.3f ms  max %7.3f ms\n",
              percentile(p.answerMs, 50), percentile(p.answerMs, 95), percentile(p.answerMs, 99),
              percentile(p.answerMs, 100));
  std::printf("  read-to-MQTT        p50 %7.3f ms  p95 %7.3f ms  p99 %7.3f ms  max %7.3f ms\n",
              percentile(p.mqttMs, 50), percentile(p.mqttMs, 95), percentile(p.mqttMs, 99),
              percentile(p.mqttMs, 100));
  std::printf("  sustained           %.0f events/s (posted to last MQTT receipt, %.2f s)\n",
              p.seconds > 0 ? p.ok / p.seconds : 0.0, p.seconds);
  if (!p.scrapeMs.empty() || p.scrapesFailed) {
    std::printf("  /metrics scrapes    n=%zu failed=%d  p50 %7.3f ms  max %7.3f ms\n",
                p.scrapeMs.size(), p.scrapesFailed, percentile(p.scrapeMs, 50),
                percentile(p.scrapeMs, 100));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::stoi(argv[i + 1]);
    if (k == "--reads")
      a.reads = v;
    else if (k == "--connections")
      a.connections = v;
    else if (k == "--rate")
      a.rate = v;
    else if (k == "--max-seconds")
      a.maxSeconds = v;
    else if (k == "--scrape-ms")
      a.scrapeMs = v;
  }
  MosquittoOptions mo;
  mo.persistence = false;
  // mosquitto caps QoS 1 messages in flight to one subscriber at 20 by default, which would
  // measure the subscriber's acknowledgements, not the gateway.
  mo.globalConfig = "max_inflight_messages 0\nmax_queued_messages 0\nset_tcp_nodelay true";
  MosquittoBroker broker(mo);
  broker.start();
  const char* extraEnv = std::getenv("LPR_BENCH_EXTRA");  // extra config lines, for experiments
  std::string extra = extraEnv ? extraEnv : "";
  GatewayProcess gateway;
  gateway.configure(
      "gateway.log_plates = masked\n"
      "storage.synchronous = full\n"
      "plugin.cam.type = source_2n_lpr\n"
      "plugin.cam.auth = basic\n"
      "plugin.cam.username = bench\n"
      "plugin.cam.password = bench\n"
      "plugin.bms.type = sink_mqtt\n"
      "plugin.bms.broker = " +
      broker.uri() + "\n" + extra);
  gateway.start();

  Receiver receiver;
  mqtt::async_client sub(broker.uri(), "lpr-bench-sub");
  sub.set_callback(receiver);
  sub.connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
  sub.subscribe("lpr/test-gw/event/#", 1)->wait();

  std::printf("lpr-bench-load: gateway %s, mosquitto %s, storage.synchronous=full, %u cores\n",
              GatewayProcess::binary().c_str(), broker.uri().c_str(),
              std::thread::hardware_concurrency());
  // Paced phases: reads spread evenly over time from all connections (latency at a given
  // rate); then a flood (throughput). Each paced phase lasts 10 s.
  char title[96];
  int failed = 0;
  int phaseId = 1;
  for (int rate : {a.rate, a.rate * 4}) {
    Phase paced = run(gateway.port(), receiver, phaseId++, rate * 10, a.connections, rate,
                      a.maxSeconds, a.scrapeMs);
    std::snprintf(title, sizeof(title), "paced: %d reads/s over %d connections", rate,
                  a.connections);
    print(title, paced);
    failed += paced.failed + paced.scrapesFailed;
  }
  Phase flood =
      run(gateway.port(), receiver, phaseId, a.reads, a.connections, 0, a.maxSeconds, a.scrapeMs);
  std::snprintf(title, sizeof(title), "flood: %d connections, unpaced", a.connections);
  print(title, flood);
  failed += flood.failed + flood.scrapesFailed;
  sub.disconnect()->wait();
  gateway.stop();
  broker.stop();
  return failed == 0 ? 0 : 1;
}
