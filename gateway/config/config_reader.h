#pragma once

#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace Poco::Util {
class AbstractConfiguration;
}

namespace lpr {

// One line per problem, naming the key, the bad value and what is allowed.
class ConfigProblems {
 public:
  void add(std::string line) { lines_.push_back(std::move(line)); }
  const std::vector<std::string>& lines() const { return lines_; }
  bool empty() const { return lines_.empty(); }

 private:
  std::vector<std::string> lines_;
};

// Typed, validating reads of `<prefix>.<key>` from the layered configuration.
// Every getter records a problem instead of throwing, and remembers the key so that
// unknownKeys() can report keys nobody asked for (a typo must not pass silently).
// Values are expanded, so `${system.env.NAME}` works for secrets.
class ConfigReader {
 public:
  ConfigReader(const Poco::Util::AbstractConfiguration& root, std::string prefix,
               ConfigProblems& problems);

  const std::string& prefix() const { return prefix_; }
  std::string fullKey(std::string_view key) const;
  bool has(std::string_view key) const;

  std::string getString(std::string_view key, const std::string& fallback);
  // Records "missing" when the key is absent or empty.
  std::string requireString(std::string_view key);
  long long getInt(std::string_view key, long long fallback, long long min, long long max);
  double getDouble(std::string_view key, double fallback, double min, double max);
  bool getBool(std::string_view key, bool fallback);
  std::string getEnum(std::string_view key, const std::string& fallback,
                      std::initializer_list<std::string_view> allowed);
  // Comma-separated list, items trimmed, empty items skipped.
  std::vector<std::string> getList(std::string_view key, const std::vector<std::string>& fallback);

  // Names directly below `<prefix>.<key>` (for maps such as access_point.<source_id>); each is
  // still read through a getter, which marks it known.
  std::vector<std::string> childKeys(std::string_view key) const;
  // Marks keys as known without reading them (keys owned by the host: type, enabled, ...).
  void markKnown(std::initializer_list<std::string_view> keys);
  // Records one problem per key under the prefix that no getter has read.
  void reportUnknownKeys();

  void problem(std::string_view key, const std::string& value, const std::string& expected);
  ConfigProblems& problems() { return problems_; }

 private:
  std::string raw(std::string_view key, bool& present) const;

  const Poco::Util::AbstractConfiguration& root_;
  std::string prefix_;
  ConfigProblems& problems_;
  std::set<std::string> known_;
};

}  // namespace lpr
