#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/String.h>

#include <cstddef>
#include <map>
#include <string>

#include "two_n_reply.h"
#include "two_n_simulator.h"

namespace lpr::testing {

// LPR requests and exchanges kept for tests; the oldest go first.
constexpr std::size_t kMaxRecords = 10000;
// LPR requests that keep their body and image; older ones keep only the parsed fields.
constexpr std::size_t kFullLprRecords = 100;

// One request to the simulator, parsed: what every endpoint handler gets.
struct TwoNSimulator::Call {
  Poco::Net::HTTPServerRequest& request;
  Poco::Net::HTTPServerResponse& response;
  std::string method{};
  std::string uri{};
  std::string path{};
  std::string mediaType{};  // lower case, without parameters
  std::string body{};
  std::map<std::string, std::string> params{};
  std::map<std::string, std::string> blobs{};  // multipart parts named blob-*
  std::string account{};

  bool has(const std::string& name) const { return params.count(name) != 0; }
  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
  // The JSON body: application/json, or a blob-* part of a multipart body.
  Poco::JSON::Object::Ptr json() const {
    for (const auto& [name, data] : blobs) {
      if (name.rfind("blob-", 0) == 0) return parseJsonObject(data);
    }
    if (mediaType == "multipart/form-data" || Poco::trim(body).empty()) return makeObject();
    return parseJsonObject(body);
  }
};

}  // namespace lpr::testing
