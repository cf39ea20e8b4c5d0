#include "genesis/resilience/predictor.hpp"

#include <gtest/gtest.h>

#include <barrier>
#include <chrono>
#include <random>
#include <thread>
#include <vector>

namespace genesis::resilience {
namespace {

using namespace std::chrono_literals;

class PredictorTest : public ::testing::Test {
protected:
    predictor p_;
    void record_all(std::initializer_list<nanos> latencies, bool ok = true) {
        for (const auto l : latencies)
            p_.record("rest-1", "get_order", l, ok);
    }
    double prob() const { return p_.success_probability("rest-1", "get_order"); }
};

TEST_F(PredictorTest, successProbabilityWithoutDataIsHalf) {
    EXPECT_DOUBLE_EQ(prob(), 0.5);
    EXPECT_EQ(p_.attempts("rest-1", "get_order"), 2U);
    EXPECT_FALSE(p_.percentiles("rest-1", "get_order").has_value());
    EXPECT_EQ(p_.samples("rest-1", "get_order"), 0U);
}

TEST_F(PredictorTest, successProbabilityLatencyBands) {
    struct row {
        nanos avg;
        double p;
    };
    const row table[] = {{0ms, 0.99},   {10ms, 0.99},  {49ms, 0.99},  {50ms, 0.95},  {99ms, 0.95},
                         {100ms, 0.85}, {199ms, 0.85}, {200ms, 0.65}, {499ms, 0.65}, {500ms, 0.4},
                         {999ms, 0.4},  {1s, 0.2},     {5s, 0.2}};
    for (const auto& r : table) {
        predictor p;
        // Constant latency: the band applies, no trend.
        for (int i = 0; i < 10; ++i)
            p.record("e", "op", r.avg, true);
        EXPECT_DOUBLE_EQ(p.success_probability("e", "op"), r.p) << r.avg.count();
        EXPECT_DOUBLE_EQ(predictor::latency_band(r.avg), r.p);
    }
}

TEST_F(PredictorTest, successProbabilityRisingTrend) {
    struct row {
        const char* name;
        std::vector<nanos> latencies;
        double p;
    };
    const std::vector<row> table = {
        // last - 5th-last = 190 ms > 100 ms; avg 60 ms -> 0.9 - 0.12.
        {"rising", {10ms, 20ms, 30ms, 40ms, 200ms}, 0.9 - 2 * 0.060},
        // Exactly 100 ms is not rising: band of avg 30 ms.
        {"rise of exactly 100 ms", {10ms, 10ms, 10ms, 10ms, 110ms}, 0.99},
        // Four samples are not enough for the trend: band of avg 62.5 ms.
        {"four samples", {10ms, 20ms, 20ms, 200ms}, 0.95},
        // Falling latency is not a trend: avg 60 ms.
        {"falling", {200ms, 40ms, 30ms, 20ms, 10ms}, 0.95},
        // Only the last and 5th-last count: avg (5*10 + 300)/6 ms.
        {"window of five", {10ms, 10ms, 10ms, 10ms, 10ms, 300ms}, 0.9 - 2 * (350.0 / 6 / 1000)},
        // The trend floor is 0.1.
        {"floor", {1s, 1s, 1s, 1s, 1200ms}, 0.1},
    };
    for (const auto& r : table) {
        predictor p;
        for (const auto l : r.latencies)
            p.record("e", "op", l, true);
        EXPECT_NEAR(p.success_probability("e", "op"), r.p, 1e-8) << r.name;
    }
}

TEST_F(PredictorTest, successProbabilityScalesByOutcomes) {
    for (int i = 0; i < 8; ++i)
        p_.record("rest-1", "get_order", 10ms, true);
    for (int i = 0; i < 2; ++i)
        p_.record("rest-1", "get_order", 10ms, false);
    EXPECT_DOUBLE_EQ(prob(), 0.99 * 0.8);

    predictor all_fail;
    for (int i = 0; i < 5; ++i)
        all_fail.record("e", "op", 1ms, false);
    EXPECT_DOUBLE_EQ(all_fail.success_probability("e", "op"), 0.0);
    EXPECT_EQ(all_fail.attempts("e", "op"), 3U);
}

TEST_F(PredictorTest, recordKeepsLastHundred) {
    for (int i = 0; i < 100; ++i)
        p_.record("rest-1", "get_order", 2s, false);
    for (int i = 0; i < 100; ++i)
        p_.record("rest-1", "get_order", 10ms, true);
    EXPECT_EQ(p_.samples("rest-1", "get_order"), 100U);
    EXPECT_DOUBLE_EQ(prob(), 0.99);
    p_.record("rest-1", "get_order", 10ms, false);
    EXPECT_DOUBLE_EQ(prob(), 0.99 * 0.99);
}

TEST_F(PredictorTest, recordSeparatesKeys) {
    p_.record("rest-1", "get_order", 10ms, true);
    p_.record("rest-2", "get_order", 2s, true);
    p_.record("rest-1", "cancel", 700ms, true);
    EXPECT_DOUBLE_EQ(p_.success_probability("rest-1", "get_order"), 0.99);
    EXPECT_DOUBLE_EQ(p_.success_probability("rest-2", "get_order"), 0.2);
    EXPECT_DOUBLE_EQ(p_.success_probability("rest-1", "cancel"), 0.4);
    EXPECT_DOUBLE_EQ(p_.success_probability("rest-2", "cancel"), 0.5);
}

TEST_F(PredictorTest, attemptsForMapping) {
    struct row {
        double p;
        unsigned attempts;
    };
    const row table[] = {{0.0, 3}, {0.2, 3}, {0.399, 3}, {0.4, 2}, {0.5, 2}, {0.699, 2}, {0.7, 1}, {0.99, 1}, {1.0, 1}};
    for (const auto& r : table)
        EXPECT_EQ(predictor::attempts_for(r.p), r.attempts) << r.p;
}

TEST_F(PredictorTest, percentilesNearestRank) {
    // 1..100 ms in shuffled order (seeded) so sorting is exercised.
    std::vector<int> ms(100);
    for (int i = 0; i < 100; ++i)
        ms[static_cast<std::size_t>(i)] = i + 1;
    std::mt19937 rng(42);
    std::shuffle(ms.begin(), ms.end(), rng);
    for (const int m : ms)
        p_.record("rest-1", "get_order", std::chrono::milliseconds{m}, true);
    auto pct = p_.percentiles("rest-1", "get_order");
    ASSERT_TRUE(pct.has_value());
    EXPECT_EQ(pct->samples, 100U);
    EXPECT_EQ(pct->p50, 50ms);
    EXPECT_EQ(pct->p95, 95ms);
    EXPECT_EQ(pct->p99, 99ms);

    // The cache follows new samples: 100 more at 1 ms push everything else out.
    for (int i = 0; i < 100; ++i)
        p_.record("rest-1", "get_order", 1ms, true);
    pct = p_.percentiles("rest-1", "get_order");
    EXPECT_EQ(pct->p99, 1ms);
}

TEST_F(PredictorTest, percentilesFewSamples) {
    record_all({30ms});
    auto pct = p_.percentiles("rest-1", "get_order");
    ASSERT_TRUE(pct.has_value());
    EXPECT_EQ(pct->p50, 30ms);
    EXPECT_EQ(pct->p99, 30ms);
    record_all({10ms, 20ms});
    pct = p_.percentiles("rest-1", "get_order");
    EXPECT_EQ(pct->p50, 20ms);
    EXPECT_EQ(pct->p95, 30ms);
}

TEST_F(PredictorTest, recordIsThreadSafe) {
    constexpr int threads = 4;
    std::barrier start(threads);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            start.arrive_and_wait();
            for (int i = 0; i < 2000; ++i) {
                p_.record(t % 2 == 0 ? "a" : "b", "op", std::chrono::milliseconds{i % 50}, i % 10 != 0);
                (void)p_.success_probability("a", "op");
                (void)p_.percentiles("b", "op");
            }
        });
    }
    for (auto& th : pool)
        th.join();
    EXPECT_EQ(p_.samples("a", "op"), 100U);
    EXPECT_EQ(p_.samples("b", "op"), 100U);
}

// The windows carried across a restart: the same keys, samples in order, the same decisions.
TEST_F(PredictorTest, windowsRoundTripAndKeepOnlyTheNewest) {
    predictor small({.window = 4});
    for (int i = 1; i <= 6; ++i)
        small.record("rest1", "depth", std::chrono::milliseconds{i * 10}, i % 3 != 0);
    small.record("rest0", "get_order", 5ms, true);
    const auto w = small.windows();
    ASSERT_EQ(w.size(), 2u);
    EXPECT_EQ(w[0].endpoint, "rest0");
    EXPECT_EQ(w[1].endpoint, "rest1");
    EXPECT_EQ(w[1].operation, "depth");
    ASSERT_EQ(w[1].samples.size(), 4u); // the oldest two dropped out
    EXPECT_EQ(w[1].samples.front().latency, 30ms);
    EXPECT_FALSE(w[1].samples.front().ok);
    EXPECT_EQ(w[1].samples.back().latency, 60ms);
    EXPECT_FALSE(w[1].samples.back().ok);

    predictor restored({.window = 4});
    restored.load(w);
    EXPECT_DOUBLE_EQ(restored.success_probability("rest1", "depth"), small.success_probability("rest1", "depth"));
    EXPECT_EQ(restored.attempts("rest1", "depth"), small.attempts("rest1", "depth"));
    EXPECT_EQ(restored.percentiles("rest1", "depth")->p99, small.percentiles("rest1", "depth")->p99);
    EXPECT_EQ(restored.samples("rest0", "get_order"), 1u);

    // A smaller window after the restart keeps the newest samples.
    predictor tiny({.window = 2});
    tiny.load(w);
    const auto t = tiny.windows();
    ASSERT_EQ(t[1].samples.size(), 2u);
    EXPECT_EQ(t[1].samples[0].latency, 50ms);
    EXPECT_EQ(t[1].samples[1].latency, 60ms);
}

} // namespace
} // namespace genesis::resilience
