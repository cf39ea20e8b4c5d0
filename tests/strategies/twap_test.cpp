// The TWAP plug-in (build/<dir>/strategies/genesis_twap.so) through the real ABI, on a manual clock.
#include "genesis/gateway/plugins/host.hpp"

#include "strategies_test_support.hpp"

#include <map>

namespace genesis::test {
namespace {

class TwapTest : public plugins_fixture {
protected:
    plugins::strategy_spec spec(std::string type) {
        return {"twap",
                GENESIS_TWAP_SO,
                {{"symbol", "BTCUSDT"},
                 {"side", "buy"},
                 {"total_qty", "1"},
                 {"duration_ms", "3000"},
                 {"slices", "3"},
                 {"order_type", std::move(type)},
                 {"price_offset", "0.01"},
                 {"step_size", "0.001"}},
                500ms};
    }
    void tick() {
        svc.clk.advance(500ms);
        host.on_timer(svc.clk.now());
    }
    void fill(const client_order_id& id, decimal qty, bool complete) {
        auto& cum = filled_[id];
        cum = *cum.add(qty);
        host.on_execution(report(id, side::buy, complete ? order_status::filled : order_status::partially_filled,
                                 execution_type::trade, qty, d("100"), cum));
    }
    std::map<client_order_id, decimal> filled_; // per child, as the venue's cumulative quantity
    void canceled(const client_order_id& id) {
        host.on_execution(report(id, side::buy, order_status::canceled, execution_type::canceled));
    }
    decimal placed_total() const {
        decimal sum;
        for (const auto& p : svc.placed_orders)
            sum = *sum.add(*p.intent.quantity);
        return sum;
    }
};

TEST_F(TwapTest, marketSlicesOverTimeAndFinishExactlyTotalQty) {
    ASSERT_TRUE(host.load(spec("market"))) << host.last_error();
    host.start_all();
    // Slice k is due at start + k s (times below are since start); the timer fires every 500 ms.
    std::vector<std::size_t> orders_after_tick;
    for (int i = 0; i < 10; ++i) {
        const auto before = svc.placed_orders.size();
        tick();
        if (svc.placed_orders.size() > before) {
            const auto& p = svc.placed_orders.back();
            EXPECT_EQ(p.intent.type, order_type::market);
            EXPECT_FALSE(p.intent.price.has_value());
            fill(p.id, *p.intent.quantity, true);
        }
        orders_after_tick.push_back(svc.placed_orders.size());
    }
    // Children at +0.5 s (slice 0), +1 s (slice 1), +2 s (slice 2), then nothing.
    EXPECT_EQ(orders_after_tick, (std::vector<std::size_t>{1, 2, 2, 3, 3, 3, 3, 3, 3, 3}));
    ASSERT_EQ(svc.placed_orders.size(), 3u);
    EXPECT_EQ(*svc.placed_orders[0].intent.quantity, d("0.333"));
    EXPECT_EQ(*svc.placed_orders[1].intent.quantity, d("0.333"));
    EXPECT_EQ(*svc.placed_orders[2].intent.quantity, d("0.334"));
    EXPECT_EQ(placed_total(), d("1"));
    EXPECT_NE(blob_of("twap").find("done=1\n"), std::string::npos);
}

TEST_F(TwapTest, limitChildCarriesUnfilledRemainderAndFinishesExactly) {
    ASSERT_TRUE(host.load(spec("limit"))) << host.last_error();
    host.start_all();
    book("100.00", "100.02");
    tick(); // +0.5 s: slice 0
    ASSERT_EQ(svc.placed_orders.size(), 1u);
    const auto c0 = svc.placed_orders[0];
    EXPECT_EQ(c0.intent.type, order_type::limit);
    EXPECT_EQ(*c0.intent.price, d("100.01")); // best bid + offset
    EXPECT_EQ(*c0.intent.quantity, d("0.333"));
    fill(c0.id, d("0.1"), false);
    tick(); // +1 s: slice 1: child 0 canceled, its 0.233 may still fill, so only 0.333 more
    ASSERT_EQ(svc.cancels.size(), 1u);
    EXPECT_EQ(svc.cancels[0], c0.id);
    ASSERT_EQ(svc.placed_orders.size(), 2u);
    const auto c1 = svc.placed_orders[1];
    EXPECT_EQ(*c1.intent.quantity, d("0.333"));
    canceled(c0.id); // the 0.233 rest is now carried
    tick();          // +1.5 s: nothing due
    EXPECT_EQ(svc.placed_orders.size(), 2u);
    tick(); // +2 s: slice 2: child 1 canceled (unfilled), the new child takes 1 - 0.1 - 0.333 = 0.567
    ASSERT_EQ(svc.cancels.size(), 2u);
    ASSERT_EQ(svc.placed_orders.size(), 3u);
    const auto c2 = svc.placed_orders[2];
    EXPECT_EQ(*c2.intent.quantity, d("0.567"));
    canceled(c1.id);
    fill(c2.id, d("0.567"), true);
    tick(); // +2.5 s: all slices sent, 0.333 short: the remainder goes out
    ASSERT_EQ(svc.placed_orders.size(), 4u);
    const auto c3 = svc.placed_orders[3];
    EXPECT_EQ(*c3.intent.quantity, d("0.333"));
    fill(c3.id, d("0.333"), true);
    for (int i = 0; i < 4; ++i)
        tick();
    EXPECT_EQ(svc.placed_orders.size(), 4u); // done: nothing more
    const std::string blob = blob_of("twap");
    EXPECT_NE(blob.find("filled=100000000\n"), std::string::npos) << blob;
    EXPECT_NE(blob.find("done=1\n"), std::string::npos) << blob;
}

TEST_F(TwapTest, reloadResumesProgressFromStateBlob) {
    ASSERT_TRUE(host.load(spec("market"))) << host.last_error();
    host.start_all();
    tick(); // slice 0
    ASSERT_EQ(svc.placed_orders.size(), 1u);
    fill(svc.placed_orders[0].id, d("0.333"), true);
    ASSERT_TRUE(host.reload("twap")) << host.last_error();
    EXPECT_EQ(svc.cancel_alls, (std::vector<std::uint32_t>{*host.id_of("twap")}));
    // The reloaded instance keeps the schedule and the 0.333 already filled.
    for (int i = 0; i < 6; ++i) {
        const auto n = svc.placed_orders.size();
        tick();
        if (svc.placed_orders.size() > n)
            fill(svc.placed_orders.back().id, *svc.placed_orders.back().intent.quantity, true);
    }
    ASSERT_EQ(svc.placed_orders.size(), 3u);
    EXPECT_EQ(placed_total(), d("1"));
    EXPECT_NE(blob_of("twap").find("children_sent=3\n"), std::string::npos);
}

// The state blob goes to a gateway whose monotonic clock has another origin: earlier than the
// saved run's start (a reboot) or an hour later (a long outage). Either way the schedule resumes
// from the new now at the elapsed time saved (+0.5 s, slice 0 sent): slice 1 half a second after
// the restart, slice 2 a second later; no stall and no remainder sent at once.
TEST_F(TwapTest, restoreOnClockWithAnotherOriginResumesTheScheduleFromNow) {
    ASSERT_TRUE(host.load(spec("market"))) << host.last_error();
    host.start_all();
    tick(); // +0.5 s: slice 0
    ASSERT_EQ(svc.placed_orders.size(), 1u);
    fill(svc.placed_orders[0].id, d("0.333"), true);
    const std::string blob = blob_of("twap");
    EXPECT_NE(blob.find("elapsed_ns=500000000\n"), std::string::npos) << blob;
    for (const time_point origin : {time_point{1'000}, time_point{svc.clk.now().ns + 3'600'000'000'000}}) {
        recording_services svc2;
        svc2.clk.set(origin);
        plugins::host host2{svc2, logger};
        ASSERT_TRUE(host2.load(spec("market"), blob)) << host2.last_error();
        host2.start_all();
        std::vector<std::size_t> orders_after_tick;
        for (int i = 0; i < 6; ++i) {
            const auto before = svc2.placed_orders.size();
            svc2.clk.advance(500ms);
            host2.on_timer(svc2.clk.now());
            if (svc2.placed_orders.size() > before) {
                const auto& p = svc2.placed_orders.back();
                host2.on_execution(
                    report(p.id, side::buy, order_status::filled, execution_type::trade, *p.intent.quantity, d("100")));
            }
            orders_after_tick.push_back(svc2.placed_orders.size());
        }
        EXPECT_EQ(orders_after_tick, (std::vector<std::size_t>{1, 1, 2, 2, 2, 2})) << origin.ns;
        ASSERT_EQ(svc2.placed_orders.size(), 2u);
        EXPECT_EQ(*svc2.placed_orders[0].intent.quantity, d("0.333"));
        EXPECT_EQ(*svc2.placed_orders[1].intent.quantity, d("0.334"));
    }
}

} // namespace
} // namespace genesis::test
