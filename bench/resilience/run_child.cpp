// One benchmark run (one scenario, one configuration, one seed) in its own process: genesis-sim
// in-process with several TLS REST listeners, the production Binance venue over the resilience
// executor, the OMS with its SQLite journal on the PriorityProcessor's P0 queue, an open-loop
// scheduler, and ground truth from the sim at the end. Prints "key value" lines on stdout.
#include "bench_resilience.hpp"

#include "genesis/db/database.hpp"
#include "genesis/gateway/oms/oms.hpp"
#include "genesis/gateway/runtime/binance_venue.hpp"
#include "genesis/resilience/circuit_breaker.hpp"
#include "genesis/resilience/executor.hpp"
#include "genesis/resilience/predictor.hpp"
#include "genesis/resilience/priority_processor.hpp"
#include "genesis/resilience/timer.hpp"
#include "genesis/rest/http_client.hpp"
#include "genesis/sim/server/sim_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

namespace genesis::bench {

namespace {

namespace net = boost::asio;
namespace sim = genesis::sim::server;
using gateway::runtime::binance_venue;
using gateway::runtime::binance_venue_options;
using namespace std::chrono_literals;

std::int64_t now_ns() { return real_clock::instance().now().ns; }

const symbol btc = symbol::truncating("BTCUSDT");
const venue_id sim_venue = venue_id::truncating("sim");

// How one operation ended.
enum class op_status : std::uint8_t { pending = 0, live = 1, late = 2, failed = 3, not_submitted = 4 };
enum class op_kind : std::uint8_t { depth = 0, query = 1, place = 2 };

struct op_rec {
    op_kind kind = op_kind::depth;
    std::int64_t sched = 0; // monotonic ns
    std::atomic<std::int64_t> done{0};
    std::atomic<std::uint8_t> status{0};
    std::atomic<std::uint8_t> endpoint{255}; // the endpoint a direct call went to (none/classic)
    client_order_id cid;                     // placements, set on the processing thread
};

struct place_answer {
    std::int64_t at = 0;
    bool ok = false;
    bool rejected = false;
};

// The order_venue the OMS sees: one production venue (genesis) or one per endpoint (none,
// classic). none sends each call to the next endpoint in turn, whatever its health; classic does
// the same but moves on to the next endpoint when a breaker refuses (fails fast when all refuse).
class router final : public gateway::order_venue {
    std::string mode_;
    std::vector<binance_venue*> venues_;
    std::atomic<std::uint64_t> rr_{0};

    template <class T, class Call>
    void try_from(std::size_t start, std::size_t k, gateway::venue_callback<T> done, Call call) {
        const std::size_t n = venues_.size();
        call(*venues_[(start + k) % n], [this, start, k, n, done = std::move(done), call](result<T> r) mutable {
            if (!r && r.error() == resilience::errc::all_endpoints_down && mode_ == "classic" && k + 1 < n) {
                failovers.fetch_add(1);
                try_from(start, k + 1, std::move(done), std::move(call));
                return;
            }
            done(std::move(r));
        });
    }

public:
    std::atomic<std::uint64_t> failovers{0};
    std::mutex m;
    std::unordered_map<client_order_id, place_answer> answers;
    std::atomic<std::uint64_t> venue_rejections{0};

    router(std::string mode, std::vector<binance_venue*> v) : mode_(std::move(mode)), venues_(std::move(v)) {}

    // Picks the endpoint (none/classic) and runs call; returns the first endpoint chosen (255: the executor's choice).
    template <class T, class Call>
    std::uint8_t dispatch(gateway::venue_callback<T> done, Call call) {
        if (venues_.size() == 1) {
            call(*venues_[0], std::move(done));
            return 255;
        }
        const std::size_t start = rr_.fetch_add(1) % venues_.size();
        try_from<T>(start, 0, std::move(done), std::move(call));
        return static_cast<std::uint8_t>(start);
    }

    void place(const order_intent& intent, gateway::venue_callback<execution_report> done) override {
        const auto id = intent.client_id;
        gateway::venue_callback<execution_report> wrapped = [this, id,
                                                             done = std::move(done)](result<execution_report> r) {
            {
                std::lock_guard lk(m);
                auto& a = answers[id];
                a.at = now_ns();
                a.ok = r.has_value();
                a.rejected = r.has_value() && r->status == order_status::rejected;
            }
            done(std::move(r));
        };
        dispatch<execution_report>(std::move(wrapped),
                                   [intent](binance_venue& v, auto cb) { v.place(intent, std::move(cb)); });
    }
    void cancel(const cancel_intent& intent, gateway::venue_callback<execution_report> done) override {
        dispatch<execution_report>(std::move(done),
                                   [intent](binance_venue& v, auto cb) { v.cancel(intent, std::move(cb)); });
    }
    void query(const symbol& sym, const client_order_id& id,
               gateway::venue_callback<std::optional<execution_report>> done) override {
        (void)query_on(sym, id, std::move(done));
    }
    std::uint8_t query_on(const symbol& sym, const client_order_id& id,
                          gateway::venue_callback<std::optional<execution_report>> done) {
        return dispatch<std::optional<execution_report>>(
            std::move(done), [sym, id](binance_venue& v, auto cb) { v.query(sym, id, std::move(cb)); });
    }
    void open_orders(gateway::venue_callback<std::vector<execution_report>> done) override {
        dispatch<std::vector<execution_report>>(std::move(done),
                                                [](binance_venue& v, auto cb) { v.open_orders(std::move(cb)); });
    }
    void my_trades(const symbol& sym, std::uint64_t from,
                   gateway::venue_callback<std::vector<db::fill_record>> done) override {
        dispatch<std::vector<db::fill_record>>(
            std::move(done), [sym, from](binance_venue& v, auto cb) { v.my_trades(sym, from, std::move(cb)); });
    }
    void account(gateway::venue_callback<std::vector<balance>> done) override {
        dispatch<std::vector<balance>>(std::move(done), [](binance_venue& v, auto cb) { v.account(std::move(cb)); });
    }
    std::uint8_t depth(const symbol& sym, gateway::venue_callback<book_snapshot> done) {
        return dispatch<book_snapshot>(std::move(done),
                                       [sym](binance_venue& v, auto cb) { v.depth_snapshot(sym, std::move(cb)); });
    }
};

struct bench_event {
    std::function<void()> task;
};

// The fault rule that makes listener i fail ("mass failure" mixes errors, resets and stalls).
sim::fault_rule failure_rule(std::size_t i) {
    sim::fault_rule r;
    r.listener = "rest" + std::to_string(i);
    switch (i % 5) {
    case 0: r.kind = sim::fault_kind::http_error, r.status = 503; break;
    case 1: r.kind = sim::fault_kind::reset; break;
    case 2: r.kind = sim::fault_kind::stall; break;
    case 3: r.kind = sim::fault_kind::http_error, r.status = 500; break;
    default: r.kind = sim::fault_kind::http_error, r.status = 502; break;
    }
    return r;
}

sim::fault_rule latency_rule(std::size_t i) {
    sim::fault_rule r;
    r.kind = sim::fault_kind::latency;
    r.listener = "rest" + std::to_string(i);
    r.latency_min = 500ms;
    r.latency_max = 3000ms;
    return r;
}

// One change of the sim's faults at a time offset; `healed` lists endpoints whose fault ends then.
struct fault_step {
    double at_s = 0;
    std::vector<sim::fault_rule> rules;
    std::vector<std::size_t> healed;
    std::vector<std::size_t> faulty; // endpoints faulty from now on (for recovery bookkeeping)
};

std::size_t share_count(double share) {
    return static_cast<std::size_t>(std::lround(share * static_cast<double>(endpoint_count)));
}

std::vector<fault_step> timeline(const run_spec& s) {
    std::vector<fault_step> t;
    const double T = s.duration_s;
    auto range = [](std::size_t k) {
        std::vector<std::size_t> v;
        for (std::size_t i = 0; i < k; ++i)
            v.push_back(i);
        return v;
    };
    if (s.scenario == "mass_failure" || s.scenario == "constrained") {
        const std::size_t k = share_count(s.param);
        fault_step on{0.3 * T, {}, {}, range(k)};
        for (std::size_t i = 0; i < k; ++i)
            on.rules.push_back(failure_rule(i));
        if (s.scenario == "constrained") // plus latency on the next endpoint
            on.rules.push_back(latency_rule(k % endpoint_count));
        t.push_back(on);
        t.push_back({0.7 * T, {}, range(k), {}});
    } else if (s.scenario == "latency") {
        const std::size_t k = share_count(s.param);
        fault_step on{0.2 * T, {}, {}, range(k)};
        for (std::size_t i = 0; i < k; ++i)
            on.rules.push_back(latency_rule(i));
        t.push_back(on);
    } else if (s.scenario == "flapping") {
        // rest0..rest2 fail for 500 ms, then work for 500 ms, from 0.2 T to 0.8 T.
        for (double at = 0.2 * T; at + 1.0 <= 0.8 * T + 1e-9; at += 1.0) {
            fault_step on{at, {}, {}, range(3)};
            for (std::size_t i = 0; i < 3; ++i)
                on.rules.push_back(failure_rule(i == 2 ? 3 : i)); // 503, reset, 500 (no stall)
            t.push_back(on);
            t.push_back({at + 0.5, {}, range(3), {}});
        }
    } else if (s.scenario == "lost_ack") {
        // Every placement may be executed and its answer lost (no answer, or a 5xx after
        // execution); some order queries fail with 5xx too.
        fault_step on{0.0, {}, {}, {}};
        sim::fault_rule silent;
        silent.kind = sim::fault_kind::lost_ack;
        silent.target = "/api/v3/order";
        silent.method = "POST";
        silent.status = 0;
        silent.probability = 0.1;
        sim::fault_rule after5xx = silent;
        after5xx.status = 503;
        after5xx.probability = 0.15;
        sim::fault_rule q5xx;
        q5xx.kind = sim::fault_kind::http_error;
        q5xx.target = "/api/v3/order";
        q5xx.method = "GET";
        q5xx.status = 500;
        q5xx.probability = 0.1;
        on.rules = {silent, after5xx, q5xx};
        t.push_back(on);
    } else if (s.scenario == "long") {
        // A 10 s cycle: 4 s healthy, 3 s with 60 % of endpoints failing, 3 s with 40 % slowed.
        for (double at = 0; at + 10.0 <= T + 1e-9; at += 10.0) {
            fault_step fail{at + 4.0, {}, {}, range(3)};
            for (std::size_t i = 0; i < 3; ++i)
                fail.rules.push_back(failure_rule(i));
            t.push_back(fail);
            fault_step slow{at + 7.0, {}, range(3), {3, 4}};
            slow.rules = {latency_rule(3), latency_rule(4)};
            t.push_back(slow);
            t.push_back({at + 10.0, {}, {3, 4}, {}});
        }
    }
    return t;
}

double cpu_of_thread(const std::string& tid) {
    std::ifstream f("/proc/self/task/" + tid + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto close = s.rfind(')');
    if (close == std::string::npos)
        return 0;
    std::istringstream in(s.substr(close + 2));
    std::string field;
    double ut = 0, st = 0;
    // Fields after the name start at 3 (state); utime is 14, stime 15.
    for (int i = 3; i <= 15 && in >> field; ++i) {
        if (i == 14)
            ut = std::atof(field.c_str());
        if (i == 15)
            st = std::atof(field.c_str());
    }
    return (ut + st) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::set<std::string> thread_ids() {
    std::set<std::string> out;
    if (DIR* d = opendir("/proc/self/task")) {
        while (dirent* e = readdir(d))
            if (e->d_name[0] != '.')
                out.insert(e->d_name);
        closedir(d);
    }
    return out;
}

double percentile(std::vector<std::int64_t>& v, double q) {
    if (v.empty())
        return std::nan("");
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return static_cast<double>(v[std::clamp<std::size_t>(rank, 1, v.size()) - 1]) / 1e6;
}

template <class F>
bool wait_until(F pred, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

} // namespace

int run_child(const run_spec& s) {
    std::ostringstream out;
    auto emit = [&](const std::string& k, const auto& v) { out << k << ' ' << v << '\n'; };

    // genesis-sim: five REST listeners, no rate limits (the load would trip them), agents on
    // (their quotes give the IOC orders something to fill against).
    // The run's directory: the sim's CA file and the journal, removed at the end.
    const auto dir = std::filesystem::temp_directory_path() /
                     ("genesis-resbench-" + std::to_string(getpid()) + "-" + std::to_string(now_ns()));
    std::filesystem::create_directories(dir);
    auto scfg = sim::default_server_config(endpoint_count);
    scfg.ca_file = (dir / "ca.pem").string();
    scfg.limits.enabled = false;
    scfg.agents_enabled = true;
    scfg.faults.seed = s.seed;
    const auto before_sim = thread_ids();
    auto srv = std::make_unique<sim::sim_server>(scfg);
    if (auto r = srv->start(); !r) {
        std::fprintf(stderr, "sim start: %s\n", r.error().message().c_str());
        return 3;
    }
    std::vector<std::string> sim_threads;
    for (const auto& t : thread_ids())
        if (!before_sim.contains(t))
            sim_threads.push_back(t);

    net::io_context ioc;
    auto work = net::make_work_guard(ioc);
    resilience::steady_timer_service timers;
    const clock& rc = real_clock::instance();

    // The client stack of this configuration.
    const bool multi = s.config == "genesis";
    std::vector<std::unique_ptr<rest::http_client>> clients;
    std::vector<std::unique_ptr<resilience::predictor>> preds;
    std::vector<std::unique_ptr<resilience::executor>> execs;
    std::vector<std::unique_ptr<binance_venue>> venues;
    std::vector<std::shared_ptr<resilience::circuit_breaker>> breakers;
    resilience::breaker_options bo;
    resilience::executor_options eo;
    if (s.config == "none") {
        bo.failure_threshold = std::numeric_limits<std::uint32_t>::max(); // never trips
        eo.hedging = false;
        eo.budget.ratio = 0;
        eo.budget.floor_per_second = 0;
    } else if (s.config == "classic") {
        eo.hedging = false;
        eo.budget.ratio = 0;
        eo.budget.floor_per_second = 0;
    } else {
        bo.is_essential = true;
    }
    const auto& urls = srv->urls().rest;
    const std::size_t n_clients = multi ? 1 : urls.size();
    for (std::size_t c = 0; c < n_clients; ++c) {
        rest::http_client_options opt;
        opt.venue = "sim";
        opt.base_urls = multi ? urls : std::vector<std::string>{urls[c]};
        opt.tls.ca_file = srv->ca_file();
        opt.request_timeout = 10s;
        opt.limits.weight_limit = 0; // the sim's limits are off too
        if (s.pool_cap >= 0)
            opt.pool.max_connections_per_host = static_cast<std::size_t>(s.pool_cap);
        auto cl = rest::http_client::create(ioc.get_executor(), rc, timers, opt);
        if (!cl) {
            std::fprintf(stderr, "client: %s\n", cl.error().message().c_str());
            return 3;
        }
        auto sg = rest::signer::hmac_sha256(rest::secret("sim-test-secret-key"));
        if (!sg)
            return 3;
        cl->set_credentials("sim-test-api-key", std::move(*sg));
        clients.push_back(std::make_unique<rest::http_client>(std::move(*cl)));
        preds.push_back(std::make_unique<resilience::predictor>());
        std::vector<resilience::endpoint> eps;
        const std::size_t n_eps = multi ? urls.size() : 1;
        for (std::size_t e = 0; e < n_eps; ++e) {
            const std::size_t idx = multi ? e : c;
            auto b = std::make_shared<resilience::circuit_breaker>(rc, bo, "rest" + std::to_string(idx));
            breakers.push_back(b);
            eps.push_back({"rest" + std::to_string(idx), b});
        }
        execs.push_back(std::make_unique<resilience::executor>(rc, timers, *preds.back(), std::move(eps), eo));
        binance_venue_options vo;
        vo.venue = sim_venue;
        vo.query_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(read_deadline_ms));
        vo.place_timeout = std::chrono::milliseconds(static_cast<std::int64_t>(place_deadline_ms));
        vo.depth_limit = 5;
        venues.push_back(std::make_unique<binance_venue>(ioc, *clients.back(), *execs.back(), vo));
    }
    std::vector<binance_venue*> vptrs;
    for (auto& v : venues)
        vptrs.push_back(v.get());
    router rt(s.config, vptrs);
    std::thread io_thread([&] { ioc.run(); });

    // The processing thread: the PriorityProcessor; P0 carries the OMS and its venue answers.
    resilience::priority_processor<bench_event> proc([](bench_event& ev, resilience::priority) -> result<void> {
        if (ev.task)
            ev.task();
        return {};
    });
    if (auto r = proc.start(); !r)
        return 3;

    // The OMS with its journal (SQLite, WAL, FULL sync) in the run directory.
    db::db_config dc;
    dc.primary = dir / "primary.db";
    auto dbr = db::database::open(dc);
    if (!dbr) {
        std::fprintf(stderr, "db: %s\n", dbr.error().message().c_str());
        return 3;
    }
    auto database = std::move(*dbr);
    gateway::oms_config oc;
    oc.venue = sim_venue;
    oc.ids.instance = "bench";
    oc.symbols = {{btc, asset::truncating("BTC"), asset::truncating("USDT")}};
    oc.lookup_interval = 500ms;
    // Not below recvWindow (5 s, the client's default) + 1 s: until then the venue may still execute a
    // placement whose answer was lost (4 s here let the sim fill orders the OMS had declared never
    // placed: their fills were lost).
    oc.lookup_min_age = 6s;
    gateway::oms_deps deps;
    deps.clk = &rc;
    deps.db = database.get();
    deps.venue = &rt;
    deps.post = [&proc](std::function<void()> f) { (void)proc.push(resilience::priority::orders, {std::move(f)}); };
    auto o = std::make_unique<gateway::oms>(oc, std::move(deps));
    // Runs f on the processing thread and waits for it (bounded).
    auto on_proc = [&](std::function<void()> f) {
        auto done = std::make_shared<std::promise<void>>();
        auto fut = done->get_future();
        (void)proc.push(resilience::priority::orders, {[f = std::move(f), done] {
                            f();
                            done->set_value();
                        }});
        return fut.wait_for(30s) == std::future_status::ready;
    };
    {
        auto started = std::make_shared<std::promise<result<void>>>();
        auto fut = started->get_future();
        on_proc([&] { o->start([started](result<void> r) { started->set_value(r); }); });
        if (fut.wait_for(30s) != std::future_status::ready || !fut.get()) {
            std::fprintf(stderr, "oms did not start\n");
            return 3;
        }
    }

    // Prices for marketable IOC orders: far through the book, so they fill against the agents.
    decimal buy_px, sell_px;
    {
        auto got = std::make_shared<std::promise<result<book_snapshot>>>();
        auto fut = got->get_future();
        rt.depth(btc, [got](result<book_snapshot> r) { got->set_value(std::move(r)); });
        if (fut.wait_for(20s) != std::future_status::ready)
            return 3;
        auto snap = fut.get();
        if (!snap || snap->bids.empty() || snap->asks.empty()) {
            std::fprintf(stderr, "no book\n");
            return 3;
        }
        buy_px = *snap->asks.front().price.add(*decimal::parse("2000"));
        sell_px = *snap->bids.front().price.sub(*decimal::parse("2000"));
    }
    const decimal qty = *decimal::parse("0.0001");

    // The schedule: open loop, Poisson arrivals at s.rate (or a burst at once), seeded.
    std::mt19937_64 rng(s.seed);
    std::exponential_distribution<double> gap(s.rate > 0 ? s.rate : 1);
    std::uniform_real_distribution<double> u01(0, 1);
    const std::size_t n_ops = s.burst > 0 ? s.burst : static_cast<std::size_t>(std::max(1.0, s.rate * s.duration_s));
    std::vector<op_rec> ops(n_ops);
    const std::int64_t t0 = now_ns() + 50'000'000;
    double t = 0;
    for (auto& op : ops) {
        const double x = u01(rng);
        op.kind = x < s.place_share                             ? op_kind::place
                  : x < s.place_share + (1 - s.place_share) / 2 ? op_kind::query
                                                                : op_kind::depth;
        if (s.burst == 0)
            t += gap(rng);
        op.sched = t0 + static_cast<std::int64_t>(t * 1e9);
    }
    const auto deadline_of = [](op_kind k) {
        return static_cast<std::int64_t>((k == op_kind::place ? place_deadline_ms : read_deadline_ms) * 1e6);
    };
    auto complete = [&](op_rec& op, bool ok) {
        const std::int64_t d = now_ns();
        op.done.store(d);
        op.status.store(static_cast<std::uint8_t>(!ok                                    ? op_status::failed
                                                  : d - op.sched <= deadline_of(op.kind) ? op_status::live
                                                                                         : op_status::late));
    };
    std::mutex placed_m;
    std::vector<client_order_id> placed;
    const auto missing_id = client_order_id::truncating("bench-missing-1");

    // The controller: fault timeline, recovery watch, OMS ticks and synthetic market events.
    const auto steps = timeline(s);
    std::atomic<bool> stop_ctl{false};
    struct watch {
        std::size_t ep;
        std::int64_t healed_at;
        std::uint64_t base_successes;
        double first_ok_ms = -1;
        double closed_ms = -1;
    };
    std::vector<watch> watches;
    std::mutex watch_m;
    std::thread ctl([&] {
        std::size_t next = 0;
        std::int64_t next_tick = t0;
        std::uint64_t tick_no = 0;
        while (!stop_ctl.load()) {
            const std::int64_t now = now_ns();
            while (next < steps.size() && now >= t0 + static_cast<std::int64_t>(steps[next].at_s * 1e9)) {
                sim::fault_config fc;
                fc.seed = s.seed + next;
                fc.rules = steps[next].rules;
                srv->set_faults(fc);
                const std::int64_t at = now_ns();
                std::lock_guard lk(watch_m);
                for (auto ep : steps[next].healed)
                    watches.push_back({ep, at, breakers[ep]->stats().successes});
                ++next;
            }
            {
                std::lock_guard lk(watch_m);
                for (auto& w : watches) {
                    const auto st = breakers[w.ep]->stats();
                    if (w.first_ok_ms < 0 && st.successes > w.base_successes)
                        w.first_ok_ms = static_cast<double>(now - w.healed_at) / 1e6;
                    if (w.closed_ms < 0 && st.state == resilience::breaker_state::closed)
                        w.closed_ms = static_cast<double>(now - w.healed_at) / 1e6;
                }
            }
            // Synthetic market data and telemetry (events_per_ms, default 6,000 events/s) and an OMS tick every 100 ms.
            if (now >= t0) {
                for (std::size_t j = 0; j < std::max<std::size_t>(1, s.events_per_ms / 6); ++j) {
                    (void)proc.push(resilience::priority::trades, {});
                    for (int i = 0; i < 4; ++i)
                        (void)proc.push(resilience::priority::book, {});
                    (void)proc.push(resilience::priority::telemetry, {});
                }
                if (tick_no++ % 100 == 0)
                    (void)proc.push(resilience::priority::control, {[&] {
                                        if (o)
                                            o->on_tick();
                                    }});
            }
            next_tick += 1'000'000;
            if (next_tick < now)
                next_tick = now + 1'000'000;
            std::this_thread::sleep_until(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(next_tick)));
        }
    });

    // The open-loop scheduler: each operation leaves at its time, answered or not.
    for (std::size_t i = 0; i < ops.size(); ++i) {
        auto& op = ops[i];
        std::this_thread::sleep_until(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(op.sched)));
        switch (op.kind) {
        case op_kind::depth:
            op.endpoint = rt.depth(btc, [&op, &complete](result<book_snapshot> r) { complete(op, r.has_value()); });
            break;
        case op_kind::query: {
            client_order_id id = missing_id;
            {
                std::lock_guard lk(placed_m);
                if (!placed.empty())
                    id =
                        placed[static_cast<std::size_t>(u01(rng) * static_cast<double>(placed.size())) % placed.size()];
            }
            op.endpoint = rt.query_on(
                btc, id, [&op, &complete](result<std::optional<execution_report>> r) { complete(op, r.has_value()); });
            break;
        }
        case op_kind::place: {
            order_intent in;
            in.strategy_id = 1;
            in.venue = sim_venue;
            in.sym = btc;
            in.order_side = (i % 2 == 0) ? side::buy : side::sell;
            in.type = order_type::limit;
            in.tif = time_in_force::ioc;
            in.price = in.order_side == side::buy ? buy_px : sell_px;
            in.quantity = qty;
            (void)proc.push(resilience::priority::orders, {[&, in, i] {
                                auto id = o->submit(in);
                                if (!id) {
                                    ops[i].status.store(static_cast<std::uint8_t>(op_status::not_submitted));
                                    ops[i].done.store(now_ns());
                                    return;
                                }
                                ops[i].cid = *id;
                                std::lock_guard lk(placed_m);
                                placed.push_back(*id);
                            }});
            break;
        }
        }
    }
    const std::int64_t load_end = now_ns();

    // Settle: every read answered, every placement answered or resolved by the OMS's lookups.
    auto reads_done = [&] {
        return std::all_of(ops.begin(), ops.end(),
                           [](const op_rec& op) { return op.kind == op_kind::place || op.status.load() != 0; });
    };
    const bool reads_settled = wait_until(reads_done, 20s);
    std::size_t unknown = 0;
    const bool oms_settled = wait_until(
        [&] {
            std::size_t u = 0;
            if (!on_proc([&] { u = o->health().unknown_orders; }))
                return false;
            unknown = u;
            return u == 0;
        },
        40s);
    // Then wait for trade syncs to catch up with the sim (bounded); what is missing then is lost.
    std::size_t sim_fills = 0;
    std::vector<genesis::sim::order_record> records;
    auto truth = [&] {
        srv->with_exchange([&](genesis::sim::exchange& ex) {
            const auto acc = ex.find_account("sim-test-api-key");
            if (!acc)
                return;
            sim_fills = ex.fills(*acc).size();
            records = ex.order_records(*acc);
        });
    };
    std::uint64_t oms_fills = 0, dup_fills = 0;
    auto read_fills = [&] {
        truth();
        return on_proc([&] {
            oms_fills = o->stats().fills;
            dup_fills = o->stats().duplicate_fills;
        });
    };
    // Caught up, or no progress for 3 s (bounded by 20 s).
    std::uint64_t last_fills = 0;
    auto last_change = std::chrono::steady_clock::now();
    const bool fills_settled = wait_until(
        [&] {
            if (!read_fills())
                return false;
            if (oms_fills != last_fills) {
                last_fills = oms_fills;
                last_change = std::chrono::steady_clock::now();
            }
            return oms_fills >= sim_fills || std::chrono::steady_clock::now() - last_change > 3s;
        },
        20s);
    const std::uint64_t lost_live = sim_fills > oms_fills ? sim_fills - oms_fills : 0;
    // What the live path missed, the OMS's reconciliation with the venue should repair.
    bool reconciled = false;
    if (lost_live > 0) {
        auto p = std::make_shared<std::promise<result<void>>>();
        auto f = p->get_future();
        on_proc([&] { o->reconcile([p](result<void> r) { p->set_value(r); }); });
        reconciled = f.wait_for(30s) == std::future_status::ready && f.get().has_value();
        read_fills();
    }
    const std::int64_t settle_end = now_ns();
    stop_ctl = true;
    ctl.join();

    // Ground truth: duplicates (a client id placed more than once), orders the OMS does not know.
    std::map<client_order_id, int> per_id;
    for (const auto& r : records)
        ++per_id[r.client_id];
    std::uint64_t duplicates = 0;
    for (const auto& [id, n] : per_id)
        duplicates += static_cast<std::uint64_t>(n - 1);
    std::uint64_t unknown_to_oms = 0;
    // Orders the venue executed (some quantity) whose exchange order id the OMS never learned: their
    // trades cannot be matched to an order, so they are the lost fills' usual source.
    std::uint64_t executed_without_id = 0;
    gateway::oms_stats ostats;
    on_proc([&] {
        for (const auto& [id, n] : per_id)
            if (o->find(id) == nullptr)
                ++unknown_to_oms;
        for (const auto& r : records) {
            if (r.executed_qty.is_zero())
                continue;
            const auto* mine = o->find(r.client_id);
            if (mine == nullptr || mine->order_id != r.order_id) {
                if (++executed_without_id <= 5)
                    std::fprintf(stderr, "  executed at the venue, no order id in the OMS: %s venue %s %s, oms %s\n",
                                 std::string(r.client_id.view()).c_str(), std::string(to_string(r.status)).c_str(),
                                 r.executed_qty.to_string().c_str(),
                                 mine ? std::string(to_string(mine->status)).c_str() : "absent");
            }
        }
        ostats = o->stats();
    });

    // Placement outcomes: joined with the router's answers by client order id.
    std::uint64_t venue_rejected = 0;
    {
        std::lock_guard lk(rt.m);
        for (auto& op : ops) {
            if (op.kind != op_kind::place || op.status.load() != 0)
                continue;
            auto it = rt.answers.find(op.cid);
            if (it == rt.answers.end()) {
                op.status = static_cast<std::uint8_t>(op_status::failed);
                continue;
            }
            op.done = it->second.at;
            if (it->second.rejected)
                ++venue_rejected;
            op.status = static_cast<std::uint8_t>(!it->second.ok                                     ? op_status::failed
                                                  : it->second.at - op.sched <= deadline_of(op.kind) ? op_status::live
                                                                                                     : op_status::late);
        }
    }

    // Per-operation figures.
    std::uint64_t n = 0, live = 0, late = 0, failed = 0, not_submitted = 0;
    std::array<std::uint64_t, 3> kind_n{}, kind_live{};
    std::uint64_t fault_n = 0, fault_live = 0; // ops scheduled while a fault was active
    std::uint64_t slow_n = 0, slow_live = 0;   // latency: ops sent to a slowed endpoint (none/classic)
    std::vector<std::int64_t> lat;
    std::int64_t fault_from = std::numeric_limits<std::int64_t>::max(), fault_to = 0;
    if (!steps.empty()) {
        fault_from = t0 + static_cast<std::int64_t>(steps.front().at_s * 1e9);
        fault_to = s.scenario == "mass_failure" || s.scenario == "constrained"
                       ? t0 + static_cast<std::int64_t>(steps.back().at_s * 1e9)
                       : std::numeric_limits<std::int64_t>::max();
    }
    const std::size_t slowed = s.scenario == "latency" ? share_count(s.param) : 0;
    const std::size_t windows = s.sample_s > 0 ? static_cast<std::size_t>(std::ceil(s.duration_s / s.sample_s)) : 0;
    std::vector<std::uint64_t> win_n(windows + 1), win_live(windows + 1);
    for (const auto& op : ops) {
        const auto st = static_cast<op_status>(op.status.load());
        ++n;
        const auto k = static_cast<std::size_t>(op.kind);
        ++kind_n[k];
        const bool ok = st == op_status::live;
        live += ok;
        kind_live[k] += ok;
        late += st == op_status::late;
        failed += st == op_status::failed || st == op_status::pending;
        not_submitted += st == op_status::not_submitted;
        if (ok)
            lat.push_back(op.done.load() - op.sched);
        if (op.sched >= fault_from && op.sched < fault_to) {
            ++fault_n;
            fault_live += ok;
            if (slowed > 0 && op.endpoint.load() < slowed) {
                ++slow_n;
                slow_live += ok;
            }
        }
        if (windows > 0) {
            const auto w = std::min<std::size_t>(
                windows, static_cast<std::size_t>(static_cast<double>(op.sched - t0) / 1e9 / s.sample_s));
            ++win_n[w];
            win_live[w] += ok;
        }
    }

    emit("ops", n);
    emit("live", live);
    emit("late", late);
    emit("failed", failed);
    emit("not_submitted", not_submitted);
    emit("fallback", 0);
    emit("stale", 0);
    emit("venue_rejected", venue_rejected);
    for (std::size_t k = 0; k < 3; ++k) {
        static const char* names[] = {"depth", "query", "place"};
        emit(std::string("ops_") + names[k], kind_n[k]);
        emit(std::string("live_") + names[k], kind_live[k]);
    }
    emit("fault_ops", fault_n);
    emit("fault_live", fault_live);
    emit("slow_ops", slow_n);
    emit("slow_live", slow_live);
    emit("lat_p50_ms", percentile(lat, 0.50));
    emit("lat_p99_ms", percentile(lat, 0.99));
    emit("lat_p999_ms", percentile(lat, 0.999));
    emit("lat_max_ms", lat.empty() ? std::nan("") : static_cast<double>(lat.back()) / 1e6);
    emit("load_s", static_cast<double>(load_end - t0) / 1e9);
    emit("settle_s", static_cast<double>(settle_end - load_end) / 1e9);

    // Extra load: attempts and hedges over every executor.
    resilience::executor_stats es{};
    for (auto& e : execs) {
        const auto x = e->stats();
        es.calls += x.calls;
        es.attempts += x.attempts;
        es.hedges += x.hedges;
        es.parallel_extras += x.parallel_extras;
        es.wins += x.wins;
        es.extra_wins += x.extra_wins;
        es.cancellations += x.cancellations;
        es.budget_refusals += x.budget_refusals;
        es.all_down += x.all_down;
        es.probes += x.probes;
        es.late_probe_answers += x.late_probe_answers;
    }
    emit("calls", es.calls);
    emit("attempts", es.attempts);
    emit("hedges", es.hedges);
    emit("parallel_extras", es.parallel_extras);
    emit("extra_wins", es.extra_wins);
    emit("wasted_attempts", es.attempts - es.wins);
    emit("cancelled_attempts", es.cancellations);
    emit("budget_refusals", es.budget_refusals);
    emit("all_down", es.all_down);
    emit("recovery_probes", es.probes);
    emit("late_probe_answers", es.late_probe_answers);
    emit("failovers", rt.failovers.load());

    // REST connection pools and requests on the wire (incl. server-time syncs), over every client.
    rest::pool_stats pst{};
    std::uint64_t rest_requests = 0, time_syncs = 0, sync_waits = 0;
    for (auto& cl : clients) {
        const auto hs = cl->stats();
        rest_requests += hs.requests;
        time_syncs += hs.time_syncs;
        sync_waits += hs.sync_waits;
        const auto x = cl->endpoints().total_stats();
        pst.connects += x.connects;
        pst.reuses += x.reuses;
        pst.discarded += x.discarded;
        pst.tls_failures += x.tls_failures;
        pst.waits += x.waits;
        pst.wait_timeouts += x.wait_timeouts;
        pst.wait_cancels += x.wait_cancels;
        pst.handoffs += x.handoffs;
        pst.wait_time += x.wait_time;
        pst.peak_open = std::max(pst.peak_open, x.peak_open);
        pst.max_waiting = std::max(pst.max_waiting, x.max_waiting);
    }
    emit("rest_requests", rest_requests);
    emit("time_syncs", time_syncs);
    emit("sync_waits", sync_waits);
    emit("pool_connects", pst.connects);
    emit("pool_reuses", pst.reuses);
    emit("pool_discarded", pst.discarded);
    emit("pool_tls_failures", pst.tls_failures);
    emit("pool_waits", pst.waits);
    emit("pool_wait_timeouts", pst.wait_timeouts);
    emit("pool_wait_cancels", pst.wait_cancels);
    emit("pool_handoffs", pst.handoffs);
    emit("pool_wait_mean_ms",
         pst.waits == 0 ? 0.0 : static_cast<double>(pst.wait_time.count()) / 1e6 / static_cast<double>(pst.waits));
    emit("pool_peak_open_per_host", pst.peak_open);
    emit("pool_max_waiting_per_host", pst.max_waiting);

    // Orders: the invariants.
    emit("sim_orders", records.size());
    emit("oms_submitted", ostats.submitted);
    emit("duplicate_orders", duplicates);
    emit("unknown_to_oms", unknown_to_oms);
    emit("executed_without_order_id", executed_without_id);
    emit("unknown_outcomes", ostats.unknown_outcomes);
    emit("resolved_found", ostats.resolved_found);
    emit("resolved_not_found", ostats.resolved_not_found);
    emit("unresolved_at_end", unknown);
    emit("sim_fills", sim_fills);
    emit("oms_fills", oms_fills);
    emit("duplicate_fills_ignored", dup_fills);
    emit("lost_fills_live", lost_live);
    emit("reconciled_at_end", reconciled ? 1 : 0);
    emit("lost_fills", sim_fills > oms_fills ? sim_fills - oms_fills : 0);
    emit("settled", (reads_settled && oms_settled && fills_settled) ? 1 : 0);

    // Recovery.
    std::string rec_live, rec_closed;
    std::size_t unrecovered = 0, unclosed = 0;
    for (const auto& w : watches) {
        if (w.first_ok_ms >= 0)
            rec_live += (rec_live.empty() ? "" : ",") + std::to_string(w.first_ok_ms);
        else
            ++unrecovered;
        if (w.closed_ms >= 0)
            rec_closed += (rec_closed.empty() ? "" : ",") + std::to_string(w.closed_ms);
        else
            ++unclosed;
    }
    emit("recoveries", watches.size());
    emit("recovery_live_ms", rec_live.empty() ? "-" : rec_live);
    emit("recovery_closed_ms", rec_closed.empty() ? "-" : rec_closed);
    emit("unrecovered", unrecovered);
    emit("unclosed", unclosed);
    std::size_t open_at_end = 0;
    for (auto& b : breakers)
        open_at_end += b->state() != resilience::breaker_state::closed;
    emit("breakers_not_closed_at_end", open_at_end);

    // Degradation curve (operations per sampling window).
    if (windows > 0) {
        std::string c;
        for (std::size_t w = 0; w <= windows; ++w)
            c += (w ? ";" : "") + std::to_string(win_n[w]) + ":" + std::to_string(win_live[w]);
        emit("curve", c);
    }

    // Stop: OMS first (on its thread), then the processor (drain), I/O, sim.
    on_proc([&] { o.reset(); });
    const auto rep = proc.stop(resilience::stop_mode::drain);
    const auto ps = proc.stats();
    for (std::size_t l = 0; l < resilience::priority_levels; ++l) {
        const auto& ls = ps.levels[l];
        const std::string p = "P" + std::to_string(l);
        emit(p + "_enqueued", ls.enqueued);
        emit(p + "_processed", ls.processed);
        emit(p + "_dropped", ls.drops);
    }
    emit("drained_at_stop", rep.drained);
    double sim_cpu = 0;
    for (const auto& tid : sim_threads)
        sim_cpu += cpu_of_thread(tid);
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const double total_cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                             static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    emit("cpu_total_s", total_cpu);
    emit("cpu_sim_s", sim_cpu);
    emit("cpu_client_s", total_cpu - sim_cpu);
    emit("peak_rss_kb", ru.ru_maxrss);

    // The process ends here: no orderly teardown of coroutines still parked on the I/O thread.
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    std::fputs(out.str().c_str(), stdout);
    std::fflush(stdout);
    std::_Exit(0);
}

} // namespace genesis::bench
