#include "http/http_auth.h"

#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPDigestCredentials.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/NullStream.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace lpr {
namespace {

using Result = HttpAuthenticator::Result;
using namespace std::chrono_literals;

const std::string kUri = "/api/lpr/licenseplate";
const std::string kRealm = "HTTP API";

// Poco's own client answers our challenge; the tests check the server against a real client.
class DigestClient {
 public:
  DigestClient(std::string user, std::string password) : credentials_(user, password) {}

  // The Authorization value for the first request after `challenge`.
  std::string answer(const std::vector<std::string>& challenge, const std::string& method,
                     const std::string& uri) {
    Poco::Net::HTTPResponse response(Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED);
    for (const auto& value : challenge) response.add("WWW-Authenticate", value);
    Poco::Net::HTTPRequest request(method, uri);
    credentials_.authenticate(request, response);
    return request.get("Authorization");
  }
  // The next request on the same nonce (nc + 1).
  std::string next(const std::string& method, const std::string& uri) {
    Poco::Net::HTTPRequest request(method, uri);
    credentials_.updateAuthInfo(request);
    return request.get("Authorization");
  }

 private:
  Poco::Net::HTTPDigestCredentials credentials_;
};

std::string basicHeader(const std::string& user, const std::string& password) {
  Poco::Net::HTTPRequest request;
  Poco::Net::HTTPBasicCredentials(user, password).authenticate(request);
  return request.get("Authorization");
}

std::string replaceParam(std::string header, const std::string& name, const std::string& value) {
  const auto start = header.find(name + "=\"");
  EXPECT_NE(start, std::string::npos) << header;
  const auto from = start + name.size() + 2;
  const auto to = header.find('"', from);
  return header.replace(from, to - from, value);
}

class HttpAuthTest : public ::testing::Test {
 protected:
  HttpAuthenticator::SteadyClock::time_point t0_ = HttpAuthenticator::SteadyClock::now();
  HttpAuthenticator digest_{HttpAuthMode::Digest, {"cam1", "s3cret"}, kRealm};
};

TEST_F(HttpAuthTest, DigestRightPasswordIsOk) {
  DigestClient client("cam1", "s3cret");
  auto header = client.answer(digest_.challengeHeaders(false, t0_), "POST", kUri);
  auto outcome = digest_.evaluate("POST", kUri, header, t0_ + 1s);
  EXPECT_EQ(outcome.result, Result::Ok) << outcome.reason;
}

TEST_F(HttpAuthTest, DigestWrongPasswordIsWrong) {
  DigestClient client("cam1", "guess");
  auto header = client.answer(digest_.challengeHeaders(false, t0_), "POST", kUri);
  EXPECT_EQ(digest_.evaluate("POST", kUri, header, t0_).result, Result::Wrong);
}

TEST_F(HttpAuthTest, DigestWrongUserIsWrong) {
  DigestClient client("cam2", "s3cret");
  auto header = client.answer(digest_.challengeHeaders(false, t0_), "POST", kUri);
  EXPECT_EQ(digest_.evaluate("POST", kUri, header, t0_).result, Result::Wrong);
}

TEST_F(HttpAuthTest, MissingHeaderIsMissing) {
  EXPECT_EQ(digest_.evaluate("POST", kUri, "", t0_).result, Result::Missing);
  EXPECT_EQ(digest_.evaluate("POST", kUri, "   ", t0_).result, Result::Missing);
}

TEST_F(HttpAuthTest, ExpiredNonceIsStaleOnlyWithTheRightPassword) {
  DigestClient good("cam1", "s3cret");
  DigestClient bad("cam1", "guess");
  auto challenge = digest_.challengeHeaders(false, t0_);
  auto goodHeader = good.answer(challenge, "POST", kUri);
  auto badHeader = bad.answer(challenge, "POST", kUri);
  EXPECT_EQ(digest_.evaluate("POST", kUri, goodHeader, t0_ + 300s).result, Result::Ok);
  EXPECT_EQ(digest_.evaluate("POST", kUri, good.next("POST", kUri), t0_ + 301s).result,
            Result::Stale);
  EXPECT_EQ(digest_.evaluate("POST", kUri, badHeader, t0_ + 301s).result, Result::Wrong);
}

TEST_F(HttpAuthTest, ShortLifetimeIsHonoured) {
  HttpAuthenticator shortLived(HttpAuthMode::Digest, {"cam1", "s3cret"}, kRealm, 5s);
  DigestClient client("cam1", "s3cret");
  auto header = client.answer(shortLived.challengeHeaders(false, t0_), "POST", kUri);
  EXPECT_EQ(shortLived.evaluate("POST", kUri, header, t0_ + 6s).result, Result::Stale);
}

TEST_F(HttpAuthTest, TamperedNonceIsWrong) {
  DigestClient client("cam1", "s3cret");
  auto challenge = digest_.challengeHeaders(false, t0_);
  auto header = client.answer(challenge, "POST", kUri);
  // Push the issue time forward, as an attacker would to extend a captured nonce's life.
  const auto start = header.find("nonce=\"") + 7;
  std::string nonce = header.substr(start, header.find('"', start) - start);
  ASSERT_EQ(nonce.size(), 72u);
  std::string forged = nonce;
  forged[13] = forged[13] == 'f' ? 'e' : 'f';
  // Rebuild the header with a correct response for the forged nonce so only the MAC can fail.
  DigestClient forger("cam1", "s3cret");
  std::vector<std::string> fakeChallenge{"Digest realm=\"" + kRealm + "\", qop=\"auth\", nonce=\"" +
                                         forged + "\""};
  auto forgedHeader = forger.answer(fakeChallenge, "POST", kUri);
  auto outcome = digest_.evaluate("POST", kUri, forgedHeader, t0_);
  EXPECT_EQ(outcome.result, Result::Wrong);
  EXPECT_EQ(outcome.reason, "nonce not issued here");
  // And a nonce edited in place (response no longer matches either).
  EXPECT_EQ(digest_.evaluate("POST", kUri, replaceParam(header, "nonce", forged), t0_).result,
            Result::Wrong);
}

TEST_F(HttpAuthTest, NonceFromAnotherSecretIsWrong) {
  DigestClient client("cam1", "s3cret");
  std::vector<std::string> challenge{"Digest realm=\"" + kRealm + "\", qop=\"auth\", nonce=\"" +
                                     std::string(72, 'a') + "\""};
  auto header = client.answer(challenge, "POST", kUri);
  EXPECT_EQ(digest_.evaluate("POST", kUri, header, t0_).result, Result::Wrong);
}

TEST_F(HttpAuthTest, UriAndMethodAreBound) {
  DigestClient client("cam1", "s3cret");
  auto header = client.answer(digest_.challengeHeaders(false, t0_), "POST", kUri);
  auto outcome = digest_.evaluate("POST", "/api/other", header, t0_);
  EXPECT_EQ(outcome.result, Result::Wrong);
  EXPECT_EQ(outcome.reason, "uri mismatch");
  EXPECT_EQ(digest_.evaluate("GET", kUri, header, t0_).result, Result::Wrong);
}

TEST_F(HttpAuthTest, QueryIsPartOfTheUri) {
  DigestClient client("cam1", "s3cret");
  const std::string uri = kUri + "?a=1";
  auto header = client.answer(digest_.challengeHeaders(false, t0_), "POST", uri);
  EXPECT_EQ(digest_.evaluate("POST", uri, header, t0_).result, Result::Ok);
  EXPECT_EQ(digest_.evaluate("POST", kUri + "?a=2", header, t0_).result, Result::Wrong);
}

TEST_F(HttpAuthTest, Rfc2069ClientWithoutQopIsAccepted) {
  DigestClient client("cam1", "s3cret");
  std::vector<std::string> challenge{"Digest realm=\"" + kRealm + "\", nonce=\"" +
                                     digest_.makeNonce(t0_) + "\""};
  auto header = client.answer(challenge, "POST", kUri);
  ASSERT_EQ(header.find("qop"), std::string::npos) << header;
  EXPECT_EQ(digest_.evaluate("POST", kUri, header, t0_).result, Result::Ok);
  DigestClient wrong("cam1", "guess");
  EXPECT_EQ(digest_.evaluate("POST", kUri, wrong.answer(challenge, "POST", kUri), t0_).result,
            Result::Wrong);
}

TEST_F(HttpAuthTest, ReplayedNonceCountIsStale) {
  DigestClient client("cam1", "s3cret");
  auto first = client.answer(digest_.challengeHeaders(false, t0_), "POST", kUri);
  auto second = client.next("POST", kUri);
  auto third = client.next("POST", kUri);
  EXPECT_EQ(digest_.evaluate("POST", kUri, first, t0_).result, Result::Ok);
  EXPECT_EQ(digest_.evaluate("POST", kUri, first, t0_).result, Result::Stale);
  // Parallel requests may arrive out of order.
  EXPECT_EQ(digest_.evaluate("POST", kUri, third, t0_).result, Result::Ok);
  EXPECT_EQ(digest_.evaluate("POST", kUri, second, t0_).result, Result::Ok);
  EXPECT_EQ(digest_.evaluate("POST", kUri, second, t0_).result, Result::Stale);
}

TEST_F(HttpAuthTest, MalformedDigestIsWrong) {
  for (const std::string header :
       {"Digest", "Digest ,,,=", "Digest username=\"cam1\"", "Digest username=\"cam1",
        "Digest realm=\"HTTP API\", nonce=\"x\", uri=\"/\", response=\"y\""}) {
    EXPECT_EQ(digest_.evaluate("POST", kUri, header, t0_).result, Result::Wrong) << header;
  }
}

TEST_F(HttpAuthTest, OtherRealmOrAlgorithmIsWrong) {
  DigestClient client("cam1", "s3cret");
  std::vector<std::string> otherRealm{"Digest realm=\"Other\", qop=\"auth\", nonce=\"" +
                                      digest_.makeNonce(t0_) + "\""};
  EXPECT_EQ(digest_.evaluate("POST", kUri, client.answer(otherRealm, "POST", kUri), t0_).reason,
            "realm mismatch");
  auto header = client.answer(digest_.challengeHeaders(false, t0_), "POST", kUri);
  EXPECT_EQ(digest_.evaluate("POST", kUri, header + ", algorithm=SHA-256", t0_).result,
            Result::Wrong);
}

TEST_F(HttpAuthTest, AnotherInstanceVerifiesTheNonce) {
  // Two cameras, two instances on one path: the first instance challenges, the second verifies.
  HttpAuthenticator other(HttpAuthMode::Digest, {"cam2", "other"}, kRealm);
  DigestClient client("cam2", "other");
  auto header = client.answer(digest_.challengeHeaders(false, t0_), "POST", kUri);
  EXPECT_EQ(other.evaluate("POST", kUri, header, t0_).result, Result::Ok);
  EXPECT_EQ(digest_.evaluate("POST", kUri, header, t0_).result, Result::Wrong);
}

TEST_F(HttpAuthTest, BasicToDigestOnlyIsWrong) {
  auto outcome = digest_.evaluate("POST", kUri, basicHeader("cam1", "s3cret"), t0_);
  EXPECT_EQ(outcome.result, Result::Wrong);
  EXPECT_EQ(outcome.reason, "basic sent, digest required");
}

TEST_F(HttpAuthTest, BasicMode) {
  HttpAuthenticator basic(HttpAuthMode::Basic, {"cam1", "pa:ss"}, kRealm);
  EXPECT_EQ(basic.evaluate("POST", kUri, basicHeader("cam1", "pa:ss"), t0_).result, Result::Ok);
  EXPECT_EQ(basic.evaluate("POST", kUri, basicHeader("cam1", "pa:s"), t0_).result, Result::Wrong);
  EXPECT_EQ(basic.evaluate("POST", kUri, basicHeader("cam", "pa:ss"), t0_).result, Result::Wrong);
  EXPECT_EQ(basic.evaluate("POST", kUri, "Basic !!!", t0_).result, Result::Wrong);
  EXPECT_EQ(basic.evaluate("POST", kUri, "", t0_).result, Result::Missing);
  DigestClient client("cam1", "pa:ss");
  std::vector<std::string> challenge{"Digest realm=\"" + kRealm + "\", qop=\"auth\", nonce=\"" +
                                     basic.makeNonce(t0_) + "\""};
  EXPECT_EQ(basic.evaluate("POST", kUri, client.answer(challenge, "POST", kUri), t0_).result,
            Result::Wrong);
}

TEST_F(HttpAuthTest, AnyModeAcceptsBoth) {
  HttpAuthenticator any(HttpAuthMode::Any, {"cam1", "s3cret"}, kRealm);
  EXPECT_EQ(any.evaluate("POST", kUri, basicHeader("cam1", "s3cret"), t0_).result, Result::Ok);
  DigestClient client("cam1", "s3cret");
  auto challenge = any.challengeHeaders(false, t0_);
  ASSERT_EQ(challenge.size(), 2u);
  EXPECT_EQ(challenge[0].rfind("Digest ", 0), 0u);
  EXPECT_EQ(challenge[1], "Basic realm=\"HTTP API\"");
  EXPECT_EQ(any.evaluate("POST", kUri, client.answer(challenge, "POST", kUri), t0_).result,
            Result::Ok);
  EXPECT_EQ(any.evaluate("POST", kUri, "Bearer abc", t0_).result, Result::Wrong);
}

TEST_F(HttpAuthTest, NoneModeAcceptsEverything) {
  HttpAuthenticator none(HttpAuthMode::None, {}, kRealm);
  EXPECT_EQ(none.evaluate("POST", kUri, "", t0_).result, Result::Ok);
  EXPECT_TRUE(none.challengeHeaders(false, t0_).empty());
}

TEST_F(HttpAuthTest, ChallengeCarriesStaleAndQuotesTheRealm) {
  HttpAuthenticator odd(HttpAuthMode::Digest, {"u", "p"}, "a \"quoted\" realm");
  auto challenge = odd.challengeHeaders(true, t0_);
  ASSERT_EQ(challenge.size(), 1u);
  EXPECT_NE(challenge[0].find("realm=\"a \\\"quoted\\\" realm\""), std::string::npos);
  EXPECT_NE(challenge[0].find("stale=true"), std::string::npos);
  EXPECT_NE(challenge[0].find("qop=\"auth\""), std::string::npos);
  EXPECT_EQ(digest_.challengeHeaders(false, t0_)[0].find("stale"), std::string::npos);
  // Poco's client would echo such a realm unescaped, which is why the plugin refuses quotes
  // and backslashes in `realm`.
}

TEST_F(HttpAuthTest, NoncesAreUnique) { EXPECT_NE(digest_.makeNonce(t0_), digest_.makeNonce(t0_)); }

TEST(HttpAuthClaimedUser, FromBasicAndDigest) {
  EXPECT_EQ(HttpAuthenticator::claimedUser(basicHeader("cam1", "x")), "cam1");
  EXPECT_EQ(HttpAuthenticator::claimedUser(
                "Digest username=\"cam7\", realm=\"r\", nonce=\"n\", uri=\"/\", response=\"x\""),
            "cam7");
  EXPECT_EQ(HttpAuthenticator::claimedUser(""), std::nullopt);
  EXPECT_EQ(HttpAuthenticator::claimedUser("Digest ,,,"), std::nullopt);
  EXPECT_EQ(HttpAuthenticator::claimedUser("Bearer abc"), std::nullopt);
}

TEST(HttpAuthMode, ParsesConfigValues) {
  EXPECT_EQ(httpAuthModeFromString("digest"), HttpAuthMode::Digest);
  EXPECT_EQ(httpAuthModeFromString("any"), HttpAuthMode::Any);
  EXPECT_EQ(httpAuthModeFromString("Digest"), std::nullopt);
  EXPECT_EQ(toString(HttpAuthMode::Basic), "basic");
}

// check(), challenge() and claimedUser() on real server requests, driven by Poco's client doing
// the whole 401 → retry exchange over loopback.
class AuthHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit AuthHandler(const HttpAuthenticator& auth) : auth_(auth) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    Poco::NullOutputStream sink;
    Poco::StreamCopier::copyStream(request.stream(), sink);
    const auto result = auth_.check(request);
    if (result != Result::Ok) {
      auth_.challenge(response, result == Result::Stale);
      response.send() << "denied";
      return;
    }
    response.send() << "hello " << HttpAuthenticator::claimedUser(request).value_or("?");
  }

 private:
  const HttpAuthenticator& auth_;
};

class AuthFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit AuthFactory(const HttpAuthenticator& auth) : auth_(auth) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new AuthHandler(auth_);
  }

 private:
  const HttpAuthenticator& auth_;
};

TEST(HttpAuthServer, PocoClientCompletesTheDigestExchange) {
  HttpAuthenticator auth(HttpAuthMode::Any, {"cam1", "s3cret"}, kRealm);
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  Poco::Net::HTTPServer server(Poco::makeShared<AuthFactory>(auth), socket,
                               Poco::makeAuto<Poco::Net::HTTPServerParams>());
  server.start();

  Poco::Net::HTTPClientSession session("127.0.0.1", socket.address().port());
  Poco::Net::HTTPRequest first(Poco::Net::HTTPRequest::HTTP_POST, kUri,
                               Poco::Net::HTTPMessage::HTTP_1_1);
  first.setContentLength(2);
  session.sendRequest(first) << "{}";
  Poco::Net::HTTPResponse challenge;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(challenge), body);
  ASSERT_EQ(challenge.getStatus(), Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED);

  std::vector<std::string> offered;
  for (auto it = challenge.find("WWW-Authenticate"); it != challenge.end(); ++it) {
    if (it->first == "WWW-Authenticate") offered.push_back(it->second);
  }
  ASSERT_EQ(offered.size(), 2u);

  Poco::Net::HTTPDigestCredentials credentials("cam1", "s3cret");
  Poco::Net::HTTPRequest second(Poco::Net::HTTPRequest::HTTP_POST, kUri,
                                Poco::Net::HTTPMessage::HTTP_1_1);
  credentials.authenticate(second, challenge);
  second.setContentLength(2);
  session.sendRequest(second) << "{}";
  Poco::Net::HTTPResponse answer;
  body.clear();
  Poco::StreamCopier::copyToString(session.receiveResponse(answer), body);
  EXPECT_EQ(answer.getStatus(), Poco::Net::HTTPResponse::HTTP_OK);
  EXPECT_EQ(body, "hello cam1");

  // Replaying the same Authorization is refused as stale, so the client would re-challenge.
  Poco::Net::HTTPRequest replay(Poco::Net::HTTPRequest::HTTP_POST, kUri,
                                Poco::Net::HTTPMessage::HTTP_1_1);
  replay.set("Authorization", second.get("Authorization"));
  replay.setContentLength(2);
  session.sendRequest(replay) << "{}";
  Poco::Net::HTTPResponse refused;
  Poco::StreamCopier::copyToString(session.receiveResponse(refused), body);
  EXPECT_EQ(refused.getStatus(), Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED);
  EXPECT_NE(refused.get("WWW-Authenticate").find("stale=true"), std::string::npos);
  server.stop();
}

}  // namespace
}  // namespace lpr
