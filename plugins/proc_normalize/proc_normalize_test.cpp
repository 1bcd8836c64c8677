#include "proc_normalize.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "fake_plugin_context.h"
#include "metrics/metrics.h"

namespace lpr::plugins::proc_normalize {
namespace {

using lpr::testing::FakePluginContext;

std::uint64_t counterValue(FakePluginContext& ctx, const std::string& name) {
  return ctx.metrics().counter(name, "", {{"plugin", ctx.instanceId()}}).value();
}

PlateEvent makeRead(std::string raw, std::string country = "") {
  PlateEvent event;
  event.plateRaw = raw;
  event.plate = raw;  // what a source hands over before this processor runs
  event.country = std::move(country);
  return event;
}

class ProcNormalizeTest : public ::testing::Test {
 protected:
  // Configures as the host does: the host's own keys are known, anything else must be read.
  void configure() {
    plugin_.configure(ctx_);
    ctx_.config().markKnown({"type", "enabled", "on_start_error", "log_level"});
    ctx_.config().reportUnknownKeys();
  }
  void configureAndStart() {
    configure();
    ASSERT_TRUE(ctx_.problems().empty()) << ctx_.problemText();
    ASSERT_EQ(plugin_.start().kind, StartResult::Kind::Ok);
  }
  // The one problem line that names `key`; fails the test when there is none.
  std::string problemNaming(const std::string& key) {
    for (const auto& line : ctx_.problems().lines()) {
      if (line.find("plugin.norm." + key + " ") == 0) return line;
    }
    ADD_FAILURE() << "no problem names plugin.norm." << key << "; got:\n" << ctx_.problemText();
    return {};
  }

  FakePluginContext ctx_{"norm"};
  ProcNormalize plugin_;
};

TEST(ProcNormalizeDescriptor, IsTheProcessorNamedLikeItsFolder) {
  EXPECT_EQ(kDescriptor.name, "proc_normalize");
  EXPECT_EQ(kDescriptor.kind, PluginKind::Processor);
  auto plugin = kDescriptor.create();
  EXPECT_NE(dynamic_cast<Processor*>(plugin.get()), nullptr);
}

TEST(ProcNormalizeSample, SamplePropertiesConfigureCleanly) {
  FakePluginContext ctx("norm");
  ctx.loadProperties(PLUGIN_SAMPLE);
  ASSERT_EQ(ctx.root().getString("plugin.norm.type", ""), "proc_normalize");
  ProcNormalize plugin;
  plugin.configure(ctx);
  ctx.config().markKnown({"type"});
  ctx.config().reportUnknownKeys();
  EXPECT_TRUE(ctx.problems().empty()) << ctx.problemText();
  EXPECT_EQ(plugin.normalizer().options().formats.size(), presetFormats().size());
}

TEST_F(ProcNormalizeTest, EmptyConfigGetsDefaults) {
  configureAndStart();
  const NormalizerOptions& o = plugin_.normalizer().options();
  EXPECT_TRUE(o.repair);
  EXPECT_TRUE(o.defaultCountry.empty());
  EXPECT_TRUE(o.replace.empty());
  EXPECT_EQ(o.formats, presetFormats());
  std::ostringstream described;
  plugin_.describe(described);
  EXPECT_NE(described.str().find("default_country=none"), std::string::npos) << described.str();
}

TEST_F(ProcNormalizeTest, NormalizesAndRepairsKeepingTheRawText) {
  ctx_.set("default_country", "fr");
  configureAndStart();
  PlateEvent event = makeRead("ab-I23·cd");
  const Verdict verdict = plugin_.process(event);
  EXPECT_TRUE(verdict.keep) << verdict.why;
  EXPECT_EQ(event.plate, "AB123CD");
  EXPECT_EQ(event.plateRaw, "ab-I23·cd");
  EXPECT_EQ(event.country, "") << "the default country is not written onto the event";
  EXPECT_EQ(event.attributes["plate_format"], "repaired");
  EXPECT_EQ(counterValue(ctx_, "lpr_normalize_repaired_total"), 1u);
  EXPECT_EQ(counterValue(ctx_, "lpr_normalize_dropped_total"), 0u);
}

TEST_F(ProcNormalizeTest, TagsEachFormatOutcome) {
  ctx_.set("default_country", "FR");
  configureAndStart();
  PlateEvent valid = makeRead("AB-123-CD");
  PlateEvent shortRead = makeRead("AB12CD");
  PlateEvent ambiguous = makeRead("A8C1Z34", "BR");
  PlateEvent unknownCountry = makeRead("AB123CD", "AT");
  for (PlateEvent* e : {&valid, &shortRead, &ambiguous, &unknownCountry}) {
    EXPECT_TRUE(plugin_.process(*e).keep);
  }
  EXPECT_EQ(valid.attributes["plate_format"], "matched");
  EXPECT_EQ(shortRead.attributes["plate_format"], "none");
  EXPECT_EQ(ambiguous.attributes["plate_format"], "ambiguous");
  EXPECT_EQ(unknownCountry.attributes.count("plate_format"), 0u);
  EXPECT_EQ(counterValue(ctx_, "lpr_normalize_repaired_total"), 0u);
}

TEST_F(ProcNormalizeTest, NoTagWhenTurnedOff) {
  ctx_.set("default_country", "FR").set("tag_format", "false");
  configureAndStart();
  PlateEvent event = makeRead("0C347DE");
  EXPECT_TRUE(plugin_.process(event).keep);
  EXPECT_EQ(event.plate, "OC347DE");
  EXPECT_TRUE(event.attributes.empty());
}

TEST_F(ProcNormalizeTest, RepairOffLeavesConfusionsAlone) {
  ctx_.set("default_country", "FR").set("repair", "false");
  configureAndStart();
  PlateEvent event = makeRead("0c 347 de");
  EXPECT_TRUE(plugin_.process(event).keep);
  EXPECT_EQ(event.plate, "0C347DE");
  EXPECT_TRUE(event.attributes.empty());
}

TEST_F(ProcNormalizeTest, EmptyPlateIsDroppedAndCounted) {
  configureAndStart();
  PlateEvent event = makeRead(" - . ");
  const Verdict verdict = plugin_.process(event);
  EXPECT_FALSE(verdict.keep);
  EXPECT_FALSE(verdict.why.empty());
  EXPECT_EQ(counterValue(ctx_, "lpr_normalize_dropped_total"), 1u);
  PlateEvent foreign = makeRead("ДЖ");
  EXPECT_FALSE(plugin_.process(foreign).keep);
  EXPECT_EQ(counterValue(ctx_, "lpr_normalize_dropped_total"), 2u);
  EXPECT_NE(
      ctx_.metrics().renderPrometheus().find("lpr_normalize_dropped_total{plugin=\"norm\"} 2"),
      std::string::npos)
      << ctx_.metrics().renderPrometheus();
}

TEST_F(ProcNormalizeTest, SourceWithoutRawTextStillNormalized) {
  configureAndStart();
  PlateEvent event;
  event.plate = "ab 12";
  EXPECT_TRUE(plugin_.process(event).keep);
  EXPECT_EQ(event.plate, "AB12");
  EXPECT_EQ(event.plateRaw, "");
}

TEST_F(ProcNormalizeTest, ReplaceRulesRunInNumericKeyOrder) {
  // Lexical key order (10 before 2) would give X1.
  ctx_.set("replace.2", "AB>X").set("replace.10", "X>Y").set("replace.1", "Ø > 0");
  configureAndStart();
  PlateEvent event = makeRead("ab1");
  EXPECT_TRUE(plugin_.process(event).keep);
  EXPECT_EQ(event.plate, "Y1");
  PlateEvent slashed = makeRead("Ø7");
  EXPECT_TRUE(plugin_.process(slashed).keep);
  EXPECT_EQ(slashed.plate, "07");
}

TEST_F(ProcNormalizeTest, CustomFormatsReplaceThePresetAndAddCountries) {
  ctx_.set("formats.FR", "ddddlll").set("formats.xx", "LLDDD");
  ctx_.set("formats.US", "");
  configureAndStart();
  PlateEvent fr = makeRead("I234ACD", "FR");
  PlateEvent oldFr = makeRead("0C347DE", "FR");
  PlateEvent xx = makeRead("A8123", "XX");
  PlateEvent us = makeRead("ACD3I79", "US");
  for (PlateEvent* e : {&fr, &oldFr, &xx, &us}) EXPECT_TRUE(plugin_.process(*e).keep);
  EXPECT_EQ(fr.plate, "1234ACD");
  EXPECT_EQ(oldFr.plate, "0C347DE");
  EXPECT_EQ(xx.plate, "AB123");
  EXPECT_EQ(us.plate, "ACD3I79") << "formats.US empty: no repair for US";
  EXPECT_EQ(us.attributes.count("plate_format"), 0u);
}

TEST_F(ProcNormalizeTest, DefaultCountryMayBeACustomOne) {
  ctx_.set("formats.AT", "LDDDDLL").set("default_country", "AT");
  configureAndStart();
  PlateEvent event = makeRead("W1234A8");
  EXPECT_TRUE(plugin_.process(event).keep);
  EXPECT_EQ(event.plate, "W1234AB");
}

TEST_F(ProcNormalizeTest, BadFormatPatternNamesTheKey) {
  ctx_.set("formats.FR", "LLDDDLL, LLX");
  configure();
  const std::string line = problemNaming("formats.FR");
  EXPECT_NE(line.find("'LLX'"), std::string::npos) << line;
  EXPECT_NE(line.find("L (letter) and D (digit)"), std::string::npos) << line;
  EXPECT_EQ(ctx_.problems().lines().size(), 1u) << ctx_.problemText();
}

TEST_F(ProcNormalizeTest, BadFormatCountryNamesTheKey) {
  ctx_.set("formats.France", "LLDDDLL");
  configure();
  EXPECT_NE(problemNaming("formats.France").find("ISO 3166"), std::string::npos);
  EXPECT_EQ(ctx_.problems().lines().size(), 1u) << ctx_.problemText();
}

TEST_F(ProcNormalizeTest, SameCountryTwiceNamesTheKey) {
  ctx_.set("formats.DE", "LLDDD").set("formats.de", "LLLDDD");
  configure();
  ASSERT_EQ(ctx_.problems().lines().size(), 1u) << ctx_.problemText();
  EXPECT_NE(ctx_.problems().lines()[0].find("one key per country"), std::string::npos)
      << ctx_.problemText();
}

TEST_F(ProcNormalizeTest, BadReplaceRuleNamesTheKey) {
  ctx_.set("replace.1", "Ø0").set("replace.2", "A>Ø").set("replace.3", "A-B>C");
  configure();
  EXPECT_NE(problemNaming("replace.1").find("'Ø0': expected a rule FROM>TO"), std::string::npos);
  EXPECT_NE(problemNaming("replace.2").find("TO has only"), std::string::npos);
  EXPECT_NE(problemNaming("replace.3").find("separators"), std::string::npos);
  EXPECT_EQ(ctx_.problems().lines().size(), 3u) << ctx_.problemText();
}

TEST_F(ProcNormalizeTest, BadReplaceKeyNamesTheKey) {
  ctx_.set("replace.first", "A>B").set("replace.0", "A>B").set("replace.12345", "A>B");
  configure();
  EXPECT_NE(problemNaming("replace.first").find("replace.<n>"), std::string::npos);
  EXPECT_NE(problemNaming("replace.0").find("replace.<n>"), std::string::npos);
  EXPECT_NE(problemNaming("replace.12345").find("replace.<n>"), std::string::npos);
  EXPECT_EQ(ctx_.problems().lines().size(), 3u) << ctx_.problemText();
}

TEST_F(ProcNormalizeTest, SameRuleNumberTwiceNamesTheKey) {
  ctx_.set("replace.1", "A>B").set("replace.01", "C>D");
  configure();
  ASSERT_EQ(ctx_.problems().lines().size(), 1u) << ctx_.problemText();
  EXPECT_NE(ctx_.problems().lines()[0].find("one rule per number"), std::string::npos);
}

TEST_F(ProcNormalizeTest, BadDefaultCountryNamesTheKey) {
  ctx_.set("default_country", "Germany");
  configure();
  EXPECT_NE(problemNaming("default_country").find("ISO 3166"), std::string::npos);
}

TEST_F(ProcNormalizeTest, DefaultCountryWithoutFormatsNamesTheKey) {
  ctx_.set("default_country", "AT");
  configure();
  const std::string line = problemNaming("default_country");
  EXPECT_NE(line.find("formats.AT"), std::string::npos) << line;
}

TEST_F(ProcNormalizeTest, BadBooleanNamesTheKey) {
  ctx_.set("repair", "maybe");
  configure();
  EXPECT_NE(problemNaming("repair").find("true or false"), std::string::npos);
}

TEST_F(ProcNormalizeTest, UnknownKeysAreReported) {
  ctx_.set("default_contry", "FR").set("replace", "A>B");
  configure();
  EXPECT_NE(problemNaming("default_contry").find("not a known key"), std::string::npos);
  EXPECT_NE(problemNaming("replace").find("not a known key"), std::string::npos);
  EXPECT_EQ(ctx_.problems().lines().size(), 2u) << ctx_.problemText();
}

}  // namespace
}  // namespace lpr::plugins::proc_normalize
