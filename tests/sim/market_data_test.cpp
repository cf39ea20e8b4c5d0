#include "genesis/sim/market_data.hpp"

#include "sim_test_support.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace genesis;
using namespace genesis::sim;
using namespace genesis::sim::test;

namespace {

class MarketDataTest : public ::testing::Test {
protected:
    manual_clock clock_;
    exchange ex_{small_config(), clock_};
    recorder rec_;

    void SetUp() override { ex_.subscribe(&rec_); }
    void TearDown() override { ex_.unsubscribe(&rec_); }

    // A deterministic storm of limit, IOC, market orders and cancels from two accounts.
    void churn(int n, std::uint64_t seed) {
        std::mt19937_64 rng(seed);
        std::vector<std::pair<account_id, std::uint64_t>> placed;
        for (int i = 0; i < n; ++i) {
            const account_id acc = 1 + static_cast<account_id>(rng() % 2);
            const side s = rng() % 2 ? side::buy : side::sell;
            const auto kind = rng() % 10;
            if (kind < 2 && !placed.empty()) {
                const auto [a, id] = placed[rng() % placed.size()];
                cancel_request c;
                c.sym = btc;
                c.order_id = id;
                (void)ex_.cancel_order(a, c); // may already be gone: -2011 is fine
                continue;
            }
            const decimal qty = decimal::from_raw(static_cast<std::int64_t>(1'000 + rng() % 20'000) * 1'000);
            if (kind < 3) {
                (void)ex_.new_order(acc, market_qty(s, qty));
                continue;
            }
            const std::int64_t ticks = 6'000'000 + static_cast<std::int64_t>(rng() % 200) - 100;
            const decimal px = decimal::from_raw(ticks * 1'000'000);
            const auto tif = kind < 4 ? time_in_force::ioc : time_in_force::gtc;
            if (auto r = ex_.new_order(acc, limit(s, px, qty, tif)); r && r->order.is_working)
                placed.emplace_back(acc, r->order.order_id);
        }
    }
};

TEST_F(MarketDataTest, depthDiffsChainAndReplayToTheBook) {
    auto book = ex_.depth(btc, 0);
    ASSERT_TRUE(book);
    EXPECT_EQ(book->last_update_id, 0u);
    churn(2000, 7);
    ASSERT_FALSE(rec_.diffs.empty());
    std::uint64_t prev = book->last_update_id;
    for (const auto& d : rec_.diffs) {
        ASSERT_EQ(d.sym, btc);
        ASSERT_EQ(d.first_update_id, prev + 1);
        ASSERT_GE(d.last_update_id, d.first_update_id);
        prev = d.last_update_id;
        apply_delta(*book, d);
    }
    const auto truth = ex_.depth(btc, 0);
    ASSERT_TRUE(truth);
    EXPECT_EQ(truth->last_update_id, prev);
    EXPECT_EQ(book->bids, truth->bids);
    EXPECT_EQ(book->asks, truth->asks);
    EXPECT_GT(ex_.stats().trades, 100u);
}

TEST_F(MarketDataTest, snapshotMidStreamAgreesWithFollowingDiffs) {
    churn(500, 11);
    auto book = ex_.depth(btc, 0);
    ASSERT_TRUE(book);
    ASSERT_FALSE(rec_.diffs.empty());
    EXPECT_EQ(book->last_update_id, rec_.diffs.back().last_update_id);
    rec_.clear();
    churn(500, 12);
    ASSERT_FALSE(rec_.diffs.empty());
    EXPECT_EQ(rec_.diffs.front().first_update_id, book->last_update_id + 1);
    for (const auto& d : rec_.diffs)
        apply_delta(*book, d);
    EXPECT_EQ(book->bids, ex_.depth(btc, 0)->bids);
    EXPECT_EQ(book->asks, ex_.depth(btc, 0)->asks);
}

TEST_F(MarketDataTest, accumulatedWindowsReplayToTheBook) {
    auto book = ex_.depth(btc, 0);
    ASSERT_TRUE(book);
    churn(1000, 3);
    // Windows of 7 diffs, as a 100 ms aggregation would make them.
    depth_accumulator acc;
    std::uint64_t prev = 0;
    for (std::size_t i = 0; i < rec_.diffs.size(); ++i) {
        acc.add(rec_.diffs[i]);
        if (i % 7 == 6 || i + 1 == rec_.diffs.size()) {
            auto merged = acc.take();
            ASSERT_TRUE(merged);
            ASSERT_EQ(merged->first_update_id, prev + 1);
            prev = merged->last_update_id;
            apply_delta(*book, *merged);
            EXPECT_TRUE(acc.empty());
        }
    }
    EXPECT_FALSE(acc.take());
    EXPECT_EQ(book->bids, ex_.depth(btc, 0)->bids);
    EXPECT_EQ(book->asks, ex_.depth(btc, 0)->asks);
}

TEST_F(MarketDataTest, depthLimitAndOrdering) {
    for (int i = 0; i < 5; ++i) {
        (void)ex_.new_order(1, limit(side::buy, decimal::from_raw((59'000 + i) * decimal::one_raw), "0.01"_d));
        (void)ex_.new_order(2, limit(side::sell, decimal::from_raw((61'000 - i) * decimal::one_raw), "0.01"_d));
    }
    auto d = ex_.depth(btc, 3);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->bids.size(), 3u);
    ASSERT_EQ(d->asks.size(), 3u);
    EXPECT_EQ(d->bids[0].price, "59004"_d);
    EXPECT_EQ(d->bids[2].price, "59002"_d);
    EXPECT_EQ(d->asks[0].price, "60996"_d);
    EXPECT_EQ(d->asks[2].price, "60998"_d);
    EXPECT_EQ(d->last_update_id, 10u);
    EXPECT_EQ(rec_.tickers.size(), 10u);
}

TEST(DepthAccumulatorTest, mergeKeepsLatestQuantityPerLevel) {
    depth_accumulator acc;
    book_delta a;
    a.first_update_id = 5;
    a.last_update_id = 6;
    a.bids = {{"100"_d, "1"_d}};
    a.asks = {{"101"_d, "2"_d}};
    book_delta b;
    b.first_update_id = 7;
    b.last_update_id = 9;
    b.bids = {{"100"_d, "0"_d}, {"99"_d, "3"_d}};
    acc.add(a);
    acc.add(b);
    auto m = acc.take();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->first_update_id, 5u);
    EXPECT_EQ(m->last_update_id, 9u);
    EXPECT_EQ(m->bids, (std::vector<book_level>{{"100"_d, "0"_d}, {"99"_d, "3"_d}}));
    EXPECT_EQ(m->asks, (std::vector<book_level>{{"101"_d, "2"_d}}));
    EXPECT_TRUE(acc.empty());
}

} // namespace
