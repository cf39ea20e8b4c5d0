// Connection lifecycle of genesis-sim over real sockets: stalled and ack-dropped sessions are
// released (client close or stall_timeout), listening and accepted sockets are close-on-exec,
// exchangeInfo lists the configured limits, the legacy listenKey flow over the WebSocket API,
// and markets/agents from the TOML file.
#include "genesis/sim/server/sim_server.hpp"

#include "genesis/sim/server/config_file.hpp"
#include "genesis/sim/server/tls_identity.hpp"
#include "server_test_fixture.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <thread>
#include <unistd.h>

namespace genesis::sim::test {
namespace {

const std::string resting_order = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000";

// Open descriptors of this process (the in-process server's and the clients').
std::size_t open_fds() {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != decltype(it){};
         it.increment(ec))
        ++n;
    return n;
}

std::uint16_t port_of(const std::string& url) { return static_cast<std::uint16_t>(std::stoi(split_url(url).second)); }

// Polls cond until it holds or the deadline passes; each poll is a round trip to the server, so
// the wait is paced by the event source, not by a sleep.
bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline)
        if (cond())
            return true;
    return cond();
}

class SimLifecycleTest : public SimServerTest {
protected:
    // One counter of /sim/stats "net".
    std::int64_t net(const char* key) {
        auto s = stats();
        return int_of(s->root["net"][key].value());
    }
};

// The CA folder the server makes for itself goes with it; a configured CA file stays.
TEST_F(SimLifecycleTest, generatedCaFolderIsRemovedWithTheServer) {
    start();
    const std::filesystem::path made = srv->ca_file();
    ASSERT_TRUE(std::filesystem::exists(made));
    srv.reset();
    EXPECT_FALSE(std::filesystem::exists(made));
    EXPECT_FALSE(std::filesystem::exists(made.parent_path()));

    const auto dir = std::filesystem::temp_directory_path() / ("genesis-ca-kept-" + std::to_string(::getpid()));
    cfg.ca_file = (dir / "ca.pem").string();
    start();
    ASSERT_EQ(srv->ca_file(), cfg.ca_file);
    srv.reset();
    EXPECT_TRUE(std::filesystem::exists(cfg.ca_file));
    std::filesystem::remove_all(dir);
}

TEST_F(SimLifecycleTest, stalledAndAckDroppedSessionsEndWhenClientsClose) {
    // stall_timeout stays long: only the clients' close can end these sessions.
    cfg.stall_timeout = 60s;
    cfg.faults.rules.push_back({fault_kind::stall, "rest1", "/api/v3/time", "", 1.0, 0ms, 0ms, 0, 0ms, 0});
    cfg.faults.rules.push_back({fault_kind::lost_ack, "rest0", "/api/v3/order", "POST", 1.0, 0ms, 0ms, 0, 0ms, 0});
    start();
    EXPECT_EQ(rest(0).request("GET", "/api/v3/ping").status, 200);
    ASSERT_TRUE(eventually([&] { return net("open_connections") == 0; }));
    // The baseline may still hold the server's end of a control (/sim/stats) connection: a leak
    // shows as more descriptors afterwards, never as fewer.
    const std::size_t fds_before = open_fds();

    constexpr int per_kind = 16;
    std::vector<std::thread> clients;
    std::atomic<int> unanswered{0};
    for (int i = 0; i < per_kind; ++i) {
        clients.emplace_back([&] {
            auto c = rest(1);
            unanswered += c.request("GET", "/api/v3/time", {}, {}, 1500ms).ec ? 1 : 0;
        });
        clients.emplace_back([&] {
            auto c = rest(0);
            unanswered += c.request("POST", "/api/v3/order", sign(resting_order), key_header(), 1500ms).ec ? 1 : 0;
        });
    }
    for (auto& t : clients)
        t.join();
    EXPECT_EQ(unanswered.load(), 2 * per_kind);

    // Every client gave up and closed: the server notices while stalling and lets go.
    EXPECT_TRUE(eventually([&] {
        auto s = stats();
        return int_of(s->root["net"]["stall_peer_closes"].value()) == 2 * per_kind &&
               int_of(s->root["net"]["stalled"].value()) == 0 &&
               int_of(s->root["net"]["open_connections"].value()) == 0;
    })) << simdjson::to_string(stats()->root);
    EXPECT_TRUE(eventually([&] { return open_fds() <= fds_before; })) << open_fds() << " vs " << fds_before;
    auto s = stats();
    EXPECT_EQ(int_of(s->root["net"]["stall_timeouts"].value()), 0);
    EXPECT_EQ(int_of(s->root["faults"]["stall"].value()), per_kind);
    EXPECT_EQ(int_of(s->root["faults"]["lost_ack"].value()), per_kind);
    EXPECT_EQ(int_of(s->root["acks_dropped"].value()), per_kind);
    // The orders whose answers were lost are on the book.
    std::size_t open = 0;
    srv->with_exchange([&](exchange& ex) { open = ex.open_orders(*ex.find_account("sim-test-api-key"))->size(); });
    EXPECT_EQ(open, static_cast<std::size_t>(per_kind));
}

TEST_F(SimLifecycleTest, stalledSessionsEndAfterStallTimeout) {
    cfg.stall_timeout = 250ms;
    cfg.faults.rules.push_back({fault_kind::stall, "rest0", "/api/v3/time", "", 1.0, 0ms, 0ms, 0, 0ms, 0});
    cfg.faults.rules.push_back({fault_kind::lost_ack, "rest1", "/api/v3/ping", "", 1.0, 0ms, 0ms, 0, 0ms, 0});
    start();
    const std::size_t fds_before = open_fds();
    constexpr int n = 6;
    std::vector<std::thread> clients;
    std::atomic<int> closed_by_server{0};
    for (int i = 0; i < n; ++i)
        clients.emplace_back([&, i] {
            // A client that never gives up: only the server can end the session (well before 8 s).
            const auto t0 = std::chrono::steady_clock::now();
            const std::string req = i % 2 == 0 ? "GET /api/v3/time HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                               : "GET /api/v3/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            const std::string got = raw_tls_exchange(srv->urls().rest[i % 2], srv->ca_file(), req, 8s);
            if (got.empty() && std::chrono::steady_clock::now() - t0 < 7s)
                ++closed_by_server;
        });
    for (auto& t : clients)
        t.join();
    EXPECT_EQ(closed_by_server.load(), n);
    EXPECT_TRUE(eventually([&] {
        auto s = stats();
        return int_of(s->root["net"]["stall_timeouts"].value()) == n &&
               int_of(s->root["net"]["stalled"].value()) == 0 &&
               int_of(s->root["net"]["open_connections"].value()) == 0;
    }));
    EXPECT_TRUE(eventually([&] { return open_fds() <= fds_before; }));
    EXPECT_EQ(net("stall_peer_closes"), 0);
    EXPECT_EQ(rest(0).request("GET", "/api/v3/ping").status, 200);
}

TEST_F(SimLifecycleTest, wsApiSessionWithStalledRequestsIsReleasedOnClose) {
    cfg.faults.rules.push_back({fault_kind::stall, "wsapi", "time", "", 1.0, 0ms, 0ms, 0, 0ms, 0});
    cfg.faults.rules.push_back({fault_kind::lost_ack, "wsapi", "ping", "", 1.0, 0ms, 0ms, 0, 0ms, 0});
    start();
    {
        ws_client ws(srv->urls().ws_api, "/ws-api/v3", srv->ca_file());
        ASSERT_TRUE(ws.ok());
        for (int i = 0; i < 10; ++i) {
            ASSERT_TRUE(ws.send(R"({"id":"t)" + std::to_string(i) + R"(","method":"time"})"));
            ASSERT_TRUE(ws.send(R"({"id":"p)" + std::to_string(i) + R"(","method":"ping"})"));
        }
        // The session still serves other requests.
        ASSERT_TRUE(ws.send(R"({"id":"d","method":"depth","params":{"symbol":"BTCUSDT","limit":5}})"));
        std::vector<std::string> others;
        ASSERT_TRUE(reply_for(ws, "d", others));
        EXPECT_TRUE(others.empty());
        EXPECT_EQ(net("open_connections"), 1);
    }
    EXPECT_TRUE(eventually([&] { return net("open_connections") == 0; }));
    EXPECT_EQ(fault_count("stall"), 10);
    EXPECT_EQ(fault_count("lost_ack"), 10);
}

TEST_F(SimLifecycleTest, listeningAndAcceptedSocketsAreCloseOnExec) {
    start();
    std::set<std::uint16_t> ports;
    for (const auto& u : srv->urls().rest)
        ports.insert(port_of(u));
    ports.insert(port_of(srv->urls().ws_streams));
    ports.insert(port_of(srv->urls().ws_api.substr(0, srv->urls().ws_api.find("/ws-api"))));
    ports.insert(port_of(srv->urls().control));
    // Keep accepted connections open: REST keep-alive and a WebSocket.
    auto c = rest(0);
    ASSERT_EQ(c.request("GET", "/api/v3/ping").status, 200);
    ws_client ws(srv->urls().ws_streams, "/ws/btcusdt@trade", srv->ca_file());
    ASSERT_TRUE(ws.ok());
    ASSERT_TRUE(eventually([&] { return net("open_connections") == 2; }));

    int listeners = 0, accepted = 0, leaking = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != decltype(it){};
         it.increment(ec)) {
        const int fd = std::stoi(it->path().filename().string());
        struct stat sb {};
        if (::fstat(fd, &sb) != 0 || !S_ISSOCK(sb.st_mode))
            continue;
        sockaddr_in local{};
        socklen_t len = sizeof local;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0 || local.sin_family != AF_INET ||
            !ports.contains(ntohs(local.sin_port)))
            continue; // not one of the server's (clients bind ephemeral ports)
        sockaddr_in peer{};
        len = sizeof peer;
        const bool is_listener = ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0;
        (is_listener ? listeners : accepted) += 1;
        if ((::fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0)
            ++leaking;
    }
    EXPECT_EQ(listeners, static_cast<int>(ports.size()));
    EXPECT_GE(accepted, 2);
    EXPECT_EQ(leaking, 0);
}

TEST_F(SimLifecycleTest, exchangeInfoListsTheConfiguredRateLimits) {
    cfg.limits.weight_per_minute = 1234;
    cfg.limits.orders_per_10s = 7;
    cfg.limits.orders_per_day = 999;
    start();
    auto check = [](simdjson::dom::element limits) {
        std::vector<std::tuple<std::string, std::string, std::int64_t, std::int64_t>> got;
        simdjson::dom::array list;
        ASSERT_EQ(limits.get(list), simdjson::SUCCESS);
        for (simdjson::dom::element l : list)
            got.emplace_back(str_of(l["rateLimitType"].value()), str_of(l["interval"].value()),
                             int_of(l["intervalNum"].value()), int_of(l["limit"].value()));
        ASSERT_GE(got.size(), 3u);
        EXPECT_EQ(got[0], std::make_tuple(std::string("REQUEST_WEIGHT"), std::string("MINUTE"), 1, 1234));
        EXPECT_EQ(got[1], std::make_tuple(std::string("ORDERS"), std::string("SECOND"), 10, 7));
        EXPECT_EQ(got[2], std::make_tuple(std::string("ORDERS"), std::string("DAY"), 1, 999));
    };
    auto r = rest().request("GET", "/api/v3/exchangeInfo");
    ASSERT_EQ(r.status, 200);
    json rj(r.body);
    check(rj["rateLimits"]);
    EXPECT_EQ(r.header("x-mbx-used-weight-1m").empty(), false);

    ws_client ws(srv->urls().ws_api, "/ws-api/v3", srv->ca_file());
    ASSERT_TRUE(ws.ok());
    ASSERT_TRUE(ws.send(R"({"id":"x","method":"exchangeInfo","params":{"symbol":"BTCUSDT"}})"));
    std::vector<std::string> others;
    auto m = reply_for(ws, "x", others);
    ASSERT_TRUE(m);
    json wj(*m);
    check(wj["result"]["rateLimits"].value());
    // The enforced order limit is the listed one: the 8th order in 10 s is refused.
    auto c = rest();
    int refused = 0;
    for (int i = 0; i < 8; ++i) {
        auto o = c.request("POST", "/api/v3/order", sign(resting_order), key_header());
        if (o.status == 429)
            refused += int_of(json(o.body)["code"]) == -1015;
    }
    EXPECT_EQ(refused, 1);
}

TEST_F(SimLifecycleTest, wsApiListenKeyStartPingStop) {
    start();
    ws_client api(srv->urls().ws_api, "/ws-api/v3", srv->ca_file());
    ASSERT_TRUE(api.ok());
    std::vector<std::string> others;
    auto ask = [&](const std::string& id, const std::string& frame) {
        EXPECT_TRUE(api.send(frame));
        auto m = reply_for(api, id, others);
        EXPECT_TRUE(m) << id;
        return std::make_unique<json>(m.value_or("{}"));
    };
    auto started = ask("s", R"({"id":"s","method":"userDataStream.start","params":{"apiKey":"sim-test-api-key"}})");
    ASSERT_EQ(int_of((*started)["status"]), 200) << simdjson::to_string(started->root);
    const std::string key = str_of((*started)["result"]["listenKey"].value());
    ASSERT_FALSE(key.empty());
    auto rl = (*started)["rateLimits"].at(0).value();
    EXPECT_EQ(str_of(rl["rateLimitType"].value()), "REQUEST_WEIGHT");
    EXPECT_EQ(int_of(rl["count"].value()), 2); // weight 2
    // The same key while it is valid (as the REST flow).
    auto again = ask("s2", R"({"id":"s2","method":"userDataStream.start","params":{"apiKey":"sim-test-api-key"}})");
    EXPECT_EQ(str_of((*again)["result"]["listenKey"].value()), key);

    // The key opens the user data stream on the streams listener.
    ws_client user(srv->urls().ws_streams, "/ws/" + key, srv->ca_file());
    ASSERT_TRUE(user.ok());
    auto placed = rest().request("POST", "/api/v3/order", sign(resting_order), key_header());
    ASSERT_EQ(placed.status, 200) << placed.body;
    bool report = false;
    for (int i = 0; i < 5 && !report; ++i) {
        auto m = user.next(3s);
        if (!m)
            break;
        report = str_of(json(*m)["e"]) == "executionReport";
    }
    EXPECT_TRUE(report);

    const std::string params = R"("params":{"listenKey":")" + key + R"(","apiKey":"sim-test-api-key"}})";
    auto ping = ask("p", R"({"id":"p","method":"userDataStream.ping",)" + params);
    EXPECT_EQ(int_of((*ping)["status"]), 200);
    EXPECT_EQ((*ping)["result"].get_object().value().size(), 0u);
    auto stop = ask("q", R"({"id":"q","method":"userDataStream.stop",)" + params);
    EXPECT_EQ(int_of((*stop)["status"]), 200);
    auto gone = ask("g", R"({"id":"g","method":"userDataStream.ping",)" + params);
    EXPECT_EQ(int_of((*gone)["status"]), 400);
    EXPECT_EQ(int_of((*gone)["error"]["code"].value()), -1125);

    // Binance's errors for bad input.
    auto no_key = ask("n", R"({"id":"n","method":"userDataStream.start","params":{}})");
    EXPECT_EQ(int_of((*no_key)["error"]["code"].value()), -1102);
    auto bad_key = ask("b", R"({"id":"b","method":"userDataStream.start","params":{"apiKey":"nope"}})");
    EXPECT_EQ(int_of((*bad_key)["error"]["code"].value()), -2015);
    auto missing = ask("m", R"({"id":"m","method":"userDataStream.ping","params":{"apiKey":"sim-test-api-key"}})");
    EXPECT_EQ(int_of((*missing)["error"]["code"].value()), -1102);
    auto other = ask("o", R"({"id":"o","method":"userDataStream.stop","params":{"listenKey":")" + key +
                              R"(","apiKey":"sim-test-api-key","extra":1}})");
    EXPECT_EQ(int_of((*other)["error"]["code"].value()), -1104);
}

TEST_F(SimLifecycleTest, coalescedFramesArriveWholeAndInOrder) {
    // A busy market: many frames queue while a write is on the wire and share TLS writes.
    for (auto& m : ex_cfg.agents.markets) {
        m.orders_per_second = 3000;
        m.take_probability = 0.4;
    }
    cfg.agent_interval = 5ms;
    // A client starved of CPU by a loaded machine must not be dropped as a slow consumer: this
    // test is about order and integrity, not about the slow-consumer limit.
    // Nor closed for a late pong: under load the ping waits behind thousands of queued frames.
    cfg.ws.max_queued_frames = 10'000'000;
    cfg.ws.pong_timeout = 120s;
    ASSERT_TRUE(cfg.ws.coalesce_writes);
    start();
    ws_client ws(srv->urls().ws_streams, "/stream?streams=btcusdt@trade/btcusdt@bookTicker/btcusdt@depth@100ms",
                 srv->ca_file());
    ASSERT_TRUE(ws.ok());
    std::int64_t last_trade = -1;
    std::int64_t last_update = -1;
    int trades = 0, frames = 0, gaps = 0;
    while (trades < 300) {
        auto m = ws.next(30s);
        ASSERT_TRUE(m) << "after " << frames << " frames; closed " << ws.closed() << ", error " << ws.error().message()
                       << "; sim " << http_plain(srv->urls().control, "GET", "/sim/stats").body;
        json j(*m);
        ASSERT_TRUE(j.ok) << *m;
        ++frames;
        const std::string stream = str_of(j["stream"]);
        auto data = j["data"];
        if (stream == "btcusdt@trade") {
            const std::int64_t id = int_of(data["t"].value());
            // Trade ids are consecutive per symbol: a lost or reordered frame breaks the run.
            if (last_trade >= 0 && id != last_trade + 1)
                ++gaps;
            last_trade = id;
            ++trades;
        } else if (stream == "btcusdt@depth@100ms") {
            if (last_update >= 0 && int_of(data["U"].value()) != last_update + 1)
                ++gaps;
            last_update = int_of(data["u"].value());
        }
    }
    EXPECT_EQ(gaps, 0);
    // The sim's own count, read in process once the market is quiet: under ASan on a loaded
    // machine the control endpoint can take longer than its 5 s to answer behind this flood.
    srv->set_agents_enabled(false);
    const json s(srv->stats_json());
    ASSERT_TRUE(s.ok);
    EXPECT_GE(int_of(s.root["net"]["ws_frames_sent"].value()), frames);
}

TEST_F(SimLifecycleTest, wsApiSessionStatusAndLogout) {
    start();
    ws_client ws(srv->urls().ws_api, "/ws-api/v3", srv->ca_file());
    ASSERT_TRUE(ws.ok());
    std::vector<std::string> others;
    auto ask = [&](const std::string& id, const std::string& frame) {
        EXPECT_TRUE(ws.send(frame));
        auto m = reply_for(ws, id, others);
        EXPECT_TRUE(m) << id;
        return std::make_unique<json>(m.value_or("{}"));
    };
    const std::string key(ed25519_test_api_key);
    // Binance's shape: apiKey, authorizedSince, connectedSince, returnRateLimits, serverTime,
    // userDataStream; apiKey and authorizedSince are null before session.logon.
    auto before = ask("a", R"({"id":"a","method":"session.status"})");
    ASSERT_EQ(int_of((*before)["status"]), 200);
    auto r = (*before)["result"];
    EXPECT_TRUE(r["apiKey"].is_null());
    EXPECT_TRUE(r["authorizedSince"].is_null());
    EXPECT_GT(int_of(r["connectedSince"].value()), 0);
    EXPECT_GT(int_of(r["serverTime"].value()), 0);
    EXPECT_FALSE(r["userDataStream"].get_bool().value());
    EXPECT_TRUE(r["returnRateLimits"].is_bool());

    const std::string ts = std::to_string(now_ms());
    const std::string sig = ed25519_sign_base64(ed25519_test_private_key_pem(), "apiKey=" + key + "&timestamp=" + ts);
    auto logon = ask("l", R"({"id":"l","method":"session.logon","params":{"apiKey":")" + key + R"(","timestamp":)" +
                              ts + R"(,"signature":")" + sig + R"("}})");
    ASSERT_EQ(int_of((*logon)["status"]), 200);
    auto sub = ask("u", R"({"id":"u","method":"userDataStream.subscribe"})");
    ASSERT_EQ(int_of((*sub)["status"]), 200);
    auto after = ask("b", R"({"id":"b","method":"session.status"})");
    EXPECT_EQ(str_of((*after)["result"]["apiKey"].value()), key);
    EXPECT_GT(int_of((*after)["result"]["authorizedSince"].value()), 0);
    EXPECT_TRUE((*after)["result"]["userDataStream"].get_bool().value());

    auto out = ask("o", R"({"id":"o","method":"session.logout"})");
    ASSERT_EQ(int_of((*out)["status"]), 200);
    EXPECT_TRUE((*out)["result"]["apiKey"].is_null());
    EXPECT_TRUE((*out)["result"]["authorizedSince"].is_null());
    // Logged out: an unsigned request is refused again.
    auto acc =
        ask("c", R"({"id":"c","method":"account.status","params":{"timestamp":)" + std::to_string(now_ms()) + "}}");
    EXPECT_NE(int_of((*acc)["status"]), 200);
    // Unknown parameters get Binance's -1104.
    auto extra = ask("x", R"({"id":"x","method":"session.status","params":{"foo":"bar"}})");
    EXPECT_EQ(int_of((*extra)["error"]["code"].value()), -1104);
}

TEST(SimConfigFileTest, marketsAndAgentsFromToml) {
    const std::string path = ::testing::TempDir() + "sim_markets_test.toml";
    {
        std::ofstream f(path);
        f << "[server]\nstall_timeout_ms = 1500\n"
             "[exchange]\nagents_max_actions_per_advance = 40\n"
             "[exchange.markets.BTCUSDT]\norders_per_second = 200.5\nmin_notional = \"10\"\nspread_ticks = 20\n"
             "[exchange.markets.ETHUSDT]\nagents = false\n"
             "[exchange.markets.SOLUSDT]\nbase = \"SOL\"\nquote = \"USDT\"\ntick_size = \"0.001\"\n"
             "step_size = \"0.01\"\nstart_mid = \"150\"\norders_per_second = 50\nvolatility = 0.001\n";
    }
    sim_settings s;
    auto errors = load_sim_config(path, s);
    ASSERT_TRUE(errors.empty()) << config::to_string(errors);
    EXPECT_EQ(s.server.stall_timeout.count(), 1500);
    EXPECT_EQ(s.exchange.agents.max_actions_per_advance, 40u);
    ASSERT_EQ(s.exchange.markets.size(), 3u);
    EXPECT_EQ(s.exchange.markets[0].min_notional, decimal::parse("10").value());
    EXPECT_EQ(s.exchange.markets[2].name, symbol::truncating("SOLUSDT"));
    EXPECT_EQ(s.exchange.markets[2].tick_size, decimal::parse("0.001").value());
    EXPECT_EQ(s.exchange.markets[2].min_price, decimal::parse("0.001").value());
    EXPECT_EQ(s.exchange.markets[2].min_qty, decimal::parse("0.01").value());
    ASSERT_EQ(s.exchange.agents.markets.size(), 2u); // BTCUSDT and SOLUSDT; ETHUSDT's agents are off
    EXPECT_EQ(s.exchange.agents.markets[0].sym, symbol::truncating("BTCUSDT"));
    EXPECT_DOUBLE_EQ(s.exchange.agents.markets[0].orders_per_second, 200.5);
    EXPECT_EQ(s.exchange.agents.markets[0].spread_ticks, 20);
    EXPECT_EQ(s.exchange.agents.markets[0].start_mid, decimal::parse("67000").value()); // kept
    EXPECT_EQ(s.exchange.agents.markets[1].sym, symbol::truncating("SOLUSDT"));
    EXPECT_EQ(s.exchange.agents.markets[1].start_mid, decimal::parse("150").value());

    // The new market trades: the agents quote it and exchangeInfo lists it.
    server_config sc = default_server_config();
    sc.agent_interval = 20ms;
    sim_server srv(sc, s.exchange);
    ASSERT_FALSE(srv.start().has_error());
    https_client c(srv.urls().rest[0], srv.ca_file());
    auto info = c.request("GET", "/api/v3/exchangeInfo?symbol=SOLUSDT");
    ASSERT_EQ(info.status, 200) << info.body;
    EXPECT_NE(info.body.find("\"tickSize\":\"0.00100000\""), std::string::npos) << info.body;
    auto depth = c.request("GET", "/api/v3/depth?symbol=SOLUSDT&limit=5");
    json d(depth.body);
    simdjson::dom::array bids;
    ASSERT_EQ(d["bids"].get(bids), simdjson::SUCCESS) << depth.body;
    EXPECT_GT(bids.size(), 0u) << depth.body;

    // Bad values are reported with their key, all at once.
    {
        std::ofstream f(path);
        f << "[exchange.markets.solusdt]\nbase = \"SOL\"\nquote = \"USDT\"\nstart_mid = \"150\"\n"
             "[exchange.markets.XRPUSDT]\nbase = \"XRP\"\nquote = \"USDT\"\nstart_mid = \"abc\"\n"
             "[exchange.markets.BTCUSDT]\ntick_size = 0.01\ncancel_probability = 0.9\ntake_probability = 0.5\n";
    }
    sim_settings bad;
    auto bad_errors = load_sim_config(path, bad);
    const std::string text = config::to_string(bad_errors);
    EXPECT_GE(bad_errors.size(), 4u) << text;
    EXPECT_NE(text.find("start_mid"), std::string::npos) << text;
    EXPECT_NE(text.find("tick_size"), std::string::npos) << text;
    EXPECT_NE(text.find("take_probability"), std::string::npos) << text;
}

TEST(SimConfigFileTest, exampleFileLoads) {
    sim_settings s;
    auto errors = load_sim_config(std::string(GENESIS_SOURCE_DIR) + "/sim/sim.toml", s);
    EXPECT_TRUE(errors.empty()) << config::to_string(errors);
    ASSERT_EQ(s.exchange.agents.markets.size(), 2u);
    EXPECT_EQ(s.exchange.agents.markets[0].spread_ticks, 50);
    EXPECT_EQ(s.exchange.markets.size(), 2u);
    EXPECT_EQ(s.server.stall_timeout.count(), 60'000);
}

} // namespace
} // namespace genesis::sim::test
