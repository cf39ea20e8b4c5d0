#include "genesis/resilience/hedge_budget.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace genesis::resilience {
namespace {

using namespace std::chrono_literals;

class HedgeBudgetTest : public ::testing::Test {
protected:
    manual_clock clock_;
};

TEST_F(HedgeBudgetTest, trySpendFloorAllowsQuietHedging) {
    hedge_budget b(clock_, {0.1, 0.5, 10s, 10}); // floor 0.5/s over 10 s = 5
    for (int i = 0; i < 5; ++i)
        EXPECT_TRUE(b.try_spend()) << i;
    EXPECT_FALSE(b.try_spend());
    EXPECT_DOUBLE_EQ(b.available(), 0.0);
}

TEST_F(HedgeBudgetTest, trySpendRatioOfPrimaries) {
    hedge_budget b(clock_, {0.1, 0.0, 10s, 10});
    EXPECT_FALSE(b.try_spend());
    for (int i = 0; i < 29; ++i)
        b.record_primary();
    EXPECT_TRUE(b.try_spend());
    EXPECT_TRUE(b.try_spend());
    EXPECT_FALSE(b.try_spend()); // 2.9 allowed: a third would exceed it
    b.record_primary();
    EXPECT_TRUE(b.try_spend());
    EXPECT_FALSE(b.try_spend());
}

TEST_F(HedgeBudgetTest, trySpendWindowSlides) {
    hedge_budget b(clock_, {0.5, 0.0, 10s, 10});
    for (int i = 0; i < 4; ++i)
        b.record_primary();
    EXPECT_TRUE(b.try_spend());
    EXPECT_TRUE(b.try_spend());
    EXPECT_FALSE(b.try_spend());
    clock_.advance(9s);
    EXPECT_FALSE(b.try_spend()); // still in the window
    clock_.advance(1s);
    // Everything aged out: no primaries, no extras.
    EXPECT_FALSE(b.try_spend());
    b.record_primary();
    b.record_primary();
    EXPECT_TRUE(b.try_spend());
}

} // namespace
} // namespace genesis::resilience
