#include "webhook/seed_request.h"

#include <gtest/gtest.h>

namespace lpr {
namespace {

TEST(SeedRequest, ContentTypeLineIsTakenOffTheBody) {
  const WebhookRequest r =
      requestFromSeed("Content-Type: multipart/form-data; boundary=b\n--b\r\n", "/lpr/x");
  EXPECT_EQ(r.contentType, "multipart/form-data; boundary=b");
  EXPECT_EQ(r.body, "--b\r\n");
  EXPECT_EQ(r.path, "/lpr/x");
  EXPECT_EQ(r.receivedAt, kSeedReceivedAt);
}

TEST(SeedRequest, WithoutTheLineTheWholeSeedIsAJsonBody) {
  const WebhookRequest r = requestFromSeed("{\"a\":1}\n");
  EXPECT_EQ(r.contentType, "application/json");
  EXPECT_EQ(r.body, "{\"a\":1}\n");
}

TEST(SeedRequest, ContentTypeLineAloneGivesAnEmptyBody) {
  const WebhookRequest r = requestFromSeed("Content-Type: text/plain");
  EXPECT_EQ(r.contentType, "text/plain");
  EXPECT_EQ(r.body, "");
}

TEST(SeedRequest, SplitSeedWithoutNewlineIsAllFirstLine) {
  EXPECT_EQ(splitSeed("topic").first, "topic");
  EXPECT_EQ(splitSeed("topic").rest, "");
  const SeedLines lines = splitSeed("a/b\n{}\n");
  EXPECT_EQ(lines.first, "a/b");
  EXPECT_EQ(lines.rest, "{}\n");
}

}  // namespace
}  // namespace lpr
