#include "genesis/resilience/hedge_budget.hpp"

#include <algorithm>

namespace genesis::resilience {

hedge_budget::hedge_budget(const clock& clk, hedge_budget_options options)
        : clock_(clk), options_(options),
          bucket_width_(std::max<nanos>(
              options.window / static_cast<std::int64_t>(std::max<std::size_t>(options.buckets, 1)), nanos{1})),
          buckets_(std::max<std::size_t>(options.buckets, 1)) {}

hedge_budget::bucket& hedge_budget::current_locked() const {
    const std::int64_t index = clock_.now().ns / bucket_width_.count();
    auto& b = buckets_[static_cast<std::size_t>(index) % buckets_.size()];
    // A slot from an older lap of the ring has aged out of the window: reuse it.
    if (b.index != index)
        b = bucket{index, 0, 0};
    return b;
}

void hedge_budget::totals_locked(std::uint64_t& primaries, std::uint64_t& extras) const {
    const std::int64_t now_index = clock_.now().ns / bucket_width_.count();
    const auto n = static_cast<std::int64_t>(buckets_.size());
    primaries = 0;
    extras = 0;
    for (const auto& b : buckets_) {
        if (b.index > now_index - n && b.index <= now_index) {
            primaries += b.primaries;
            extras += b.extras;
        }
    }
}

void hedge_budget::record_primary() {
    std::lock_guard lock(mutex_);
    ++current_locked().primaries;
}

bool hedge_budget::try_spend() {
    std::lock_guard lock(mutex_);
    std::uint64_t primaries = 0;
    std::uint64_t extras = 0;
    totals_locked(primaries, extras);
    const double window_s = std::chrono::duration<double>(options_.window).count();
    const double allowance = options_.ratio * static_cast<double>(primaries) + options_.floor_per_second * window_s;
    if (static_cast<double>(extras) + 1.0 > allowance)
        return false;
    ++current_locked().extras;
    return true;
}

double hedge_budget::available() const {
    std::lock_guard lock(mutex_);
    std::uint64_t primaries = 0;
    std::uint64_t extras = 0;
    totals_locked(primaries, extras);
    const double window_s = std::chrono::duration<double>(options_.window).count();
    return std::max(0.0, options_.ratio * static_cast<double>(primaries) + options_.floor_per_second * window_s -
                             static_cast<double>(extras));
}

} // namespace genesis::resilience
