#include "genesis/ws/backoff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace genesis::ws {
namespace {

using namespace std::chrono_literals;

class BackoffTest : public ::testing::Test {
protected:
    backoff_policy policy{100ms, 2s, 2.0};
};

TEST_F(BackoffTest, ceilingGrowsExponentiallyAndCaps) {
    backoff b(policy, 1);
    const std::vector<nanos> expected{100ms, 200ms, 400ms, 800ms, 1600ms, 2s, 2s, 2s};
    for (const auto want : expected) {
        EXPECT_EQ(b.ceiling(), want);
        (void)b.next();
    }
    EXPECT_EQ(b.attempts(), expected.size());
    b.reset();
    EXPECT_EQ(b.attempts(), 0u);
    EXPECT_EQ(b.ceiling(), 100ms);
}

TEST_F(BackoffTest, nextStaysWithinFullJitterBounds) {
    backoff b(policy, 42);
    for (int i = 0; i < 200; ++i) {
        const auto cap = b.ceiling();
        const auto d = b.next();
        ASSERT_GE(d, nanos{0});
        ASSERT_LE(d, cap);
    }
}

TEST_F(BackoffTest, nextSpreadsOverTheWholeRange) {
    // Full jitter: at a fixed ceiling, draws cover [0, ceiling], not just its upper half.
    backoff b({1s, 1s, 2.0}, 7);
    nanos lo = 1s, hi = 0s;
    double sum = 0;
    const int n = 2000;
    for (int i = 0; i < n; ++i) {
        const auto d = b.next();
        lo = std::min(lo, d);
        hi = std::max(hi, d);
        sum += static_cast<double>(d.count());
    }
    EXPECT_LT(lo, 10ms);
    EXPECT_GT(hi, 990ms);
    EXPECT_NEAR(sum / n / 1e9, 0.5, 0.05);
}

TEST_F(BackoffTest, nextIsDeterministicForASeed) {
    backoff a(policy, 123), b(policy, 123), c(policy, 124);
    bool differs = false;
    for (int i = 0; i < 20; ++i) {
        const auto x = a.next();
        EXPECT_EQ(x, b.next());
        differs = differs || x != c.next();
    }
    EXPECT_TRUE(differs);
}

TEST_F(BackoffTest, nextUsesTheInjectedRandomSource) {
    backoff top(policy, [] { return ~std::uint64_t{0}; });
    backoff bottom(policy, [] { return std::uint64_t{0}; });
    // 2^64-1 mod (c+1) for c = 100ms in ns: a known answer, inside the bounds.
    const auto c = static_cast<std::uint64_t>(nanos(100ms).count());
    EXPECT_EQ(top.next().count(), static_cast<std::int64_t>(~std::uint64_t{0} % (c + 1)));
    EXPECT_EQ(bottom.next(), nanos{0});
    EXPECT_EQ(bottom.ceiling(), 200ms);
}

TEST_F(BackoffTest, ceilingSurvivesLongOutages) {
    backoff b({1ms, 30s, 10.0}, 1);
    for (int i = 0; i < 5000; ++i)
        ASSERT_LE(b.next(), 30s);
    EXPECT_EQ(b.ceiling(), 30s);
    backoff zero({0ms, 0ms, 2.0}, 1);
    EXPECT_EQ(zero.next(), nanos{0});
}

} // namespace
} // namespace genesis::ws
