#include "genesis/resilience/executor.hpp"

#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace genesis::resilience {
namespace {

using namespace std::chrono_literals;

// What endpoint i does when called: answer `value` or `error` after `delay` of manual time.
struct behaviour {
    nanos delay{0};
    int value = 0;
    error_code error;

    behaviour() = default;
    behaviour(nanos d, int v, error_code e = {}) : delay(d), value(v), error(e) {}
};

class ExecutorTest : public ::testing::Test {
protected:
    net::io_context ioc_;
    manual_clock clock_;
    manual_timer_service timers_{clock_};
    predictor predictor_;
    std::vector<std::shared_ptr<circuit_breaker>> breakers_;
    std::unique_ptr<executor> exec_;
    std::vector<behaviour> script_;
    std::vector<int> calls_;
    std::map<std::size_t, error_code> saw_;
    // Every operation holds a copy: use_count() back to 1 proves no attempt frame leaked.
    std::shared_ptr<int> token_ = std::make_shared<int>(0);

    void make(std::size_t n, executor_options eo = {}, breaker_options bo = {}) {
        std::vector<endpoint> eps;
        for (std::size_t i = 0; i < n; ++i) {
            breakers_.push_back(std::make_shared<circuit_breaker>(clock_, bo, "rest-" + std::to_string(i)));
            eps.push_back({"rest-" + std::to_string(i), breakers_.back()});
        }
        script_.assign(n, {});
        calls_.assign(n, 0);
        exec_ = std::make_unique<executor>(clock_, timers_, predictor_, std::move(eps), eo);
    }

    void run() {
        ioc_.restart();
        ioc_.poll();
    }
    void advance(nanos d) {
        timers_.advance(d);
        run();
    }

    // Seeds n samples of latency l for endpoint i with `ok_percent` successes.
    void seed(std::size_t i, nanos l, int ok_percent, const char* op = "get_order", int n = 20) {
        for (int k = 0; k < n; ++k)
            predictor_.record("rest-" + std::to_string(i), op, l, k * 100 < ok_percent * n);
    }

    attempt_fn<int> scripted() {
        return [this, token = token_](std::size_t i) -> net::awaitable<result<int>> {
            ++calls_[i];
            const behaviour b = script_[i];
            const auto ec = co_await timers_.wait(b.delay);
            saw_[i] = ec;
            if (ec)
                co_return ec;
            if (b.error)
                co_return b.error;
            co_return b.value;
        };
    }

    using out_t = std::shared_ptr<std::optional<execution<int>>>;

    out_t start(call_options opt, net::cancellation_slot slot = {}) {
        auto out = std::make_shared<std::optional<execution<int>>>();
        net::co_spawn(ioc_, exec_->run<int>(std::move(opt), scripted()),
                      net::bind_cancellation_slot(slot, [out](std::exception_ptr ep, execution<int> e) {
                          ASSERT_FALSE(ep);
                          out->emplace(std::move(e));
                      }));
        run();
        return out;
    }

    static call_options read() { return {"get_order", true, std::nullopt, true, {}}; }
    static call_options place(std::optional<nanos> timeout = std::nullopt) {
        return {"place_order", false, timeout, true, {}};
    }

    // Nothing left behind: no pending timers, no queued handlers, no live attempt frames.
    void expect_clean() {
        EXPECT_EQ(timers_.pending(), 0U);
        ioc_.restart();
        ioc_.poll();
        EXPECT_TRUE(ioc_.stopped());
        EXPECT_EQ(token_.use_count(), 1);
    }

    // Endpoint 0 essential and ETERNAL with a good history, endpoint 1 healthy at 5 ms; no hedging,
    // budget for every probe. Returns the breaker options used.
    breaker_options eternal_and_healthy() {
        breaker_options bo;
        bo.is_essential = true;
        executor_options eo;
        eo.hedging = false;
        eo.budget.ratio = 1.0;
        make(2, eo, bo);
        seed(0, 1ms, 100, "get_order", 100);
        seed(1, 5ms, 100, "get_order", 100);
        trip(0);
        return bo;
    }

    void trip(std::size_t i) {
        auto& b = *breakers_[i];
        b.record_failure(b.acquire(), failure_kind::error);
        b.record_failure(b.acquire(), failure_kind::error);
        ASSERT_NE(b.state(), breaker_state::closed);
    }
};

TEST_F(ExecutorTest, runFirstAnswerWinsAndLosersAreCancelled) {
    make(3);
    for (std::size_t i = 0; i < 3; ++i)
        seed(i, 10ms, 30); // p = 0.297 -> 3 attempts
    script_ = {{50ms, 100}, {10ms, 101}, {30ms, 102}};
    auto out = start(read());
    EXPECT_EQ(calls_, (std::vector<int>{1, 1, 1}));
    advance(10ms);
    ASSERT_TRUE(out->has_value());
    const auto& e = **out;
    ASSERT_TRUE(e.value.has_value());
    EXPECT_EQ(*e.value, 101);
    EXPECT_EQ(e.endpoint, 1U);
    EXPECT_EQ(e.attempts, 3U);
    // The losers' operations saw the cancellation.
    EXPECT_EQ(saw_[0], net::error::operation_aborted);
    EXPECT_EQ(saw_[2], net::error::operation_aborted);
    EXPECT_FALSE(saw_[1]);
    // Cancelled losers are neither failures nor samples.
    EXPECT_EQ(predictor_.samples("rest-0", "get_order"), 20U);
    EXPECT_EQ(predictor_.samples("rest-1", "get_order"), 21U);
    EXPECT_EQ(predictor_.samples("rest-2", "get_order"), 20U);
    for (const auto& b : breakers_)
        EXPECT_EQ(b->stats().failures, 0U);
    EXPECT_EQ(breakers_[0]->stats().releases, 1U);
    const auto s = exec_->stats();
    EXPECT_EQ(s.calls, 1U);
    EXPECT_EQ(s.primaries, 1U);
    EXPECT_EQ(s.attempts, 3U);
    EXPECT_EQ(s.parallel_extras, 2U);
    EXPECT_EQ(s.wins, 1U);
    EXPECT_EQ(s.extra_wins, 1U);
    EXPECT_EQ(s.cancellations, 2U);
    EXPECT_EQ(s.failures, 0U);
    expect_clean();
}

TEST_F(ExecutorTest, runRanksEndpointsByPrediction) {
    make(3);
    seed(0, 600ms, 100); // 0.4
    seed(1, 10ms, 50);   // 0.495
    seed(2, 150ms, 100); // 0.85: best, so one attempt to rest-2
    script_ = {{0ms, 100}, {0ms, 101}, {0ms, 102}};
    auto out = start(read());
    run();
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ(*(*out)->value, 102);
    EXPECT_EQ(calls_, (std::vector<int>{0, 0, 1}));
    expect_clean();
}

TEST_F(ExecutorTest, runFailedAttemptDoesNotWin) {
    make(2);
    for (std::size_t i = 0; i < 2; ++i)
        seed(i, 10ms, 50); // 2 attempts
    script_ = {{0ms, 0, net::error::connection_reset}, {20ms, 7}};
    auto out = start(read());
    EXPECT_FALSE(out->has_value());
    advance(20ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ(*(*out)->value, 7);
    EXPECT_EQ((*out)->endpoint, 1U);
    EXPECT_EQ(breakers_[0]->stats().failures, 1U);
    EXPECT_EQ(predictor_.samples("rest-0", "get_order"), 21U);
    EXPECT_EQ(exec_->stats().failures, 1U);
    expect_clean();
}

TEST_F(ExecutorTest, runAllAttemptsFailReturnsError) {
    make(2);
    for (std::size_t i = 0; i < 2; ++i)
        seed(i, 10ms, 50);
    script_ = {{0ms, 0, net::error::connection_reset}, {5ms, 0, net::error::connection_refused}};
    auto out = start(read());
    advance(5ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->value.error(), net::error::connection_refused);
    EXPECT_EQ((*out)->attempts, 2U);
    EXPECT_EQ(exec_->stats().failures, 2U);
    EXPECT_EQ(exec_->stats().wins, 0U);
    expect_clean();
}

TEST_F(ExecutorTest, runIdempotentTimeoutIsTimedOut) {
    make(1);
    script_ = {{1s, 1}};
    auto opt = read();
    opt.timeout = 100ms;
    auto out = start(opt);
    advance(100ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->value.error(), errc::timed_out);
    EXPECT_EQ(saw_[0], net::error::operation_aborted);
    EXPECT_EQ(breakers_[0]->stats().timeouts, 1U);
    EXPECT_EQ(exec_->stats().timeouts, 1U);
    expect_clean();
}

TEST_F(ExecutorTest, runHedgeFiresAtP95) {
    make(2);
    seed(0, 10ms, 100); // p 0.99 -> 1 attempt, p95 10 ms
    seed(1, 10ms, 100);
    script_ = {{100ms, 100}, {5ms, 101}};
    auto out = start(read());
    EXPECT_EQ(calls_, (std::vector<int>{1, 0}));
    advance(9ms);
    EXPECT_EQ(calls_, (std::vector<int>{1, 0}));
    advance(1ms);
    EXPECT_EQ(calls_, (std::vector<int>{1, 1}));
    advance(5ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ(*(*out)->value, 101);
    EXPECT_EQ((*out)->endpoint, 1U);
    EXPECT_EQ((*out)->attempts, 2U);
    EXPECT_EQ(saw_[0], net::error::operation_aborted);
    const auto s = exec_->stats();
    EXPECT_EQ(s.hedges, 1U);
    EXPECT_EQ(s.extra_wins, 1U);
    EXPECT_EQ(s.cancellations, 1U);
    expect_clean();
}

TEST_F(ExecutorTest, runFastPrimaryCancelsPendingHedge) {
    make(2);
    seed(0, 10ms, 100);
    seed(1, 10ms, 100);
    script_ = {{5ms, 100}, {5ms, 101}};
    auto out = start(read());
    advance(5ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ(*(*out)->value, 100);
    EXPECT_EQ(calls_, (std::vector<int>{1, 0}));
    EXPECT_EQ(exec_->stats().hedges, 0U);
    EXPECT_EQ(exec_->stats().cancellations, 0U);
    expect_clean();
}

TEST_F(ExecutorTest, runNoHedgeWithoutEnoughSamples) {
    make(2);
    seed(0, 10ms, 100, "get_order", 5);
    script_ = {{50ms, 100}, {5ms, 101}};
    auto out = start(read());
    advance(50ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ(*(*out)->value, 100);
    EXPECT_EQ(calls_, (std::vector<int>{1, 0}));
    expect_clean();
}

TEST_F(ExecutorTest, runBudgetExhaustionLimitsToOneAttempt) {
    executor_options eo;
    eo.budget = {0.0, 0.1, 10s, 10}; // one extra attempt per 10 s
    make(3, eo);
    for (std::size_t i = 0; i < 3; ++i)
        seed(i, 10ms, 30); // 3 attempts wanted
    script_ = {{0ms, 100}, {0ms, 101}, {0ms, 102}};
    auto first = start(read());
    run();
    ASSERT_TRUE(first->has_value());
    EXPECT_EQ((*first)->attempts, 2U);
    auto second = start(read());
    run();
    ASSERT_TRUE(second->has_value());
    EXPECT_EQ((*second)->attempts, 1U);
    const auto s = exec_->stats();
    EXPECT_EQ(s.primaries, 2U);
    EXPECT_EQ(s.parallel_extras, 1U);
    EXPECT_EQ(s.budget_refusals, 2U);
    EXPECT_EQ(s.attempts, 3U);
    expect_clean();
}

TEST_F(ExecutorTest, runHedgeRefusedWhenBudgetSpent) {
    executor_options eo;
    eo.budget = {0.0, 0.0, 10s, 10};
    make(2, eo);
    seed(0, 10ms, 100);
    seed(1, 10ms, 100);
    script_ = {{30ms, 100}, {1ms, 101}};
    auto out = start(read());
    advance(10ms);
    EXPECT_EQ(calls_, (std::vector<int>{1, 0}));
    advance(20ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ(*(*out)->value, 100);
    EXPECT_EQ(exec_->stats().budget_refusals, 1U);
    EXPECT_EQ(exec_->stats().hedges, 0U);
    expect_clean();
}

TEST_F(ExecutorTest, runSkipsOpenEndpoints) {
    make(3);
    for (std::size_t i = 0; i < 3; ++i)
        seed(i, 10ms, 50); // 2 attempts
    trip(0);
    script_ = {{0ms, 100}, {5ms, 101}, {1ms, 102}};
    auto out = start(read());
    advance(1ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ(*(*out)->value, 102);
    EXPECT_EQ(calls_, (std::vector<int>{0, 1, 1}));
    expect_clean();
}

TEST_F(ExecutorTest, runAllEndpointsDown) {
    make(2);
    trip(0);
    trip(1);
    auto out = start(read());
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->value.error(), errc::all_endpoints_down);
    EXPECT_EQ((*out)->attempts, 0U);
    EXPECT_EQ(calls_, (std::vector<int>{0, 0}));
    EXPECT_EQ(exec_->stats().all_down, 1U);
    expect_clean();
}

TEST_F(ExecutorTest, runCancelledTrialIsReleased) {
    make(2);
    for (std::size_t i = 0; i < 2; ++i)
        seed(i, 10ms, 50); // 2 attempts
    trip(0);
    clock_.advance(300ms);
    script_ = {{50ms, 100}, {1ms, 101}};
    auto out = start(read());
    ASSERT_EQ(breakers_[0]->state(), breaker_state::half_open);
    advance(1ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ(*(*out)->value, 101);
    // The loser was the HALF_OPEN trial: released, so the next caller may try.
    EXPECT_EQ(breakers_[0]->acquire().kind, admission::trial);
    expect_clean();
}

TEST_F(ExecutorTest, runNonIdempotentSendsExactlyOneAttempt) {
    make(3);
    for (std::size_t i = 0; i < 3; ++i) {
        seed(i, 10ms, 30, "place_order"); // would be 3 attempts, and enough data to hedge
    }
    script_ = {{100ms, 100}, {0ms, 101}, {0ms, 102}};
    auto out = start(place());
    advance(100ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ(*(*out)->value, 100);
    EXPECT_EQ((*out)->attempts, 1U);
    EXPECT_EQ(calls_, (std::vector<int>{1, 0, 0}));
    EXPECT_EQ(exec_->stats().hedges, 0U);
    EXPECT_EQ(exec_->stats().parallel_extras, 0U);
    expect_clean();
}

TEST_F(ExecutorTest, runNonIdempotentTimeoutIsUnknownOutcome) {
    make(2);
    script_ = {{1s, 100}, {0ms, 101}};
    auto out = start(place(200ms));
    advance(199ms);
    EXPECT_FALSE(out->has_value());
    advance(1ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->value.error(), errc::unknown_outcome);
    EXPECT_EQ(calls_, (std::vector<int>{1, 0}));
    EXPECT_EQ(saw_[0], net::error::operation_aborted);
    EXPECT_EQ(breakers_[0]->stats().timeouts, 1U);
    EXPECT_EQ(exec_->stats().unknown_outcomes, 1U);
    expect_clean();
}

TEST_F(ExecutorTest, runNonIdempotentLostConnectionIsUnknownOutcome) {
    make(1);
    script_ = {{3ms, 0, net::error::connection_reset}};
    auto out = start(place());
    advance(3ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->value.error(), errc::unknown_outcome);
    expect_clean();
}

TEST_F(ExecutorTest, runNonIdempotentDefiniteErrorPassesThrough) {
    make(1);
    script_ = {{0ms, 0, net::error::connection_refused}};
    auto out = start(place());
    run();
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->value.error(), net::error::connection_refused);
    EXPECT_EQ(exec_->stats().unknown_outcomes, 0U);
    expect_clean();
}

TEST_F(ExecutorTest, runErrorThatIsNoEndpointFailureLeavesTheBreakerAndPredictorAlone) {
    breaker_options bo;
    bo.failure_threshold = 1;
    make(1, {}, bo);
    // A local rate limiter refused it (here: an error the caller says is no fault of the endpoint).
    const error_code throttled = make_error_code(std::errc::resource_unavailable_try_again);
    script_ = {{0ms, 0, throttled}};
    auto opt = place();
    opt.not_endpoint_failure = [throttled](const error_code& e) { return e == throttled; };
    auto out = start(opt);
    run();
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->value.error(), throttled);
    EXPECT_EQ(breakers_[0]->state(), breaker_state::closed);
    EXPECT_EQ(breakers_[0]->stats().failures, 0U);
    EXPECT_EQ(breakers_[0]->stats().releases, 1U);
    EXPECT_EQ(predictor_.samples("rest-0", "place_order"), 0U);
    // Any other error still counts: with a threshold of 1 it opens the breaker.
    script_ = {{0ms, 0, net::error::connection_refused}};
    out = start(opt);
    run();
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ(breakers_[0]->state(), breaker_state::open);
    expect_clean();
}

TEST_F(ExecutorTest, runCallerCancellation) {
    make(2);
    for (std::size_t i = 0; i < 2; ++i)
        seed(i, 10ms, 50);
    script_ = {{100ms, 1}, {100ms, 2}};
    net::cancellation_signal sig;
    auto out = start(read(), sig.slot());
    sig.emit(net::cancellation_type::terminal);
    run();
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->value.error(), errc::cancelled);
    EXPECT_EQ(saw_[0], net::error::operation_aborted);
    EXPECT_EQ(saw_[1], net::error::operation_aborted);
    EXPECT_EQ(exec_->stats().cancellations, 2U);
    expect_clean();

    // A placement already sent has an unknown outcome when its caller gives up.
    net::cancellation_signal sig2;
    auto placed = start(place(), sig2.slot());
    sig2.emit(net::cancellation_type::terminal);
    run();
    ASSERT_TRUE(placed->has_value());
    EXPECT_EQ((*placed)->value.error(), errc::unknown_outcome);
    expect_clean();
}

TEST_F(ExecutorTest, runEternalEndpointUsesShortTimeout) {
    breaker_options bo;
    bo.is_essential = true;
    make(1, {}, bo);
    trip(0);
    ASSERT_EQ(breakers_[0]->state(), breaker_state::eternal);
    script_ = {{300ms, 1}};
    auto out = start(read());
    advance(200ms);
    ASSERT_TRUE(out->has_value());
    EXPECT_EQ((*out)->value.error(), errc::timed_out);
    EXPECT_EQ(breakers_[0]->degradation_level(), 25);
    expect_clean();
}

// A failing endpoint with a long good history: once its (essential) breaker is ETERNAL, the
// primary goes to a healthy endpoint at once instead of after dozens of failures; the ETERNAL one
// gets a parallel probe once per recovery_timeout, heals with its successes and takes the lead again.
// (Here the probe is faster; see the grace tests below for a slower one.)
TEST_F(ExecutorTest, runPrefersHealthyEndpointOverEternalAndProbesItBackToClosed) {
    breaker_options bo;
    bo.is_essential = true;
    executor_options eo;
    eo.hedging = false;
    eo.budget.ratio = 1.0;
    make(2, eo, bo);
    seed(0, 1ms, 100, "get_order", 100); // p = 0.99
    seed(1, 5ms, 100, "get_order", 100); // p = 0.99: one attempt per call
    trip(0);
    ASSERT_EQ(breakers_[0]->state(), breaker_state::eternal);
    script_ = {{0ms, 10}, {5ms, 11}};

    clock_.advance(1ms); // the probe of endpoint 0 is due (never probed)
    auto first = start(read());
    advance(5ms);
    ASSERT_TRUE(first->has_value());
    EXPECT_EQ(calls_[1], 1);     // the primary went to the healthy endpoint
    EXPECT_EQ(calls_[0], 1);     // and a probe to the ETERNAL one
    auto second = start(read()); // no probe again before recovery_timeout
    advance(5ms);
    EXPECT_EQ(calls_[0], 1);
    EXPECT_EQ(calls_[1], 2);
    for (int k = 0; k < 3 && breakers_[0]->state() != breaker_state::closed; ++k) {
        clock_.advance(bo.recovery_timeout);
        auto probe = start(read());
        advance(5ms);
        ASSERT_TRUE(probe->has_value());
    }
    EXPECT_EQ(breakers_[0]->state(), breaker_state::closed);
    const int before = calls_[1];
    auto back = start(read());
    advance(5ms);
    ASSERT_TRUE(back->has_value());
    EXPECT_EQ((*back)->value.value(), 10); // endpoint 0 leads again
    EXPECT_EQ(calls_[1], before);
    expect_clean();
}

// A healed ETERNAL endpoint a little slower than the healthy one: its probe loses the race but
// keeps running for its grace (as long as the winner took), answers, and so heals the breaker.
// The call waits for it: 8 ms instead of 5 ms.
TEST_F(ExecutorTest, probeSlowerThanTheWinnerStillAnswersWithinItsGraceAndHeals) {
    const breaker_options bo = eternal_and_healthy();
    ASSERT_EQ(breakers_[0]->state(), breaker_state::eternal);
    const int level = breakers_[0]->degradation_level();
    script_ = {{8ms, 10}, {5ms, 11}};

    clock_.advance(1ms);
    auto first = start(read());
    advance(5ms); // the healthy endpoint wins at 5 ms
    EXPECT_FALSE(first->has_value()) << "the call waits for its probe's grace";
    advance(3ms); // the probe answers at 8 ms, within 5 ms of grace
    ASSERT_TRUE(first->has_value());
    EXPECT_EQ((*first)->value.value(), 11);
    EXPECT_EQ(saw_[0], error_code{});
    EXPECT_LT(breakers_[0]->degradation_level(), level) << "the probe's success was recorded";
    EXPECT_EQ(exec_->stats().probes, 1u);
    EXPECT_EQ(exec_->stats().late_probe_answers, 1u);
    for (int k = 0; k < 5 && breakers_[0]->state() != breaker_state::closed; ++k) {
        clock_.advance(bo.recovery_timeout);
        auto probe = start(read());
        advance(5ms);
        advance(3ms);
        ASSERT_TRUE(probe->has_value());
    }
    EXPECT_EQ(breakers_[0]->state(), breaker_state::closed);
    expect_clean();
}

// A probe still sick: cancelled when its grace ends, recorded as neither success nor failure; the
// call ends at twice the winner's latency, not at the probe's timeout.
TEST_F(ExecutorTest, probeStillSlowIsCancelledWhenItsGraceEnds) {
    eternal_and_healthy();
    const int level = breakers_[0]->degradation_level();
    const auto failures = breakers_[0]->stats().failures;
    script_ = {{150ms, 10}, {5ms, 11}};

    clock_.advance(1ms);
    auto first = start(read());
    advance(5ms);
    EXPECT_FALSE(first->has_value());
    advance(5ms); // grace over at 10 ms: the probe is cancelled
    ASSERT_TRUE(first->has_value());
    EXPECT_EQ((*first)->value.value(), 11);
    EXPECT_EQ(saw_[0], net::error::operation_aborted);
    EXPECT_EQ(breakers_[0]->degradation_level(), level);
    EXPECT_EQ(breakers_[0]->stats().failures, failures);
    EXPECT_EQ(exec_->stats().late_probe_answers, 0u);
    EXPECT_EQ(exec_->stats().cancellations, 1u);
    expect_clean();
}

// The caller cancelling during the grace cancels the probe at once and ends the wait.
TEST_F(ExecutorTest, callerCancelDuringTheGraceEndsItAtOnce) {
    eternal_and_healthy();
    script_ = {{150ms, 10}, {5ms, 11}};

    clock_.advance(1ms);
    net::cancellation_signal cancel;
    auto first = start(read(), cancel.slot());
    advance(5ms);
    ASSERT_FALSE(first->has_value());
    cancel.emit(net::cancellation_type::terminal);
    run();
    ASSERT_TRUE(first->has_value());
    EXPECT_EQ(saw_[0], net::error::operation_aborted);
    expect_clean();
}

TEST(IsOutcomeLostTest, classifiesErrors) {
    EXPECT_TRUE(is_outcome_lost(errc::timed_out));
    EXPECT_TRUE(is_outcome_lost(net::error::eof));
    EXPECT_TRUE(is_outcome_lost(net::error::connection_reset));
    EXPECT_TRUE(is_outcome_lost(net::error::operation_aborted));
    EXPECT_FALSE(is_outcome_lost(net::error::connection_refused));
    EXPECT_FALSE(is_outcome_lost(error_code{}));
}

} // namespace
} // namespace genesis::resilience
