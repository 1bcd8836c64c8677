#include "two_n_directory.h"

#include <Poco/JSON/Array.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/UUIDGenerator.h>

#include <algorithm>
#include <optional>
#include <random>

#include "two_n_reply.h"

namespace lpr::testing {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

const char* const kUnknownField = "EDIR_FIELD_NAME_UNKNOWN";
const char* const kValueError = "EDIR_FIELD_VALUE_ERROR";
const char* const kUuidExists = "EDIR_UUID_ALREADY_EXISTS";
const char* const kUuidMissing = "EDIR_UUID_IS_MISSING";
const char* const kUuidInvalid = "EDIR_UUID_INVALID_FORMAT";
const char* const kUuidUnknown = "EDIR_UUID_DOES_NOT_EXIST";
// Not seen in any source: what a full directory answers is a guess.
const char* const kDirectoryFull = "EDIR_DIRECTORY_FULL";

bool isObject(const Var& value) { return value.type() == typeid(Object::Ptr); }
bool isArray(const Var& value) { return value.type() == typeid(Array::Ptr); }

bool sameScalarType(const Var& expected, const Var& value) {
  if (expected.isString()) return value.isString();
  if (expected.isBoolean()) return value.isBoolean();
  return !isObject(value) && !isArray(value) && !value.isEmpty();
}

Object::Ptr makeTemplate() {
  Object::Ptr entry = makeObject();
  for (const char* key :
       {"owner", "name", "photo", "email", "treepath", "virtNumber", "deputy", "buttons"}) {
    entry->set(key, std::string(key) == "treepath" ? "/" : "");
  }
  Array::Ptr callPos = new Array;
  for (int i = 0; i < 3; ++i) {
    Object::Ptr position = makeObject();
    position->set("peer", "");
    position->set("profiles", "");
    position->set("grouped", false);
    position->set("ipEye", "");
    callPos->add(position);
  }
  entry->set("callPos", callPos);
  Object::Ptr access = makeObject();
  access->set("validFrom", "0");
  access->set("validTo", "0");
  Array::Ptr points = new Array;
  for (int i = 0; i < 2; ++i) {
    Object::Ptr point = makeObject();
    point->set("enabled", true);
    point->set("profiles", "");
    points->add(point);
  }
  access->set("accessPoints", points);
  access->set("pairingExpired", false);
  access->set("virtCard", "");
  Array::Ptr cards = new Array;
  cards->add("");
  cards->add("");
  access->set("card", cards);
  access->set("mobkey", "");
  access->set("fpt", "");
  access->set("pin", "");
  access->set("accessException", false);
  Array::Ptr codes = new Array;
  for (int i = 0; i < 4; ++i) codes->add("");
  access->set("code", codes);
  access->set("licensePlates", "");
  access->set("liftFloors", "");
  entry->set("access", access);
  return entry;
}

// The entry shape without uuid/deleted/timestamp, shared read-only.
const Object::Ptr& shape() {
  static const Object::Ptr kShape = makeTemplate();
  return kShape;
}

std::string newSeriesId() {
  static std::mt19937_64 random{std::random_device{}()};
  // 2N series ids look like 19-digit decimal numbers ("2966931592397881469").
  return std::to_string(1000000000000000000ULL + random() % 8000000000000000000ULL);
}

bool allDigits(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool allHex(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return std::isxdigit(c) != 0; });
}

std::size_t utf8Length(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::vector<std::string> splitPlates(const std::string& text) {
  std::vector<std::string> items;
  std::string current;
  for (char c : text) {
    if (c == ',') {
      items.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  items.push_back(current);
  return items;
}

std::int64_t epochField(const Object::Ptr& access, const std::string& key) {
  Poco::Int64 value = 0;
  if (!access || !access->has(key)) return 0;
  Poco::NumberParser::tryParse64(access->get(key).toString(), value);
  return value;
}

// Only the values that differ from the template, keeping array positions.
std::optional<Var> nonDefault(const Var& value, const Var& expected) {
  if (isObject(value) && isObject(expected)) {
    const auto& object = value.extract<Object::Ptr>();
    const auto& defaults = expected.extract<Object::Ptr>();
    Object::Ptr out = makeObject();
    for (const auto& name : defaults->getNames()) {
      if (!object->has(name)) continue;
      if (auto kept = nonDefault(object->get(name), defaults->get(name))) out->set(name, *kept);
    }
    if (out->size() == 0) return std::nullopt;
    return out;
  }
  if (isArray(value) && isArray(expected)) {
    const auto& array = value.extract<Array::Ptr>();
    const auto& defaults = expected.extract<Array::Ptr>();
    std::vector<std::optional<Var>> kept;
    std::size_t used = 0;
    for (std::size_t i = 0; i < array->size(); ++i) {
      kept.push_back(i < defaults->size() ? nonDefault(array->get(i), defaults->get(i))
                                          : std::optional<Var>(deepCopy(array->get(i))));
      if (kept.back()) used = i + 1;
    }
    if (used == 0) return std::nullopt;
    Array::Ptr out = new Array;
    for (std::size_t i = 0; i < used; ++i) {
      if (kept[i]) {
        out->add(*kept[i]);
      } else if (isObject(defaults->get(i))) {
        out->add(makeObject());
      } else {
        out->add(defaults->get(i));
      }
    }
    return out;
  }
  if (value.type() == expected.type() && value.toString() == expected.toString()) {
    return std::nullopt;
  }
  return deepCopy(value);
}

struct Segment {
  std::string name;
  std::optional<std::size_t> index;
};

// "callPos[1].grouped" -> {callPos,1},{grouped}; nullopt when malformed.
std::optional<std::vector<Segment>> parseFieldPath(const std::string& path) {
  std::vector<Segment> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    std::string part =
        path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    Segment segment;
    const std::size_t bracket = part.find('[');
    if (bracket != std::string::npos) {
      if (part.back() != ']') return std::nullopt;
      unsigned index = 0;
      if (!Poco::NumberParser::tryParseUnsigned(part.substr(bracket + 1, part.size() - bracket - 2),
                                                index)) {
        return std::nullopt;
      }
      segment.index = index;
      part = part.substr(0, bracket);
    }
    if (part.empty()) return std::nullopt;
    segment.name = part;
    segments.push_back(segment);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return segments;
}

// Copies the part of `source` that the path names into `target`; unknown names are ignored.
void project(const Object::Ptr& source, const std::vector<Segment>& path, std::size_t at,
             Object::Ptr target) {
  const Segment& segment = path[at];
  if (!source->has(segment.name)) return;
  const Var value = source->get(segment.name);
  const bool last = at + 1 == path.size();
  if (segment.index) {
    if (!isArray(value)) return;
    const auto& array = value.extract<Array::Ptr>();
    if (*segment.index >= array->size()) return;
    Array::Ptr out = target->getArray(segment.name);
    if (!out) {
      out = new Array;
      target->set(segment.name, out);
    }
    // Earlier positions are filled with empty objects (or the source value for scalars), so
    // that the requested element keeps its index.
    for (std::size_t i = out->size(); i < *segment.index; ++i) {
      out->add(isObject(array->get(i)) ? Var(makeObject()) : deepCopy(array->get(i)));
    }
    const Var element = array->get(*segment.index);
    if (last) {
      out->set(static_cast<unsigned>(*segment.index), deepCopy(element));
    } else if (isObject(element)) {
      Object::Ptr child = out->size() > *segment.index ? out->getObject(*segment.index) : nullptr;
      if (!child) {
        child = makeObject();
        out->set(static_cast<unsigned>(*segment.index), child);
      }
      project(element.extract<Object::Ptr>(), path, at + 1, child);
    }
    return;
  }
  if (last) {
    target->set(segment.name, deepCopy(value));
    return;
  }
  if (isObject(value)) {
    Object::Ptr child = target->getObject(segment.name);
    if (!child) {
      child = makeObject();
      target->set(segment.name, child);
    }
    project(value.extract<Object::Ptr>(), path, at + 1, child);
  } else if (isArray(value)) {
    // "callPos.peer": the field of every element.
    const auto& array = value.extract<Array::Ptr>();
    Array::Ptr out = target->getArray(segment.name);
    if (!out) {
      out = new Array;
      target->set(segment.name, out);
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (!array->isObject(i)) continue;
      Object::Ptr child = i < out->size() ? out->getObject(i) : nullptr;
      if (!child) {
        child = makeObject();
        out->set(static_cast<unsigned>(i), child);
      }
      project(array->getObject(i), path, at + 1, child);
    }
  }
}

std::optional<std::int64_t> integerOf(const Var& value) {
  if (!value.isInteger()) return std::nullopt;
  try {
    return value.convert<Poco::Int64>();
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

}  // namespace

TwoNDirectory::TwoNDirectory(DirectoryLimits limits) : limits_(limits), series_(newSeriesId()) {}

Object::Ptr TwoNDirectory::templateEntry() {
  Object::Ptr entry = makeObject();
  entry->set("uuid", "");
  entry->set("deleted", false);
  for (const auto& name : shape()->getNames()) entry->set(name, deepCopy(shape()->get(name)));
  entry->set("timestamp", 0);
  return entry;
}

std::string TwoNDirectory::normalisePlate(const std::string& plate) {
  std::string out;
  out.reserve(plate.size());
  for (char c : plate) {
    if (c == ' ') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

bool TwoNDirectory::isUuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : std::isxdigit(static_cast<unsigned char>(text[i])) == 0) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> TwoNDirectory::platesOf(const Object::Ptr& data) {
  std::vector<std::string> plates;
  const Object::Ptr access = data->getObject("access");
  if (!access) return plates;
  for (const auto& item : splitPlates(access->optValue<std::string>("licensePlates", ""))) {
    std::string plate = normalisePlate(item);
    if (!plate.empty()) plates.push_back(std::move(plate));
  }
  return plates;
}

void TwoNDirectory::merge(Object::Ptr target, const Object::Ptr& source, const Object::Ptr& shapeOf,
                          const std::string& path, std::vector<EntryError>& errors) const {
  for (const auto& name : source->getNames()) {
    const std::string field = path.empty() ? name : path + "." + name;
    // Bookkeeping fields are the device's: uuid is handled by the caller, the rest ignored.
    if (path.empty() && (name == "uuid" || name == "timestamp" || name == "deleted")) continue;
    if (!shapeOf->has(name)) {
      errors.push_back({kUnknownField, field, "unknown field"});
      continue;
    }
    const Var expected = shapeOf->get(name);
    const Var value = source->get(name);
    if (isObject(expected)) {
      if (!isObject(value)) {
        errors.push_back({kValueError, field, "an object is expected"});
        continue;
      }
      merge(target->getObject(name), value.extract<Object::Ptr>(), expected.extract<Object::Ptr>(),
            field, errors);
    } else if (isArray(expected)) {
      const auto& defaults = expected.extract<Array::Ptr>();
      if (!isArray(value) || value.extract<Array::Ptr>()->size() > defaults->size()) {
        errors.push_back(
            {kValueError, field,
             "an array of at most " + std::to_string(defaults->size()) + " elements is expected"});
        continue;
      }
      const auto& values = value.extract<Array::Ptr>();
      Array::Ptr out = target->getArray(name);
      for (std::size_t i = 0; i < values->size(); ++i) {
        const std::string itemPath = field + "[" + std::to_string(i) + "]";
        const Var itemDefault = defaults->get(i);
        const Var item = values->get(i);
        if (isObject(itemDefault)) {
          if (!isObject(item)) {
            errors.push_back({kValueError, itemPath, "an object is expected"});
            continue;
          }
          merge(out->getObject(i), item.extract<Object::Ptr>(), itemDefault.extract<Object::Ptr>(),
                itemPath, errors);
        } else if (!sameScalarType(itemDefault, item)) {
          errors.push_back({kValueError, itemPath, "wrong type"});
        } else {
          checkValue(itemPath, item, errors);
          out->set(static_cast<unsigned>(i), item);
        }
      }
    } else if (!sameScalarType(expected, value)) {
      errors.push_back({kValueError, field,
                        expected.isString() ? "a string is expected" : "a boolean is expected"});
    } else {
      checkValue(field, value, errors);
      target->set(name, value);
    }
  }
}

void TwoNDirectory::checkValue(const std::string& path, const Var& value,
                               std::vector<EntryError>& errors) const {
  const std::string text = value.isString() ? value.extract<std::string>() : std::string();
  auto fail = [&](const std::string& why) { errors.push_back({kValueError, path, why}); };
  if (path == "access.licensePlates") {
    std::size_t count = 0;
    for (const auto& item : splitPlates(text)) {
      const std::string plate = normalisePlate(item);
      if (plate.empty()) continue;
      ++count;
      if (utf8Length(plate) > limits_.maxPlateLength) {
        return fail("plate '" + item + "' is longer than " +
                    std::to_string(limits_.maxPlateLength) + " characters");
      }
    }
    if (count > limits_.maxPlates) {
      fail(std::to_string(count) + " plates, at most " + std::to_string(limits_.maxPlates) +
           " allowed");
    }
  } else if (path == "access.validFrom" || path == "access.validTo") {
    if (!allDigits(text)) fail("Unix time in seconds as a string, \"0\" for no limit");
  } else if (path == "access.pin") {
    if (!text.empty() && (!allDigits(text) || text.size() < 2 || text.size() > 16)) {
      fail("2 to 16 digits");
    }
  } else if (path.rfind("access.code[", 0) == 0) {
    if (!text.empty() && (!allDigits(text) || text.size() < 2 || text.size() > 16)) {
      fail("2 to 16 digits");
    }
  } else if (path.rfind("access.card[", 0) == 0) {
    if (!text.empty() && (!allHex(text) || text.size() < 6 || text.size() > 32)) {
      fail("6 to 32 hex digits");
    }
  }
}

Object::Ptr TwoNDirectory::entryErrors(const std::string& uuid,
                                       const std::vector<EntryError>& errors) const {
  Object::Ptr out = makeObject();
  if (!uuid.empty()) out->set("uuid", uuid);
  Array::Ptr list = new Array;
  for (const auto& error : errors) {
    Object::Ptr item = makeObject();
    item->set("code", error.code);
    if (!error.param.empty()) item->set("param", error.param);
    if (!error.description.empty()) item->set("description", error.description);
    list->add(item);
  }
  out->set("errors", list);
  return out;
}

void TwoNDirectory::refuseIfEnvelope(const std::vector<EntryError>& errors) const {
  if (limits_.errorStyle != DirectoryErrorStyle::Envelope || errors.empty()) return;
  const EntryError& first = errors.front();
  throw TwoNError(two_n_error::kInvalidParameter, first.param.empty() ? "users" : first.param,
                  first.code + ": " + first.description);
}

TwoNDirectory::Entry* TwoNDirectory::find(const std::string& uuid) {
  auto it = index_.find(Poco::toLower(uuid));
  return it == index_.end() ? nullptr : &entries_[it->second];
}

const TwoNDirectory::Entry* TwoNDirectory::find(const std::string& uuid) const {
  auto it = index_.find(Poco::toLower(uuid));
  return it == index_.end() ? nullptr : &entries_[it->second];
}

void TwoNDirectory::reindex() {
  index_.clear();
  for (std::size_t i = 0; i < entries_.size(); ++i) index_[Poco::toLower(entries_[i].uuid)] = i;
}

TwoNDirectory::Snapshot TwoNDirectory::snapshot() const {
  // Only the envelope style can refuse a batch halfway; copying costs O(entries) per write.
  if (limits_.errorStyle != DirectoryErrorStyle::Envelope) return {};
  return std::make_pair(entries_, counter_);
}

void TwoNDirectory::restore(const Snapshot& saved) {
  if (!saved) return;
  entries_ = saved->first;
  counter_ = saved->second;
  reindex();
}

bool TwoNDirectory::makeRoom() {
  if (entries_.size() < limits_.capacity) return true;
  auto oldest = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->deleted && (oldest == entries_.end() || it->timestamp < oldest->timestamp)) oldest = it;
  }
  if (oldest == entries_.end()) return false;
  entries_.erase(oldest);
  reindex();
  return true;
}

Object::Ptr TwoNDirectory::create(const Object::Ptr& request, bool force) {
  if (request->has("force")) {
    const Var flag = request->get("force");
    force = flag.isBoolean() ? flag.extract<bool>() : flag.toString() == "1";
  }
  Object::Ptr result = makeObject();
  result->set("series", series_);
  if (!request->has("users")) return result;
  const Array::Ptr users = request->getArray("users");
  if (!users) throw TwoNError(two_n_error::kInvalidParameter, "users");

  const Snapshot saved = snapshot();
  Array::Ptr out = new Array;
  try {
    for (std::size_t i = 0; i < users->size(); ++i) {
      std::vector<EntryError> errors;
      if (!users->isObject(i)) {
        errors.push_back({kValueError, "users", "an object is expected"});
        refuseIfEnvelope(errors);
        out->add(entryErrors({}, errors));
        continue;
      }
      const Object::Ptr item = users->getObject(i);
      std::string uuid;
      if (item->has("uuid")) {
        const Var given = item->get("uuid");
        uuid = given.isString() ? given.extract<std::string>() : given.toString();
        if (!given.isString() || (!uuid.empty() && !isUuid(uuid))) {
          errors.push_back({kValueError, "uuid", "not a UUID"});
        }
      }
      if (uuid.empty() || uuid == "00000000-0000-0000-0000-000000000000") {
        uuid = Poco::toUpper(Poco::UUIDGenerator::defaultGenerator().createRandom().toString());
      }
      Entry* existing = errors.empty() ? find(uuid) : nullptr;
      if (existing && !existing->deleted && !force) {
        errors.push_back({kUuidExists, "uuid", "an entry with this uuid exists"});
      }
      // force=1 overwrites: fields not sent go back to their defaults.
      Object::Ptr data = deepCopy(shape());
      merge(data, item, shape(), "", errors);
      if (errors.empty() && !existing && !makeRoom()) {
        errors.push_back({kDirectoryFull, "", "the directory is full"});
      }
      refuseIfEnvelope(errors);
      if (!errors.empty()) {
        out->add(entryErrors(uuid, errors));
        continue;
      }
      existing = find(uuid);  // makeRoom() may have moved entries
      Entry& entry = existing ? *existing : entries_.emplace_back();
      if (!existing) {
        entry.uuid = uuid;
        index_[Poco::toLower(uuid)] = entries_.size() - 1;
      }
      entry.data = data;
      entry.deleted = false;
      entry.plates = platesOf(data);
      entry.timestamp = ++counter_;
      Object::Ptr done = makeObject();
      done->set("uuid", entry.uuid);
      done->set("timestamp", entry.timestamp);
      out->add(done);
    }
  } catch (const TwoNError&) {
    restore(saved);
    throw;
  }
  result->set("users", out);
  return result;
}

Object::Ptr TwoNDirectory::update(const Object::Ptr& request) {
  if (!request->has("users")) throw TwoNError(two_n_error::kMissingParameter, "users");
  const Array::Ptr users = request->getArray("users");
  if (!users) throw TwoNError(two_n_error::kInvalidParameter, "users");
  Object::Ptr result = makeObject();
  result->set("series", series_);
  const Snapshot saved = snapshot();
  Array::Ptr out = new Array;
  try {
    for (std::size_t i = 0; i < users->size(); ++i) {
      std::vector<EntryError> errors;
      const Object::Ptr item = users->isObject(i) ? users->getObject(i) : nullptr;
      std::string uuid;
      Entry* entry = nullptr;
      if (!item || !item->has("uuid")) {
        errors.push_back({kUuidMissing, "uuid", "uuid is mandatory"});
      } else {
        uuid = item->get("uuid").toString();
        if (!item->get("uuid").isString() || !isUuid(uuid)) {
          errors.push_back({kUuidInvalid, "uuid", "not a UUID"});
        } else if (entry = find(uuid); !entry || entry->deleted) {
          errors.push_back({kUuidUnknown, "uuid", "no such entry"});
        }
      }
      Object::Ptr data;
      if (errors.empty()) {
        data = deepCopy(entry->data);
        merge(data, item, shape(), "", errors);
      }
      refuseIfEnvelope(errors);
      if (!errors.empty()) {
        out->add(entryErrors(uuid, errors));
        continue;
      }
      entry->data = data;
      entry->plates = platesOf(data);
      entry->timestamp = ++counter_;
      Object::Ptr done = makeObject();
      done->set("uuid", entry->uuid);
      done->set("timestamp", entry->timestamp);
      out->add(done);
    }
  } catch (const TwoNError&) {
    restore(saved);
    throw;
  }
  result->set("users", out);
  return result;
}

Object::Ptr TwoNDirectory::remove(const Object::Ptr& request) {
  Object::Ptr result = makeObject();
  result->set("series", series_);
  Array::Ptr out = new Array;
  auto tombstone = [&](Entry& entry) {
    entry.data = deepCopy(shape());
    entry.plates.clear();
    entry.deleted = true;
    entry.timestamp = ++counter_;
    Object::Ptr done = makeObject();
    done->set("uuid", entry.uuid);
    done->set("timestamp", entry.timestamp);
    out->add(done);
  };
  const Array::Ptr users = request->getArray("users");
  if (users && users->size() > 0) {
    for (std::size_t i = 0; i < users->size(); ++i) {
      const Object::Ptr item = users->isObject(i) ? users->getObject(i) : nullptr;
      if (!item || !item->has("uuid")) {
        out->add(entryErrors({}, {{kUuidMissing, "uuid", "uuid is mandatory"}}));
        continue;
      }
      const std::string uuid = item->get("uuid").toString();
      if (!isUuid(uuid)) {
        out->add(entryErrors(uuid, {{kUuidInvalid, "uuid", "not a UUID"}}));
        continue;
      }
      Entry* entry = find(uuid);
      if (!entry || entry->deleted) {
        out->add(entryErrors(uuid, {{kUuidUnknown, "uuid", "no such entry"}}));
        continue;
      }
      tombstone(*entry);
    }
  } else if (request->has("owner")) {
    const std::string owner = request->get("owner").toString();
    for (auto& entry : entries_) {
      if (!entry.deleted && entry.data->optValue<std::string>("owner", "") == owner) {
        tombstone(entry);
      }
    }
  } else {
    throw TwoNError(two_n_error::kMissingParameter, "users");
  }
  result->set("users", out);
  return result;
}

Object::Ptr TwoNDirectory::render(const Entry& entry, const Array::Ptr& fields,
                                  bool fieldsGiven) const {
  Object::Ptr out = makeObject();
  out->set("uuid", entry.uuid);
  if (entry.deleted) {
    out->set("deleted", true);
    out->set("timestamp", entry.timestamp);
    return out;
  }
  if (!fieldsGiven) {
    if (auto kept = nonDefault(entry.data, shape())) {
      const auto& object = kept->extract<Object::Ptr>();
      for (const auto& name : object->getNames()) out->set(name, object->get(name));
    }
  } else if (!fields || fields->size() == 0) {
    out->set("deleted", false);
    for (const auto& name : entry.data->getNames()) {
      out->set(name, deepCopy(entry.data->get(name)));
    }
  } else {
    Object::Ptr full = deepCopy(entry.data);
    full->set("deleted", false);
    for (std::size_t i = 0; i < fields->size(); ++i) {
      const std::string field = fields->get(i).toString();
      if (field == "uuid" || field == "timestamp") continue;
      if (auto path = parseFieldPath(field)) project(full, *path, 0, out);
    }
  }
  out->set("timestamp", entry.timestamp);
  return out;
}

Object::Ptr TwoNDirectory::get(const Object::Ptr& request) const {
  const bool fieldsGiven = request->has("fields");
  const Array::Ptr fields = request->getArray("fields");
  if (fieldsGiven && !fields) throw TwoNError(two_n_error::kInvalidParameter, "fields");
  Object::Ptr result = makeObject();
  result->set("series", series_);
  Array::Ptr out = new Array;
  if (const Array::Ptr users = request->getArray("users")) {
    for (std::size_t i = 0; i < users->size(); ++i) {
      const Object::Ptr item = users->isObject(i) ? users->getObject(i) : nullptr;
      const std::string uuid = item && item->has("uuid") ? item->get("uuid").toString() : "";
      if (!isUuid(uuid)) {
        out->add(entryErrors(uuid, {{kUuidInvalid, "uuid", "not a UUID"}}));
        continue;
      }
      const Entry* entry = find(uuid);
      if (!entry || entry->deleted) {
        out->add(entryErrors(uuid, {{kUuidUnknown, "uuid", "no such entry"}}));
        continue;
      }
      out->add(render(*entry, fields, fieldsGiven));
    }
  }
  result->set("users", out);
  return result;
}

Object::Ptr TwoNDirectory::query(const Object::Ptr& request) const {
  const bool fieldsGiven = request->has("fields");
  const Array::Ptr fields = request->getArray("fields");
  if (fieldsGiven && !fields) throw TwoNError(two_n_error::kInvalidParameter, "fields");
  std::uint64_t since = 0;
  if (request->has("iterator")) {
    const Object::Ptr iterator = request->getObject("iterator");
    if (!iterator) throw TwoNError(two_n_error::kInvalidParameter, "iterator");
    if (iterator->has("timestamp")) {
      const auto value = integerOf(iterator->get("timestamp"));
      if (!value || *value < 0) throw TwoNError(two_n_error::kInvalidParameter, "iterator");
      since = static_cast<std::uint64_t>(*value);
    }
  }
  Object::Ptr result = makeObject();
  result->set("series", series_);
  result->set("timestamp", counter_);
  Array::Ptr out = new Array;
  // A client that holds another series' timestamps gets none of the entries: it has to start
  // over with timestamp 0 in the series it has just been told.
  const bool otherSeries = request->has("series") && request->get("series").toString() != series_;
  if (!otherSeries) {
    for (const auto& entry : entries_) {
      if (entry.timestamp > since) out->add(render(entry, fields, fieldsGiven));
    }
  }
  result->set("users", out);
  return result;
}

void TwoNDirectory::newSeries(bool keepEntries) {
  series_ = newSeriesId();
  counter_ = 0;
  std::erase_if(entries_, [&](const Entry& entry) { return entry.deleted || !keepEntries; });
  for (auto& entry : entries_) entry.timestamp = ++counter_;
  reindex();
}

AccessCheck TwoNDirectory::check(const Entry& entry, int ap, std::int64_t nowUnix) const {
  AccessCheck out;
  out.userFound = true;
  out.uuid = entry.uuid;
  out.name = entry.data->optValue<std::string>("name", "");
  const Object::Ptr access = entry.data->getObject("access");
  const std::int64_t validFrom = epochField(access, "validFrom");
  const std::int64_t validTo = epochField(access, "validTo");
  if ((validFrom != 0 && nowUnix < validFrom) || (validTo != 0 && nowUnix > validTo)) {
    out.reason = "invalidTime";
    return out;
  }
  const Array::Ptr points = access ? access->getArray("accessPoints") : nullptr;
  if (!points || ap < 0 || static_cast<std::size_t>(ap) >= points->size() ||
      !points->isObject(ap) || !points->getObject(ap)->optValue<bool>("enabled", false)) {
    out.reason = "apDisabled";
    return out;
  }
  out.valid = true;
  return out;
}

AccessCheck TwoNDirectory::checkPlate(const std::string& plate, int ap,
                                      std::int64_t nowUnix) const {
  const std::string wanted = normalisePlate(plate);
  for (const auto& entry : entries_) {
    if (entry.deleted) continue;
    if (std::find(entry.plates.begin(), entry.plates.end(), wanted) != entry.plates.end()) {
      return check(entry, ap, nowUnix);
    }
  }
  AccessCheck none;
  none.reason = "unknownCredential";
  return none;
}

AccessCheck TwoNDirectory::checkUser(const std::string& uuid, int ap, std::int64_t nowUnix) const {
  const Entry* entry = find(uuid);
  if (!entry || entry->deleted) {
    AccessCheck none;
    none.reason = "unknownCredential";
    return none;
  }
  return check(*entry, ap, nowUnix);
}

std::vector<Object::Ptr> TwoNDirectory::entries(bool includeDeleted) const {
  std::vector<Object::Ptr> out;
  for (const auto& entry : entries_) {
    if (entry.deleted && !includeDeleted) continue;
    Object::Ptr copy = makeObject();
    copy->set("uuid", entry.uuid);
    copy->set("deleted", entry.deleted);
    for (const auto& name : entry.data->getNames())
      copy->set(name, deepCopy(entry.data->get(name)));
    copy->set("timestamp", entry.timestamp);
    out.push_back(copy);
  }
  return out;
}

std::size_t TwoNDirectory::liveCount() const {
  return static_cast<std::size_t>(
      std::count_if(entries_.begin(), entries_.end(), [](const Entry& e) { return !e.deleted; }));
}

}  // namespace lpr::testing
