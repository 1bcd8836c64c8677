#include "config/config_reader.h"

#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <Poco/Util/AbstractConfiguration.h>

#include <functional>
#include <sstream>

namespace lpr {

ConfigReader::ConfigReader(const Poco::Util::AbstractConfiguration& root, std::string prefix,
                           ConfigProblems& problems)
    : root_(root), prefix_(std::move(prefix)), problems_(problems) {}

std::string ConfigReader::fullKey(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

bool ConfigReader::has(std::string_view key) const { return root_.has(fullKey(key)); }

std::string ConfigReader::raw(std::string_view key, bool& present) const {
  const std::string full = fullKey(key);
  present = root_.has(full);
  if (!present) return {};
  try {
    return Poco::trim(root_.getString(full));
  } catch (const Poco::Exception& e) {
    // An unresolvable ${...} reference, e.g. a secret whose environment variable is unset.
    const_cast<ConfigReader*>(this)->problem(key, root_.getRawString(full, ""),
                                             "a resolvable value (" + e.displayText() + ")");
    present = false;
    return {};
  }
}

void ConfigReader::problem(std::string_view key, const std::string& value,
                           const std::string& expected) {
  problems_.add(fullKey(key) + " = '" + value + "': expected " + expected);
}

std::string ConfigReader::getString(std::string_view key, const std::string& fallback) {
  known_.insert(std::string(key));
  bool present = false;
  std::string value = raw(key, present);
  return present ? value : fallback;
}

std::string ConfigReader::requireString(std::string_view key) {
  known_.insert(std::string(key));
  bool present = false;
  std::string value = raw(key, present);
  if (!present || value.empty()) {
    problems_.add(fullKey(key) + " is missing: it must be set");
  }
  return value;
}

long long ConfigReader::getInt(std::string_view key, long long fallback, long long min,
                               long long max) {
  known_.insert(std::string(key));
  bool present = false;
  std::string value = raw(key, present);
  if (!present) return fallback;
  Poco::Int64 parsed = 0;
  if (!Poco::NumberParser::tryParse64(value, parsed) || parsed < min || parsed > max) {
    problem(key, value, "an integer in " + std::to_string(min) + ".." + std::to_string(max));
    return fallback;
  }
  return parsed;
}

double ConfigReader::getDouble(std::string_view key, double fallback, double min, double max) {
  known_.insert(std::string(key));
  bool present = false;
  std::string value = raw(key, present);
  if (!present) return fallback;
  double parsed = 0;
  if (!Poco::NumberParser::tryParseFloat(value, parsed) || parsed < min || parsed > max) {
    std::ostringstream range;
    range << "a number in " << min << ".." << max;
    problem(key, value, range.str());
    return fallback;
  }
  return parsed;
}

bool ConfigReader::getBool(std::string_view key, bool fallback) {
  known_.insert(std::string(key));
  bool present = false;
  std::string value = raw(key, present);
  if (!present) return fallback;
  bool parsed = false;
  if (!Poco::NumberParser::tryParseBool(value, parsed)) {
    problem(key, value, "true or false");
    return fallback;
  }
  return parsed;
}

std::string ConfigReader::getEnum(std::string_view key, const std::string& fallback,
                                  std::initializer_list<std::string_view> allowed) {
  known_.insert(std::string(key));
  bool present = false;
  std::string value = raw(key, present);
  if (!present) return fallback;
  for (auto a : allowed) {
    if (value == a) return value;
  }
  std::string list;
  for (auto a : allowed) list += (list.empty() ? "" : " | ") + std::string(a);
  problem(key, value, "one of " + list);
  return fallback;
}

std::vector<std::string> ConfigReader::getList(std::string_view key,
                                               const std::vector<std::string>& fallback) {
  known_.insert(std::string(key));
  bool present = false;
  std::string value = raw(key, present);
  if (!present) return fallback;
  std::vector<std::string> out;
  Poco::StringTokenizer tok(
      value, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  for (const auto& t : tok) out.push_back(t);
  return out;
}

std::vector<std::string> ConfigReader::childKeys(std::string_view key) const {
  Poco::Util::AbstractConfiguration::Keys keys;
  root_.keys(fullKey(key), keys);
  return {keys.begin(), keys.end()};
}

void ConfigReader::markKnown(std::initializer_list<std::string_view> keys) {
  for (auto k : keys) known_.insert(std::string(k));
}

void ConfigReader::reportUnknownKeys() {
  // Walk every leaf below the prefix; a key with children may also carry a value.
  std::function<void(const std::string&)> walk = [&](const std::string& rel) {
    Poco::Util::AbstractConfiguration::Keys children;
    root_.keys(rel.empty() ? prefix_ : fullKey(rel), children);
    for (const auto& child : children) {
      std::string childRel = rel.empty() ? child : rel + "." + child;
      if (root_.hasProperty(fullKey(childRel)) && !known_.count(childRel)) {
        problems_.add(fullKey(childRel) + " is not a known key of this " +
                      (prefix_.rfind("plugin.", 0) == 0 ? "plugin" : "section") +
                      " (check the spelling; see the sample configuration)");
      }
      walk(childRel);
    }
  };
  walk("");
}

}  // namespace lpr
