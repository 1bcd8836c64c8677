// Every plugin folder carries what an integrator and a reviewer need: a README that contains the
// sample configuration verbatim, a sample.properties, tests, and a name that says its kind.
#include <gtest/gtest.h>

#include <Poco/DirectoryIterator.h>
#include <Poco/Environment.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <string>
#include <vector>

#include "test_env.h"

namespace lpr::testing {
namespace {

std::vector<Poco::Path> pluginFolders() {
  Poco::Path root(Poco::Environment::get("LPR_SOURCE_DIR", "."), "plugins");
  std::vector<Poco::Path> out;
  for (Poco::DirectoryIterator it(root), end; it != end; ++it) {
    if (it->isDirectory()) out.push_back(Poco::Path(it->path()));
  }
  return out;
}

TEST(PluginConventionsTest, EveryPluginFolderIsComplete) {
  auto folders = pluginFolders();
  ASSERT_FALSE(folders.empty());
  for (const auto& folder : folders) {
    const std::string name = folder.getFileName();
    SCOPED_TRACE(name);
    EXPECT_TRUE(name.rfind("source_", 0) == 0 || name.rfind("proc_", 0) == 0 ||
                name.rfind("sink_", 0) == 0)
        << "plugin folders are named source_*, proc_* or sink_*";
    const std::string dir = folder.toString();
    ASSERT_TRUE(Poco::File(dir + "/README.md").exists());
    ASSERT_TRUE(Poco::File(dir + "/sample.properties").exists());
    EXPECT_TRUE(Poco::File(dir + "/CMakeLists.txt").exists());
    std::string readme = readFile(dir + "/README.md");
    std::string sample = readFile(dir + "/sample.properties");
    EXPECT_NE(readme.find(sample), std::string::npos) << "README.md must contain sample.properties verbatim";
    EXPECT_NE(sample.find(".type = " + name), std::string::npos) << "the sample names its type";
    bool hasTest = false;
    for (Poco::DirectoryIterator it(dir), end; it != end; ++it) {
      const std::string file = it.name();
      if (file.size() > 9 && file.compare(file.size() - 9, 9, "_test.cpp") == 0) hasTest = true;
    }
    EXPECT_TRUE(hasTest) << "a plugin has at least one *_test.cpp";
  }
}

}  // namespace
}  // namespace lpr::testing
