// Clocks: nanosecond time points, a real clock, and a manual clock for deterministic tests.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace genesis {

/// Nanoseconds since the Unix epoch (wall clock) or since an arbitrary origin (monotonic).
using nanos = std::chrono::nanoseconds;

/// A point in time in nanoseconds. Monotonic and wall time share the type; the clock says which.
struct time_point {
    std::int64_t ns = 0;

    friend constexpr auto operator<=>(time_point, time_point) = default;
    constexpr time_point operator+(nanos d) const noexcept { return {ns + d.count()}; }
    constexpr time_point operator-(nanos d) const noexcept { return {ns - d.count()}; }
    constexpr nanos operator-(time_point o) const noexcept { return nanos{ns - o.ns}; }
};

/// Source of time. Components take a clock& so tests can drive time by hand.
class clock {
public:
    virtual ~clock() = default;
    /// Monotonic time, for timeouts and latency.
    virtual time_point now() const noexcept = 0;
    /// Wall-clock time since the Unix epoch, for exchange timestamps.
    virtual time_point wall() const noexcept = 0;
};

/// steady_clock for now(), system_clock for wall().
class real_clock final : public clock {
public:
    time_point now() const noexcept override;
    time_point wall() const noexcept override;
    /// A process-wide instance.
    static real_clock& instance() noexcept;
};

/// A clock that moves only when told to. Thread-safe.
class manual_clock final : public clock {
    std::atomic<std::int64_t> now_ns_;
    std::atomic<std::int64_t> wall_offset_ns_;

public:
    explicit manual_clock(time_point start = {}, time_point wall_start = {1'700'000'000'000'000'000}) noexcept
            : now_ns_(start.ns), wall_offset_ns_(wall_start.ns - start.ns) {}

    time_point now() const noexcept override { return {now_ns_.load(std::memory_order_acquire)}; }
    time_point wall() const noexcept override {
        return {now_ns_.load(std::memory_order_acquire) + wall_offset_ns_.load(std::memory_order_relaxed)};
    }
    /// Moves both clocks forward by d.
    void advance(nanos d) noexcept { now_ns_.fetch_add(d.count(), std::memory_order_acq_rel); }
    /// Sets the monotonic clock (never backwards in sensible tests; not enforced).
    void set(time_point t) noexcept { now_ns_.store(t.ns, std::memory_order_release); }
};

} // namespace genesis
