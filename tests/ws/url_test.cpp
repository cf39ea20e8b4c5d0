#include "genesis/ws/url.hpp"

#include "genesis/ws/error.hpp"

#include <gtest/gtest.h>

namespace genesis::ws {
namespace {

class UrlTest : public ::testing::Test {};

TEST_F(UrlTest, parseWsUrlSplitsHostPortTarget) {
    auto u = parse_ws_url("wss://stream.binance.com:9443/stream?streams=btcusdt@depth@100ms/ethusdt@trade");
    ASSERT_TRUE(u.has_value());
    EXPECT_TRUE(u->secure);
    EXPECT_EQ(u->host, "stream.binance.com");
    EXPECT_EQ(u->port, "9443");
    EXPECT_EQ(u->target, "/stream?streams=btcusdt@depth@100ms/ethusdt@trade");
    EXPECT_EQ(u->path(), "/stream");
    EXPECT_EQ(u->host_header(), "stream.binance.com:9443");
}

TEST_F(UrlTest, parseWsUrlDefaultsPortAndTarget) {
    auto a = parse_ws_url("wss://example.com");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->port, "443");
    EXPECT_EQ(a->target, "/");
    auto b = parse_ws_url("ws://127.0.0.1/ws/btcusdt@trade");
    ASSERT_TRUE(b.has_value());
    EXPECT_FALSE(b->secure);
    EXPECT_EQ(b->port, "80");
    EXPECT_EQ(b->target, "/ws/btcusdt@trade");
    auto c = parse_ws_url("wss://h:1?x=1#frag");
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->target, "/?x=1");
}

TEST_F(UrlTest, parseWsUrlAcceptsIpv6Literals) {
    auto u = parse_ws_url("wss://[::1]:8443/ws");
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(u->host, "::1");
    EXPECT_EQ(u->port, "8443");
    EXPECT_EQ(u->host_header(), "[::1]:8443");
    EXPECT_TRUE(is_ip_literal(u->host));
    EXPECT_TRUE(is_ip_literal("127.0.0.1"));
    EXPECT_FALSE(is_ip_literal("localhost"));
}

TEST_F(UrlTest, parseWsUrlRejectsMalformed) {
    for (const char* bad : {"", "https://h/ws", "wss://", "wss://:443/ws", "wss://h:/ws", "wss://h:0/ws",
                            "wss://h:65536/ws", "wss://h:12a/ws", "wss://user:pw@h/ws", "wss://h/w s", "wss://[::1/ws",
                            "wss://[nothost]:1/", "wss://h/ws\n", "wss:/h/ws"}) {
        auto r = parse_ws_url(bad);
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error(), make_error_code(ws_errc::invalid_url)) << bad;
    }
}

TEST_F(UrlTest, redactedHidesListenKeysAndQueries) {
    const std::string key = "pqia91ma19a5s61cv6a81va65sdf19v8a65a1a5s61cv6a81va65sdf19v8a65a1";
    auto u = parse_ws_url("wss://stream.binance.com:9443/ws/" + key);
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(u->redacted(), "wss://stream.binance.com:9443/ws/***");
    EXPECT_EQ(u->redacted().find(key), std::string::npos);
    EXPECT_EQ(parse_ws_url("wss://h/stream?streams=a@trade")->redacted(), "wss://h:443/stream?***");
    EXPECT_EQ(parse_ws_url("wss://h:1")->redacted(), "wss://h:1/");
    EXPECT_EQ(parse_ws_url("wss://h:1/ws/")->redacted(), "wss://h:1/ws/");
}

TEST_F(UrlTest, combinedStreamTargetJoinsStreams) {
    EXPECT_EQ(combined_stream_target("/stream", {"btcusdt@trade", "ethusdt@depth@100ms"}),
              "/stream?streams=btcusdt@trade/ethusdt@depth@100ms");
    EXPECT_EQ(combined_stream_target("/stream", {}), "/stream");
    EXPECT_EQ(combined_stream_target("", {"a@trade"}), "/stream?streams=a@trade");
}

TEST_F(UrlTest, streamControlMessageIsBinanceJson) {
    EXPECT_EQ(stream_control_message("SUBSCRIBE", {"btcusdt@aggTrade", "btcusdt@depth"}, 1),
              R"({"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@depth"],"id":1})");
    EXPECT_EQ(stream_control_message("UNSUBSCRIBE", {"a\"b"}, 312),
              R"({"method":"UNSUBSCRIBE","params":["a\"b"],"id":312})");
}

} // namespace
} // namespace genesis::ws
