// Request-weight budget of one venue (per IP, shared by all its hosts): throttles before the
// venue's limit, follows X-MBX-USED-WEIGHT-* and pauses everything after 429/418 for Retry-After.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/error.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace genesis::rest {

/// Limits of one venue.
struct rate_limit_options {
    /// REQUEST_WEIGHT limit per window (exchangeInfo rateLimits; Binance Spot: 6000 per minute).
    /// 0 or less disables throttling (pauses after 429/418 still apply).
    std::int64_t weight_limit = 6000;
    /// Requests are held back once used weight would pass this share of the limit.
    double throttle_fraction = 0.8;
    /// The window length; windows are aligned to the venue's clock (Binance: the UTC minute).
    nanos window = std::chrono::minutes{1};
    /// Pause after a 429 without Retry-After: until the window rolls, at least this long.
    nanos min_pause = std::chrono::seconds{1};
    /// Pause after a 418 without Retry-After (Binance bans last 2 minutes to 3 days).
    nanos default_ban = std::chrono::minutes{2};
};

/// The verdict of try_acquire().
struct admission {
    /// The weight is reserved; send now.
    bool admitted = false;
    /// Not admitted: wait this long, then ask again.
    nanos wait{0};
    /// Not admitted: http_errc::throttled (budget spent), paused (after 429), banned (after 418)
    /// or weight_over_limit (never admittable; wait is 0).
    error_code reason;
    /// Admitted: the windows it was counted in, which refund() needs (a window that has rolled
    /// since no longer holds it): rate_limiter's in [0]; order_count_limiter's 10 s in [0], day in [1].
    std::array<std::int64_t, 2> windows{-1, -1};
};

/// Counters since construction.
struct rate_limiter_stats {
    std::uint64_t admitted = 0;
    std::uint64_t throttled = 0; ///< try_acquire refusals for budget
    std::uint64_t paused = 0;    ///< try_acquire refusals during a pause or ban
    std::uint64_t responses_429 = 0;
    std::uint64_t responses_418 = 0;
};

/// Pure arithmetic over an injected clock: now() times pauses, wall() + the venue's clock offset
/// places the windows. Thread-safe (one mutex).
class rate_limiter {
    const clock& clock_;
    rate_limit_options options_;
    mutable std::mutex mutex_;
    nanos venue_offset_{0};
    std::int64_t window_index_ = -1;
    std::int64_t used_ = 0;
    std::int64_t assigned_window_ = -1; // the window of the last assign_used
    time_point paused_until_{};
    bool banned_ = false;
    rate_limiter_stats stats_;

    std::int64_t threshold_locked() const noexcept;
    admission verdict_locked(std::int64_t weight) const noexcept;
    std::int64_t venue_ns_locked() const noexcept;
    void roll_locked() noexcept;
    nanos until_roll_locked() const noexcept;
    void refund_window(std::int64_t weight, std::int64_t window) noexcept;

    friend class order_count_limiter;

public:
    explicit rate_limiter(const clock& clk, rate_limit_options options = {}) noexcept;

    /// Reserves `weight` when the venue is not paused and used + weight stays within the throttle;
    /// otherwise says how long to wait and why.
    [[nodiscard]] admission try_acquire(std::int64_t weight);
    /// What try_acquire(weight) would answer now, reserving nothing (admitted: it would be; its
    /// windows mean nothing). count: a refusal is counted in stats() as try_acquire's are.
    [[nodiscard]] admission check(std::int64_t weight, bool count = false);
    /// Gives back weight that `held` (admitted by try_acquire) reserved for a request that was then
    /// not sent: never below 0, and nothing once that window has rolled (the new one never held it;
    /// unless assign_used set the new one since, with what was still in flight counted).
    void refund(std::int64_t weight, const admission& held) noexcept;
    /// The venue's count replaces ours, lower too (for counts that fall: Binance's ORDERS count
    /// unfilled orders, and a fill takes one off). The caller adds what it has in flight (the venue
    /// may not count it yet): a refund of it then comes off this window, whichever held it.
    void assign_used(std::int64_t used) noexcept;
    /// Accounts a response: used_weight is X-MBX-USED-WEIGHT-1M (the venue's count, authoritative
    /// when higher than ours); 429/418 pause every request for retry_after (or the defaults).
    void on_response(unsigned status, std::optional<std::int64_t> used_weight, std::optional<nanos> retry_after);

    /// The limit from exchangeInfo (REQUEST_WEIGHT) or config.
    void set_weight_limit(std::int64_t limit) noexcept;
    /// Venue clock minus local wall clock (server_time::offset()), so windows roll with the venue's.
    void set_venue_offset(nanos offset) noexcept;

    /// Weight used in the current window as far as we know (ours reserved, or the venue's).
    [[nodiscard]] std::int64_t used() const;
    /// The limit per window (set_weight_limit's, else the options').
    [[nodiscard]] std::int64_t weight_limit() const;
    /// Weight at which requests are held back: floor(limit * throttle_fraction).
    [[nodiscard]] std::int64_t threshold() const;
    /// The end of the current 429/418 pause (monotonic; in the past when not paused).
    [[nodiscard]] time_point paused_until() const;
    [[nodiscard]] bool paused() const;
    /// Paused by a 418 (an IP ban), not a 429.
    [[nodiscard]] bool banned() const;
    [[nodiscard]] rate_limiter_stats stats() const;
    [[nodiscard]] const rate_limit_options& options() const noexcept { return options_; }
};

/// The venue's order-count limits of one account (Binance: ORDERS per 10 SECOND and per 1 DAY,
/// counting unfilled placements). Each placement is counted here before it is sent and stays "in
/// flight" until settled; the venue's own counts (X-MBX-ORDER-COUNT-10S/-1D, the WebSocket API's
/// rateLimits) then replace ours, plus the placements still in flight (which the venue's count may
/// not hold yet), and its limits (exchangeInfo rateLimits, the answers) replace the defaults. A
/// placement the counts do not allow is refused (http_errc::throttled) rather than sent into a 429.
/// Thread-safe.
class order_count_limiter {
    rate_limiter ten_s_;
    rate_limiter day_;
    mutable std::mutex mutex_;
    std::int64_t in_flight_ = 0;

public:
    /// Defaults: the Binance docs' example (50 per 10 s, 160,000 per day); throttle_fraction 1, so
    /// up to the venue's limit as last counted.
    explicit order_count_limiter(const clock& clk, rate_limit_options ten_s = {50, 1.0, std::chrono::seconds{10}},
                                 rate_limit_options day = {160'000, 1.0, std::chrono::hours{24}}) noexcept;

    /// Counts one placement in both windows and in flight; not admitted: reason throttled, wait
    /// until the window that is full rolls. Admitted: exactly one refund() or settle() follows.
    [[nodiscard]] admission try_acquire();
    /// The placement `held` admitted was certainly not sent: uncounted (in each window still the
    /// one it was counted in) and no longer in flight.
    void refund(const admission& held) noexcept;
    /// An admitted placement that was answered, or never will be: no longer in flight (call
    /// before on_counts of its answer).
    void settle() noexcept;
    /// The venue's counts (each absent when it did not say): each replaces ours, plus in flight.
    void on_counts(std::optional<std::int64_t> ten_s, std::optional<std::int64_t> day);
    [[nodiscard]] std::int64_t in_flight() const;
    /// The venue's limits (exchangeInfo, the answers' rateLimits).
    void set_limits(std::optional<std::int64_t> ten_s, std::optional<std::int64_t> day) noexcept;
    /// Venue clock minus local wall clock: the windows roll with the venue's (UTC 10 s and day).
    void set_venue_offset(nanos offset) noexcept;

    [[nodiscard]] std::int64_t used_10s() const { return ten_s_.used(); }
    [[nodiscard]] std::int64_t used_1d() const { return day_.used(); }
    [[nodiscard]] std::int64_t limit_10s() const { return ten_s_.threshold(); }
    [[nodiscard]] std::int64_t limit_1d() const { return day_.threshold(); }
    /// Placements refused for either window.
    [[nodiscard]] std::uint64_t refused() const { return ten_s_.stats().throttled + day_.stats().throttled; }
};

} // namespace genesis::rest
