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

// The placement's answer says FILLED; the user stream's NEW for the same order comes after it.
// That NEW is stale (not newer, no more fill): ignored and counted, not an impossible update.
// A report that is newer and still moves the order backwards stays an anomaly.
TEST_F(OmsFillTest, staleStreamReportAfterAnswerIsIgnoredButNewerBackwardsReportIsFlagged) {
    auto id = h.o->submit(limit_intent(side::buy, "1", "100"));
    ASSERT_TRUE(id);
    auto answer = report(*id, st::filled, "1", 1001);
    answer.transaction_time = time_point{1'700'000'000'000'000'000};
    h.venue.places[0].done(answer);
    h.queue.run_pending();
    auto stale = report(*id, st::new_, "0", 1001);
    stale.transaction_time = answer.transaction_time; // same matching event, same millisecond
    h.o->on_execution_report(stale);
    EXPECT_EQ(h.o->stats().stale_reports, 1u);
    EXPECT_EQ(h.o->stats().invalid_transitions, 0u);
    EXPECT_FALSE(h.o->find(*id)->flagged);
    EXPECT_EQ(h.o->find(*id)->status, st::filled);

    auto newer = report(*id, st::new_, "0", 1001);
    newer.transaction_time = time_point{answer.transaction_time.ns + 5'000'000};
    h.o->on_execution_report(newer);
    EXPECT_EQ(h.o->stats().stale_reports, 1u);
    EXPECT_EQ(h.o->stats().invalid_transitions, 1u);
    EXPECT_TRUE(h.o->find(*id)->flagged);
    EXPECT_EQ(h.o->find(*id)->status, st::filled);
}

// More than one page of trades (Binance's myTrades answers at most 1000): the OMS asks again from
// the last id + 1 until a page is not full, and the next sync starts after the last complete one.
TEST_F(OmsFillTest, tradeSyncPagesUntilAPageIsNotFullThenStartsAfterIt) {
    auto id = h.o->submit(limit_intent(side::buy, "5000", "100"));
    ASSERT_TRUE(id);
    h.venue.places[0].done(report(*id, st::partially_filled, "1001", 1001));
    h.queue.run_pending();
    ASSERT_EQ(h.venue.trade_calls.size(), 1u);
    EXPECT_EQ(h.venue.trade_calls[0].from, 0u);
    std::vector<db::fill_record> page;
    for (std::uint64_t t = 1; t <= my_trades_page; ++t)
        page.push_back(venue_trade(t, 1001, "1", "100"));
    h.venue.trade_calls[0].done(page);
    h.queue.run_pending();
    ASSERT_EQ(h.venue.trade_calls.size(), 2u);
    EXPECT_EQ(h.venue.trade_calls[1].from, my_trades_page + 1);
    h.venue.trade_calls[1].done(std::vector<db::fill_record>{venue_trade(my_trades_page + 1, 1001, "1", "100")});
    h.queue.run_pending();
    EXPECT_EQ(h.venue.trade_calls.size(), 2u); // not full: done
    EXPECT_EQ(h.o->stats().fills, my_trades_page + 1);
    EXPECT_EQ(h.o->book().find(btc)->quantity, dec("1001"));

    // The next fill without its trade: fetched from after the last complete sync only.
    auto more = report(*id, st::partially_filled, "1002", 1001);
    h.o->on_execution_report(more);
    h.queue.run_pending();
    ASSERT_EQ(h.venue.trade_calls.size(), 3u);
    EXPECT_EQ(h.venue.trade_calls[2].from, my_trades_page + 2);
    EXPECT_EQ(h.o->stats().duplicate_fills, 0u);
}

// A trade whose order id the OMS does not know yet (its placement's answer is still in flight)
// is not counted as synced: the next sync starts from it again and then books it.
TEST_F(OmsFillTest, tradeOfAnOrderNotYetAnsweredIsFetchedAgainLater) {
    auto a = h.o->submit(limit_intent(side::buy, "5", "100"));
    auto b = h.o->submit(limit_intent(side::buy, "5", "100"));
    ASSERT_TRUE(a && b);
    h.venue.places[0].done(report(*a, st::partially_filled, "1", 1001));
    h.queue.run_pending();
    ASSERT_EQ(h.venue.trade_calls.size(), 1u);
    // Trade 21 belongs to order 1002 (b), whose answer has not come yet.
    h.venue.trade_calls[0].done(
        std::vector<db::fill_record>{venue_trade(20, 1001, "1", "100"), venue_trade(21, 1002, "1", "100")});
    h.queue.run_pending();
    EXPECT_EQ(h.o->stats().fills, 1u);
    h.venue.places[1].done(report(*b, st::partially_filled, "1", 1002));
    h.queue.run_pending();
    ASSERT_EQ(h.venue.trade_calls.size(), 2u);
    EXPECT_EQ(h.venue.trade_calls[1].from, 21u);
    h.venue.trade_calls[1].done(std::vector<db::fill_record>{venue_trade(21, 1002, "1", "100")});
    h.queue.run_pending();
    EXPECT_EQ(h.o->stats().fills, 2u);
    EXPECT_EQ(h.o->book().find(btc)->quantity, dec("2"));
}

// A sync asked for while one is in flight runs again after it; a failed one is retried by on_tick.
TEST_F(OmsFillTest, tradeSyncAskedWhileInFlightRunsAgainAndFailedOneIsRetried) {
    auto id = h.o->submit(limit_intent(side::buy, "5", "100"));
    ASSERT_TRUE(id);
    h.venue.places[0].done(report(*id, st::partially_filled, "1", 1001));
    h.queue.run_pending();
    ASSERT_EQ(h.venue.trade_calls.size(), 1u);
    h.o->on_execution_report(report(*id, st::partially_filled, "2", 1001)); // while the first runs
    h.queue.run_pending();
    ASSERT_EQ(h.venue.trade_calls.size(), 1u);
    h.venue.trade_calls[0].done(std::vector<db::fill_record>{venue_trade(7, 1001, "1", "100")});
    h.queue.run_pending();
    ASSERT_EQ(h.venue.trade_calls.size(), 2u); // run again: the second fill was not in the first answer
    EXPECT_EQ(h.venue.trade_calls[1].from, 8u);
    h.venue.trade_calls[1].done(make_error_code(oms_errc::not_trading)); // fails
    h.queue.run_pending();
    ASSERT_EQ(h.venue.trade_calls.size(), 2u);
    h.o->on_tick();
    h.queue.run_pending();
    ASSERT_EQ(h.venue.trade_calls.size(), 3u);
    EXPECT_EQ(h.venue.trade_calls[2].from, 8u);
    h.venue.trade_calls[2].done(std::vector<db::fill_record>{venue_trade(8, 1001, "1", "100")});
    h.queue.run_pending();
    EXPECT_EQ(h.o->stats().fills, 2u);
    EXPECT_EQ(h.o->book().find(btc)->quantity, dec("2"));
}

// Final orders beyond final_order_retention are forgotten (bounded state over weeks); working()
// holds exactly the orders not final; a late report of a forgotten order is stale, never adopted.
TEST(OmsRetentionTest, finalOrdersBeyondRetentionAreForgottenAndTheirLateReportsIgnored) {
    oms_harness h;
    h.cfg.final_order_retention = 3;
    h.open_db();
    h.make_oms();
    h.start_empty();
    std::vector<client_order_id> ids;
    for (int i = 0; i < 6; ++i) {
        auto id = h.o->submit(limit_intent(side::buy, "1", "100"));
        ASSERT_TRUE(id);
        ids.push_back(*id);
        h.venue.places.back().done(report(*id, st::new_, "0", 2000 + static_cast<std::uint64_t>(i)));
        h.queue.run_pending();
    }
    EXPECT_EQ(h.o->working().size(), 6u);
    for (int i = 0; i < 5; ++i) {
        auto r = report(ids[static_cast<std::size_t>(i)], st::canceled, "0", 2000 + static_cast<std::uint64_t>(i));
        h.o->on_execution_report(r);
    }
    EXPECT_EQ(h.o->working().size(), 1u);
    EXPECT_TRUE(h.o->working().contains(ids[5]));
    EXPECT_EQ(h.o->health().open_orders, 1u);
    EXPECT_EQ(h.o->orders().size(), 4u); // three final kept, one working
    EXPECT_EQ(h.o->find(ids[0]), nullptr);
    EXPECT_EQ(h.o->find(ids[1]), nullptr);
    ASSERT_NE(h.o->find(ids[2]), nullptr);
    // The stream repeats the cancel of a forgotten order: stale, not adopted.
    const auto stale_before = h.o->stats().stale_reports;
    h.o->on_execution_report(report(ids[0], st::canceled, "0", 2000));
    EXPECT_EQ(h.o->stats().stale_reports, stale_before + 1);
    EXPECT_EQ(h.o->find(ids[0]), nullptr);
    EXPECT_EQ(h.o->stats().recon[static_cast<std::size_t>(recon_kind::adopted_order)], 0u);
}

} // namespace
} // namespace genesis::gateway
