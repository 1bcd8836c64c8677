#pragma once

#include <functional>
#include <string>
#include <vector>

#include "webhook/webhook_conversion.h"

namespace lpr::testing {

// A testdata file a converter must refuse, and the refusal: the kind is the
// lpr_input_errors_total label operators alert on and the field is what they fix on the camera,
// so both are part of every adapter's contract.
struct Refusal {
  std::string file;
  std::string kind;
  std::string field;
};

// Converts each file with `convert` and expects its refusal, explained (a message) and with no
// read slipping through beside the error.
void expectRefusals(const std::function<Conversion(const std::string& file)>& convert,
                    const std::vector<Refusal>& refusals);

}  // namespace lpr::testing
