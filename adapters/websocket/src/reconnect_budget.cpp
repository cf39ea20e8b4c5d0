#include "genesis/ws/reconnect_budget.hpp"

namespace genesis::ws {

reconnect_budget::reconnect_budget(std::size_t max_per_window, nanos window) noexcept
        : max_(max_per_window), window_(window) {}

void reconnect_budget::expire(time_point now) const {
    // A reconnect taken at t counts for (t, t + window]; drop those whose window has passed.
    while (!taken_.empty() && taken_.front() + window_ <= now)
        taken_.pop_front();
}

nanos reconnect_budget::try_acquire(time_point now, std::size_t reserve) {
    std::lock_guard lock(mutex_);
    expire(now);
    const std::size_t limit = reserve < max_ ? max_ - reserve : 0;
    if (taken_.size() < limit) {
        taken_.push_back(now);
        return nanos{0};
    }
    if (limit == 0 || taken_.empty())
        return window_; // nothing for this caller: ask again after a window
    // Room once all but limit - 1 of the taken have left the window.
    return (taken_[taken_.size() - limit] + window_) - now;
}

std::size_t reconnect_budget::used(time_point now) const {
    std::lock_guard lock(mutex_);
    expire(now);
    return taken_.size();
}

} // namespace genesis::ws
