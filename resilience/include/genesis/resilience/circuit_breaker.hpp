// circuit_breaker: CLOSED / OPEN / HALF_OPEN / ETERNAL state machine with a lock-free CLOSED path.
#pragma once

#include "genesis/core/clock.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::resilience {

/// The breaker's state.
enum class breaker_state : std::uint8_t {
    /// Calls go through; failures are counted.
    closed = 0,
    /// Calls fail fast (or get the fallback) until recovery_timeout has passed.
    open = 1,
    /// One trial call is in flight (or may start); its result closes or reopens the breaker.
    half_open = 2,
    /// Essential breakers only: every call tries live with a short timeout, the fallback covers misses.
    eternal = 3,
};

/// "CLOSED", "OPEN", "HALF_OPEN", "ETERNAL".
std::string_view to_string(breaker_state s) noexcept;

/// Per-breaker settings (a config section maps onto this later).
struct breaker_options {
    /// Failures counted in CLOSED that trip the breaker.
    std::uint32_t failure_threshold = 2;
    /// A CLOSED success resets the failure count, so only consecutive failures trip the breaker.
    /// false: failures accumulate until the breaker trips, however far apart (the original design).
    bool reset_on_success = true;
    /// Time an OPEN breaker waits before it lets one HALF_OPEN trial through.
    nanos recovery_timeout = std::chrono::milliseconds{300};
    /// Essential breakers go ETERNAL instead of OPEN: they never stop trying.
    bool is_essential = false;
    /// Live-attempt timeout in ETERNAL.
    nanos eternal_timeout = std::chrono::milliseconds{200};
    /// Successes in ETERNAL (counted since entering it) needed to close again...
    std::uint32_t eternal_successes_to_close = 3;
    /// ...while degradation_level is below this.
    std::int32_t eternal_close_below = 20;
    /// Transitions kept by history().
    std::size_t history_capacity = 64;
};

/// What acquire() allowed.
enum class admission : std::uint8_t {
    /// CLOSED: go ahead.
    allowed = 0,
    /// The single HALF_OPEN trial: its result decides the state. Always finish it (record or release).
    trial = 1,
    /// ETERNAL: go ahead with the timeout; prepare the fallback.
    eternal = 2,
    /// OPEN, or a trial is already in flight: do not call.
    rejected = 3,
};

/// "allowed", "trial", "eternal", "rejected".
std::string_view to_string(admission a) noexcept;

/// Permission to make one call, and the timeout that call should use.
struct ticket {
    admission kind = admission::rejected;
    /// ETERNAL: eternal_timeout. Otherwise max(500 ms - degradation_level / 150 s, 100 ms).
    nanos timeout{0};
};

/// Why a call failed; the ETERNAL degradation arithmetic differs.
enum class failure_kind : std::uint8_t {
    /// The operation returned an error.
    error = 0,
    /// The operation did not answer within its timeout.
    timeout = 1,
};

/// One state change.
struct breaker_transition {
    breaker_state from = breaker_state::closed;
    breaker_state to = breaker_state::closed;
    /// Monotonic time of the change.
    time_point at;
    /// Wall-clock time of the change, for display.
    time_point wall;
};

/// What a breaker carries across a restart (circuit_breaker::persisted / restore): its state, its
/// counters toward a change of state, its degradation, and how long an OPEN breaker had still to wait.
struct breaker_persisted {
    breaker_state state = breaker_state::closed;
    std::uint32_t failure_count = 0;
    std::int32_t degradation_level = 0;
    std::uint32_t eternal_successes = 0;
    /// OPEN (and HALF_OPEN, whose trial the restart lost): time left before the next trial.
    nanos open_remaining{0};
    friend bool operator==(const breaker_persisted&, const breaker_persisted&) = default;
};

/// A consistent-enough snapshot for metrics (counters are read individually).
struct breaker_stats {
    breaker_state state = breaker_state::closed;
    /// Failures counted toward the threshold (reset when the breaker closes).
    std::uint32_t failure_count = 0;
    std::int32_t degradation_level = 0;
    /// Successes recorded since entering ETERNAL.
    std::uint32_t eternal_successes = 0;
    std::uint64_t successes = 0;
    std::uint64_t failures = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t rejections = 0;
    std::uint64_t trials = 0;
    /// Tickets given back unfinished (the call was cancelled).
    std::uint64_t releases = 0;
    /// State transitions since construction (history() keeps only the last history_capacity).
    std::uint64_t transitions = 0;
    /// Latency of the last success, and the sum over all successes.
    nanos last_latency{0};
    nanos total_latency{0};
    /// When the last failure was recorded (zero if never).
    time_point last_failure;
};

/// A circuit breaker for one endpoint. Thread-safe.
///
/// Use: `auto t = b.acquire();` then exactly one of record_success(t, latency), record_failure(t, kind)
/// or release(t) (the call was cancelled: neither success nor failure). A rejected ticket needs none.
///
/// Rules (defaults in breaker_options):
/// - CLOSED: success counts and records latency; failure increments failure_count, stamps the time and
///   adds 10 to degradation_level; at failure_threshold an essential breaker goes ETERNAL, others OPEN.
///   With reset_on_success (the default) a CLOSED success resets failure_count, so two failures an
///   hour apart do not trip it; without it failures accumulate until the breaker trips.
/// - OPEN: rejects; the first acquire() after recovery_timeout becomes the single HALF_OPEN trial,
///   concurrent callers are rejected meanwhile. Trial success closes and resets failure_count;
///   trial failure reopens (+10 degradation, new recovery_timeout).
/// - ETERNAL: every call is admitted with eternal_timeout. Timeout +5, error +2, success -5.
///   After eternal_successes_to_close successes since entering with degradation < eternal_close_below
///   the breaker closes.
/// - Any success lowers degradation_level by 5 (never below 0), as ARCHITECTURE.md states; otherwise
///   a non-essential breaker's adaptive timeout could only ever shrink.
/// - Timeout choice: ETERNAL calls use eternal_timeout (200 ms). Every other call uses the general
///   rule max(500 ms - degradation_level / 150 s, 100 ms), so a degraded endpoint gets less time.
class circuit_breaker {
    const clock& clock_;
    breaker_options options_;
    std::string name_;

    // Read lock-free on the hot path; written under mutex_.
    std::atomic<breaker_state> state_{breaker_state::closed};
    std::atomic<std::int32_t> degradation_{0};
    // True while failure_count_ > 0 in CLOSED: lets the success fast path skip the lock otherwise.
    std::atomic<bool> has_failures_{false};

    std::atomic<std::uint64_t> successes_{0};
    std::atomic<std::uint64_t> failures_{0};
    std::atomic<std::uint64_t> timeouts_{0};
    std::atomic<std::uint64_t> rejections_{0};
    std::atomic<std::uint64_t> trials_{0};
    std::atomic<std::uint64_t> releases_{0};
    std::atomic<std::int64_t> last_latency_ns_{0};
    std::atomic<std::int64_t> total_latency_ns_{0};

    mutable std::mutex mutex_;
    std::uint32_t failure_count_ = 0;
    std::uint32_t eternal_successes_ = 0;
    bool trial_in_flight_ = false;
    time_point last_failure_;
    time_point opened_at_;
    std::vector<breaker_transition> history_;
    std::size_t history_next_ = 0;
    std::uint64_t transitions_ = 0; // guarded by mutex_

    ticket acquire_slow() noexcept;
    void record_success_slow(const ticket& t) noexcept;
    void reset_failures() noexcept;
    void transition_locked(breaker_state to) noexcept;
    void add_degradation(std::int32_t delta) noexcept;
    nanos adaptive_timeout() const noexcept;

public:
    /// A breaker reading time from clk (which must outlive it).
    explicit circuit_breaker(const clock& clk, breaker_options options = {}, std::string name = {});

    circuit_breaker(const circuit_breaker&) = delete;
    circuit_breaker& operator=(const circuit_breaker&) = delete;

    /// Asks to make one call. CLOSED and ETERNAL are lock-free.
    [[nodiscard]] ticket acquire() noexcept {
        // Hot path: one acquire load, no lock.
        if (state_.load(std::memory_order_acquire) == breaker_state::closed) {
            return {admission::allowed, adaptive_timeout()};
        }
        return acquire_slow();
    }

    /// Records a successful call made under t, with its latency.
    void record_success(const ticket& t, nanos latency) noexcept {
        successes_.fetch_add(1, std::memory_order_relaxed);
        last_latency_ns_.store(latency.count(), std::memory_order_relaxed);
        total_latency_ns_.fetch_add(latency.count(), std::memory_order_relaxed);
        // Only trials and ETERNAL successes can change state; a CLOSED success with no degradation is done.
        if (t.kind == admission::allowed) {
            if (degradation_.load(std::memory_order_relaxed) > 0)
                add_degradation(-5);
            if (options_.reset_on_success && has_failures_.load(std::memory_order_relaxed))
                reset_failures();
            return;
        }
        record_success_slow(t);
    }

    /// Records a failed call made under t.
    void record_failure(const ticket& t, failure_kind kind) noexcept;

    /// Gives back an unfinished ticket (the call was cancelled): not a success, not a failure.
    /// A released trial lets the next caller make the trial.
    void release(const ticket& t) noexcept;

    /// The state to carry across a restart (taken under the lock: consistent).
    [[nodiscard]] breaker_persisted persisted() const;
    /// Takes over a state saved by persisted() `elapsed` ago (wall time since the save). OPEN and
    /// HALF_OPEN come back OPEN with open_remaining - elapsed left to wait (none left: the next call
    /// is the trial), so a restart neither hammers an endpoint that was failing nor forgets it.
    /// ETERNAL comes back ETERNAL on an essential breaker and OPEN otherwise; ETERNAL is never
    /// given to a non-essential one. Counters (successes, failures...) are this process's own and
    /// stay as they are; the change is recorded in history().
    void restore(const breaker_persisted& p, nanos elapsed = nanos{0}) noexcept;

    /// The current state.
    [[nodiscard]] breaker_state state() const noexcept { return state_.load(std::memory_order_acquire); }
    /// The current degradation level (>= 0).
    [[nodiscard]] std::int32_t degradation_level() const noexcept {
        return degradation_.load(std::memory_order_relaxed);
    }
    /// The timeout the next admitted call would get.
    [[nodiscard]] nanos call_timeout() const noexcept;
    /// Counters and state for metrics.
    [[nodiscard]] breaker_stats stats() const;
    /// The last history_capacity transitions, oldest first.
    [[nodiscard]] std::vector<breaker_transition> history() const;
    /// The settings.
    [[nodiscard]] const breaker_options& options() const noexcept { return options_; }
    /// The name given at construction (for logs and metrics).
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

    /// The general timeout rule: max(500 ms - degradation_level / 150 s, 100 ms).
    [[nodiscard]] static constexpr nanos adaptive_timeout_for(std::int32_t degradation) noexcept {
        constexpr nanos ceiling = std::chrono::milliseconds{500};
        constexpr nanos floor = std::chrono::milliseconds{100};
        const nanos t = ceiling - nanos{static_cast<std::int64_t>(degradation) * 1'000'000'000 / 150};
        return t < floor ? floor : t;
    }
};

inline nanos circuit_breaker::adaptive_timeout() const noexcept {
    return adaptive_timeout_for(degradation_.load(std::memory_order_relaxed));
}

} // namespace genesis::resilience
