#include "genesis/resilience/circuit_breaker.hpp"

#include <algorithm>
#include <limits>

namespace genesis::resilience {

std::string_view to_string(breaker_state s) noexcept {
    switch (s) {
    case breaker_state::closed: return "CLOSED";
    case breaker_state::open: return "OPEN";
    case breaker_state::half_open: return "HALF_OPEN";
    case breaker_state::eternal: return "ETERNAL";
    }
    return "UNKNOWN";
}

std::string_view to_string(admission a) noexcept {
    switch (a) {
    case admission::allowed: return "allowed";
    case admission::trial: return "trial";
    case admission::eternal: return "eternal";
    case admission::rejected: return "rejected";
    }
    return "unknown";
}

circuit_breaker::circuit_breaker(const clock& clk, breaker_options options, std::string name)
        : clock_(clk), options_(options), name_(std::move(name)) {
    // A zero threshold would trip on nothing; treat it as 1.
    options_.failure_threshold = std::max<std::uint32_t>(options_.failure_threshold, 1);
    history_.reserve(options_.history_capacity);
}

ticket circuit_breaker::acquire_slow() noexcept {
    // ETERNAL admits everyone; no lock needed to say so.
    if (state_.load(std::memory_order_acquire) == breaker_state::eternal) {
        return {admission::eternal, options_.eternal_timeout};
    }
    std::lock_guard lock(mutex_);
    switch (state_.load(std::memory_order_relaxed)) {
    case breaker_state::closed: return {admission::allowed, adaptive_timeout()};
    case breaker_state::eternal: return {admission::eternal, options_.eternal_timeout};
    case breaker_state::open:
        if (clock_.now() - opened_at_ >= options_.recovery_timeout) {
            transition_locked(breaker_state::half_open);
            trial_in_flight_ = true;
            trials_.fetch_add(1, std::memory_order_relaxed);
            return {admission::trial, adaptive_timeout()};
        }
        break;
    case breaker_state::half_open:
        // A released trial leaves HALF_OPEN with no trial in flight: the next caller makes it.
        if (!trial_in_flight_) {
            trial_in_flight_ = true;
            trials_.fetch_add(1, std::memory_order_relaxed);
            return {admission::trial, adaptive_timeout()};
        }
        break;
    }
    rejections_.fetch_add(1, std::memory_order_relaxed);
    return {admission::rejected, nanos{0}};
}

void circuit_breaker::record_success_slow(const ticket& t) noexcept {
    std::lock_guard lock(mutex_);
    add_degradation(-5);
    const auto state = state_.load(std::memory_order_relaxed);
    if (t.kind == admission::trial) {
        trial_in_flight_ = false;
        if (state == breaker_state::half_open) {
            failure_count_ = 0;
            transition_locked(breaker_state::closed);
        }
        return;
    }
    if (t.kind == admission::eternal && state == breaker_state::eternal) {
        ++eternal_successes_;
        if (eternal_successes_ >= options_.eternal_successes_to_close &&
            degradation_.load(std::memory_order_relaxed) < options_.eternal_close_below) {
            failure_count_ = 0;
            transition_locked(breaker_state::closed);
        }
    }
}

void circuit_breaker::record_failure(const ticket& t, failure_kind kind) noexcept {
    failures_.fetch_add(1, std::memory_order_relaxed);
    if (kind == failure_kind::timeout)
        timeouts_.fetch_add(1, std::memory_order_relaxed);

    std::lock_guard lock(mutex_);
    const auto state = state_.load(std::memory_order_relaxed);
    const auto now = clock_.now();
    switch (t.kind) {
    case admission::allowed:
        // A call admitted while CLOSED that fails after the breaker already tripped only counts.
        if (state != breaker_state::closed)
            return;
        ++failure_count_;
        has_failures_.store(true, std::memory_order_relaxed);
        last_failure_ = now;
        add_degradation(10);
        if (failure_count_ >= options_.failure_threshold) {
            opened_at_ = now;
            transition_locked(options_.is_essential ? breaker_state::eternal : breaker_state::open);
        }
        return;
    case admission::trial:
        trial_in_flight_ = false;
        if (state != breaker_state::half_open)
            return;
        ++failure_count_;
        last_failure_ = now;
        add_degradation(10);
        opened_at_ = now;
        transition_locked(breaker_state::open);
        return;
    case admission::eternal:
        if (state != breaker_state::eternal)
            return;
        ++failure_count_;
        last_failure_ = now;
        add_degradation(kind == failure_kind::timeout ? 5 : 2);
        return;
    case admission::rejected: return;
    }
}

void circuit_breaker::reset_failures() noexcept {
    std::lock_guard lock(mutex_);
    // Only a CLOSED breaker's count is reset: a tripped breaker keeps its history until it closes.
    if (state_.load(std::memory_order_relaxed) == breaker_state::closed)
        failure_count_ = 0;
    has_failures_.store(false, std::memory_order_relaxed);
}

void circuit_breaker::release(const ticket& t) noexcept {
    if (t.kind == admission::rejected)
        return;
    releases_.fetch_add(1, std::memory_order_relaxed);
    if (t.kind != admission::trial)
        return;
    std::lock_guard lock(mutex_);
    trial_in_flight_ = false;
}

breaker_persisted circuit_breaker::persisted() const {
    std::lock_guard lock(mutex_);
    breaker_persisted p;
    p.state = state_.load(std::memory_order_relaxed);
    p.failure_count = failure_count_;
    p.degradation_level = degradation_.load(std::memory_order_relaxed);
    p.eternal_successes = eternal_successes_;
    if (p.state == breaker_state::open || p.state == breaker_state::half_open) {
        const nanos waited = clock_.now() - opened_at_;
        p.open_remaining = p.state == breaker_state::open && waited < options_.recovery_timeout
                               ? options_.recovery_timeout - waited
                               : nanos{0};
    }
    return p;
}

void circuit_breaker::restore(const breaker_persisted& p, nanos elapsed) noexcept {
    std::lock_guard lock(mutex_);
    constexpr std::int32_t ceiling = std::numeric_limits<std::int32_t>::max() / 2;
    degradation_.store(std::clamp(p.degradation_level, 0, ceiling), std::memory_order_relaxed);
    trial_in_flight_ = false;
    const auto now = clock_.now();
    auto to = p.state;
    if (to == breaker_state::half_open || (to == breaker_state::eternal && !options_.is_essential))
        to = breaker_state::open;
    if (to == breaker_state::closed) {
        // Failures below the threshold carry over; at or above it the breaker would have tripped.
        failure_count_ = std::min(p.failure_count, options_.failure_threshold - 1);
    } else {
        failure_count_ = 0;
    }
    if (to == breaker_state::open) {
        nanos left = p.open_remaining - std::max(elapsed, nanos{0});
        left = std::clamp(left, nanos{0}, options_.recovery_timeout);
        // opened_at_ such that the remaining wait is `left`.
        opened_at_ = now - (options_.recovery_timeout - left);
    }
    transition_locked(to);
    if (to == breaker_state::eternal)
        eternal_successes_ = p.eternal_successes;
    has_failures_.store(to == breaker_state::closed && failure_count_ > 0, std::memory_order_relaxed);
}

void circuit_breaker::transition_locked(breaker_state to) noexcept {
    const auto from = state_.load(std::memory_order_relaxed);
    if (from == to)
        return;
    if (to == breaker_state::eternal)
        eternal_successes_ = 0;
    state_.store(to, std::memory_order_release);
    has_failures_.store(to == breaker_state::closed && failure_count_ > 0, std::memory_order_relaxed);
    ++transitions_;
    if (options_.history_capacity == 0)
        return;
    const breaker_transition tr{from, to, clock_.now(), clock_.wall()};
    // Bounded history: overwrite the oldest entry once full.
    if (history_.size() < options_.history_capacity) {
        history_.push_back(tr);
    } else {
        history_[history_next_] = tr;
    }
    history_next_ = (history_next_ + 1) % options_.history_capacity;
}

void circuit_breaker::add_degradation(std::int32_t delta) noexcept {
    // Saturating add in a CAS loop: the CLOSED success path calls this without the lock.
    constexpr std::int32_t ceiling = std::numeric_limits<std::int32_t>::max() / 2;
    auto cur = degradation_.load(std::memory_order_relaxed);
    std::int32_t next = 0;
    do {
        next = std::clamp(cur + delta, 0, ceiling);
    } while (next != cur && !degradation_.compare_exchange_weak(cur, next, std::memory_order_relaxed));
}

nanos circuit_breaker::call_timeout() const noexcept {
    return state() == breaker_state::eternal ? options_.eternal_timeout : adaptive_timeout();
}

breaker_stats circuit_breaker::stats() const {
    breaker_stats s;
    std::lock_guard lock(mutex_);
    s.state = state_.load(std::memory_order_relaxed);
    s.failure_count = failure_count_;
    s.degradation_level = degradation_.load(std::memory_order_relaxed);
    s.eternal_successes = eternal_successes_;
    s.successes = successes_.load(std::memory_order_relaxed);
    s.failures = failures_.load(std::memory_order_relaxed);
    s.timeouts = timeouts_.load(std::memory_order_relaxed);
    s.rejections = rejections_.load(std::memory_order_relaxed);
    s.trials = trials_.load(std::memory_order_relaxed);
    s.releases = releases_.load(std::memory_order_relaxed);
    s.transitions = transitions_;
    s.last_latency = nanos{last_latency_ns_.load(std::memory_order_relaxed)};
    s.total_latency = nanos{total_latency_ns_.load(std::memory_order_relaxed)};
    s.last_failure = last_failure_;
    return s;
}

std::vector<breaker_transition> circuit_breaker::history() const {
    std::lock_guard lock(mutex_);
    if (history_.size() < options_.history_capacity)
        return history_;
    // Full ring: history_next_ is the oldest entry.
    std::vector<breaker_transition> out;
    out.reserve(history_.size());
    out.insert(out.end(), history_.begin() + static_cast<std::ptrdiff_t>(history_next_), history_.end());
    out.insert(out.end(), history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(history_next_));
    return out;
}

} // namespace genesis::resilience
