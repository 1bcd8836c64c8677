#pragma once

#include <map>
#include <string>
#include <vector>

#include "plugin/plugin.h"

namespace lpr {

class PluginRegistry {
 public:
  void add(const PluginDescriptor& descriptor) {
    byName_[std::string(descriptor.name)] = &descriptor;
  }
  const PluginDescriptor* find(const std::string& name) const {
    auto it = byName_.find(name);
    return it == byName_.end() ? nullptr : it->second;
  }
  std::vector<const PluginDescriptor*> all() const {
    std::vector<const PluginDescriptor*> out;
    for (const auto& [name, d] : byName_) out.push_back(d);
    return out;
  }

 private:
  std::map<std::string, const PluginDescriptor*> byName_;
};

// Generated from the plugin list in plugins/CMakeLists.txt.
void registerBuiltinPlugins(PluginRegistry& registry);

}  // namespace lpr
