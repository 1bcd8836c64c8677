// Barrier latency benchmark (loopback only): the gateway binary with source_2n_lpr, a local
// allow list (proc_authorize, no 2N device: decided at once) and sink_barrier_modbus pointed at
// an in-process Modbus TCP device. Posts 2N-format reads of an allowed plate one after another
// and times read posted → coil written "1", as the device saw it.
//   lpr-bench-barrier [--reads N] [--interval-ms I] [--max-seconds S]
// The interval must exceed pulse_ms (50) + the read's own latency, or a grant joins the pulse
// still running and writes nothing.
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "gateway_process.h"
#include "http_test_client.h"
#include "modbus_test_server.h"
#include "test_env.h"

using SteadyClock = std::chrono::steady_clock;
using namespace lpr::testing;

namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p / 100.0 * v.size()));
  return v[i];
}

std::string uuidFor(int i) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "b0000000-0000-4000-8000-%012d", i);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  int reads = 200;
  int intervalMs = 120;
  int maxSeconds = 120;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::stoi(argv[i + 1]);
    if (k == "--reads")
      reads = v;
    else if (k == "--interval-ms")
      intervalMs = v;
    else if (k == "--max-seconds")
      maxSeconds = v;
  }
  ModbusTestServer device;
  device.start();
  GatewayProcess gateway;
  gateway.configure(
      "gateway.log_plates = masked\n"
      "storage.synchronous = full\n"
      "pipeline.processors = auth\n"
      "plugin.cam.type = source_2n_lpr\n"
      "plugin.cam.auth = basic\n"
      "plugin.cam.username = bench\n"
      "plugin.cam.password = bench\n"
      "plugin.auth.type = proc_authorize\n"
      "plugin.auth.list.1.action = allow\n"
      "plugin.auth.list.1.plate = AB123CD\n"
      "plugin.gate.type = sink_barrier_modbus\n"
      "plugin.gate.host = 127.0.0.1\n"
      "plugin.gate.port = " +
      std::to_string(device.port()) +
      "\n"
      "plugin.gate.ap.0.address = 0\n"
      "plugin.gate.pulse_ms = 50\n");
  gateway.start();
  // start() of the sink writes the coil off once: wait for it, then count from a clean slate.
  device.waitWrites([](const auto& w) { return !w.empty(); }, std::chrono::seconds(10));
  device.clearWrites();
  std::printf(
      "lpr-bench-barrier: gateway %s, Modbus device 127.0.0.1:%d, %d reads every %d ms, "
      "storage.synchronous=full, %u cores\n",
      GatewayProcess::binary().c_str(), device.port(), reads, intervalMs,
      std::thread::hardware_concurrency());

  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(gateway.port()));
  session.setKeepAlive(true);
  std::vector<double> latencyMs;
  std::vector<double> answerMs;
  int failed = 0;
  int missed = 0;
  const auto deadline = SteadyClock::now() + std::chrono::seconds(maxSeconds);
  for (int i = 0; i < reads && SteadyClock::now() < deadline; ++i) {
    const std::size_t onBefore = device.coilWrites(0).size();
    std::string body = twoNRead(uuidFor(i), "AB123CD", 0, i + 1);
    Poco::Net::HTTPRequest req("POST", "/api/lpr/licenseplate", "HTTP/1.1");
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    req.setKeepAlive(true);
    Poco::Net::HTTPBasicCredentials("bench", "bench").authenticate(req);
    const auto sent = SteadyClock::now();
    try {
      session.sendRequest(req) << body;
      Poco::Net::HTTPResponse resp;
      std::string answer;
      Poco::StreamCopier::copyToString(session.receiveResponse(resp), answer);
      answerMs.push_back(
          std::chrono::duration<double, std::milli>(SteadyClock::now() - sent).count());
      if (answer != R"({"success":true})") ++failed;
    } catch (const std::exception&) {
      ++failed;
      session.reset();
      continue;
    }
    // The pulse: "1" then "0"; the "1" is this read's.
    bool pulsed = device.waitWrites(
        [&](const std::vector<ModbusWrite>& all) {
          std::size_t coil = 0;
          for (const auto& w : all) coil += w.address == 0 ? 1 : 0;
          return coil >= onBefore + 2;
        },
        std::chrono::seconds(3));
    auto writes = device.coilWrites(0);
    bool found = false;
    for (std::size_t w = onBefore; w < writes.size(); ++w) {
      if (writes[w].value == 1 && writes[w].at >= sent) {
        latencyMs.push_back(std::chrono::duration<double, std::milli>(writes[w].at - sent).count());
        found = true;
        break;
      }
    }
    if (!pulsed || !found) ++missed;
    std::this_thread::sleep_until(sent + std::chrono::milliseconds(intervalMs));
  }
  std::printf("reads=%zu pulses=%zu failed=%d missed=%d\n", answerMs.size(), latencyMs.size(),
              failed, missed);
  std::printf("  answer to camera    p50 %7.3f ms  p95 %7.3f ms  max %7.3f ms\n",
              percentile(answerMs, 50), percentile(answerMs, 95), percentile(answerMs, 100));
  std::printf(
      "  read to coil on     p50 %7.3f ms  p95 %7.3f ms  max %7.3f ms  (target p95 <= 50 ms)\n",
      percentile(latencyMs, 50), percentile(latencyMs, 95), percentile(latencyMs, 100));
  gateway.stop();
  device.stop();
  return failed == 0 && missed == 0 ? 0 : 1;
}
