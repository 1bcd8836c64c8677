#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace lpr::testing {

// Spoils a good payload the ways cameras, proxies and attackers do: truncation, flipped bytes,
// values of the wrong type, huge fields, bad base64, deep nesting, entity bombs, broken multipart
// boundaries. Deterministic for a seed, so a failing case can be replayed.
class PayloadMutator {
 public:
  explicit PayloadMutator(std::uint32_t seed) : random_(seed) {}

  struct Mutant {
    std::string body;
    std::string contentType;
    std::string kind;  // which mutation, for the failure message
  };
  Mutant mutate(const std::string& body, const std::string& contentType);

 private:
  std::size_t below(std::size_t n) { return n == 0 ? 0 : random_() % n; }
  std::string truncate(const std::string& body);
  std::string flipBytes(const std::string& body);
  std::string wrongType(const std::string& body);
  std::string hugeField(const std::string& body);
  std::string badBase64(const std::string& body);
  std::string deepNesting(const std::string& body);
  std::string entityBomb(const std::string& body);
  std::string spliceSpan(const std::string& body);
  Mutant breakMultipart(const std::string& body, const std::string& contentType);

  std::mt19937 random_;
};

}  // namespace lpr::testing
