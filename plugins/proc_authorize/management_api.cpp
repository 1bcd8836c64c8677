#include "management_api.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <fstream>
#include <sstream>

#include "access_log.h"
#include "api_json.h"
#include "authorize_config.h"
#include "bus/plate_event.h"
#include "http/http_router.h"
#include "http/http_util.h"
#include "metrics/metrics.h"
#include "user_csv.h"

namespace lpr::plugins::proc_authorize {

namespace access = lpr::access;

namespace {

const char* const kPrefix = "/api/v1/";
const char* const kErrorsMetric = "lpr_input_errors_total";
const char* const kErrorsHelp = "Requests a plugin rejected, by kind";
const char* const kErrorKinds[] = {"auth",          "method",    "malformed_json",
                                   "missing_field", "bad_value", "bad_rows",
                                   "too_big",       "not_found", "owned_by_device"};
const char* const kDeviceOwned = "owned by the 2N device; change it there";

std::string stringify(const Poco::Dynamic::Var& value) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(value, out);
  return out.str();
}

}  // namespace

struct ManagementApi::Reply {
  int status = 200;
  std::string body;
  std::string kind;  // set on a refused request: counted in lpr_input_errors_total
  std::string contentType = "application/json";

  static Reply json(const Poco::Dynamic::Var& value, int status = 200) {
    return {status, stringify(value), "", "application/json"};
  }
  static Reply error(int status, const std::string& code, const std::string& message,
                     const std::string& field = "") {
    return {status, errorJson(code, message, field), code, "application/json"};
  }
  static Reply fieldError(const FieldError& e) { return error(400, e.code, e.message, e.field); }
};

ApiSettings readApiSettings(ConfigReader& config) {
  ApiSettings s;
  s.username = config.getString("api.username", "");
  s.password = config.getString("api.password", "");
  s.auth = *httpAuthModeFromString(config.getEnum("api.auth", "digest", {"digest", "basic"}));
  s.maxBodyBytes = static_cast<std::size_t>(
      config.getInt("api.max_body_bytes", static_cast<long long>(s.maxBodyBytes), 1024, 256 << 20));
  if (!s.username.empty()) {
    if (s.username.find(':') != std::string::npos) {
      config.problem("api.username", s.username, "a name without ':'");
    }
    if (s.password.empty()) config.problem("api.password", "", "a password for api.username");
  }
  return s;
}

ManagementApi::ManagementApi(PluginContext& ctx, ApiSettings settings, LocalStore& store,
                             std::function<void()> changed, Directory directory)
    : ctx_(ctx),
      settings_(std::move(settings)),
      store_(store),
      changed_(std::move(changed)),
      directory_(std::move(directory)),
      auth_(std::make_unique<HttpAuthenticator>(
          settings_.auth, HttpCredentials{settings_.username, settings_.password},
          "lpr-gateway " + ctx.instanceId())),
      owner_(ctx.instanceId()) {}

ManagementApi::~ManagementApi() { stop(); }

void ManagementApi::start() {
  for (const char* kind : kErrorKinds) {
    ctx_.metrics().counter(kErrorsMetric, kErrorsHelp,
                           {{"plugin", ctx_.instanceId()}, {"kind", kind}});
  }
  {
    std::lock_guard lock(routesMutex_);
    if (started_) return;
    started_ = true;
  }
  HttpRoute route;
  route.path = kPrefix;  // every resource below it; route() answers unknown ones with 404
  route.prefix = true;
  route.owner = owner_;  // any method: a wrong one gets a JSON 405 from route()
  route.handle = [this](Poco::Net::HTTPServerRequest& request,
                        Poco::Net::HTTPServerResponse& response) { handle(request, response); };
  ctx_.http().add(std::move(route));
  ctx_.logger().information("management API on %s auth=%s user=\"%s\"", std::string(kPrefix),
                            toString(settings_.auth), settings_.username);
}

void ManagementApi::stop() noexcept {
  std::lock_guard lock(routesMutex_);
  if (!started_) return;
  started_ = false;
  ctx_.http().removeOwner(owner_);
}

void ManagementApi::committed() { changed_(); }

bool ManagementApi::ownedByDevice(const std::string& uuid) const {
  for (const auto& user : directory_()) {
    if (user.uuid == uuid) return true;
  }
  return false;
}

void ManagementApi::handle(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) {
  Reply reply;
  const auto outcome = auth_->evaluate(request);
  if (outcome.result != HttpAuthenticator::Result::Ok) {
    drainBody(request, response, settings_.maxBodyBytes);
    auth_->challenge(response, outcome.result == HttpAuthenticator::Result::Stale);
    // Missing and Stale are the normal first leg of Digest, not a bad request.
    reply = Reply::error(401, "auth", "authentication required");
    if (outcome.result != HttpAuthenticator::Result::Wrong) reply.kind.clear();
  } else {
    try {
      reply = route(request, response, Poco::URI(request.getURI()).getPath());
    } catch (const Poco::Exception& e) {
      ctx_.logger().error("management API %s %s failed: %s", request.getMethod(), request.getURI(),
                          e.displayText());
      reply = Reply::error(500, "store", "the local store failed: " + e.displayText());
      reply.kind.clear();
    }
  }
  if (!reply.kind.empty()) {
    ctx_.metrics()
        .counter(kErrorsMetric, kErrorsHelp, {{"plugin", ctx_.instanceId()}, {"kind", reply.kind}})
        .inc();
  }
  if (reply.status == 204) {
    response.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
    response.setContentLength(0);
    response.send();
    return;
  }
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
  response.setContentType(reply.contentType);
  response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
  response.send() << reply.body;
}

ManagementApi::Reply ManagementApi::route(Poco::Net::HTTPServerRequest& request,
                                          Poco::Net::HTTPServerResponse& response,
                                          const std::string& path) {
  const std::string method = request.getMethod();
  const bool write = method == "POST" || method == "PUT";
  std::optional<std::string> body;
  if (write) {
    body = readBody(request, response, settings_.maxBodyBytes);
    if (!body) {
      return Reply::error(413, "too_big",
                          "body over api.max_body_bytes=" + std::to_string(settings_.maxBodyBytes));
    }
  } else {
    drainBody(request, response, settings_.maxBodyBytes);
  }
  const std::string name = path.substr(std::string(kPrefix).size());
  auto methodNotAllowed = [&] {
    return Reply::error(405, "method", method + " is not allowed on " + path);
  };

  if (name == "users") {
    if (method == "GET") {
      Poco::JSON::Array::Ptr users = new Poco::JSON::Array;
      for (const auto& user : store_.users()) users->add(userToJson(user));
      Poco::JSON::Object root;
      root.set("users", users);
      return Reply::json(root);
    }
    if (method != "POST") return methodNotAllowed();
    access::DirectoryUser user;
    std::string uuid;
    if (auto error = userFromJson(*body, user, uuid)) return Reply::fieldError(*error);
    if (!uuid.empty()) {
      if (ownedByDevice(uuid)) return Reply::error(409, "owned_by_device", kDeviceOwned, "uuid");
      return Reply::error(400, "bad_value", "generated by the gateway", "uuid");
    }
    user.uuid = lpr::newUuid();
    store_.addUsers({user});
    committed();
    return Reply::json(userToJson(user), 201);
  }
  if (name == "users.csv") {
    if (method == "GET") return {200, writeUsersCsv(store_.users()), "", "text/csv; charset=utf-8"};
    if (method != "POST") return methodNotAllowed();
    return importCsv(*body);
  }
  if (name.rfind("users/", 0) == 0) return userItem(method, name.substr(6), body);
  if (name == "lists") {
    if (method == "GET") {
      Poco::JSON::Array::Ptr entries = new Poco::JSON::Array;
      for (const auto& entry : store_.lists()) entries->add(listEntryToJson(entry));
      Poco::JSON::Object root;
      root.set("entries", entries);
      return Reply::json(root);
    }
    if (method != "POST") return methodNotAllowed();
    access::ListEntry entry;
    if (auto error = listEntryFromJson(*body, entry)) return Reply::fieldError(*error);
    const std::int64_t id = store_.addListEntry(entry);
    committed();
    return Reply::json(listEntryToJson({id, entry}), 201);
  }
  if (name.rfind("lists/", 0) == 0) {
    if (method != "DELETE") return methodNotAllowed();
    std::int64_t id = 0;
    try {
      id = std::stoll(name.substr(6));
    } catch (const std::exception&) {
    }
    if (!store_.removeListEntry(id)) return Reply::error(404, "not_found", "no such list entry");
    committed();
    return {204, "", "", ""};
  }
  if (name == "directory") {
    if (method != "GET") return methodNotAllowed();
    Poco::JSON::Array::Ptr users = new Poco::JSON::Array;
    for (const auto& user : directory_()) users->add(userToJson(user));
    Poco::JSON::Object root;
    root.set("users", users);
    return Reply::json(root);
  }
  if (name == "profiles" || name.rfind("profiles/", 0) == 0) {
    return profiles(method, name.size() > 9 ? name.substr(9) : std::string(), body);
  }
  if (name == "holidays" || name.rfind("holidays/", 0) == 0) {
    return holidays(method, name.size() > 9 ? name.substr(9) : std::string(), body);
  }
  if (name == "access-log") {
    if (method != "GET") return methodNotAllowed();
    return accessLog(request);
  }
  if (name.rfind("snapshots/", 0) == 0) {
    if (method != "GET") return methodNotAllowed();
    return snapshot(name.substr(10));
  }
  return Reply::error(404, "not_found", "no such resource");
}

ManagementApi::Reply ManagementApi::profiles(const std::string& method, const std::string& id,
                                             const std::optional<std::string>& body) {
  if (id.empty()) {
    if (method != "GET") return Reply::error(405, "method", method + " is not allowed here");
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& [key, intervals] : store_.profiles()) {
      Poco::JSON::Object::Ptr item = new Poco::JSON::Object;
      item->set("id", key);
      item->set("intervals", intervals);
      list->add(item);
    }
    Poco::JSON::Object root;
    root.set("profiles", list);
    return Reply::json(root);
  }
  if (method == "DELETE") {
    if (!store_.removeProfile(id)) return Reply::error(404, "not_found", "no such profile");
    committed();
    return {204, "", "", ""};
  }
  if (method != "PUT") return Reply::error(405, "method", method + " is not allowed here");
  if (id.size() > 32 ||
      id.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != std::string::npos) {
    return Reply::error(400, "bad_value", "1 to 32 of A-Z a-z 0-9 _ -", "id");
  }
  std::string text;
  try {
    auto object = Poco::JSON::Parser().parse(*body).extract<Poco::JSON::Object::Ptr>();
    text = object->getValue<std::string>("intervals");
  } catch (const Poco::Exception& e) {
    return Reply::error(
        400, "malformed_json",
        "expected {\"intervals\": \"mon-fri 07:00-18:00, ...\"}: " + e.displayText(), "intervals");
  }
  std::string error;
  auto intervals = parseIntervals(text, error);
  if (!intervals) return Reply::error(400, "bad_value", error, "intervals");
  auto problems = access::validateProfile({id, id, *intervals});
  if (!problems.empty()) return Reply::error(400, "bad_value", problems.front(), "intervals");
  store_.putProfile(id, text);
  committed();
  Poco::JSON::Object root;
  root.set("id", id);
  root.set("intervals", text);
  return Reply::json(root);
}

ManagementApi::Reply ManagementApi::holidays(const std::string& method, const std::string& date,
                                             const std::optional<std::string>& body) {
  if (!date.empty()) {
    if (method != "DELETE") return Reply::error(405, "method", method + " is not allowed here");
    if (!store_.removeHoliday(date)) return Reply::error(404, "not_found", "no such holiday");
    committed();
    return {204, "", "", ""};
  }
  if (method == "GET") {
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const auto& day : store_.holidays()) list->add(day);
    Poco::JSON::Object root;
    root.set("holidays", list);
    return Reply::json(root);
  }
  if (method != "POST") return Reply::error(405, "method", method + " is not allowed here");
  std::string text;
  try {
    auto object = Poco::JSON::Parser().parse(*body).extract<Poco::JSON::Object::Ptr>();
    text = object->getValue<std::string>("date");
  } catch (const Poco::Exception& e) {
    return Reply::error(400, "malformed_json",
                        "expected {\"date\": \"2026-12-24\"}: " + e.displayText(), "date");
  }
  auto holiday = parseHoliday(text);
  if (!holiday || !access::validateHoliday(*holiday).empty()) {
    return Reply::error(400, "bad_value", "YYYY-MM-DD (that day) or MM-DD (every year)", "date");
  }
  if (!store_.addHoliday(text)) return Reply::error(409, "exists", "already a holiday", "date");
  committed();
  Poco::JSON::Object root;
  root.set("date", text);
  return Reply::json(root, 201);
}

ManagementApi::Reply ManagementApi::accessLog(const Poco::Net::HTTPServerRequest& request) {
  EventStore* log = ctx_.decisionLog();
  if (log == nullptr) return Reply::error(503, "unavailable", "the access log is not open");
  auto parsed = accessLogQuery(Poco::URI(request.getURI()).getQueryParameters());
  if (auto* error = std::get_if<FieldError>(&parsed)) return Reply::fieldError(*error);
  const EventQuery& query = std::get<EventQuery>(parsed);
  const std::vector<PlateEvent> events = log->query(query);
  Poco::JSON::Array::Ptr entries = new Poco::JSON::Array;
  auto mask = [this](const std::string& plate) { return ctx_.maskPlate(plate); };
  for (const auto& event : events) entries->add(accessLogEntry(event, mask));
  Poco::JSON::Object root;
  root.set("events", entries);
  // A full page may have more behind it: ask again with before = this.
  if (events.size() == query.limit) {
    root.set("next_before", events.back().seq);
  } else {
    root.set("next_before", Poco::Dynamic::Var());
  }
  return Reply::json(root);
}

ManagementApi::Reply ManagementApi::snapshot(const std::string& eventId) {
  EventStore* log = ctx_.decisionLog();
  if (log == nullptr) return Reply::error(503, "unavailable", "the access log is not open");
  EventQuery query;
  query.id = eventId;
  query.limit = 1;
  const auto events = log->query(query);
  if (events.empty() || events[0].imagePath.empty()) {
    return Reply::error(404, "not_found", "no snapshot for this event");
  }
  std::ifstream in(events[0].imagePath, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    // Retention or the spool's size bound removed it; the event stays.
    return Reply::error(404, "not_found", "the snapshot is no longer kept");
  }
  const bool png = events[0].imagePath.size() > 4 &&
                   events[0].imagePath.compare(events[0].imagePath.size() - 4, 4, ".png") == 0;
  return {200, std::move(bytes), "", png ? "image/png" : "image/jpeg"};
}

ManagementApi::Reply ManagementApi::userItem(const std::string& method, const std::string& uuid,
                                             const std::optional<std::string>& body) {
  const bool device = ownedByDevice(uuid);
  if (method == "GET") {
    if (auto user = store_.user(uuid)) return Reply::json(userToJson(*user));
    return Reply::error(404, "not_found",
                        device ? "a 2N directory user: see /api/v1/directory" : "no such user");
  }
  if (method != "PUT" && method != "DELETE") {
    return Reply::error(405, "method", method + " is not allowed on a user");
  }
  if (device) return Reply::error(409, "owned_by_device", kDeviceOwned, "uuid");
  if (method == "DELETE") {
    if (!store_.removeUser(uuid)) return Reply::error(404, "not_found", "no such user");
    committed();
    return {204, "", "", ""};
  }
  access::DirectoryUser user;
  std::string bodyUuid;
  if (auto error = userFromJson(*body, user, bodyUuid)) return Reply::fieldError(*error);
  if (!bodyUuid.empty() && bodyUuid != uuid) {
    return Reply::error(400, "bad_value", "differs from the uuid in the path", "uuid");
  }
  user.uuid = uuid;
  if (!store_.replaceUser(user)) return Reply::error(404, "not_found", "no such user");
  changed_();
  return Reply::json(userToJson(user));
}

ManagementApi::Reply ManagementApi::importCsv(const std::string& body) {
  UsersCsv csv = parseUsersCsv(body);
  if (!csv.errors.empty()) {
    Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
    for (const auto& e : csv.errors) {
      Poco::JSON::Object::Ptr row = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
      row->set("row", e.row);
      row->set("field", e.field);
      row->set("message", e.message);
      rows->add(row);
    }
    Poco::JSON::Object::Ptr error = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    error->set("code", "bad_rows");
    error->set("message", std::to_string(csv.errors.size()) + " problems; nothing imported");
    error->set("field", "");
    error->set("rows", rows);
    Poco::JSON::Object root;
    root.set("error", error);
    return {400, stringify(root), "bad_rows", "application/json"};
  }
  for (auto& user : csv.users) user.uuid = lpr::newUuid();
  store_.addUsers(csv.users);
  committed();
  Poco::JSON::Object root;
  root.set("imported", csv.users.size());
  return Reply::json(root);
}

}  // namespace lpr::plugins::proc_authorize
