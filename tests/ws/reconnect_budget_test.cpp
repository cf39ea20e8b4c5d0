#include "genesis/ws/reconnect_budget.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace genesis::ws {
namespace {

using namespace std::chrono_literals;

class ReconnectBudgetTest : public ::testing::Test {
protected:
    time_point t0{1'000'000'000};
    reconnect_budget budget{3, 10s};
};

TEST_F(ReconnectBudgetTest, tryAcquireAllowsKPerWindow) {
    EXPECT_EQ(budget.try_acquire(t0), 0s);
    EXPECT_EQ(budget.try_acquire(t0 + 1s), 0s);
    EXPECT_EQ(budget.try_acquire(t0 + 2s), 0s);
    EXPECT_EQ(budget.used(t0 + 2s), 3u);
    // Over budget: wait until the oldest (t0) leaves the window, and take nothing.
    EXPECT_EQ(budget.try_acquire(t0 + 3s), 7s);
    EXPECT_EQ(budget.try_acquire(t0 + 9s), 1s);
    EXPECT_EQ(budget.used(t0 + 9s), 3u);
}

TEST_F(ReconnectBudgetTest, tryAcquireSlidesWithTheWindow) {
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(budget.try_acquire(t0 + std::chrono::seconds(i)), 0s);
    EXPECT_EQ(budget.try_acquire(t0 + 10s), 0s); // t0 left the window
    EXPECT_EQ(budget.try_acquire(t0 + 10s), 1s); // next to leave: t0 + 1s
    EXPECT_EQ(budget.used(t0 + 30s), 0u);
    EXPECT_EQ(budget.try_acquire(t0 + 30s), 0s);
}

TEST_F(ReconnectBudgetTest, aReserveLeavesTheLastReconnectsToTheOthers) {
    // The feed leaves 1 of 3 to order entry: it takes 2, then waits for room below 2.
    EXPECT_EQ(budget.try_acquire(t0, 1), 0s);
    EXPECT_EQ(budget.try_acquire(t0 + 1s, 1), 0s);
    EXPECT_EQ(budget.try_acquire(t0 + 2s, 1), 8s); // until t0 leaves the window
    EXPECT_EQ(budget.used(t0 + 2s), 2u);
    // Order entry (no reserve) still gets the last one; then the feed waits for two to leave.
    EXPECT_EQ(budget.try_acquire(t0 + 2s), 0s);
    EXPECT_EQ(budget.try_acquire(t0 + 3s, 1), 8s); // until t0 + 1s leaves
    EXPECT_EQ(budget.try_acquire(t0 + 11s, 1), 0s);
    // A reserve of the whole capacity never takes one.
    EXPECT_EQ(budget.try_acquire(t0 + 100s, 3), 10s);
    EXPECT_EQ(budget.used(t0 + 100s), 0u);
}

TEST_F(ReconnectBudgetTest, tryAcquireWithZeroCapacityNeverAllows) {
    reconnect_budget none(0, 5s);
    EXPECT_EQ(none.try_acquire(t0), 5s);
    EXPECT_EQ(none.used(t0), 0u);
}

TEST_F(ReconnectBudgetTest, tryAcquireIsSharedAcrossThreads) {
    // A venue's sessions share one budget: concurrent takers never exceed it.
    reconnect_budget shared(50, 60s);
    std::atomic<int> granted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 100; ++i)
                if (shared.try_acquire(t0) == 0s)
                    ++granted;
        });
    for (auto& th : threads)
        th.join();
    EXPECT_EQ(granted.load(), 50);
}

} // namespace
} // namespace genesis::ws
