#include "genesis/gateway/ops/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace ops = genesis::gateway::ops;

TEST(LatencyHistogramTest, boundsSpan250nsTo10s) {
    EXPECT_EQ(ops::latency_histogram::bound(0), 250u);
    EXPECT_EQ(ops::latency_histogram::bound(4), 500u);
    EXPECT_EQ(ops::latency_histogram::bound(ops::latency_histogram::bucket_count - 1), 10'000'000'000u);
    for (std::size_t i = 1; i < ops::latency_histogram::bucket_count; ++i)
        EXPECT_LT(ops::latency_histogram::bound(i - 1), ops::latency_histogram::bound(i)) << i;
}

TEST(LatencyHistogramTest, quantilesOnUniformData) {
    ops::latency_histogram h;
    // 1..10000 us: p50 ~ 5000 us, p99 ~ 9900 us, within one bucket width (~19%).
    for (std::int64_t us = 1; us <= 10'000; ++us)
        h.record(us * 1000);
    EXPECT_EQ(h.count(), 10'000u);
    EXPECT_EQ(h.sum_ns(), 10'000ULL * 10'001 / 2 * 1000);
    EXPECT_EQ(h.min_ns(), 1000u);
    EXPECT_EQ(h.max_ns(), 10'000'000u);
    EXPECT_NEAR(h.p50(), 5'000'000.0, 5'000'000.0 * 0.05);
    EXPECT_NEAR(h.p99(), 9'900'000.0, 9'900'000.0 * 0.05);
    EXPECT_LE(h.p99(), static_cast<double>(h.max_ns()));
    EXPECT_EQ(h.quantile(0), 1000.0);
    EXPECT_EQ(h.quantile(1), 10'000'000.0);
}

TEST(LatencyHistogramTest, quantileOfOneValueIsExact) {
    ops::latency_histogram h;
    for (int i = 0; i < 100; ++i)
        h.record(12'345);
    EXPECT_DOUBLE_EQ(h.p50(), 12'345.0);
    EXPECT_DOUBLE_EQ(h.p99(), 12'345.0);
}

TEST(LatencyHistogramTest, mergeEqualsRecordingEverything) {
    ops::latency_histogram a, b, all;
    for (std::int64_t v = 100; v < 2'000'000; v += 997) {
        (v % 3 == 0 ? a : b).record(v);
        all.record(v);
    }
    a.merge(b);
    EXPECT_EQ(a.count(), all.count());
    EXPECT_EQ(a.sum_ns(), all.sum_ns());
    EXPECT_EQ(a.min_ns(), all.min_ns());
    EXPECT_EQ(a.max_ns(), all.max_ns());
    for (std::size_t i = 0; i <= ops::latency_histogram::bucket_count; ++i)
        EXPECT_EQ(a.bucket(i), all.bucket(i)) << i;
    EXPECT_DOUBLE_EQ(a.p99(), all.p99());
}

TEST(LatencyHistogramTest, overflowAndNegative) {
    ops::latency_histogram h;
    h.record(-5);
    h.record(20'000'000'000);
    EXPECT_EQ(h.bucket(0), 1u);
    EXPECT_EQ(h.bucket(ops::latency_histogram::bucket_count), 1u);
    EXPECT_DOUBLE_EQ(h.quantile(1), 20'000'000'000.0);
    h.reset();
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.p50(), 0.0);
}

TEST(LatencyHistogramTest, toValueIsCumulativeInSeconds) {
    ops::latency_histogram h;
    h.record(200);       // <= 250 ns
    h.record(600);       // <= 1 us
    h.record(3'000'000); // 3 ms
    const auto v = h.to_value();
    ASSERT_FALSE(v.buckets.empty());
    EXPECT_DOUBLE_EQ(v.buckets.front().first, 2.5e-7);
    EXPECT_EQ(v.buckets.front().second, 1u);
    EXPECT_DOUBLE_EQ(v.buckets.back().first, 10.0);
    EXPECT_EQ(v.buckets.back().second, 3u);
    EXPECT_EQ(v.count, 3u);
    EXPECT_DOUBLE_EQ(v.sum, 3'000'800e-9);
    for (std::size_t i = 1; i < v.buckets.size(); ++i)
        EXPECT_GE(v.buckets[i].second, v.buckets[i - 1].second);
}
