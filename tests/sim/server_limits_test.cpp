// Binance's connection limits and their answers, observed by clients over real sockets: Retry-After
// on 429 / 418 (injected and real), the 5 incoming messages per second of a stream connection,
// connection attempts per IP, listenKey expiry on an open stream, and ws_disconnect rules
// reaching connections that are already open. Each one is counted in /sim/stats.
#include "server_test_fixture.hpp"

#include <gtest/gtest.h>

namespace genesis::sim::test {
namespace {

const std::string resting_order = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000";

std::int64_t net_stat(const std::unique_ptr<json>& s, const char* key) { return int_of(s->root["net"][key].value()); }

// The first frame whose "e" is event within timeout (others are dropped).
std::optional<std::string> event_of(ws_client& ws, const std::string& event, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto m =
            ws.next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
        if (!m)
            return std::nullopt;
        if (str_of(json(*m)["e"]) == event)
            return m;
    }
    return std::nullopt;
}

const char* const upgrade_request = "GET /ws/btcusdt@trade HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    "Sec-WebSocket-Version: 13\r\n\r\n";

TEST_F(SimServerTest, injected429And418CarryRetryAfter) {
    start();
    set_faults(
        R"({"rules":[{"kind":"http_error","target":"/api/v3/ping","status":429,"retry_after_s":7,"max_count":1},)"
        R"({"kind":"http_error","target":"/api/v3/time","status":418,"retry_after_s":30,"max_count":1},)"
        R"({"kind":"http_error","listener":"wsapi","target":"time","status":429,"retry_after_s":7,"max_count":1}]})");
    EXPECT_EQ(srv->faults().rules.at(0).retry_after, std::chrono::seconds(7));
    auto c = rest();
    auto limited = c.request("GET", "/api/v3/ping");
    EXPECT_EQ(limited.status, 429);
    EXPECT_EQ(limited.header("retry-after"), "7");
    EXPECT_EQ(int_of(json(limited.body)["code"]), -1003);
    auto banned = c.request("GET", "/api/v3/time");
    EXPECT_EQ(banned.status, 418);
    EXPECT_EQ(banned.header("retry-after"), "30");
    EXPECT_EQ(int_of(json(banned.body)["code"]), -1003);
    EXPECT_NE(str_of(json(banned.body)["msg"]).find("banned until"), std::string::npos) << banned.body;
    EXPECT_EQ(c.request("GET", "/api/v3/ping").status, 200); // max_count 1

    // The WS-API says when to come back in error.data, as epoch milliseconds.
    ws_client api(srv->urls().ws_api, "/ws-api/v3", srv->ca_file());
    ASSERT_TRUE(api.ok());
    std::vector<std::string> others;
    ASSERT_TRUE(api.send(R"({"id":"t","method":"time"})"));
    auto m = reply_for(api, "t", others);
    ASSERT_TRUE(m);
    json j(*m);
    EXPECT_EQ(int_of(j["status"]), 429) << *m;
    EXPECT_EQ(int_of(j["error"]["code"].value()), -1003);
    const std::int64_t server_time = int_of(j["error"]["data"]["serverTime"].value());
    const std::int64_t retry_after = int_of(j["error"]["data"]["retryAfter"].value());
    EXPECT_GT(server_time, 0) << *m;
    EXPECT_EQ(retry_after - server_time, 7000) << *m;
    EXPECT_EQ(fault_count("http_error"), 3);
}

TEST_F(SimServerTest, wsApiRateLimitErrorsSayWhenToRetry) {
    cfg.limits.weight_per_minute = 3; // time has weight 1
    start();
    ws_client api(srv->urls().ws_api, "/ws-api/v3", srv->ca_file());
    ASSERT_TRUE(api.ok());
    std::vector<std::string> others;
    std::optional<std::string> limited;
    for (int i = 0; i < 5 && !limited; ++i) {
        const std::string id = "r" + std::to_string(i);
        ASSERT_TRUE(api.send(R"({"id":")" + id + R"(","method":"time"})"));
        auto m = reply_for(api, id, others);
        ASSERT_TRUE(m) << id;
        if (int_of(json(*m)["status"]) == 429)
            limited = m;
    }
    ASSERT_TRUE(limited) << "never limited";
    json j(*limited);
    EXPECT_EQ(int_of(j["error"]["code"].value()), -1003);
    const std::int64_t server_time = int_of(j["error"]["data"]["serverTime"].value());
    const std::int64_t retry_after = int_of(j["error"]["data"]["retryAfter"].value());
    EXPECT_GT(retry_after, server_time) << *limited; // the start of the next minute
    EXPECT_LE(retry_after - server_time, 61'000) << *limited;
}

TEST_F(SimServerTest, wsDisconnectRulePostedLaterReachesOpenConnections) {
    start();
    ws_client ws(srv->urls().ws_streams, "/ws/btcusdt@trade", srv->ca_file());
    ASSERT_TRUE(ws.ok());
    // Sent and answered: the connection is live before the rule exists.
    ASSERT_TRUE(ws.send(R"({"method":"LIST_SUBSCRIPTIONS","id":1})"));
    bool answered = false;
    for (int i = 0; i < 50 && !answered; ++i) {
        auto m = ws.next(5s);
        ASSERT_TRUE(m);
        answered = m->find("\"result\"") != std::string::npos;
    }
    set_faults(R"({"rules":[{"kind":"ws_disconnect","listener":"streams","interval_ms":200}]})");
    EXPECT_TRUE(ws.wait_closed(5s));
    EXPECT_EQ(fault_count("ws_disconnect"), 1);
}

TEST_F(SimServerTest, streamConnectionSendingMoreThanFiveMessagesASecondIsClosed) {
    start();
    // Five control messages are within the limit: every one is answered and the connection stays.
    ws_client polite(srv->urls().ws_streams, "/ws/btcusdt@trade", srv->ca_file());
    ASSERT_TRUE(polite.ok());
    for (int i = 1; i <= 5; ++i)
        ASSERT_TRUE(polite.send(R"({"method":"LIST_SUBSCRIPTIONS","id":)" + std::to_string(i) + "}"));
    int answered = 0;
    for (int i = 0; i < 50 && answered < 5; ++i) {
        auto m = polite.next(5s);
        ASSERT_TRUE(m) << "answered " << answered;
        if (m->find("\"result\"") != std::string::npos)
            ++answered;
    }
    EXPECT_EQ(answered, 5);
    EXPECT_FALSE(polite.closed());

    // Twenty in a burst: disconnected, as Binance does.
    ws_client chatty(srv->urls().ws_streams, "/ws/btcusdt@trade", srv->ca_file());
    ASSERT_TRUE(chatty.ok());
    for (int i = 1; i <= 20; ++i)
        if (!chatty.send(R"({"method":"LIST_SUBSCRIPTIONS","id":)" + std::to_string(i) + "}"))
            break;
    EXPECT_TRUE(chatty.wait_closed(5s));
    EXPECT_EQ(net_stat(stats(), "ws_incoming_limit_closes"), 1);

    // The WS-API is limited by request weight, not by this rule.
    ws_client api(srv->urls().ws_api, "/ws-api/v3", srv->ca_file());
    ASSERT_TRUE(api.ok());
    for (int i = 0; i < 20; ++i)
        ASSERT_TRUE(api.send(R"({"id":"p)" + std::to_string(i) + R"(","method":"ping"})"));
    std::vector<std::string> others;
    EXPECT_TRUE(reply_for(api, "p19", others));
    EXPECT_FALSE(api.closed());
    EXPECT_EQ(net_stat(stats(), "ws_incoming_limit_closes"), 1);
}

TEST_F(SimServerTest, streamConnectionAttemptsPerIpAreLimited) {
    cfg.ws.max_connection_attempts = 3;
    cfg.ws.connection_attempt_window = 600'000ms;
    start();
    std::vector<std::unique_ptr<ws_client>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<ws_client>(srv->urls().ws_streams, "/ws/btcusdt@trade", srv->ca_file()));
        ASSERT_TRUE(held.back()->ok()) << i;
    }
    // The fourth attempt is refused before the upgrade: HTTP 429 with Retry-After.
    const std::string refused = raw_tls_exchange(srv->urls().ws_streams, srv->ca_file(), upgrade_request);
    EXPECT_EQ(refused.rfind("HTTP/1.1 429", 0), 0u) << refused;
    EXPECT_NE(refused.find("Retry-After: 600"), std::string::npos) << refused;
    EXPECT_NE(refused.find("-1003"), std::string::npos) << refused;
    ws_client fifth(srv->urls().ws_streams, "/ws/btcusdt@trade", srv->ca_file());
    EXPECT_FALSE(fifth.ok());
    EXPECT_EQ(net_stat(stats(), "ws_connection_attempts_refused"), 2);
    // The WS-API is not a stream connection; REST is unaffected.
    ws_client api(srv->urls().ws_api, "/ws-api/v3", srv->ca_file());
    EXPECT_TRUE(api.ok());
    EXPECT_EQ(rest().request("GET", "/api/v3/ping").status, 200);

    // exchangeInfo lists the limit as Binance does (CONNECTIONS per N MINUTE).
    auto info = rest().request("GET", "/api/v3/exchangeInfo?symbol=BTCUSDT");
    ASSERT_EQ(info.status, 200);
    json j(info.body);
    ASSERT_TRUE(j.ok) << info.body;
    simdjson::dom::array limits;
    ASSERT_EQ(j.root["rateLimits"].get(limits), simdjson::SUCCESS) << info.body;
    bool listed = false;
    for (simdjson::dom::element rl : limits)
        if (str_of(rl["rateLimitType"].value()) == "CONNECTIONS") {
            listed = true;
            EXPECT_EQ(str_of(rl["interval"].value()), "MINUTE");
            EXPECT_EQ(int_of(rl["intervalNum"].value()), 10);
            EXPECT_EQ(int_of(rl["limit"].value()), 3);
        }
    EXPECT_TRUE(listed) << info.body;
}

TEST_F(SimServerTest, listenKeyExpiresOnAnOpenStreamAndCloseEndsIt) {
    cfg.ws.listen_key_lifetime = 400ms;
    start();
    auto c = rest();
    auto created = c.request("POST", "/api/v3/userDataStream", "", key_header());
    ASSERT_EQ(created.status, 200) << created.body;
    const std::string key = str_of(json(created.body)["listenKey"]);
    ws_client user(srv->urls().ws_streams, "/ws/" + key, srv->ca_file());
    ASSERT_TRUE(user.ok());

    // No keepalive: the stream is told once.
    auto expired = event_of(user, "listenKeyExpired", 5s);
    ASSERT_TRUE(expired) << "no listenKeyExpired";
    json e(*expired);
    EXPECT_EQ(str_of(e["listenKey"]), key);
    EXPECT_FALSE(str_of(e["E"]).empty()) << *expired; // a string, as Binance documents it
    EXPECT_EQ(net_stat(stats(), "listen_key_expired_events"), 1);

    // Nothing more arrives on it: an order's report reaches a live WS-API subscription only.
    ws_client api(srv->urls().ws_api, "/ws-api/v3", srv->ca_file());
    ASSERT_TRUE(api.ok());
    std::vector<std::string> others;
    ASSERT_TRUE(api.send(ws_signed("userDataStream.subscribe.signature", {}, "sub")));
    auto sub = reply_for(api, "sub", others);
    ASSERT_TRUE(sub);
    ASSERT_EQ(int_of(json(*sub)["status"]), 200) << *sub;
    ASSERT_EQ(c.request("POST", "/api/v3/order", sign(resting_order), key_header()).status, 200);
    bool report = false;
    for (int i = 0; i < 10 && !report; ++i) {
        auto m = api.next(5s);
        ASSERT_TRUE(m);
        report = m->find("executionReport") != std::string::npos;
    }
    EXPECT_TRUE(report);
    EXPECT_FALSE(user.next(300ms)) << "an event after listenKeyExpired";

    // The key is gone: a keepalive gets -1125 and a new connection is refused.
    auto keepalive = c.request("PUT", "/api/v3/userDataStream", "listenKey=" + key, key_header());
    EXPECT_EQ(keepalive.status, 400);
    EXPECT_EQ(int_of(json(keepalive.body)["code"]), -1125);
    ws_client again(srv->urls().ws_streams, "/ws/" + key, srv->ca_file());
    EXPECT_FALSE(again.ok());
    EXPECT_GE(net_stat(stats(), "listen_keys_expired"), 1);

    // A closed key (DELETE) ends its open stream without listenKeyExpired.
    auto second = c.request("POST", "/api/v3/userDataStream", "", key_header());
    const std::string key2 = str_of(json(second.body)["listenKey"]);
    ASSERT_NE(key2, key);
    ws_client user2(srv->urls().ws_streams, "/ws/" + key2, srv->ca_file());
    ASSERT_TRUE(user2.ok());
    EXPECT_EQ(c.request("DELETE", "/api/v3/userDataStream", "listenKey=" + key2, key_header()).status, 200);
    EXPECT_TRUE(user2.wait_closed(5s));
    while (auto m = user2.next(10ms))
        EXPECT_EQ(m->find("listenKeyExpired"), std::string::npos) << *m;
    EXPECT_EQ(net_stat(stats(), "listen_key_expired_events"), 1);
}

} // namespace
} // namespace genesis::sim::test
