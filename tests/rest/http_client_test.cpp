// http_client against genesis-sim over TLS on 127.0.0.1 (in-process server, ephemeral ports).
#include "genesis/rest/http_client.hpp"

#include "genesis/binance/decoder.hpp"
#include "genesis/log/memory_sink.hpp"
#include "genesis/resilience/executor.hpp"
#include "genesis/resilience/timer.hpp"
#include "genesis/sim/server/sim_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>
#include <spdlog/logger.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <variant>

namespace genesis::rest {
namespace {

namespace sim = genesis::sim::server;
using namespace std::chrono_literals;

// 1'700'000'040 s is a whole minute: manual-clock tests start at the beginning of a window.
constexpr time_point minute_start{1'700'000'040'000'000'000};

request get(std::string path, std::string query = {}, std::int64_t weight = 1) {
    request r;
    r.path = std::move(path);
    r.query = std::move(query);
    r.weight = weight;
    return r;
}

request signed_get(std::string path, std::string query, std::int64_t weight) {
    request r = get(std::move(path), std::move(query), weight);
    r.is_signed = true;
    return r;
}

request place_order(const std::string& client_id) {
    request r;
    r.method = http_method::post;
    r.path = "/api/v3/order";
    r.body =
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000&newClientOrderId=" + client_id;
    r.is_signed = true;
    r.idempotent = false;
    return r;
}

// A request in flight, spawned on the test's io_context with its own cancellation signal.
struct pending {
    std::optional<result<response>> r;
    bool threw = false;
    net::cancellation_signal cancel;

    [[nodiscard]] bool done() const noexcept { return r.has_value() || threw; }
};

class HttpClientTest : public ::testing::Test {
protected:
    sim::server_config cfg = sim::default_server_config(2);
    genesis::sim::exchange_config ex_cfg = genesis::sim::default_config();
    std::unique_ptr<sim::sim_server> srv;
    net::io_context ioc;
    resilience::steady_timer_service timers;

    HttpClientTest() {
        cfg.agents_enabled = false;
        cfg.handshake_timeout = 2s;
        cfg.limits.key = "ip";
        sim::add_ed25519_test_account(ex_cfg);
    }

    ~HttpClientTest() override {
        if (srv)
            srv->stop();
    }

    void start() {
        srv = std::make_unique<sim::sim_server>(cfg, ex_cfg);
        auto r = srv->start();
        ASSERT_FALSE(r.has_error()) << r.error().message();
    }

    http_client_options options() {
        http_client_options o;
        o.base_urls = srv->urls().rest;
        o.tls.ca_file = srv->ca_file();
        o.request_timeout = 5s;
        return o;
    }

    http_client make(http_client_options o, const clock& clk = real_clock::instance(),
                     resilience::timer_service* t = nullptr, log::logger_ptr lg = nullptr) {
        auto c = http_client::create(ioc.get_executor(), clk, t != nullptr ? *t : timers, std::move(o), std::move(lg));
        EXPECT_TRUE(c) << c.error().message();
        return std::move(*c);
    }

    static void hmac(http_client& c, const char* secret_text = "sim-test-secret-key") {
        auto s = signer::hmac_sha256(secret(secret_text));
        ASSERT_TRUE(s);
        c.set_credentials("sim-test-api-key", std::move(*s));
    }

    // Runs one coroutine to completion on the test thread, bounded by limit.
    template <class T>
    T run(net::awaitable<T> a, std::chrono::milliseconds limit = 10s) {
        std::optional<T> out;
        net::co_spawn(ioc, std::move(a), [&](std::exception_ptr e, T v) {
            if (!e)
                out.emplace(std::move(v));
        });
        ioc.restart();
        ioc.run_for(limit);
        // GoogleTest reports the exception as a failure of the test.
        if (!out)
            throw std::runtime_error("coroutine did not finish in time");
        return std::move(*out);
    }

    result<response> send(http_client& c, request r, std::size_t ep = 0) { return run(c.send(std::move(r), ep)); }

    // send() for a client whose warm-up loop keeps the io_context busy: runs only until the answer.
    result<response> send_while_warm(http_client& c, request r, std::size_t ep = 0) {
        pending p;
        spawn(c, std::move(r), p, ep);
        if (!run_until([&] { return p.done(); }) || !p.r)
            throw std::runtime_error("request did not finish in time");
        return std::move(*p.r);
    }

    std::int64_t sim_stat(std::string_view key) { return find_json_int(srv->stats_json(), key).value_or(-1); }

    void set_rules(std::vector<sim::fault_rule> rules, std::chrono::milliseconds skew = 0ms) {
        sim::fault_config f;
        f.rules = std::move(rules);
        f.clock_skew = skew;
        srv->set_faults(f);
    }

    // Starts c.send(r) without waiting; p records the answer and carries its cancellation signal.
    void spawn(http_client& c, request r, pending& p, std::size_t ep = 0) {
        net::co_spawn(ioc, c.send(std::move(r), ep),
                      net::bind_cancellation_slot(p.cancel.slot(), [&p](std::exception_ptr e, result<response> v) {
                          if (e)
                              p.threw = true;
                          else
                              p.r.emplace(std::move(v));
                      }));
    }

    // Runs the io_context until done() holds (checked after every handler), bounded by limit.
    template <class Pred>
    bool run_until(Pred done, std::chrono::milliseconds limit = 10s) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() >= end)
                return false;
            if (ioc.stopped())
                ioc.restart();
            ioc.run_one_for(20ms);
        }
        return true;
    }

    static bool all_done(const std::vector<std::unique_ptr<pending>>& ps) {
        return std::all_of(ps.begin(), ps.end(), [](const auto& p) { return p->done(); });
    }

    static std::vector<std::unique_ptr<pending>> make_pending(std::size_t n) {
        std::vector<std::unique_ptr<pending>> ps;
        for (std::size_t i = 0; i < n; ++i)
            ps.push_back(std::make_unique<pending>());
        return ps;
    }

    static request slow_depth() { return get("/api/v3/depth", "symbol=BTCUSDT&limit=5", 5); }

    // /api/v3/depth answers after 3 s: requests for it hold their connections meanwhile.
    void hold_depth() {
        sim::fault_rule slow;
        slow.kind = sim::fault_kind::latency;
        slow.target = "/api/v3/depth";
        slow.latency_min = slow.latency_max = 3000ms;
        set_rules({slow});
    }
};

TEST_F(HttpClientTest, sendPublicEndpoints) {
    start();
    auto c = make(options());
    auto ping = send(c, get("/api/v3/ping"));
    ASSERT_TRUE(ping) << ping.error().message();
    EXPECT_EQ(ping->status, 200u);
    EXPECT_EQ(ping->body, "{}");
    EXPECT_EQ(ping->headers.used_weight_1m, 1);
    EXPECT_GT(ping->latency.count(), 0);

    auto t = send(c, get("/api/v3/time"), 1);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->endpoint, 1u);
    EXPECT_TRUE(find_json_int(t->body, "serverTime").has_value());

    auto depth = send(c, get("/api/v3/depth", "symbol=BTCUSDT&limit=5", 5));
    ASSERT_TRUE(depth);
    EXPECT_EQ(depth->status, 200u) << depth->body;
    EXPECT_NE(depth->body.find("\"bids\""), std::string::npos);
    // Both hosts share the IP's budget: 1 + 1 + 5.
    EXPECT_EQ(depth->headers.used_weight_1m, 7);
    EXPECT_GE(c.limits().used(), 7);

    // A 4xx is an answer, not a transport error.
    auto bad = send(c, get("/api/v3/depth", "symbol=NOPE"));
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400u);
    EXPECT_EQ(find_json_int(bad->body, "code"), -1121);

    EXPECT_EQ(send(c, get("/api/v3/ping"), 2).error(), http_errc::bad_endpoint);
}

TEST_F(HttpClientTest, sendReusesKeepAliveConnection) {
    start();
    auto c = make(options());
    for (int i = 0; i < 10; ++i) {
        auto r = send(c, get("/api/v3/ping"));
        ASSERT_TRUE(r) << r.error().message();
        EXPECT_EQ(r->reused_connection, i > 0);
    }
    const pool_stats s = c.endpoints().stats(0);
    EXPECT_EQ(s.connects, 1u);
    EXPECT_EQ(s.reuses, 9u);
    EXPECT_EQ(s.returned, 10u);
    EXPECT_EQ(s.discarded, 0u);
    EXPECT_EQ(s.idle, 1u);
    EXPECT_EQ(sim_stat("connections"), 1);
    EXPECT_EQ(sim_stat("http_requests"), 10);
}

TEST_F(HttpClientTest, syncTimeMeasuresTheVenueOffset) {
    start();
    set_rules({}, 3000ms);
    auto c = make(options());
    auto r = run(c.sync_time(1));
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_TRUE(c.time().synced());
    EXPECT_EQ(c.time().sample_count(), 3u);
    EXPECT_NEAR(static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(c.time().offset()).count()),
                3000.0, 250.0);
}

TEST_F(HttpClientTest, signedAccountAndOrderSucceed) {
    start();
    auto c = make(options());
    hmac(c);
    auto acc = send(c, signed_get("/api/v3/account", "omitZeroBalances=true", 20));
    ASSERT_TRUE(acc) << acc.error().message();
    EXPECT_EQ(acc->status, 200u) << acc->body;
    EXPECT_NE(acc->body.find("\"balances\""), std::string::npos);
    // The first signed request synced the server time first.
    EXPECT_TRUE(c.time().synced());

    auto placed = send(c, place_order("rest-it-1"));
    ASSERT_TRUE(placed) << placed.error().message();
    EXPECT_EQ(placed->status, 200u) << placed->body;
    EXPECT_EQ(placed->headers.order_count_10s, 1);
    EXPECT_EQ(placed->headers.order_count_1d, 1);
    EXPECT_NE(placed->body.find("\"rest-it-1\""), std::string::npos);

    auto q = send(c, signed_get("/api/v3/order", "symbol=BTCUSDT&origClientOrderId=rest-it-1", 4));
    ASSERT_TRUE(q);
    EXPECT_EQ(q->status, 200u) << q->body;
}

TEST_F(HttpClientTest, signedEd25519Succeeds) {
    start();
    auto c = make(options());
    auto s = signer::ed25519_from_pem(secret(sim::ed25519_test_private_key_pem()));
    ASSERT_TRUE(s);
    c.set_credentials(std::string(sim::ed25519_test_api_key), std::move(*s));
    auto acc = send(c, signed_get("/api/v3/account", "", 20));
    ASSERT_TRUE(acc) << acc.error().message();
    EXPECT_EQ(acc->status, 200u) << acc->body;
}

TEST_F(HttpClientTest, signedLogsNeverCarryKeysOrSignatures) {
    start();
    auto sink = std::make_shared<log::memory_sink>();
    auto lg = std::make_shared<spdlog::logger>("rest", sink);
    lg->set_level(spdlog::level::trace);
    auto c = make(options(), real_clock::instance(), nullptr, lg);
    hmac(c);
    ASSERT_TRUE(send(c, signed_get("/api/v3/account", "omitZeroBalances=true", 20)));
    ASSERT_TRUE(send(c, place_order("rest-log-1")));
    lg->flush();
    const std::string text = sink->text();
    EXPECT_NE(text.find("/api/v3/account?omitZeroBalances=true&recvWindow=5000&timestamp="), std::string::npos) << text;
    EXPECT_NE(text.find("newClientOrderId=rest-log-1"), std::string::npos); // client order ids are logged
    EXPECT_EQ(text.find("signature"), std::string::npos) << text;
    EXPECT_EQ(text.find("sim-test-api-key"), std::string::npos);
    EXPECT_EQ(text.find("sim-test-secret-key"), std::string::npos);
}

TEST_F(HttpClientTest, signedWrongSecretGets1022) {
    start();
    auto c = make(options());
    hmac(c, "not-the-secret");
    auto acc = send(c, signed_get("/api/v3/account", "", 20));
    ASSERT_TRUE(acc) << acc.error().message();
    EXPECT_EQ(acc->status, 400u);
    binance::decoder d;
    binance::api_error e;
    ASSERT_TRUE(d.decode_error(acc->body, e));
    EXPECT_EQ(e.code, -1022);

    auto no_creds = make(options());
    EXPECT_EQ(send(no_creds, signed_get("/api/v3/account", "", 20)).error(), http_errc::no_credentials);
}

TEST_F(HttpClientTest, signedResyncsServerTimeOn1021) {
    start();
    auto c = make(options());
    hmac(c);
    ASSERT_TRUE(run(c.sync_time()));
    // The venue's clock jumps 20 s ahead: our timestamps fall outside recvWindow (-1021).
    set_rules({}, 20'000ms);
    auto acc = send(c, signed_get("/api/v3/account", "", 20));
    ASSERT_TRUE(acc) << acc.error().message();
    EXPECT_EQ(acc->status, 200u) << acc->body;
    EXPECT_EQ(c.stats().resyncs, 1u);
    EXPECT_NEAR(static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(c.time().offset()).count()),
                20'000.0, 250.0);
}

TEST_F(HttpClientTest, concurrentSignedRequestsShareOneTimeSync) {
    start();
    auto c = make(options());
    hmac(c);
    // 20 signed requests at once with the time unsynced: one sync (3 samples) serves them all.
    auto ps = make_pending(20);
    for (auto& p : ps)
        spawn(c, signed_get("/api/v3/account", "", 20), *p);
    ASSERT_TRUE(run_until([&] { return all_done(ps); }, 30s));
    for (const auto& p : ps) {
        ASSERT_TRUE(p->r.has_value());
        ASSERT_TRUE(*p->r) << p->r->error().message();
        EXPECT_EQ((*p->r)->status, 200u) << (*p->r)->body;
    }
    EXPECT_TRUE(c.time().synced());
    EXPECT_EQ(c.stats().time_syncs, 1u);
    EXPECT_EQ(c.stats().sync_waits, 19u);
    EXPECT_EQ(sim_stat("http_requests"), 20 + 3);
}

TEST_F(HttpClientTest, waitersSyncAgainWhenTheLeadingRequestIsCancelled) {
    start();
    auto c = make(options());
    hmac(c);
    auto ps = make_pending(5);
    for (auto& p : ps)
        spawn(c, signed_get("/api/v3/account", "", 20), *p);
    // Let the first request start its sync and the others queue behind it, then cancel it.
    ASSERT_TRUE(run_until([&] { return c.stats().sync_waits == 4u; }));
    ps[0]->cancel.emit(net::cancellation_type::terminal);
    ASSERT_TRUE(run_until([&] { return all_done(ps); }, 30s));
    EXPECT_TRUE(ps[0]->threw || !*ps[0]->r);
    for (std::size_t i = 1; i < ps.size(); ++i) {
        ASSERT_TRUE(ps[i]->r.has_value());
        ASSERT_TRUE(*ps[i]->r) << ps[i]->r->error().message();
        EXPECT_EQ((*ps[i]->r)->status, 200u);
    }
    // The next one in line led a second sync; the other three waited for it.
    EXPECT_TRUE(c.time().synced());
    EXPECT_EQ(c.stats().time_syncs, 2u);
    EXPECT_EQ(c.stats().sync_waits, 4u + 3u);
}

TEST_F(HttpClientTest, aFailedSyncFailsTheWaitersOfTheSameEndpoint) {
    start();
    // /api/v3/time answers 503: the sync fails, and with it every request that waited for it.
    sim::fault_rule down;
    down.kind = sim::fault_kind::http_error;
    down.target = "/api/v3/time";
    down.status = 503;
    set_rules({down});
    auto c = make(options());
    hmac(c);
    auto ps = make_pending(4);
    for (auto& p : ps)
        spawn(c, signed_get("/api/v3/account", "", 20), *p);
    ASSERT_TRUE(run_until([&] { return all_done(ps); }, 30s));
    for (const auto& p : ps) {
        ASSERT_TRUE(p->r.has_value());
        EXPECT_FALSE(*p->r);
    }
    EXPECT_FALSE(c.time().synced());
    EXPECT_EQ(c.stats().time_syncs, 1u);
    EXPECT_EQ(c.stats().sync_waits, 3u);
    // Only the sync's first sample went out: no account request was sent unsigned-in-time.
    EXPECT_EQ(sim_stat("http_requests"), 1);
}

TEST_F(HttpClientTest, tlsWrongCaOrNameIsRefused) {
    start();
    auto o = options();
    o.tls.ca_file.clear(); // the system store does not trust the sim's CA
    auto c = make(o);
    auto r = send(c, get("/api/v3/ping"));
    ASSERT_TRUE(r.has_error());
    EXPECT_EQ(r.error().category(), net::error::get_ssl_category()) << r.error().message();
    EXPECT_EQ(c.endpoints().stats(0).tls_failures, 1u);

    auto named = options();
    named.tls.verify_host = "example.com";
    auto c2 = make(named);
    EXPECT_TRUE(send(c2, get("/api/v3/ping")).has_error());

    auto missing = options();
    missing.tls.ca_file = "/nonexistent/ca.pem";
    EXPECT_TRUE(http_client::create(ioc.get_executor(), real_clock::instance(), timers, missing).has_error());
    EXPECT_EQ(sim_stat("http_requests"), 0);
}

TEST_F(HttpClientTest, rateLimit429PausesTheWholeVenue) {
    cfg.limits.weight_per_minute = 5;
    start();
    manual_clock clk{time_point{0}, minute_start};
    resilience::manual_timer_service mt(clk);
    auto c = make(options(), clk, &mt); // the client believes the limit is 6000
    result<response> r = http_errc::ok;
    int sent = 0;
    // The sim's window is real time: at a minute boundary a few more pings pass.
    while (sent < 30) {
        r = send(c, get("/api/v3/ping"), static_cast<std::size_t>(sent % 2));
        ++sent;
        if (r.has_error())
            break;
    }
    ASSERT_TRUE(r.has_error());
    EXPECT_EQ(r.error(), http_errc::rate_limited);
    EXPECT_TRUE(c.limits().paused());
    const nanos pause = c.limits().paused_until() - clk.now();
    EXPECT_GE(pause, 1s);
    EXPECT_LE(pause, 60s);
    const std::int64_t requests = sim_stat("http_requests");

    // A caller whose deadline ends before Retry-After is refused at once, on either host.
    request now = get("/api/v3/ping");
    now.deadline = clk.now() + 500ms;
    EXPECT_EQ(send(c, now, 1).error(), http_errc::paused);

    // A patient caller waits out Retry-After without sending anything meanwhile.
    std::optional<result<response>> waited;
    net::cancellation_signal cancel;
    net::co_spawn(ioc, c.send(get("/api/v3/ping"), 1),
                  net::bind_cancellation_slot(
                      cancel.slot(), [&](std::exception_ptr, result<response> v) { waited.emplace(std::move(v)); }));
    ioc.restart();
    ioc.poll();
    EXPECT_EQ(mt.pending(), 1u);
    EXPECT_EQ(mt.advance(pause - 1s), 0u);
    ioc.poll();
    EXPECT_FALSE(waited.has_value());
    cancel.emit(net::cancellation_type::terminal);
    ioc.run_for(2s);
    ASSERT_TRUE(waited.has_value());
    EXPECT_EQ(waited->error(), net::error::operation_aborted);

    EXPECT_EQ(sim_stat("http_requests"), requests);
    EXPECT_EQ(sim_stat("rejected_429"), 1);
    EXPECT_EQ(sim_stat("rejected_418"), 0);
    EXPECT_EQ(c.stats().refused, 1u);
}

TEST_F(HttpClientTest, throttleHoldsRequestsBeforeTheLimit) {
    start();
    manual_clock clk{time_point{0}, minute_start};
    resilience::manual_timer_service mt(clk);
    auto o = options();
    o.limits.weight_limit = 10; // throttle at 8
    auto c = make(o, clk, &mt);
    for (int i = 0; i < 8; ++i)
        ASSERT_TRUE(send(c, get("/api/v3/ping"))) << i;
    request short_deadline = get("/api/v3/ping");
    short_deadline.deadline = clk.now() + 10s;
    EXPECT_EQ(send(c, short_deadline).error(), http_errc::throttled);
    EXPECT_EQ(send(c, get("/api/v3/depth", "symbol=BTCUSDT&limit=5000", 250)).error(), http_errc::weight_over_limit);

    // Without a short deadline the request waits for the window to roll, then goes out.
    std::optional<result<response>> waited;
    net::co_spawn(ioc, c.send(get("/api/v3/ping")),
                  [&](std::exception_ptr, result<response> v) { waited.emplace(std::move(v)); });
    ioc.restart();
    ioc.poll();
    EXPECT_EQ(mt.pending(), 1u);
    EXPECT_EQ(sim_stat("http_requests"), 8);
    EXPECT_EQ(mt.advance(60s), 1u);
    ioc.run_for(5s);
    ASSERT_TRUE(waited.has_value());
    ASSERT_TRUE(*waited) << waited->error().message();
    EXPECT_EQ((*waited)->status, 200u);
    EXPECT_EQ(sim_stat("http_requests"), 9);
    EXPECT_EQ(sim_stat("rejected_429"), 0);
}

TEST_F(HttpClientTest, timeoutWhenTheSimStalls) {
    start();
    auto c = make(options());
    ASSERT_TRUE(send(c, get("/api/v3/ping")));
    sim::fault_rule stall;
    stall.kind = sim::fault_kind::stall;
    stall.target = "/api/v3/depth";
    set_rules({stall});
    request r = get("/api/v3/depth", "symbol=BTCUSDT&limit=5", 5);
    r.timeout = 300ms;
    auto res = send(c, r);
    ASSERT_TRUE(res.has_error());
    EXPECT_EQ(res.error(), http_errc::timed_out);
    EXPECT_EQ(res.error(), http_condition::transient);
    EXPECT_EQ(c.endpoints().stats(0).discarded, 1u);
    // The stalled connection is gone; the next request gets a fresh one.
    auto ping = send(c, get("/api/v3/ping"));
    ASSERT_TRUE(ping);
    EXPECT_FALSE(ping->reused_connection);
    EXPECT_EQ(c.endpoints().stats(0).connects, 2u);
}

TEST_F(HttpClientTest, orderOutcomeUnknownOn5xxOrLostConnection) {
    start();
    auto c = make(options());
    hmac(c);
    ASSERT_TRUE(run(c.sync_time()));

    // 503 after the engine placed the order: the outcome is unknown, never "failed".
    sim::fault_rule lost;
    lost.kind = sim::fault_kind::lost_ack;
    lost.target = "/api/v3/order";
    lost.method = "POST";
    lost.status = 503;
    set_rules({lost});
    auto placed = send(c, place_order("rest-unknown-1"));
    ASSERT_TRUE(placed.has_error());
    EXPECT_EQ(placed.error(), http_errc::outcome_unknown);

    // No answer at all: the request timeout gives outcome_unknown too.
    lost.status = 0;
    set_rules({lost});
    request silent = place_order("rest-unknown-2");
    silent.timeout = 300ms;
    EXPECT_EQ(send(c, silent).error(), http_errc::outcome_unknown);

    // A reset after the request was written: unknown as well.
    sim::fault_rule reset;
    reset.kind = sim::fault_kind::reset;
    reset.target = "/api/v3/order";
    set_rules({reset});
    EXPECT_EQ(send(c, place_order("rest-unknown-3")).error(), http_errc::outcome_unknown);
    EXPECT_EQ(c.stats().outcome_unknown, 3u);

    // The same 5xx on an idempotent read is a plain server error.
    sim::fault_rule err;
    err.kind = sim::fault_kind::http_error;
    err.target = "/api/v3/ping";
    err.status = 503;
    set_rules({err});
    EXPECT_EQ(send(c, get("/api/v3/ping")).error(), http_errc::server_error);

    // Looking the orders up tells the truth: the lost-ack ones were placed.
    set_rules({});
    auto q1 = send(c, signed_get("/api/v3/order", "symbol=BTCUSDT&origClientOrderId=rest-unknown-1", 4));
    ASSERT_TRUE(q1);
    EXPECT_EQ(q1->status, 200u) << q1->body;
    auto q2 = send(c, signed_get("/api/v3/order", "symbol=BTCUSDT&origClientOrderId=rest-unknown-2", 4));
    ASSERT_TRUE(q2);
    EXPECT_EQ(q2->status, 200u) << q2->body;
}

TEST_F(HttpClientTest, cancelledRequestDiscardsItsConnection) {
    using namespace boost::asio::experimental::awaitable_operators;
    start();
    auto c = make(options());
    ASSERT_TRUE(send(c, get("/api/v3/ping")));
    sim::fault_rule slow;
    slow.kind = sim::fault_kind::latency;
    slow.target = "/api/v3/depth";
    slow.latency_min = slow.latency_max = 3000ms;
    set_rules({slow});

    auto race = [&]() -> net::awaitable<std::variant<result<response>, std::monostate>> {
        net::steady_timer t(co_await net::this_coro::executor, 100ms);
        co_return co_await (c.send(get("/api/v3/depth", "symbol=BTCUSDT&limit=5", 5)) ||
                            t.async_wait(net::use_awaitable));
    };
    auto v = run(race(), 5s);
    EXPECT_EQ(v.index(), 1u);
    const pool_stats s = c.endpoints().stats(0);
    EXPECT_EQ(s.reuses, 1u);
    EXPECT_EQ(s.discarded, 1u);
    EXPECT_EQ(s.idle, 0u);
    EXPECT_EQ(c.stats().cancelled, 1u);

    set_rules({});
    auto ping = send(c, get("/api/v3/ping"));
    ASSERT_TRUE(ping);
    EXPECT_FALSE(ping->reused_connection);
    EXPECT_EQ(c.endpoints().stats(0).connects, 2u);
}

TEST_F(HttpClientTest, hedgedGetWinsFromTheFastListener) {
    start();
    auto c = make(options());
    sim::fault_rule slow;
    slow.kind = sim::fault_kind::latency;
    slow.listener = "rest0";
    slow.target = "/api/v3/depth";
    slow.latency_min = slow.latency_max = 2000ms;
    set_rules({slow});

    resilience::predictor pred;
    std::vector<resilience::endpoint> eps;
    for (std::size_t i = 0; i < c.endpoint_count(); ++i)
        eps.push_back(
            {c.endpoints().url(i).authority(), std::make_shared<resilience::circuit_breaker>(real_clock::instance())});
    resilience::executor ex(real_clock::instance(), timers, pred, eps);

    resilience::call_options o;
    o.operation = "depth";
    o.idempotent = true;
    o.timeout = 5s;
    resilience::attempt_fn<response> attempt = [&c](std::size_t i) {
        return c.send(get("/api/v3/depth", "symbol=BTCUSDT&limit=5", 5), i);
    };
    auto e = run(ex.run<response>(o, attempt), 10s);
    ASSERT_TRUE(e.value) << e.value.error().message();
    EXPECT_EQ(e.endpoint, 1u);
    EXPECT_EQ(e.attempts, 2u);
    EXPECT_EQ(e.value->status, 200u);
    EXPECT_LT(e.value->latency, 1500ms);
    // The slow attempt was cancelled and its connection closed, not pooled mid-response.
    EXPECT_EQ(c.stats().cancelled, 1u);
    EXPECT_EQ(c.endpoints().stats(0).discarded, 1u);
    EXPECT_EQ(c.endpoints().stats(0).idle, 0u);
    EXPECT_EQ(c.endpoints().stats(1).idle, 1u);
}

TEST_F(HttpClientTest, sendCapsConnectionsPerHost) {
    start();
    auto o = options();
    o.pool.max_connections_per_host = 4;
    auto c = make(o);
    auto ps = make_pending(100);
    for (auto& p : ps)
        spawn(c, get("/api/v3/ping"), *p);
    ASSERT_TRUE(run_until([&] { return all_done(ps); }, 30s));
    for (const auto& p : ps) {
        ASSERT_TRUE(p->r.has_value());
        ASSERT_TRUE(*p->r) << p->r->error().message();
        EXPECT_EQ((*p->r)->status, 200u);
    }
    const pool_stats s = c.endpoints().stats(0);
    // Four connections carried all 100: the other 96 queued and got one handed over.
    EXPECT_EQ(s.connects, 4u);
    EXPECT_EQ(s.peak_open, 4u);
    EXPECT_EQ(s.waits, 96u);
    EXPECT_EQ(s.max_waiting, 96u);
    EXPECT_EQ(s.handoffs, 96u);
    EXPECT_EQ(s.reuses, 96u);
    EXPECT_EQ(s.returned, 100u);
    EXPECT_EQ(s.wait_timeouts, 0u);
    EXPECT_EQ(s.waiting, 0u);
    EXPECT_EQ(s.open, 4u);
    EXPECT_EQ(s.idle, 4u);
    EXPECT_GT(s.wait_time.count(), 0);
    EXPECT_EQ(sim_stat("connections"), 4);
    EXPECT_EQ(sim_stat("http_requests"), 100);
    const pool_stats t = c.endpoints().total_stats();
    EXPECT_EQ(t.waits, 96u);
    EXPECT_EQ(t.peak_open, 4u);
}

TEST_F(HttpClientTest, sendWithoutCapOpensAConnectionPerRequest) {
    start();
    auto o = options();
    o.pool.max_connections_per_host = 0;
    auto c = make(o);
    auto ps = make_pending(20);
    for (auto& p : ps)
        spawn(c, get("/api/v3/ping"), *p);
    ASSERT_TRUE(run_until([&] { return all_done(ps); }, 30s));
    for (const auto& p : ps)
        ASSERT_TRUE(p->r && *p->r);
    const pool_stats s = c.endpoints().stats(0);
    EXPECT_EQ(s.connects, 20u);
    EXPECT_EQ(s.peak_open, 20u);
    EXPECT_EQ(s.waits, 0u);
    // Four stay idle (max_idle_per_host); the rest were closed when they came back.
    EXPECT_EQ(s.idle, 4u);
    EXPECT_EQ(s.discarded, 16u);
    EXPECT_EQ(s.open, 4u);
}

TEST_F(HttpClientTest, sendWaitersAreServedInOrder) {
    start();
    auto o = options();
    o.pool.max_connections_per_host = 1;
    auto c = make(o);
    auto ps = make_pending(10);
    std::vector<std::size_t> finished;
    for (std::size_t i = 0; i < ps.size(); ++i) {
        // Wraps send to record the order of completion.
        net::co_spawn(ioc, c.send(get("/api/v3/ping")), [&, i](std::exception_ptr e, result<response> v) {
            finished.push_back(i);
            if (e)
                ps[i]->threw = true;
            else
                ps[i]->r.emplace(std::move(v));
        });
    }
    ASSERT_TRUE(run_until([&] { return all_done(ps); }, 30s));
    for (std::size_t i = 0; i < ps.size(); ++i) {
        ASSERT_TRUE(ps[i]->r && *ps[i]->r) << i;
        EXPECT_EQ((*ps[i]->r)->reused_connection, i > 0) << i;
        EXPECT_EQ(finished[i], i);
    }
    const pool_stats s = c.endpoints().stats(0);
    EXPECT_EQ(s.connects, 1u);
    EXPECT_EQ(s.waits, 9u);
    EXPECT_EQ(s.handoffs, 9u);
    EXPECT_EQ(s.peak_open, 1u);
}

TEST_F(HttpClientTest, sendWaiterTimesOutAtTheCap) {
    start();
    auto o = options();
    o.pool.max_connections_per_host = 4;
    auto c = make(o);
    hold_depth();
    auto holders = make_pending(4);
    for (auto& h : holders)
        spawn(c, slow_depth(), *h);
    // All four were sent and sit in the sim's 3 s delay, each on its own connection.
    ASSERT_TRUE(run_until([&] { return sim_stat("http_requests") == 4; }));
    EXPECT_EQ(c.endpoints().stats(0).open, 4u);

    // One waiter is bound by its timeout, the other by its deadline.
    request r = get("/api/v3/ping");
    r.timeout = 200ms;
    request d = get("/api/v3/ping");
    d.deadline = real_clock::instance().now() + 300ms;
    pending waiter, by_deadline;
    spawn(c, r, waiter);
    spawn(c, d, by_deadline);
    ASSERT_TRUE(run_until([&] { return waiter.done() && by_deadline.done(); }));
    for (const pending* p : {&waiter, &by_deadline}) {
        ASSERT_TRUE(p->r.has_value());
        ASSERT_TRUE(p->r->has_error());
        // The same error as a slow request.
        EXPECT_EQ(p->r->error(), http_errc::timed_out);
        EXPECT_EQ(p->r->error(), http_condition::transient);
    }
    // Both gave up on their own clocks: no holder has come back yet.
    EXPECT_TRUE(std::none_of(holders.begin(), holders.end(), [](const auto& h) { return h->done(); }));
    pool_stats s = c.endpoints().stats(0);
    EXPECT_EQ(s.waits, 2u);
    EXPECT_EQ(s.wait_timeouts, 2u);
    EXPECT_EQ(s.waiting, 0u);
    EXPECT_EQ(s.max_waiting, 2u);
    EXPECT_EQ(s.open, 4u);
    EXPECT_GE(s.wait_time, 400ms);
    EXPECT_EQ(c.stats().failures, 2u);
    EXPECT_EQ(sim_stat("http_requests"), 4);

    // Cancelling the holders closes their connections and frees every share.
    for (auto& h : holders)
        h->cancel.emit(net::cancellation_type::terminal);
    ASSERT_TRUE(run_until([&] { return all_done(holders); }));
    for (auto& h : holders) {
        ASSERT_TRUE(h->r.has_value());
        EXPECT_EQ(h->r->error(), net::error::operation_aborted);
    }
    s = c.endpoints().stats(0);
    EXPECT_EQ(s.open, 0u);
    EXPECT_EQ(s.discarded, 4u);

    set_rules({});
    auto ping = send(c, get("/api/v3/ping"));
    ASSERT_TRUE(ping) << ping.error().message();
    EXPECT_FALSE(ping->reused_connection);
    s = c.endpoints().stats(0);
    EXPECT_EQ(s.connects, 5u);
    EXPECT_EQ(s.open, 1u);
    EXPECT_EQ(s.peak_open, 4u);
    EXPECT_EQ(s.wait_timeouts, 2u);
}

TEST_F(HttpClientTest, sendCancelledWaiterFreesNothing) {
    start();
    auto o = options();
    o.pool.max_connections_per_host = 1;
    auto c = make(o);
    hold_depth();
    pending holder, a, b;
    spawn(c, slow_depth(), holder);
    spawn(c, get("/api/v3/ping"), a);
    spawn(c, get("/api/v3/ping"), b);
    ASSERT_TRUE(run_until([&] { return sim_stat("http_requests") == 1; }));
    EXPECT_EQ(c.endpoints().stats(0).waiting, 2u);

    // A leaves the queue; it held nothing, so nothing is freed and B still waits.
    a.cancel.emit(net::cancellation_type::terminal);
    ASSERT_TRUE(run_until([&] { return a.done(); }));
    ASSERT_TRUE(a.r.has_value());
    EXPECT_EQ(a.r->error(), net::error::operation_aborted);
    pool_stats s = c.endpoints().stats(0);
    EXPECT_EQ(s.wait_cancels, 1u);
    EXPECT_EQ(s.waiting, 1u);
    EXPECT_EQ(s.open, 1u);
    EXPECT_EQ(s.connects, 1u);
    EXPECT_FALSE(b.done());
    EXPECT_FALSE(holder.done());
    EXPECT_EQ(c.stats().cancelled, 1u);

    // The holder is cancelled mid-response: its connection closes and B opens the next one.
    holder.cancel.emit(net::cancellation_type::terminal);
    ASSERT_TRUE(run_until([&] { return holder.done() && b.done(); }));
    ASSERT_TRUE(holder.r.has_value());
    EXPECT_EQ(holder.r->error(), net::error::operation_aborted);
    ASSERT_TRUE(b.r.has_value());
    ASSERT_TRUE(*b.r) << b.r->error().message();
    EXPECT_FALSE((*b.r)->reused_connection);
    s = c.endpoints().stats(0);
    EXPECT_EQ(s.connects, 2u);
    EXPECT_EQ(s.discarded, 1u);
    EXPECT_EQ(s.handoffs, 0u);
    EXPECT_EQ(s.waits, 2u);
    EXPECT_EQ(s.waiting, 0u);
    EXPECT_EQ(s.open, 1u);
    EXPECT_EQ(s.idle, 1u);
    EXPECT_EQ(s.peak_open, 1u);
    EXPECT_EQ(sim_stat("connections"), 2);
}

TEST_F(HttpClientTest, sendWaiterCancelledOnceServedPassesItOn) {
    start();
    auto o = options();
    o.pool.max_connections_per_host = 1;
    auto c = make(o);
    pending a, b;
    std::optional<result<response>> first;
    // The first request's connection is handed to A; A is cancelled before it resumes, so it must
    // pass the connection on to B instead of keeping or closing it.
    auto holder = [&]() -> net::awaitable<void> {
        first.emplace(co_await c.send(get("/api/v3/ping")));
        EXPECT_EQ(c.endpoints().stats(0).handoffs, 1u);
        a.cancel.emit(net::cancellation_type::terminal);
    };
    net::co_spawn(ioc, holder(), net::detached);
    spawn(c, get("/api/v3/ping"), a);
    spawn(c, get("/api/v3/ping"), b);
    ASSERT_TRUE(run_until([&] { return first.has_value() && a.done() && b.done(); }));
    ASSERT_TRUE(*first);
    ASSERT_TRUE(a.r.has_value());
    EXPECT_EQ(a.r->error(), net::error::operation_aborted);
    ASSERT_TRUE(b.r.has_value());
    ASSERT_TRUE(*b.r) << b.r->error().message();
    EXPECT_TRUE((*b.r)->reused_connection);
    const pool_stats s = c.endpoints().stats(0);
    EXPECT_EQ(s.connects, 1u);
    EXPECT_EQ(s.handoffs, 2u);
    EXPECT_EQ(s.wait_cancels, 1u);
    EXPECT_EQ(s.waiting, 0u);
    EXPECT_EQ(s.open, 1u);
    EXPECT_EQ(s.idle, 1u);
    EXPECT_EQ(sim_stat("http_requests"), 2);
}

TEST_F(HttpClientTest, keepWarmOpensConnectionsAheadOfABurst) {
    start();
    auto o = options();
    ASSERT_EQ(o.base_urls.size(), 2u);
    o.pool.warm_connections_per_host = 3;
    std::optional<http_client> holder(make(o));
    http_client& c = *holder;
    c.keep_warm();
    // Both endpoints (the sim's two listeners) get three each.
    ASSERT_TRUE(run_until([&] { return c.endpoints().stats(0).idle == 3u && c.endpoints().stats(1).idle == 3u; }));
    EXPECT_EQ(c.endpoints().total_stats().warm_connects, 6u);
    EXPECT_EQ(c.endpoints().total_stats().returned, 0u);
    EXPECT_EQ(sim_stat("connections"), 6);
    // Each warm connection was proven with one request to the server-time path (weight 1).
    EXPECT_EQ(sim_stat("http_requests"), 6);

    // A burst of three finds a warm connection each: no handshake on any request's path.
    auto ps = make_pending(3);
    for (auto& p : ps)
        spawn(c, get("/api/v3/ping"), *p);
    ASSERT_TRUE(run_until([&] { return all_done(ps); }));
    for (const auto& p : ps) {
        ASSERT_TRUE(p->r && *p->r);
        EXPECT_TRUE((*p->r)->reused_connection);
    }
    const pool_stats s = c.endpoints().stats(0);
    EXPECT_EQ(s.connects, 3u);
    EXPECT_EQ(s.reuses, 3u);
    EXPECT_EQ(s.idle, 3u);
    EXPECT_EQ(s.open, 3u);
    EXPECT_EQ(sim_stat("connections"), 6);
    EXPECT_EQ(sim_stat("http_requests"), 9);
    EXPECT_EQ(c.stats().requests, 9u);
    // Destroying the client stops the warm-up and closes its connections.
    holder.reset();
    ASSERT_TRUE(run_until([&] { return sim_stat("open_connections") == 0; }));
}

TEST_F(HttpClientTest, keepWarmReplacesAConnectionTheServerClosed) {
    start();
    auto o = options();
    o.pool.warm_connections_per_host = 2;
    std::optional<http_client> holder(make(o));
    http_client& c = *holder;
    c.keep_warm();
    ASSERT_TRUE(run_until([&] { return c.endpoints().stats(0).idle == 2u && c.endpoints().stats(1).idle == 2u; }));
    // The server resets the connection the request went out on.
    sim::fault_rule reset;
    reset.kind = sim::fault_kind::reset;
    reset.target = "/api/v3/ping";
    set_rules({reset});
    request r = get("/api/v3/ping");
    r.idempotent = false; // no resend on a fresh connection: one request, one lost connection
    EXPECT_FALSE(send_while_warm(c, r));
    set_rules({});
    // The lost one is replaced in the background: two open again, three connects in all.
    ASSERT_TRUE(run_until([&] {
        const pool_stats s = c.endpoints().stats(0);
        return s.warm_connects == 3u && s.idle == 2u;
    }));
    EXPECT_EQ(c.endpoints().stats(0).discarded, 1u);
    // Three to the first endpoint, two to the second.
    EXPECT_EQ(sim_stat("connections"), 5);
    // Destroying the client stops the warm-up and closes its connections.
    holder.reset();
    ASSERT_TRUE(run_until([&] { return sim_stat("open_connections") == 0; }));
}

TEST_F(HttpClientTest, keepWarmRenewsIdleConnectionsBeforeTheyExpire) {
    start();
    manual_clock clk{time_point{0}, minute_start};
    resilience::manual_timer_service mt(clk);
    auto o = options();
    o.pool.warm_connections_per_host = 2;
    o.pool.idle_timeout = 40s; // renewed when idle over 20 s, checked every 10 s
    std::optional<http_client> holder(make(o, clk, &mt));
    http_client& c = *holder;
    c.keep_warm();
    ASSERT_TRUE(run_until([&] { return c.endpoints().stats(0).idle == 2u && mt.pending() == 1u; }));
    // 10 s and 20 s idle: young enough, kept.
    for (int i = 0; i < 2; ++i) {
        ASSERT_EQ(mt.advance(10s), 1u);
        ASSERT_TRUE(run_until([&] { return mt.pending() == 1u; }));
        EXPECT_EQ(c.endpoints().stats(0).renewed, 0u);
    }
    // 30 s: both are closed before the server's idle limit and two fresh ones replace them.
    ASSERT_EQ(mt.advance(10s), 1u);
    ASSERT_TRUE(run_until([&] {
        const pool_stats s = c.endpoints().stats(0);
        return s.renewed == 2u && s.warm_connects == 4u && s.idle == 2u;
    }));
    EXPECT_EQ(c.endpoints().stats(0).expired, 0u);
    EXPECT_EQ(c.endpoints().stats(0).open, 2u);
    // A request still finds a warm connection, never an expired one.
    auto res = send_while_warm(c, get("/api/v3/ping"));
    ASSERT_TRUE(res) << res.error().message();
    EXPECT_TRUE(res->reused_connection);
    // Destroying the client stops the warm-up and closes its connections.
    holder.reset();
    ASSERT_TRUE(run_until([&] { return sim_stat("open_connections") == 0; }));
}

TEST_F(HttpClientTest, keepWarmAgainstADownHostBacksOffAndStopsWithTheClient) {
    start();
    manual_clock clk{time_point{0}, minute_start};
    resilience::manual_timer_service mt(clk);
    auto o = options();
    o.pool.warm_connections_per_host = 2;
    srv->stop();
    {
        auto c = make(o, clk, &mt);
        c.keep_warm();
        ASSERT_TRUE(run_until([&] { return c.endpoints().stats(0).warm_failures == 2u && mt.pending() == 1u; }));
        EXPECT_EQ(c.endpoints().stats(0).open, 0u);
        // Within the second after a failure, a request's own connect is the only one tried.
        auto res = send_while_warm(c, get("/api/v3/ping"));
        EXPECT_FALSE(res);
        EXPECT_EQ(c.endpoints().stats(0).warm_failures, 2u);
        // The next check, past the back-off, tries again.
        ASSERT_EQ(mt.advance(o.pool.idle_timeout / 4), 1u);
        ASSERT_TRUE(run_until([&] { return c.endpoints().stats(0).warm_failures == 4u; }));
    }
    // Destroying the client ends the loop: its timer wait is cancelled.
    ASSERT_TRUE(run_until([&] { return mt.pending() == 0u; }));
}

} // namespace
} // namespace genesis::rest
