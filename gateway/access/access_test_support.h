#pragma once

#include <chrono>

#include "access/access_model.h"

namespace lpr::access::testing {

// A UTC time point from calendar fields, for readable test tables.
inline TimePoint utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  using namespace std::chrono;
  return sys_days(year{y} / month{mo} / day{d}) + hours{h} + minutes{mi} + seconds{s};
}

}  // namespace lpr::access::testing
