// Resilience layer micro-benchmarks: breaker overhead, predictor decision, executor overhead.
#include "genesis/resilience/circuit_breaker.hpp"
#include "genesis/resilience/executor.hpp"
#include "genesis/resilience/predictor.hpp"
#include "genesis/resilience/timer.hpp"

#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace genesis;
using namespace genesis::resilience;
using namespace std::chrono_literals;

// One acquire + record_success on a CLOSED breaker: the per-call cost every guarded request pays.
void BM_BreakerClosedCall(benchmark::State& state) {
    circuit_breaker b(real_clock::instance());
    for (auto _ : state) {
        const ticket t = b.acquire();
        benchmark::DoNotOptimize(t);
        b.record_success(t, 1us);
    }
}
BENCHMARK(BM_BreakerClosedCall);

// The same with two threads sharing one breaker (contended counters).
BENCHMARK(BM_BreakerClosedCall)->Threads(2);

// acquire() on an OPEN breaker inside its recovery timeout (the fail-fast path).
void BM_BreakerOpenReject(benchmark::State& state) {
    manual_clock clk;
    circuit_breaker b(clk);
    b.record_failure(b.acquire(), failure_kind::error);
    b.record_failure(b.acquire(), failure_kind::error);
    for (auto _ : state)
        benchmark::DoNotOptimize(b.acquire());
}
BENCHMARK(BM_BreakerOpenReject);

// success_probability + attempts_for on a key with a full 100-sample window.
void BM_PredictorDecision(benchmark::State& state) {
    predictor p;
    for (int i = 0; i < 100; ++i)
        p.record("rest-1", "get_order", std::chrono::milliseconds{i % 40}, i % 10 != 0);
    for (auto _ : state) {
        const double prob = p.success_probability("rest-1", "get_order");
        benchmark::DoNotOptimize(predictor::attempts_for(prob));
    }
}
BENCHMARK(BM_PredictorDecision);

// record() into a full window.
void BM_PredictorRecord(benchmark::State& state) {
    predictor p;
    std::int64_t i = 0;
    for (auto _ : state)
        p.record("rest-1", "get_order", std::chrono::milliseconds{++i % 40}, true);
}
BENCHMARK(BM_PredictorRecord);

// p95 lookup right after a record (worst case: the percentile cache is recomputed).
void BM_PredictorPercentilesAfterRecord(benchmark::State& state) {
    predictor p;
    std::int64_t i = 0;
    for (auto _ : state) {
        p.record("rest-1", "get_order", std::chrono::milliseconds{++i % 40}, true);
        benchmark::DoNotOptimize(p.percentiles("rest-1", "get_order"));
    }
}
BENCHMARK(BM_PredictorPercentilesAfterRecord);

// One executor call: single attempt that completes immediately, hedging off, real timers.
// Includes co_spawn of the call and a run of the io_context, as a caller on the I/O thread pays.
void BM_ExecutorSingleAttempt(benchmark::State& state) {
    boost::asio::io_context ioc;
    steady_timer_service timers;
    predictor pred;
    std::vector<endpoint> eps{{"rest-1", std::make_shared<circuit_breaker>(real_clock::instance())}};
    executor_options eo;
    eo.hedging = false;
    executor ex(real_clock::instance(), timers, pred, std::move(eps), eo);
    // Warm the predictor so the call plans one attempt.
    for (int i = 0; i < 100; ++i)
        pred.record("rest-1", "get_order", 1ms, true);
    const attempt_fn<int> op = [](std::size_t) -> boost::asio::awaitable<result<int>> { co_return 42; };
    const call_options opt{"get_order", true, std::nullopt, false, {}};
    for (auto _ : state) {
        boost::asio::co_spawn(ioc, ex.run<int>(opt, op), boost::asio::detached);
        ioc.restart();
        ioc.run();
    }
    state.counters["attempts"] = static_cast<double>(ex.stats().attempts);
}
BENCHMARK(BM_ExecutorSingleAttempt);

// Baseline for the above: co_spawn + run of a coroutine that just calls the operation directly.
void BM_ExecutorBaselineDirectCall(benchmark::State& state) {
    boost::asio::io_context ioc;
    const attempt_fn<int> op = [](std::size_t) -> boost::asio::awaitable<result<int>> { co_return 42; };
    for (auto _ : state) {
        boost::asio::co_spawn(
            ioc,
            [&]() -> boost::asio::awaitable<void> {
                auto r = co_await op(0);
                benchmark::DoNotOptimize(r);
            },
            boost::asio::detached);
        ioc.restart();
        ioc.run();
    }
}
BENCHMARK(BM_ExecutorBaselineDirectCall);

} // namespace
