#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lpr {

// Cuts a byte stream into top-level JSON objects ({...}) the way cameras push them back to back
// over raw TCP (AXIS ALPV's TCP mode, Vaxtor JSON lines): braces inside strings and escaped
// quotes do not count, whitespace between objects is skipped. It only frames; the converter
// parses. Pure: no I/O.
class JsonStreamSplitter {
 public:
  struct Piece {
    enum class Kind {
      Object,   // one complete top-level object, text as received
      Garbage,  // bytes outside any object (the first 64 of them in text)
      TooBig,   // an object grew past the limit; its bytes are dropped up to its end
    };
    Kind kind = Kind::Object;
    std::string text;
  };

  explicit JsonStreamSplitter(std::size_t maxObjectBytes) : max_(maxObjectBytes) {}

  // The pieces completed by `bytes`, in stream order.
  std::vector<Piece> feed(std::string_view bytes);
  // True while an object has begun and not ended (a connection closing now cut it off).
  bool inObject() const { return depth_ > 0; }

 private:
  void flushGarbage(std::vector<Piece>& out);

  std::size_t max_;
  std::string object_;
  std::string garbage_;
  std::size_t garbageBytes_ = 0;
  std::size_t depth_ = 0;
  bool inString_ = false;
  bool escaped_ = false;
  bool dropping_ = false;  // in an object over the limit
};

}  // namespace lpr
