#include "genesis/rest/url.hpp"

#include "genesis/rest/endpoint_pool.hpp"
#include "genesis/rest/http_client.hpp"
#include "genesis/rest/http_error.hpp"

#include <gtest/gtest.h>

namespace genesis::rest {
namespace {

TEST(UrlTest, parseBaseUrlHostOnly) {
    auto u = parse_base_url("https://api.binance.com");
    ASSERT_TRUE(u) << u.error().message();
    EXPECT_EQ(u->host, "api.binance.com");
    EXPECT_EQ(u->port, 443);
    EXPECT_EQ(u->prefix, "");
    EXPECT_FALSE(u->host_is_ip);
    EXPECT_EQ(u->authority(), "api.binance.com:443");
    EXPECT_EQ(u->host_header(), "api.binance.com");
}

TEST(UrlTest, parseBaseUrlPortAndPrefix) {
    auto u = parse_base_url("https://127.0.0.1:8443/api/");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "127.0.0.1");
    EXPECT_EQ(u->port, 8443);
    EXPECT_EQ(u->prefix, "/api");
    EXPECT_TRUE(u->host_is_ip);
    EXPECT_EQ(u->host_header(), "127.0.0.1:8443");
    EXPECT_EQ(u->to_string(), "https://127.0.0.1:8443/api");
    EXPECT_EQ(make_target(*u, "/v3/ping", ""), "/api/v3/ping");
    EXPECT_EQ(make_target(*u, "v3/depth", "symbol=BTCUSDT&limit=5"), "/api/v3/depth?symbol=BTCUSDT&limit=5");
}

TEST(UrlTest, parseBaseUrlIpv6) {
    auto u = parse_base_url("https://[::1]:9443");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "::1");
    EXPECT_EQ(u->port, 9443);
    EXPECT_TRUE(u->host_is_ip);
    EXPECT_EQ(u->authority(), "[::1]:9443");
}

TEST(UrlTest, parseBaseUrlRejectsMalformed) {
    for (const char* bad : {"", "http://api.binance.com", "wss://x", "https://", "https://:443", "https://h:0",
                            "https://h:70000", "https://h:12x", "https://h:", "https://u@h", "https://h/p?q=1",
                            "https://h#f", "https://[::1", "https://[::1]x", "https://a:b:c"}) {
        auto u = parse_base_url(bad);
        ASSERT_TRUE(u.has_error()) << bad;
        EXPECT_EQ(u.error(), http_errc::invalid_url) << bad;
    }
}

TEST(UrlTest, httpErrcCategoryAndConditions) {
    const error_code ec = http_errc::outcome_unknown;
    EXPECT_STREQ(ec.category().name(), "genesis.http");
    EXPECT_NE(ec.message().find("unknown"), std::string::npos);
    EXPECT_NE(ec, http_condition::rate_limit);
    EXPECT_EQ(error_code(http_errc::ip_banned), http_condition::rate_limit);
    EXPECT_EQ(error_code(http_errc::timed_out), http_condition::transient);
}

TEST(UrlTest, findJsonIntReadsTopLevelNumbers) {
    EXPECT_EQ(find_json_int(R"({"serverTime":1499827319559})", "serverTime"), 1499827319559);
    EXPECT_EQ(find_json_int(R"({"code": -1021, "msg":"Timestamp outside recvWindow."})", "code"), -1021);
    EXPECT_EQ(find_json_int(R"({"xcode":5,"code":7})", "code"), 7);
    EXPECT_FALSE(find_json_int(R"({"code":"x"})", "code"));
    EXPECT_FALSE(find_json_int(R"({})", "code"));
}

TEST(UrlTest, endpointPoolCreateParsesEveryUrl) {
    auto p = endpoint_pool::create({"https://api.binance.com", "https://127.0.0.1:9443/api"});
    ASSERT_TRUE(p) << p.error().message();
    EXPECT_EQ(p->size(), 2u);
    EXPECT_EQ(p->url(1).port, 9443);
    EXPECT_EQ(p->url(1).prefix, "/api");
    EXPECT_EQ(p->total_stats().connects, 0u);

    EXPECT_EQ(endpoint_pool::create({}).error(), http_errc::invalid_url);
    EXPECT_EQ(endpoint_pool::create({"https://a", "ftp://b"}).error(), http_errc::invalid_url);
    tls_options tls;
    tls.ca_file = "/nonexistent/ca.pem";
    EXPECT_TRUE(endpoint_pool::create({"https://a"}, tls).has_error());
}

} // namespace
} // namespace genesis::rest
