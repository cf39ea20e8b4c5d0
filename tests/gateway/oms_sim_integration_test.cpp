// The OMS against genesis-sim in-process, through the gateway's Binance venue (http_client behind
// the resilience executor, Binance encoders and decoders, HMAC signing with the sim's test account), with a lost answer
// on POST /api/v3/order: the order must end up known exactly once.
#include "genesis/gateway/oms/oms.hpp"

#include "oms_test_support.hpp"

#include "genesis/gateway/runtime/binance_venue.hpp"
#include "genesis/resilience/executor.hpp"
#include "genesis/resilience/predictor.hpp"
#include "genesis/resilience/timer.hpp"
#include "genesis/rest/http_client.hpp"
#include "genesis/sim/server/sim_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <thread>

namespace genesis::gateway {
namespace {

namespace net = boost::asio;
namespace sim = genesis::sim::server;
using namespace test;
using st = order_status;

class OmsSimIntegrationTest : public ::testing::Test {
protected:
    temp_dir dir;
    manual_clock clk;
    task_queue queue;
    std::unique_ptr<sim::sim_server> srv;
    net::io_context ioc;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
    std::thread io_thread;
    resilience::steady_timer_service timers;
    std::optional<rest::http_client> client;
    resilience::predictor pred;
    std::unique_ptr<resilience::executor> exec;
    std::unique_ptr<runtime::binance_venue> venue;
    std::unique_ptr<db::database> db;
    std::unique_ptr<oms> o;
    const venue_id sim_venue = venue_id::truncating("sim");

    void SetUp() override {
        auto cfg = sim::default_server_config(1);
        cfg.agents_enabled = false;
        srv = std::make_unique<sim::sim_server>(cfg);
        auto started = srv->start();
        ASSERT_FALSE(started.has_error()) << started.error().message();

        rest::http_client_options opt;
        opt.venue = "sim";
        opt.base_urls = srv->urls().rest;
        opt.tls.ca_file = srv->ca_file();
        opt.request_timeout = std::chrono::seconds{5};
        auto c = rest::http_client::create(ioc.get_executor(), real_clock::instance(), timers, opt);
        ASSERT_TRUE(c) << c.error().message();
        client.emplace(std::move(*c));
        auto s = rest::signer::hmac_sha256(rest::secret("sim-test-secret-key"));
        ASSERT_TRUE(s);
        client->set_credentials("sim-test-api-key", std::move(*s));
        work.emplace(ioc.get_executor());
        io_thread = std::thread([this] { ioc.run(); });
        // The production venue: REST through the executor, one breaker per endpoint.
        std::vector<resilience::endpoint> eps{
            {"rest0", std::make_shared<resilience::circuit_breaker>(real_clock::instance())}};
        exec = std::make_unique<resilience::executor>(real_clock::instance(), timers, pred, std::move(eps));
        runtime::binance_venue_options vo;
        vo.venue = sim_venue;
        venue = std::make_unique<runtime::binance_venue>(ioc, *client, *exec, vo);

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
        deps.venue = venue.get();
        deps.post = queue.poster();
        o = std::make_unique<oms>(oc, std::move(deps));
    }

    void TearDown() override {
        o.reset();
        queue.run_pending();
        work.reset();
        ioc.stop();
        if (io_thread.joinable())
            io_thread.join();
        client.reset();
        if (srv)
            srv->stop();
    }

    std::vector<genesis::sim::order_record> sim_orders(const client_order_id& id) {
        std::vector<genesis::sim::order_record> out;
        srv->with_exchange([&](genesis::sim::exchange& ex) {
            const auto acc = ex.find_account("sim-test-api-key");
            if (!acc)
                return;
            for (const auto& r : ex.order_records(*acc))
                if (r.client_id == id)
                    out.push_back(r);
        });
        return out;
    }
};

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
    EXPECT_EQ(venue->stats().placements, 1u);
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
