// Core value types: decimal parsing, formatting and arithmetic on the hot path.
#include "genesis/core/decimal.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <string_view>

namespace {

using genesis::decimal;

constexpr std::array<std::string_view, 4> samples = {"67123.45000000", "0.00000100", "1000000000", "3500.10"};

void BM_decimal_parse(benchmark::State& state) {
    std::size_t i = 0;
    for (auto _ : state) {
        auto r = decimal::parse(samples[i++ & 3]);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_decimal_parse);

void BM_decimal_format(benchmark::State& state) {
    const decimal d = *decimal::parse("67123.45");
    char buf[24];
    for (auto _ : state) {
        auto n = d.format_to(buf);
        benchmark::DoNotOptimize(n);
        benchmark::DoNotOptimize(buf);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_decimal_format);

void BM_decimal_mul(benchmark::State& state) {
    decimal price = *decimal::parse("67123.45");
    const decimal qty = *decimal::parse("0.00123");
    for (auto _ : state) {
        benchmark::DoNotOptimize(price);
        auto n = price.mul(qty);
        benchmark::DoNotOptimize(n);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_decimal_mul);

} // namespace
