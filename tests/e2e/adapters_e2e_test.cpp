// Every vendor adapter through the binary: 1,000 spoiled payloads each, interleaved with good
// ones. Every request is answered (4xx where invalid, each refusal counted), the process stays
// up, and every good read reaches the broker exactly once.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <mqtt/async_client.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "e2e_fixture.h"
#include "payload_mutator.h"

namespace lpr::testing {
namespace {

using namespace std::chrono_literals;

struct AdapterCase {
  std::string type;
  std::string seed;  // below plugins/; a first line "Content-Type: ..." gives the content type
  std::string contentType = "application/json";
  // Text of the seed replaced in each good copy so that every copy is a new read: the plate and
  // the vendor's event id. "%N" in the replacement becomes the copy's number.
  std::vector<std::pair<std::string, std::string>> vary;
  std::string path = {};      // the path key; empty: the adapter's default
  std::string postPath = {};  // where to post; empty: the path
};

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string goodPlate(int n) {
  char plate[16];
  std::snprintf(plate, sizeof(plate), "TST%04d", n);
  return plate;
}

class AdaptersE2E : public GatewayE2E {
 protected:
  void run(const AdapterCase& c);

  void load(const AdapterCase& c) {
    case_ = c;
    seed_ = readFile(std::string(std::getenv("LPR_SOURCE_DIR")) + "/plugins/" + c.seed);
    contentType_ = c.contentType;
    if (seed_.rfind("Content-Type: ", 0) == 0) {
      const auto end = seed_.find('\n');
      contentType_ = seed_.substr(14, end - 14);
      if (!contentType_.empty() && contentType_.back() == '\r') contentType_.pop_back();
      seed_ = seed_.substr(end + 1);
    }
    for (const auto& [from, to] : c.vary) {
      ASSERT_NE(seed_.find(from), std::string::npos) << "'" << from << "' not in " << c.seed;
    }
  }

  std::string good(int n) const {
    std::string body = seed_;
    for (const auto& [from, to] : case_.vary) {
      body = replaceAll(body, from, replaceAll(to, "%N", std::to_string(n)));
    }
    return replaceAll(body, "%PLATE", goodPlate(n));
  }

  HttpAnswer post(const std::string& body, const std::string& contentType) {
    return httpRequest(gateway_.port(), "POST", path_, body, contentType, ClientAuth::Basic, "cam",
                       "pw");
  }

  // Plates of the events on the broker, with how often each came.
  std::map<std::string, int> publishedPlates() {
    std::map<std::string, int> plates;
    for (const auto& m : collector_->messages(eventTopic_)) {
      auto event = Poco::JSON::Parser().parse(m.payload).extract<Poco::JSON::Object::Ptr>();
      ++plates[event->optValue<std::string>("plate", "")];
    }
    return plates;
  }

  // Refusals the source counted, bad images (which refuse nothing) left out.
  double refusalsCounted() {
    std::istringstream in(metrics());
    std::string line;
    double sum = 0;
    while (std::getline(in, line)) {
      if (line.rfind("lpr_input_errors_total{", 0) == 0 &&
          line.find("plugin=\"vendor\"") != std::string::npos &&
          line.find("kind=\"bad_image\"") == std::string::npos) {
        sum += std::stod(line.substr(line.rfind(' ') + 1));
      }
    }
    return sum;
  }

  AdapterCase case_;
  std::string seed_, contentType_, path_;
};

void AdaptersE2E::run(const AdapterCase& c) {
  load(c);
  if (HasFatalFailure()) return;
  gateway_.configure(baseConfig() + "plugin.vendor.type = " + c.type +
                     "\n"
                     "plugin.vendor.auth = basic\n"
                     "plugin.vendor.username = cam\n"
                     "plugin.vendor.password = pw\n" +
                     (c.path.empty() ? "" : "plugin.vendor.path = " + c.path + "\n"));
  path_ = c.postPath.empty() ? c.path : c.postPath;
  gateway_.start();
  if (path_.empty()) {
    // The adapter's default path, as the gateway logged it at start.
    const std::string log = gateway_.log();
    const std::string mark = "lpr.plugin.vendor: listening path=";
    const auto at = log.find(mark);
    ASSERT_NE(at, std::string::npos) << log;
    const auto from = at + mark.size();
    path_ = log.substr(from, log.find(' ', from) - from);
  }

  // The seed as it is must be a good read.
  ASSERT_EQ(post(good(0), contentType_).status, 200) << good(0);
  PayloadMutator mutator(20261125);
  int goods = 1, refused = 0;
  std::map<std::string, int> kinds;
  for (int i = 0; i < 1000; ++i) {
    if (i % 50 == 25) {
      const auto answer = post(good(goods), contentType_);
      ASSERT_EQ(answer.status, 200) << "good copy " << goods << ": " << answer.body;
      ++goods;
    }
    const auto mutant = mutator.mutate(good(10000 + i), contentType_);
    HttpAnswer answer;
    try {
      answer = post(mutant.body, mutant.contentType);
    } catch (const std::exception& e) {
      FAIL() << "mutant " << i << " (" << mutant.kind << ") got no answer: " << e.what();
    }
    ASSERT_TRUE(answer.status == 200 || (answer.status >= 400 && answer.status < 500))
        << "mutant " << i << " (" << mutant.kind << "): HTTP " << answer.status << " "
        << answer.body;
    if (answer.status != 200) {
      ++refused;
      ++kinds[mutant.kind];
    }
  }
  ASSERT_TRUE(gateway_.running()) << "the gateway died";
  EXPECT_EQ(httpRequest(gateway_.port(), "GET", "/healthz", {}, {}).status, 200);
  EXPECT_GT(refused, 300) << "most spoiled payloads should be refused";
  EXPECT_EQ(refusalsCounted(), refused) << "every refusal is counted in lpr_input_errors_total";

  ASSERT_TRUE(waitFor(
      [&] {
        auto plates = publishedPlates();
        for (int n = 0; n < goods; ++n) {
          if (plates.count(goodPlate(n)) == 0) return false;
        }
        return true;
      },
      20s))
      << "a good read never reached the broker";
  auto plates = publishedPlates();
  for (int n = 0; n < goods; ++n) EXPECT_EQ(plates[goodPlate(n)], 1) << goodPlate(n);
  std::ostringstream summary;
  for (const auto& [kind, count] : kinds) summary << kind << "=" << count << " ";
  std::cout << c.type << ": " << refused << " of 1000 spoiled payloads refused (" << summary.str()
            << "), " << goods << " good reads delivered\n";
}

TEST_F(AdaptersE2E, AxisAlpvJson) {
  run({"source_axis_alpv",
       "source_axis_alpv/testdata/good_new.json",
       "application/json",
       {{"AA7690EQ", "%PLATE"}, {"\"4711\"", "\"9%N\""}}});
}

TEST_F(AdaptersE2E, AxisAlpvMultipart) {
  run({"source_axis_alpv",
       "source_axis_alpv/testdata/good_multipart.txt",
       "",
       {{"AB123CD", "%PLATE"}, {"\"200\"", "\"2%N\""}}});
}

TEST_F(AdaptersE2E, VaxtorTemplate) {
  run({"source_vaxalpr",
       "source_vaxalpr/testdata/good_full.json",
       "application/json",
       {{"AB123CD", "%PLATE"}}});
}

TEST_F(AdaptersE2E, HikvisionMultipart) {
  run({"source_hikvision_anpr",
       "source_hikvision_anpr/testdata/good_multipart.multipart",
       "multipart/form-data; boundary=boundary",
       {{"AB123CD", "%PLATE"}, {"-0001</UUID>", "-%N</UUID>"}}});
}

TEST_F(AdaptersE2E, HikvisionBareXml) {
  run({"source_hikvision_anpr",
       "source_hikvision_anpr/testdata/good_bare_no_namespace.xml",
       "application/xml",
       {{"KR 7781", "%PLATE"}}});
}

TEST_F(AdaptersE2E, DahuaIts) {
  run({"source_dahua_its",
       "source_dahua_its/testdata/good_tollgate.json",
       "application/json",
       {{"AB123CD", "%PLATE"}},
       "/NotificationInfo",
       "/NotificationInfo/TollgateInfo"});
}

TEST_F(AdaptersE2E, Milesight) {
  run({"source_milesight",
       "source_milesight/testdata/good_full.json",
       "application/json",
       {{"AB123CD", "%PLATE"}}});
}

TEST_F(AdaptersE2E, PlateRecognizerJson) {
  run({"source_platerecognizer",
       "source_platerecognizer/testdata/stream_recognition.json",
       "application/json",
       {{"ab123cd", "%PLATE"}}});
}

TEST_F(AdaptersE2E, PlateRecognizerMultipart) {
  run({"source_platerecognizer",
       "source_platerecognizer/testdata/stream_multipart_image.txt",
       "",
       {{"ab123cd", "%PLATE"}}});
}

TEST_F(AdaptersE2E, OpenAlprDaemon) {
  run({"source_openalpr",
       "source_openalpr/testdata/alprd_results.json",
       "application/json",
       {{"AB123CD", "%PLATE"}, {"site1-cam1-1718000000123", "site1-cam1-%N"}}});
}

TEST_F(AdaptersE2E, OpenAlprAgentGroup) {
  run({"source_openalpr",
       "source_openalpr/testdata/agent_group_final.json",
       "application/json",
       {{"AB123CD", "%PLATE"}, {"agent-7f3a-cam1412-", "agent-%N-"}}});
}

// ALPV reports one car as NEW, then UPDATE with a better text, then LOST, all with one carID.
TEST_F(GatewayE2E, AlpvNewUpdateLostIsOneVehicleWithTheUpdatesText) {
  gateway_.configure(baseConfig() +
                     "plugin.axis.type = source_axis_alpv\n"
                     "plugin.axis.auth = none\n"
                     "plugin.track.type = proc_track\n"
                     "pipeline.processors = track\n");
  gateway_.start();
  const std::string dir =
      std::string(std::getenv("LPR_SOURCE_DIR")) + "/plugins/source_axis_alpv/testdata/";
  for (const char* file : {"good_new.json", "good_update.json", "good_lost.json"}) {
    ASSERT_EQ(httpRequest(gateway_.port(), "POST", "/lpr/axis", readFile(dir + file)).status, 200)
        << file;
  }
  // Another car afterwards marks the end: once it is out, the LOST post would have been too.
  ASSERT_EQ(postRead("00000000-0000-4000-8000-000000000777", "XY987ZZ").status, 200);
  ASSERT_TRUE(waitFor(
      [&] { return eventsByUuid().count("00000000-0000-4000-8000-000000000777") == 1; }, 15s));
  std::vector<Poco::JSON::Object::Ptr> alpv;
  for (const auto& m : collector_->messages(eventTopic_)) {
    auto event = Poco::JSON::Parser().parse(m.payload).extract<Poco::JSON::Object::Ptr>();
    if (event->optValue<std::string>("source", "") == "axis") alpv.push_back(event);
  }
  ASSERT_EQ(alpv.size(), 2u) << "the first read and one refinement; LOST repeats the text";
  EXPECT_EQ(alpv[0]->getValue<std::string>("plate"), "AA7690EQ");
  EXPECT_TRUE(alpv[0]->optValue<std::string>("update_of", "").empty());
  EXPECT_EQ(alpv[1]->getValue<std::string>("plate"), "AA7690EO") << "the UPDATE's text wins";
  EXPECT_EQ(alpv[1]->getValue<std::string>("update_of"), alpv[0]->getValue<std::string>("id"));
  EXPECT_EQ(alpv[0]->getValue<std::string>("vehicle_id"),
            alpv[1]->getValue<std::string>("vehicle_id"));
  EXPECT_EQ(metricValue("lpr_decisions_total{decided_by=\"none\"}"), 2) << "ALPV car + XY987ZZ";
}

// Frigate pushes over MQTT: the same storm of spoiled messages on its topics.
TEST_F(GatewayE2E, FrigateThousandSpoiledMessagesAndNoGoodReadIsLost) {
  gateway_.configure(baseConfig() +
                     "plugin.nvr.type = source_frigate\n"
                     "plugin.nvr.broker = " +
                     broker_->uri() + "\n");
  gateway_.start();
  const std::string seed = readFile(std::string(std::getenv("LPR_SOURCE_DIR")) +
                                    "/plugins/source_frigate/testdata/lpr_update.msg");
  const std::string topic = seed.substr(0, seed.find('\n'));
  const std::string payload = seed.substr(seed.find('\n') + 1);
  ASSERT_NE(payload.find("AB123CD"), std::string::npos);
  ASSERT_NE(payload.find("-ab12cd"), std::string::npos);
  auto good = [&](int n) {
    return replaceAll(replaceAll(payload, "AB123CD", goodPlate(n)), "-ab12cd",
                      "-g" + std::to_string(n));
  };
  mqtt::async_client client(broker_->uri(), "frigate-e2e");
  client.connect()->wait();
  PayloadMutator mutator(20261125);
  int goods = 0;
  for (int i = 0; i < 1000; ++i) {
    if (i % 50 == 0) {
      client.publish(topic, good(goods), 1, false)->wait();
      ++goods;
    }
    const auto mutant = mutator.mutate(good(10000 + i), "application/json");
    const std::string mutantTopic = i % 2 ? topic : "frigate/events";
    client.publish(mutantTopic, mutant.body.data(), mutant.body.size(), 1, false)->wait();
  }
  client.disconnect()->wait();
  ASSERT_TRUE(waitFor(
      [&] {
        std::set<std::string> plates;
        for (const auto& m : collector_->messages(eventTopic_)) {
          auto event = Poco::JSON::Parser().parse(m.payload).extract<Poco::JSON::Object::Ptr>();
          plates.insert(event->optValue<std::string>("plate", ""));
        }
        for (int n = 0; n < goods; ++n) {
          if (plates.count(goodPlate(n)) == 0) return false;
        }
        return true;
      },
      30s))
      << "a good Frigate read never reached the broker";
  ASSERT_TRUE(gateway_.running()) << "the gateway died";
  EXPECT_EQ(httpRequest(gateway_.port(), "GET", "/healthz", {}, {}).status, 200);
  EXPECT_GT(metricValue("lpr_input_errors_total{plugin=\"nvr\",kind=\"malformed_json\"}"), 100);
}

}  // namespace
}  // namespace lpr::testing
