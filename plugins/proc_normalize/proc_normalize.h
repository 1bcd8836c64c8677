#pragma once

#include <ostream>

#include "plate_normalizer.h"
#include "plugin/plugin.h"

namespace lpr {
class Counter;
}

namespace lpr::plugins::proc_normalize {

extern const PluginDescriptor kDescriptor;

// Puts every read's plate into one comparable form (see PlateNormalizer) before it is stored;
// plateRaw keeps the text as received. A read with nothing left of its plate is dropped.
class ProcNormalize : public Processor {
 public:
  void configure(PluginContext& ctx) override;
  StartResult start() override;
  void describe(std::ostream& out) const override;
  Verdict process(PlateEvent& event) override;

  const PlateNormalizer& normalizer() const { return normalizer_; }

 private:
  void readFormats(ConfigReader& config, NormalizerOptions& options);
  void readReplaceRules(ConfigReader& config, NormalizerOptions& options);

  PluginContext* ctx_ = nullptr;
  PlateNormalizer normalizer_;
  bool tagFormat_ = true;
  Counter* dropped_ = nullptr;
  Counter* repaired_ = nullptr;
};

}  // namespace lpr::plugins::proc_normalize
