#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <string>
#include <thread>

#include "analysis_pacing.h"
#include "motion_gate.h"
#include "mqtt_trigger.h"
#include "ocr/plate_reader.h"
#include "plugin/log_throttle.h"
#include "plugin/plugin.h"
#include "rtsp_capture.h"
#include "snapshot.h"
#include "vehicle_votes.h"

namespace lpr {
class Counter;
class Histogram;
}  // namespace lpr

namespace lpr::plugins::source_rtsp {

extern const PluginDescriptor kDescriptor;

// Counters read by the metrics gauges, which may outlive the plugin.
struct CameraGauges {
  std::atomic<bool> connected{false};
  std::atomic<double> fpsRead{0.0};
  std::atomic<double> fpsAnalysed{0.0};
};

// Reads plates off one RTSP camera: a capture thread keeps the newest frame (reconnecting with
// backoff), an analysis thread takes it through the trigger window (opened by an HTTP POST or
// an MQTT message), the rate limit and the motion gate to the plate reader, follows vehicles
// across frames (VehicleVotes) and hands each vehicle's first confident read, then its
// refinements (same vehicle_id), to ctx.ingest() with the frame as a JPEG snapshot.
class SourceRtsp : public Source {
 public:
  SourceRtsp();
  ~SourceRtsp() override;

  void configure(PluginContext& ctx) override;
  StartResult start() override;
  void stop() noexcept override;
  void describe(std::ostream& out) const override;
  Health health() const override;

 private:
  struct Frame {
    cv::Mat image;
    SteadyTime steadyAt{};
    TimePoint capturedAt{};
    std::uint64_t number = 0;
  };
  void captureLoop();
  void analysisLoop();
  void analyse(const Frame& frame);
  void publish(const Frame& frame, const ocr::PlateRead& read, const VehicleUpdate& update);
  bool waitStopping(std::chrono::milliseconds duration);
  void fireTrigger();
  void readTriggerKeys(ConfigReader& config);

  PluginContext* ctx_ = nullptr;
  bool configured_ = false;
  CaptureSettings capture_;
  std::string modelDir_;
  ocr::ReaderOptions readerOptions_;
  int ocrThreads_ = 1;
  double maxAnalysisFps_ = 5.0;
  RoiFraction roi_;
  std::string roiText_ = "0,0,1,1";
  double motionThreshold_ = 0.002;
  std::chrono::milliseconds motionHold_{2000};
  std::string trigger_ = "none";
  std::string triggerPath_;
  VoteOptions votes_;
  std::chrono::milliseconds reconnectMin_{500};
  std::chrono::milliseconds reconnectMax_{30000};
  int accessPoint_ = 0;
  std::size_t snapshotMaxBytes_ = kSnapshotMaxBytes;

  std::unique_ptr<ocr::PlateReader> reader_;
  std::shared_ptr<CameraGauges> gauges_;
  std::string runId_;  // keeps vehicle ids unique across restarts
  Counter* framesRead_ = nullptr;
  Counter* framesAnalysed_ = nullptr;
  Counter* framesDropped_ = nullptr;
  Counter* skippedRate_ = nullptr;
  Counter* skippedMotion_ = nullptr;
  Counter* skippedTrigger_ = nullptr;
  Counter* triggers_ = nullptr;
  Counter* reconnects_ = nullptr;
  Counter* vehicles_ = nullptr;
  Counter* refinements_ = nullptr;
  Counter* storeFailed_ = nullptr;
  Histogram* analysisSeconds_ = nullptr;
  Histogram* publishSeconds_ = nullptr;
  LogThrottle throttle_;

  mutable std::mutex mutex_;  // guards the fields below
  std::condition_variable wake_;
  bool running_ = false;
  bool stopping_ = false;
  Frame latest_;
  bool latestTaken_ = true;
  std::uint64_t connectEpoch_ = 0;  // bumps on each (re)connect: the analysis forgets vehicles
  std::string lastError_;
  TriggerWindow triggerWindow_{std::chrono::milliseconds(5000)};
  std::thread captureThread_;
  std::thread analysisThread_;
  // Last, so that it is gone (its paho callbacks with it) before what fireTrigger() touches.
  std::unique_ptr<MqttTrigger> mqttTrigger_;
};

}  // namespace lpr::plugins::source_rtsp
