#pragma once

#include <Poco/JSON/Object.h>

#include <stdexcept>
#include <string>

namespace lpr::testing {

// The 2N error codes the simulator answers with (2n-http-api.md §0).
namespace two_n_error {
constexpr int kNotSupported = 1;
constexpr int kInvalidPath = 2;
constexpr int kInvalidMethod = 3;
constexpr int kDisabled = 4;
constexpr int kInvalidConnectionType = 7;
constexpr int kInvalidAuthMethod = 8;
constexpr int kAuthRequired = 9;
constexpr int kInsufficientPrivileges = 10;
constexpr int kMissingParameter = 11;
constexpr int kInvalidParameter = 12;
constexpr int kParameterTooBig = 13;
constexpr int kProcessingError = 14;
constexpr int kNoData = 15;
constexpr int kAccessPointDisallowed = 18;
}  // namespace two_n_error

// A request the device refuses as a whole: {"success":false,"error":{code, param, description}}.
// Thrown by the endpoint code, turned into the reply by the simulator.
class TwoNError : public std::runtime_error {
 public:
  TwoNError(int code, std::string param = {}, std::string description = {});
  int code() const { return code_; }
  const std::string& param() const { return param_; }
  const std::string& description() const { return description_; }

 private:
  int code_;
  std::string param_;
  std::string description_;
};

// The device's description text for a code ("invalid parameter value"); "" for unknown codes.
std::string twoNErrorDescription(int code);

// {"success":true} or {"success":true,"result":{...}}.
std::string twoNSuccess(const Poco::JSON::Object::Ptr& result = nullptr);
// {"success":false,"error":{"code":..,"param":..,"description":..}}; param only when not empty,
// description defaults to the device's text for the code.
std::string twoNFailure(int code, const std::string& param = {},
                        const std::string& description = {});

// Poco::JSON helpers shared by the simulator's parts.
std::string toJson(const Poco::JSON::Object::Ptr& object);
// An object that keeps its keys in insertion order, so replies read like the device's.
Poco::JSON::Object::Ptr makeObject();
// A deep copy (objects keep their key order).
Poco::Dynamic::Var deepCopy(const Poco::Dynamic::Var& value);
Poco::JSON::Object::Ptr deepCopy(const Poco::JSON::Object::Ptr& object);
// Parses a JSON object; throws TwoNError(12) when the text is not one.
Poco::JSON::Object::Ptr parseJsonObject(const std::string& text);

}  // namespace lpr::testing
