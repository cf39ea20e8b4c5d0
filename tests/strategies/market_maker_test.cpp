// The market-maker plug-in (build/<dir>/strategies/genesis_market_maker.so) through the real ABI.
#include "genesis/gateway/plugins/host.hpp"

#include "strategies_test_support.hpp"

#include <algorithm>

namespace genesis::test {
namespace {

class MarketMakerTest : public plugins_fixture {
protected:
    plugins::strategy_spec spec(std::string skew = "0", std::string max_inventory = "5") {
        return {"mm",
                GENESIS_MM_SO,
                {{"symbol", "BTCUSDT"},
                 {"quote_qty", "1"},
                 {"spread_bps", "50"},
                 {"skew_bps", std::move(skew)},
                 {"max_inventory", std::move(max_inventory)},
                 {"requote_bps", "5"},
                 {"stale_ms", "1000"},
                 {"tick_size", "0.01"},
                 {"step_size", "0.001"}},
                100ms};
    }
    void start(plugins::strategy_spec s) {
        ASSERT_TRUE(host.load(s)) << host.last_error();
        host.start_all();
    }
    // Fills the open order of that side completely.
    void fill(side sd) {
        for (const auto& p : svc.placed_orders)
            if (p.intent.order_side == sd) {
                last_filled_ = p.id;
            }
        host.on_execution(report(last_filled_, sd, order_status::filled, execution_type::trade, d("1"), d("100")));
    }
    client_order_id last_filled_;
};

TEST_F(MarketMakerTest, quotesTwoSidesAroundMidRoundedToTick) {
    start(spec());
    book("100.00", "100.02");
    // mid 100.01, half spread 100.01 * 50 / 2 / 10^4 = 0.250025: bid 99.759975 -> 99.75, ask 100.260025 -> 100.27.
    ASSERT_EQ(svc.placed_orders.size(), 2u);
    const auto& bid = svc.placed_orders[0].intent;
    const auto& ask = svc.placed_orders[1].intent;
    EXPECT_EQ(bid.order_side, side::buy);
    EXPECT_EQ(bid.type, order_type::limit_maker);
    EXPECT_EQ(*bid.price, d("99.75"));
    EXPECT_EQ(*bid.quantity, d("1"));
    EXPECT_EQ(ask.order_side, side::sell);
    EXPECT_EQ(*ask.price, d("100.27"));
    EXPECT_EQ(bid.sym, btc);
    EXPECT_EQ(svc.placed_orders[0].strategy_id, *host.id_of("mm"));
    // The same book again: nothing moves.
    book("100.00", "100.02");
    EXPECT_EQ(svc.placed_orders.size(), 2u);
    EXPECT_TRUE(svc.cancels.empty());
}

TEST_F(MarketMakerTest, skewsBothQuotesAgainstInventoryAfterFill) {
    start(spec("10"));
    book("100.00", "100.02");
    ASSERT_EQ(svc.placed_orders.size(), 2u);
    fill(side::buy);
    // Long 1: skew 100.01 * 10 bps * 1 = 0.10001 lowers both: bid 99.659965 -> 99.65, ask 100.160015 -> 100.17.
    book("100.00", "100.02");
    ASSERT_EQ(svc.cancels.size(), 1u); // the ask still working is replaced
    EXPECT_EQ(svc.cancels[0], svc.placed_orders[1].id);
    const auto fresh = svc.since(2);
    ASSERT_EQ(fresh.size(), 2u);
    EXPECT_EQ(*fresh[0].intent.price, d("99.65"));
    EXPECT_EQ(*fresh[1].intent.price, d("100.17"));
    EXPECT_NE(blob_of("mm").find("inventory=100000000\n"), std::string::npos);
}

// Fills count by what the order's cumulative quantity grew: a RESTATED report after a restart
// brings a fill the saved state missed, a repeated report adds nothing, and an order restated as
// ended is forgotten (its saved state names it no more).
TEST_F(MarketMakerTest, fillsCountByCumulativeQuantitySoARestatementBringsWhatWasMissed) {
    start(spec());
    book("100.00", "100.02");
    ASSERT_EQ(svc.placed_orders.size(), 2u);
    const auto bid = svc.placed_orders[0].id;
    const auto ask = svc.placed_orders[1].id;
    host.restate(report(bid, side::buy, order_status::partially_filled, execution_type::new_, {}, {}, d("0.4")));
    EXPECT_NE(blob_of("mm").find("inventory=40000000\n"), std::string::npos) << blob_of("mm");
    // The same fill told again by the venue, then the rest of the order.
    host.on_execution(
        report(bid, side::buy, order_status::partially_filled, execution_type::trade, d("0.4"), d("99.75"), d("0.4")));
    EXPECT_NE(blob_of("mm").find("inventory=40000000\n"), std::string::npos) << blob_of("mm");
    host.on_execution(
        report(bid, side::buy, order_status::filled, execution_type::trade, d("0.6"), d("99.75"), d("1")));
    EXPECT_NE(blob_of("mm").find("inventory=100000000\n"), std::string::npos) << blob_of("mm");
    host.restate(report(ask, side::sell, order_status::canceled, execution_type::canceled, {}, {}, d("0")));
    const auto blob = blob_of("mm");
    EXPECT_NE(blob.find("inventory=100000000\n"), std::string::npos) << blob;
    EXPECT_EQ(blob.find("order="), std::string::npos) << blob;
}

// A restated order the saved state does not name was placed after that state: all of its fills
// are new, and while it works the market maker follows it (named in its state, canceled on stop).
TEST_F(MarketMakerTest, aRestatedOrderItsStateDoesNotNameIsAdoptedWithItsFills) {
    start(spec());
    const auto later = client_order_id::truncating("gn-test-2001");
    const auto ended = client_order_id::truncating("gn-test-2002");
    ASSERT_TRUE(host.adopt(later, *host.id_of("mm")));
    ASSERT_TRUE(host.adopt(ended, *host.id_of("mm")));
    auto working = report(later, side::buy, order_status::partially_filled, execution_type::trade, {}, {}, d("0.3"));
    working.price = d("99.75");
    working.quantity = d("1");
    host.restate(working);
    host.restate(report(ended, side::sell, order_status::filled, execution_type::trade, {}, {}, d("0.5")));
    const auto blob = blob_of("mm");
    // +0.3 bought, -0.5 sold.
    EXPECT_NE(blob.find("inventory=-20000000\n"), std::string::npos) << blob;
    EXPECT_NE(blob.find("order=gn-test-2001,"), std::string::npos) << blob;
    EXPECT_EQ(blob.find("gn-test-2002"), std::string::npos) << blob;
    host.stop_all();
    ASSERT_EQ(svc.cancels.size(), 1u);
    EXPECT_EQ(svc.cancels[0], later);
}

// Each saved blob is recorded with what it knew of the strategy's orders: the ones not told final
// yet, and the last one placed.
TEST_F(MarketMakerTest, theSavedStateIsRecordedWithTheOrdersItKnew) {
    start(spec());
    book("100.00", "100.02");
    ASSERT_EQ(svc.placed_orders.size(), 2u);
    const auto bid = svc.placed_orders[0].id;
    const auto ask = svc.placed_orders[1].id;
    ASSERT_FALSE(blob_of("mm").empty());
    auto v = host.view_of("mm");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->open, (std::vector<client_order_id>{std::min(bid, ask), std::max(bid, ask)}));
    EXPECT_EQ(v->last_placed, ask);
    host.on_execution(report(bid, side::buy, order_status::canceled, execution_type::canceled));
    v = host.view_of("mm");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->open, (std::vector<client_order_id>{ask})) << "saved again when the order ended";
    EXPECT_EQ(v->last_placed, ask);
}

TEST_F(MarketMakerTest, stopsQuotingTheSideThatWouldExceedMaxInventory) {
    start(spec("10", "1"));
    book("100.00", "100.02");
    fill(side::buy);
    book("100.00", "100.02");
    // Long 1 with max_inventory 1: one more bid would make 2, so only the (skewed) ask is quoted.
    const auto fresh = svc.since(2);
    ASSERT_EQ(fresh.size(), 1u);
    EXPECT_EQ(fresh[0].intent.order_side, side::sell);
    EXPECT_EQ(*fresh[0].intent.price, d("100.17"));
}

TEST_F(MarketMakerTest, requotesOnlyWhenMidMovesBeyondRequoteBps) {
    start(spec());
    book("100.00", "100.02");
    ASSERT_EQ(svc.placed_orders.size(), 2u);
    // mid 100.02: moved 1 bp, within 5: the quotes stay.
    book("100.00", "100.04");
    EXPECT_EQ(svc.placed_orders.size(), 2u);
    EXPECT_TRUE(svc.cancels.empty());
    // mid 100.11: moved 10 bps: both old quotes are canceled and new ones placed around the new mid.
    book("100.10", "100.12");
    ASSERT_EQ(svc.cancels.size(), 2u);
    EXPECT_EQ(svc.cancels[0], svc.placed_orders[0].id);
    EXPECT_EQ(svc.cancels[1], svc.placed_orders[1].id);
    const auto fresh = svc.since(2);
    ASSERT_EQ(fresh.size(), 2u);
    EXPECT_EQ(*fresh[0].intent.price, d("99.85"));  // 100.11 - 0.250275 = 99.859725 -> 99.85
    EXPECT_EQ(*fresh[1].intent.price, d("100.37")); // 100.11 + 0.250275 = 100.360275 -> 100.37
}

TEST_F(MarketMakerTest, cancelsEverythingOnInvalidBook) {
    start(spec());
    book("100.00", "100.02");
    ASSERT_EQ(svc.placed_orders.size(), 2u);
    book("100.00", "100.02", false);
    EXPECT_EQ(svc.cancels.size(), 2u);
    EXPECT_EQ(svc.placed_orders.size(), 2u); // no new quote on a book that cannot be trusted
    // Valid again: quotes come back.
    book("100.00", "100.02");
    EXPECT_EQ(svc.placed_orders.size(), 4u);
}

TEST_F(MarketMakerTest, cancelsEverythingOnStaleBook) {
    start(spec());
    book("100.00", "100.02");
    book("100.00", "100.02", true, 1500ms);
    EXPECT_EQ(svc.cancels.size(), 2u);
    EXPECT_EQ(svc.placed_orders.size(), 2u);
}

TEST_F(MarketMakerTest, cancelsOnTimerWhenNoBookArrivesForStaleMs) {
    start(spec());
    book("100.00", "100.02");
    svc.clk.advance(900ms);
    host.on_timer(svc.clk.now());
    EXPECT_TRUE(svc.cancels.empty());
    svc.clk.advance(200ms);
    host.on_timer(svc.clk.now());
    EXPECT_EQ(svc.cancels.size(), 2u);
}

TEST_F(MarketMakerTest, rejectionReasonFromServicesReachesTheStrategy) {
    start(spec());
    svc.reject_next = "risk: max notional exceeded";
    book("100.00", "100.02");
    ASSERT_EQ(svc.placed_orders.size(), 1u); // the bid was refused, the ask went out
    EXPECT_EQ(svc.placed_orders[0].intent.order_side, side::sell);
    const std::string blob = blob_of("mm");
    EXPECT_NE(blob.find("rejections=1\n"), std::string::npos) << blob;
    EXPECT_NE(blob.find("last_reject=risk: max notional exceeded\n"), std::string::npos) << blob;
    EXPECT_NE(std::find(svc.logs.begin(), svc.logs.end(), "mm: quote refused: risk: max notional exceeded"),
              svc.logs.end());
    EXPECT_EQ(status_of("mm").counters.rejections, 1u);
    EXPECT_EQ(status_of("mm").counters.orders_placed, 1u);
}

TEST_F(MarketMakerTest, rejectedExecutionReportReachesTheStrategy) {
    start(spec());
    book("100.00", "100.02");
    auto r = report(svc.placed_orders[0].id, side::buy, order_status::rejected, execution_type::rejected);
    r.reject_reason = "Order would immediately match and take.";
    host.on_execution(r);
    EXPECT_NE(blob_of("mm").find("last_reject=Order would immediately match and take.\n"), std::string::npos);
    EXPECT_EQ(status_of("mm").counters.rejections, 1u);
}

} // namespace
} // namespace genesis::test
