#include "proc_normalize.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <string>

#include "metrics/metrics.h"

namespace lpr::plugins::proc_normalize {

namespace {

const char* const kFormatAttribute = "plate_format";

bool allDigits(const std::string& s) {
  return !s.empty() && s.size() <= 4 && s.find_first_not_of("0123456789") == std::string::npos;
}

std::string joinKeys(const std::map<std::string, std::vector<std::string>>& formats) {
  std::string out;
  for (const auto& [country, list] : formats) {
    if (!list.empty()) out += (out.empty() ? "" : ",") + country;
  }
  return out;
}

}  // namespace

const PluginDescriptor kDescriptor{
    "proc_normalize", PluginKind::Processor,
    "Plate text normalization: case, separators, look-alike letters, replace rules, repair of "
    "O/0-style OCR confusions by per-country plate formats",
    []() -> std::unique_ptr<Plugin> { return std::make_unique<ProcNormalize>(); }};

void ProcNormalize::configure(PluginContext& ctx) {
  ctx_ = &ctx;
  ConfigReader& config = ctx.config();
  NormalizerOptions options;
  options.repair = config.getBool("repair", options.repair);
  tagFormat_ = config.getBool("tag_format", tagFormat_);
  readFormats(config, options);
  readReplaceRules(config, options);

  const std::string country = config.getString("default_country", "");
  if (!country.empty()) {
    const auto code = countryCode(country);
    const auto formats = code ? options.formats.find(*code) : options.formats.end();
    if (!code) {
      config.problem("default_country", country,
                     "an ISO 3166 country code of 2 or 3 letters (e.g. DE), or nothing");
    } else if (formats == options.formats.end() || formats->second.empty()) {
      config.problem("default_country", country,
                     "a country with plate formats: a preset (" + joinKeys(presetFormats()) +
                         ") or one given as formats." + *code);
    } else {
      options.defaultCountry = *code;
    }
  }
  normalizer_ = PlateNormalizer(std::move(options));
}

// formats.<country> = pattern, pattern, ...: replaces the preset of that country.
void ProcNormalize::readFormats(ConfigReader& config, NormalizerOptions& options) {
  std::map<std::string, std::string> seen;  // code → key, to catch formats.de beside formats.DE
  for (const std::string& name : config.childKeys("formats")) {
    const std::string key = "formats." + name;
    const std::vector<std::string> patterns = config.getList(key, {});
    const auto code = countryCode(name);
    if (!code) {
      config.problem(key, config.getString(key, ""),
                     "a key formats.<country> with an ISO 3166 code of 2 or 3 letters, "
                     "e.g. formats.DE");
      continue;
    }
    if (auto [it, added] = seen.emplace(*code, key); !added) {
      config.problem(key, config.getString(key, ""),
                     "one key per country (" + it->second + " sets " + *code + " already)");
      continue;
    }
    std::vector<std::string> formats;
    for (std::string pattern : patterns) {
      std::transform(pattern.begin(), pattern.end(), pattern.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      if (!isValidFormat(pattern)) {
        config.problem(key, pattern,
                       "comma-separated plate formats of L (letter) and D (digit), 1-" +
                           std::to_string(kMaxFormatLength) + " positions each, e.g. LLDDDLL");
        continue;
      }
      if (std::find(formats.begin(), formats.end(), pattern) == formats.end()) {
        formats.push_back(pattern);
      }
    }
    options.formats[*code] = std::move(formats);
  }
}

// replace.<n> = FROM>TO, applied in numeric order of n.
void ProcNormalize::readReplaceRules(ConfigReader& config, NormalizerOptions& options) {
  std::map<int, std::pair<std::string, ReplaceRule>> rules;  // n → (key, rule)
  for (const std::string& name : config.childKeys("replace")) {
    const std::string key = "replace." + name;
    const std::string value = config.getString(key, "");
    if (!allDigits(name) || std::stoi(name) == 0) {
      config.problem(key, value,
                     "a key replace.<n> with n a number 1-9999 (rules apply in order of n)");
      continue;
    }
    std::string expected;
    auto rule = parseReplaceRule(value, expected);
    if (!rule) {
      config.problem(key, value, expected);
      continue;
    }
    const int n = std::stoi(name);
    if (auto [it, added] = rules.emplace(n, std::make_pair(key, std::move(*rule))); !added) {
      config.problem(key, value, "one rule per number (" + it->second.first + " has it already)");
    }
  }
  for (auto& [n, keyed] : rules) options.replace.push_back(std::move(keyed.second));
}

StartResult ProcNormalize::start() {
  if (!ctx_) return StartResult::fatal("not configured");
  const Labels labels{{"plugin", ctx_->instanceId()}};
  dropped_ = &ctx_->metrics().counter("lpr_normalize_dropped_total",
                                      "Reads dropped because no letter or digit was left", labels);
  repaired_ =
      &ctx_->metrics().counter("lpr_normalize_repaired_total",
                               "Plates repaired by position to their country's format", labels);
  return StartResult::ok();
}

void ProcNormalize::describe(std::ostream& out) const {
  const NormalizerOptions& o = normalizer_.options();
  out << "default_country=" << (o.defaultCountry.empty() ? "none" : o.defaultCountry)
      << " repair=" << (o.repair ? "true" : "false")
      << " tag_format=" << (tagFormat_ ? "true" : "false") << " replace_rules=" << o.replace.size()
      << " formats=" << joinKeys(o.formats);
}

Verdict ProcNormalize::process(PlateEvent& event) {
  // plateRaw is what the camera sent; a source that fills only `plate` still gets normalized.
  const std::string& input = event.plateRaw.empty() ? event.plate : event.plateRaw;
  Normalized result = normalizer_.normalizeDetailed(input, event.country);
  Poco::Logger& log = ctx_->logger();
  if (result.plate.empty()) {
    if (dropped_) dropped_->inc();
    if (log.debug()) log.debug("dropped raw=\"%s\": no letter or digit", ctx_->maskPlate(input));
    return Verdict::drop("plate text has no letter or digit after normalization");
  }
  if (result.fit && *result.fit == FormatFit::Repaired && repaired_) repaired_->inc();
  if (log.debug()) {
    log.debug("normalized raw=\"%s\" plate=\"%s\" format=%s", ctx_->maskPlate(input),
              ctx_->maskPlate(result.plate),
              std::string(result.fit ? toString(*result.fit) : "unchecked"));
  }
  event.plate = std::move(result.plate);
  if (tagFormat_ && result.fit) event.attributes[kFormatAttribute] = toString(*result.fit);
  return Verdict::pass();
}

}  // namespace lpr::plugins::proc_normalize
