#include "webhook/json_stream_splitter.h"

namespace lpr {
namespace {

constexpr std::size_t kGarbageShown = 64;

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

void JsonStreamSplitter::flushGarbage(std::vector<Piece>& out) {
  if (garbageBytes_ == 0) return;
  out.push_back({Piece::Kind::Garbage, garbage_});
  garbage_.clear();
  garbageBytes_ = 0;
}

std::vector<JsonStreamSplitter::Piece> JsonStreamSplitter::feed(std::string_view bytes) {
  std::vector<Piece> out;
  for (char c : bytes) {
    if (depth_ == 0) {
      if (c != '{') {
        if (!isSpace(c)) {
          if (garbage_.size() < kGarbageShown) garbage_ += c;
          ++garbageBytes_;
        }
        continue;
      }
      flushGarbage(out);
      depth_ = 1;
      inString_ = escaped_ = dropping_ = false;
      object_.assign(1, c);
      continue;
    }
    if (!dropping_) {
      if (object_.size() >= max_) {
        dropping_ = true;
        object_.clear();
        object_.shrink_to_fit();
        out.push_back({Piece::Kind::TooBig, {}});
      } else {
        object_ += c;
      }
    }
    if (inString_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        inString_ = false;
      }
      continue;
    }
    if (c == '"') {
      inString_ = true;
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) {
        if (!dropping_) out.push_back({Piece::Kind::Object, std::move(object_)});
        object_.clear();
        dropping_ = false;
      }
    }
  }
  // Garbage is reported once the next object starts, or here at the end of what came, so a
  // stray line does not wait for the next read.
  flushGarbage(out);
  return out;
}

}  // namespace lpr
