#include "converter_checks.h"

#include <gtest/gtest.h>

namespace lpr::testing {

void expectRefusals(const std::function<Conversion(const std::string& file)>& convert,
                    const std::vector<Refusal>& refusals) {
  for (const Refusal& refusal : refusals) {
    SCOPED_TRACE(refusal.file);
    const Conversion c = convert(refusal.file);
    if (!c.error) {
      ADD_FAILURE() << "accepted";
      continue;
    }
    EXPECT_EQ(c.error->kind, refusal.kind);
    EXPECT_EQ(c.error->field, refusal.field);
    EXPECT_FALSE(c.error->message.empty());
    EXPECT_TRUE(c.reads.empty());
  }
}

}  // namespace lpr::testing
