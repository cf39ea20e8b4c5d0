#include "genesis/config/resilience_config.hpp"

#include <chrono>

namespace genesis::config {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

milliseconds as_ms(nanos d) { return duration_cast<milliseconds>(d); }

void parse_breaker(table_reader& r, resilience::breaker_options& o) {
    o.failure_threshold = static_cast<std::uint32_t>(r.get_int("failure_threshold", o.failure_threshold, 1, 1'000'000));
    o.recovery_timeout = r.get_duration_ms("recovery_timeout_ms", as_ms(o.recovery_timeout), milliseconds{1});
    o.reset_on_success = r.get_bool("reset_on_success", o.reset_on_success);
    o.is_essential = r.get_bool("is_essential", o.is_essential);
    o.eternal_timeout = r.get_duration_ms("eternal_timeout_ms", as_ms(o.eternal_timeout), milliseconds{1});
    o.eternal_successes_to_close =
        static_cast<std::uint32_t>(r.get_int("eternal_successes_to_close", o.eternal_successes_to_close, 1, 1'000'000));
    o.eternal_close_below =
        static_cast<std::int32_t>(r.get_int("eternal_close_below", o.eternal_close_below, 0, 1'000'000));
    o.history_capacity = static_cast<std::size_t>(
        r.get_int("history_capacity", static_cast<std::int64_t>(o.history_capacity), 0, 1'000'000));
}

} // namespace

const resilience::breaker_options& resilience_config::breaker(std::string_view name) const {
    const auto it = breakers.find(name);
    return it == breakers.end() ? breaker_defaults : it->second;
}

void parse_resilience_section(table_reader& r, resilience_config& out) {
    auto defaults = r.table("breaker");
    parse_breaker(defaults, out.breaker_defaults);

    // Each named breaker starts from the (already parsed) defaults and overrides what it sets.
    auto named = r.table("breakers");
    for (auto& [name, reader] : named.tables()) {
        auto o = out.breaker_defaults;
        parse_breaker(reader, o);
        out.breakers.insert_or_assign(name, o);
    }

    auto p = r.table("predictor");
    out.predictor.window =
        static_cast<std::size_t>(p.get_int("window", static_cast<std::int64_t>(out.predictor.window), 5, 100'000));

    auto e = r.table("executor");
    auto& ex = out.executor;
    ex.hedging = e.get_bool("hedging", ex.hedging);
    ex.hedge_min_samples = static_cast<std::size_t>(
        e.get_int("hedge_min_samples", static_cast<std::int64_t>(ex.hedge_min_samples), 1, 100'000));
    ex.min_hedge_delay = e.get_duration_ms("min_hedge_delay_ms", as_ms(ex.min_hedge_delay), milliseconds{0});
    ex.budget.ratio = e.get_double("hedge_budget_ratio", ex.budget.ratio, 0.0, 10.0);
    ex.budget.floor_per_second = e.get_double("hedge_budget_floor_per_s", ex.budget.floor_per_second, 0.0, 1e6);
    ex.budget.window = e.get_duration_ms("hedge_budget_window_ms", as_ms(ex.budget.window), milliseconds{100});

    auto q = r.table("processor");
    auto& pc = out.processor;
    constexpr std::string_view capacity_keys[] = {"capacity_p0", "capacity_p1", "capacity_p2", "capacity_p3",
                                                  "capacity_p4"};
    for (std::size_t i = 0; i < pc.capacity.size(); ++i) {
        pc.capacity[i] = static_cast<std::size_t>(
            q.get_int(capacity_keys[i], static_cast<std::int64_t>(pc.capacity[i]), 1, 1 << 24));
    }
    pc.batch_size =
        static_cast<std::size_t>(q.get_int("batch_size", static_cast<std::int64_t>(pc.batch_size), 1, 100'000));
    pc.latency_sample_every =
        static_cast<std::uint32_t>(q.get_int("latency_sample_every", pc.latency_sample_every, 1, 1 << 20));
}

} // namespace genesis::config
