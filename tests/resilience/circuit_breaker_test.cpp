#include "genesis/resilience/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <thread>
#include <vector>

namespace genesis::resilience {
namespace {

using namespace std::chrono_literals;

enum class act { ok, fail, timeout, advance, release };

struct step {
    act what;
    admission expect_admission = admission::allowed;
    breaker_state expect_state = breaker_state::closed;
    std::int32_t expect_degradation = 0;
    std::uint32_t expect_failures = 0;
    nanos dt{0};
};

struct scenario {
    const char* name;
    breaker_options options;
    std::vector<step> steps;
};

constexpr auto C = breaker_state::closed;
constexpr auto O = breaker_state::open;
constexpr auto H = breaker_state::half_open;
constexpr auto E = breaker_state::eternal;
constexpr auto allowed = admission::allowed;
constexpr auto trial = admission::trial;
constexpr auto eternal = admission::eternal;
constexpr auto rejected = admission::rejected;

breaker_options essential() {
    breaker_options o;
    o.is_essential = true;
    return o;
}

step advance(nanos d, breaker_state s, std::int32_t deg, std::uint32_t fc) {
    return {act::advance, allowed, s, deg, fc, d};
}

class CircuitBreakerTest : public ::testing::Test {
protected:
    manual_clock clock_;
};

TEST_F(CircuitBreakerTest, transitionsTable) {
    breaker_options three;
    three.failure_threshold = 3;
    three.recovery_timeout = 1s;
    breaker_options accumulate;
    accumulate.reset_on_success = false;
    breaker_options slow_close = essential();
    slow_close.eternal_successes_to_close = 10;

    const std::vector<scenario> table = {
        {"closed success counts", {}, {{act::ok, allowed, C, 0, 0}}},
        {"closed failure below threshold", {}, {{act::fail, allowed, C, 10, 1}}},
        {"closed timeout is a failure", {}, {{act::timeout, allowed, C, 10, 1}}},
        {"threshold opens", {}, {{act::fail, allowed, C, 10, 1}, {act::fail, allowed, O, 20, 2}}},
        {"success resets the consecutive count",
         {},
         {{act::fail, allowed, C, 10, 1},
          {act::ok, allowed, C, 5, 0},
          {act::fail, allowed, C, 15, 1},
          {act::fail, allowed, O, 25, 2}}},
        {"without reset_on_success failures accumulate",
         accumulate,
         {{act::fail, allowed, C, 10, 1}, {act::ok, allowed, C, 5, 1}, {act::fail, allowed, O, 15, 2}}},
        {"closed success lowers degradation to zero",
         accumulate,
         {{act::fail, allowed, C, 10, 1},
          {act::ok, allowed, C, 5, 1},
          {act::ok, allowed, C, 0, 1},
          {act::ok, allowed, C, 0, 1}}},
        {"open fails fast until recovery, trial success closes",
         {},
         {{act::fail, allowed, C, 10, 1},
          {act::fail, allowed, O, 20, 2},
          {act::ok, rejected, O, 20, 2},
          advance(299ms, O, 20, 2),
          {act::ok, rejected, O, 20, 2},
          advance(1ms, O, 20, 2),
          {act::ok, trial, C, 15, 0},
          {act::ok, allowed, C, 10, 0}}},
        {"trial failure reopens with a new recovery timeout",
         {},
         {{act::fail, allowed, C, 10, 1},
          {act::fail, allowed, O, 20, 2},
          advance(300ms, O, 20, 2),
          {act::fail, trial, O, 30, 3},
          advance(299ms, O, 30, 3),
          {act::ok, rejected, O, 30, 3},
          advance(1ms, O, 30, 3),
          {act::timeout, trial, O, 40, 4}}},
        {"released trial lets the next caller try",
         {},
         {{act::fail, allowed, C, 10, 1},
          {act::fail, allowed, O, 20, 2},
          advance(300ms, O, 20, 2),
          {act::release, trial, H, 20, 2},
          {act::ok, trial, C, 15, 0}}},
        {"custom threshold and recovery",
         three,
         {{act::fail, allowed, C, 10, 1},
          {act::fail, allowed, C, 20, 2},
          {act::fail, allowed, O, 30, 3},
          advance(999ms, O, 30, 3),
          {act::ok, rejected, O, 30, 3},
          advance(1ms, O, 30, 3),
          {act::ok, trial, C, 25, 0}}},
        {"essential goes eternal, never open",
         essential(),
         {{act::fail, allowed, C, 10, 1}, {act::fail, allowed, E, 20, 2}, {act::fail, eternal, E, 22, 3}}},
        {"eternal arithmetic and close after 3 successes below 20",
         essential(),
         {{act::fail, allowed, C, 10, 1},
          {act::fail, allowed, E, 20, 2},
          {act::timeout, eternal, E, 25, 3},
          {act::fail, eternal, E, 27, 4},
          {act::ok, eternal, E, 22, 4},
          {act::ok, eternal, E, 17, 4},
          {act::ok, eternal, C, 12, 0},
          {act::ok, allowed, C, 7, 0}}},
        {"eternal stays while degradation >= 20",
         essential(),
         {{act::fail, allowed, C, 10, 1},
          {act::fail, allowed, E, 20, 2},
          {act::timeout, eternal, E, 25, 3},
          {act::timeout, eternal, E, 30, 4},
          {act::timeout, eternal, E, 35, 5},
          {act::ok, eternal, E, 30, 5},
          {act::ok, eternal, E, 25, 5},
          {act::ok, eternal, E, 20, 5},
          {act::ok, eternal, C, 15, 0}}},
        {"eternal degradation never below zero",
         slow_close,
         {{act::fail, allowed, C, 10, 1},
          {act::fail, allowed, E, 20, 2},
          {act::ok, eternal, E, 15, 2},
          {act::ok, eternal, E, 10, 2},
          {act::ok, eternal, E, 5, 2},
          {act::ok, eternal, E, 0, 2},
          {act::ok, eternal, E, 0, 2}}},
        {"eternal released call changes nothing",
         essential(),
         {{act::fail, allowed, C, 10, 1}, {act::fail, allowed, E, 20, 2}, {act::release, eternal, E, 20, 2}}},
    };

    for (const auto& sc : table) {
        SCOPED_TRACE(sc.name);
        circuit_breaker b(clock_, sc.options);
        for (std::size_t i = 0; i < sc.steps.size(); ++i) {
            SCOPED_TRACE(i);
            const auto& st = sc.steps[i];
            if (st.what == act::advance) {
                clock_.advance(st.dt);
            } else {
                const ticket t = b.acquire();
                ASSERT_EQ(t.kind, st.expect_admission) << to_string(t.kind);
                if (t.kind != admission::rejected) {
                    switch (st.what) {
                    case act::ok: b.record_success(t, 1ms); break;
                    case act::fail: b.record_failure(t, failure_kind::error); break;
                    case act::timeout: b.record_failure(t, failure_kind::timeout); break;
                    case act::release: b.release(t); break;
                    case act::advance: break;
                    }
                }
            }
            const auto s = b.stats();
            EXPECT_EQ(b.state(), st.expect_state) << to_string(b.state());
            EXPECT_EQ(b.degradation_level(), st.expect_degradation);
            EXPECT_EQ(s.failure_count, st.expect_failures);
        }
    }
}

TEST_F(CircuitBreakerTest, acquireTimeoutRule) {
    struct row {
        std::int32_t degradation;
        nanos expected;
    };
    const row table[] = {{0, 500ms}, {15, 400ms}, {30, 300ms}, {45, 200ms}, {60, 100ms}, {90, 100ms}, {1000, 100ms}};
    for (const auto& r : table) {
        EXPECT_EQ(circuit_breaker::adaptive_timeout_for(r.degradation), r.expected) << r.degradation;
    }
    circuit_breaker b(clock_);
    EXPECT_EQ(b.acquire().timeout, 500ms);
    b.record_failure(b.acquire(), failure_kind::error);
    EXPECT_EQ(b.call_timeout(), circuit_breaker::adaptive_timeout_for(10));

    circuit_breaker e(clock_, essential());
    e.record_failure(e.acquire(), failure_kind::error);
    e.record_failure(e.acquire(), failure_kind::error);
    ASSERT_EQ(e.state(), breaker_state::eternal);
    EXPECT_EQ(e.acquire().timeout, 200ms);
    EXPECT_EQ(e.call_timeout(), 200ms);
}

TEST_F(CircuitBreakerTest, countersAndLatency) {
    circuit_breaker b(clock_);
    b.record_success(b.acquire(), 3ms);
    b.record_success(b.acquire(), 5ms);
    b.record_failure(b.acquire(), failure_kind::timeout);
    clock_.advance(7ms);
    b.record_failure(b.acquire(), failure_kind::error);
    (void)b.acquire();
    const auto s = b.stats();
    EXPECT_EQ(s.successes, 2U);
    EXPECT_EQ(s.failures, 2U);
    EXPECT_EQ(s.timeouts, 1U);
    EXPECT_EQ(s.rejections, 1U);
    EXPECT_EQ(s.last_latency, 5ms);
    EXPECT_EQ(s.total_latency, 8ms);
    EXPECT_EQ(s.last_failure, time_point{} + 7ms);
}

TEST_F(CircuitBreakerTest, staleClosedTicketDoesNotCountAfterTrip) {
    circuit_breaker b(clock_);
    const ticket stale = b.acquire();
    b.record_failure(b.acquire(), failure_kind::error);
    b.record_failure(b.acquire(), failure_kind::error);
    ASSERT_EQ(b.state(), breaker_state::open);
    b.record_failure(stale, failure_kind::error);
    EXPECT_EQ(b.stats().failure_count, 2U);
    EXPECT_EQ(b.stats().failures, 3U);
    EXPECT_EQ(b.state(), breaker_state::open);
}

TEST_F(CircuitBreakerTest, historyRecordsTransitionsWithTimestamps) {
    circuit_breaker b(clock_);
    clock_.advance(1ms);
    b.record_failure(b.acquire(), failure_kind::error);
    b.record_failure(b.acquire(), failure_kind::error);
    clock_.advance(300ms);
    const ticket t = b.acquire();
    b.record_success(t, 1ms);
    const auto h = b.history();
    ASSERT_EQ(h.size(), 3U);
    EXPECT_EQ(h[0].from, breaker_state::closed);
    EXPECT_EQ(h[0].to, breaker_state::open);
    EXPECT_EQ(h[0].at, time_point{} + 1ms);
    EXPECT_EQ(h[0].wall, clock_.wall() - 300ms);
    EXPECT_EQ(h[1].to, breaker_state::half_open);
    EXPECT_EQ(h[1].at, time_point{} + 301ms);
    EXPECT_EQ(h[2].to, breaker_state::closed);
}

TEST_F(CircuitBreakerTest, historyIsBounded) {
    breaker_options o;
    o.history_capacity = 2;
    o.failure_threshold = 1;
    circuit_breaker b(clock_, o);
    b.record_failure(b.acquire(), failure_kind::error); // closed -> open
    clock_.advance(300ms);
    b.record_success(b.acquire(), 1ms); // open -> half_open -> closed
    const auto h = b.history();
    ASSERT_EQ(h.size(), 2U);
    EXPECT_EQ(h[0].to, breaker_state::half_open);
    EXPECT_EQ(h[1].to, breaker_state::closed);
    // The counter keeps counting past the kept history (the metric genesis_breaker_transitions_total).
    EXPECT_EQ(b.stats().transitions, 3U);
}

TEST_F(CircuitBreakerTest, halfOpenAdmitsSingleTrialUnderConcurrency) {
    constexpr int threads = 8;
    circuit_breaker b(clock_);
    b.record_failure(b.acquire(), failure_kind::error);
    b.record_failure(b.acquire(), failure_kind::error);
    clock_.advance(300ms);

    std::barrier start(threads);
    std::atomic<int> trials{0};
    std::atomic<int> rejections{0};
    std::vector<ticket> trial_tickets(threads);
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) {
        pool.emplace_back([&, i] {
            start.arrive_and_wait();
            const ticket t = b.acquire();
            if (t.kind == admission::trial) {
                trials.fetch_add(1);
                trial_tickets[static_cast<std::size_t>(i)] = t;
            } else if (t.kind == admission::rejected) {
                rejections.fetch_add(1);
            }
        });
    }
    for (auto& t : pool)
        t.join();
    EXPECT_EQ(trials.load(), 1);
    EXPECT_EQ(rejections.load(), threads - 1);
    EXPECT_EQ(b.state(), breaker_state::half_open);
    for (const auto& t : trial_tickets) {
        if (t.kind == admission::trial)
            b.record_success(t, 1ms);
    }
    EXPECT_EQ(b.state(), breaker_state::closed);
}

TEST_F(CircuitBreakerTest, closedPathIsThreadSafe) {
    constexpr int threads = 4;
    constexpr int calls = 10'000;
    circuit_breaker b(clock_);
    std::barrier start(threads);
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) {
        pool.emplace_back([&] {
            start.arrive_and_wait();
            for (int n = 0; n < calls; ++n)
                b.record_success(b.acquire(), 1us);
        });
    }
    for (auto& t : pool)
        t.join();
    EXPECT_EQ(b.stats().successes, static_cast<std::uint64_t>(threads * calls));
    EXPECT_EQ(b.stats().total_latency, nanos{1us} * threads * calls);
}

TEST_F(CircuitBreakerTest, toStringNamesEveryValue) {
    EXPECT_EQ(to_string(breaker_state::closed), "CLOSED");
    EXPECT_EQ(to_string(breaker_state::open), "OPEN");
    EXPECT_EQ(to_string(breaker_state::half_open), "HALF_OPEN");
    EXPECT_EQ(to_string(breaker_state::eternal), "ETERNAL");
    EXPECT_EQ(to_string(admission::allowed), "allowed");
    EXPECT_EQ(to_string(admission::trial), "trial");
    EXPECT_EQ(to_string(admission::eternal), "eternal");
    EXPECT_EQ(to_string(admission::rejected), "rejected");
}

// State carried across a restart: an OPEN breaker waits out what was left of its recovery timeout
// (less the time the restart took), then lets one trial through; degradation and counts carry over.
TEST_F(CircuitBreakerTest, persistedStateSurvivesARestart) {
    breaker_options o;
    o.recovery_timeout = 1s;
    circuit_breaker before(clock_, o, "rest0");
    before.record_failure(before.acquire(), failure_kind::error);
    before.record_failure(before.acquire(), failure_kind::timeout);
    ASSERT_EQ(before.state(), O);
    clock_.advance(400ms);
    const breaker_persisted saved = before.persisted();
    EXPECT_EQ(saved.state, O);
    EXPECT_EQ(saved.open_remaining, 600ms);
    EXPECT_EQ(saved.degradation_level, before.degradation_level());
    EXPECT_GT(saved.degradation_level, 0);

    // The new process: 200 ms of the remaining 600 ms passed during the restart.
    manual_clock later;
    later.advance(1h); // another process's monotonic clock: only the differences mean anything
    circuit_breaker after(later, o, "rest0");
    after.restore(saved, 200ms);
    EXPECT_EQ(after.state(), O);
    EXPECT_EQ(after.degradation_level(), saved.degradation_level);
    EXPECT_EQ(after.acquire().kind, rejected);
    later.advance(399ms);
    EXPECT_EQ(after.acquire().kind, rejected);
    later.advance(1ms);
    const ticket t = after.acquire();
    EXPECT_EQ(t.kind, trial);
    after.record_success(t, 1ms);
    EXPECT_EQ(after.state(), C);
    ASSERT_FALSE(after.history().empty());
    EXPECT_EQ(after.history().front().to, O);

    // A restart longer than the remaining wait: the first call is the trial at once.
    circuit_breaker slow(later, o, "rest0");
    slow.restore(saved, 5s);
    EXPECT_EQ(slow.acquire().kind, trial);
}

TEST_F(CircuitBreakerTest, restoreMapsStatesTheProcessCannotResume) {
    breaker_options three;
    three.failure_threshold = 3;
    // HALF_OPEN's trial died with the old process: OPEN with nothing left to wait.
    circuit_breaker h(clock_, three);
    h.restore({H, 0, 30, 0, 0ns});
    EXPECT_EQ(h.state(), O);
    EXPECT_EQ(h.acquire().kind, trial);

    // CLOSED keeps the failures toward the threshold (never at or above it).
    circuit_breaker c(clock_, three);
    c.restore({C, 2, 20, 0, 0ns});
    EXPECT_EQ(c.state(), C);
    EXPECT_EQ(c.stats().failure_count, 2u);
    c.record_failure(c.acquire(), failure_kind::error);
    EXPECT_EQ(c.state(), O);
    circuit_breaker capped(clock_, three);
    capped.restore({C, 99, 0, 0, 0ns});
    EXPECT_EQ(capped.stats().failure_count, 2u);
    EXPECT_EQ(capped.state(), C);

    // ETERNAL only on an essential breaker, with its successes toward closing.
    circuit_breaker e(clock_, essential());
    e.restore({E, 0, 10, 2, 0ns});
    EXPECT_EQ(e.state(), E);
    EXPECT_EQ(e.stats().eternal_successes, 2u);
    const ticket t = e.acquire();
    EXPECT_EQ(t.kind, eternal);
    e.record_success(t, 1ms); // the third success since entering ETERNAL closes it
    EXPECT_EQ(e.state(), C);
    circuit_breaker ne(clock_, {});
    ne.restore({E, 0, 10, 2, 0ns});
    EXPECT_EQ(ne.state(), O);

    // A negative degradation from a damaged record is clamped.
    circuit_breaker d(clock_, {});
    d.restore({C, 0, -7, 0, 0ns});
    EXPECT_EQ(d.degradation_level(), 0);
    EXPECT_EQ(d.persisted(), (breaker_persisted{C, 0, 0, 0, 0ns}));
}

} // namespace
} // namespace genesis::resilience
