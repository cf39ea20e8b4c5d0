#include "genesis/rest/rate_limiter.hpp"

#include "genesis/rest/http_error.hpp"

#include <gtest/gtest.h>

namespace genesis::rest {
namespace {

using namespace std::chrono_literals;

// 1'700'000'040 s is a whole minute: the test starts at the beginning of a window.
constexpr time_point minute_start{1'700'000'040'000'000'000};

class RateLimiterTest : public ::testing::Test {
protected:
    manual_clock clk{time_point{0}, minute_start};

    rate_limit_options limit(std::int64_t w) {
        rate_limit_options o;
        o.weight_limit = w;
        return o;
    }
};

TEST_F(RateLimiterTest, tryAcquireThrottlesAt80Percent) {
    rate_limiter rl(clk, limit(100));
    EXPECT_EQ(rl.threshold(), 80);
    for (int i = 0; i < 16; ++i)
        ASSERT_TRUE(rl.try_acquire(5).admitted) << i;
    EXPECT_EQ(rl.used(), 80);
    const admission a = rl.try_acquire(1);
    EXPECT_FALSE(a.admitted);
    EXPECT_EQ(a.reason, http_errc::throttled);
    EXPECT_EQ(a.reason, http_condition::rate_limit);
    EXPECT_EQ(a.wait, 60s);
    EXPECT_EQ(rl.stats().throttled, 1u);
}

TEST_F(RateLimiterTest, tryAcquireWaitsForTheRestOfTheWindow) {
    rate_limiter rl(clk, limit(10));
    ASSERT_TRUE(rl.try_acquire(8).admitted);
    clk.advance(15s);
    const admission a = rl.try_acquire(1);
    EXPECT_FALSE(a.admitted);
    EXPECT_EQ(a.wait, 45s);
}

TEST_F(RateLimiterTest, tryAcquireWindowRollResetsUsedWeight) {
    rate_limiter rl(clk, limit(10));
    ASSERT_TRUE(rl.try_acquire(8).admitted);
    EXPECT_FALSE(rl.try_acquire(1).admitted);
    clk.advance(59'999ms);
    EXPECT_FALSE(rl.try_acquire(1).admitted);
    clk.advance(1ms);
    EXPECT_EQ(rl.used(), 0);
    EXPECT_TRUE(rl.try_acquire(8).admitted);
    EXPECT_EQ(rl.used(), 8);
}

TEST_F(RateLimiterTest, aRefundComesOffTheWindowThatHeldItAndNoOther) {
    rate_limiter rl(clk, limit(10));
    const admission old = rl.try_acquire(3);
    ASSERT_TRUE(old.admitted);
    const admission same = rl.try_acquire(2);
    ASSERT_TRUE(same.admitted);
    rl.refund(2, same);
    EXPECT_EQ(rl.used(), 3);
    // The window rolls; the new one counts 4 requests of its own.
    clk.advance(60s);
    ASSERT_TRUE(rl.try_acquire(4).admitted);
    // The old window's reservation is given back: the new window never held it.
    rl.refund(3, old);
    EXPECT_EQ(rl.used(), 4);
    // A refusal holds nothing to give back.
    rl.refund(5, admission{});
    EXPECT_EQ(rl.used(), 4);
}

TEST_F(RateLimiterTest, anOrderRefundedAfterTheTenSecondRollComesOffTheDayOnly) {
    order_count_limiter oc(clk, {10, 1.0, 10s}, {100, 1.0, 24h});
    const admission old = oc.try_acquire();
    ASSERT_TRUE(old.admitted);
    clk.advance(10s);
    ASSERT_TRUE(oc.try_acquire().admitted);
    EXPECT_EQ(oc.used_10s(), 1);
    EXPECT_EQ(oc.used_1d(), 2);
    EXPECT_EQ(oc.in_flight(), 2);
    oc.refund(old);
    EXPECT_EQ(oc.used_10s(), 1); // the new 10 s window's own order stays counted
    EXPECT_EQ(oc.used_1d(), 1);  // the day still held it
    EXPECT_EQ(oc.in_flight(), 1);
    // Held over a roll again, and this time the venue's count of the new window comes while it is
    // in flight: the count holds it (venue + in flight), so its refund comes off there.
    const admission held = oc.try_acquire();
    ASSERT_TRUE(held.admitted);
    clk.advance(10s);
    oc.on_counts(4, 6);
    EXPECT_EQ(oc.used_10s(), 6); // 4 + the 2 in flight
    oc.refund(held);
    EXPECT_EQ(oc.used_10s(), 5);
    EXPECT_EQ(oc.used_1d(), 7);
    EXPECT_EQ(oc.in_flight(), 1);
}

TEST_F(RateLimiterTest, tryAcquireRefusesWeightAboveThreshold) {
    rate_limiter rl(clk, limit(100));
    const admission a = rl.try_acquire(81);
    EXPECT_FALSE(a.admitted);
    EXPECT_EQ(a.reason, http_errc::weight_over_limit);
    EXPECT_EQ(a.wait, 0ns);
    EXPECT_TRUE(rl.try_acquire(80).admitted);
}

TEST_F(RateLimiterTest, tryAcquireUnlimitedWhenLimitIsZero) {
    rate_limiter rl(clk, limit(0));
    for (int i = 0; i < 1000; ++i)
        ASSERT_TRUE(rl.try_acquire(250).admitted);
}

TEST_F(RateLimiterTest, onResponseTakesTheVenuesHigherCount) {
    rate_limiter rl(clk, limit(100));
    ASSERT_TRUE(rl.try_acquire(10).admitted);
    // Another process on the same IP used weight too: the header is authoritative when higher.
    rl.on_response(200, 70, std::nullopt);
    EXPECT_EQ(rl.used(), 70);
    EXPECT_TRUE(rl.try_acquire(10).admitted);
    EXPECT_FALSE(rl.try_acquire(1).admitted);
    // A lower (older) count never lowers ours.
    rl.on_response(200, 5, std::nullopt);
    EXPECT_EQ(rl.used(), 80);
}

TEST_F(RateLimiterTest, onResponse429PausesEveryRequestForRetryAfter) {
    rate_limiter rl(clk, limit(6000));
    rl.on_response(429, 10, 7s);
    EXPECT_TRUE(rl.paused());
    admission a = rl.try_acquire(1);
    EXPECT_FALSE(a.admitted);
    EXPECT_EQ(a.reason, http_errc::paused);
    EXPECT_EQ(a.wait, 7s);
    clk.advance(6s);
    a = rl.try_acquire(1);
    EXPECT_FALSE(a.admitted);
    EXPECT_EQ(a.wait, 1s);
    clk.advance(1s);
    EXPECT_FALSE(rl.paused());
    EXPECT_TRUE(rl.try_acquire(1).admitted);
    EXPECT_EQ(rl.stats().responses_429, 1u);
    EXPECT_EQ(rl.stats().paused, 2u);
}

TEST_F(RateLimiterTest, onResponse429WithoutRetryAfterPausesUntilWindowRolls) {
    rate_limiter rl(clk, limit(6000));
    clk.advance(20s);
    rl.on_response(429, std::nullopt, std::nullopt);
    EXPECT_EQ(rl.try_acquire(1).wait, 40s);
}

TEST_F(RateLimiterTest, onResponse418BansForRetryAfterOrTwoMinutes) {
    rate_limiter rl(clk, limit(6000));
    rl.on_response(418, std::nullopt, std::nullopt);
    admission a = rl.try_acquire(1);
    EXPECT_EQ(a.reason, http_errc::banned);
    EXPECT_EQ(a.wait, 2min);
    // A later, shorter 429 never shortens the ban.
    rl.on_response(429, std::nullopt, 1s);
    a = rl.try_acquire(1);
    EXPECT_EQ(a.reason, http_errc::banned);
    EXPECT_EQ(a.wait, 2min);
    clk.advance(2min);
    EXPECT_TRUE(rl.try_acquire(1).admitted);
    // After the ban expired, a 429 is a plain pause again.
    rl.on_response(429, std::nullopt, 3s);
    EXPECT_EQ(rl.try_acquire(1).reason, http_errc::paused);
    rl.on_response(418, std::nullopt, 3600s);
    EXPECT_EQ(rl.try_acquire(1).wait, 3600s);
}

TEST_F(RateLimiterTest, setVenueOffsetAlignsWindowsWithTheVenue) {
    rate_limiter rl(clk, limit(10));
    // The venue's clock is 30 s ahead: its minute rolls 30 s from now.
    rl.set_venue_offset(30s);
    ASSERT_TRUE(rl.try_acquire(8).admitted);
    EXPECT_EQ(rl.try_acquire(1).wait, 30s);
    clk.advance(30s);
    EXPECT_TRUE(rl.try_acquire(8).admitted);
}

TEST_F(RateLimiterTest, setWeightLimitFromExchangeInfo) {
    rate_limiter rl(clk, limit(6000));
    EXPECT_EQ(rl.threshold(), 4800);
    rl.set_weight_limit(1200);
    EXPECT_EQ(rl.threshold(), 960);
}

// Order counts: ours per placement while in flight, the venue's once answered (lower too: a fill
// takes one off an unfilled-order count), its limits when it says them; the 10 s window rolls.
TEST_F(RateLimiterTest, orderCountsStopPlacementsAtTheVenuesLimitUntilTheWindowRolls) {
    order_count_limiter oc(clk);
    EXPECT_EQ(oc.limit_10s(), 50);
    EXPECT_EQ(oc.limit_1d(), 160'000);
    oc.set_limits(3, 5);
    EXPECT_EQ(oc.limit_10s(), 3);
    EXPECT_EQ(oc.limit_1d(), 5);
    ASSERT_TRUE(oc.try_acquire().admitted);
    EXPECT_EQ(oc.in_flight(), 1);
    // Answered: the venue counts 3 (other sessions of the account too).
    oc.settle();
    oc.on_counts(3, 3);
    EXPECT_EQ(oc.used_10s(), 3);
    EXPECT_EQ(oc.in_flight(), 0);
    const admission a = oc.try_acquire();
    EXPECT_FALSE(a.admitted);
    EXPECT_EQ(a.reason, http_errc::throttled);
    EXPECT_EQ(a.wait, 10s); // the test starts on a 10 s boundary
    EXPECT_EQ(oc.refused(), 1u);
    EXPECT_EQ(oc.used_1d(), 3); // refused by the 10 s window: not counted in the day either
    EXPECT_EQ(oc.in_flight(), 0);
    // A fill takes one off: room again.
    oc.on_counts(2, 2);
    const admission ours = oc.try_acquire();
    ASSERT_TRUE(ours.admitted);
    EXPECT_EQ(oc.used_10s(), 3);
    // Another answer while ours is in flight: the venue's 2 plus ours.
    oc.on_counts(2, 2);
    EXPECT_EQ(oc.used_10s(), 3);
    // Ours was never sent after all.
    oc.refund(ours);
    EXPECT_EQ(oc.used_10s(), 2);
    EXPECT_EQ(oc.used_1d(), 2);
    EXPECT_EQ(oc.in_flight(), 0);
    // The next 10 s window; the day's count goes on.
    clk.advance(10s);
    EXPECT_EQ(oc.used_10s(), 0);
    EXPECT_EQ(oc.used_1d(), 2);
    ASSERT_TRUE(oc.try_acquire().admitted);
    oc.settle();
    oc.on_counts(std::nullopt, 5); // the day is full
    const admission day = oc.try_acquire();
    EXPECT_FALSE(day.admitted);
    EXPECT_EQ(day.reason, http_errc::throttled);
    EXPECT_EQ(oc.used_10s(), 1); // refused by the day: not counted in the 10 s window
    EXPECT_EQ(oc.used_1d(), 5);
    // Limits of 0 or absent change nothing.
    oc.set_limits(0, std::nullopt);
    EXPECT_EQ(oc.limit_10s(), 3);
}

} // namespace
} // namespace genesis::rest
