#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace lpr::testing {

// A free TCP port on 127.0.0.1 for peers that cannot bind port 0 and report it (mosquitto).
// The kernel picks it; the small window before the peer binds is closed by retrying the start.
int freeLoopbackPort();

// Polls `condition` until it holds or `timeout` passes; returns the last result. Tests wait on
// observable state with this instead of sleeping for a fixed time.
bool waitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(10),
             std::chrono::milliseconds poll = std::chrono::milliseconds(5));

// A fresh scratch folder under $TMPDIR, removed by the destructor.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag = "lpr-test");
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string readFile(const std::string& path);
// Decodes base64 text (e.g. a plateImage field) to bytes; stops at the first invalid character.
std::string decodeBase64(const std::string& text);
void writeFile(const std::string& path, const std::string& content);
// Absolute path of a program on PATH (or in /usr/sbin), empty when missing.
std::string findProgram(const std::string& name);

}  // namespace lpr::testing
