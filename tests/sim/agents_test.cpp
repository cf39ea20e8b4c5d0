#include "genesis/sim/market_maker_agents.hpp"

#include "sim_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>

using namespace genesis;
using namespace genesis::sim;
using namespace genesis::sim::test;

namespace {

struct run_log {
    std::vector<trade> trades;
    std::vector<book_delta> diffs;
    book_snapshot final_btc;
};

bool same_trades(const std::vector<trade>& a, const std::vector<trade>& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].sym != b[i].sym || a[i].trade_id != b[i].trade_id || a[i].price != b[i].price ||
            a[i].quantity != b[i].quantity || a[i].buyer_is_maker != b[i].buyer_is_maker ||
            a[i].trade_time != b[i].trade_time)
            return false;
    }
    return true;
}

bool same_diffs(const std::vector<book_delta>& a, const std::vector<book_delta>& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].sym != b[i].sym || a[i].first_update_id != b[i].first_update_id ||
            a[i].last_update_id != b[i].last_update_id || a[i].bids != b[i].bids || a[i].asks != b[i].asks)
            return false;
    }
    return true;
}

class MarketMakerAgentsTest : public ::testing::Test {
protected:
    // Runs the default market for `seconds` in 100 ms steps and records what it printed.
    static run_log run(std::uint64_t seed, int seconds) {
        manual_clock clock;
        auto cfg = default_config();
        cfg.agents.seed = seed;
        exchange ex{cfg, clock};
        recorder rec;
        ex.subscribe(&rec);
        for (int i = 0; i < seconds * 10; ++i) {
            clock.advance(std::chrono::milliseconds{100});
            ex.advance_to(clock.wall());
        }
        ex.unsubscribe(&rec);
        run_log log{rec.trades, rec.diffs, *ex.depth(btc, 0)};
        return log;
    }
};

TEST_F(MarketMakerAgentsTest, sameSeedGivesSameMarket) {
    const auto a = run(42, 60);
    const auto b = run(42, 60);
    EXPECT_GT(a.trades.size(), 20u);
    EXPECT_GT(a.diffs.size(), 200u);
    EXPECT_TRUE(same_trades(a.trades, b.trades));
    EXPECT_TRUE(same_diffs(a.diffs, b.diffs));
    EXPECT_EQ(a.final_btc.bids, b.final_btc.bids);
    EXPECT_EQ(a.final_btc.asks, b.final_btc.asks);
}

TEST_F(MarketMakerAgentsTest, differentSeedGivesDifferentMarket) {
    const auto a = run(1, 20);
    const auto b = run(2, 20);
    EXPECT_FALSE(same_trades(a.trades, b.trades));
}

TEST_F(MarketMakerAgentsTest, ordersStayOnTheGridAndDiffsChain) {
    manual_clock clock;
    exchange ex{default_config(), clock};
    recorder rec;
    ex.subscribe(&rec);
    book_snapshot btc_book = *ex.depth(btc, 0);
    for (int i = 0; i < 300; ++i) {
        clock.advance(std::chrono::milliseconds{100});
        ex.advance_to(clock.wall());
    }
    ex.unsubscribe(&rec);
    const instrument& inst = *ex.find_instrument(btc);
    std::uint64_t prev = btc_book.last_update_id;
    for (const auto& d : rec.diffs) {
        if (d.sym != btc)
            continue;
        ASSERT_EQ(d.first_update_id, prev + 1);
        prev = d.last_update_id;
        apply_delta(btc_book, d);
    }
    EXPECT_EQ(btc_book.bids, ex.depth(btc, 0)->bids);
    EXPECT_EQ(btc_book.asks, ex.depth(btc, 0)->asks);
    for (const auto& t : rec.trades) {
        const instrument& ti = *ex.find_instrument(t.sym);
        EXPECT_TRUE(t.price.is_multiple_of(ti.tick_size));
        EXPECT_TRUE(t.quantity.is_multiple_of(ti.step_size));
        EXPECT_LE(t.trade_time, clock.wall());
    }
    for (const auto& l : btc_book.bids)
        EXPECT_TRUE(l.price.is_multiple_of(inst.tick_size));
    // The agents' own orders never pile up as records: their account keeps no history.
    EXPECT_TRUE(ex.order_records(ex.agents_account()).empty());
    EXPECT_GT(ex.stats().by_account.at(ex.agents_account()).accepted, 150u);
    EXPECT_EQ(ex.stats().by_account.at(ex.agents_account()).rejected, 0u);
}

TEST_F(MarketMakerAgentsTest, longGapIsCappedNotReplayed) {
    manual_clock clock;
    auto cfg = default_config();
    cfg.agents.max_actions_per_advance = 50;
    exchange ex{cfg, clock};
    ex.advance_to(clock.wall());
    const auto before = ex.stats().total.received;
    clock.advance(std::chrono::hours{24});
    ex.advance_to(clock.wall());
    const auto after = ex.stats().total.received;
    // Two markets, at most 50 actions each (a cancel burst may add a few orders' worth).
    EXPECT_LE(after - before, 2u * 50u);
    EXPECT_GT(after - before, 0u);
}

TEST_F(MarketMakerAgentsTest, noAgentsWithoutMarkets) {
    manual_clock clock;
    exchange ex{small_config(), clock};
    EXPECT_EQ(ex.agents_account(), 0u);
    ex.advance_to(clock.wall() + std::chrono::seconds{10});
    EXPECT_EQ(ex.stats().total.received, 0u);
}

} // namespace
