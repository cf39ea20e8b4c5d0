// Fault injection, keep-alive, control endpoint and the genesis-sim executable, observed by
// clients over real sockets and counted in /sim/stats.
#include "genesis/sim/server/faults.hpp"

#include "genesis/sim/server/config_file.hpp"
#include "genesis/sim/server/rate_limiter.hpp"
#include "server_test_fixture.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include <csignal>
#include <cstdio>
#include <fstream>

#include <sys/wait.h>
#include <unistd.h>

namespace genesis::sim::test {
namespace {

const std::string resting_order = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000";

std::size_t open_orders(sim_server& s) {
    std::size_t n = 0;
    s.with_exchange([&](exchange& ex) { n = ex.open_orders(*ex.find_account("sim-test-api-key"))->size(); });
    return n;
}

TEST(FaultConfigTest, jsonRoundTripAndRejects) {
    auto f = parse_fault_config_json(
        R"({"seed":7,"clock_skew_ms":-1500,"rules":[{"kind":"latency","listener":"rest1","target":"/api/v3/*",)"
        R"("latency_ms":[500,3000],"probability":0.5},{"kind":"lost_ack","status":0,"max_count":1}]})");
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->seed, 7u);
    EXPECT_EQ(f->clock_skew.count(), -1500);
    ASSERT_EQ(f->rules.size(), 2u);
    EXPECT_EQ(f->rules[0].latency_min.count(), 500);
    EXPECT_EQ(f->rules[0].latency_max.count(), 3000);
    EXPECT_EQ(f->rules[1].status, 0);
    auto again = parse_fault_config_json(to_json(*f));
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(to_json(*again), to_json(*f));
    EXPECT_FALSE(parse_fault_config_json(R"({"rules":[{"kind":"meteor"}]})").has_value());
    EXPECT_FALSE(parse_fault_config_json(R"({"rules":[{"listener":"x"}]})").has_value());
    EXPECT_FALSE(parse_fault_config_json(R"({"bogus":1})").has_value());
    // Latencies beyond one day are refused: they would overflow the injector's nanosecond arithmetic.
    EXPECT_FALSE(
        parse_fault_config_json(R"({"rules":[{"kind":"latency","latency_ms":[0,9300000000000000]}]})").has_value());
    EXPECT_FALSE(parse_fault_config_json(R"({"rules":[{"kind":"latency","latency_ms":9300000000000}]})").has_value());
    EXPECT_TRUE(parse_fault_config_json(R"({"rules":[{"kind":"latency","latency_ms":86400000}]})").has_value());
    EXPECT_FALSE(parse_fault_config_json("not json").has_value());
    // A probability of -0.0 is 0 and round-trips as 0 (sim_faults_fuzz found "-0" -> 0 -> "0").
    auto neg_zero = parse_fault_config_json(R"({"rules":[{"kind":"latency","probability":-0.0}]})");
    ASSERT_TRUE(neg_zero.has_value());
    const std::string rendered = to_json(*neg_zero);
    EXPECT_NE(rendered.find("\"probability\":0,"), std::string::npos) << rendered;
    auto neg_zero_again = parse_fault_config_json(rendered);
    ASSERT_TRUE(neg_zero_again.has_value());
    EXPECT_EQ(to_json(*neg_zero_again), rendered);
    EXPECT_TRUE(fault_match("/api/v3/*", "/api/v3/order"));
    EXPECT_FALSE(fault_match("/api/v3/order", "/api/v3/orders"));
}

TEST(FaultConfigTest, sameSeedSameDecisions) {
    fault_config cfg;
    cfg.seed = 99;
    fault_rule r;
    r.kind = fault_kind::http_error;
    r.probability = 0.3;
    cfg.rules.push_back(r);
    fault_injector a(cfg), b(cfg);
    int fired = 0;
    for (int i = 0; i < 200; ++i) {
        const bool x = a.on_request("rest0", "/api/v3/ping", "GET").error_status != 0;
        const bool y = b.on_request("rest0", "/api/v3/ping", "GET").error_status != 0;
        ASSERT_EQ(x, y);
        fired += x;
    }
    EXPECT_GT(fired, 30);
    EXPECT_LT(fired, 90);
    EXPECT_EQ(a.counts()[static_cast<std::size_t>(fault_kind::http_error)], static_cast<std::uint64_t>(fired));
}

TEST(RateLimiterTest, windowsResetAndBanExpires) {
    rate_limit_config c;
    c.weight_per_minute = 10;
    c.ban_after_violations = 1;
    c.ban_duration = std::chrono::seconds(120);
    rate_limiter lim(c);
    const time_point t0{60'000'000'000LL * 1000};
    EXPECT_EQ(lim.check("a", 10, false, t0).v, rate_decision::verdict::allowed);
    auto d = lim.check("a", 1, false, t0 + std::chrono::seconds(1));
    EXPECT_EQ(d.v, rate_decision::verdict::too_many_weight);
    EXPECT_EQ(d.retry_after_s, 59);
    EXPECT_EQ(lim.check("b", 1, false, t0).v, rate_decision::verdict::allowed);
    EXPECT_EQ(lim.check("a", 1, false, t0 + std::chrono::seconds(2)).v, rate_decision::verdict::banned);
    EXPECT_EQ(lim.check("a", 1, false, t0 + std::chrono::seconds(100)).v, rate_decision::verdict::banned);
    EXPECT_EQ(lim.check("a", 1, false, t0 + std::chrono::seconds(123)).v, rate_decision::verdict::allowed);
}

TEST(SimConfigFileTest, parsesSectionsAndRejectsUnknownKeys) {
    const std::string path = ::testing::TempDir() + "sim_cfg_test.toml";
    {
        std::ofstream f(path);
        f << "[server]\nrest_listeners = 3\nagents = false\n[websocket]\nping_interval_ms = 500\n"
             "[rate_limits]\nweight_per_minute = 100\nkey = \"connection\"\n"
             "[faults]\nseed = 5\nclock_skew_ms = 250\n[faults.rules.slow_orders]\nkind = \"latency\"\n"
             "target = \"/api/v3/order\"\nlatency_min_ms = 500\nlatency_max_ms = 3000\n";
    }
    sim_settings s;
    auto errors = load_sim_config(path, s);
    ASSERT_TRUE(errors.empty()) << config::to_string(errors);
    EXPECT_EQ(s.server.rest.size(), 3u);
    EXPECT_EQ(s.server.rest[2].name, "rest2");
    EXPECT_FALSE(s.server.agents_enabled);
    EXPECT_EQ(s.server.ws.ping_interval.count(), 500);
    EXPECT_EQ(s.server.limits.weight_per_minute, 100);
    EXPECT_EQ(s.server.faults.seed, 5u);
    ASSERT_EQ(s.server.faults.rules.size(), 1u);
    EXPECT_EQ(s.server.faults.rules[0].latency_max.count(), 3000);
    {
        std::ofstream f(path);
        f << "[server]\nrest_listners = 3\n";
    }
    sim_settings bad;
    EXPECT_FALSE(load_sim_config(path, bad).empty());
}

TEST_F(SimServerTest, controlEndpointReplacesFaults) {
    start();
    auto get = http_plain(srv->urls().control, "GET", "/sim/faults");
    ASSERT_EQ(get.status, 200);
    EXPECT_EQ(get.body, R"({"seed":1,"clock_skew_ms":0,"rules":[]})");
    auto bad = http_plain(srv->urls().control, "POST", "/sim/faults", R"({"rules":[{"kind":"nope"}]})");
    EXPECT_EQ(bad.status, 400);
    set_faults(R"({"seed":3,"rules":[{"kind":"http_error","target":"/api/v3/ping","status":502}]})");
    EXPECT_EQ(srv->faults().rules.size(), 1u);
    EXPECT_EQ(http_plain(srv->urls().control, "GET", "/nope").status, 404);
}

TEST_F(SimServerTest, faultLatencyDelaysOneListenerOnly) {
    cfg.faults.rules.push_back({fault_kind::latency, "rest1", "/api/v3/time", "", 1.0, 300ms, 300ms, 0, 0ms, 0});
    start();
    auto slow = rest(1);
    auto fast = rest(0);
    auto a = slow.request("GET", "/api/v3/time");
    auto b = fast.request("GET", "/api/v3/time");
    EXPECT_EQ(a.status, 200);
    EXPECT_GE(a.elapsed.count(), 300);
    EXPECT_LT(b.elapsed.count(), 300);
    EXPECT_EQ(fault_count("latency"), 1);
}

TEST_F(SimServerTest, faultHttpErrorsAnswerWithoutProcessing) {
    start();
    set_faults(R"({"rules":[{"kind":"http_error","target":"/api/v3/order","method":"POST","status":503,"max_count":1},)"
               R"({"kind":"http_error","target":"/api/v3/ping","status":502}]})");
    auto c = rest();
    auto r = c.request("POST", "/api/v3/order", sign(resting_order), key_header());
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(open_orders(*srv), 0u);
    EXPECT_EQ(c.request("POST", "/api/v3/order", sign(resting_order), key_header()).status, 200); // max_count 1
    EXPECT_EQ(c.request("GET", "/api/v3/ping").status, 502);
    EXPECT_EQ(fault_count("http_error"), 2);
}

TEST_F(SimServerTest, faultLostAckPlacesTheOrderButLosesTheAnswer) {
    start();
    set_faults(R"({"rules":[{"kind":"lost_ack","target":"/api/v3/order","method":"POST","status":0,"max_count":1}]})");
    auto c = rest();
    auto r = c.request("POST", "/api/v3/order", sign(resting_order + "&newClientOrderId=lost-1"), key_header(), 500ms);
    EXPECT_TRUE(r.ec); // never answered
    EXPECT_EQ(open_orders(*srv), 1u);
    set_faults(R"({"rules":[{"kind":"lost_ack","target":"/api/v3/order","method":"POST","status":500}]})");
    auto c2 = rest();
    auto e = c2.request("POST", "/api/v3/order", sign(resting_order), key_header());
    EXPECT_EQ(e.status, 500);
    EXPECT_EQ(int_of(json(e.body)["code"]), -1007);
    EXPECT_EQ(open_orders(*srv), 2u);
    auto s = stats();
    EXPECT_EQ(int_of(s->root["acks_dropped"].value()), 2);
    EXPECT_EQ(int_of(s->root["faults"]["lost_ack"].value()), 2);
    EXPECT_EQ(int_of(s->root["accounts"].at(0)["orders"]["accepted"].value()), 2);
}

TEST_F(SimServerTest, faultResetAndStall) {
    cfg.faults.rules.push_back({fault_kind::reset, "rest0", "/api/v3/time", "", 1.0, 0ms, 0ms, 0, 0ms, 0});
    cfg.faults.rules.push_back({fault_kind::stall, "rest1", "/api/v3/time", "", 1.0, 0ms, 0ms, 0, 0ms, 0});
    start();
    auto a = rest(0);
    const auto t0 = std::chrono::steady_clock::now();
    auto reset = a.request("GET", "/api/v3/time");
    EXPECT_TRUE(reset.ec);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s); // reset at once, not a timeout
    auto b = rest(1);
    auto stalled = b.request("GET", "/api/v3/time", {}, {}, 300ms);
    EXPECT_TRUE(stalled.ec);
    EXPECT_EQ(rest(0).request("GET", "/api/v3/ping").status, 200);
    EXPECT_EQ(fault_count("reset"), 1);
    EXPECT_EQ(fault_count("stall"), 1);
}

TEST_F(SimServerTest, faultClockSkewShiftsServerTime) {
    cfg.faults.clock_skew = -30s;
    start();
    auto c = rest();
    auto t = c.request("GET", "/api/v3/time");
    const auto server = int_of(json(t.body)["serverTime"]);
    EXPECT_NEAR(static_cast<double>(now_ms() - server), 30000.0, 2000.0);
    // A request stamped with the client's (true) clock is now "ahead of the server".
    auto acc = c.request("GET", "/api/v3/account?" + sign(""), {}, key_header());
    EXPECT_EQ(int_of(json(acc.body)["code"]), -1021);
    set_faults(R"({"clock_skew_ms":0})");
    EXPECT_EQ(c.request("GET", "/api/v3/account?" + sign(""), {}, key_header()).status, 200);
}

// Counts the execution reports of one account (told by the exchange as they happen).
struct account_reports final : exchange_listener {
    account_id account = 0;
    std::mutex m;
    std::condition_variable cv;
    std::uint64_t n = 0;

    void on_execution_report(account_id a, const execution_report&) override {
        if (a != account)
            return;
        {
            std::lock_guard lock(m);
            ++n;
        }
        cv.notify_all();
    }
    // Waits (bounded) for more than `than` reports after the count now.
    bool more(std::uint64_t than, std::chrono::seconds within) {
        std::unique_lock lock(m);
        const auto from = n;
        return cv.wait_for(lock, within, [&] { return n > from + than; });
    }
};

// The agents go on trading through a skew and after it is taken back (they used to stand still
// for as long as the skew had been, waiting for the skewed clock to come back).
TEST_F(SimServerTest, faultClockSkewTakenBackDoesNotStopTheAgents) {
    start();
    account_reports agents;
    srv->with_exchange([&](exchange& ex) {
        agents.account = ex.agents_account();
        ex.subscribe(&agents);
    });
    set_faults(R"({"clock_skew_ms":60000})");
    EXPECT_TRUE(agents.more(3, 20s));
    set_faults(R"({"clock_skew_ms":0})");
    EXPECT_TRUE(agents.more(3, 20s)) << "the agents stopped after the skew was taken back";
    srv->with_exchange([&](exchange& ex) { ex.unsubscribe(&agents); });
}

TEST_F(SimServerTest, faultDepthGapDuplicateAndMalformedFrames) {
    cfg.agent_interval = 5ms;
    cfg.faults.rules.push_back({fault_kind::duplicate, "", "ethusdt@depth@100ms", "", 1.0, 0ms, 0ms, 0, 0ms, 1});
    cfg.faults.rules.push_back({fault_kind::malformed, "", "btcusdt@depth5@100ms", "", 1.0, 0ms, 0ms, 0, 0ms, 1});
    cfg.faults.rules.push_back({fault_kind::truncated, "", "ethusdt@depth5@100ms", "", 1.0, 0ms, 0ms, 0, 0ms, 1});
    start();
    ws_client ws(srv->urls().ws_streams,
                 "/stream?streams=btcusdt@depth@100ms/ethusdt@depth@100ms/btcusdt@depth5@100ms/ethusdt@depth5@100ms",
                 srv->ca_file());
    ASSERT_TRUE(ws.ok());
    std::map<std::string, std::string> last_frame;
    bool dup = false;
    int bad_json = 0;
    const auto deadline = std::chrono::steady_clock::now() + 6s;
    while (std::chrono::steady_clock::now() < deadline && !(dup && bad_json >= 2)) {
        auto m = ws.next(1s);
        if (!m)
            continue;
        json j(*m);
        if (!j.ok) {
            ++bad_json;
            continue;
        }
        const std::string stream = str_of(j["stream"]);
        if (stream.find("@depth@") == std::string::npos)
            continue;
        if (last_frame[stream] == *m)
            dup = true;
        last_frame[stream] = *m;
    }
    EXPECT_TRUE(dup);
    EXPECT_EQ(bad_json, 2);
    auto s = stats();
    EXPECT_EQ(int_of(s->root["faults"]["duplicate"].value()), 1);
    EXPECT_EQ(int_of(s->root["faults"]["malformed"].value()), 1);
    EXPECT_EQ(int_of(s->root["faults"]["truncated"].value()), 1);
}

TEST_F(SimServerTest, faultDepthGapBreaksTheChain) {
    cfg.agent_interval = 5ms;
    start();
    ws_client ws(srv->urls().ws_streams, "/ws/btcusdt@depth@100ms", srv->ca_file());
    ASSERT_TRUE(ws.ok());
    std::int64_t last_u = -1;
    int frames = 0;
    bool gap = false;
    const auto deadline = std::chrono::steady_clock::now() + 6s;
    while (std::chrono::steady_clock::now() < deadline && !gap) {
        auto m = ws.next(1s);
        if (!m)
            continue;
        json j(*m);
        const auto U = int_of(j["U"]), u = int_of(j["u"]);
        if (last_u >= 0) {
            if (U > last_u + 1)
                gap = true;
            else
                ASSERT_EQ(U, last_u + 1);
        }
        last_u = u;
        // Once the chain is established, drop exactly one window.
        if (++frames == 2)
            set_faults(R"({"rules":[{"kind":"depth_gap","target":"btcusdt@depth@100ms","max_count":1}]})");
    }
    EXPECT_TRUE(gap);
    EXPECT_EQ(fault_count("depth_gap"), 1);
}

TEST_F(SimServerTest, faultReorderSwapsUserDataEvents) {
    start();
    set_faults(R"({"rules":[{"kind":"reorder","target":"executionReport","max_count":1}]})");
    ws_client ws(srv->urls().ws_api.substr(0, srv->urls().ws_api.find("/ws-api")), "/ws-api/v3", srv->ca_file());
    ASSERT_TRUE(ws.ok());
    std::vector<std::string> ev;
    ASSERT_TRUE(ws.send(ws_signed("userDataStream.subscribe.signature", {}, "sub")));
    ASSERT_TRUE(reply_for(ws, "sub", ev));
    auto c = rest();
    ASSERT_EQ(c.request("POST", "/api/v3/order", sign(resting_order + "&newClientOrderId=first"), key_header()).status,
              200);
    ASSERT_EQ(c.request("POST", "/api/v3/order", sign(resting_order + "&newClientOrderId=second"), key_header()).status,
              200);
    // The first executionReport is held back and follows the next frame (its account position).
    std::vector<std::string> ids;
    for (int i = 0; i < 10 && ids.size() < 3; ++i) {
        std::string m;
        if (!ev.empty()) {
            m = ev.front();
            ev.erase(ev.begin());
        } else if (auto n = ws.next(2s)) {
            m = *n;
        } else {
            break;
        }
        json j(m);
        const std::string type = str_of(j["event"]["e"].value());
        ids.push_back(type == "executionReport" ? str_of(j["event"]["c"].value()) : type);
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"outboundAccountPosition", "first", "second"}));
    EXPECT_EQ(fault_count("reorder"), 1);
}

TEST_F(SimServerTest, faultLatencyDelaysUserDataFrames) {
    cfg.faults.rules.push_back({fault_kind::latency, "wsapi", "executionReport", "", 1.0, 300ms, 300ms, 0, 0ms, 0});
    start();
    ws_client ws(srv->urls().ws_api.substr(0, srv->urls().ws_api.find("/ws-api")), "/ws-api/v3", srv->ca_file());
    ASSERT_TRUE(ws.ok());
    std::vector<std::string> ev;
    ASSERT_TRUE(ws.send(ws_signed("userDataStream.subscribe.signature", {}, "sub")));
    ASSERT_TRUE(reply_for(ws, "sub", ev));
    auto c = rest();
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(c.request("POST", "/api/v3/order", sign(resting_order), key_header()).status, 200);
    bool seen = false;
    for (int i = 0; i < 5 && !seen; ++i) {
        auto m = ws.next(3s);
        ASSERT_TRUE(m);
        seen = m->find("executionReport") != std::string::npos;
    }
    EXPECT_TRUE(seen);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);
    EXPECT_EQ(fault_count("latency"), 1);
}

TEST_F(SimServerTest, wsApiFaultsLatencyAndLostAck) {
    cfg.faults.rules.push_back({fault_kind::lost_ack, "wsapi", "order.place", "", 1.0, 0ms, 0ms, 0, 0ms, 1});
    start();
    ws_client ws(srv->urls().ws_api.substr(0, srv->urls().ws_api.find("/ws-api")), "/ws-api/v3", srv->ca_file());
    ASSERT_TRUE(ws.ok());
    std::vector<std::string> ev;
    ASSERT_TRUE(ws.send(ws_signed("order.place",
                                  {{"symbol", "BTCUSDT"},
                                   {"side", "BUY"},
                                   {"type", "LIMIT"},
                                   {"timeInForce", "GTC"},
                                   {"quantity", "0.001"},
                                   {"price", "50000"}},
                                  "lost")));
    ASSERT_TRUE(ws.send(ws_signed("openOrders.status", {{"symbol", "BTCUSDT"}}, "oo")));
    auto oo = reply_for(ws, "oo", ev);
    ASSERT_TRUE(oo);
    for (const auto& e : ev)
        EXPECT_EQ(e.find("\"id\":\"lost\""), std::string::npos);
    json j(*oo);
    simdjson::dom::array orders;
    ASSERT_EQ(j["result"].get(orders), simdjson::SUCCESS);
    EXPECT_EQ(orders.size(), 1u); // placed although never acknowledged
    EXPECT_EQ(fault_count("lost_ack"), 1);
}

TEST_F(SimServerTest, faultWsDisconnectEveryInterval) {
    cfg.faults.rules.push_back({fault_kind::ws_disconnect, "streams", "", "", 1.0, 0ms, 0ms, 0, 300ms, 0});
    start();
    ws_client ws(srv->urls().ws_streams, "/ws/btcusdt@trade", srv->ca_file());
    ASSERT_TRUE(ws.ok());
    EXPECT_TRUE(ws.wait_closed(3s));
    EXPECT_EQ(fault_count("ws_disconnect"), 1);
}

TEST_F(SimServerTest, serverPingsAndClosesClientThatNeverPongs) {
    cfg.ws.ping_interval = 100ms;
    cfg.ws.pong_timeout = 350ms;
    cfg.handshake_timeout = 500ms;
    start();
    // A well-behaved client (Beast answers pings) stays connected across several pings.
    ws_client good(srv->urls().ws_streams, "/ws/btcusdt@trade", srv->ca_file());
    ASSERT_TRUE(good.ok());
    raw_ws_client deaf(srv->urls().ws_streams, "/ws/btcusdt@trade", srv->ca_file());
    ASSERT_TRUE(deaf.ok());
    int pings = 0;
    bool closed = false;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline && !closed) {
        // Let the good client answer its pings too.
        (void)good.next(10ms);
        auto op = deaf.next_opcode(20ms);
        if (!op)
            continue;
        if (*op == 0x9)
            ++pings;
        if (*op == 0x8 || *op == -1)
            closed = true;
    }
    EXPECT_GE(pings, 2);
    EXPECT_TRUE(closed);
    EXPECT_FALSE(good.wait_closed(50ms));
    EXPECT_EQ(int_of(stats()->root["net"]["pong_timeouts"].value()), 1);
}

TEST_F(SimServerTest, connectionLifetimeEndsTheSession) {
    cfg.ws.connection_lifetime = 300ms;
    start();
    ws_client ws(srv->urls().ws_streams, "/ws/ethusdt@bookTicker", srv->ca_file());
    ASSERT_TRUE(ws.ok());
    EXPECT_TRUE(ws.wait_closed(3s));
    EXPECT_EQ(int_of(stats()->root["net"]["lifetime_closes"].value()), 1);
}

TEST_F(SimServerTest, malformedRequestsGetErrorsNotCrashes) {
    start();
    auto c = rest();
    EXPECT_EQ(c.request("GET", "/api/v3/depth?symbol=BTCUSDT&limit=abc").status, 400);
    EXPECT_EQ(c.request("GET", "/api/v3/depth?symbol=BTCUSDT&symbol=ETHUSDT").status, 400);
    EXPECT_EQ(c.request("GET", "/api/v3/depth?symbol=%ZZ").status, 400);
    auto extra = c.request("GET", "/api/v3/ping?what=1");
    EXPECT_EQ(int_of(json(extra.body)["code"]), -1104);
    auto bad_side =
        c.request("POST", "/api/v3/order", sign("symbol=BTCUSDT&side=UP&type=LIMIT&timeInForce=GTC&quantity=1&price=1"),
                  key_header());
    EXPECT_EQ(int_of(json(bad_side.body)["code"]), -1117);
    EXPECT_EQ(c.request("GET", "/api/v3/ping").status, 200);
}

TEST_F(SimServerTest, garbageHttpGets400AndSilentClientsAreDropped) {
    cfg.handshake_timeout = 300ms;
    cfg.read_timeout = 300ms;
    start();
    const std::string reply = raw_tls_exchange(srv->urls().rest[0], srv->ca_file(), "BLAH /\x01 nonsense\r\n\r\n");
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 400")) << reply;
    // No TLS handshake at all: dropped after handshake_timeout.
    EXPECT_TRUE(idle_tcp_closed_by_server(srv->urls().rest[0], 3s));
    // TLS but no request: dropped after read_timeout.
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(raw_tls_exchange(srv->urls().rest[1], srv->ca_file(), "", 3s), "");
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
    EXPECT_EQ(rest().request("GET", "/api/v3/ping").status, 200);
}

// Runs genesis-sim with args; returns its pid and the read end of its stdout.
std::pair<pid_t, int> spawn_sim(std::vector<std::string> args) {
    int out[2];
    if (::pipe(out) != 0)
        return {-1, -1};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(out[1], 1);
        ::close(out[0]);
        ::close(out[1]);
        std::vector<char*> argv;
        argv.push_back(const_cast<char*>(GENESIS_SIM_EXE));
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(GENESIS_SIM_EXE, argv.data());
        ::_exit(127);
    }
    ::close(out[1]);
    return {pid, out[0]};
}

std::string read_line(int fd) {
    std::string line;
    char ch = 0;
    while (::read(fd, &ch, 1) == 1 && ch != '\n')
        line += ch;
    return line;
}

TEST(SimExecutableTest, printsReadyLineAndStopsOnSigterm) {
    const std::string path = ::testing::TempDir() + "sim_exe_test.toml";
    {
        std::ofstream f(path);
        f << "[server]\nrest_listeners = 3\nagents = false\n[faults.rules.slow]\nkind = \"latency\"\n"
             "listener = \"rest2\"\nlatency_ms = 1\n";
    }
    auto [pid, fd] = spawn_sim({"--config", path, "--port", "0"});
    ASSERT_GT(pid, 0);
    const std::string line = read_line(fd);
    ::close(fd);
    json ready(line);
    ASSERT_TRUE(ready.ok) << line;
    simdjson::dom::array rests;
    ASSERT_EQ(ready["rest"].get(rests), simdjson::SUCCESS);
    EXPECT_EQ(rests.size(), 3u);
    https_client c(str_of(rests.at(2).value()), str_of(ready["ca_file"]));
    EXPECT_EQ(c.request("GET", "/api/v3/ping").status, 200);
    ws_client ws(str_of(ready["ws_streams"]), "/ws/btcusdt@trade", str_of(ready["ca_file"]));
    EXPECT_TRUE(ws.ok());
    auto faults = http_plain(str_of(ready["control"]), "GET", "/sim/stats");
    EXPECT_EQ(faults.status, 200);
    EXPECT_NE(faults.body.find("\"latency\":1"), std::string::npos) << faults.body;
    ::kill(pid, SIGTERM);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SimExecutableTest, badConfigExitsWithErrors) {
    const std::string path = ::testing::TempDir() + "sim_exe_bad.toml";
    {
        std::ofstream f(path);
        f << "[server]\nrest_listeners = \"three\"\n";
    }
    auto [pid, fd] = spawn_sim({"--config", path});
    ASSERT_GT(pid, 0);
    EXPECT_EQ(read_line(fd), ""); // no ready line
    ::close(fd);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2);
}

} // namespace
} // namespace genesis::sim::test
