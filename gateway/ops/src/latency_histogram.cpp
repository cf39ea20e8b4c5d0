#include "genesis/gateway/ops/latency_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace genesis::gateway::ops {

namespace {

// 250 ns * 2^(k/4), rounded to whole nanoseconds, the last one exactly 10 s.
const std::array<std::uint64_t, latency_histogram::bucket_count>& bounds() {
    static const auto table = [] {
        std::array<std::uint64_t, latency_histogram::bucket_count> b{};
        for (std::size_t k = 0; k + 1 < b.size(); ++k)
            b[k] = static_cast<std::uint64_t>(std::llround(250.0 * std::exp2(static_cast<double>(k) / 4.0)));
        b.back() = 10'000'000'000ULL;
        return b;
    }();
    return table;
}

} // namespace

std::uint64_t latency_histogram::bound(std::size_t i) noexcept { return bounds()[std::min(i, bucket_count - 1)]; }

void latency_histogram::record(std::int64_t nanos) noexcept {
    const std::uint64_t v = nanos < 0 ? 0 : static_cast<std::uint64_t>(nanos);
    const auto& b = bounds();
    // First bound >= v: bucket i holds (bound(i-1), bound(i)]; past the last bound is overflow.
    const auto it = std::lower_bound(b.begin(), b.end(), v);
    ++counts_[static_cast<std::size_t>(it - b.begin())];
    if (count_ == 0 || v < min_ns_)
        min_ns_ = v;
    if (count_ == 0 || v > max_ns_)
        max_ns_ = v;
    ++count_;
    sum_ns_ = v > std::numeric_limits<std::uint64_t>::max() - sum_ns_ ? std::numeric_limits<std::uint64_t>::max()
                                                                      : sum_ns_ + v;
}

void latency_histogram::merge(const latency_histogram& other) noexcept {
    if (other.count_ == 0)
        return;
    for (std::size_t i = 0; i < counts_.size(); ++i)
        counts_[i] += other.counts_[i];
    min_ns_ = count_ == 0 ? other.min_ns_ : std::min(min_ns_, other.min_ns_);
    max_ns_ = count_ == 0 ? other.max_ns_ : std::max(max_ns_, other.max_ns_);
    count_ += other.count_;
    sum_ns_ = other.sum_ns_ > std::numeric_limits<std::uint64_t>::max() - sum_ns_
                  ? std::numeric_limits<std::uint64_t>::max()
                  : sum_ns_ + other.sum_ns_;
}

void latency_histogram::reset() noexcept { *this = latency_histogram{}; }

double latency_histogram::quantile(double q) const noexcept {
    if (count_ == 0)
        return 0;
    if (!(q > 0))
        return static_cast<double>(min_ns_);
    if (q >= 1)
        return static_cast<double>(max_ns_);
    // The rank-th observation (1-based) lies in the first bucket whose cumulative count reaches it.
    const double rank = q * static_cast<double>(count_);
    std::uint64_t cum = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
        if (counts_[i] == 0)
            continue;
        const std::uint64_t before = cum;
        cum += counts_[i];
        if (static_cast<double>(cum) < rank)
            continue;
        // Interpolate inside the bucket, bounded by what was really observed.
        const double lo = std::max(i == 0 ? 0.0 : static_cast<double>(bound(i - 1)), static_cast<double>(min_ns_));
        const double hi = std::min(i < bucket_count ? static_cast<double>(bound(i)) : static_cast<double>(max_ns_),
                                   static_cast<double>(max_ns_));
        const double frac = (rank - static_cast<double>(before)) / static_cast<double>(counts_[i]);
        return std::clamp(lo + (hi - lo) * frac, lo, std::max(lo, hi));
    }
    return static_cast<double>(max_ns_);
}

histogram_value latency_histogram::to_value(double divisor, std::size_t stride) const {
    histogram_value h;
    if (stride == 0)
        stride = 1;
    h.buckets.reserve(bucket_count / stride + 2);
    std::uint64_t cum = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        cum += counts_[i];
        if (i % stride == 0 || i + 1 == bucket_count)
            h.buckets.emplace_back(static_cast<double>(bound(i)) / divisor, cum);
    }
    h.sum = static_cast<double>(sum_ns_) / divisor;
    h.count = count_;
    return h;
}

} // namespace genesis::gateway::ops
