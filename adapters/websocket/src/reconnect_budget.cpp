#include "genesis/ws/reconnect_budget.hpp"

namespace genesis::ws {

reconnect_budget::reconnect_budget(std::size_t max_per_window, nanos window) noexcept
        : max_(max_per_window), window_(window) {}

void reconnect_budget::expire(time_point now) const {
    // A reconnect taken at t counts for (t, t + window]; drop those whose window has passed.
    while (!taken_.empty() && taken_.front() + window_ <= now)
        taken_.pop_front();
}

nanos reconnect_budget::try_acquire(time_point now) {
    std::lock_guard lock(mutex_);
    expire(now);
    if (taken_.size() < max_) {
        taken_.push_back(now);
        return nanos{0};
    }
    if (taken_.empty())
        return window_; // max 0: never; ask again after a window
    return (taken_.front() + window_) - now;
}

std::size_t reconnect_budget::used(time_point now) const {
    std::lock_guard lock(mutex_);
    expire(now);
    return taken_.size();
}

} // namespace genesis::ws
