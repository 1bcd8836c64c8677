// RTSP source latency benchmark (loopback only): a real RTSP server (tests/rtsp/rtsp_server.py)
// streams a clip made from a plate photo in which one car approaches; the clip ends after 6 s,
// the source reconnects and the next session is the next car. The gateway binary runs
// source_rtsp, proc_track and sink_mqtt against a local mosquitto; a subscriber times each
// event: frame read off the stream (the event's captured_at) → event received from the broker.
//   LPR_GATEWAY_BIN=build/bin/lpr-gateway build/bin/lpr-bench-rtsp [--vehicles N]
//     [--analysis-fps F] [--max-seconds S] [--backend ffmpeg|gstreamer]     (LPR_BENCH_LOG=1 also
//     prints the gateway log)
// captured_at has millisecond resolution; the GStreamer reader adds 2 ms (p50) / 5 ms (p95)
// between the frame's arrival and the read (docs: test-infra §5), which is not in these figures.
#include <Poco/JSON/Parser.h>
#include <mqtt/async_client.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "bus/plate_event.h"
#include "gateway_process.h"
#include "mosquitto_broker.h"
#include "rtsp_test_camera.h"
#include "test_env.h"

using namespace lpr::testing;

namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p / 100.0 * v.size()));
  return v[i];
}

struct Sample {
  double ms;
  bool first;
  std::string vehicle;
  std::string plate;
};

}  // namespace

int main(int argc, char** argv) {
  int vehicles = 20;
  double analysisFps = 10;
  int maxSeconds = 300;
  std::string backend = "ffmpeg";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--vehicles")
      vehicles = std::stoi(argv[i + 1]);
    else if (k == "--analysis-fps")
      analysisFps = std::stod(argv[i + 1]);
    else if (k == "--max-seconds")
      maxSeconds = std::stoi(argv[i + 1]);
    else if (k == "--backend")
      backend = argv[i + 1];
  }
  setenv("LPR_SOURCE_DIR", LPR_BENCH_SOURCE_DIR, 0);
  ScratchDir scratch("lpr-bench-rtsp");
  const std::string clip = scratch.file("approach.mp4");
  makeApproachClip(std::string(LPR_BENCH_PLATES) + "/br/AYO9034.jpg", clip, 0.5, 3.0, 6.0);
  RtspTestCamera camera(clip, scratch.file("rtsp_server.log"));
  camera.start();
  MosquittoBroker broker;
  broker.start();

  std::mutex mutex;
  std::vector<Sample> samples;
  std::set<std::string> seenVehicles;
  mqtt::async_client subscriber(broker.uri(), "bench-rtsp-sub", nullptr);
  subscriber.set_message_callback([&](mqtt::const_message_ptr m) {
    const auto now = lpr::Clock::now();
    Poco::JSON::Parser parser;
    auto obj = parser.parse(m->to_string()).extract<Poco::JSON::Object::Ptr>();
    const auto captured = lpr::parseUtc(obj->getValue<std::string>("captured_at"));
    if (!captured) return;
    const std::chrono::duration<double, std::milli> ms = now - *captured;
    std::lock_guard<std::mutex> lock(mutex);
    samples.push_back({ms.count(), obj->isNull("update_of"),
                       obj->getValue<std::string>("vehicle_id"),
                       obj->getValue<std::string>("plate")});
    seenVehicles.insert(obj->getValue<std::string>("vehicle_id"));
  });
  subscriber.connect(mqtt::connect_options_builder().clean_session(true).finalize())->wait();
  subscriber.subscribe("lpr/test-gw/event/LicensePlateRecognized", 1)->wait();

  GatewayProcess gateway;
  gateway.configure(
      "plugin.track.type = proc_track\n"
      "plugin.track.cooldown_s = 0\n"
      "pipeline.processors = track\n"
      "plugin.cam1.type = source_rtsp\n"
      "plugin.cam1.url = " +
      camera.url() +
      "\n"
      "plugin.cam1.models = " LPR_BENCH_MODEL_DIR
      "\n"
      "plugin.cam1.region = br\n"
      "plugin.cam1.backend = " +
      backend +
      "\n"
      "plugin.cam1.max_analysis_fps = " +
      std::to_string(analysisFps) +
      "\n"
      "plugin.cam1.reconnect_min_ms = 100\n"
      "plugin.bms.type = sink_mqtt\n"
      "plugin.bms.broker = " +
      broker.uri() +
      "\n"
      "plugin.bms.topic_prefix = lpr\n");
  gateway.start();
  const bool done = waitFor(
      [&] {
        std::lock_guard<std::mutex> lock(mutex);
        return static_cast<int>(seenVehicles.size()) > vehicles;  // the last may be refining
      },
      std::chrono::seconds(maxSeconds), std::chrono::milliseconds(100));
  gateway.stop();
  if (std::getenv("LPR_BENCH_LOG")) std::fprintf(stderr, "%s", gateway.log().c_str());
  subscriber.disconnect()->wait();
  camera.kill();

  std::lock_guard<std::mutex> lock(mutex);
  std::vector<double> all, firsts, refinements;
  std::map<std::string, std::string> finalText;  // per vehicle, its last (best) text
  for (const auto& s : samples) {
    all.push_back(s.ms);
    (s.first ? firsts : refinements).push_back(s.ms);
    finalText[s.vehicle] = s.plate;
  }
  int right = 0;
  for (const auto& [vehicle, plate] : finalText) right += plate == "AYO9034" ? 1 : 0;
  std::printf(
      "source_rtsp latency, frame read -> event on the broker (%s, %zu vehicles, "
      "%zu events, %d ending with the right text, analysis <= %.1f fps)\n",
      done ? "complete" : "TIMED OUT", seenVehicles.size(), samples.size(), right, analysisFps);
  const auto line = [](const char* what, const std::vector<double>& v) {
    std::printf("  %-12s n=%-4zu p50 %7.1f ms  p95 %7.1f ms  max %7.1f ms\n", what, v.size(),
                percentile(v, 50), percentile(v, 95), percentile(v, 100));
  };
  line("all events", all);
  line("first reads", firsts);
  line("refinements", refinements);
  std::printf("  (target p95 <= 300 ms)\n");
  return done ? 0 : 1;
}
