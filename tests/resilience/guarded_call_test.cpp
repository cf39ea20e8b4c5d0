#include "genesis/resilience/guarded_call.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <optional>

namespace genesis::resilience {
namespace {

using namespace std::chrono_literals;

class GuardedCallTest : public ::testing::Test {
protected:
    net::io_context ioc_;
    manual_clock clock_;
    manual_timer_service timers_{clock_};
    int live_calls_ = 0;
    std::optional<error_code> live_saw_;

    void run() {
        ioc_.restart();
        ioc_.poll();
    }
    void advance(nanos d) {
        timers_.advance(d);
        run();
    }

    // A live operation answering `value` (or `ec`) after `delay` of manual time.
    live_fn<int> live(nanos delay, int value, error_code ec = {}) {
        return [this, delay, value, ec]() -> net::awaitable<result<int>> {
            ++live_calls_;
            const auto wait_ec = co_await timers_.wait(delay);
            live_saw_ = wait_ec;
            if (wait_ec)
                co_return wait_ec;
            if (ec)
                co_return ec;
            co_return value;
        };
    }

    std::shared_ptr<std::optional<outcome<int>>> start(circuit_breaker& b, live_fn<int> op, fallback_fn<int> fb = {}) {
        auto out = std::make_shared<std::optional<outcome<int>>>();
        net::co_spawn(ioc_, guarded_call<int>(b, timers_, clock_, std::move(op), std::move(fb)),
                      [out](std::exception_ptr ep, outcome<int> o) {
                          ASSERT_FALSE(ep);
                          out->emplace(std::move(o));
                      });
        run();
        return out;
    }

    static fallback_fn<int> cached(int v) {
        return [v] { return std::optional<int>(v); };
    }

    void trip(circuit_breaker& b) {
        b.record_failure(b.acquire(), failure_kind::error);
        b.record_failure(b.acquire(), failure_kind::error);
    }
};

breaker_options essential() {
    breaker_options o;
    o.is_essential = true;
    return o;
}

TEST_F(GuardedCallTest, callClosedSuccessIsLive) {
    circuit_breaker b(clock_);
    auto out = start(b, live(10ms, 7), cached(1));
    EXPECT_FALSE(out->has_value());
    advance(10ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->kind(), outcome_kind::live);
    EXPECT_TRUE((*out)->is_live());
    EXPECT_EQ((*out)->value(), 7);
    EXPECT_FALSE((*out)->error());
    EXPECT_EQ(b.stats().last_latency, 10ms);
    EXPECT_EQ(timers_.pending(), 0U);
}

TEST_F(GuardedCallTest, callOpenWithoutFallbackIsRejected) {
    circuit_breaker b(clock_);
    trip(b);
    auto out = start(b, live(0ms, 7));
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->kind(), outcome_kind::rejected);
    EXPECT_FALSE((*out)->has_value());
    EXPECT_EQ((*out)->error(), errc::rejected);
    EXPECT_EQ(live_calls_, 0);
}

TEST_F(GuardedCallTest, callOpenWithFallbackIsMarkedFallback) {
    circuit_breaker b(clock_);
    trip(b);
    auto out = start(b, live(0ms, 7), cached(3));
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->kind(), outcome_kind::fallback);
    EXPECT_FALSE((*out)->is_live());
    EXPECT_EQ((*out)->value(), 3);
    EXPECT_EQ((*out)->error(), errc::rejected);
    EXPECT_EQ(live_calls_, 0);
}

TEST_F(GuardedCallTest, callEmptyFallbackCountsAsNone) {
    circuit_breaker b(clock_);
    trip(b);
    auto out = start(b, live(0ms, 7), [] { return std::optional<int>(); });
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->kind(), outcome_kind::rejected);
}

TEST_F(GuardedCallTest, callFailureReportsErrorOrFallback) {
    const error_code boom = net::error::connection_refused;
    circuit_breaker b(clock_);
    auto failed = start(b, live(0ms, 0, boom));
    ASSERT_TRUE(failed->has_value());
    EXPECT_EQ((*failed)->kind(), outcome_kind::failed);
    EXPECT_EQ((*failed)->error(), boom);

    auto fb = start(b, live(0ms, 0, boom), cached(5));
    ASSERT_TRUE(fb->has_value());
    EXPECT_EQ((*fb)->kind(), outcome_kind::fallback);
    EXPECT_EQ((*fb)->value(), 5);
    EXPECT_EQ((*fb)->error(), boom);
    EXPECT_EQ(b.state(), breaker_state::open);
}

TEST_F(GuardedCallTest, callClosedUsesAdaptiveTimeout) {
    circuit_breaker b(clock_);
    auto out = start(b, live(1s, 7));
    advance(499ms);
    EXPECT_FALSE(out->has_value());
    advance(1ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->kind(), outcome_kind::timed_out);
    EXPECT_EQ((*out)->error(), errc::timed_out);
    ASSERT_TRUE(live_saw_.has_value());
    EXPECT_EQ(*live_saw_, net::error::operation_aborted);
    EXPECT_EQ(b.stats().timeouts, 1U);
    EXPECT_EQ(timers_.pending(), 0U);
}

class GuardedCallEternalTest : public GuardedCallTest {
protected:
    circuit_breaker b_{clock_, essential()};
    void SetUp() override {
        trip(b_);
        ASSERT_EQ(b_.state(), breaker_state::eternal);
    }
};

TEST_F(GuardedCallEternalTest, callLiveInTimeWins) {
    int fallback_calls = 0;
    auto out = start(b_, live(199ms, 7), [&] {
        ++fallback_calls;
        return std::optional<int>(1);
    });
    // The fallback is prepared while the live attempt runs.
    EXPECT_EQ(fallback_calls, 1);
    advance(199ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->kind(), outcome_kind::live);
    EXPECT_EQ((*out)->value(), 7);
    EXPECT_EQ(b_.degradation_level(), 15);
}

TEST_F(GuardedCallEternalTest, callLateLiveLosesToFallback) {
    auto out = start(b_, live(250ms, 7), cached(1));
    advance(199ms);
    EXPECT_FALSE(out->has_value());
    advance(1ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->kind(), outcome_kind::fallback);
    EXPECT_EQ((*out)->value(), 1);
    EXPECT_EQ((*out)->error(), errc::timed_out);
    ASSERT_TRUE(live_saw_.has_value());
    EXPECT_EQ(*live_saw_, net::error::operation_aborted);
    EXPECT_EQ(b_.degradation_level(), 25);
    EXPECT_EQ(b_.state(), breaker_state::eternal);
    EXPECT_EQ(timers_.pending(), 0U);
}

TEST_F(GuardedCallEternalTest, callTimeoutWithoutFallbackIsTimedOut) {
    auto out = start(b_, live(1s, 7));
    advance(200ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->kind(), outcome_kind::timed_out);
    EXPECT_FALSE((*out)->has_value());
}

TEST_F(GuardedCallEternalTest, callErrorServesFallbackAndAddsTwo) {
    auto out = start(b_, live(5ms, 0, net::error::connection_reset), cached(1));
    advance(5ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->kind(), outcome_kind::fallback);
    EXPECT_EQ((*out)->error(), net::error::connection_reset);
    EXPECT_EQ(b_.degradation_level(), 22);
}

TEST_F(GuardedCallEternalTest, callThreeLiveSuccessesClose) {
    for (int i = 0; i < 3; ++i) {
        auto out = start(b_, live(1ms, i), cached(-1));
        advance(1ms);
        ASSERT_TRUE(out->has_value());
        EXPECT_TRUE((*out)->is_live());
    }
    EXPECT_EQ(b_.state(), breaker_state::closed);
    EXPECT_EQ(b_.degradation_level(), 5);
}

TEST(OutcomeTest, toStringNamesEveryKind) {
    EXPECT_EQ(to_string(outcome_kind::live), "live");
    EXPECT_EQ(to_string(outcome_kind::fallback), "fallback");
    EXPECT_EQ(to_string(outcome_kind::rejected), "rejected");
    EXPECT_EQ(to_string(outcome_kind::failed), "failed");
    EXPECT_EQ(to_string(outcome_kind::timed_out), "timed_out");
}

} // namespace
} // namespace genesis::resilience
