#include "two_n_directory.h"

#include <Poco/JSON/Array.h>
#include <gtest/gtest.h>

#include "two_n_reply.h"

namespace lpr::testing {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

const std::string kAlice = "4C957905-5D3F-479B-839A-C7D5B2AE2DB5";
const std::string kBob = "4C957905-5D3F-479B-839A-C7D5B2AE2DB6";

Object::Ptr json(const std::string& text) { return parseJsonObject(text); }

std::string user(const std::string& uuid, const std::string& plates) {
  return R"({"uuid":")" + uuid + R"(","name":"n-)" + uuid.substr(34) +
         R"(","access":{"licensePlates":")" + plates + R"("}})";
}

Object::Ptr entryAt(const Object::Ptr& result, unsigned i) {
  return result->getArray("users")->getObject(i);
}

std::string firstErrorCode(const Object::Ptr& entry) {
  const Array::Ptr errors = entry->getArray("errors");
  return errors ? errors->getObject(0)->getValue<std::string>("code") : "";
}

std::string plates(int count, const std::string& prefix = "P") {
  std::string out;
  for (int i = 0; i < count; ++i) out += (i ? "," : "") + prefix + std::to_string(i);
  return out;
}

TEST(TwoNDirectory, CreateStampsEachEntryAndQueryFromZeroReturnsAll) {
  TwoNDirectory directory;
  const auto result = directory.create(
      json(R"({"users":[)" + user(kAlice, "AB123CD") + "," + user(kBob, "XY9") + "]}"), false);
  EXPECT_EQ(result->getValue<std::string>("series"), directory.series());
  EXPECT_EQ(entryAt(result, 0)->getValue<int>("timestamp"), 1);
  EXPECT_EQ(entryAt(result, 1)->getValue<int>("timestamp"), 2);
  EXPECT_EQ(directory.timestamp(), 2u);

  const auto all = directory.query(json(R"({"iterator":{"timestamp":0}})"));
  ASSERT_EQ(all->getArray("users")->size(), 2u);
  EXPECT_EQ(entryAt(all, 0)->getValue<std::string>("uuid"), kAlice);
  EXPECT_EQ(all->getValue<int>("timestamp"), 2);
}

TEST(TwoNDirectory, IncrementalQueryReturnsChangesAndTombstones) {
  TwoNDirectory directory;
  directory.create(json(R"({"users":[)" + user(kAlice, "AB1") + "," + user(kBob, "CD2") + "]}"),
                   false);
  const std::string series = directory.series();
  const auto updated =
      directory.update(json(R"({"users":[{"uuid":")" + kAlice + R"(","name":"Alice"}]})"));
  EXPECT_EQ(entryAt(updated, 0)->getValue<int>("timestamp"), 3);
  const auto removed = directory.remove(json(R"({"users":[{"uuid":")" + kBob + R"("}]})"));
  EXPECT_EQ(entryAt(removed, 0)->getValue<int>("timestamp"), 4);

  const auto changes =
      directory.query(json(R"({"series":")" + series + R"(","iterator":{"timestamp":2}})"));
  ASSERT_EQ(changes->getArray("users")->size(), 2u);
  EXPECT_EQ(entryAt(changes, 0)->getValue<std::string>("name"), "Alice");
  EXPECT_EQ(entryAt(changes, 0)->getValue<int>("timestamp"), 3);
  const auto tombstone = entryAt(changes, 1);
  EXPECT_EQ(tombstone->getValue<std::string>("uuid"), kBob);
  EXPECT_TRUE(tombstone->getValue<bool>("deleted"));
  EXPECT_EQ(tombstone->getValue<int>("timestamp"), 4);
  EXPECT_FALSE(tombstone->has("access"));

  const auto nothing = directory.query(json(R"({"iterator":{"timestamp":4}})"));
  EXPECT_EQ(nothing->getArray("users")->size(), 0u);
  EXPECT_EQ(nothing->getValue<int>("timestamp"), 4);
  // A deleted user no longer opens anything.
  EXPECT_FALSE(directory.checkPlate("CD2", 0, 100).userFound);
}

TEST(TwoNDirectory, NewSeriesMakesOldTimestampsWorthless) {
  TwoNDirectory directory;
  directory.create(json(R"({"users":[)" + user(kAlice, "AB1") + "," + user(kBob, "CD2") + "]}"),
                   false);
  directory.remove(json(R"({"users":[{"uuid":")" + kBob + R"("}]})"));
  const std::string oldSeries = directory.series();
  directory.newSeries(true);
  EXPECT_NE(directory.series(), oldSeries);
  EXPECT_EQ(directory.timestamp(), 1u);  // one live entry, re-stamped; the tombstone is gone

  const auto stale =
      directory.query(json(R"({"series":")" + oldSeries + R"(","iterator":{"timestamp":1}})"));
  EXPECT_EQ(stale->getValue<std::string>("series"), directory.series());
  EXPECT_EQ(stale->getArray("users")->size(), 0u);
  const auto resync = directory.query(
      json(R"({"series":")" + directory.series() + R"(","iterator":{"timestamp":0}})"));
  ASSERT_EQ(resync->getArray("users")->size(), 1u);
  EXPECT_EQ(entryAt(resync, 0)->getValue<std::string>("uuid"), kAlice);

  directory.newSeries(false);
  EXPECT_EQ(directory.liveCount(), 0u);
}

TEST(TwoNDirectory, PlateLimitsAreCheckedPerEntry) {
  TwoNDirectory directory;
  const auto result = directory.create(
      json(R"({"users":[)" + user(kAlice, plates(21)) + "," + user(kBob, plates(20)) + "]}"),
      false);
  const auto refused = entryAt(result, 0);
  EXPECT_EQ(firstErrorCode(refused), "EDIR_FIELD_VALUE_ERROR");
  EXPECT_EQ(refused->getArray("errors")->getObject(0)->getValue<std::string>("param"),
            "access.licensePlates");
  EXPECT_FALSE(entryAt(result, 1)->has("errors"));
  EXPECT_EQ(directory.liveCount(), 1u);

  const auto tooLong =
      directory.create(json(R"({"users":[)" + user(kAlice, "ABCDEFGHIJK") + "]}"), false);
  EXPECT_EQ(firstErrorCode(entryAt(tooLong, 0)), "EDIR_FIELD_VALUE_ERROR");
  // Spaces do not count: ten characters after removing them.
  const auto spaced =
      directory.create(json(R"({"users":[)" + user(kAlice, "AB CDE FGH IJ") + "]}"), false);
  EXPECT_FALSE(entryAt(spaced, 0)->has("errors"));
  EXPECT_TRUE(directory.checkPlate("abcdefghij", 0, 100).valid);
}

TEST(TwoNDirectory, EnvelopeStyleRefusesTheWholeRequestWithError12) {
  DirectoryLimits limits;
  limits.errorStyle = DirectoryErrorStyle::Envelope;
  TwoNDirectory directory(limits);
  try {
    directory.create(
        json(R"({"users":[)" + user(kBob, "OK1") + "," + user(kAlice, plates(21)) + "]}"), false);
    FAIL() << "expected error 12";
  } catch (const TwoNError& error) {
    EXPECT_EQ(error.code(), 12);
    EXPECT_EQ(error.param(), "access.licensePlates");
  }
  EXPECT_EQ(directory.liveCount(), 0u);
  EXPECT_EQ(directory.timestamp(), 0u);
}

TEST(TwoNDirectory, WriteErrorsUseTheDeviceCodes) {
  TwoNDirectory directory;
  directory.create(json(R"({"users":[)" + user(kAlice, "AB1") + "]}"), false);
  const auto again = directory.create(json(R"({"users":[)" + user(kAlice, "AB1") + "]}"), false);
  EXPECT_EQ(firstErrorCode(entryAt(again, 0)), "EDIR_UUID_ALREADY_EXISTS");
  const auto unknown = directory.create(json(R"({"users":[{"name":"x","test":"test"}]})"), false);
  EXPECT_EQ(firstErrorCode(entryAt(unknown, 0)), "EDIR_FIELD_NAME_UNKNOWN");
  const auto badUuid = directory.create(json(R"({"users":[{"uuid":"nope"}]})"), false);
  EXPECT_EQ(firstErrorCode(entryAt(badUuid, 0)), "EDIR_FIELD_VALUE_ERROR");
  const auto badCode = directory.create(json(R"({"users":[{"access":{"code":["test"]}}]})"), false);
  EXPECT_EQ(firstErrorCode(entryAt(badCode, 0)), "EDIR_FIELD_VALUE_ERROR");

  const auto noUuid = directory.update(json(R"({"users":[{"name":"x"}]})"));
  EXPECT_EQ(firstErrorCode(entryAt(noUuid, 0)), "EDIR_UUID_IS_MISSING");
  const auto invalid = directory.update(json(R"({"users":[{"uuid":"x"}]})"));
  EXPECT_EQ(firstErrorCode(entryAt(invalid, 0)), "EDIR_UUID_INVALID_FORMAT");
  const auto missing = directory.update(json(R"({"users":[{"uuid":")" + kBob + R"("}]})"));
  EXPECT_EQ(firstErrorCode(entryAt(missing, 0)), "EDIR_UUID_DOES_NOT_EXIST");
  EXPECT_THROW(directory.remove(json("{}")), TwoNError);

  // force=1 overwrites; what is not sent goes back to its default.
  const auto forced =
      directory.create(json(R"({"users":[{"uuid":")" + kAlice + R"(","name":"Forced"}]})"), true);
  EXPECT_FALSE(entryAt(forced, 0)->has("errors"));
  EXPECT_FALSE(directory.checkPlate("AB1", 0, 100).userFound);
}

TEST(TwoNDirectory, FieldsSelectWhatIsReturned) {
  TwoNDirectory directory;
  directory.create(json(R"({"users":[)" + user(kAlice, "AB1") + "]}"), false);

  const auto some =
      entryAt(directory.query(json(R"({"fields":["access.licensePlates","callPos[1].peer"]})")), 0);
  EXPECT_EQ(some->getObject("access")->getValue<std::string>("licensePlates"), "AB1");
  EXPECT_EQ(some->getObject("access")->size(), 1u);
  EXPECT_EQ(some->getArray("callPos")->size(), 2u);
  EXPECT_FALSE(some->has("name"));
  EXPECT_TRUE(some->has("uuid"));
  EXPECT_TRUE(some->has("timestamp"));

  const auto changed = entryAt(directory.query(json("{}")), 0);
  EXPECT_EQ(changed->getValue<std::string>("name"), "n-B5");
  EXPECT_FALSE(changed->has("email"));
  EXPECT_FALSE(changed->has("callPos"));

  const auto everything = entryAt(directory.query(json(R"({"fields":[]})")), 0);
  EXPECT_TRUE(everything->has("email"));
  EXPECT_EQ(everything->getArray("callPos")->size(), 3u);
  EXPECT_FALSE(everything->getValue<bool>("deleted"));
}

TEST(TwoNDirectory, DeleteByOwner) {
  TwoNDirectory directory;
  directory.create(json(R"({"users":[{"uuid":")" + kAlice + R"(","owner":"ACOM"},{"uuid":")" +
                        kBob + R"(","owner":"ACOM"},{"owner":"other"}]})"),
                   false);
  const auto removed = directory.remove(json(R"({"owner":"ACOM"})"));
  EXPECT_EQ(removed->getArray("users")->size(), 2u);
  EXPECT_EQ(directory.liveCount(), 1u);
}

TEST(TwoNDirectory, PlateDecisionsFollowTheFirstMatchValidityAndAccessPoint) {
  TwoNDirectory directory;
  directory.create(
      json(R"({"users":[{"uuid":")" + kAlice +
           R"(","access":{"licensePlates":"ab 123 cd, XY1","validFrom":"1000","validTo":"2000",)"
           R"("accessPoints":[{"enabled":true},{"enabled":false}]}},{"uuid":")" +
           kBob + R"(","access":{"licensePlates":"AB123CD"}}]})"),
      false);
  const auto inTime = directory.checkPlate("AB123CD", 0, 1500);
  EXPECT_TRUE(inTime.valid);
  EXPECT_EQ(inTime.uuid, kAlice);  // the first entry wins over Bob's
  EXPECT_FALSE(directory.checkPlate("AB 123 CD", 1, 1500).valid);
  EXPECT_EQ(directory.checkPlate("AB123CD", 1, 1500).reason, "apDisabled");
  EXPECT_EQ(directory.checkPlate("xy1", 0, 999).reason, "invalidTime");
  EXPECT_EQ(directory.checkPlate("xy1", 0, 2001).reason, "invalidTime");
  const auto unknown = directory.checkPlate("ZZ999", 0, 1500);
  EXPECT_FALSE(unknown.userFound);
  EXPECT_TRUE(unknown.uuid.empty());
}

TEST(TwoNDirectory, FullDirectoryDropsTheOldestTombstone) {
  DirectoryLimits limits;
  limits.capacity = 2;
  TwoNDirectory directory(limits);
  directory.create(json(R"({"users":[)" + user(kAlice, "A1") + "," + user(kBob, "B1") + "]}"),
                   false);
  const auto full = directory.create(json(R"({"users":[{"name":"third"}]})"), false);
  EXPECT_EQ(firstErrorCode(entryAt(full, 0)), "EDIR_DIRECTORY_FULL");
  directory.remove(json(R"({"users":[{"uuid":")" + kAlice + R"("}]})"));
  const auto room = directory.create(json(R"({"users":[{"name":"third"}]})"), false);
  EXPECT_FALSE(entryAt(room, 0)->has("errors"));
  EXPECT_EQ(directory.entries(true).size(), 2u);
}

}  // namespace
}  // namespace lpr::testing
