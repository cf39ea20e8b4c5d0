#include "genesis/gateway/runtime/resource_manager.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace genesis::gateway::runtime {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t mib = 1ull << 20;

class ResourceManagerTest : public ::testing::Test {
protected:
    resource_manager rm{resource_limits{100 * mib, 150, 1000}};
    time_point t{};
    double cpu = 0;

    // One tick of 100 ms: rss in MiB, CPU used during it in percent of a core, book queue.
    bool tick(std::uint64_t rss_mib, double cpu_percent, std::size_t queue) {
        t = t + 100ms;
        cpu += cpu_percent / 100.0 * 0.1;
        return rm.update({t, rss_mib * mib, cpu, queue});
    }
};

TEST_F(ResourceManagerTest, telemetryGoesFirstThenBooksIfThePressureStays) {
    EXPECT_FALSE(tick(50, 10, 10));
    EXPECT_EQ(rm.stage(), resource_stage::normal);
    // Over the memory limit: telemetry only, at first.
    EXPECT_TRUE(tick(120, 10, 10));
    EXPECT_EQ(rm.stage(), resource_stage::shed_telemetry);
    EXPECT_TRUE(rm.shedding_telemetry());
    EXPECT_FALSE(rm.conflating_books());
    EXPECT_EQ(rm.pressure(), "rss 120 MiB > 100 MiB");
    // Still over at the next tick: book updates are conflated too; it goes no further.
    EXPECT_TRUE(tick(120, 10, 10));
    EXPECT_EQ(rm.stage(), resource_stage::conflate_books);
    EXPECT_FALSE(tick(130, 10, 10));
    EXPECT_EQ(rm.stage(), resource_stage::conflate_books);
    // Under the limit but above 90% of it: held (no flapping at the edge).
    EXPECT_FALSE(tick(95, 10, 10));
    EXPECT_EQ(rm.stage(), resource_stage::conflate_books);
    EXPECT_TRUE(rm.pressure().empty());
    // Calm: one stage down per tick.
    EXPECT_TRUE(tick(50, 10, 10));
    EXPECT_EQ(rm.stage(), resource_stage::shed_telemetry);
    EXPECT_TRUE(tick(50, 10, 10));
    EXPECT_EQ(rm.stage(), resource_stage::normal);
}

TEST_F(ResourceManagerTest, queueDepthAndCpuAreLimitsToo) {
    EXPECT_FALSE(tick(10, 10, 10));
    EXPECT_TRUE(tick(10, 10, 5000));
    EXPECT_EQ(rm.pressure(), "book queue 5000 > 1000");
    EXPECT_TRUE(tick(10, 10, 10));
    EXPECT_EQ(rm.stage(), resource_stage::normal);
    // 190% of a core over the last tick (two busy threads) against 150%.
    EXPECT_TRUE(tick(10, 190, 10));
    EXPECT_NEAR(rm.cpu_percent(), 190.0, 0.5);
    EXPECT_EQ(rm.pressure(), "cpu 190% > 150%");
    EXPECT_EQ(rm.stage(), resource_stage::shed_telemetry);
    EXPECT_TRUE(tick(10, 160, 2000));
    EXPECT_EQ(rm.pressure(), "cpu 160% > 150%, book queue 2000 > 1000");
    EXPECT_EQ(rm.stage(), resource_stage::conflate_books);
}

TEST(ResourceManagerLimitsTest, aZeroLimitIsNotWatched) {
    resource_manager rm{resource_limits{0, 0, 0}};
    time_point t{};
    for (int i = 1; i <= 3; ++i)
        EXPECT_FALSE(rm.update({t + std::chrono::seconds{i}, 1ull << 40, 1000.0 * i, 1'000'000}));
    EXPECT_EQ(rm.stage(), resource_stage::normal);
    EXPECT_EQ(to_string(rm.stage()), "normal");
}

} // namespace
} // namespace genesis::gateway::runtime
