#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "two_n_call.h"
#include "two_n_reply.h"
#include "two_n_simulator.h"
#include "two_n_switches.h"

// The simulator's endpoint handlers, one per /api function.
namespace lpr::testing {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

// The documented limit is 256 kB of image data; whether before or after base64 is not said, so
// the simulator holds clients to the stricter reading (the encoded text).
constexpr std::size_t kMaxImageText = 256 * 1024;
constexpr std::size_t kMaxPlateText = 12;

const char* const kEventTypes[] = {"DeviceState", "LicensePlateRecognized", "ApiAccessRequested",
                                   "SwitchStateChanged", "DirectoryChanged"};

// A JSON integer; booleans (which Poco counts as integers) and numeric strings are not.
std::optional<std::int64_t> integerOf(const Var& value) {
  if (value.isBoolean() || !value.isInteger()) return std::nullopt;
  try {
    return value.convert<Poco::Int64>();
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

std::size_t utf8Length(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

void TwoNSimulator::systemInfo(Call& call) {
  Object::Ptr result = makeObject();
  {
    std::lock_guard lock(mutex_);
    result->set("variant", options_.variant);
    result->set("serialNumber", options_.serialNumber);
    result->set("macAddr", options_.macAddr);
    result->set("hwVersion", options_.hwVersion);
    result->set("swVersion", options_.swVersion);
    result->set("buildType", options_.buildType);
    result->set("deviceName", options_.deviceName);
    result->set("firmwarePackage", options_.firmwarePackage);
  }
  replyJson(call, twoNSuccess(result));
}

void TwoNSimulator::systemStatus(Call& call) {
  Object::Ptr result = makeObject();
  result->set("systemTime", nowUnix());
  result->set("upTime", eventLog_.upTimeSeconds());
  replyJson(call, twoNSuccess(result));
}

void TwoNSimulator::licensePlate(Call& call) {
  TwoNLprRequest seen;
  seen.body = call.body;
  seen.account = call.account;
  bool legacy = false;
  LegacyLprKeys legacyKeys = LegacyLprKeys::Reject;
  {
    std::lock_guard lock(mutex_);
    legacy = isLegacyFirmware();
    legacyKeys = options_.legacyLprKeys;
  }
  try {
    if (call.mediaType != "application/json") {
      throw TwoNError(two_n_error::kProcessingError, {}, "Unsupported Content-Type");
    }
    const Object::Ptr body = parseJsonObject(call.body);
    const bool ignoreNew = legacy && legacyKeys == LegacyLprKeys::Ignore;
    for (const char* key : {"lprUuid", "lprID", "accessPoint", "plateText"}) {
      if (legacy && std::string(key) == "lprID") continue;
      if (!body->has(key)) throw TwoNError(two_n_error::kMissingParameter, key);
    }
    if (legacy && legacyKeys == LegacyLprKeys::Reject) {
      for (const char* key : {"lprID", "lprDir"}) {
        if (body->has(key))
          throw TwoNError(two_n_error::kInvalidParameter, key, "unknown parameter");
      }
    }
    const Var uuid = body->get("lprUuid");
    if (!uuid.isString() || !TwoNDirectory::isUuid(uuid.extract<std::string>())) {
      throw TwoNError(two_n_error::kInvalidParameter, "lprUuid");
    }
    seen.lprUuid = uuid.extract<std::string>();
    if (body->has("lprID") && !ignoreNew) {
      const auto id = integerOf(body->get("lprID"));
      if (!id || *id < 0 || *id > 0xFFFFFFFFLL)
        throw TwoNError(two_n_error::kInvalidParameter, "lprID");
      seen.lprId = *id;
    }
    const auto accessPoint = integerOf(body->get("accessPoint"));
    if (!accessPoint || (*accessPoint != 0 && *accessPoint != 1)) {
      throw TwoNError(two_n_error::kInvalidParameter, "accessPoint");
    }
    seen.accessPoint = static_cast<int>(*accessPoint);
    const Var plate = body->get("plateText");
    if (!plate.isString()) throw TwoNError(two_n_error::kInvalidParameter, "plateText");
    seen.plateText = plate.extract<std::string>();
    const std::size_t length = utf8Length(seen.plateText);
    if (length == 0 || length > kMaxPlateText) {
      throw TwoNError(two_n_error::kInvalidParameter, "plateText", "1 to 12 characters");
    }
    if (body->has("lprDir") && !ignoreNew) {
      const auto direction = integerOf(body->get("lprDir"));
      if (!direction || *direction < 0 || *direction > 3) {
        throw TwoNError(two_n_error::kInvalidParameter, "lprDir");
      }
      seen.lprDir = static_cast<int>(*direction);
    }
    if (body->has("plateImage")) {
      const Var image = body->get("plateImage");
      if (!image.isString()) throw TwoNError(two_n_error::kInvalidParameter, "plateImage");
      const std::string& text = image.extract<std::string>();
      if (text.size() > kMaxImageText) throw TwoNError(two_n_error::kParameterTooBig, "plateImage");
      try {
        std::istringstream in(text);
        Poco::Base64Decoder decoder(in);
        Poco::StreamCopier::copyToString(decoder, seen.image);
      } catch (const Poco::Exception&) {
        throw TwoNError(two_n_error::kInvalidParameter, "plateImage", "not base64");
      }
    }
  } catch (const TwoNError& error) {
    seen.errorCode = error.code();
    seen.errorParam = error.param();
    recordLprRequest(seen);
    throw;
  }

  {
    std::lock_guard lock(mutex_);
    seen.decision = directory_.checkPlate(seen.plateText, seen.accessPoint, nowUnix());
    seen.session = ++session_;
    Object::Ptr params = makeObject();
    params->set("session", *seen.session);
    params->set("licensePlate", seen.plateText);
    params->set("ap", seen.accessPoint);
    if (seen.decision.userFound) params->set("uuid", seen.decision.uuid);
    params->set("valid", seen.decision.valid);
    eventLog_.append("LicensePlateRecognized", toJson(params));
    if (seen.decision.valid && options_.doorSwitch > 0) {
      try {
        switches_->control(options_.doorSwitch, "trigger", "auth");
      } catch (const TwoNError&) {
        // A locked or missing door switch keeps the door shut; the read is still accepted.
      }
    }
    if (!seen.image.empty()) {
      images_.push_front({TwoNDirectory::normalisePlate(seen.plateText), seen.image});
      while (images_.size() > options_.imageCapacity) images_.pop_back();
    }
  }
  recordLprRequest(std::move(seen));
  replyJson(call, twoNSuccess());
}

void TwoNSimulator::lprImage(Call& call) {
  if (!call.has("plateText")) throw TwoNError(two_n_error::kMissingParameter, "plateText");
  const auto image = storedImage(call.param("plateText"));
  if (!image) throw TwoNError(two_n_error::kNoData);
  reply(call, 200, "image/jpeg", *image);
}

void TwoNSimulator::logCaps(Call& call) {
  Object::Ptr result = makeObject();
  Array::Ptr events = new Array;
  for (const char* name : kEventTypes) events->add(std::string(name));
  result->set("events", events);
  replyJson(call, twoNSuccess(result));
}

void TwoNSimulator::logSubscribe(Call& call) {
  std::set<std::string> filter;
  std::istringstream names(call.param("filter"));
  for (std::string name; std::getline(names, name, ',');) {
    name = Poco::trim(name);
    if (!name.empty()) filter.insert(name);
  }
  unsigned duration = static_cast<unsigned>(TwoNEventLog::kDefaultDuration.count());
  if (call.has("duration") &&
      !Poco::NumberParser::tryParseUnsigned(call.param("duration"), duration)) {
    throw TwoNError(two_n_error::kInvalidParameter, "duration");
  }
  const std::uint32_t id =
      eventLog_.subscribe(filter, call.param("include"), std::chrono::seconds(duration));
  Object::Ptr result = makeObject();
  result->set("id", id);
  replyJson(call, twoNSuccess(result));
}

void TwoNSimulator::logPull(Call& call) {
  if (!call.has("id")) throw TwoNError(two_n_error::kMissingParameter, "id");
  unsigned id = 0, timeout = 0;
  if (!Poco::NumberParser::tryParseUnsigned(call.param("id"), id)) {
    throw TwoNError(two_n_error::kInvalidParameter, "id");
  }
  if (call.has("timeout") &&
      !Poco::NumberParser::tryParseUnsigned(call.param("timeout"), timeout)) {
    throw TwoNError(two_n_error::kInvalidParameter, "timeout");
  }
  timeout = std::min<unsigned>(timeout, 3600);
  const auto events = eventLog_.pull(id, std::chrono::seconds(timeout));
  if (!events) throw TwoNError(two_n_error::kInvalidParameter, "id", "invalid channel id");
  std::string json = R"({"success":true,"result":{"events":[)";
  for (std::size_t i = 0; i < events->size(); ++i) {
    if (i > 0) json += ',';
    json += (*events)[i].toJson();
  }
  json += "]}}";
  replyJson(call, json);
}

void TwoNSimulator::logUnsubscribe(Call& call) {
  if (!call.has("id")) throw TwoNError(two_n_error::kMissingParameter, "id");
  unsigned id = 0;
  if (!Poco::NumberParser::tryParseUnsigned(call.param("id"), id) || !eventLog_.unsubscribe(id)) {
    throw TwoNError(two_n_error::kInvalidParameter, "id", "invalid channel id");
  }
  replyJson(call, twoNSuccess());
}

void TwoNSimulator::dirTemplate(Call& call) {
  Object::Ptr result = makeObject();
  Array::Ptr users = new Array;
  users->add(TwoNDirectory::templateEntry());
  result->set("users", users);
  replyJson(call, twoNSuccess(result));
}

void TwoNSimulator::dirWrite(Call& call) {
  const Object::Ptr request = call.json();
  Object::Ptr result;
  if (call.path == "/api/dir/create") {
    const std::string force = Poco::toLower(call.param("force"));
    result = directoryCreate(toJson(request), force == "1" || force == "true");
  } else if (call.path == "/api/dir/update") {
    result = directoryUpdate(toJson(request));
  } else {
    result = directoryDelete(toJson(request));
  }
  replyJson(call, twoNSuccess(result));
}

void TwoNSimulator::dirRead(Call& call) {
  const Object::Ptr request = call.json();
  std::string json;
  {
    std::lock_guard lock(mutex_);
    json = twoNSuccess(call.path == "/api/dir/get" ? directory_.get(request)
                                                   : directory_.query(request));
  }
  replyJson(call, json);
}

void TwoNSimulator::switchCaps(Call& call) {
  Object::Ptr result = makeObject();
  Array::Ptr list = new Array;
  for (int number = 1; number <= switches_->count(); ++number) {
    Object::Ptr item = makeObject();
    item->set("switch", number);
    item->set("enabled", true);
    item->set("mode", "monostable");
    item->set(
        "switchOnDuration",
        std::max<std::int64_t>(
            1, std::chrono::duration_cast<std::chrono::seconds>(switches_->onDuration()).count()));
    item->set("type", "normal");
    list->add(item);
  }
  result->set("switches", list);
  replyJson(call, twoNSuccess(result));
}

void TwoNSimulator::switchStatus(Call& call) {
  int only = 0;
  if (call.has("switch") && (!Poco::NumberParser::tryParse(call.param("switch"), only) ||
                             only < 1 || only > switches_->count())) {
    throw TwoNError(two_n_error::kInvalidParameter, "switch");
  }
  Object::Ptr result = makeObject();
  Array::Ptr list = new Array;
  for (int number = 1; number <= switches_->count(); ++number) {
    if (only != 0 && number != only) continue;
    const auto state = switches_->state(number);
    Object::Ptr item = makeObject();
    item->set("switch", number);
    item->set("active", state.active);
    item->set("locked", state.locked);
    item->set("held", state.held);
    list->add(item);
  }
  result->set("switches", list);
  replyJson(call, twoNSuccess(result));
}

void TwoNSimulator::switchCtrl(Call& call) {
  if (!call.has("switch")) throw TwoNError(two_n_error::kMissingParameter, "switch");
  if (!call.has("action")) throw TwoNError(two_n_error::kMissingParameter, "action");
  int number = 0;
  if (!Poco::NumberParser::tryParse(call.param("switch"), number)) {
    throw TwoNError(two_n_error::kInvalidParameter, "switch");
  }
  switches_->control(number, call.param("action"), "api");
  if (call.has("response")) {
    reply(call, 200, "text/plain", call.param("response"));
  } else {
    replyJson(call, twoNSuccess());
  }
}

void TwoNSimulator::grantAccess(Call& call) {
  {
    std::lock_guard lock(mutex_);
    if (!hasGrantAccess()) throw TwoNError(two_n_error::kInvalidPath);
  }
  if (!call.has("id")) throw TwoNError(two_n_error::kMissingParameter, "id");
  if (!call.has("user")) throw TwoNError(two_n_error::kMissingParameter, "user");
  int accessPoint = -1;
  if (!Poco::NumberParser::tryParse(call.param("id"), accessPoint) ||
      (accessPoint != 0 && accessPoint != 1)) {
    throw TwoNError(two_n_error::kInvalidParameter, "id");
  }
  const std::string user = call.param("user");
  if (!TwoNDirectory::isUuid(user)) throw TwoNError(two_n_error::kInvalidParameter, "user");
  Object::Ptr result = makeObject();
  {
    std::lock_guard lock(mutex_);
    const AccessCheck check = directory_.checkUser(user, accessPoint, nowUnix());
    Object::Ptr params = makeObject();
    params->set("ap", accessPoint);
    params->set("valid", check.valid);
    params->set("session", ++session_);
    if (check.userFound) params->set("uuid", check.uuid);
    eventLog_.append("ApiAccessRequested", toJson(params));
    result->set("accessGranted", check.valid);
    if (!check.valid) {
      result->set("reason", check.reason == "apDisabled" ? "invalidAp" : "invalidCredential");
    } else if (options_.doorSwitch > 0) {
      try {
        switches_->control(options_.doorSwitch, "trigger", "api");
      } catch (const TwoNError&) {
      }
    }
  }
  replyJson(call, twoNSuccess(result));
}

}  // namespace lpr::testing
