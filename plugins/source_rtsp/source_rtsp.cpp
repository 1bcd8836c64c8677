#include "source_rtsp.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <algorithm>
#include <opencv2/core/utils/logger.hpp>
#include <ostream>

#include "bus/ingest.h"
#include "http/http_router.h"
#include "metrics/metrics.h"

#ifndef LPR_RTSP_DEFAULT_MODEL_DIR
#error "LPR_RTSP_DEFAULT_MODEL_DIR must name the installed model folder"
#endif

namespace lpr::plugins::source_rtsp {
namespace {

using namespace std::chrono_literals;
using Ms = std::chrono::milliseconds;

// fps gauges are averaged over this much time.
constexpr auto kFpsWindow = 2s;

const std::vector<double>& msBounds() {
  static const std::vector<double> bounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.2,
                                          0.3,   0.5,  1.0,   2.0,  5.0};
  return bounds;
}

// Counts events over a window and turns them into a rate.
class FpsMeter {
 public:
  void tick(SteadyTime now, std::atomic<double>& out) {
    ++count_;
    flush(now, out);
  }
  void flush(SteadyTime now, std::atomic<double>& out) {
    if (start_ == SteadyTime{}) start_ = now;
    const std::chrono::duration<double> elapsed = now - start_;
    if (elapsed < kFpsWindow) return;
    out.store(count_ / elapsed.count());
    count_ = 0;
    start_ = now;
  }

 private:
  SteadyTime start_{};
  double count_ = 0;
};

}  // namespace

std::unique_ptr<Plugin> create() { return std::make_unique<SourceRtsp>(); }

const PluginDescriptor kDescriptor{
    "source_rtsp", PluginKind::Source,
    "Reads plates off an RTSP camera's video (OpenCV + lpr_ocr), one event per vehicle", &create};

SourceRtsp::SourceRtsp() : gauges_(std::make_shared<CameraGauges>()) {}

SourceRtsp::~SourceRtsp() { stop(); }

void SourceRtsp::configure(PluginContext& ctx) {
  ctx_ = &ctx;
  ConfigReader& config = ctx.config();
  capture_.url = config.getString("url", "");
  if (capture_.url.rfind("rtsp://", 0) != 0 && capture_.url.rfind("rtsps://", 0) != 0) {
    config.problem("url", capture_.url, "the camera's rtsp:// URL (credentials may be in it)");
  }
  capture_.backend = config.getEnum("backend", "ffmpeg", {"ffmpeg", "gstreamer"}) == "ffmpeg"
                         ? CaptureSettings::Backend::FFmpeg
                         : CaptureSettings::Backend::GStreamer;
  capture_.tcp = config.getEnum("transport", "tcp", {"tcp", "udp"}) == "tcp";
  capture_.openTimeoutMs = static_cast<int>(config.getInt("open_timeout_ms", 5000, 100, 60000));
  capture_.readTimeoutMs = static_cast<int>(config.getInt("read_timeout_ms", 3000, 100, 60000));
  reconnectMin_ = Ms(config.getInt("reconnect_min_ms", 500, 10, 60000));
  reconnectMax_ = Ms(config.getInt("reconnect_max_ms", 30000, 10, 600000));
  if (reconnectMax_ < reconnectMin_) {
    config.problem("reconnect_max_ms", std::to_string(reconnectMax_.count()),
                   "at least reconnect_min_ms");
  }
  modelDir_ = config.getString("models", LPR_RTSP_DEFAULT_MODEL_DIR);
  const std::string region = config.getEnum("region", "auto", {"auto", "us", "eu", "br"});
  readerOptions_.region = ocr::regionFromString(region).value_or(ocr::Region::Auto);
  ocrThreads_ = static_cast<int>(config.getInt("ocr_threads", 1, 1, 64));
  maxAnalysisFps_ = config.getDouble("max_analysis_fps", 5.0, 0.0, 1000.0);
  roiText_ = config.getString("roi", roiText_);
  if (auto roi = parseRoi(roiText_)) {
    roi_ = *roi;
  } else {
    config.problem("roi", roiText_,
                   "x,y,width,height as fractions 0..1 of the frame, the box inside it");
  }
  motionThreshold_ = config.getDouble("motion_threshold", motionThreshold_, 0.0, 1.0);
  motionHold_ = Ms(config.getInt("motion_hold_ms", 2000, 0, 600000));
  readTriggerKeys(config);
  votes_.minConfidence =
      static_cast<float>(config.getDouble("min_confidence", votes_.minConfidence, 0.0, 1.0));
  votes_.vehicleTimeout = Ms(config.getInt("vehicle_timeout_ms", 2000, 100, 600000));
  accessPoint_ = static_cast<int>(config.getInt("access_point", 0, 0, 1));
  snapshotMaxBytes_ = static_cast<std::size_t>(
      config.getInt("snapshot_max_bytes", static_cast<long long>(kSnapshotMaxBytes), 16384,
                    static_cast<long long>(kSnapshotMaxBytes)));

  Metrics& m = ctx.metrics();
  const Labels labels{{"plugin", ctx.instanceId()}};
  framesRead_ = &m.counter("lpr_rtsp_frames_read_total", "Frames read off an RTSP camera", labels);
  framesAnalysed_ = &m.counter("lpr_rtsp_frames_analysed_total",
                               "Frames an RTSP source ran the plate reader on", labels);
  framesDropped_ = &m.counter(
      "lpr_rtsp_frames_dropped_total",
      "Frames replaced by a newer one while the plate reader was busy (never looked at)", labels);
  const char* skippedHelp = "Frames an RTSP source did not analyse, by reason";
  skippedRate_ = &m.counter("lpr_rtsp_frames_skipped_total", skippedHelp,
                            {{"plugin", ctx.instanceId()}, {"reason", "rate_limit"}});
  skippedMotion_ = &m.counter("lpr_rtsp_frames_skipped_total", skippedHelp,
                              {{"plugin", ctx.instanceId()}, {"reason", "no_motion"}});
  skippedTrigger_ = &m.counter("lpr_rtsp_frames_skipped_total", skippedHelp,
                               {{"plugin", ctx.instanceId()}, {"reason", "no_trigger"}});
  if (trigger_ != "none") {
    triggers_ = &m.counter("lpr_rtsp_triggers_total",
                           "Triggers (HTTP POSTs, MQTT messages) that opened an analysis window",
                           {{"plugin", ctx.instanceId()}, {"trigger", trigger_}});
  }
  reconnects_ = &m.counter("lpr_rtsp_reconnects_total",
                           "Times an RTSP source connected again after losing its camera", labels);
  vehicles_ = &m.counter("lpr_rtsp_vehicles_total",
                         "Vehicles an RTSP source published (first confident read)", labels);
  refinements_ = &m.counter("lpr_rtsp_refinements_total",
                            "Better texts an RTSP source published for a known vehicle", labels);
  storeFailed_ = &m.counter("lpr_rtsp_store_failed_total",
                            "Reads an RTSP source lost because the store refused them", labels);
  analysisSeconds_ =
      &m.histogram("lpr_rtsp_analysis_seconds", "Time the plate reader took per analysed frame",
                   labels, msBounds());
  publishSeconds_ =
      &m.histogram("lpr_rtsp_capture_to_stored_seconds",
                   "Frame read off the camera to its event stored", labels, msBounds());
  std::weak_ptr<CameraGauges> weak = gauges_;
  m.gauge("lpr_rtsp_connected", "1 while an RTSP source is receiving its camera's stream", labels,
          [weak] {
            auto g = weak.lock();
            return g && g->connected.load() ? 1.0 : 0.0;
          });
  m.gauge("lpr_rtsp_fps_read", "Frames per second read off the camera (last 2 s)", labels, [weak] {
    auto g = weak.lock();
    return g ? g->fpsRead.load() : 0.0;
  });
  m.gauge("lpr_rtsp_fps_analysed", "Frames per second analysed (last 2 s)", labels, [weak] {
    auto g = weak.lock();
    return g ? g->fpsAnalysed.load() : 0.0;
  });
  configured_ = true;
}

void SourceRtsp::readTriggerKeys(ConfigReader& config) {
  trigger_ = config.getEnum("trigger", "none", {"none", "http", "mqtt"});
  triggerPath_ = config.getString("trigger_path", "/api/rtsp/" + ctx_->instanceId() + "/trigger");
  if (triggerPath_.empty() || triggerPath_.front() != '/') {
    config.problem("trigger_path", triggerPath_, "a path starting with /");
  }
  triggerWindow_ = TriggerWindow(Ms(config.getInt("trigger_window_ms", 5000, 100, 600000)));
  mqttTrigger_.reset();
  if (trigger_ == "mqtt") {
    MqttTriggerSettings settings = readMqttTriggerSettings(
        config, "lpr-gateway-" + ctx_->gatewayId() + "-" + ctx_->instanceId() + "-trigger");
    mqttTrigger_ =
        std::make_unique<MqttTrigger>(*ctx_, std::move(settings), [this] { fireTrigger(); });
    return;
  }
  // Unread, they would be reported as unknown; this says what they are missing instead.
  for (const std::string& key : mqttTriggerKeys()) {
    if (!config.has(key)) continue;
    const std::string value =
        key == "trigger_password" ? std::string("<redacted>") : config.getString(key, "");
    config.problem(key, value, "no value unless trigger = mqtt (trigger is " + trigger_ + ")");
  }
}

void SourceRtsp::fireTrigger() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    triggerWindow_.fire(std::chrono::steady_clock::now());
  }
  if (triggers_) triggers_->inc();
}

StartResult SourceRtsp::start() {
  if (!ctx_ || !configured_) return StartResult::fatal("start() before configure()");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (running_) return StartResult::ok();
  }
  if (!reader_) {
    try {
      reader_ = std::make_unique<ocr::PlateReader>(
          ocr::PlateReader::fromModelDir(modelDir_, readerOptions_));
    } catch (const std::exception& e) {
      return StartResult::fatal(ctx_->config().fullKey("models") + " = \"" + modelDir_ +
                                "\": " + e.what());
    }
  }
  cv::setNumThreads(ocrThreads_);
  // Stream hiccups are counted and logged by this plugin; OpenCV's own lines would only repeat
  // them.
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
  runId_ = newUuid().substr(0, 8);
  if (mqttTrigger_) {
    if (StartResult result = mqttTrigger_->start(); result.kind != StartResult::Kind::Ok) {
      return result;
    }
  }
  if (trigger_ == "http") {
    HttpRoute route;
    route.method = "POST";
    route.path = triggerPath_;
    route.owner = ctx_->instanceId();
    route.handle = [this](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
      fireTrigger();
      response.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
      response.send();
    };
    ctx_->http().add(std::move(route));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  running_ = true;
  stopping_ = false;
  captureThread_ = std::thread([this] { captureLoop(); });
  analysisThread_ = std::thread([this] { analysisLoop(); });
  return StartResult::ok();
}

void SourceRtsp::stop() noexcept {
  try {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!running_) return;
      stopping_ = true;
    }
    wake_.notify_all();
    // A blocked read ends within read_timeout_ms (or at the stream's error).
    if (captureThread_.joinable()) captureThread_.join();
    if (analysisThread_.joinable()) analysisThread_.join();
    if (trigger_ == "http") ctx_->http().removeOwner(ctx_->instanceId());
    if (mqttTrigger_) mqttTrigger_->stop();
    gauges_->connected.store(false);
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = false;
    stopping_ = false;
  } catch (...) {
    // stop() must not throw.
  }
}

bool SourceRtsp::waitStopping(Ms duration) {
  std::unique_lock<std::mutex> lock(mutex_);
  return wake_.wait_for(lock, duration, [&] { return stopping_; });
}

void SourceRtsp::captureLoop() {
  Ms backoff = reconnectMin_;
  bool everConnected = false;
  FpsMeter fps;
  std::uint64_t number = 0;
  while (!waitStopping(0ms)) {
    cv::VideoCapture capture;
    if (!openCapture(capture, capture_) || !capture.isOpened()) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        lastError_ = "cannot open the stream";
      }
      throttle_.warn(
          ctx_->logger(), "open",
          "camera not reachable, retrying in " + std::to_string(backoff.count()) + " ms");
      gauges_->fpsRead.store(0.0);
      if (waitStopping(backoff)) break;
      backoff = std::min(backoff * 2, reconnectMax_);
      continue;
    }
    bool gotFrame = false;
    while (!waitStopping(0ms)) {
      cv::Mat image;
      if (!capture.read(image) || image.empty()) break;
      const auto steadyNow = std::chrono::steady_clock::now();
      const auto wallNow = Clock::now();
      if (!gotFrame) {
        gotFrame = true;
        backoff = reconnectMin_;
        gauges_->connected.store(true);
        if (everConnected) reconnects_->inc();
        everConnected = true;
        ctx_->logger().information("stream up %dx%d", image.cols, image.rows);
        std::lock_guard<std::mutex> lock(mutex_);
        ++connectEpoch_;
        lastError_.clear();
      }
      framesRead_->inc();
      fps.tick(steadyNow, gauges_->fpsRead);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!latestTaken_) framesDropped_->inc();
        latest_ = Frame{std::move(image), steadyNow, wallNow, ++number};
        latestTaken_ = false;
      }
      wake_.notify_all();
    }
    capture.release();
    gauges_->connected.store(false);
    gauges_->fpsRead.store(0.0);
    if (waitStopping(0ms)) break;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      lastError_ = gotFrame ? "stream lost" : "stream opened but sent no frame";
    }
    ctx_->logger().warning("%s; reconnecting in %ld ms",
                           std::string(gotFrame ? "stream lost" : "no frame"),
                           static_cast<long>(backoff.count()));
    if (waitStopping(backoff)) break;
    if (!gotFrame) backoff = std::min(backoff * 2, reconnectMax_);
  }
}

void SourceRtsp::analysisLoop() {
  FpsMeter fps;
  RateLimiter limiter(maxAnalysisFps_);
  MotionGate motion(motionThreshold_, motionHold_);
  VehicleVotes votes(votes_);
  std::uint64_t epoch = 0;
  for (;;) {
    Frame frame;
    bool triggered = true;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait_for(lock, 500ms, [&] { return stopping_ || !latestTaken_; });
      if (stopping_) return;
      if (connectEpoch_ != epoch) {
        epoch = connectEpoch_;
        votes.reset();
        motion.reset();
      }
      if (latestTaken_) {
        fps.flush(std::chrono::steady_clock::now(), gauges_->fpsAnalysed);
        votes.expire(std::chrono::steady_clock::now());
        continue;
      }
      frame = latest_;  // shares the pixels; the capture thread assigns a new Mat next
      latestTaken_ = true;
      if (trigger_ != "none") triggered = triggerWindow_.open(frame.steadyAt);
    }
    // The gate sees every frame so that its reference stays the previous frame.
    const bool moving = motion.pass(frame.steadyAt, frame.image, roi_);
    if (!triggered) {
      skippedTrigger_->inc();
      continue;
    }
    if (!moving && votes.openVehicles() == 0) {
      skippedMotion_->inc();
      continue;
    }
    if (!limiter.admit(frame.steadyAt)) {
      skippedRate_->inc();
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    std::vector<ocr::PlateRead> reads;
    try {
      reads = reader_->read(frame.image, roi_.inPixels(frame.image.size()));
    } catch (const std::exception& e) {
      throttle_.warn(ctx_->logger(), "ocr", std::string("plate reader failed: ") + e.what());
      continue;
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    analysisSeconds_->observe(took.count());
    framesAnalysed_->inc();
    fps.tick(std::chrono::steady_clock::now(), gauges_->fpsAnalysed);

    std::vector<PlateObservation> observations;
    for (const auto& r : reads) observations.push_back({r.text, r.confidence, r.box});
    for (const auto& update : votes.observe(frame.steadyAt, observations)) {
      publish(frame, reads[update.observation], update);
    }
  }
}

void SourceRtsp::publish(const Frame& frame, const ocr::PlateRead& read,
                         const VehicleUpdate& update) {
  PlateEvent event;
  event.sourceId = ctx_->instanceId();
  event.sourceEventId = newUuid();
  event.vehicleId = runId_ + "-" + std::to_string(update.vehicle);
  event.plateRaw = read.rawText;
  event.plate = update.text;
  event.confidence = update.confidence;
  event.accessPoint = accessPoint_;
  event.capturedAt = frame.capturedAt;
  event.attributes["frame"] = std::to_string(frame.number);
  event.attributes["votes"] = std::to_string(update.votes);
  const std::string snapshot = encodeSnapshot(frame.image, snapshotMaxBytes_);
  const std::string masked = ctx_->maskPlate(update.text);
  const IngestResult result = ctx_->ingest().submit(std::move(event), snapshot, "jpg");
  if (!result.accepted()) {
    storeFailed_->inc();
    throttle_.warn(
        ctx_->logger(), "store",
        "read lost, the store refused it plate=\"" + masked + "\" error=\"" + result.error + "\"");
    return;
  }
  const std::chrono::duration<double> latency = std::chrono::steady_clock::now() - frame.steadyAt;
  publishSeconds_->observe(latency.count());
  const bool first = update.kind == VehicleUpdate::Kind::First;
  (first ? vehicles_ : refinements_)->inc();
  ctx_->logger().information("%s plate=\"%s\" vehicle=%s-%s confidence=%.2f event=%s",
                             std::string(first ? "vehicle" : "refinement"), masked, runId_,
                             std::to_string(update.vehicle), static_cast<double>(update.confidence),
                             result.eventId);
}

void SourceRtsp::describe(std::ostream& out) const {
  out << "backend = "
      << (capture_.backend == CaptureSettings::Backend::GStreamer ? "gstreamer" : "ffmpeg")
      << "\ntransport = " << (capture_.tcp ? "tcp" : "udp") << "\nmodels = " << modelDir_
      << "\nmax_analysis_fps = " << maxAnalysisFps_ << "\nroi = " << roiText_
      << "\nmotion_threshold = " << motionThreshold_ << "\ntrigger = " << trigger_
      << (trigger_ == "http" ? " (POST " + triggerPath_ + ")" : std::string()) << "\n"
      << "min_confidence = " << votes_.minConfidence << "\n";
  if (mqttTrigger_) mqttTrigger_->describe(out);
}

Health SourceRtsp::health() const {
  const std::string trigger = mqttTrigger_ ? "; " + mqttTrigger_->status() : std::string();
  if (gauges_->connected.load()) {
    // Without its trigger the camera is read but nothing is analysed.
    if (mqttTrigger_ && !mqttTrigger_->connected()) {
      return Health::degraded("receiving the stream" + trigger);
    }
    return Health::ok("receiving the stream" + trigger);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  return Health::unreachable((lastError_.empty() ? "connecting" : lastError_) + trigger);
}

}  // namespace lpr::plugins::source_rtsp
