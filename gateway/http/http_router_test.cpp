#include "http/http_router.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <gtest/gtest.h>

#include "http/http_server.h"
#include "http_test_client.h"
#include "metrics/metrics.h"

namespace lpr {
namespace {

// A route that answers with its own name, to see which one a request reached.
HttpRoute named(const std::string& name, const std::string& path, bool prefix,
                const std::string& method = {}) {
  HttpRoute route;
  route.method = method;
  route.path = path;
  route.prefix = prefix;
  route.owner = name;
  route.handle = [name](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
    response.setContentType("text/plain");
    response.send() << name;
  };
  return route;
}

class HttpRouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add(named("users-prefix", "/api/v1/users/", true));
    router_.add(named("api-prefix", "/api/v1/", true));
    router_.add(named("users-exact", "/api/v1/users", false));
    router_.add(named("post-only", "/only-post", false, "POST"));
    HttpServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options, router_, metrics_, [] {
      return std::pair<bool, std::string>{true, "{}"};
    });
    server_->start();
  }
  void TearDown() override { server_->stop(); }
  testing::HttpAnswer get(const std::string& path, const std::string& method = "GET") {
    return testing::httpRequest(server_->boundPort(), method, path);
  }

  HttpRouter router_;
  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpRouterTest, ExactRoutesWinOverPrefixRoutesAddedBeforeThem) {
  EXPECT_EQ(get("/api/v1/users").body, "users-exact");
}

TEST_F(HttpRouterTest, APrefixRouteTakesEveryPathBelowIt) {
  EXPECT_EQ(get("/api/v1/users/0f3c-uuid").body, "users-prefix");
  EXPECT_EQ(get("/api/v1/lists/7").body, "api-prefix");
  EXPECT_EQ(get("/api/v1/").body, "api-prefix");
}

TEST_F(HttpRouterTest, PathsOutsideEveryRouteAre404AndWrongMethods405) {
  EXPECT_EQ(get("/api/v2/users").status, 404);
  EXPECT_EQ(get("/api/v1").status, 404) << "a prefix matches below its path only";
  EXPECT_EQ(get("/only-post").status, 405);
  EXPECT_EQ(get("/only-post", "POST").body, "post-only");
}

}  // namespace
}  // namespace lpr
