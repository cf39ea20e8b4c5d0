// genesis-tick-bench: tick-to-order of the sample market maker on the gateway's processing path,
// network excluded. A standalone program (not Google Benchmark) that prints a table.
//
// One tick = a Binance depthUpdate frame (text, as the WebSocket session hands it over), then on one
// thread exactly what the gateway's processing thread does with it: decode (simdjson on-demand),
// the local book (Binance's sync rules), the top 5 levels to the market maker .so through the C ABI,
// and for each order it places the gateway's pre-trade path: balance check, risk check (with the
// open-order view), the OMS (journal-first: the intent handed to the real SQLite database thread,
// the order tracked) and the venue's encoding of the signed REST request (parameters, query string,
// HMAC-SHA256 signature): the bytes that would be handed to the socket. The clock stops there.
//
// What it leaves out, and why: the hop from the I/O thread to the processing thread and back
// (PriorityProcessor + futex wake; measured on its own in priority_processor_bench), and the TLS
// write. The venue answers every request at once (NEW, CANCELED) outside the timed window, so the
// OMS holds the steady-state number of open orders.
//
// Threads: with two CPUs or more, the processing thread (this one) is pinned to the first CPU the
// process may use and the database thread to the last, as [threads] does in the gateway; sharing a
// CPU, the database thread's group commits preempt the processing thread (p99 ~35 us instead of
// ~10 us on a 2-vCPU VM). --no-pin leaves both to the kernel.
//
// Usage: genesis-tick-bench [ticks] [--no-pin]   (default 200000)
#include "genesis/binance/decoder.hpp"
#include "genesis/binance/encoder.hpp"
#include "genesis/binance/order_book.hpp"
#include "genesis/core/clock.hpp"
#include "genesis/core/thread.hpp"
#include "genesis/db/database.hpp"
#include "genesis/gateway/oms/oms.hpp"
#include "genesis/gateway/plugins/host.hpp"
#include "genesis/gateway/risk/balance_monitor.hpp"
#include "genesis/gateway/risk/risk_engine.hpp"
#include "genesis/rest/signer.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace genesis;
using namespace genesis::gateway;
namespace fs = std::filesystem;

const symbol btc = symbol::truncating("BTCUSDT");
const asset base_asset = asset::truncating("BTC");
const asset quote_asset = asset::truncating("USDT");

decimal dec(std::string_view s) { return *decimal::parse(s); }

// The processing thread's queue: answers of the venue and of the database thread land here and
// run between ticks (outside the timed window), as they would between events in the gateway.
struct task_queue {
    std::mutex m;
    std::deque<std::function<void()>> q;
    void post(std::function<void()> f) {
        std::lock_guard lk(m);
        q.push_back(std::move(f));
    }
    std::size_t drain() {
        std::size_t n = 0;
        while (true) {
            std::function<void()> f;
            {
                std::lock_guard lk(m);
                if (q.empty())
                    return n;
                f = std::move(q.front());
                q.pop_front();
            }
            f();
            ++n;
        }
    }
};

// The venue boundary: encodes and signs the REST request exactly as binance_venue does before
// writing it, stamps the hand-off time, and answers at once through the queue.
class encoding_venue final : public order_venue {
    task_queue& q_;
    const genesis::clock& clk_;
    rest::signer signer_;
    std::uint64_t next_order_id_ = 1;

public:
    time_point first_handoff; ///< the first placement of the current tick
    /// Every answer also goes to the strategies, as the gateway's observed venue does.
    std::function<void(const execution_report&)> on_report;
    std::uint64_t placements = 0, cancels = 0, bytes = 0;

    encoding_venue(task_queue& q, const genesis::clock& clk, rest::signer s)
            : q_(q), clk_(clk), signer_(std::move(s)) {}

    void place(const order_intent& intent, venue_callback<execution_report> done) override {
        binance::order_options opt;
        opt.resp_type = binance::response_type::result;
        opt.recv_window_ms = 5000;
        auto params = binance::order_place_params(intent, opt, clk_.wall().ns / 1'000'000);
        if (!params) {
            std::fprintf(stderr, "encode: %s\n", params.error().message().c_str());
            std::exit(1);
        }
        auto query = binance::rest_signed_query(*params, signer_);
        if (!query) {
            std::fprintf(stderr, "sign: %s\n", query.error().message().c_str());
            std::exit(1);
        }
        bytes += query->size();
        if (first_handoff.ns == 0)
            first_handoff = clk_.now();
        ++placements;
        execution_report r;
        r.sym = intent.sym;
        r.client_id = intent.client_id;
        r.order_side = intent.order_side;
        r.type = intent.type;
        r.tif = intent.tif;
        r.price = intent.price.value_or(decimal{});
        r.quantity = intent.quantity.value_or(decimal{});
        r.status = order_status::new_;
        r.exec_type = execution_type::new_;
        r.order_id = next_order_id_++;
        r.transaction_time = clk_.wall();
        q_.post([this, r, done = std::move(done)]() mutable {
            done(r);
            if (on_report)
                on_report(r);
        });
    }
    void cancel(const cancel_intent& intent, venue_callback<execution_report> done) override {
        auto params = binance::order_cancel_params(intent, 5000, clk_.wall().ns / 1'000'000);
        if (params)
            if (auto query = binance::rest_signed_query(*params, signer_))
                bytes += query->size();
        ++cancels;
        execution_report r;
        r.sym = intent.sym;
        r.client_id = intent.orig_client_id;
        r.orig_client_id = intent.orig_client_id;
        r.status = order_status::canceled;
        r.exec_type = execution_type::canceled;
        r.transaction_time = clk_.wall();
        q_.post([this, r, done = std::move(done)]() mutable {
            done(r);
            if (on_report)
                on_report(r);
        });
    }
    void query(const symbol&, const client_order_id&, venue_callback<std::optional<execution_report>> done) override {
        q_.post([done = std::move(done)]() mutable { done(std::optional<execution_report>{}); });
    }
    void open_orders(venue_callback<std::vector<execution_report>> done) override {
        q_.post([done = std::move(done)]() mutable { done(std::vector<execution_report>{}); });
    }
    void my_trades(const symbol&, std::uint64_t, venue_callback<std::vector<db::fill_record>> done) override {
        q_.post([done = std::move(done)]() mutable { done(std::vector<db::fill_record>{}); });
    }
    void account(venue_callback<std::vector<balance>> done) override {
        std::vector<balance> b{{base_asset, dec("10"), decimal{}}, {quote_asset, dec("1000000"), decimal{}}};
        q_.post([b, done = std::move(done)]() mutable { done(std::move(b)); });
    }
};

bool may_still_trade(order_status s) {
    return s == order_status::new_ || s == order_status::partially_filled || s == order_status::pending_new ||
           s == order_status::unknown || s == order_status::pending_cancel;
}

// What the market maker calls back into: the same checks in the same order as the gateway's
// app_services::place (gateway/runtime/src/app_strategies.cpp).
class bench_services final : public plugins::services {
public:
    const genesis::clock& clk;
    oms* orders = nullptr;
    risk::risk_engine* risk = nullptr;
    risk::balance_monitor* balances = nullptr;
    binance::local_book* book = nullptr;
    std::vector<risk::open_order_view> views;
    std::uint64_t refused = 0;
    std::map<std::string, std::uint64_t> reasons;
    std::vector<std::int64_t> risk_ns, submit_ns;
    void refuse(std::string why) {
        ++refused;
        ++reasons[why.substr(0, why.find('('))];
    }

    explicit bench_services(const genesis::clock& c) : clk(c) {}

    plugins::place_outcome place(std::uint32_t strategy_id, const order_intent& in) override {
        order_intent intent = in;
        intent.strategy_id = strategy_id;
        intent.venue = venue_id::truncating("binance");
        intent.created = clk.wall();
        risk::book_prices prices;
        if (auto b = book->best_bid())
            prices.bid = b->price;
        if (auto a = book->best_ask())
            prices.ask = a->price;
        const auto ref = intent.order_side == side::buy ? prices.ask : prices.bid;
        const auto t0 = clk.now();
        if (auto v = balances->check(intent, base_asset, quote_asset, ref); !v) {
            refuse(v.text);
            return plugins::place_outcome::reject(v.text);
        }
        views.clear();
        for (const auto& id : orders->working()) {
            const auto& o = *orders->find(id);
            if (!may_still_trade(o.status))
                continue;
            risk::open_order_view view;
            view.client_id = id;
            view.sym = o.intent.sym;
            view.order_side = o.intent.order_side;
            view.price = o.intent.price.value_or(decimal{});
            const auto rest = o.intent.quantity.value_or(decimal{}).sub(o.cumulative_quantity);
            view.remaining = rest && !rest->is_negative() ? *rest : decimal{};
            view.strategy_id = o.intent.strategy_id;
            views.push_back(view);
        }
        decimal position;
        if (const auto* p = orders->book().find(intent.sym))
            position = p->quantity;
        if (auto v = risk->check(risk::check_input{intent, prices, position, views}); !v) {
            refuse(v.text);
            return plugins::place_outcome::reject(v.text);
        }
        const auto t1 = clk.now();
        auto id = orders->submit(intent);
        submit_ns.push_back(clk.now().ns - t1.ns);
        risk_ns.push_back(t1.ns - t0.ns);
        if (!id) {
            refuse(id.error().message());
            return plugins::place_outcome::reject(id.error().message());
        }
        return plugins::place_outcome::accept(*id);
    }
    std::vector<std::int64_t> cancel_ns;
    plugins::cancel_outcome cancel(std::uint32_t, const client_order_id& id) override {
        const auto t0 = clk.now();
        auto r = orders->cancel(id);
        cancel_ns.push_back(clk.now().ns - t0.ns);
        return r ? plugins::cancel_outcome{true, {}} : plugins::cancel_outcome{false, r.error().message()};
    }
    std::optional<plugins::order_info> query(const client_order_id&) override { return std::nullopt; }
    std::optional<plugins::position_info> position(const symbol& sym) override {
        if (const auto* p = orders->book().find(sym))
            return plugins::position_info{p->quantity, p->average_cost, p->realized_pnl};
        return std::nullopt;
    }
    std::optional<balance> balance_of(const asset& name) override {
        if (const auto* b = balances->find(name))
            return *b;
        return std::nullopt;
    }
    void log(std::string_view, plugins::strategy_log_level, std::string_view) override {}
    void cancel_all(std::uint32_t) override {}
    time_point now() override { return clk.now(); }
};

// Depth frames whose mid walks up and down in 7.50 steps (1.5 bps: above the market maker's 1 bp
// requote threshold, below its 4 bps spread, so a new quote never crosses one being cancelled), so that every tick
// requotes: a cancel and a new order per side. Each frame sets the best bid and ask of its step and removes those of
// the other four steps.
std::string price_text(int cents) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d.%02d", cents / 100, cents % 100);
    return buf;
}

std::vector<std::string> make_frames(std::size_t n, std::uint64_t first_id) {
    std::vector<std::string> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto u = first_id + i;
        const int phase = static_cast<int>(i % 8);
        const int step = phase < 4 ? phase : 8 - phase; // 0 1 2 3 4 3 2 1
        std::string bids, asks;
        for (int s = 0; s <= 4; ++s) {
            const int bid = 5'000'000 + s * 750;
            const char* qty = s == step ? "1.50000000" : "0";
            bids += std::string(bids.empty() ? "" : ",") + "[\"" + price_text(bid) + "\",\"" + qty + "\"]";
            asks += std::string(asks.empty() ? "" : ",") + "[\"" + price_text(bid + 100) + "\",\"" + qty + "\"]";
        }
        // The combined-stream wrapper, as the gateway subscribes (/stream?streams=...).
        out.push_back(R"({"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":)" +
                      std::to_string(1'700'000'000'000ULL + i) + R"(,"s":"BTCUSDT","U":)" + std::to_string(u) +
                      R"(,"u":)" + std::to_string(u) + R"(,"b":[)" + bids + R"(],"a":[)" + asks + "]}}");
    }
    return out;
}

// Depth behind the moving top: bids from 49900.00 down, asks from 50200.00 up.
book_snapshot make_snapshot(std::uint64_t last_update_id) {
    book_snapshot s;
    s.sym = btc;
    s.last_update_id = last_update_id;
    for (int i = 0; i < 20; ++i) {
        s.bids.push_back({dec(price_text(4'990'000 - i * 100)), dec("2")});
        s.asks.push_back({dec(price_text(5'020'000 + i * 100)), dec("2")});
    }
    return s;
}

std::int64_t pct(std::vector<std::int64_t>& v, double q) {
    if (v.empty())
        return 0;
    const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

} // namespace

int main(int argc, char** argv) {
    std::size_t ticks = 200'000;
    bool pin = true;
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--no-pin")
            pin = false;
        else
            ticks = std::strtoull(argv[i], nullptr, 10);
    }
    const auto cpus = allowed_cpus();
    pin = pin && cpus.size() >= 2;
    const std::vector<unsigned> processing_cpu = pin ? std::vector<unsigned>{cpus.front()} : std::vector<unsigned>{};
    const std::vector<unsigned> database_cpu = pin ? std::vector<unsigned>{cpus.back()} : std::vector<unsigned>{};
    if (auto ec = pin_this_thread(processing_cpu)) {
        std::fprintf(stderr, "pin: %s\n", ec.message().c_str());
        return 1;
    }
    const fs::path dir = fs::temp_directory_path() / ("genesis-tick-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);

    real_clock clk;
    task_queue q;

    db::db_config dc;
    dc.primary = dir / "journal.db";
    dc.cpus = database_cpu;
    std::string why;
    auto db = db::database::open(dc, &why);
    if (!db) {
        std::fprintf(stderr, "database: %s %s\n", why.c_str(), db.error().message().c_str());
        return 1;
    }
    auto sg =
        rest::signer::hmac_sha256(rest::secret{"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"});
    if (!sg) {
        std::fprintf(stderr, "signer: %s\n", sg.error().message().c_str());
        return 1;
    }
    encoding_venue venue(q, clk, std::move(*sg));

    oms_config oc;
    oc.venue = venue_id::truncating("binance");
    oc.ids.instance = "bench";
    // This loop places orders far faster than a gateway (tens of thousands a second): blocks large
    // enough that the reservation thread (a durable SQLite commit per block) never falls behind.
    oc.ids.block_size = 1'000'000;
    oc.ids.refill_below = 500'000;
    oc.symbols.push_back({btc, base_asset, quote_asset});
    oms_deps deps;
    deps.clk = &clk;
    deps.db = db->get();
    deps.venue = &venue;
    deps.post = [&q](std::function<void()> f) { q.post(std::move(f)); };
    oms orders(oc, std::move(deps));
    std::optional<result<void>> started;
    orders.start([&](result<void> r) { started = r; });
    for (int i = 0; i < 100000 && !started; ++i) {
        q.drain();
        orders.on_tick();
        if (!started)
            std::this_thread::yield(); // the id block is reserved on another thread
    }
    if (!started || !*started) {
        std::fprintf(stderr, "OMS did not start: %s\n", orders.health().reason.c_str());
        return 1;
    }

    risk::risk_config rc;
    rc.max_orders_per_second = 1'000'000'000;
    rc.max_open_orders = 1000;
    risk::risk_engine risk(rc, clk);
    risk::balance_monitor balances;
    (void)balances.set_balance({base_asset, dec("10"), decimal{}});
    (void)balances.set_balance({quote_asset, dec("1000000"), decimal{}});

    binance::local_book book(btc, clk);
    (void)book.reset(binance::book_reason::reset); // asks for the snapshot
    constexpr std::uint64_t snapshot_id = 1000;
    (void)book.on_snapshot(make_snapshot(snapshot_id));
    if (!book.is_valid()) {
        std::fprintf(stderr, "book not valid after the snapshot\n");
        return 1;
    }

    bench_services svc(clk);
    // Two orders and two cancels per tick at most: reserved, so that a vector's growth (a copy of up
    // to a megabyte) never lands inside a timed window.
    svc.risk_ns.reserve(2 * ticks);
    svc.submit_ns.reserve(2 * ticks);
    svc.cancel_ns.reserve(2 * ticks);
    svc.orders = &orders;
    svc.risk = &risk;
    svc.balances = &balances;
    svc.book = &book;
    plugins::host host(svc, nullptr);
    plugins::strategy_spec spec;
    spec.name = "mm";
    spec.path = GENESIS_MM_SO;
    spec.params = {{"symbol", "BTCUSDT"}, {"quote_qty", "0.001"},    {"spread_bps", "4"},
                   {"skew_bps", "2"},     {"max_inventory", "0.01"}, {"requote_bps", "1"},
                   {"stale_ms", "2000"},  {"tick_size", "0.01"},     {"step_size", "0.00001"}};
    if (auto r = host.load(spec); !r) {
        std::fprintf(stderr, "load %s: %s (%s)\n", GENESIS_MM_SO, r.error().message().c_str(),
                     host.last_error().c_str());
        return 1;
    }
    host.start_all();
    venue.on_report = [&host](const execution_report& r) { host.on_execution(r); };

    const auto frames = make_frames(ticks, snapshot_id + 1);
    binance::decoder decoder;
    binance::market_events events;
    std::vector<book_level> bids, asks;
    std::vector<std::int64_t> t2o, decode_book, strategy_path;
    t2o.reserve(ticks);
    decode_book.reserve(ticks);
    strategy_path.reserve(ticks);
    std::uint64_t decode_errors = 0;

    const auto wall_start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < ticks; ++i) {
        const auto received = clk.now();
        venue.first_handoff = {};
        auto k = decoder.decode_stream(frames[i], received, events);
        if (!k || *k != binance::stream_kind::depth_update) {
            if (decode_errors++ == 0)
                std::fprintf(stderr, "frame %zu not decoded (%s): %s\n", i,
                             k ? "not a depth update" : k.error().message().c_str(), frames[i].c_str());
            continue;
        }
        book_delta d(events.depth); // the gateway moves a copy onto the processor's queue
        (void)book.on_delta(d);
        if (book.is_valid()) {
            book.top(5, bids, asks);
            const auto delivered = clk.now();
            host.on_book(btc, bids, asks, true, book.age());
            if (venue.first_handoff.ns != 0) {
                t2o.push_back(venue.first_handoff.ns - received.ns);
                decode_book.push_back(delivered.ns - received.ns);
                strategy_path.push_back(venue.first_handoff.ns - delivered.ns);
            }
        }
        q.drain(); // venue answers and database completions, between ticks
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    host.stop_all();
    (void)(*db)->flush();

    const auto n = t2o.size();
    std::printf("genesis-tick-bench: %zu ticks in %.2f s, %zu ticks with an order, %llu placements, %llu cancels, "
                "%llu refused, %llu decode errors; %s\n\n",
                ticks, seconds, n, static_cast<unsigned long long>(venue.placements),
                static_cast<unsigned long long>(venue.cancels), static_cast<unsigned long long>(svc.refused),
                static_cast<unsigned long long>(decode_errors),
                pin ? ("processing thread on CPU " + cpu_list_text(processing_cpu) + ", database thread on CPU " +
                       cpu_list_text(database_cpu))
                          .c_str()
                    : "threads not pinned");
    std::printf("| stage (ns) | p50 | p90 | p99 | p99.9 | max |\n|---|---:|---:|---:|---:|---:|\n");
    auto row = [](const char* name, std::vector<std::int64_t>& v) {
        const auto mx = v.empty() ? 0 : *std::max_element(v.begin(), v.end());
        std::printf("| %s | %lld | %lld | %lld | %lld | %lld |\n", name, static_cast<long long>(pct(v, 0.5)),
                    static_cast<long long>(pct(v, 0.9)), static_cast<long long>(pct(v, 0.99)),
                    static_cast<long long>(pct(v, 0.999)), static_cast<long long>(mx));
    };
    row("frame -> decoded, book updated, top 5 copied", decode_book);
    row("strategy -> risk -> OMS -> signed request", strategy_path);
    row("tick-to-order (frame -> first order's signed request)", t2o);
    row("  of which balance + risk checks (per order)", svc.risk_ns);
    row("  of which OMS submit incl. venue encode + sign (per order)", svc.submit_ns);
    row("  cancels before it: OMS cancel incl. encode + sign (per cancel)", svc.cancel_ns);
    for (const auto& [reason, count] : svc.reasons)
        std::printf("refused %llu x: %s\n", static_cast<unsigned long long>(count), reason.c_str());
    std::error_code ec;
    fs::remove_all(dir, ec);
    return n > 0 && decode_errors == 0 ? 0 : 1;
}
