#include "genesis/gateway/oms/positions.hpp"

#include "oms_test_support.hpp"

#include <gtest/gtest.h>

namespace genesis::gateway {
namespace {

using namespace test;
using st = order_status;

db::fill_record fill(side sd, std::string_view qty, std::string_view price, std::uint64_t trade_id = 1,
                     std::string_view commission = "0", std::string_view commission_asset = "") {
    db::fill_record f;
    f.sym = btc;
    f.trade_id = trade_id;
    f.order_side = sd;
    f.quantity = dec(qty);
    f.price = dec(price);
    f.commission = dec(commission);
    f.commission_asset = asset::truncating(commission_asset);
    return f;
}

class LedgerTest : public ::testing::Test {
protected:
    ledger l;
    void SetUp() override { l.set_assets({{btc, asset::truncating("BTC"), asset::truncating("USDT")}}); }
    void expect_position(std::string_view qty, std::string_view avg, std::string_view pnl) {
        const auto* p = l.find(btc);
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(p->quantity, dec(qty)) << p->quantity.to_string();
        EXPECT_EQ(p->average_cost, dec(avg)) << p->average_cost.to_string();
        EXPECT_EQ(p->realized_pnl, dec(pnl)) << p->realized_pnl.to_string();
    }
};

TEST_F(LedgerTest, applyFillAverageCostAndRealizedPnl) {
    ASSERT_TRUE(l.apply_fill(fill(side::buy, "1", "100")));
    expect_position("1", "100", "0");
    ASSERT_TRUE(l.apply_fill(fill(side::buy, "1", "200")));
    expect_position("2", "150", "0");
    // Reduce: 1.5 closed at 300 against an average of 150.
    ASSERT_TRUE(l.apply_fill(fill(side::sell, "1.5", "300")));
    expect_position("0.5", "150", "225");
    // Reverse: 0.5 closed at 100 (-25), 0.5 opened short at 100.
    ASSERT_TRUE(l.apply_fill(fill(side::sell, "1", "100")));
    expect_position("-0.5", "100", "200");
    // Add to the short, then cover it all.
    ASSERT_TRUE(l.apply_fill(fill(side::sell, "0.5", "120")));
    expect_position("-1", "110", "200");
    ASSERT_TRUE(l.apply_fill(fill(side::buy, "1", "80")));
    expect_position("0", "0", "230");
}

TEST_F(LedgerTest, applyFillAverageCostRoundsToEightDigits) {
    ASSERT_TRUE(l.apply_fill(fill(side::buy, "1", "1")));
    ASSERT_TRUE(l.apply_fill(fill(side::buy, "2", "2")));
    expect_position("3", "1.66666667", "0");
}

TEST_F(LedgerTest, applyFillMovesBalancesAndPaysCommission) {
    l.set_balance(asset::truncating("USDT"), dec("1000"));
    l.set_balance(asset::truncating("BTC"), dec("0"));
    ASSERT_TRUE(l.apply_fill(fill(side::buy, "0.5", "100", 1, "0.0005", "BTC")));
    EXPECT_EQ(*l.balance_of(asset::truncating("BTC")), dec("0.4995"));
    EXPECT_EQ(*l.balance_of(asset::truncating("USDT")), dec("950"));
    ASSERT_TRUE(l.apply_fill(fill(side::sell, "0.25", "120", 2, "0.03", "USDT")));
    EXPECT_EQ(*l.balance_of(asset::truncating("BTC")), dec("0.2495"));
    EXPECT_EQ(*l.balance_of(asset::truncating("USDT")), dec("979.97"));
    // An exchange figure that differs is reported.
    auto diff = l.compare({{asset::truncating("USDT"), dec("979"), dec("0.97")},
                           {asset::truncating("BTC"), dec("0.2"), dec("0")},
                           {asset::truncating("ETH"), dec("1"), dec("0")}});
    ASSERT_EQ(diff.size(), 2u);
    EXPECT_EQ(diff[0].name, asset::truncating("BTC"));
    EXPECT_EQ(*diff[0].ours, dec("0.2495"));
    EXPECT_EQ(diff[0].exchange, dec("0.2"));
    EXPECT_EQ(diff[1].name, asset::truncating("ETH"));
    EXPECT_FALSE(diff[1].ours.has_value());
}

TEST_F(LedgerTest, applyFillOverflowChangesNothing) {
    ASSERT_TRUE(l.apply_fill(fill(side::buy, "1", "100")));
    const auto before = *l.find(btc);
    auto r = l.apply_fill(fill(side::buy, "90000000000", "90000000000"));
    EXPECT_FALSE(r);
    EXPECT_EQ(*l.find(btc), before);
    EXPECT_FALSE(l.apply_fill(fill(side::buy, "0", "100")));
}

class OmsFillTest : public ::testing::Test {
protected:
    oms_harness h;
    void SetUp() override {
        h.open_db();
        h.make_oms();
        h.start_empty();
    }
};

TEST_F(OmsFillTest, onExecutionReportDeduplicatesFillsByTradeId) {
    auto id = h.o->submit(limit_intent(side::buy, "1", "100"));
    ASSERT_TRUE(id);
    h.venue.places[0].done(report(*id, st::new_, "0", 1001));
    h.queue.run_pending();
    const auto first = trade_report(*id, 5001, "0.4", "100", "0.4", st::partially_filled);
    h.o->on_execution_report(first);
    h.o->on_execution_report(first); // the stream repeats itself
    h.o->on_execution_report(trade_report(*id, 5002, "0.6", "101", "1", st::filled));
    h.o->on_execution_report(first); // late duplicate after the order is final: still a duplicate
    EXPECT_EQ(h.o->stats().fills, 2u);
    EXPECT_EQ(h.o->stats().duplicate_fills, 2u);
    EXPECT_EQ(h.o->stats().invalid_transitions, 0u);
    EXPECT_EQ(h.o->find(*id)->status, st::filled);
    const auto* p = h.o->book().find(btc);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->quantity, dec("1"));
    EXPECT_EQ(p->average_cost, dec("100.6"));
    // The commission (0.001 USDT each) and the notional left USDT; the base came in.
    EXPECT_EQ(*h.o->book().balance_of(asset::truncating("USDT")), dec("-100.602"));
    EXPECT_EQ(*h.o->book().balance_of(asset::truncating("BTC")), dec("1"));
    std::size_t fill_rows = 0;
    for (const auto& e : h.journal())
        fill_rows += std::holds_alternative<db::fill_row>(e);
    EXPECT_EQ(fill_rows, 2u);
}

TEST_F(OmsFillTest, onPlacedFilledWithoutTradesFetchesThemFromMyTrades) {
    auto id = h.o->submit(limit_intent(side::buy, "1", "100"));
    ASSERT_TRUE(id);
    h.venue.places[0].done(report(*id, st::filled, "1", 1001));
    h.queue.run_pending();
    ASSERT_EQ(h.venue.trade_calls.size(), 1u);
    // Trades of other orders are not ours to count.
    h.venue.trade_calls[0].done(std::vector<db::fill_record>{
        venue_trade(7, 1001, "0.5", "99"), venue_trade(8, 1001, "0.5", "101"), venue_trade(9, 4444, "3", "100")});
    h.queue.run_pending();
    EXPECT_EQ(h.o->stats().fills, 2u);
    EXPECT_EQ(h.o->book().find(btc)->quantity, dec("1"));
    EXPECT_EQ(h.o->book().find(btc)->average_cost, dec("100"));
    // The stream delivering the same trades later changes nothing.
    h.o->on_execution_report(trade_report(*id, 7, "0.5", "99", "0.5", st::partially_filled));
    EXPECT_EQ(h.o->stats().fills, 2u);
    EXPECT_EQ(h.o->stats().duplicate_fills, 1u);
}

} // namespace
} // namespace genesis::gateway
