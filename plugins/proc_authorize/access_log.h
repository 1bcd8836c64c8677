#pragma once

#include <Poco/JSON/Object.h>

#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "api_json.h"
#include "storage/event_store.h"

namespace lpr::plugins::proc_authorize {

// GET /api/v1/access-log parameters → a store query: plate, gate (source instance id),
// access_point (0|1), from / to (ISO 8601 UTC), result (granted|refused), before (a seq, for
// the next page), limit (1..1000, default 100). Unknown parameters are refused by name.
std::variant<EventQuery, FieldError> accessLogQuery(
    const std::vector<std::pair<std::string, std::string>>& parameters);

// One decided event as the access log shows it: the event JSON with plate and plate_raw passed
// through `mask` (gateway.log_plates), and the snapshot as a link instead of a file path.
Poco::JSON::Object::Ptr accessLogEntry(const PlateEvent& event,
                                       const std::function<std::string(const std::string&)>& mask);

}  // namespace lpr::plugins::proc_authorize
