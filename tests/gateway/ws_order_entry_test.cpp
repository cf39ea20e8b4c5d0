// Order entry over the WebSocket API against genesis-sim in-process (real TLS on loopback, the
// sim's CA and test account), the REST venue behind it for the queries, and the OMS on top: orders
// placed and cancelled by frame, refusals carry the venue's reason, a lost answer or a lost
// connection is looked up by client order id and known exactly once, a 429 pauses order entry (and
// REST, through the shared limiter, both ways), the answers' rateLimits are counted, a -1021 resyncs
// the clock over the connection, an open breaker refuses unsent, and a rotation to a fresh
// connection loses no answer.
#include "genesis/gateway/runtime/ws_order_entry.hpp"

#include "sim_rest_fixture.hpp"

#include "genesis/gateway/oms/oms.hpp"
#include "genesis/resilience/circuit_breaker.hpp"
#include "genesis/resilience/error.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <condition_variable>
#include <thread>

namespace genesis::gateway {
namespace {

namespace net = boost::asio;
namespace sim = genesis::sim::server;
using namespace test;
using namespace std::chrono_literals;
using st = order_status;

class WsOrderEntryTest : public ::testing::Test, protected sim_rest_fixture {
protected:
    temp_dir dir;
    manual_clock clk; // the OMS's
    task_queue queue;
    std::optional<rest::http_client> other; // a second client on the same IP (destroyed with client)
    // Order entry's own loop and thread, as in the gateway (the caller writes on it too).
    net::io_context orders_ioc;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> orders_work;
    std::thread orders_thread;
    std::unique_ptr<runtime::ws_order_entry> entry;
    std::unique_ptr<db::database> db;
    std::unique_ptr<oms> o;
    // What order entry reported, waited for with wait_for (notified on each report).
    std::mutex written_mutex;
    std::condition_variable reported;
    std::vector<time_point> written_ticks;
    unsigned opens = 0;
    unsigned losses = 0; // on_state(false): connecting, or lost
    unsigned time_samples = 0;
    // The sim's ORDERS per day (a derived fixture lowers it before SetUp).
    std::int64_t sim_orders_per_day = 160'000;
    // The sim's WebSocket connection lifetime (Binance's is 24 h; a derived fixture shortens it).
    std::chrono::milliseconds sim_ws_lifetime = 24h;

    void SetUp() override {
        auto cfg = sim::default_server_config(1);
        cfg.agents_enabled = false;
        cfg.limits.orders_per_day = sim_orders_per_day;
        cfg.ws.connection_lifetime = sim_ws_lifetime;
        ASSERT_NO_FATAL_FAILURE(start_sim_and_venue(cfg));
        orders_work.emplace(orders_ioc.get_executor());
        orders_thread = std::thread([this] { orders_ioc.run(); });
        // The signed timestamp comes from the REST client's server-time offset.
        auto synced = net::co_spawn(ioc, client->sync_time(0), net::use_future).get();
        ASSERT_TRUE(synced) << synced.error().message();
    }

    // The sim's WebSocket API and test account; written ticks go to written_ticks.
    runtime::ws_order_entry_options options() {
        runtime::ws_order_entry_options wo;
        wo.venue = sim_venue;
        wo.ws_api_url = srv->urls().ws_api;
        wo.ca_file = srv->ca_file();
        wo.api_key = "sim-test-api-key";
        wo.api_secret = "sim-test-secret-key";
        wo.sweep_interval = 10ms;
        wo.on_order_written = [this](time_point tick) {
            std::lock_guard lk(written_mutex);
            written_ticks.push_back(tick);
            reported.notify_all();
        };
        wo.on_state = [this](bool open) {
            std::lock_guard lk(written_mutex);
            opens += open ? 1 : 0;
            losses += open ? 0 : 1;
            reported.notify_all();
        };
        wo.on_time_sample = [this](nanos) {
            std::lock_guard lk(written_mutex);
            ++time_samples;
            reported.notify_all();
        };
        return wo;
    }

    void make_entry(runtime::ws_order_entry_options wo) {
        entry = std::make_unique<runtime::ws_order_entry>(
            orders_ioc, std::move(wo), *rest_venue, client->time(),
            runtime::ws_order_entry_limits{&client->limits(), &client->orders()}, real_clock::instance());
    }

    // Connects order entry (place_timeout short for the lost-answer tests).
    void connect(std::chrono::nanoseconds place_timeout = 5s) { connect(options(), place_timeout); }
    void connect(runtime::ws_order_entry_options wo, std::chrono::nanoseconds place_timeout = 5s) {
        wo.place_timeout = place_timeout;
        make_entry(std::move(wo));
        ASSERT_FALSE(entry->start().has_error());
        ASSERT_TRUE(wait_for([&] { return opens >= 1; })) << "the WebSocket API connection did not open";
        ASSERT_TRUE(entry->ready());
    }

    // A buy through the OMS (started), far below the sim's market; empty if refused.
    client_order_id submit_buy() {
        auto in = limit_intent(side::buy, "0.001", "50000");
        in.venue = sim_venue;
        auto id = o->submit(in);
        EXPECT_TRUE(id) << id.error().message();
        return id ? *id : client_order_id{};
    }

    void start_oms() {
        db::db_config dc;
        dc.primary = dir / "primary.db";
        dc.clock = &clk;
        auto d = db::database::open(dc);
        ASSERT_TRUE(d) << d.error().message();
        db = std::move(*d);
        oms_config oc;
        oc.venue = sim_venue;
        oc.ids.instance = "wstest";
        oc.symbols = {{btc, asset::truncating("BTC"), asset::truncating("USDT")}};
        oms_deps deps;
        deps.clk = &clk;
        deps.db = db.get();
        deps.venue = entry.get();
        deps.post = queue.poster();
        o = std::make_unique<oms>(oc, std::move(deps));
        std::optional<result<void>> started;
        o->start([&](result<void> r) { started = r; });
        ASSERT_TRUE(queue.run_until([&] { return started.has_value(); }));
        ASSERT_TRUE(*started) << o->health().reason;
    }

    void TearDown() override {
        o.reset();
        queue.run_pending();
        if (entry)
            entry->stop();
        // The session closes gracefully, then the loops run dry (bounded: then they are stopped).
        orders_work.reset();
        if (orders_thread.joinable()) {
            auto orders_done = std::async(std::launch::async, [this] { orders_thread.join(); });
            if (orders_done.wait_for(5s) != std::future_status::ready)
                orders_ioc.stop();
            orders_done.wait();
        }
        stop_loop();
        entry.reset();
        other.reset();
        stop_venue_and_sim();
    }

    // Waits (under written_mutex) until holds() is true on what order entry reported, at most limit.
    bool wait_for(const std::function<bool()>& holds, std::chrono::milliseconds limit = 10s) {
        std::unique_lock lk(written_mutex);
        return reported.wait_for(lk, limit, holds);
    }

    // One venue call, answered on the I/O thread, waited for here.
    template <class T, class F>
    result<T> call(F f) {
        auto p = std::make_shared<std::promise<result<T>>>();
        auto fut = p->get_future();
        f([p](result<T> r) { p->set_value(std::move(r)); });
        if (fut.wait_for(10s) != std::future_status::ready)
            return make_error_code(std::errc::timed_out);
        return fut.get();
    }

    void set_fault(sim::fault_kind kind, int status, std::chrono::seconds retry_after = 1s,
                   std::string_view listener = "wsapi", std::string_view target = "order.place",
                   std::uint64_t max_count = 1) {
        sim::fault_rule rule;
        rule.kind = kind;
        rule.listener = std::string(listener);
        rule.target = std::string(target);
        rule.status = status;
        rule.retry_after = retry_after;
        rule.max_count = max_count;
        sim::fault_config faults;
        faults.rules = {rule};
        srv->set_faults(faults);
    }

    // Every WebSocket API order.place answered `by` late.
    static sim::fault_rule late_placements(std::chrono::milliseconds by) {
        sim::fault_rule late;
        late.kind = sim::fault_kind::latency;
        late.listener = "wsapi";
        late.target = "order.place";
        late.latency_min = late.latency_max = by;
        return late;
    }

    order_intent intent(std::string_view id, std::string_view qty = "0.001", std::string_view price = "50000") {
        auto in = limit_intent(side::buy, qty, price);
        in.venue = sim_venue;
        in.client_id = client_order_id::truncating(id);
        return in;
    }

    // Places id and expects it refused at once (inline), unsent, for `why`: the sim never saw it.
    void expect_refused_unsent(std::string_view id, error_code why) {
        auto in = intent(id);
        std::optional<result<execution_report>> r;
        entry->place(in, [&](result<execution_report> x) { r = std::move(x); });
        ASSERT_TRUE(r.has_value()) << "not answered inline";
        ASSERT_FALSE(*r);
        EXPECT_EQ(r->error(), why) << r->error().message();
        EXPECT_EQ(classify_placement_error(r->error()), placement_failure::not_sent);
        EXPECT_TRUE(sim_orders(in.client_id).empty());
    }
};

TEST_F(WsOrderEntryTest, placesAndCancelsByFrameAndReportsTheWrite) {
    connect();
    auto in = intent("ws-place-1");
    in.tick = time_point{12345};
    auto placed = call<execution_report>([&](auto done) { entry->place(in, std::move(done)); });
    ASSERT_TRUE(placed) << placed.error().message();
    EXPECT_EQ(placed->status, st::new_);
    EXPECT_EQ(placed->client_id, in.client_id);
    EXPECT_EQ(placed->venue, sim_venue);
    auto truth = sim_orders(in.client_id);
    ASSERT_EQ(truth.size(), 1u);
    EXPECT_EQ(placed->order_id, truth[0].order_id);
    // Tick-to-order ends when the frame is handed to the socket.
    ASSERT_TRUE(wait_for([&] { return !written_ticks.empty(); }));
    {
        std::lock_guard lk(written_mutex);
        EXPECT_EQ(written_ticks, std::vector<time_point>{time_point{12345}});
    }

    cancel_intent c;
    c.venue = sim_venue;
    c.sym = btc;
    c.orig_client_id = in.client_id;
    auto cancelled = call<execution_report>([&](auto done) { entry->cancel(c, std::move(done)); });
    ASSERT_TRUE(cancelled) << cancelled.error().message();
    EXPECT_EQ(cancelled->status, st::canceled);
    EXPECT_EQ(sim_orders(in.client_id).at(0).status, st::canceled);
    // A second cancel of the same order: the venue's refusal.
    auto again = call<execution_report>([&](auto done) { entry->cancel(c, std::move(done)); });
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), venue_errc::cancel_refused);

    const auto s = entry->stats();
    EXPECT_EQ(s.placements, 1u);
    EXPECT_EQ(s.cancels, 2u);
    EXPECT_EQ(s.refused, 1u);
    EXPECT_EQ(s.pending, 0u);
    // Queries go to REST: the order is found there.
    auto q =
        call<std::optional<execution_report>>([&](auto done) { entry->query(btc, in.client_id, std::move(done)); });
    ASSERT_TRUE(q && q->has_value());
    EXPECT_EQ((*q)->status, st::canceled);
}

TEST_F(WsOrderEntryTest, theCallerWritesTheFrameItselfWhileTheLoopsThreadIsBusy) {
    std::optional<std::thread::id> writer;
    auto wo = options();
    wo.on_order_written = [&](time_point) { writer = std::this_thread::get_id(); };
    connect(std::move(wo));
    // Order entry's own thread is held inside a handler: only the caller can write the frame.
    std::promise<void> release, held;
    auto released = release.get_future().share();
    net::post(orders_ioc, [&held, released] {
        held.set_value();
        released.wait();
    });
    held.get_future().wait();
    auto in = intent("ws-caller-1");
    in.tick = time_point{1};
    auto p = std::make_shared<std::promise<result<execution_report>>>();
    auto answer = p->get_future();
    entry->place(in, [p](result<execution_report> r) { p->set_value(std::move(r)); });
    // Written before place() returned, on this thread.
    ASSERT_TRUE(writer.has_value());
    EXPECT_EQ(*writer, std::this_thread::get_id());
    release.set_value();
    ASSERT_EQ(answer.wait_for(10s), std::future_status::ready);
    auto r = answer.get();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->status, st::new_);
    EXPECT_EQ(sim_orders(in.client_id).size(), 1u);
}

TEST_F(WsOrderEntryTest, aRefusalIsRejectedWithTheVenuesCodeAndMessage) {
    connect();
    // 10 BTC at 50000: more USDT than the test account's 100000.
    auto in = intent("ws-broke-1", "10");
    auto r = call<execution_report>([&](auto done) { entry->place(in, std::move(done)); });
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->status, st::rejected);
    EXPECT_EQ(r->client_id, in.client_id);
    EXPECT_EQ(r->reject_reason.rfind("-2010 ", 0), 0u) << r->reject_reason;
    EXPECT_TRUE(sim_orders(in.client_id).empty());
    EXPECT_EQ(entry->stats().refused, 1u);
}

TEST_F(WsOrderEntryTest, withoutAnOpenConnectionNothingIsSent) {
    make_entry(options());
    // Not started: answered at once, inline, as not sent.
    expect_refused_unsent("ws-nowhere-1", make_error_code(venue_errc::not_sent));
    EXPECT_EQ(entry->stats().placements, 0u);
    EXPECT_EQ(entry->stats().not_sent, 1u);
}

TEST_F(WsOrderEntryTest, aLostAnswerIsLookedUpAndTheOrderKnownExactlyOnce) {
    connect(300ms);
    start_oms();
    // The sim places the order and never answers.
    set_fault(sim::fault_kind::lost_ack, 0);
    const auto id = submit_buy();
    ASSERT_FALSE(id.empty());
    ASSERT_TRUE(queue.run_until([&] { return o->find(id)->status == st::new_; })) << to_string(o->find(id)->status);
    EXPECT_EQ(o->stats().unknown_outcomes, 1u);
    EXPECT_EQ(o->stats().resolved_found, 1u);
    EXPECT_EQ(entry->stats().placements, 1u);
    EXPECT_EQ(entry->stats().timeouts, 1u);
    auto truth = sim_orders(id);
    ASSERT_EQ(truth.size(), 1u);
    EXPECT_EQ(o->find(id)->order_id, truth[0].order_id);
    // It is an ordinary working order now: cancelled by frame through the OMS.
    ASSERT_TRUE(o->cancel(id));
    ASSERT_TRUE(queue.run_until([&] { return o->find(id)->status == st::canceled; }));
    EXPECT_EQ(sim_orders(id).at(0).status, st::canceled);
    EXPECT_EQ(o->stats().invalid_transitions, 0u);
}

TEST_F(WsOrderEntryTest, aConnectionLostWithAPlacementInFlightIsLookedUpNotResent) {
    connect();
    start_oms();
    // The sim cuts the connection on the placement, before executing it.
    set_fault(sim::fault_kind::reset, 0);
    const auto id = submit_buy();
    ASSERT_FALSE(id.empty());
    // Unknown, and the first lookup answered (tracked_order::lookups counts answers).
    ASSERT_TRUE(queue.run_until([&] { return o->find(id)->status == st::unknown && o->find(id)->lookups >= 1; }))
        << to_string(o->find(id)->status);
    // Looked up until "does not exist" is repeated and old enough (the OMS's clock is driven
    // here): rejected as never placed, and nothing was sent a second time.
    for (int i = 0; i < 20 && o->find(id)->status != st::rejected; ++i) {
        const auto before = o->find(id)->lookups;
        clk.advance(3s);
        o->on_tick();
        ASSERT_TRUE(queue.run_until([&] { return o->find(id)->lookups > before; }));
    }
    ASSERT_EQ(o->find(id)->status, st::rejected) << o->find(id)->reason;
    EXPECT_EQ(o->stats().unknown_outcomes, 1u);
    EXPECT_GE(o->stats().resolved_not_found, 1u);
    EXPECT_EQ(entry->stats().placements, 1u);
    EXPECT_EQ(entry->stats().unknown, 1u);
    EXPECT_TRUE(sim_orders(id).empty());
    // The session reconnects and order entry goes on.
    ASSERT_TRUE(wait_for([&] { return opens >= 2; }));
    auto next = intent("ws-after-reset");
    auto r = call<execution_report>([&](auto done) { entry->place(next, std::move(done)); });
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->status, st::new_);
}

TEST_F(WsOrderEntryTest, a429PausesOrderEntryUntilTheVenuesRetryAfter) {
    connect();
    set_fault(sim::fault_kind::http_error, 429, 30s);
    auto first = call<execution_report>([&](auto done) { entry->place(intent("ws-429-1"), std::move(done)); });
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error(), rest::http_errc::rate_limited);
    EXPECT_EQ(classify_placement_error(first.error()), placement_failure::not_sent);
    // Within the venue's 30 s, nothing more is written: answered at once as not sent.
    auto second = call<execution_report>([&](auto done) { entry->place(intent("ws-429-2"), std::move(done)); });
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error(), rest::http_errc::paused);
    EXPECT_EQ(classify_placement_error(second.error()), placement_failure::not_sent);
    const auto s = entry->stats();
    EXPECT_EQ(s.placements, 1u);
    EXPECT_EQ(s.rate_limited, 1u);
    EXPECT_TRUE(sim_orders(client_order_id::truncating("ws-429-1")).empty());
    EXPECT_TRUE(sim_orders(client_order_id::truncating("ws-429-2")).empty());
}

TEST_F(WsOrderEntryTest, a429OnTheWebSocketApiPausesRestToo) {
    connect();
    set_fault(sim::fault_kind::http_error, 429, 30s);
    auto r = call<execution_report>([&](auto done) { entry->place(intent("ws-429-shared"), std::move(done)); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), rest::http_errc::rate_limited);
    // One limiter for the venue: the REST client is paused for the venue's 30 s as well.
    EXPECT_TRUE(client->limits().paused());
    EXPECT_GE(client->limits().paused_until() - real_clock::instance().now(), nanos{20s});
    EXPECT_EQ(client->limiter_stats().responses_429, 1u);
}

TEST_F(WsOrderEntryTest, a429OnRestPausesWebSocketOrderEntryBeforeAnythingIsWritten) {
    connect();
    set_fault(sim::fault_kind::http_error, 429, 30s, "rest0", "/api/v3/depth");
    rest::request depth;
    depth.path = "/api/v3/depth";
    depth.query = "symbol=BTCUSDT&limit=5";
    auto got = net::co_spawn(ioc, client->send(depth), net::use_future).get();
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error(), rest::http_errc::rate_limited);
    ASSERT_TRUE(client->limits().paused());
    // Refused inline: nothing was handed to the connection.
    expect_refused_unsent("ws-after-rest-429", make_error_code(rest::http_errc::paused));
    EXPECT_EQ(entry->stats().placements, 0u);
    EXPECT_EQ(entry->stats().throttled, 1u);
}

TEST_F(WsOrderEntryTest, theAnswersUsedWeightIsCountedInTheSharedLimiter) {
    connect();
    // Another client on this IP spends 250 weight (depth, limit 5000) that our limiter never saw.
    rest::http_client_options oo;
    oo.venue = "other";
    oo.base_urls = srv->urls().rest;
    oo.tls.ca_file = srv->ca_file();
    auto made = rest::http_client::create(ioc.get_executor(), real_clock::instance(), timers, oo);
    ASSERT_TRUE(made) << made.error().message();
    other.emplace(std::move(*made));
    // Our view of the venue's minute; within 1 s of its end, the sim's may roll first.
    const auto minute = [&] { return client->time().timestamp_ms() / 60'000; };
    if (client->time().timestamp_ms() % 60'000 > 59'000)
        GTEST_SKIP() << "too close to the venue's minute boundary";
    const auto before = minute();
    rest::request depth;
    depth.path = "/api/v3/depth";
    depth.query = "symbol=BTCUSDT&limit=5000";
    auto got = net::co_spawn(ioc, other->send(depth), net::use_future).get();
    ASSERT_TRUE(got) << got.error().message();
    ASSERT_EQ(got->status, 200u);
    const auto ours = client->limits().used();
    ASSERT_LT(ours, 250);
    auto placed = call<execution_report>([&](auto done) { entry->place(intent("ws-weight-1"), std::move(done)); });
    ASSERT_TRUE(placed) << placed.error().message();
    if (minute() != before || client->time().timestamp_ms() % 60'000 < 1'000)
        GTEST_SKIP() << "the venue's minute rolled during the test: its weight count restarted";
    // The answer's REQUEST_WEIGHT count (the IP's, other clients included) is now ours.
    EXPECT_GE(client->limits().used(), 251);
}

class WsOrderEntryOrderLimitTest : public WsOrderEntryTest {
protected:
    void SetUp() override {
        sim_orders_per_day = 3;
        WsOrderEntryTest::SetUp();
    }
};

TEST_F(WsOrderEntryOrderLimitTest, theVenuesOrderCountStopsPlacementsBeforeTheVenueRefusesThem) {
    connect();
    const auto day = [&] { return client->time().timestamp_ms() / 86'400'000; };
    const auto before = day();
    for (int i = 0; i < 3; ++i) {
        auto in = intent("ws-count-" + std::to_string(i));
        auto r = call<execution_report>([&](auto done) { entry->place(in, std::move(done)); });
        ASSERT_TRUE(r) << r.error().message();
        ASSERT_EQ(r->status, st::new_);
    }
    if (day() != before)
        GTEST_SKIP() << "the venue's day rolled during the test: its order count restarted";
    // The answers said ORDERS 3 of 3 per day: the fourth is refused here, unsent.
    expect_refused_unsent("ws-count-3", make_error_code(rest::http_errc::throttled));
    const auto s = entry->stats();
    EXPECT_EQ(s.placements, 3u);
    EXPECT_EQ(s.throttled, 1u);
    EXPECT_EQ(s.rate_limited, 0u); // the venue never had to say 429
    // Cancels do not count as orders.
    cancel_intent c;
    c.venue = sim_venue;
    c.sym = btc;
    c.orig_client_id = client_order_id::truncating("ws-count-0");
    auto cancelled = call<execution_report>([&](auto done) { entry->cancel(c, std::move(done)); });
    ASSERT_TRUE(cancelled) << cancelled.error().message();
    EXPECT_EQ(cancelled->status, st::canceled);
}

TEST_F(WsOrderEntryOrderLimitTest, restAndWebSocketPlacementsShareTheVenuesOrderCount) {
    connect();
    const auto day = [&] { return client->time().timestamp_ms() / 86'400'000; };
    const auto before = day();
    // One placement by REST (the venue's count in X-MBX-ORDER-COUNT-1D), two by frame (the
    // answers' rateLimits: 3 of 3 per day, into the same limiter).
    auto first = call<execution_report>([&](auto done) { rest_venue->place(intent("rest-count-0"), std::move(done)); });
    ASSERT_TRUE(first) << first.error().message();
    ASSERT_EQ(first->status, st::new_);
    for (int i = 1; i < 3; ++i) {
        auto r = call<execution_report>(
            [&](auto done) { entry->place(intent("ws-count-" + std::to_string(i)), std::move(done)); });
        ASSERT_TRUE(r) << r.error().message();
        ASSERT_EQ(r->status, st::new_);
    }
    if (day() != before)
        GTEST_SKIP() << "the venue's day rolled during the test: its order count restarted";
    EXPECT_EQ(client->orders().used_1d(), 3);
    EXPECT_EQ(client->orders().limit_1d(), 3);
    // The fourth, by REST: refused before it is sent, and no fault of the endpoint.
    auto in = intent("rest-count-3");
    auto fourth = call<execution_report>([&](auto done) { rest_venue->place(in, std::move(done)); });
    ASSERT_FALSE(fourth);
    EXPECT_EQ(fourth.error(), rest::http_errc::throttled) << fourth.error().message();
    EXPECT_EQ(classify_placement_error(fourth.error()), placement_failure::not_sent);
    EXPECT_TRUE(sim_orders(in.client_id).empty());
    EXPECT_EQ(client->orders().refused(), 1u);
    EXPECT_EQ(exec->endpoints()[0].breaker->stats().failures, 0u);
    EXPECT_EQ(exec->endpoints()[0].breaker->state(), resilience::breaker_state::closed);
}

TEST_F(WsOrderEntryTest, aClockRejectionResyncsOverTheConnectionAndOrdersGoOn) {
    connect();
    const auto offset_before = client->time().offset();
    // The venue's clock jumps 10 s back: our timestamps are now 10 s ahead of it.
    sim::fault_config faults;
    faults.clock_skew = std::chrono::milliseconds{-10'000};
    srv->set_faults(faults);
    auto in = intent("ws-skewed-1");
    auto r = call<execution_report>([&](auto done) { entry->place(in, std::move(done)); });
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->status, st::rejected);
    EXPECT_EQ(r->reject_reason.rfind("-1021 ", 0), 0u) << r->reject_reason;
    EXPECT_TRUE(sim_orders(in.client_id).empty());
    EXPECT_EQ(entry->stats().clock_rejects, 1u);
    // Order entry measures the venue's clock again over its own connection.
    ASSERT_TRUE(wait_for([&] { return time_samples >= 1; })) << "no server-time sample after the -1021";
    EXPECT_TRUE(client->time().synced());
    const auto moved = std::chrono::duration_cast<std::chrono::milliseconds>(client->time().offset() - offset_before);
    EXPECT_NEAR(static_cast<double>(moved.count()), -10'000.0, 500.0);
    auto next = intent("ws-skewed-2");
    auto again = call<execution_report>([&](auto done) { entry->place(next, std::move(done)); });
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ(again->status, st::new_);
    EXPECT_EQ(sim_orders(next.client_id).size(), 1u);
}

TEST_F(WsOrderEntryTest, lostAnswersOpenTheBreakerWhichRefusesUnsentUntilItsTrialSucceeds) {
    manual_clock breaker_clock;
    resilience::breaker_options bo;
    bo.failure_threshold = 2;
    bo.recovery_timeout = 1s;
    auto breaker = std::make_shared<resilience::circuit_breaker>(breaker_clock, bo, "orders");
    auto wo = options();
    wo.breaker = breaker;
    // Long enough for the trial's answer on a loaded machine; the stalled two wait it out.
    connect(std::move(wo), 1s);
    // The venue takes two placements and answers neither.
    set_fault(sim::fault_kind::stall, 0, 1s, "wsapi", "order.place", 2);
    for (int i = 0; i < 2; ++i) {
        auto r = call<execution_report>(
            [&](auto done) { entry->place(intent("ws-stalled-" + std::to_string(i)), std::move(done)); });
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error(), rest::http_errc::outcome_unknown);
    }
    EXPECT_EQ(breaker->state(), resilience::breaker_state::open);
    // Open: refused at once, nothing written.
    expect_refused_unsent("ws-breaker-open", make_error_code(resilience::errc::rejected));
    EXPECT_EQ(entry->stats().placements, 2u);
    EXPECT_EQ(entry->stats().breaker_open, 1u);
    // After the recovery time, one trial; the venue answers it and the breaker closes.
    breaker_clock.advance(1s);
    auto trial = call<execution_report>([&](auto done) { entry->place(intent("ws-trial"), std::move(done)); });
    ASSERT_TRUE(trial) << trial.error().message();
    EXPECT_EQ(trial->status, st::new_);
    EXPECT_EQ(breaker->state(), resilience::breaker_state::closed);
}

class WsOrderEntryRotationTest : public WsOrderEntryTest {
protected:
    void SetUp() override {
        // The sim closes WebSocket connections after 4 s: its stand-in for Binance's 24 h.
        sim_ws_lifetime = 4s;
        WsOrderEntryTest::SetUp();
    }
};

// The sim closes WebSocket connections after 3 s.
class WsOrderEntryShortLifetimeTest : public WsOrderEntryTest {
protected:
    void SetUp() override {
        sim_ws_lifetime = 3s;
        WsOrderEntryTest::SetUp();
    }
};

TEST_F(WsOrderEntryRotationTest, aRotationMovesOrdersToAFreshConnectionAndLosesNoAnswer) {
    auto wo = options();
    wo.rotate_after = 700ms;
    wo.cancel_timeout = 2s;
    // The old connection is read for 2 s after each switch: closed by us at ~2.7 s of its life,
    // before the sim's 4 s.
    connect(std::move(wo), 2s);
    unsigned losses_before = 0; // the first connection's "connecting" counts as not open
    {
        std::lock_guard lk(written_mutex);
        losses_before = losses;
    }
    // Every placement is answered 300 ms late, so one is nearly always in flight when the
    // connection is replaced: its answer then comes on the old connection.
    sim::fault_config faults;
    faults.rules = {late_placements(300ms)};
    srv->set_faults(faults);

    std::vector<client_order_id> placed;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while ((entry->stats().rotations < 2 || entry->stats().retired_answers < 1) &&
           std::chrono::steady_clock::now() < deadline) {
        auto in = intent("ws-rot-" + std::to_string(placed.size()));
        placed.push_back(in.client_id);
        auto r = call<execution_report>([&](auto done) { entry->place(in, std::move(done)); });
        ASSERT_TRUE(r) << "placement " << placed.size() << ": " << r.error().message();
        EXPECT_EQ(r->status, st::new_);
    }
    const auto s = entry->stats();
    ASSERT_GE(s.rotations, 2u) << "no rotation within 20 s";
    ASSERT_GE(s.retired_answers, 1u) << "no answer came on a replaced connection";
    RecordProperty("placements", static_cast<int>(placed.size()));
    RecordProperty("retired_answers", static_cast<int>(s.retired_answers));
    // Each placement written once and answered; none lost, timed out or refused unsent.
    EXPECT_EQ(s.placements, placed.size());
    EXPECT_EQ(s.unknown, 0u);
    EXPECT_EQ(s.timeouts, 0u);
    EXPECT_EQ(s.not_sent, 0u);
    EXPECT_EQ(s.late_answers, 0u);
    EXPECT_EQ(s.pending, 0u);
    for (const auto& id : placed)
        EXPECT_EQ(sim_orders(id).size(), 1u) << id.view();
    {
        std::lock_guard lk(written_mutex);
        EXPECT_EQ(losses, losses_before) << "order entry saw its connection lost";
        EXPECT_GE(opens, 3u); // the first connection and one per rotation
    }
    // We replaced every connection before the venue closed one.
    EXPECT_NE(srv->stats_json().find("\"lifetime_closes\":0"), std::string::npos);
}

// The venue closes a replaced connection while it still owes the answer to a placement written on
// it: the placement is settled as unknown then (to be looked up by its client order id), not at
// its timeout 30 s later.
TEST_F(WsOrderEntryShortLifetimeTest, aReplacedConnectionClosedByTheVenueSettlesItsPlacementAtOnce) {
    auto wo = options();
    wo.rotate_after = 300ms;
    // The sim places the order and never answers; the old connection would be read for 30 s.
    connect(std::move(wo), 30s);
    unsigned losses_before = 0; // the first connection's "connecting" counts as not open
    {
        std::lock_guard lk(written_mutex);
        losses_before = losses;
    }
    set_fault(sim::fault_kind::lost_ack, 0, 1s, "wsapi", "order.place", 1);
    auto in = intent("ws-linger-lost");
    auto placed = std::make_shared<std::promise<result<execution_report>>>();
    auto placed_answer = placed->get_future();
    const auto t0 = std::chrono::steady_clock::now();
    entry->place(in, [placed](result<execution_report> r) { placed->set_value(std::move(r)); });
    // Rotated at ~0.3 s (each rotation has 2.7 s to connect before the sim closes the connection it
    // replaces); the sim closes the one the placement was written on 3 s into its life.
    ASSERT_EQ(placed_answer.wait_for(10s), std::future_status::ready) << "still waiting for the 30 s timeout";
    const auto took = std::chrono::steady_clock::now() - t0;
    auto r = placed_answer.get();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), rest::http_errc::outcome_unknown) << r.error().message();
    const auto s = entry->stats();
    EXPECT_GE(s.rotations, 1u) << "settled before any rotation: this shows nothing";
    EXPECT_EQ(s.unknown, 1u);
    EXPECT_EQ(s.timeouts, 0u);
    EXPECT_EQ(s.pending, 0u);
    EXPECT_EQ(sim_orders(in.client_id).size(), 1u) << "the sim placed it: it must be looked up, not resent";
    RecordProperty("settled_after_ms",
                   static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
    {
        std::lock_guard lk(written_mutex);
        EXPECT_EQ(losses, losses_before) << "order entry saw its active connection lost";
    }
}

// The connection a rotation opened is lost while the one it replaced still owes an answer: only
// what was written on the lost connection is settled as lost (here a cancel). The placement
// written on the old connection is answered there, NEW, and never made unknown.
// (The sim's connection lifetime is Binance's 24 h here: only our rotations replace connections.)
TEST_F(WsOrderEntryTest, losingTheFreshConnectionOfARotationLeavesTheOldOnesPlacementToItsAnswer) {
    auto wo = options();
    wo.rotate_after = 300ms;
    wo.cancel_timeout = 5s;
    connect(std::move(wo), 8s); // the old connection is read for 8 s after a switch
    // Placements are answered 3 s late; a cancel cuts the connection it arrives on.
    sim::fault_rule cut;
    cut.kind = sim::fault_kind::reset;
    cut.listener = "wsapi";
    cut.target = "order.cancel";
    cut.max_count = 1;
    sim::fault_config faults;
    faults.rules = {late_placements(3s), cut};
    srv->set_faults(faults);

    auto in = intent("ws-rot-old");
    auto placed = std::make_shared<std::promise<result<execution_report>>>();
    auto placed_answer = placed->get_future();
    entry->place(in, [placed](result<execution_report> r) { placed->set_value(std::move(r)); });
    // Written on the first connection; then a rotation, and the cancel goes to the fresh one.
    ASSERT_TRUE(wait_for([&] { return opens >= 2; })) << "no rotation";
    unsigned losses_before = 0;
    {
        std::lock_guard lk(written_mutex);
        losses_before = losses;
    }
    ASSERT_EQ(placed_answer.wait_for(0s), std::future_status::timeout) << "answered before the rotation";
    cancel_intent c;
    c.venue = sim_venue;
    c.sym = btc;
    c.orig_client_id = in.client_id;
    auto cancelled = call<execution_report>([&](auto done) { entry->cancel(c, std::move(done)); });
    ASSERT_FALSE(cancelled);
    EXPECT_EQ(cancelled.error(), rest::http_errc::timed_out) << cancelled.error().message();
    {
        std::lock_guard lk(written_mutex);
        EXPECT_GT(losses, losses_before) << "the fresh connection was not lost";
    }
    // The loss came while the placement was still in flight (else this shows nothing).
    ASSERT_EQ(placed_answer.wait_for(0s), std::future_status::timeout) << "answered before the loss";
    // The placement's answer comes on the old connection.
    ASSERT_EQ(placed_answer.wait_for(10s), std::future_status::ready);
    auto r = placed_answer.get();
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->status, st::new_);
    const auto s = entry->stats();
    EXPECT_EQ(s.unknown, 0u);
    EXPECT_EQ(s.late_answers, 0u);
    EXPECT_GE(s.retired_answers, 1u);
    EXPECT_EQ(sim_orders(in.client_id).size(), 1u);
}

} // namespace
} // namespace genesis::gateway
