#include "genesis/resilience/priority_processor.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace genesis::resilience {
namespace {

using namespace std::chrono_literals;

struct test_event {
    int key = 0;
    int producer = 0;
};

constexpr int blocker_key = -1;
constexpr auto deadline = 20s;

// Waits on a condition with a bounded deadline; used where the event to wait on is a counter.
template <class Pred>
bool wait_until(Pred pred) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > end)
            return false;
        std::this_thread::yield();
    }
    return true;
}

std::uint64_t total_processed(const processor_stats& s) {
    std::uint64_t n = 0;
    for (const auto& l : s.levels)
        n += l.processed;
    return n;
}

class PriorityProcessorTest : public ::testing::Test {
protected:
    std::mutex mutex_;
    std::vector<std::pair<priority, int>> seen_;
    std::promise<void> entered_;
    std::promise<void> release_;
    std::shared_future<void> release_future_ = release_.get_future().share();
    std::function<void(test_event&, priority)> extra_;

    // Records every event; the blocker event parks the consumer until release() so the test can fill queues.
    std::function<result<void>(test_event&, priority)> recording_handler() {
        return [this](test_event& ev, priority p) -> result<void> {
            {
                std::lock_guard lock(mutex_);
                seen_.emplace_back(p, ev.key);
            }
            if (ev.key == blocker_key) {
                entered_.set_value();
                if (release_future_.wait_for(deadline) != std::future_status::ready)
                    ADD_FAILURE() << "never released";
            }
            if (extra_)
                extra_(ev, p);
            return {};
        };
    }

    template <class Processor>
    void pause(Processor& proc, priority p = priority::telemetry) {
        ASSERT_TRUE(proc.push(p, {blocker_key, 0}));
        ASSERT_EQ(entered_.get_future().wait_for(deadline), std::future_status::ready);
    }

    void release() { release_.set_value(); }

    std::vector<std::pair<priority, int>> seen() {
        std::lock_guard lock(mutex_);
        return seen_;
    }

    static priority_processor_config small_config() {
        priority_processor_config c;
        c.capacity = {1024, 1024, 1024, 1024, 1024};
        c.latency_sample_every = 1;
        return c;
    }
};

TEST_F(PriorityProcessorTest, pushOrdersByPriority) {
    priority_processor<test_event> proc(recording_handler(), small_config());
    ASSERT_TRUE(proc.start());
    pause(proc);
    // A mix where lower levels are pushed first, interleaved.
    for (int i = 49; i >= 0; --i)
        ASSERT_TRUE(proc.push(static_cast<priority>(i % 5), {i, 0}));
    release();
    ASSERT_TRUE(wait_until([&] { return total_processed(proc.stats()) == 51; }));

    const auto got = seen();
    ASSERT_EQ(got.size(), 51u);
    EXPECT_EQ(got[0].second, blocker_key);
    std::size_t at = 1;
    for (int level = 0; level < 5; ++level) {
        // Within a level, first in first out.
        for (int i = 49; i >= 0; --i) {
            if (i % 5 != level)
                continue;
            ASSERT_EQ(got[at], std::make_pair(static_cast<priority>(level), i)) << "at " << at;
            ++at;
        }
    }
    const auto s = proc.stats();
    EXPECT_EQ(s[priority::orders].processed, 10u);
    EXPECT_EQ(s[priority::telemetry].processed, 11u);
    EXPECT_EQ(s[priority::book].enqueued, 10u);
    EXPECT_EQ(s[priority::book].depth, 0u);
}

TEST_F(PriorityProcessorTest, pushBatchesOfHundredThenRechecksHigherLevels) {
    priority_processor<test_event>* self = nullptr;
    // The first book delta handled pushes an order event: it must run right after the first batch of 100.
    extra_ = [&](test_event& ev, priority p) {
        if (p == priority::book && ev.key == 0) {
            ASSERT_TRUE(self->push(priority::orders, {1000, 0}));
        }
    };
    priority_processor<test_event> proc(recording_handler(), small_config());
    self = &proc;
    ASSERT_TRUE(proc.start());
    pause(proc);
    for (int i = 0; i < 250; ++i)
        ASSERT_TRUE(proc.push(priority::book, {i, 0}));
    release();
    ASSERT_TRUE(wait_until([&] { return total_processed(proc.stats()) == 252; }));

    const auto got = seen();
    ASSERT_EQ(got.size(), 252u);
    for (int i = 0; i < 100; ++i)
        EXPECT_EQ(got[1 + i], std::make_pair(priority::book, i));
    EXPECT_EQ(got[101], std::make_pair(priority::orders, 1000));
    for (int i = 100; i < 250; ++i)
        EXPECT_EQ(got[2 + i], std::make_pair(priority::book, i));
    const auto s = proc.stats();
    EXPECT_EQ(s[priority::book].batches, 3u);
    EXPECT_EQ(s[priority::book].processed, 250u);
    EXPECT_EQ(s[priority::orders].batches, 1u);
}

TEST_F(PriorityProcessorTest, pushDropsOldestWhenFullAndReportsIt) {
    std::mutex drop_mutex;
    std::vector<std::pair<priority, int>> dropped;
    processor_hooks<test_event> hooks;
    hooks.on_drop = [&](priority p, const test_event& ev) {
        std::lock_guard lock(drop_mutex);
        dropped.emplace_back(p, ev.key);
    };
    auto config = small_config();
    config.capacity[static_cast<std::size_t>(priority::book)] = 4;
    config.capacity[static_cast<std::size_t>(priority::trades)] = 3;
    priority_processor<test_event> proc(recording_handler(), config, hooks);
    ASSERT_TRUE(proc.start());
    pause(proc);
    for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(proc.push(priority::book, {i, 0}));
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(proc.push(priority::trades, {100 + i, 0}));
    EXPECT_EQ(proc.stats()[priority::book].depth, 4u);
    release();
    ASSERT_TRUE(wait_until([&] { return total_processed(proc.stats()) == 8; }));

    {
        std::lock_guard lock(drop_mutex);
        ASSERT_EQ(dropped.size(), 6u);
        for (int i = 0; i < 6; ++i)
            EXPECT_EQ(dropped[i], std::make_pair(priority::book, i));
    }
    const auto got = seen();
    const std::vector<std::pair<priority, int>> expected{{priority::telemetry, blocker_key},
                                                         {priority::trades, 100},
                                                         {priority::trades, 101},
                                                         {priority::trades, 102},
                                                         {priority::book, 6},
                                                         {priority::book, 7},
                                                         {priority::book, 8},
                                                         {priority::book, 9}};
    EXPECT_EQ(got, expected);
    const auto s = proc.stats();
    EXPECT_EQ(s[priority::book].drops, 6u);
    EXPECT_EQ(s[priority::book].enqueued, 10u);
    EXPECT_EQ(s[priority::trades].drops, 0u);
}

TEST_F(PriorityProcessorTest, pushNeverDropsOrdersAndCountsWaits) {
    auto config = small_config();
    config.capacity[static_cast<std::size_t>(priority::orders)] = 2;
    config.capacity[static_cast<std::size_t>(priority::control)] = 1;
    priority_processor<test_event> proc(recording_handler(), config);
    ASSERT_TRUE(proc.start());
    pause(proc);
    std::thread orders([&] {
        for (int i = 0; i < 10; ++i)
            EXPECT_TRUE(proc.push(priority::orders, {i, 1}));
    });
    std::thread control([&] {
        for (int i = 0; i < 5; ++i)
            EXPECT_TRUE(proc.push(priority::control, {100 + i, 2}));
    });
    // Both producers hit their full queue while the consumer is parked in the blocker.
    ASSERT_TRUE(wait_until([&] {
        const auto s = proc.stats();
        return s[priority::orders].waits >= 1 && s[priority::control].waits >= 1;
    }));
    EXPECT_EQ(proc.stats()[priority::orders].depth, 2u);
    release();
    orders.join();
    control.join();
    ASSERT_TRUE(wait_until([&] { return total_processed(proc.stats()) == 16; }));

    std::vector<int> order_keys;
    std::vector<int> control_keys;
    for (const auto& [p, key] : seen()) {
        if (p == priority::orders)
            order_keys.push_back(key);
        if (p == priority::control)
            control_keys.push_back(key);
    }
    EXPECT_EQ(order_keys, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    EXPECT_EQ(control_keys, (std::vector<int>{100, 101, 102, 103, 104}));
    const auto s = proc.stats();
    EXPECT_EQ(s[priority::orders].drops, 0u);
    EXPECT_EQ(s[priority::control].drops, 0u);
    EXPECT_GE(s[priority::orders].waits, 1u);
    EXPECT_LE(s[priority::orders].waits, 8u);
}

TEST_F(PriorityProcessorTest, tryPushOnAFullOrdersLevelAnswersQueueFullAndKeepsTheEvent) {
    auto config = small_config();
    config.capacity[static_cast<std::size_t>(priority::orders)] = 2;
    priority_processor<test_event> proc(recording_handler(), config);
    ASSERT_TRUE(proc.start());
    pause(proc);
    test_event a{1, 0}, b{2, 0}, c{3, 0};
    ASSERT_TRUE(proc.try_push(priority::orders, a));
    ASSERT_TRUE(proc.try_push(priority::orders, b));
    // Full: no wait (this thread could be the consumer), and the event is still the caller's.
    const auto r = proc.try_push(priority::orders, c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), errc::queue_full);
    EXPECT_EQ(c.key, 3);
    EXPECT_EQ(proc.stats()[priority::orders].waits, 0u);
    release();
    ASSERT_TRUE(wait_until([&] { return total_processed(proc.stats()) == 3; }));
    // Once there is space it goes in.
    ASSERT_TRUE(proc.try_push(priority::orders, c));
    ASSERT_TRUE(wait_until([&] { return total_processed(proc.stats()) == 4; }));
    std::vector<int> keys;
    for (const auto& [p, key] : seen())
        if (p == priority::orders)
            keys.push_back(key);
    EXPECT_EQ(keys, (std::vector<int>{1, 2, 3}));
}

TEST_F(PriorityProcessorTest, handlerErrorsAreCountedAndLoopContinues) {
    std::mutex failure_mutex;
    std::vector<std::string> failures;
    processor_hooks<test_event> hooks;
    hooks.on_error = [&](const handler_failure& f, const test_event& ev) {
        std::lock_guard lock(failure_mutex);
        failures.push_back(std::to_string(ev.key) + ":" + (f.exception ? std::string(f.what) : f.ec.message()));
    };
    std::vector<int> handled;
    auto handler = [&](test_event& ev, priority) -> result<void> {
        handled.push_back(ev.key);
        if (ev.key == 3)
            throw std::runtime_error("boom");
        if (ev.key == 5)
            return make_error_code(errc::timed_out);
        if (ev.key == 7)
            throw 42;
        return {};
    };
    priority_processor<test_event> proc(handler, small_config(), hooks);
    ASSERT_TRUE(proc.start());
    for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(proc.push(priority::trades, {i, 0}));
    ASSERT_TRUE(wait_until([&] { return proc.stats()[priority::trades].processed == 10; }));

    EXPECT_EQ(proc.stats()[priority::trades].errors, 3u);
    proc.stop(stop_mode::drain);
    EXPECT_EQ(handled, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    std::lock_guard lock(failure_mutex);
    EXPECT_EQ(failures, (std::vector<std::string>{"3:boom", "5:timed out", "7:unknown exception"}));
}

TEST_F(PriorityProcessorTest, stopDrainRunsEveryQueuedEvent) {
    priority_processor<test_event> proc(recording_handler(), small_config());
    ASSERT_TRUE(proc.start());
    pause(proc);
    for (int i = 0; i < 25; ++i)
        ASSERT_TRUE(proc.push(static_cast<priority>(4 - i % 5), {i, 0}));
    stop_report report;
    std::thread stopper([&] { report = proc.stop(stop_mode::drain); });
    ASSERT_TRUE(wait_until([&] { return proc.stop_requested(); }));
    // Once stopping, new events are refused.
    EXPECT_EQ(proc.push(priority::orders, {99, 0}).error(), make_error_code(errc::stopped));
    release();
    stopper.join();

    EXPECT_EQ(report.mode, stop_mode::drain);
    EXPECT_EQ(report.drained, 25u);
    EXPECT_EQ(report.discarded, 0u);
    const auto got = seen();
    ASSERT_EQ(got.size(), 26u);
    // The drain keeps strict priority.
    for (std::size_t i = 2; i < got.size(); ++i)
        EXPECT_LE(got[i - 1].first, got[i].first);
    EXPECT_EQ(proc.stop(stop_mode::drain).drained, 0u);
}

TEST_F(PriorityProcessorTest, stopDiscardDropsQueuedEvents) {
    priority_processor<test_event> proc(recording_handler(), small_config());
    ASSERT_TRUE(proc.start());
    pause(proc);
    for (int i = 0; i < 25; ++i)
        ASSERT_TRUE(proc.push(static_cast<priority>(i % 5), {i, 0}));
    stop_report report;
    std::thread stopper([&] { report = proc.stop(stop_mode::discard); });
    ASSERT_TRUE(wait_until([&] { return proc.stop_requested(); }));
    release();
    stopper.join();

    EXPECT_EQ(report.mode, stop_mode::discard);
    EXPECT_EQ(report.drained, 0u);
    EXPECT_EQ(report.discarded, 25u);
    EXPECT_EQ(seen().size(), 1u);
    EXPECT_EQ(proc.start().error(), make_error_code(errc::stopped));
}

TEST_F(PriorityProcessorTest, stopBeforeStartDrainsOnCallingThread) {
    priority_processor<test_event> proc(recording_handler(), small_config());
    ASSERT_TRUE(proc.push(priority::book, {1, 0}));
    ASSERT_TRUE(proc.push(priority::orders, {2, 0}));
    const auto report = proc.stop(stop_mode::drain);
    EXPECT_EQ(report.drained, 2u);
    EXPECT_EQ(seen(), (std::vector<std::pair<priority, int>>{{priority::orders, 2}, {priority::book, 1}}));
}

TEST_F(PriorityProcessorTest, pushFromManyProducersKeepsEachProducersOrder) {
    constexpr int producers = 4;
    constexpr int per_producer = 20000;
    // last[producer][level]: the consumer thread is the only writer.
    std::vector<std::array<int, priority_levels>> last(producers);
    for (auto& l : last)
        l.fill(-1);
    int out_of_order = 0;
    auto handler = [&](test_event& ev, priority p) -> result<void> {
        auto& prev = last[static_cast<std::size_t>(ev.producer)][static_cast<std::size_t>(p)];
        if (ev.key <= prev)
            ++out_of_order;
        prev = ev.key;
        return {};
    };
    priority_processor_config config;
    // Small never-drop queues make producers wait often; the others are large enough to never drop.
    config.capacity = {64, 64, 1 << 16, 1 << 16, 1 << 16};
    config.idle_spins = 50;
    priority_processor<test_event> proc(handler, config);
    ASSERT_TRUE(proc.start());
    std::vector<std::thread> threads;
    for (int t = 0; t < producers; ++t) {
        threads.emplace_back([&proc, t] {
            for (int i = 0; i < per_producer; ++i) {
                if (!proc.push(static_cast<priority>(i % 5), {i, t}))
                    ADD_FAILURE() << "push failed";
            }
        });
    }
    for (auto& t : threads)
        t.join();
    const auto report = proc.stop(stop_mode::drain);

    const auto s = proc.stats();
    EXPECT_EQ(total_processed(s), static_cast<std::uint64_t>(producers * per_producer));
    EXPECT_EQ(report.discarded, 0u);
    EXPECT_EQ(out_of_order, 0);
    for (const auto& l : s.levels) {
        EXPECT_EQ(l.drops, 0u);
        EXPECT_EQ(l.errors, 0u);
        EXPECT_EQ(l.enqueued, l.processed);
    }
}

TEST_F(PriorityProcessorTest, pushDropAccountingHoldsUnderContention) {
    std::atomic<std::uint64_t> reported{0};
    processor_hooks<test_event> hooks;
    hooks.on_drop = [&](priority, const test_event&) { reported.fetch_add(1, std::memory_order_relaxed); };
    priority_processor_config config;
    // One cell: the smallest ring, where a producer's drop races the consumer's batch hardest.
    config.capacity = {16, 16, 8, 1, 8};
    config.idle_spins = 0;
    priority_processor<test_event> proc([](test_event&, priority) -> result<void> { return {}; }, config, hooks);
    ASSERT_TRUE(proc.start());
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&proc, t] {
            for (int i = 0; i < 20000; ++i) {
                if (!proc.push(priority::book, {i, t}))
                    ADD_FAILURE() << "push failed";
            }
        });
    }
    for (auto& t : threads)
        t.join();
    const auto report = proc.stop(stop_mode::drain);

    const auto s = proc.stats()[priority::book];
    EXPECT_EQ(s.enqueued, 40000u);
    EXPECT_EQ(s.processed + s.drops, 40000u);
    EXPECT_EQ(s.drops, reported.load());
    EXPECT_EQ(report.discarded, 0u);
}

TEST_F(PriorityProcessorTest, statsMeasureQueueWaitWithInjectedClock) {
    manual_clock clk;
    priority_processor<test_event> proc(recording_handler(), small_config(), {}, clk);
    ASSERT_TRUE(proc.start());
    // The blocker is handled at t=0: wait 0.
    pause(proc);
    for (int i = 0; i < 8; ++i)
        ASSERT_TRUE(proc.push(priority::trades, {i, 0}));
    clk.advance(5000ns);
    for (int i = 8; i < 10; ++i)
        ASSERT_TRUE(proc.push(priority::trades, {i, 0}));
    clk.advance(1000ns);
    release();
    ASSERT_TRUE(wait_until([&] { return total_processed(proc.stats()) == 11; }));

    const auto h = proc.stats().queue_wait;
    EXPECT_EQ(h.count, 11u);
    EXPECT_EQ(h.max_ns, 6000);
    EXPECT_EQ(h.p50(), 6000ns);
    EXPECT_EQ(h.p99(), 6000ns);
    // 1000 ns sits in the [512, 1023] bucket, reported by its upper bound.
    EXPECT_EQ(h.percentile(0.2), 1023ns);
    EXPECT_EQ(h.percentile(0.05), 0ns);
    EXPECT_EQ(h.mean(), nanos{(8 * 6000 + 2 * 1000) / 11});
}

TEST_F(PriorityProcessorTest, statsSampleEveryNthEvent) {
    manual_clock clk;
    auto config = small_config();
    config.latency_sample_every = 3; // rounded up to 4
    priority_processor<test_event> proc([](test_event&, priority) -> result<void> { return {}; }, config, {}, clk);
    for (int i = 0; i < 16; ++i)
        ASSERT_TRUE(proc.push(priority::telemetry, {i, 0}));
    proc.stop(stop_mode::drain);
    EXPECT_EQ(proc.stats().queue_wait.count, 4u);
}

TEST(PriorityNames, toStringNamesEachLevel) {
    EXPECT_EQ(to_string(priority::orders), "P0 orders");
    EXPECT_EQ(to_string(priority::telemetry), "P4 telemetry");
    EXPECT_TRUE(drops_on_overflow(priority::book));
    EXPECT_FALSE(drops_on_overflow(priority::control));
}

} // namespace
} // namespace genesis::resilience
