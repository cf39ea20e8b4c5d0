// The OMS against genesis-sim in-process, through the gateway's Binance venue (http_client behind
// the resilience executor, Binance encoders and decoders, HMAC signing with the sim's test account), with a lost answer
// on POST /api/v3/order: the order must end up known exactly once.
#include "genesis/gateway/oms/oms.hpp"

#include "sim_rest_fixture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <future>
#include <thread>

namespace genesis::gateway {
namespace {

namespace net = boost::asio;
namespace sim = genesis::sim::server;
using namespace test;
using st = order_status;

class OmsSimIntegrationTest : public ::testing::Test, protected sim_rest_fixture {
protected:
    temp_dir dir;
    manual_clock clk;
    task_queue queue;
    std::unique_ptr<db::database> db;
    std::unique_ptr<oms> o;

    void SetUp() override {
        auto cfg = sim::default_server_config(1);
        cfg.agents_enabled = false;
        ASSERT_NO_FATAL_FAILURE(start_sim_and_venue(cfg));

        db::db_config dc;
        dc.primary = dir / "primary.db";
        dc.clock = &clk;
        auto d = db::database::open(dc);
        ASSERT_TRUE(d) << d.error().message();
        db = std::move(*d);

        oms_config oc;
        oc.venue = sim_venue;
        oc.ids.instance = "itest";
        oc.symbols = {{btc, asset::truncating("BTC"), asset::truncating("USDT")}};
        oms_deps deps;
        deps.clk = &clk;
        deps.db = db.get();
        deps.venue = rest_venue.get();
        deps.post = queue.poster();
        o = std::make_unique<oms>(oc, std::move(deps));
    }

    void TearDown() override {
        o.reset();
        queue.run_pending();
        stop_loop();
        stop_venue_and_sim();
    }
};

// The venue's rate limits seen through the production venue (binance_venue over http_client and
// the executor), against the sim's injected 429s and slow answers.
class BinanceVenueLimitsTest : public ::testing::Test, protected sim_rest_fixture {
protected:
    void start(runtime::binance_venue_options vo, std::chrono::milliseconds request_timeout) {
        auto cfg = sim::default_server_config(1);
        cfg.agents_enabled = false;
        ASSERT_NO_FATAL_FAILURE(start_sim_and_venue(cfg, vo, request_timeout));
    }

    void TearDown() override {
        stop_loop();
        stop_venue_and_sim();
    }

    void set_rule(sim::fault_rule rule) {
        rule.listener = "rest0";
        rule.target = "/api/v3/order";
        sim::fault_config faults;
        faults.rules = {rule};
        srv->set_faults(faults);
    }

    // The venue's answer to one call, waited for (bounded) on the test thread.
    template <class T, class F>
    std::optional<result<T>> answer(F start, std::chrono::seconds within = std::chrono::seconds{30}) {
        auto p = std::make_shared<std::promise<result<T>>>();
        auto f = p->get_future();
        start([p](result<T> r) { p->set_value(std::move(r)); });
        if (f.wait_for(within) != std::future_status::ready)
            return std::nullopt;
        return f.get();
    }

    order_intent intent(std::string_view id) {
        auto in = limit_intent(side::buy, "0.001", "50000");
        in.venue = sim_venue;
        in.client_id = client_order_id::truncating(id);
        return in;
    }

    std::uint64_t breaker_failures() { return exec->stats().failures + exec->stats().timeouts; }
};

// After a 429 (Retry-After 5 s) on a placement: the next placement is refused at once, never held
// and sent late at a stale price; a query waits the pause out before its attempt, so its timeout
// (1.5 s here) does not run out and no breaker counts a failure; once the pause is over a
// placement goes out.
TEST_F(BinanceVenueLimitsTest, aPauseRefusesPlacementsAndQueriesWaitItOutWithoutBreakerFailures) {
    runtime::binance_venue_options vo;
    vo.query_timeout = std::chrono::milliseconds{1500};
    ASSERT_NO_FATAL_FAILURE(start(vo, std::chrono::seconds{2}));
    sim::fault_rule limited;
    limited.kind = sim::fault_kind::http_error;
    limited.method = "POST";
    limited.status = 429;
    limited.retry_after = std::chrono::seconds{5};
    limited.max_count = 1;
    set_rule(limited);

    using report = execution_report;
    auto first = answer<report>([&](auto done) { rest_venue->place(intent("lim-1"), std::move(done)); });
    ASSERT_TRUE(first);
    ASSERT_FALSE(*first);
    EXPECT_EQ(first->error(), rest::http_errc::rate_limited);
    ASSERT_TRUE(client->limits().paused());
    auto second = answer<report>([&](auto done) { rest_venue->place(intent("lim-2"), std::move(done)); });
    ASSERT_TRUE(second);
    ASSERT_FALSE(*second);
    EXPECT_EQ(second->error(), rest::http_errc::paused);
    EXPECT_TRUE(client->limits().paused()) << "the refusal came only after the pause";
    EXPECT_EQ(classify_placement_error(second->error()), placement_failure::not_sent);

    const auto failures = breaker_failures();
    auto looked_up = answer<std::optional<report>>(
        [&](auto done) { rest_venue->query(btc, client_order_id::truncating("lim-2"), std::move(done)); });
    ASSERT_TRUE(looked_up);
    ASSERT_TRUE(*looked_up) << looked_up->error().message();
    EXPECT_FALSE(looked_up->value().has_value()); // never placed: the venue does not know it
    EXPECT_FALSE(client->limits().paused());
    EXPECT_EQ(breaker_failures(), failures);

    auto third = answer<report>([&](auto done) { rest_venue->place(intent("lim-3"), std::move(done)); });
    ASSERT_TRUE(third);
    ASSERT_TRUE(*third) << third->error().message();
    EXPECT_EQ(third->value().status, st::new_);
    EXPECT_TRUE(sim_orders(client_order_id::truncating("lim-1")).empty());
    EXPECT_TRUE(sim_orders(client_order_id::truncating("lim-2")).empty());
    EXPECT_EQ(sim_orders(client_order_id::truncating("lim-3")).size(), 1u);
}

// A placement's timeout is order_timeout_ms (place_timeout), not the client's request timeout: an
// answer 2 s late is awaited with a 1 s request timeout and a 10 s placement timeout.
TEST_F(BinanceVenueLimitsTest, aPlacementWaitsForItsAnswerAsLongAsThePlacementTimeout) {
    runtime::binance_venue_options vo;
    vo.place_timeout = std::chrono::seconds{10};
    ASSERT_NO_FATAL_FAILURE(start(vo, std::chrono::seconds{1}));
    sim::fault_rule slow;
    slow.kind = sim::fault_kind::latency;
    slow.method = "POST";
    slow.latency_min = slow.latency_max = std::chrono::milliseconds{2000};
    slow.max_count = 1;
    set_rule(slow);
    auto placed = answer<execution_report>([&](auto done) { rest_venue->place(intent("slow-1"), std::move(done)); });
    ASSERT_TRUE(placed);
    ASSERT_TRUE(*placed) << placed->error().message();
    EXPECT_EQ(placed->value().status, st::new_);
    EXPECT_EQ(sim_orders(client_order_id::truncating("slow-1")).size(), 1u);
}

TEST_F(OmsSimIntegrationTest, placeLostAckIsLookedUpAndKnownExactlyOnce) {
    std::optional<result<void>> started;
    o->start([&](result<void> r) { started = r; });
    ASSERT_TRUE(queue.run_until([&] { return started.has_value(); }));
    ASSERT_TRUE(*started) << o->health().reason;
    ASSERT_TRUE(o->health().accepting());

    // The sim places the order, then answers 503: the answer is lost.
    sim::fault_rule lost;
    lost.kind = sim::fault_kind::lost_ack;
    lost.target = "/api/v3/order";
    lost.method = "POST";
    lost.status = 503;
    lost.max_count = 1;
    sim::fault_config faults;
    faults.rules = {lost};
    srv->set_faults(faults);

    auto intent = limit_intent(side::buy, "0.001", "50000");
    intent.venue = sim_venue;
    auto id = o->submit(intent);
    ASSERT_TRUE(id) << id.error().message();
    ASSERT_TRUE(queue.run_until([&] { return o->find(*id)->status != st::pending_new; }));
    // Resolved by a lookup: found on the venue, working, never sent twice.
    ASSERT_TRUE(queue.run_until([&] { return o->find(*id)->status == st::new_; })) << to_string(o->find(*id)->status);
    EXPECT_EQ(o->stats().unknown_outcomes, 1u);
    EXPECT_EQ(o->stats().resolved_found, 1u);
    EXPECT_EQ(rest_venue->stats().placements, 1u);
    auto truth = sim_orders(*id);
    ASSERT_EQ(truth.size(), 1u);
    EXPECT_EQ(o->find(*id)->order_id, truth[0].order_id);

    // It is an ordinary working order now: cancel it through the OMS.
    ASSERT_TRUE(o->cancel(*id));
    ASSERT_TRUE(queue.run_until([&] { return o->find(*id)->status == st::canceled; }));
    truth = sim_orders(*id);
    ASSERT_EQ(truth.size(), 1u);
    EXPECT_EQ(truth[0].status, st::canceled);
    EXPECT_EQ(o->stats().invalid_transitions, 0u);
}

TEST_F(OmsSimIntegrationTest, startAdoptsOurOpenOrderWhoseIntentWasNeverJournaled) {
    // A previous run of this instance placed an order and died before journaling it.
    const auto id = client_order_id::truncating("gn-itest-77");
    srv->with_exchange([&](genesis::sim::exchange& ex) {
        auto acc = ex.find_account("sim-test-api-key");
        ASSERT_TRUE(acc);
        genesis::sim::new_order_request req;
        req.sym = btc;
        req.client_id = id;
        req.order_side = side::buy;
        req.type = order_type::limit;
        req.tif = time_in_force::gtc;
        req.price = dec("40000");
        req.quantity = dec("0.001");
        ASSERT_TRUE(ex.new_order(*acc, req));
    });
    std::optional<result<void>> started;
    o->start([&](result<void> r) { started = r; });
    ASSERT_TRUE(queue.run_until([&] { return started.has_value(); }));
    ASSERT_TRUE(*started) << o->health().reason;
    const auto* adopted = o->find(id);
    ASSERT_NE(adopted, nullptr);
    EXPECT_TRUE(adopted->adopted);
    EXPECT_EQ(adopted->status, st::new_);
    EXPECT_EQ(o->stats().recon[static_cast<std::size_t>(recon_kind::adopted_order)], 1u);
    // The venue's balances were taken.
    EXPECT_TRUE(o->book().balance_of(asset::truncating("USDT")).has_value());
}

} // namespace
} // namespace genesis::gateway
