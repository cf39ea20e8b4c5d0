#include "genesis/gateway/risk/risk_engine.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace {

using namespace genesis;
using namespace genesis::literals;
using namespace std::chrono_literals;
namespace risk = genesis::gateway::risk;
using risk::reject_code;

const symbol btc = symbol::truncating("BTCUSDT");
const symbol eth = symbol::truncating("ETHUSDT");

order_intent limit(side s, decimal price, decimal qty, symbol sym = btc) {
    order_intent o;
    o.sym = sym;
    o.order_side = s;
    o.type = order_type::limit;
    o.price = price;
    o.quantity = qty;
    return o;
}

order_intent market(side s, std::optional<decimal> qty, std::optional<decimal> quote = std::nullopt) {
    order_intent o;
    o.sym = btc;
    o.order_side = s;
    o.type = order_type::market;
    o.quantity = qty;
    o.quote_quantity = quote;
    return o;
}

risk::open_order_view open(side s, decimal price, decimal remaining, symbol sym = btc, const char* id = "o1") {
    return {client_order_id::truncating(id), sym, s, price, remaining, 1};
}

class RiskEngineTest : public ::testing::Test {
protected:
    manual_clock clock_{time_point{1'000'000'000}};
    risk::risk_config cfg_ = [] {
        risk::risk_config c;
        c.max_open_orders = 3;
        c.max_orders_per_second = 1'000;
        c.defaults.max_order_qty = "2"_d;
        c.defaults.max_order_notional = "10000"_d;
        c.defaults.max_position = "5"_d;
        c.defaults.price_band_bps = 100; // +-1%
        return c;
    }();
    risk::book_prices book_{"99.5"_d, "100.5"_d}; // mid 100
    std::vector<risk::open_order_view> open_;
    decimal position_;

    risk::verdict check(risk::risk_engine& e, const order_intent& o) { return e.check({o, book_, position_, open_}); }
};

TEST_F(RiskEngineTest, checkAcceptsOrderInsideEveryLimit) {
    risk::risk_engine e(cfg_, clock_);
    const auto v = check(e, limit(side::buy, "100"_d, "1"_d));
    EXPECT_TRUE(v.ok()) << v.text;
    EXPECT_TRUE(v.text.empty());
    EXPECT_EQ(e.stats().checks, 1u);
    EXPECT_EQ(e.stats().accepted, 1u);
}

TEST_F(RiskEngineTest, checkRejectsInvalidOrders) {
    risk::risk_engine e(cfg_, clock_);
    auto no_price = limit(side::buy, "100"_d, "1"_d);
    no_price.price.reset();
    EXPECT_EQ(check(e, no_price).code, reject_code::invalid_order);
    EXPECT_EQ(check(e, limit(side::buy, "100"_d, "0"_d)).code, reject_code::invalid_order);
    EXPECT_EQ(check(e, limit(side::buy, "-1"_d, "1"_d)).code, reject_code::invalid_order);
    EXPECT_EQ(check(e, market(side::buy, "1"_d, "100"_d)).code, reject_code::invalid_order);
    EXPECT_EQ(check(e, market(side::buy, std::nullopt)).code, reject_code::invalid_order);
    auto stop = market(side::sell, "1"_d);
    stop.type = order_type::stop_loss;
    EXPECT_EQ(check(e, stop).code, reject_code::invalid_order);
    EXPECT_EQ(e.stats().rejections(reject_code::invalid_order), 6u);
    EXPECT_EQ(e.stats().accepted, 0u);
}

TEST_F(RiskEngineTest, checkMaxOrderQtyBoundaryIsExact) {
    risk::risk_engine e(cfg_, clock_);
    EXPECT_TRUE(check(e, limit(side::buy, "100"_d, "2"_d)).ok());
    const auto v = check(e, limit(side::buy, "100"_d, "2.00000001"_d));
    EXPECT_EQ(v.code, reject_code::max_order_qty);
    EXPECT_EQ(v.text, "quantity 2.00000001 > max 2 for BTCUSDT");
}

TEST_F(RiskEngineTest, checkMaxOrderNotionalBoundaryIsExact) {
    cfg_.defaults.max_order_qty = risk::unlimited;
    cfg_.defaults.max_position = risk::unlimited;
    risk::risk_engine e(cfg_, clock_);
    EXPECT_TRUE(check(e, limit(side::buy, "100"_d, "100"_d)).ok()); // exactly 10000
    const auto v = check(e, limit(side::buy, "100.005"_d, "100"_d));
    EXPECT_EQ(v.code, reject_code::max_order_notional);
    EXPECT_EQ(v.text, "notional 10000.5 > max 10000 for BTCUSDT");
    // Market by quantity is valued at the ask, by quote_quantity at the quote amount itself.
    EXPECT_EQ(check(e, market(side::buy, "99.6"_d)).code, reject_code::max_order_notional); // 10009.8
    EXPECT_TRUE(check(e, market(side::buy, "99.5"_d)).ok());                                // 9999.75
    EXPECT_TRUE(check(e, market(side::buy, std::nullopt, "10000"_d)).ok());
    EXPECT_EQ(check(e, market(side::buy, std::nullopt, "10000.00000001"_d)).code, reject_code::max_order_notional);
}

TEST_F(RiskEngineTest, checkNotionalOverflowRejectsEvenWithoutLimits) {
    cfg_.defaults = {risk::unlimited, risk::unlimited, risk::unlimited, 0};
    risk::risk_engine e(cfg_, clock_);
    const auto v = check(e, limit(side::buy, "90000000000"_d, "90000000000"_d));
    EXPECT_EQ(v.code, reject_code::max_order_notional);
    EXPECT_TRUE(check(e, limit(side::buy, "90000"_d, "1000"_d)).ok());
}

TEST_F(RiskEngineTest, checkPerSymbolOverrideWins) {
    risk::symbol_limits eth_limits = cfg_.defaults;
    eth_limits.max_order_qty = "10"_d;
    eth_limits.max_position = risk::unlimited;
    cfg_.symbols[eth] = eth_limits;
    risk::risk_engine e(cfg_, clock_);
    EXPECT_TRUE(check(e, limit(side::buy, "100"_d, "10"_d, eth)).ok());
    EXPECT_EQ(check(e, limit(side::buy, "100"_d, "10"_d, btc)).code, reject_code::max_order_qty);
}

TEST_F(RiskEngineTest, checkPriceBandAroundMid) {
    risk::risk_engine e(cfg_, clock_);
    // Mid 100, 100 bps: [99, 101] inclusive.
    EXPECT_TRUE(check(e, limit(side::buy, "101"_d, "1"_d)).ok());
    EXPECT_TRUE(check(e, limit(side::sell, "99"_d, "1"_d)).ok());
    const auto high = check(e, limit(side::buy, "101.00000001"_d, "1"_d));
    EXPECT_EQ(high.code, reject_code::price_band);
    EXPECT_EQ(high.text, "price 101.00000001 outside band 100 bps around mid 100 for BTCUSDT");
    EXPECT_EQ(check(e, limit(side::sell, "98.99999999"_d, "1"_d)).code, reject_code::price_band);
}

TEST_F(RiskEngineTest, checkWithoutBookRejectsMarketAndBandedLimit) {
    book_ = {};
    risk::risk_engine e(cfg_, clock_);
    EXPECT_EQ(check(e, market(side::buy, "1"_d)).code, reject_code::no_reference_price);
    const auto v = check(e, limit(side::buy, "100"_d, "1"_d));
    EXPECT_EQ(v.code, reject_code::no_reference_price);
    EXPECT_EQ(v.text, "no reference price for BTCUSDT");

    // Without a band a limit order needs no book.
    cfg_.defaults.price_band_bps = 0;
    e.set_config(cfg_);
    EXPECT_TRUE(check(e, limit(side::buy, "100000"_d, "0.1"_d)).ok());
    EXPECT_EQ(check(e, market(side::buy, "1"_d)).code, reject_code::no_reference_price);
}

TEST_F(RiskEngineTest, checkOneSidedBookUsesThatSide) {
    book_ = {std::nullopt, "100"_d};
    risk::risk_engine e(cfg_, clock_);
    EXPECT_TRUE(check(e, limit(side::buy, "101"_d, "1"_d)).ok());
    EXPECT_EQ(check(e, limit(side::buy, "101.1"_d, "1"_d)).code, reject_code::price_band);
}

TEST_F(RiskEngineTest, checkPositionIsWorstCase) {
    cfg_.max_open_orders = 10;
    risk::risk_engine e(cfg_, clock_);
    position_ = "2"_d;
    open_ = {open(side::buy, "99"_d, "1.5"_d), open(side::sell, "101"_d, "1"_d, btc, "o2"),
             open(side::buy, "99"_d, "9"_d, eth, "o3")};
    // 2 + 1.5 open buys + 1.5 = 5: at the limit. The ETH buy does not count.
    EXPECT_TRUE(check(e, limit(side::buy, "99.5"_d, "1.5"_d)).ok());
    const auto v = check(e, limit(side::buy, "99.5"_d, "1.50000001"_d));
    EXPECT_EQ(v.code, reject_code::max_position);
    EXPECT_EQ(v.text, "worst-case position 5.00000001 > max 5 for BTCUSDT (position 2 + open buys 1.5 + order "
                      "1.50000001)");
    // Short side counts only the open sells; lift the order size cap to reach the position limit.
    cfg_.defaults.max_order_qty = risk::unlimited;
    e.set_config(cfg_);
    EXPECT_TRUE(check(e, limit(side::sell, "100.5"_d, "6"_d)).ok()); // 2 - 1 - 6 = -5
    EXPECT_EQ(check(e, limit(side::sell, "100.5"_d, "6.1"_d)).code, reject_code::max_position);
}

TEST_F(RiskEngineTest, checkPositionAllowsReducingOverLimit) {
    cfg_.defaults.max_order_qty = risk::unlimited;
    risk::risk_engine e(cfg_, clock_);
    position_ = "8"_d;                                                                      // already above max 5
    EXPECT_TRUE(check(e, limit(side::sell, "99"_d, "1"_d)).ok());                           // 7
    EXPECT_EQ(check(e, limit(side::buy, "99"_d, "0.1"_d)).code, reject_code::max_position); // 8.1
    EXPECT_EQ(check(e, limit(side::sell, "99"_d, "17"_d)).code, reject_code::max_position); // -9
}

TEST_F(RiskEngineTest, checkSelfCross) {
    risk::risk_engine e(cfg_, clock_);
    open_ = {open(side::sell, "100"_d, "1"_d, btc, "s1"), open(side::buy, "99.5"_d, "1"_d, btc, "b1")};
    const auto v = check(e, limit(side::buy, "100"_d, "1"_d));
    EXPECT_EQ(v.code, reject_code::self_cross);
    EXPECT_EQ(v.text, "buy 100 would cross own sell 100 (s1) on BTCUSDT");
    EXPECT_TRUE(check(e, limit(side::buy, "99.99999999"_d, "1"_d)).ok());
    EXPECT_EQ(check(e, limit(side::sell, "99.5"_d, "1"_d)).code, reject_code::self_cross);
    EXPECT_TRUE(check(e, limit(side::sell, "99.50000001"_d, "1"_d)).ok());
    EXPECT_EQ(check(e, market(side::sell, "0.1"_d)).code, reject_code::self_cross);
    // An open sell on another symbol never crosses.
    open_ = {open(side::sell, "100"_d, "1"_d, eth)};
    EXPECT_TRUE(check(e, limit(side::buy, "100"_d, "1"_d)).ok());

    cfg_.self_cross_prevention = false;
    e.set_config(cfg_);
    open_ = {open(side::sell, "100"_d, "1"_d)};
    EXPECT_TRUE(check(e, limit(side::buy, "100"_d, "1"_d)).ok());
}

TEST_F(RiskEngineTest, checkMaxOpenOrders) {
    risk::risk_engine e(cfg_, clock_);
    open_ = {open(side::buy, "99"_d, "0.1"_d, eth, "a"), open(side::buy, "99"_d, "0.1"_d, eth, "b")};
    EXPECT_TRUE(check(e, limit(side::buy, "100"_d, "1"_d)).ok());
    open_.push_back(open(side::buy, "99"_d, "0.1"_d, eth, "c"));
    const auto v = check(e, limit(side::buy, "100"_d, "1"_d));
    EXPECT_EQ(v.code, reject_code::max_open_orders);
    EXPECT_EQ(v.text, "open orders 3 >= max 3");
}

TEST_F(RiskEngineTest, checkOrderRateRollingSecond) {
    cfg_.max_orders_per_second = 3;
    risk::risk_engine e(cfg_, clock_);
    const auto o = limit(side::buy, "100"_d, "1"_d);
    EXPECT_TRUE(check(e, o).ok());
    clock_.advance(100ms);
    EXPECT_TRUE(check(e, o).ok());
    EXPECT_TRUE(check(e, o).ok());
    const auto v = check(e, o);
    EXPECT_EQ(v.code, reject_code::order_rate);
    EXPECT_EQ(v.text, "orders 3 in the last second >= max 3");
    // Rejections do not count: one nanosecond before the first order leaves the window, still full.
    clock_.advance(900ms - 1ns);
    EXPECT_EQ(check(e, o).code, reject_code::order_rate);
    clock_.advance(1ns);
    EXPECT_EQ(e.orders_in_last_second(), 2u);
    EXPECT_TRUE(check(e, o).ok());
    EXPECT_EQ(check(e, o).code, reject_code::order_rate);
    EXPECT_EQ(e.stats().rejections(reject_code::order_rate), 3u);
    EXPECT_EQ(e.stats().accepted, 4u);
}

TEST_F(RiskEngineTest, checkOrderRateRollingMinute) {
    cfg_.max_orders_per_second = 10;
    cfg_.max_orders_per_minute = 3;
    risk::risk_engine e(cfg_, clock_);
    const auto o = limit(side::buy, "100"_d, "1"_d);
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(check(e, o).ok());
        clock_.advance(10s);
    }
    const auto v = check(e, o);
    EXPECT_EQ(v.code, reject_code::order_rate);
    EXPECT_EQ(v.text, "orders 3 in the last minute >= max 3");
    clock_.advance(30s); // first order at t+0 is now exactly 60 s old
    EXPECT_TRUE(check(e, o).ok());
}

TEST_F(RiskEngineTest, killSwitchRejectsUntilReset) {
    risk::risk_engine e(cfg_, clock_);
    EXPECT_FALSE(e.killed());
    e.kill("operator: runaway strategy");
    EXPECT_TRUE(e.killed());
    EXPECT_EQ(e.kill_reason(), "operator: runaway strategy");
    const auto v = check(e, limit(side::buy, "100"_d, "1"_d));
    EXPECT_EQ(v.code, reject_code::killed);
    EXPECT_EQ(v.text, "kill switch engaged: operator: runaway strategy");
    // Even an invalid order reports killed first.
    EXPECT_EQ(check(e, limit(side::buy, "100"_d, "0"_d)).code, reject_code::killed);
    e.reset_kill();
    EXPECT_FALSE(e.killed());
    EXPECT_TRUE(e.kill_reason().empty());
    EXPECT_TRUE(check(e, limit(side::buy, "100"_d, "1"_d)).ok());
    EXPECT_EQ(e.stats().rejections(reject_code::killed), 2u);
    EXPECT_EQ(e.stats().checks, 3u);
}

TEST(RiskVerdictTest, toStringNamesEveryCode) {
    EXPECT_EQ(risk::to_string(reject_code::ok), "ok");
    EXPECT_EQ(risk::to_string(reject_code::max_order_notional), "max_order_notional");
    EXPECT_EQ(risk::to_string(reject_code::no_reference_price), "no_reference_price");
    EXPECT_EQ(risk::to_string(reject_code::insufficient_balance), "insufficient_balance");
    for (std::size_t i = 0; i < risk::reject_code_count; ++i)
        EXPECT_NE(risk::to_string(static_cast<reject_code>(i)), "unknown") << i;
}

} // namespace
