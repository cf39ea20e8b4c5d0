// DB journal and checkpoints: append latency and throughput (FULL and NORMAL), checkpoint and
// restore of 10,000 open orders across three replicas, and restore plus replay as at start-up. Files go to
// $GENESIS_BENCH_DIR (default: a directory under the current one, so that fsync hits a real disk rather than tmpfs).
#include "genesis/db/database.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using namespace genesis;
using namespace genesis::db;

// A fresh directory per benchmark run, removed afterwards.
class bench_dir {
    std::filesystem::path path_;

public:
    explicit bench_dir(const std::string& name) {
        const char* base = std::getenv("GENESIS_BENCH_DIR");
        path_ = std::filesystem::path(base ? base : "genesis-db-bench") / (name + "-" + std::to_string(::getpid()));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~bench_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::filesystem::path operator/(const char* f) const { return path_ / f; }
};

order_intent intent(std::uint64_t i) {
    order_intent in;
    in.strategy_id = 1;
    in.venue = venue_id::truncating("sim");
    in.sym = symbol::truncating("BTCUSDT");
    in.client_id = client_order_id::truncating("gw1-" + std::to_string(i));
    in.price = decimal::from_raw(6'712'345'000'000);
    in.quantity = decimal::from_raw(1'500'000);
    in.created = {static_cast<std::int64_t>(i)};
    return in;
}

double percentile(std::vector<double>& v, double p) {
    if (v.empty())
        return 0;
    const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

// One writer, one row in flight: latency from append to its durable completion.
// Args: durability (0 FULL, 1 NORMAL), group commit window in microseconds.
void BM_DbJournalAppendLatency(benchmark::State& state) {
    bench_dir dir("latency");
    db_config cfg;
    cfg.primary = dir / "primary.db";
    cfg.sync = state.range(0) == 0 ? durability::full : durability::normal;
    cfg.group_commit_window = std::chrono::microseconds(state.range(1));
    auto db = database::open(cfg);
    if (!db) {
        state.SkipWithError(db.error().message().c_str());
        return;
    }
    std::vector<double> us;
    std::uint64_t i = 0;
    for (auto _ : state) {
        auto [done, fut] = make_completion<std::uint64_t>();
        const auto t0 = std::chrono::steady_clock::now();
        (*db)->append_intent("gw1", intent(++i), std::move(done));
        benchmark::DoNotOptimize(fut.get());
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    state.counters["p50_us"] = percentile(us, 0.50);
    state.counters["p99_us"] = percentile(us, 0.99);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DbJournalAppendLatency)
    ->ArgNames({"normal", "window_us"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 1000})
    ->Args({1, 1000})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MinTime(2.0);

// Many rows in flight (the OMS under load): 1,000 appends then a flush barrier per iteration.
// Arg: durability (0 FULL, 1 NORMAL). items_per_second is rows/s.
void BM_DbJournalThroughput(benchmark::State& state) {
    bench_dir dir("throughput");
    db_config cfg;
    cfg.primary = dir / "primary.db";
    cfg.sync = state.range(0) == 0 ? durability::full : durability::normal;
    auto db = database::open(cfg);
    if (!db) {
        state.SkipWithError(db.error().message().c_str());
        return;
    }
    constexpr int rows = 1000;
    std::uint64_t i = 0;
    for (auto _ : state) {
        for (int r = 0; r < rows; ++r)
            (*db)->append_intent("gw1", intent(++i));
        if (!(*db)->flush())
            state.SkipWithError("flush failed");
    }
    state.counters["commits"] = static_cast<double>((*db)->stats().group_commits);
    state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_DbJournalThroughput)
    ->ArgName("normal")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->UseRealTime();

// The state of 10,000 open orders (~110 bytes each, as the OMS would serialise them) plus balances.
std::vector<section> ten_thousand_orders() {
    std::string orders;
    orders.reserve(10'000 * 112);
    for (int i = 0; i < 10'000; ++i)
        orders += "gw1-" + std::to_string(i) + "|sim|BTCUSDT|BUY|LIMIT|GTC|67123.45|0.015|0|NEW|4242" +
                  std::to_string(i) + "|1700000000000000000|strategy=1;";
    std::vector<std::byte> bytes(orders.size());
    std::transform(orders.begin(), orders.end(), bytes.begin(), [](char c) { return static_cast<std::byte>(c); });
    return {{"open_orders", std::move(bytes)},
            {"balances", std::vector<std::byte>(2048, std::byte{1})},
            {"positions", std::vector<std::byte>(1024, std::byte{2})},
            {"breaker.sim", std::vector<std::byte>(64, std::byte{3})}};
}

db_config replica_set(const bench_dir& dir, durability d) {
    db_config cfg;
    cfg.primary = dir / "primary.db";
    cfg.replicas = {dir / "r1.db", dir / "r2.db"};
    cfg.sync = d;
    return cfg;
}

// Checkpoint of 10,000 open orders written to three replica files (one transaction each).
void BM_DbCheckpointWrite10k(benchmark::State& state) {
    bench_dir dir("checkpoint");
    auto db = database::open(replica_set(dir, state.range(0) == 0 ? durability::full : durability::normal));
    if (!db) {
        state.SkipWithError(db.error().message().c_str());
        return;
    }
    const auto sections = ten_thousand_orders();
    for (auto _ : state) {
        auto rep = (*db)->write_checkpoint_sync(sections);
        if (!rep || rep->written != 3)
            state.SkipWithError("checkpoint failed");
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(sections[0].data.size()));
}
BENCHMARK(BM_DbCheckpointWrite10k)->ArgName("normal")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// Restore: quick_check and checksum of each of the three replicas, take the newest. The primary
// also holds a journal of 10,000 intents, as it would after a trading session.
// Arg 0: restore() on an open database. Arg 1: open (migrations check) + restore + close, as at start-up.
void BM_DbRestore10k(benchmark::State& state) {
    bench_dir dir("restore");
    const auto cfg = replica_set(dir, durability::normal);
    {
        auto db = database::open(cfg);
        if (!db) {
            state.SkipWithError(db.error().message().c_str());
            return;
        }
        for (std::uint64_t i = 0; i < 10'000; ++i)
            (*db)->append_intent("gw1", intent(i));
        for (int k = 0; k < 2; ++k)
            if (!(*db)->write_checkpoint_sync(ten_thousand_orders()))
                state.SkipWithError("checkpoint failed");
    }
    auto check = [&](const result<restore_report>& r) {
        if (!r || !r->chosen || r->state->sections.size() != 4)
            state.SkipWithError("restore failed");
    };
    if (state.range(0) == 0) {
        auto db = database::open(cfg);
        for (auto _ : state) {
            auto r = (*db)->restore();
            check(r);
            benchmark::DoNotOptimize(r);
        }
    } else {
        for (auto _ : state) {
            auto db = database::open(cfg);
            auto r = (*db)->restore();
            check(r);
            benchmark::DoNotOptimize(r);
        }
    }
}
BENCHMARK(BM_DbRestore10k)->ArgName("with_open")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// Start-up as the OMS does it: open (the primary's quick_check, migrations) + restore of the
// newest checkpoint (10,000 open orders) + replay of the journal rows after it (one transition per
// order: each was acknowledged after the checkpoint) + close. items_per_second is replayed rows/s.
void BM_DbRestoreReplay10k(benchmark::State& state) {
    bench_dir dir("restore-replay");
    const auto cfg = replica_set(dir, durability::normal);
    {
        auto db = database::open(cfg);
        if (!db) {
            state.SkipWithError(db.error().message().c_str());
            return;
        }
        for (std::uint64_t i = 0; i < 10'000; ++i)
            (*db)->append_intent("gw1", intent(i));
        if (!(*db)->write_checkpoint_sync(ten_thousand_orders()))
            state.SkipWithError("checkpoint failed");
        for (std::uint64_t i = 0; i < 10'000; ++i) {
            order_transition t;
            t.venue = venue_id::truncating("sim");
            t.sym = symbol::truncating("BTCUSDT");
            t.client_id = client_order_id::truncating("gw1-" + std::to_string(i));
            t.order_id = 4242 + i;
            t.status = order_status::new_;
            t.time = {static_cast<std::int64_t>(i)};
            (*db)->append_transition(t);
        }
        if (!(*db)->flush())
            state.SkipWithError("flush failed");
    }
    std::size_t rows = 0;
    for (auto _ : state) {
        auto db = database::open(cfg);
        auto r = (*db)->restore();
        if (!r || !r->state)
            state.SkipWithError("restore failed");
        auto replayed = (*db)->replay(r->state->journal_seq);
        if (!replayed || replayed->size() != 10'000)
            state.SkipWithError("replay failed");
        rows = replayed->size();
        benchmark::DoNotOptimize(replayed);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows));
}
BENCHMARK(BM_DbRestoreReplay10k)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
