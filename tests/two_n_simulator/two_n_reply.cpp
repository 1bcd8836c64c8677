#include "two_n_reply.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace lpr::testing {

TwoNError::TwoNError(int code, std::string param, std::string description)
    : std::runtime_error("2N error " + std::to_string(code) +
                         (param.empty() ? std::string() : " (" + param + ")")),
      code_(code),
      param_(std::move(param)),
      description_(description.empty() ? twoNErrorDescription(code) : std::move(description)) {}

std::string twoNErrorDescription(int code) {
  switch (code) {
    case 1:
      return "function is not supported";
    case 2:
      return "invalid request path";
    case 3:
      return "invalid request method";
    case 4:
      return "function is disabled";
    case 5:
      return "function is licensed";
    case 7:
      return "invalid connection type";
    case 8:
      return "invalid authentication method";
    case 9:
      return "authorisation required";
    case 10:
      return "insufficient user privileges";
    case 11:
      return "missing mandatory parameter";
    case 12:
      return "invalid parameter value";
    case 13:
      return "parameter data too big";
    case 14:
      return "unspecified processing error";
    case 15:
      return "no data available";
    case 18:
      return "access point disallowed";
    default:
      return "";
  }
}

std::string toJson(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

Poco::JSON::Object::Ptr makeObject() {
  return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
}

Poco::Dynamic::Var deepCopy(const Poco::Dynamic::Var& value) {
  if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
    return deepCopy(value.extract<Poco::JSON::Object::Ptr>());
  }
  if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
    const auto& source = value.extract<Poco::JSON::Array::Ptr>();
    Poco::JSON::Array::Ptr copy = new Poco::JSON::Array;
    for (std::size_t i = 0; i < source->size(); ++i) copy->add(deepCopy(source->get(i)));
    return copy;
  }
  return value;
}

Poco::JSON::Object::Ptr deepCopy(const Poco::JSON::Object::Ptr& object) {
  Poco::JSON::Object::Ptr copy = makeObject();
  // getNames() lists the keys in insertion order for objects that keep it.
  std::vector<std::string> names;
  object->getNames(names);
  for (const auto& name : names) copy->set(name, deepCopy(object->get(name)));
  return copy;
}

Poco::JSON::Object::Ptr parseJsonObject(const std::string& text) {
  try {
    Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
    Poco::Dynamic::Var value = parser.parse(text);
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
      return value.extract<Poco::JSON::Object::Ptr>();
    }
  } catch (const Poco::Exception&) {
  }
  throw TwoNError(two_n_error::kInvalidParameter, {}, "invalid JSON object");
}

std::string twoNSuccess(const Poco::JSON::Object::Ptr& result) {
  if (!result) return R"({"success":true})";
  return R"({"success":true,"result":)" + toJson(result) + "}";
}

std::string twoNFailure(int code, const std::string& param, const std::string& description) {
  Poco::JSON::Object::Ptr error = makeObject();
  error->set("code", code);
  if (!param.empty()) error->set("param", param);
  error->set("description", description.empty() ? twoNErrorDescription(code) : description);
  return R"({"success":false,"error":)" + toJson(error) + "}";
}

}  // namespace lpr::testing
