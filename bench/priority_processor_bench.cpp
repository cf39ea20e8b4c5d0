// Priority processor: throughput with 1 and 2 producers, and enqueue-to-handler latency.
#include "genesis/resilience/priority_processor.hpp"

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace {

using genesis::result;
using genesis::resilience::priority;
using genesis::resilience::priority_processor;
using genesis::resilience::priority_processor_config;
using genesis::resilience::processor_stats;

// The size of a small market-data event: a sequence number, a symbol id, a price and a quantity.
struct bench_event {
    std::uint64_t seq = 0;
    std::uint64_t symbol = 0;
    std::int64_t price = 0;
    std::int64_t qty = 0;
};

void add_counters(benchmark::State& state, const processor_stats& s) {
    std::uint64_t waits = 0;
    std::uint64_t drops = 0;
    for (const auto& l : s.levels) {
        waits += l.waits;
        drops += l.drops;
    }
    state.counters["p50_ns"] = static_cast<double>(s.queue_wait.p50().count());
    state.counters["p99_ns"] = static_cast<double>(s.queue_wait.p99().count());
    state.counters["waits"] = static_cast<double>(waits);
    state.counters["drops"] = static_cast<double>(drops);
}

// Pushes blocks of P0 events (never dropped, so every push is handled) from range(0) producers and
// waits for the consumer to handle each block; items/s is end-to-end throughput. range(1) is
// latency_sample_every (1: every event pays two clock reads).
void BM_priority_processor_throughput(benchmark::State& state) {
    const auto producers = static_cast<int>(state.range(0));
    constexpr std::uint64_t block = 1 << 18;
    std::uint64_t sink = 0;
    std::atomic<std::uint64_t> handled{0};
    priority_processor_config config;
    config.latency_sample_every = static_cast<std::uint32_t>(state.range(1));
    priority_processor<bench_event> proc(
        [&sink, &handled](bench_event& ev, priority) -> result<void> {
            sink += ev.seq;
            handled.store(handled.load(std::memory_order_relaxed) + 1, std::memory_order_release);
            return {};
        },
        config);
    if (!proc.start())
        state.SkipWithError("start failed");
    std::uint64_t pushed = 0;
    auto produce = [&proc](std::uint64_t n) {
        for (std::uint64_t i = 0; i < n; ++i) {
            auto r = proc.push(priority::orders, {i, 7, 100, 1});
            benchmark::DoNotOptimize(r);
        }
    };
    for (auto _ : state) {
        std::vector<std::thread> helpers;
        for (int t = 1; t < producers; ++t)
            helpers.emplace_back(produce, block / static_cast<std::uint64_t>(producers));
        produce(block / static_cast<std::uint64_t>(producers));
        for (auto& h : helpers)
            h.join();
        pushed += block / static_cast<std::uint64_t>(producers) * static_cast<std::uint64_t>(producers);
        while (handled.load(std::memory_order_acquire) < pushed)
            std::this_thread::yield();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(pushed));
    add_counters(state, proc.stats());
    proc.stop(genesis::resilience::stop_mode::drain);
    benchmark::DoNotOptimize(sink);
}
BENCHMARK(BM_priority_processor_throughput)
    ->ArgsProduct({{1, 2}, {8, 1}})
    ->ArgNames({"producers", "sample"})
    ->UseRealTime();

// One producer pushes a burst of range(0) book deltas, then waits until they are handled: the
// queue-wait histogram then shows enqueue-to-handler latency without a saturated queue.
void BM_priority_processor_latency(benchmark::State& state) {
    const auto burst = static_cast<std::uint64_t>(state.range(0));
    std::atomic<std::uint64_t> handled{0};
    priority_processor<bench_event> proc([&handled](bench_event&, priority) -> result<void> {
        handled.store(handled.load(std::memory_order_relaxed) + 1, std::memory_order_release);
        return {};
    });
    if (!proc.start())
        state.SkipWithError("start failed");
    std::uint64_t pushed = 0;
    for (auto _ : state) {
        for (std::uint64_t i = 0; i < burst; ++i) {
            auto r = proc.push(priority::book, {i, 7, 100, 1});
            benchmark::DoNotOptimize(r);
        }
        pushed += burst;
        while (handled.load(std::memory_order_acquire) < pushed)
            genesis::resilience::detail::cpu_relax();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(pushed));
    add_counters(state, proc.stats());
    proc.stop(genesis::resilience::stop_mode::drain);
}
BENCHMARK(BM_priority_processor_latency)->Arg(1)->Arg(100)->ArgName("burst")->UseRealTime();

} // namespace
