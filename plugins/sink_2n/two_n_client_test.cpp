#include "two_n_client.h"

#include <Poco/Exception.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <thread>

#include "fake_two_n_device.h"
#include "test_env.h"
#include "test_pki.h"

namespace lpr::plugins::sink_2n {
namespace {

using lpr::testing::makeTestPki;
using lpr::testing::ScratchDir;
using lpr::testing::TestPki;
using testing::FakeDeviceOptions;
using testing::FakeReply;
using testing::FakeTwoNDevice;
using namespace std::chrono_literals;

// Output of a shell pipeline (used to run the README's openssl commands as written).
std::string shell(const std::string& command) {
  Poco::Pipe out;
  Poco::ProcessHandle ph = Poco::Process::launch("/bin/sh", {"-c", command}, nullptr, &out, &out);
  Poco::PipeInputStream in(out);
  std::string text;
  Poco::StreamCopier::copyToString(in, text);
  ph.wait();
  return text;
}

class TwoNClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new ScratchDir("sink-2n-client");
    pki_ = new TestPki(makeTestPki(scratch_->path()));
    // A second, unrelated CA (and certificate) for the negative cases.
    otherScratch_ = new ScratchDir("sink-2n-client-other");
    otherPki_ = new TestPki(makeTestPki(otherScratch_->path()));
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete scratch_;
    delete otherPki_;
    delete otherScratch_;
  }

  FakeDeviceOptions tlsDevice(HttpAuthMode auth = HttpAuthMode::Digest) {
    FakeDeviceOptions o;
    o.tls = true;
    o.certFile = pki_->certFile;
    o.keyFile = pki_->keyFile;
    o.auth = auth;
    return o;
  }

  TwoNClientOptions clientFor(const FakeTwoNDevice& device) {
    TwoNClientOptions o;
    o.host = "127.0.0.1";
    o.port = device.port();
    o.scheme = device.options().tls ? Scheme::Https : Scheme::Http;
    o.username = device.options().username;
    o.password = device.options().password;
    o.timeout = 3000ms;
    return o;
  }

  static std::string pin() { return certificateFingerprint(pki_->certFile); }

  static ScratchDir* scratch_;
  static TestPki* pki_;
  static ScratchDir* otherScratch_;
  static TestPki* otherPki_;
};

ScratchDir* TwoNClientTest::scratch_ = nullptr;
TestPki* TwoNClientTest::pki_ = nullptr;
ScratchDir* TwoNClientTest::otherScratch_ = nullptr;
TestPki* TwoNClientTest::otherPki_ = nullptr;

// ---- helpers -----------------------------------------------------------------------------

TEST(HostPort, Parses) {
  EXPECT_EQ(parseHostPort("192.168.1.50")->host, "192.168.1.50");
  EXPECT_EQ(parseHostPort("192.168.1.50")->port, 0);
  EXPECT_EQ(parseHostPort("door.example.com:8443")->port, 8443);
  EXPECT_EQ(parseHostPort("[fd00::5]:443")->host, "fd00::5");
  EXPECT_EQ(parseHostPort("[fd00::5]:443")->port, 443);
  EXPECT_EQ(parseHostPort("fd00::5")->host, "fd00::5");
  for (const char* bad : {"", "https://192.168.1.50", "host:0", "host:70000", "host:", "host:ab",
                          "[fd00::5", "[fd00::5]x", "a b", "user@host", "host/api"}) {
    EXPECT_FALSE(parseHostPort(bad).has_value()) << bad;
  }
}

TEST(Fingerprint, AcceptsTheUsualSpellings) {
  const std::string hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  EXPECT_EQ(normaliseFingerprint(hex), hex);
  EXPECT_EQ(normaliseFingerprint(formatFingerprint(hex)), hex);
  EXPECT_EQ(formatFingerprint(hex).substr(0, 6), "01:23:");
  EXPECT_EQ(normaliseFingerprint("sha256 Fingerprint=" + formatFingerprint(hex)), hex);
  EXPECT_EQ(normaliseFingerprint("SHA256 Fingerprint=" + formatFingerprint(hex) + "\n"), hex);
  EXPECT_FALSE(normaliseFingerprint(hex.substr(2)).has_value());
  EXPECT_FALSE(normaliseFingerprint(hex + "00").has_value());
  EXPECT_FALSE(normaliseFingerprint("zz" + hex.substr(2)).has_value());
  EXPECT_FALSE(normaliseFingerprint("md5=" + hex).has_value());
}

TEST(Envelope, ParsesSuccessResultAndErrors) {
  TwoNReply reply;
  reply.httpStatus = 200;
  reply.body = R"({"success":true,"result":{"swVersion":"2.40.0.0.0"}})";
  parseEnvelope(reply);
  EXPECT_TRUE(reply.ok());
  ASSERT_TRUE(reply.result);
  EXPECT_EQ(reply.result->getValue<std::string>("swVersion"), "2.40.0.0.0");

  reply.body =
      R"({"success":false,"error":{"code":12,"param":"plateText","description":"invalid parameter value"}})";
  parseEnvelope(reply);
  EXPECT_TRUE(reply.envelope);
  EXPECT_FALSE(reply.success);
  ASSERT_TRUE(reply.error);
  EXPECT_EQ(reply.error->code, 12);
  EXPECT_EQ(reply.error->param, "plateText");
  EXPECT_EQ(reply.summary(), "HTTP 200, 2N error 12 (param plateText): invalid parameter value");

  reply.body = R"({"success":false,"error":{"code":"14","description":"session not found"}})";
  parseEnvelope(reply);
  EXPECT_EQ(reply.error->code, 14);

  for (const char* body : {"", "<html>", "[1]", R"({"ok":true})", R"({"success":"yes"})"}) {
    reply.body = body;
    parseEnvelope(reply);
    EXPECT_FALSE(reply.envelope) << body;
    EXPECT_FALSE(reply.ok()) << body;
  }
}

TEST(ClientOptions, HttpsNeverGoesUnchecked) {
  TwoNClientOptions o;
  o.host = "192.168.1.50";
  EXPECT_NE(optionsProblem(o).find("tls.fingerprint_sha256"), std::string::npos);
  EXPECT_THROW(TwoNClient{o}, std::invalid_argument);
  o.caFile = "/etc/ssl/ca.pem";
  o.fingerprintSha256 = std::string(64, 'a');
  EXPECT_NE(optionsProblem(o).find("not both"), std::string::npos);
  o.caFile.clear();
  EXPECT_EQ(optionsProblem(o), "");
  o.scheme = Scheme::Http;
  EXPECT_NE(optionsProblem(o).find("protect nothing"), std::string::npos);
}

TEST(ClientOptions, BasicOverPlainHttpIsRefusedUnlessAllowed) {
  TwoNClientOptions o;
  o.host = "127.0.0.1";
  o.scheme = Scheme::Http;
  o.auth = AuthMethod::Basic;
  o.username = "gateway";
  o.password = "pw";
  EXPECT_NE(optionsProblem(o).find("allow_basic_over_http"), std::string::npos);
  EXPECT_THROW(TwoNClient{o}, std::invalid_argument);
  o.allowBasicOverHttp = true;
  EXPECT_EQ(optionsProblem(o), "");
  o.auth = AuthMethod::Digest;
  o.allowBasicOverHttp = false;
  EXPECT_EQ(optionsProblem(o), "") << "Digest over plain HTTP does not show the password";
}

// ---- TLS ---------------------------------------------------------------------------------

TEST_F(TwoNClientTest, PinnedFingerprintIsAccepted) {
  FakeTwoNDevice device(tlsDevice());
  TwoNClientOptions o = clientFor(device);
  o.fingerprintSha256 = pin();
  TwoNClient client(o);
  TwoNReply reply = client.get("/api/system/info");
  ASSERT_TRUE(reply.ok()) << reply.summary();
  EXPECT_EQ(reply.result->getValue<std::string>("swVersion"), "2.45.0.61.2");
  EXPECT_EQ(client.baseUrl(), "https://127.0.0.1:" + std::to_string(device.port()));
}

TEST_F(TwoNClientTest, PinMatchesOpensslAndTheReadmeCommand) {
  // The fingerprint the README tells operators to take, with the commands it gives.
  const std::string fromFile =
      shell("openssl x509 -noout -fingerprint -sha256 -in '" + pki_->certFile + "'");
  EXPECT_EQ(normaliseFingerprint(fromFile), pin()) << fromFile;
  FakeTwoNDevice device(tlsDevice());
  const std::string fromServer =
      shell("openssl s_client -connect 127.0.0.1:" + std::to_string(device.port()) +
            " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256");
  EXPECT_EQ(normaliseFingerprint(fromServer), pin()) << fromServer;
}

TEST_F(TwoNClientTest, WrongFingerprintIsRefusedBeforeAnyRequest) {
  FakeTwoNDevice device(tlsDevice());
  TwoNClientOptions o = clientFor(device);
  o.fingerprintSha256 = certificateFingerprint(otherPki_->certFile);
  TwoNClient client(o);
  TwoNReply reply = client.get("/api/system/info");
  EXPECT_EQ(reply.failure, TwoNReply::Failure::Certificate) << reply.summary();
  EXPECT_NE(reply.detail.find(formatFingerprint(pin())), std::string::npos)
      << "names the fingerprint the device presented: " << reply.detail;
  EXPECT_NE(reply.detail.find(formatFingerprint(o.fingerprintSha256)), std::string::npos);
  EXPECT_TRUE(device.requests().empty()) << "nothing may be sent to an unverified peer";
  std::cout << "[ observed ] " << reply.summary() << "\n";
}

TEST_F(TwoNClientTest, CaFileWorks) {
  FakeTwoNDevice device(tlsDevice());
  TwoNClientOptions o = clientFor(device);
  o.caFile = pki_->caFile;
  TwoNClient client(o);
  TwoNReply reply = client.get("/api/system/info");
  EXPECT_TRUE(reply.ok()) << reply.summary();
  // By name too: the test certificate names localhost.
  o.host = "localhost";
  TwoNClient byName(o);
  EXPECT_TRUE(byName.get("/api/system/info").ok());
}

TEST_F(TwoNClientTest, UnknownCaIsRefused) {
  FakeTwoNDevice device(tlsDevice());
  TwoNClientOptions o = clientFor(device);
  o.caFile = otherPki_->caFile;
  TwoNClient client(o);
  TwoNReply reply = client.get("/api/system/info");
  EXPECT_EQ(reply.failure, TwoNReply::Failure::Certificate) << reply.summary();
  EXPECT_NE(reply.detail.find("not trusted by the CA file"), std::string::npos) << reply.detail;
  EXPECT_TRUE(device.requests().empty());
  std::cout << "[ observed ] " << reply.summary() << "\n";
}

TEST_F(TwoNClientTest, CaFileChecksTheHostName) {
  // A device at 127.0.0.2 presenting a certificate for 127.0.0.1/localhost, signed by the CA.
  FakeDeviceOptions options = tlsDevice();
  options.bindAddress = "127.0.0.2";
  std::unique_ptr<FakeTwoNDevice> device;
  try {
    device = std::make_unique<FakeTwoNDevice>(options);
  } catch (const Poco::Exception& e) {
    GTEST_SKIP() << "cannot listen on 127.0.0.2 here: " << e.displayText();
  }
  TwoNClientOptions o = clientFor(*device);
  o.host = "127.0.0.2";
  o.caFile = pki_->caFile;
  TwoNClient client(o);
  TwoNReply reply = client.get("/api/system/info");
  EXPECT_EQ(reply.failure, TwoNReply::Failure::Certificate) << reply.summary();
  EXPECT_NE(reply.detail.find("mismatch"), std::string::npos) << reply.detail;
  EXPECT_TRUE(device->requests().empty());
  // The pin does not care about names: the same certificate, pinned, is accepted there.
  o.caFile.clear();
  o.fingerprintSha256 = pin();
  TwoNClient pinned(o);
  EXPECT_TRUE(pinned.get("/api/system/info").ok());
}

TEST_F(TwoNClientTest, PlainHttpToAnHttpsPortFailsAsTransport) {
  FakeTwoNDevice device(tlsDevice());
  TwoNClientOptions o = clientFor(device);
  o.scheme = Scheme::Http;
  o.timeout = 1000ms;
  TwoNClient client(o);
  TwoNReply reply = client.get("/api/system/info");
  EXPECT_FALSE(reply.ok());
  EXPECT_NE(reply.failure, TwoNReply::Failure::None) << reply.summary();
}

// ---- authentication ----------------------------------------------------------------------

TEST_F(TwoNClientTest, DigestAnswersTheChallengeAndKeepsTheNonce) {
  FakeTwoNDevice device(tlsDevice());
  TwoNClientOptions o = clientFor(device);
  o.fingerprintSha256 = pin();
  TwoNClient client(o);
  for (int i = 0; i < 5; ++i) {
    TwoNReply reply = client.postJson("/api/lpr/licenseplate", R"({"lprUuid":"x"})");
    ASSERT_TRUE(reply.ok()) << i << ": " << reply.summary();
    EXPECT_EQ(reply.reauthenticated, i == 0);
  }
  // One challenge in all; the next four reused the nonce with rising nonce counts.
  EXPECT_EQ(device.challenges(), 1u);
  EXPECT_EQ(device.requests().size(), 6u);
  EXPECT_EQ(device.lprPosts().size(), 5u);
  for (const auto& r : device.lprPosts()) {
    EXPECT_EQ(r.authorization.rfind("Digest ", 0), 0u);
    EXPECT_NE(r.authorization.find("qop=auth,"), std::string::npos) << r.authorization;
    EXPECT_NE(r.authorization.find("nc=0000000"), std::string::npos) << r.authorization;
    EXPECT_EQ(r.contentType, "application/json");
  }
}

TEST_F(TwoNClientTest, StaleNonceIsReChallengedTransparently) {
  FakeTwoNDevice device(tlsDevice());
  TwoNClientOptions o = clientFor(device);
  o.fingerprintSha256 = pin();
  TwoNClient client(o);
  ASSERT_TRUE(client.get("/api/system/info").ok());
  device.staleNextNonce();
  TwoNReply reply = client.postJson("/api/lpr/licenseplate", R"({"lprUuid":"after-stale"})");
  EXPECT_TRUE(reply.ok()) << reply.summary();
  EXPECT_TRUE(reply.reauthenticated);
  EXPECT_EQ(device.challenges(), 2u);
  ASSERT_EQ(device.lprPosts().size(), 1u);
  EXPECT_EQ(device.lprPosts()[0].body, R"({"lprUuid":"after-stale"})")
      << "the body is sent again whole";
  // And it goes on with the new nonce.
  EXPECT_TRUE(client.get("/api/system/info").ok());
  EXPECT_EQ(device.challenges(), 2u);
}

TEST_F(TwoNClientTest, DigestWorksOverPlainHttpToo) {
  FakeDeviceOptions options;
  options.tls = false;
  FakeTwoNDevice device(options);
  TwoNClient client(clientFor(device));
  EXPECT_TRUE(client.get("/api/system/info").ok());
  EXPECT_EQ(device.requests().back().authorization.find("Basic"), std::string::npos);
}

TEST_F(TwoNClientTest, WrongPasswordEndsAs401AfterOneRetry) {
  FakeTwoNDevice device(tlsDevice());
  TwoNClientOptions o = clientFor(device);
  o.fingerprintSha256 = pin();
  o.password = "wrong";
  TwoNClient client(o);
  TwoNReply reply = client.get("/api/system/info");
  EXPECT_TRUE(reply.answered());
  EXPECT_EQ(reply.httpStatus, 401);
  ASSERT_TRUE(reply.error);
  EXPECT_EQ(reply.error->code, 9);
  EXPECT_EQ(device.requests().size(), 2u) << "no challenge loop";
}

TEST_F(TwoNClientTest, BasicOverHttpsIsSentPreemptively) {
  FakeTwoNDevice device(tlsDevice(HttpAuthMode::Basic));
  TwoNClientOptions o = clientFor(device);
  o.fingerprintSha256 = pin();
  o.auth = AuthMethod::Basic;
  TwoNClient client(o);
  EXPECT_TRUE(client.get("/api/system/info").ok());
  EXPECT_EQ(device.requests().size(), 1u);
  EXPECT_EQ(device.challenges(), 0u);
}

TEST_F(TwoNClientTest, BasicOverHttpOnlyWhenAllowed) {
  FakeDeviceOptions options;
  options.tls = false;
  options.auth = HttpAuthMode::Basic;
  FakeTwoNDevice device(options);
  TwoNClientOptions o = clientFor(device);
  o.auth = AuthMethod::Basic;
  EXPECT_THROW(TwoNClient{o}, std::invalid_argument);
  EXPECT_TRUE(device.requests().empty());
  o.allowBasicOverHttp = true;
  TwoNClient client(o);
  EXPECT_TRUE(client.get("/api/system/info").ok());
}

TEST_F(TwoNClientTest, DigestClientNeverFallsBackToBasic) {
  FakeDeviceOptions options;
  options.tls = false;
  options.auth = HttpAuthMode::Basic;  // the device offers Basic only
  FakeTwoNDevice device(options);
  TwoNClient client(clientFor(device));
  TwoNReply reply = client.get("/api/system/info");
  EXPECT_EQ(reply.failure, TwoNReply::Failure::AuthScheme) << reply.summary();
  EXPECT_NE(reply.detail.find("Basic"), std::string::npos) << reply.detail;
  for (const auto& r : device.requests()) {
    EXPECT_TRUE(r.authorization.empty()) << "the password must not be sent: " << r.authorization;
  }
}

TEST_F(TwoNClientTest, BasicClientSaysWhenTheDeviceWantsDigest) {
  FakeTwoNDevice device(tlsDevice(HttpAuthMode::Digest));
  TwoNClientOptions o = clientFor(device);
  o.fingerprintSha256 = pin();
  o.auth = AuthMethod::Basic;
  TwoNClient client(o);
  TwoNReply reply = client.get("/api/system/info");
  EXPECT_EQ(reply.failure, TwoNReply::Failure::AuthScheme) << reply.summary();
  EXPECT_NE(reply.detail.find("Digest"), std::string::npos) << reply.detail;
}

// ---- transport failures ------------------------------------------------------------------

TEST_F(TwoNClientTest, SlowDeviceTimesOut) {
  FakeTwoNDevice device(tlsDevice());
  device.setInfoReply(FakeReply::success().after(5s));
  TwoNClientOptions o = clientFor(device);
  o.fingerprintSha256 = pin();
  o.timeout = 300ms;
  TwoNClient client(o);
  const auto started = std::chrono::steady_clock::now();
  TwoNReply reply = client.get("/api/system/info");
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(reply.failure, TwoNReply::Failure::Timeout) << reply.summary();
  EXPECT_LT(took, 3s);
  // The next request uses a fresh connection and works.
  device.setInfoReply(FakeReply::success());
  EXPECT_TRUE(client.get("/api/system/info").ok());
}

TEST_F(TwoNClientTest, NobodyListeningIsAConnectionFailure) {
  TwoNClientOptions o;
  o.host = "127.0.0.1";
  o.port = lpr::testing::freeLoopbackPort();
  o.fingerprintSha256 = pin();
  o.username = "u";
  o.password = "p";
  o.timeout = 1000ms;
  TwoNClient client(o);
  TwoNReply reply = client.get("/api/system/info");
  EXPECT_EQ(reply.failure, TwoNReply::Failure::Connection) << reply.summary();
  EXPECT_NE(reply.detail.find("127.0.0.1"), std::string::npos) << reply.detail;
}

TEST_F(TwoNClientTest, KeptAliveConnectionClosedByTheDeviceIsReplaced) {
  FakeDeviceOptions options = tlsDevice();
  options.keepAliveTimeout = 100ms;
  FakeTwoNDevice device(options);
  TwoNClientOptions o = clientFor(device);
  o.fingerprintSha256 = pin();
  TwoNClient client(o);
  ASSERT_TRUE(client.get("/api/system/info").ok());
  // What is tested is the device's idle timer closing the connection; nothing observable
  // tells when it has, so wait well past it.
  std::this_thread::sleep_for(400ms);
  TwoNReply reply = client.postJson("/api/lpr/licenseplate", R"({"lprUuid":"after-idle"})");
  EXPECT_TRUE(reply.ok()) << reply.summary();
  EXPECT_EQ(device.lprPosts().size(), 1u);
}

}  // namespace
}  // namespace lpr::plugins::sink_2n
