#include "genesis/core/clock.hpp"

#include <gtest/gtest.h>

using namespace genesis;
using namespace std::chrono_literals;

TEST(ClockTest, manualClockMovesOnlyWhenTold) {
    manual_clock c{time_point{1000}, time_point{5000}};
    EXPECT_EQ(c.now().ns, 1000);
    EXPECT_EQ(c.wall().ns, 5000);
    EXPECT_EQ(c.now().ns, 1000);
    c.advance(250ns);
    EXPECT_EQ(c.now().ns, 1250);
    EXPECT_EQ(c.wall().ns, 5250);
    c.set(time_point{10'000});
    EXPECT_EQ(c.now().ns, 10'000);
    EXPECT_EQ(c.wall().ns, 14'000);
}

TEST(ClockTest, timePointArithmetic) {
    const time_point a{100};
    EXPECT_EQ((a + 50ns).ns, 150);
    EXPECT_EQ((a - 50ns).ns, 50);
    EXPECT_EQ(time_point{300} - a, 200ns);
    EXPECT_LT(a, time_point{101});
}

TEST(ClockTest, realClockIsMonotonicAndWallIsRecent) {
    auto& c = real_clock::instance();
    const auto a = c.now();
    const auto b = c.now();
    EXPECT_LE(a, b);
    // After 2020-01-01 and before 2100-01-01.
    EXPECT_GT(c.wall().ns, 1'577'836'800'000'000'000);
    EXPECT_LT(c.wall().ns, 4'102'444'800'000'000'000);
}
