#include "genesis/gateway/risk/balance_monitor.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace {

using namespace genesis;
using namespace genesis::literals;
namespace risk = genesis::gateway::risk;
using risk::reject_code;

const asset btc = asset::truncating("BTC");
const asset usdt = asset::truncating("USDT");

order_intent order(side s, order_type t, std::optional<decimal> price, std::optional<decimal> qty,
                   std::optional<decimal> quote = std::nullopt) {
    order_intent o;
    o.sym = symbol::truncating("BTCUSDT");
    o.order_side = s;
    o.type = t;
    o.price = price;
    o.quantity = qty;
    o.quote_quantity = quote;
    return o;
}

account_update update(std::vector<balance> bs) {
    account_update u;
    u.balances = std::move(bs);
    return u;
}

class BalanceMonitorTest : public ::testing::Test {
protected:
    risk::balance_monitor m_{risk::balance_config{{{usdt, "1000"_d}, {btc, "0.01"_d}}}};
};

TEST_F(BalanceMonitorTest, checkBuyLimitNeedsQuoteFree) {
    (void)m_.on_account_update(update({{usdt, "1000.5"_d, "500"_d}, {btc, "0"_d, "0"_d}}));
    EXPECT_TRUE(m_.check(order(side::buy, order_type::limit, "100.05"_d, "10"_d), btc, usdt).ok()); // 1000.5
    const auto v = m_.check(order(side::buy, order_type::limit, "100.05"_d, "10.00000001"_d), btc, usdt);
    EXPECT_EQ(v.code, reject_code::insufficient_balance);
    // 100.05 * 10.00000001 = 1000.5000010005, rounded up to 8 digits: the check never under-reserves.
    EXPECT_EQ(v.text, "USDT free 1000.5 < required 1000.50000101 for buy BTCUSDT");
    EXPECT_EQ(m_.stats().checks, 2u);
    EXPECT_EQ(m_.stats().rejected, 1u);
}

TEST_F(BalanceMonitorTest, checkSellNeedsBaseFree) {
    (void)m_.on_account_update(update({{btc, "0.5"_d, "1"_d}}));
    EXPECT_TRUE(m_.check(order(side::sell, order_type::limit, "100"_d, "0.5"_d), btc, usdt).ok());
    const auto v = m_.check(order(side::sell, order_type::market, std::nullopt, "0.50000001"_d), btc, usdt);
    EXPECT_EQ(v.code, reject_code::insufficient_balance);
    EXPECT_EQ(v.text, "BTC free 0.5 < required 0.50000001 for sell BTCUSDT");
    // Sell by quote amount: 50 / 100 = 0.5 base.
    EXPECT_TRUE(
        m_.check(order(side::sell, order_type::market, std::nullopt, std::nullopt, "50"_d), btc, usdt, "100"_d).ok());
    EXPECT_EQ(
        m_.check(order(side::sell, order_type::market, std::nullopt, std::nullopt, "50.01"_d), btc, usdt, "100"_d).code,
        reject_code::insufficient_balance);
}

TEST_F(BalanceMonitorTest, checkMarketBuy) {
    (void)m_.on_account_update(update({{usdt, "200"_d, "0"_d}}));
    // By quote amount: needs exactly that much.
    EXPECT_TRUE(m_.check(order(side::buy, order_type::market, std::nullopt, std::nullopt, "200"_d), btc, usdt).ok());
    EXPECT_EQ(
        m_.check(order(side::buy, order_type::market, std::nullopt, std::nullopt, "200.00000001"_d), btc, usdt).code,
        reject_code::insufficient_balance);
    // By quantity: valued at the reference price the gateway passes.
    EXPECT_TRUE(m_.check(order(side::buy, order_type::market, std::nullopt, "2"_d), btc, usdt, "100"_d).ok());
    EXPECT_EQ(m_.check(order(side::buy, order_type::market, std::nullopt, "2"_d), btc, usdt, "100.00000001"_d).code,
              reject_code::insufficient_balance);
    EXPECT_EQ(m_.check(order(side::buy, order_type::market, std::nullopt, "2"_d), btc, usdt).code,
              reject_code::no_reference_price);
}

TEST_F(BalanceMonitorTest, checkUnknownAssetHasNothingFree) {
    const auto v = m_.check(order(side::buy, order_type::limit, "1"_d, "1"_d), btc, usdt);
    EXPECT_EQ(v.code, reject_code::insufficient_balance);
    EXPECT_EQ(v.text, "USDT free 0 < required 1 for buy BTCUSDT");
}

// Accepted orders are reserved until the venue's balances include them: two buys sent before the
// account update are not both checked against the same free balance.
TEST_F(BalanceMonitorTest, reservationsHoldUntilTheVenueBalancesIncludeTheOrder) {
    (void)m_.on_account_update(update({{usdt, "1000"_d, "0"_d}, {btc, "1"_d, "0"_d}}));
    const auto a = client_order_id::truncating("gw1-a");
    const auto b = client_order_id::truncating("gw1-b");
    const auto buy600 = order(side::buy, order_type::limit, "100"_d, "6"_d);
    ASSERT_TRUE(m_.check(buy600, btc, usdt).ok());
    m_.reserve(a, buy600, btc, usdt);
    EXPECT_EQ(m_.reserved(usdt), "600"_d);
    EXPECT_TRUE(m_.reserved(btc).is_zero());
    // The second 600 would pass against the stale free 1000; 400 is what is left.
    auto v = m_.check(buy600, btc, usdt);
    EXPECT_EQ(v.code, reject_code::insufficient_balance);
    EXPECT_EQ(v.text, "USDT free 1000 (600 reserved) < required 600 for buy BTCUSDT");
    EXPECT_TRUE(m_.check(order(side::buy, order_type::limit, "100"_d, "4"_d), btc, usdt).ok());
    // Another asset is not touched by it.
    EXPECT_TRUE(m_.check(order(side::sell, order_type::limit, "100"_d, "1"_d), btc, usdt).ok());

    std::map<client_order_id, risk::reserved_order> where{{a, risk::reserved_order::unanswered}};
    auto state_of = [&](const client_order_id& id) {
        auto it = where.find(id);
        return it == where.end() ? risk::reserved_order::final : it->second;
    };
    // The account update comes first (it may not include the order yet): kept while unanswered.
    (void)m_.on_account_update(update({{usdt, "1000"_d, "0"_d}}));
    m_.settle(state_of);
    EXPECT_EQ(m_.reserved(usdt), "600"_d);
    // Answered after that update: the venue's free balance has it now; released.
    where[a] = risk::reserved_order::answered;
    (void)m_.on_account_update(update({{usdt, "400"_d, "600"_d}}));
    m_.settle(state_of);
    EXPECT_TRUE(m_.reserved(usdt).is_zero());
    EXPECT_EQ(m_.reservations(), 0u);
    EXPECT_EQ(m_.check(buy600, btc, usdt).code, reject_code::insufficient_balance); // 400 free, from the venue

    // Answered first: kept until an account update of its asset (an update of another asset does not count).
    (void)m_.on_account_update(update({{usdt, "1000"_d, "0"_d}}));
    m_.reserve(b, buy600, btc, usdt);
    where[b] = risk::reserved_order::answered;
    m_.settle(state_of);
    (void)m_.on_account_update(update({{btc, "1"_d, "0"_d}}));
    m_.settle(state_of);
    EXPECT_EQ(m_.reserved(usdt), "600"_d);
    (void)m_.on_account_update(update({{usdt, "400"_d, "600"_d}}));
    m_.settle(state_of);
    EXPECT_TRUE(m_.reserved(usdt).is_zero());

    // A final order (rejected, cancelled, filled, or unknown to the OMS) is released at once.
    m_.reserve(a, buy600, btc, usdt);
    m_.reserve(b, order(side::sell, order_type::limit, "100"_d, "0.5"_d), btc, usdt);
    EXPECT_EQ(m_.reserved(btc), "0.5"_d);
    where = {{b, risk::reserved_order::unanswered}};
    m_.settle(state_of);
    EXPECT_TRUE(m_.reserved(usdt).is_zero());
    EXPECT_EQ(m_.reserved(btc), "0.5"_d);
    EXPECT_EQ(m_.reservations(), 1u);
}

TEST_F(BalanceMonitorTest, alertsFireOnceAndReArm) {
    // Above the threshold (total = free + locked): no alert.
    EXPECT_TRUE(m_.on_account_update(update({{usdt, "600"_d, "400"_d}})).empty());
    // Crossing below fires once.
    auto a = m_.on_account_update(update({{usdt, "599.99999999"_d, "400"_d}}));
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].name, usdt);
    EXPECT_EQ(a[0].total, "999.99999999"_d);
    EXPECT_EQ(a[0].threshold, "1000"_d);
    // Staying below does not fire again; below() lists it with its latest total.
    EXPECT_TRUE(m_.on_account_update(update({{usdt, "10"_d, "0"_d}})).empty());
    auto now_below = m_.below();
    ASSERT_EQ(now_below.size(), 1u);
    EXPECT_EQ(now_below[0].name, usdt);
    EXPECT_EQ(now_below[0].total, "10"_d);
    EXPECT_EQ(now_below[0].threshold, "1000"_d);
    // Back at the threshold re-arms (and leaves below()); the next drop fires again.
    EXPECT_TRUE(m_.on_account_update(update({{usdt, "1000"_d, "0"_d}})).empty());
    EXPECT_TRUE(m_.below().empty());
    EXPECT_EQ(m_.on_account_update(update({{usdt, "999"_d, "0"_d}})).size(), 1u);
    EXPECT_EQ(m_.stats().alerts, 2u);
    ASSERT_NE(m_.find(usdt), nullptr);
    EXPECT_EQ(m_.find(usdt)->free, "999"_d);
}

TEST_F(BalanceMonitorTest, alertsForSeveralAssetsAndFirstReport) {
    // A first report already below alerts; assets without a threshold never do.
    const auto a = m_.on_account_update(
        update({{btc, "0.001"_d, "0"_d}, {usdt, "5000"_d, "0"_d}, {asset::truncating("ETH"), "0"_d, "0"_d}}));
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].name, btc);
    ASSERT_NE(m_.find(asset::truncating("ETH")), nullptr);
}

TEST_F(BalanceMonitorTest, balanceUpdateMovesFreeAndAlerts) {
    (void)m_.set_balance({btc, "0.02"_d, "0"_d});
    balance_update w;
    w.name = btc;
    w.delta = "-0.015"_d;
    const auto a = m_.on_balance_update(w);
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].total, "0.005"_d);
    EXPECT_EQ(m_.find(btc)->free, "0.005"_d);
    w.delta = "1"_d;
    EXPECT_TRUE(m_.on_balance_update(w).empty());
    EXPECT_EQ(m_.find(btc)->free, "1.005"_d);
}

} // namespace
