#include "genesis/sim/exchange.hpp"

#include "sim_test_support.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace genesis;
using namespace genesis::sim;
using namespace genesis::sim::test;

namespace {

class ExchangeTest : public ::testing::Test {
protected:
    manual_clock clock_;
    exchange ex_{small_config(), clock_};
    recorder rec_;
    const account_id alice_ = 1;
    const account_id bob_ = 2;

    void SetUp() override { ex_.subscribe(&rec_); }
    void TearDown() override { ex_.unsubscribe(&rec_); }

    order_result place(account_id a, const new_order_request& r) {
        auto res = ex_.new_order(a, r);
        EXPECT_TRUE(res.has_value()) << (res ? "" : res.error().message());
        return res ? *res : order_result{};
    }
    // bob's asks: A 0.1@60010 (id 1), B 0.1@60000 (id 2), C 0.1@60000 (id 3), in that order.
    void seed_asks() {
        place(bob_, limit(side::sell, "60010"_d, "0.1"_d, time_in_force::gtc, "A"));
        place(bob_, limit(side::sell, "60000"_d, "0.1"_d, time_in_force::gtc, "B"));
        place(bob_, limit(side::sell, "60000"_d, "0.1"_d, time_in_force::gtc, "C"));
        rec_.clear();
    }
    balance bal(account_id a, const asset& name) const { return ex_.get_account(a)->get(name); }
    void expect_error(const error_code& ec, int code, std::string_view msg) {
        const auto b = to_binance_error(ec);
        EXPECT_EQ(b.code, code);
        EXPECT_EQ(b.msg, msg);
    }
};

TEST_F(ExchangeTest, newOrderRestsAndLocksQuote) {
    auto r = place(alice_, limit(side::buy, "60000"_d, "0.1"_d, time_in_force::gtc, "o1"));
    EXPECT_EQ(r.order.order_id, 1u);
    EXPECT_EQ(r.order.status, order_status::new_);
    EXPECT_TRUE(r.order.is_working);
    EXPECT_EQ(r.order.client_id, "o1");
    EXPECT_EQ(r.transact_time, clock_.wall());
    EXPECT_TRUE(r.fills.empty());
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "94000"_d, "6000"_d}));
    auto depth = ex_.depth(btc, 10);
    ASSERT_TRUE(depth);
    ASSERT_EQ(depth->bids.size(), 1u);
    EXPECT_EQ(depth->bids[0], (book_level{"60000"_d, "0.1"_d}));
    EXPECT_TRUE(depth->asks.empty());
    ASSERT_EQ(rec_.reports.size(), 1u);
    EXPECT_EQ(rec_.reports[0].first, alice_);
    EXPECT_EQ(rec_.reports[0].second.exec_type, execution_type::new_);
    EXPECT_TRUE(rec_.reports[0].second.is_working);
    ASSERT_EQ(rec_.positions.size(), 1u);
    EXPECT_EQ(rec_.positions[0].second.balances, (std::vector<balance>{{usdt_a, "94000"_d, "6000"_d}}));
}

TEST_F(ExchangeTest, newOrderPriceTimePriority) {
    seed_asks();
    auto r = place(alice_, limit(side::buy, "60010"_d, "0.25"_d));
    EXPECT_EQ(r.order.status, order_status::filled);
    EXPECT_EQ(r.order.executed_qty, "0.25"_d);
    EXPECT_EQ(r.order.cumulative_quote_qty, "15000.5"_d);
    ASSERT_EQ(r.fills.size(), 3u);
    // Best price first, then oldest first within the price: B, C, then A.
    EXPECT_EQ(r.fills[0], (fill{"60000"_d, "0.1"_d, "0.0002"_d, btc_a, 1}));
    EXPECT_EQ(r.fills[1], (fill{"60000"_d, "0.1"_d, "0.0002"_d, btc_a, 2}));
    EXPECT_EQ(r.fills[2], (fill{"60010"_d, "0.05"_d, "0.0001"_d, btc_a, 3}));
    auto b = ex_.query_order(bob_, btc, std::nullopt, client_order_id::truncating("B"));
    auto c = ex_.query_order(bob_, btc, std::nullopt, client_order_id::truncating("C"));
    auto a = ex_.query_order(bob_, btc, std::nullopt, client_order_id::truncating("A"));
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(b->status, order_status::filled);
    EXPECT_EQ(c->status, order_status::filled);
    EXPECT_EQ(a->status, order_status::partially_filled);
    EXPECT_EQ(a->executed_qty, "0.05"_d);
    auto depth = ex_.depth(btc);
    ASSERT_TRUE(depth);
    EXPECT_EQ(depth->asks, (std::vector<book_level>{{"60010"_d, "0.05"_d}}));
    // The buyer locked 15002.5 at its limit and paid 15000.5: the surplus is free again.
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "84999.5"_d, "0"_d}));
    EXPECT_EQ(bal(alice_, btc_a), (balance{btc_a, "10.2495"_d, "0"_d}));
}

TEST_F(ExchangeTest, newOrderPartialFillRestsRemainder) {
    seed_asks();
    auto r = place(alice_, limit(side::buy, "60005"_d, "0.5"_d));
    EXPECT_EQ(r.order.status, order_status::partially_filled);
    EXPECT_EQ(r.order.executed_qty, "0.2"_d);
    EXPECT_TRUE(r.order.is_working);
    auto depth = ex_.depth(btc);
    ASSERT_TRUE(depth);
    EXPECT_EQ(depth->bids, (std::vector<book_level>{{"60005"_d, "0.3"_d}}));
    EXPECT_EQ(depth->asks, (std::vector<book_level>{{"60010"_d, "0.1"_d}}));
    // Locked exactly what the resting 0.3 needs at 60005.
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "69998.5"_d, "18001.5"_d}));
    auto open = ex_.open_orders(alice_, btc);
    ASSERT_TRUE(open);
    ASSERT_EQ(open->size(), 1u);
    EXPECT_EQ((*open)[0].order_id, r.order.order_id);

    // The rest fills later as a maker.
    place(bob_, market_qty(side::sell, "0.3"_d));
    auto q = ex_.query_order(alice_, btc, r.order.order_id, {});
    ASSERT_TRUE(q);
    EXPECT_EQ(q->status, order_status::filled);
    EXPECT_FALSE(q->is_working);
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "69998.5"_d, "0"_d}));
}

TEST_F(ExchangeTest, newOrderIocLeftoverExpires) {
    seed_asks();
    auto r = place(alice_, limit(side::buy, "60005"_d, "0.5"_d, time_in_force::ioc));
    EXPECT_EQ(r.order.status, order_status::expired);
    EXPECT_EQ(r.order.executed_qty, "0.2"_d);
    EXPECT_FALSE(r.order.is_working);
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "88000"_d, "0"_d}));
    const auto reports = rec_.reports_of(alice_);
    ASSERT_EQ(reports.size(), 4u);
    EXPECT_EQ(reports[0].exec_type, execution_type::new_);
    EXPECT_EQ(reports[1].exec_type, execution_type::trade);
    EXPECT_EQ(reports[2].exec_type, execution_type::trade);
    EXPECT_EQ(reports[3].exec_type, execution_type::expired);
    EXPECT_EQ(reports[3].status, order_status::expired);
    EXPECT_EQ(reports[3].cumulative_quantity, "0.2"_d);
    auto depth = ex_.depth(btc);
    ASSERT_TRUE(depth);
    EXPECT_TRUE(depth->bids.empty());
}

TEST_F(ExchangeTest, newOrderFokAllOrNothing) {
    seed_asks();
    const auto before = ex_.depth(btc);
    auto r = place(alice_, limit(side::buy, "60005"_d, "0.5"_d, time_in_force::fok));
    EXPECT_EQ(r.order.status, order_status::expired);
    EXPECT_TRUE(r.order.executed_qty.is_zero());
    EXPECT_TRUE(r.fills.empty());
    EXPECT_TRUE(rec_.trades.empty());
    EXPECT_EQ(ex_.depth(btc)->asks, before->asks);
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "100000"_d, "0"_d}));
    const auto reports = rec_.reports_of(alice_);
    ASSERT_EQ(reports.size(), 2u);
    EXPECT_EQ(reports[1].exec_type, execution_type::expired);

    auto full = place(alice_, limit(side::buy, "60005"_d, "0.2"_d, time_in_force::fok));
    EXPECT_EQ(full.order.status, order_status::filled);
    EXPECT_EQ(full.fills.size(), 2u);
}

TEST_F(ExchangeTest, newOrderLimitMakerRejectedWhenCrossing) {
    seed_asks();
    auto r = ex_.new_order(alice_, limit_maker(side::buy, "60000"_d, "0.1"_d));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(sim_errc::would_match_and_take));
    expect_error(r.error(), -2010, "Order would immediately match and take.");
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "100000"_d, "0"_d}));
    EXPECT_TRUE(rec_.reports.empty());

    auto ok = place(alice_, limit_maker(side::buy, "59999.99"_d, "0.1"_d));
    EXPECT_EQ(ok.order.status, order_status::new_);
    EXPECT_EQ(ok.order.type, order_type::limit_maker);
    EXPECT_TRUE(ok.order.is_working);

    auto tif = limit_maker(side::buy, "59000"_d, "0.1"_d);
    tif.tif = time_in_force::gtc;
    ASSERT_FALSE(ex_.new_order(alice_, tif));
}

TEST_F(ExchangeTest, newOrderMarketByQuantity) {
    seed_asks();
    auto r = place(alice_, market_qty(side::buy, "0.25"_d));
    EXPECT_EQ(r.order.status, order_status::filled);
    EXPECT_EQ(r.order.type, order_type::market);
    EXPECT_EQ(r.order.executed_qty, "0.25"_d);
    EXPECT_EQ(r.order.cumulative_quote_qty, "15000.5"_d);
    EXPECT_TRUE(r.order.price.is_zero());
    ASSERT_EQ(r.fills.size(), 3u);
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "84999.5"_d, "0"_d}));

    // Beyond the book: fills what is there, expires the rest.
    auto rest = place(alice_, market_qty(side::buy, "1"_d));
    EXPECT_EQ(rest.order.status, order_status::expired);
    EXPECT_EQ(rest.order.executed_qty, "0.05"_d);
}

TEST_F(ExchangeTest, newOrderMarketByQuoteOrderQty) {
    seed_asks();
    auto r = place(alice_, market_quote(side::buy, "100"_d));
    // 100 / 60000 = 0.0016666..., down to the step: 0.00166 for 99.6 USDT.
    EXPECT_EQ(r.order.status, order_status::filled);
    EXPECT_EQ(r.order.orig_quote_order_qty, "100"_d);
    EXPECT_EQ(r.order.executed_qty, "0.00166"_d);
    EXPECT_EQ(r.order.orig_qty, "0.00166"_d);
    EXPECT_EQ(r.order.cumulative_quote_qty, "99.6"_d);
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "99900.4"_d, "0"_d}));
    const auto reports = rec_.reports_of(alice_);
    ASSERT_EQ(reports.size(), 2u);
    EXPECT_EQ(reports[1].exec_type, execution_type::trade);
    EXPECT_EQ(reports[1].status, order_status::filled);

    // Selling for a quote amount: sells just enough base.
    place(bob_, limit(side::buy, "50000"_d, "1"_d));
    auto s = place(alice_, market_quote(side::sell, "1000"_d));
    EXPECT_EQ(s.order.status, order_status::filled);
    EXPECT_EQ(s.order.executed_qty, "0.02"_d);
    EXPECT_EQ(s.order.cumulative_quote_qty, "1000"_d);

    // More quote than the book holds: expires after taking everything.
    auto all = place(alice_, market_quote(side::buy, "50000"_d));
    EXPECT_EQ(all.order.status, order_status::expired);
    EXPECT_EQ(all.order.executed_qty, "0.29834"_d);
}

TEST_F(ExchangeTest, newOrderMarketOnEmptyBookExpires) {
    auto r = place(alice_, market_qty(side::sell, "0.1"_d));
    EXPECT_EQ(r.order.status, order_status::expired);
    EXPECT_TRUE(r.order.executed_qty.is_zero());
    EXPECT_EQ(bal(alice_, btc_a), (balance{btc_a, "10"_d, "0"_d}));
}

TEST_F(ExchangeTest, newOrderFilterFailures) {
    seed_asks();
    struct filter_case {
        new_order_request req;
        std::string msg;
    };
    const std::vector<filter_case> cases = {
        {limit(side::buy, "60000.005"_d, "0.1"_d), "Filter failure: PRICE_FILTER"},
        {limit(side::buy, "0.001"_d, "0.1"_d), "Filter failure: PRICE_FILTER"},
        {limit(side::buy, "2000000"_d, "0.1"_d), "Filter failure: PRICE_FILTER"},
        {limit(side::buy, "0"_d, "0.1"_d), "Filter failure: PRICE_FILTER"},
        {limit(side::buy, "50000"_d, "0.000015"_d), "Filter failure: LOT_SIZE"},
        {limit(side::buy, "50000"_d, "0.000001"_d), "Filter failure: LOT_SIZE"},
        {limit(side::buy, "50000"_d, "10000"_d), "Filter failure: LOT_SIZE"},
        {limit(side::buy, "50000"_d, "0"_d), "Filter failure: LOT_SIZE"},
        {limit(side::buy, "50000"_d, "-1"_d), "Filter failure: LOT_SIZE"},
        {limit(side::buy, "50000"_d, "0.00001"_d), "Filter failure: NOTIONAL"},
        {market_qty(side::buy, "0.00001"_d), "Filter failure: NOTIONAL"},
        {market_qty(side::buy, "0.000011"_d), "Filter failure: LOT_SIZE"},
        {market_quote(side::buy, "1"_d), "Filter failure: NOTIONAL"},
        {market_quote(side::buy, "-10"_d), "Filter failure: NOTIONAL"},
    };
    for (const auto& c : cases) {
        auto r = ex_.new_order(alice_, c.req);
        ASSERT_FALSE(r) << c.msg;
        expect_error(r.error(), -1013, c.msg);
    }
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "100000"_d, "0"_d}));
    EXPECT_TRUE(rec_.reports.empty());
    const auto& st = ex_.stats().by_account.at(alice_);
    EXPECT_EQ(st.rejected, cases.size());
    EXPECT_EQ(st.rejected_by_reason.at(sim_errc::filter_price), 4u);
    EXPECT_EQ(st.rejected_by_reason.at(sim_errc::filter_lot_size), 6u);
    EXPECT_EQ(st.rejected_by_reason.at(sim_errc::filter_notional), 4u);
}

TEST_F(ExchangeTest, newOrderParameterErrors) {
    auto no_tif = limit(side::buy, "50000"_d, "0.1"_d);
    no_tif.tif.reset();
    expect_error(ex_.new_order(alice_, no_tif).error(), -1102,
                 "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.");
    auto no_price = limit(side::buy, "50000"_d, "0.1"_d);
    no_price.price.reset();
    expect_error(ex_.new_order(alice_, no_price).error(), -1102,
                 "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
    auto market_price = market_qty(side::buy, "0.1"_d);
    market_price.price = "50000"_d;
    expect_error(ex_.new_order(alice_, market_price).error(), -1106, "Parameter 'price' sent when not required.");
    auto market_none = market_qty(side::buy, "0.1"_d);
    market_none.quantity.reset();
    expect_error(ex_.new_order(alice_, market_none).error(), -1102,
                 "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!");
    auto unknown = limit(side::buy, "50000"_d, "0.1"_d);
    unknown.sym = symbol::truncating("DOGEUSDT");
    expect_error(ex_.new_order(alice_, unknown).error(), -1121, "Invalid symbol.");
    auto stop = limit(side::buy, "50000"_d, "0.1"_d);
    stop.type = order_type::stop_loss_limit;
    expect_error(ex_.new_order(alice_, stop).error(), -1014, "Unsupported order combination.");
    expect_error(ex_.new_order(99, limit(side::buy, "50000"_d, "0.1"_d)).error(), -2015,
                 "Invalid API-key, IP, or permissions for action.");
}

TEST_F(ExchangeTest, newOrderInsufficientBalance) {
    auto r = ex_.new_order(alice_, limit(side::buy, "60000"_d, "2"_d));
    ASSERT_FALSE(r);
    expect_error(r.error(), -2010, "Account has insufficient balance for requested action.");
    auto s = ex_.new_order(alice_, limit(side::sell, "60000"_d, "10.00001"_d));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), make_error_code(sim_errc::insufficient_balance));
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "100000"_d, "0"_d}));
    EXPECT_EQ(bal(alice_, btc_a), (balance{btc_a, "10"_d, "0"_d}));

    // Locked funds are not free: a second order cannot use them.
    place(alice_, limit(side::sell, "70000"_d, "6"_d));
    EXPECT_FALSE(ex_.new_order(alice_, limit(side::sell, "70000"_d, "5"_d)));
    EXPECT_TRUE(ex_.new_order(alice_, limit(side::sell, "70000"_d, "4"_d)));
    EXPECT_EQ(bal(alice_, btc_a), (balance{btc_a, "0"_d, "10"_d}));
    EXPECT_EQ(ex_.stats().by_account.at(alice_).rejected_by_reason.at(sim_errc::insufficient_balance), 3u);
}

TEST_F(ExchangeTest, fillChargesCommissionInReceivedAsset) {
    place(bob_, limit(side::sell, "60000"_d, "0.1"_d));
    auto r = place(alice_, limit(side::buy, "60000"_d, "0.1"_d));
    ASSERT_EQ(r.fills.size(), 1u);
    // Taker (alice, buyer) pays 0.2% in BTC; maker (bob, seller) 0.1% in USDT.
    EXPECT_EQ(r.fills[0], (fill{"60000"_d, "0.1"_d, "0.0002"_d, btc_a, 1}));
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "94000"_d, "0"_d}));
    EXPECT_EQ(bal(alice_, btc_a), (balance{btc_a, "10.0998"_d, "0"_d}));
    EXPECT_EQ(bal(bob_, usdt_a), (balance{usdt_a, "105994"_d, "0"_d}));
    EXPECT_EQ(bal(bob_, btc_a), (balance{btc_a, "9.9"_d, "0"_d}));

    const auto bob_reports = rec_.reports_of(bob_);
    ASSERT_EQ(bob_reports.size(), 2u);
    const auto& maker = bob_reports[1];
    EXPECT_EQ(maker.exec_type, execution_type::trade);
    EXPECT_TRUE(maker.is_maker);
    EXPECT_EQ(maker.commission, "6"_d);
    EXPECT_EQ(maker.commission_asset, usdt_a);
    EXPECT_EQ(maker.last_price, "60000"_d);
    EXPECT_EQ(maker.last_quantity, "0.1"_d);
    EXPECT_EQ(maker.trade_id, 1u);
    EXPECT_EQ(maker.status, order_status::filled);

    auto alice_trades = ex_.my_trades(alice_, btc);
    ASSERT_TRUE(alice_trades);
    ASSERT_EQ(alice_trades->size(), 1u);
    EXPECT_FALSE((*alice_trades)[0].is_maker);
    EXPECT_EQ((*alice_trades)[0].commission, "0.0002"_d);
    EXPECT_EQ((*alice_trades)[0].quote_qty, "6000"_d);
    auto bob_trades = ex_.my_trades(bob_, btc);
    ASSERT_TRUE(bob_trades);
    ASSERT_EQ(bob_trades->size(), 1u);
    EXPECT_TRUE((*bob_trades)[0].is_maker);
    EXPECT_EQ((*bob_trades)[0].commission, "6"_d);
}

TEST_F(ExchangeTest, sellTakerPaysCommissionInQuoteAtMakerPrice) {
    place(alice_, limit(side::buy, "60000"_d, "0.1"_d));
    auto r = place(bob_, limit(side::sell, "59000"_d, "0.1"_d));
    ASSERT_EQ(r.fills.size(), 1u);
    // The maker's price wins; the selling taker pays 0.2% of the quote it receives.
    EXPECT_EQ(r.fills[0], (fill{"60000"_d, "0.1"_d, "12"_d, usdt_a, 1}));
    EXPECT_EQ(bal(bob_, usdt_a), (balance{usdt_a, "105988"_d, "0"_d}));
    EXPECT_EQ(bal(bob_, btc_a), (balance{btc_a, "9.9"_d, "0"_d}));
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "94000"_d, "0"_d}));
    EXPECT_EQ(bal(alice_, btc_a), (balance{btc_a, "10.0999"_d, "0"_d}));
    ASSERT_EQ(rec_.trades.size(), 1u);
    EXPECT_TRUE(rec_.trades[0].buyer_is_maker);
}

TEST_F(ExchangeTest, cancelPartiallyFilledReleasesTheRest) {
    auto r = place(alice_, limit(side::buy, "60000"_d, "0.3"_d));
    place(bob_, market_qty(side::sell, "0.1"_d));
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "82000"_d, "12000"_d}));
    cancel_request c;
    c.sym = btc;
    c.order_id = r.order.order_id;
    auto cr = ex_.cancel_order(alice_, c);
    ASSERT_TRUE(cr);
    EXPECT_EQ(cr->order.status, order_status::canceled);
    EXPECT_EQ(cr->order.executed_qty, "0.1"_d);
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "94000"_d, "0"_d}));
}

TEST_F(ExchangeTest, selfTradeIsAllowed) {
    place(alice_, limit(side::sell, "60000"_d, "0.1"_d));
    auto r = place(alice_, limit(side::buy, "60000"_d, "0.1"_d));
    EXPECT_EQ(r.order.status, order_status::filled);
    EXPECT_EQ(bal(alice_, btc_a), (balance{btc_a, "9.9998"_d, "0"_d}));
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "99994"_d, "0"_d}));
    EXPECT_EQ(ex_.fills(alice_).size(), 2u);
}

TEST_F(ExchangeTest, fillReportsAndPositionsForBothSides) {
    place(bob_, limit(side::sell, "60000"_d, "0.1"_d, time_in_force::gtc, "bob-1"));
    rec_.clear();
    place(alice_, limit(side::buy, "60000"_d, "0.1"_d, time_in_force::gtc, "alice-1"));
    // NEW (taker), TRADE (maker), TRADE (taker).
    ASSERT_EQ(rec_.reports.size(), 3u);
    EXPECT_EQ(rec_.reports[0].first, alice_);
    EXPECT_EQ(rec_.reports[0].second.exec_type, execution_type::new_);
    EXPECT_EQ(rec_.reports[1].first, bob_);
    EXPECT_EQ(rec_.reports[1].second.client_id, "bob-1");
    EXPECT_EQ(rec_.reports[2].first, alice_);
    EXPECT_EQ(rec_.reports[2].second.status, order_status::filled);
    EXPECT_EQ(rec_.reports[2].second.cumulative_quote, "6000"_d);
    EXPECT_FALSE(rec_.reports[2].second.is_maker);
    EXPECT_EQ(rec_.reports[2].second.venue, "sim");
    ASSERT_EQ(rec_.positions.size(), 2u);
    EXPECT_EQ(rec_.positions[0].first, alice_);
    EXPECT_EQ(rec_.positions[0].second.balances,
              (std::vector<balance>{{btc_a, "10.0998"_d, "0"_d}, {usdt_a, "94000"_d, "0"_d}}));
    EXPECT_EQ(rec_.positions[1].first, bob_);
    ASSERT_EQ(rec_.trades.size(), 1u);
    EXPECT_FALSE(rec_.trades[0].buyer_is_maker);
    ASSERT_EQ(rec_.aggs.size(), 1u);
    EXPECT_EQ(rec_.aggs[0].first_trade_id, 1u);
    EXPECT_EQ(rec_.aggs[0].last_trade_id, 1u);
}

TEST_F(ExchangeTest, newOrderDuplicateClientOrderId) {
    place(alice_, limit(side::buy, "50000"_d, "0.1"_d, time_in_force::gtc, "dup"));
    auto again = ex_.new_order(alice_, limit(side::buy, "50001"_d, "0.1"_d, time_in_force::gtc, "dup"));
    ASSERT_FALSE(again);
    expect_error(again.error(), -2010, "Duplicate order sent.");
    // Another account, or another symbol, may use the same id.
    EXPECT_TRUE(ex_.new_order(bob_, limit(side::buy, "50000"_d, "0.1"_d, time_in_force::gtc, "dup")));
    EXPECT_TRUE(ex_.new_order(alice_, limit(side::buy, "3000"_d, "0.1"_d, time_in_force::gtc, "dup", eth)));
    // Once the first is final the id is free again; a query by client id finds the latest.
    cancel_request c;
    c.sym = btc;
    c.orig_client_id = client_order_id::truncating("dup");
    ASSERT_TRUE(ex_.cancel_order(alice_, c));
    auto reuse = place(alice_, limit(side::buy, "50002"_d, "0.1"_d, time_in_force::gtc, "dup"));
    auto q = ex_.query_order(alice_, btc, std::nullopt, client_order_id::truncating("dup"));
    ASSERT_TRUE(q);
    EXPECT_EQ(q->order_id, reuse.order.order_id);
    EXPECT_EQ(ex_.open_orders(alice_, btc)->size(), 1u);
}

TEST_F(ExchangeTest, cancelOrderByIdAndClientIdUnlocksFunds) {
    auto a = place(alice_, limit(side::buy, "50000"_d, "0.1"_d, time_in_force::gtc, "a"));
    auto b = place(alice_, limit(side::sell, "70000"_d, "1"_d, time_in_force::gtc, "b"));
    rec_.clear();
    cancel_request by_id;
    by_id.sym = btc;
    by_id.order_id = a.order.order_id;
    by_id.new_client_id = client_order_id::truncating("cancel-a");
    auto ca = ex_.cancel_order(alice_, by_id);
    ASSERT_TRUE(ca);
    EXPECT_EQ(ca->order.status, order_status::canceled);
    EXPECT_EQ(ca->order.client_id, "a");
    EXPECT_EQ(ca->cancel_client_id, "cancel-a");
    ASSERT_EQ(rec_.reports.size(), 1u);
    EXPECT_EQ(rec_.reports[0].second.exec_type, execution_type::canceled);
    EXPECT_EQ(rec_.reports[0].second.client_id, "cancel-a");
    EXPECT_EQ(rec_.reports[0].second.orig_client_id, "a");
    EXPECT_EQ(bal(alice_, usdt_a), (balance{usdt_a, "100000"_d, "0"_d}));

    cancel_request by_cid;
    by_cid.sym = btc;
    by_cid.orig_client_id = client_order_id::truncating("b");
    auto cb = ex_.cancel_order(alice_, by_cid);
    ASSERT_TRUE(cb);
    EXPECT_EQ(cb->order.order_id, b.order.order_id);
    EXPECT_FALSE(cb->cancel_client_id.empty());
    EXPECT_EQ(bal(alice_, btc_a), (balance{btc_a, "10"_d, "0"_d}));
    EXPECT_TRUE(ex_.depth(btc)->bids.empty());
    EXPECT_TRUE(ex_.depth(btc)->asks.empty());
    EXPECT_EQ(ex_.stats().by_account.at(alice_).canceled, 2u);
}

TEST_F(ExchangeTest, cancelOrderErrors) {
    auto a = place(alice_, limit(side::buy, "50000"_d, "0.1"_d, time_in_force::gtc, "a"));
    cancel_request c;
    c.sym = btc;
    c.order_id = 12345;
    expect_error(ex_.cancel_order(alice_, c).error(), -2011, "Unknown order sent.");
    // Someone else's order is unknown to you.
    c.order_id = a.order.order_id;
    expect_error(ex_.cancel_order(bob_, c).error(), -2011, "Unknown order sent.");
    ASSERT_TRUE(ex_.cancel_order(alice_, c));
    // A final order cannot be canceled again.
    expect_error(ex_.cancel_order(alice_, c).error(), -2011, "Unknown order sent.");
    cancel_request none;
    none.sym = btc;
    expect_error(ex_.cancel_order(alice_, none).error(), -1102,
                 "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    c.sym = symbol::truncating("NOPE");
    expect_error(ex_.cancel_order(alice_, c).error(), -1121, "Invalid symbol.");
    EXPECT_EQ(ex_.stats().cancel_rejected, 5u);
}

TEST_F(ExchangeTest, cancelOpenOrdersCancelsAllOnSymbol) {
    place(alice_, limit(side::buy, "50000"_d, "0.1"_d));
    place(alice_, limit(side::buy, "50001"_d, "0.1"_d));
    place(alice_, limit(side::buy, "3000"_d, "0.1"_d, time_in_force::gtc, {}, eth));
    place(bob_, limit(side::buy, "50002"_d, "0.1"_d));
    auto all = ex_.cancel_open_orders(alice_, btc);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 2u);
    EXPECT_LT((*all)[0].order.order_id, (*all)[1].order.order_id);
    EXPECT_TRUE(ex_.open_orders(alice_, btc)->empty());
    EXPECT_EQ(ex_.open_orders(alice_)->size(), 1u);
    EXPECT_EQ(ex_.open_orders(bob_, btc)->size(), 1u);
    expect_error(ex_.cancel_open_orders(alice_, btc).error(), -2011, "Unknown order sent.");
}

TEST_F(ExchangeTest, queryOrderKeepsFinalOrders) {
    seed_asks();
    auto filled = place(alice_, limit(side::buy, "60000"_d, "0.1"_d, time_in_force::gtc, "f"));
    auto q = ex_.query_order(alice_, btc, filled.order.order_id, {});
    ASSERT_TRUE(q);
    EXPECT_EQ(q->status, order_status::filled);
    EXPECT_EQ(q->client_id, "f");
    auto by_cid = ex_.query_order(alice_, btc, std::nullopt, client_order_id::truncating("f"));
    ASSERT_TRUE(by_cid);
    EXPECT_EQ(by_cid->order_id, filled.order.order_id);
    expect_error(ex_.query_order(alice_, btc, 999, {}).error(), -2013, "Order does not exist.");
    expect_error(ex_.query_order(alice_, btc, std::nullopt, client_order_id::truncating("zz")).error(), -2013,
                 "Order does not exist.");
    // Another account's order does not exist for you.
    expect_error(ex_.query_order(alice_, btc, 1, {}).error(), -2013, "Order does not exist.");
    auto all = ex_.all_orders(bob_, btc);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 3u);
    auto from = ex_.all_orders(bob_, btc, 2, 1);
    ASSERT_TRUE(from);
    ASSERT_EQ(from->size(), 1u);
    EXPECT_EQ((*from)[0].order_id, 2u);
}

TEST_F(ExchangeTest, myTradesPagesByFromIdAndLimit) {
    seed_asks();
    place(alice_, market_qty(side::buy, "0.3"_d));
    auto all = ex_.my_trades(alice_, btc);
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[0].trade_id, 1u);
    auto latest = ex_.my_trades(alice_, btc, std::nullopt, 2);
    ASSERT_EQ(latest->size(), 2u);
    EXPECT_EQ((*latest)[0].trade_id, 2u);
    auto from = ex_.my_trades(alice_, btc, 2, 1);
    ASSERT_EQ(from->size(), 1u);
    EXPECT_EQ((*from)[0].trade_id, 2u);
    EXPECT_TRUE(ex_.my_trades(alice_, eth)->empty());
    EXPECT_EQ(ex_.fills(alice_).size(), 3u);
    EXPECT_EQ(ex_.fills(bob_).size(), 3u);
}

TEST_F(ExchangeTest, orderAndTradeIdsIncreasePerSymbol) {
    auto b1 = place(alice_, limit(side::buy, "50000"_d, "0.1"_d));
    auto e1 = place(alice_, limit(side::buy, "3000"_d, "0.1"_d, time_in_force::gtc, {}, eth));
    auto b2 = place(alice_, limit(side::buy, "50000"_d, "0.1"_d));
    EXPECT_EQ(b1.order.order_id, 1u);
    EXPECT_EQ(e1.order.order_id, 1u);
    EXPECT_EQ(b2.order.order_id, 2u);
    auto t1 = place(bob_, market_qty(side::sell, "0.15"_d));
    auto t2 = place(bob_, market_qty(side::sell, "0.1"_d, eth));
    ASSERT_EQ(t1.fills.size(), 2u);
    EXPECT_EQ(t1.fills[0].trade_id, 1u);
    EXPECT_EQ(t1.fills[1].trade_id, 2u);
    ASSERT_EQ(t2.fills.size(), 1u);
    EXPECT_EQ(t2.fills[0].trade_id, 1u);
    EXPECT_EQ(t1.order.order_id, 3u);
}

TEST_F(ExchangeTest, marketDataQueriesAndEvents) {
    seed_asks();
    place(alice_, limit(side::buy, "59990"_d, "0.5"_d));
    place(alice_, market_qty(side::buy, "0.15"_d));
    auto tob = ex_.book_ticker(btc);
    ASSERT_TRUE(tob);
    EXPECT_EQ(tob->bid, (book_level{"59990"_d, "0.5"_d}));
    EXPECT_EQ(tob->ask, (book_level{"60000"_d, "0.05"_d}));
    EXPECT_EQ(tob->update_id, ex_.depth(btc)->last_update_id);
    ASSERT_FALSE(rec_.tickers.empty());
    EXPECT_EQ(rec_.tickers.back().bid, tob->bid);
    EXPECT_EQ(rec_.tickers.back().ask, tob->ask);
    auto trades = ex_.recent_trades(btc, 10);
    ASSERT_TRUE(trades);
    ASSERT_EQ(trades->size(), 2u);
    EXPECT_EQ((*trades)[1].quantity, "0.05"_d);
    auto aggs = ex_.agg_trades(btc);
    ASSERT_TRUE(aggs);
    ASSERT_EQ(aggs->size(), 1u);
    EXPECT_EQ((*aggs)[0].qty, "0.15"_d);
    EXPECT_EQ((*aggs)[0].first_trade_id, 1u);
    EXPECT_EQ((*aggs)[0].last_trade_id, 2u);
    auto tk = ex_.ticker(btc);
    ASSERT_TRUE(tk);
    EXPECT_EQ(tk->last_price, "60000"_d);
    EXPECT_EQ(tk->volume, "0.15"_d);
    EXPECT_EQ(tk->trade_count, 2u);
    EXPECT_FALSE(ex_.depth(symbol::truncating("X")));
    EXPECT_FALSE(ex_.book_ticker(symbol::truncating("X")));
}

TEST_F(ExchangeTest, statsAreGroundTruth) {
    seed_asks();
    place(alice_, limit(side::buy, "60000"_d, "0.15"_d, time_in_force::gtc, "x1"));
    place(alice_, limit(side::buy, "59000"_d, "0.1"_d, time_in_force::ioc, "x2"));
    (void)ex_.new_order(alice_, limit(side::buy, "59000"_d, "0.00001"_d, time_in_force::gtc, "x3"));
    place(alice_, limit(side::buy, "59000"_d, "0.1"_d, time_in_force::gtc, "x4"));
    ASSERT_TRUE(ex_.cancel_open_orders(alice_, btc));
    const auto& st = ex_.stats();
    const auto& a = st.by_account.at(alice_);
    EXPECT_EQ(a.received, 4u);
    EXPECT_EQ(a.accepted, 3u);
    EXPECT_EQ(a.rejected, 1u);
    EXPECT_EQ(a.rejected_by_reason.at(sim_errc::filter_notional), 1u);
    EXPECT_EQ(a.filled, 1u);
    EXPECT_EQ(a.expired, 1u);
    EXPECT_EQ(a.canceled, 1u);
    EXPECT_EQ(a.fills, 2u);
    EXPECT_EQ(a.executed_qty, "0.15"_d);
    EXPECT_EQ(st.total.received, 7u);
    EXPECT_EQ(st.trades, 2u);
    ASSERT_EQ(ex_.rejections().size(), 1u);
    EXPECT_EQ(ex_.rejections()[0].client_id, "x3");

    // Every order record: one per accepted intent, no duplicates, fills add up.
    const auto records = ex_.order_records(alice_);
    ASSERT_EQ(records.size(), 3u);
    std::set<std::string> ids;
    for (const auto& r : records)
        ids.insert(r.client_id.str());
    EXPECT_EQ(ids, (std::set<std::string>{"x1", "x2", "x4"}));
    decimal filled;
    for (const auto& f : ex_.fills(alice_))
        filled = *filled.add(f.qty);
    EXPECT_EQ(filled, records[0].executed_qty);
    EXPECT_EQ(ex_.order_records().size(), 6u);
}

TEST_F(ExchangeTest, rejectionReportsWhenEnabled) {
    auto cfg = small_config();
    cfg.report_rejections = true;
    exchange ex{cfg, clock_};
    recorder rec;
    ex.subscribe(&rec);
    ASSERT_FALSE(ex.new_order(alice_, limit(side::buy, "60000"_d, "2"_d, time_in_force::gtc, "big")));
    ASSERT_EQ(rec.reports.size(), 1u);
    EXPECT_EQ(rec.reports[0].second.exec_type, execution_type::rejected);
    EXPECT_EQ(rec.reports[0].second.status, order_status::rejected);
    EXPECT_EQ(rec.reports[0].second.client_id, "big");
    EXPECT_EQ(rec.reports[0].second.reject_reason, "INSUFFICIENT_BALANCES");
    EXPECT_EQ(rec.reports[0].second.order_id, 0u);
    ex.unsubscribe(&rec);
}

TEST_F(ExchangeTest, accountsAndBalanceAdjustments) {
    EXPECT_EQ(ex_.find_account("alice-key"), alice_);
    EXPECT_FALSE(ex_.find_account("nobody"));
    EXPECT_EQ(ex_.get_account(alice_)->secret_key(), "alice-secret");
    EXPECT_EQ(ex_.get_account(alice_)->taker_commission(), "0.002"_d);
    auto dup = ex_.create_account(funded("alice"));
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error(), make_error_code(sim_errc::duplicate_account));
    auto carol = ex_.create_account(funded("carol"));
    ASSERT_TRUE(carol);
    EXPECT_EQ(*carol, 3u);
    auto dep = ex_.adjust_balance(*carol, usdt_a, "5"_d);
    ASSERT_TRUE(dep);
    EXPECT_EQ(dep->free, "100005"_d);
    ASSERT_EQ(rec_.balance_updates.size(), 1u);
    EXPECT_EQ(rec_.balance_updates[0].second.delta, "5"_d);
    EXPECT_FALSE(ex_.adjust_balance(*carol, usdt_a, "-200000"_d));
    auto bals = ex_.balances(alice_);
    ASSERT_TRUE(bals);
    ASSERT_EQ(bals->size(), 3u);
    EXPECT_EQ((*bals)[0].name, "BTC");
    expect_error(ex_.balances(42).error(), -2015, "Invalid API-key, IP, or permissions for action.");
}

TEST_F(ExchangeTest, defaultConfigHasMarketsAndFundedTestAccount) {
    const auto cfg = default_config();
    exchange ex{cfg, clock_};
    ASSERT_EQ(ex.instruments().size(), 2u);
    const instrument* b = ex.find_instrument(btc);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->tick_size, "0.01"_d);
    EXPECT_EQ(b->step_size, "0.00001"_d);
    EXPECT_EQ(b->min_notional, "5"_d);
    EXPECT_EQ(ex.find_instrument(eth)->step_size, "0.0001"_d);
    auto test = ex.find_account("sim-test-api-key");
    ASSERT_TRUE(test);
    EXPECT_EQ(ex.get_account(*test)->free(usdt_a), "100000"_d);
    EXPECT_NE(ex.agents_account(), 0u);
    // The agents make a two-sided market around the configured mid.
    ex.advance_to(clock_.wall() + std::chrono::seconds{5});
    auto tob = ex.book_ticker(btc);
    ASSERT_TRUE(tob);
    EXPECT_GT(tob->bid.price, "66000"_d);
    EXPECT_LT(tob->ask.price, "68000"_d);
    EXPECT_LT(tob->bid.price, tob->ask.price);
    // The test account trades against them.
    auto r = ex.new_order(*test, market_qty(side::buy, "0.001"_d));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->order.status, order_status::filled);
}

} // namespace
