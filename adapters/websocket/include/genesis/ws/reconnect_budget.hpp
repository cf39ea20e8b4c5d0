// A venue-wide reconnect budget: at most K reconnects in any sliding window, shared by every
// session of the venue, so that a flapping exchange cannot cause a reconnect storm.
#pragma once

#include "genesis/core/clock.hpp"

#include <cstddef>
#include <deque>
#include <mutex>

namespace genesis::ws {

/// Thread-safe. Sessions share one through std::shared_ptr.
class reconnect_budget {
    mutable std::mutex mutex_;
    std::size_t max_;
    nanos window_;
    mutable std::deque<time_point> taken_; // times of the reconnects inside the window, oldest first

    void expire(time_point now) const;

public:
    /// At most max_per_window reconnects in any window of length `window` (max 0: none at all).
    reconnect_budget(std::size_t max_per_window, nanos window) noexcept;

    /// Takes one reconnect at `now` when the window has room and returns 0. Otherwise takes
    /// nothing and returns how long to wait until the window has room. `reserve` reconnects are
    /// left to the budget's other sessions: the caller takes one only while fewer than
    /// capacity - reserve are used (a feed leaves some to the order entry sharing its listener).
    [[nodiscard]] nanos try_acquire(time_point now, std::size_t reserve = 0);
    /// Reconnects taken in the window ending at `now`.
    [[nodiscard]] std::size_t used(time_point now) const;
    [[nodiscard]] std::size_t capacity() const noexcept { return max_; }
    [[nodiscard]] nanos window() const noexcept { return window_; }
};

} // namespace genesis::ws
