// hedge_budget: bounds extra (parallel and hedged) attempts to a share of primary attempts.
#pragma once

#include "genesis/core/clock.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace genesis::resilience {

/// Budget settings.
struct hedge_budget_options {
    /// Extra attempts allowed per primary attempt in the window.
    double ratio = 0.1;
    /// Extra attempts allowed per second regardless of traffic, so a quiet system can still hedge.
    double floor_per_second = 1.0;
    /// Sliding window length, split into `buckets` equal buckets.
    nanos window = std::chrono::seconds{10};
    std::size_t buckets = 10;
};

/// Sliding-window budget: an extra attempt is allowed while
///   extras_in_window + 1 <= ratio * primaries_in_window + floor_per_second * window_seconds.
/// Thread-safe.
class hedge_budget {
    struct bucket {
        std::int64_t index = -1;
        std::uint64_t primaries = 0;
        std::uint64_t extras = 0;
    };

    const clock& clock_;
    hedge_budget_options options_;
    nanos bucket_width_;
    mutable std::mutex mutex_;
    mutable std::vector<bucket> buckets_;

    bucket& current_locked() const;
    void totals_locked(std::uint64_t& primaries, std::uint64_t& extras) const;

public:
    explicit hedge_budget(const clock& clk, hedge_budget_options options = {});

    /// Counts one primary attempt (earns ratio extra attempts).
    void record_primary();
    /// Spends one extra attempt if the budget allows; false when spent.
    [[nodiscard]] bool try_spend();
    /// Extra attempts still allowed now (may be fractional).
    [[nodiscard]] double available() const;
};

} // namespace genesis::resilience
