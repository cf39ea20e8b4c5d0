// A fixed-bucket latency histogram (nanoseconds) and the plain histogram value the Prometheus
// writer exposes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace genesis::gateway::ops {

/// A histogram as Prometheus exposes it: cumulative counts per upper bound (ascending, without
/// the +Inf bucket, whose count is `count`), the sum and the count of observations.
struct histogram_value {
    /// (upper bound `le`, observations <= le), bounds strictly ascending, counts non-decreasing.
    std::vector<std::pair<double, std::uint64_t>> buckets;
    double sum = 0;
    std::uint64_t count = 0;
};

/// Latencies in nanoseconds over fixed log-spaced buckets: four per octave from 250 ns up to
/// 10 s (each bucket at most ~19% wide), plus an overflow bucket. record() is O(log buckets) and
/// never allocates. Not thread-safe: one thread records; copy or merge on that thread.
class latency_histogram {
public:
    /// Number of finite upper bounds; bucket i holds (bound(i-1), bound(i)], bucket 0 [0, 250 ns].
    static constexpr std::size_t bucket_count = 103;

private:
    std::array<std::uint64_t, bucket_count + 1> counts_{};
    std::uint64_t count_ = 0;
    std::uint64_t sum_ns_ = 0;
    std::uint64_t min_ns_ = 0;
    std::uint64_t max_ns_ = 0;

public:
    /// Upper bound of bucket i in nanoseconds (i < bucket_count): 250 ns, ~297 ns, ... 10 s.
    [[nodiscard]] static std::uint64_t bound(std::size_t i) noexcept;

    /// Counts one observation of `nanos` nanoseconds (negative values count as 0).
    void record(std::int64_t nanos) noexcept;

    /// Adds every observation of `other` (same fixed buckets, so merging is exact).
    void merge(const latency_histogram& other) noexcept;

    /// Forgets every observation.
    void reset() noexcept;

    [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
    /// Sum of the observations in nanoseconds (saturates at 2^64-1).
    [[nodiscard]] std::uint64_t sum_ns() const noexcept { return sum_ns_; }
    /// Smallest and largest observation; 0 when empty.
    [[nodiscard]] std::uint64_t min_ns() const noexcept { return min_ns_; }
    [[nodiscard]] std::uint64_t max_ns() const noexcept { return max_ns_; }
    /// Observations in bucket i (i == bucket_count: the overflow bucket above 10 s).
    [[nodiscard]] std::uint64_t bucket(std::size_t i) const noexcept { return counts_[i]; }

    /// Estimated q-quantile (q in [0, 1]) in nanoseconds: linear interpolation inside the bucket
    /// holding the rank, clamped to [min, max]. 0 when empty. Error is at most one bucket width.
    [[nodiscard]] double quantile(double q) const noexcept;
    [[nodiscard]] double p50() const noexcept { return quantile(0.50); }
    [[nodiscard]] double p99() const noexcept { return quantile(0.99); }

    /// The Prometheus view: bounds and sum divided by `divisor` (1e9: seconds, the Prometheus
    /// convention; dividing keeps 250 ns exactly "2.5e-07"), every `stride`-th bound exported
    /// (stride 4: one per octave; the 10 s bound always).
    [[nodiscard]] histogram_value to_value(double divisor = 1e9, std::size_t stride = 4) const;
};

} // namespace genesis::gateway::ops
