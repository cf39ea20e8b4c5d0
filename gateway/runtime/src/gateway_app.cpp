#include "genesis/gateway/runtime/gateway_app.hpp"

#include "app_impl.hpp"

#include "genesis/core/thread.hpp"
#include "genesis/log/logger.hpp"
#include "genesis/log/system.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <future>
#include <iostream>
#include <optional>
#include <thread>
#include <unistd.h>

namespace genesis::gateway::runtime {

namespace {

constexpr auto tick_period = std::chrono::milliseconds{100};

// Waits for a callback-style answer from the I/O thread (start-up only, bounded).
template <class T>
std::optional<result<T>> wait_for(std::future<result<T>>& f, std::chrono::milliseconds limit) {
    if (f.wait_for(limit) != std::future_status::ready)
        return std::nullopt;
    return f.get();
}

// Asks an idempotent start-up question up to 4 times: `ask` hands the promise to whatever answers
// it; a lost or late answer is asked again after 500 ms (an open breaker's recovery time).
template <class T, class Ask>
std::optional<result<T>> ask_at_startup(Ask&& ask, std::chrono::milliseconds limit, const log::logger_ptr& log,
                                        const std::string& what) {
    constexpr int attempts = 4;
    std::optional<result<T>> r;
    for (int attempt = 1; attempt <= attempts; ++attempt) {
        auto p = std::make_shared<std::promise<result<T>>>();
        auto f = p->get_future();
        ask(p);
        r = wait_for(f, limit);
        if (r && *r)
            return r;
        log->warn("{} failed (attempt {} of {}): {}", what, attempt, attempts,
                  r ? r->error().message() : std::string("timed out"));
        if (attempt < attempts)
            std::this_thread::sleep_for(std::chrono::milliseconds{500});
    }
    return r;
}

std::filesystem::path under(const std::filesystem::path& dir, const std::string& p) {
    std::filesystem::path path(p);
    return path.is_absolute() ? path : dir / path;
}

// Measures each placement's round trip (answer time minus hand-off time).
class observed_venue final : public order_venue {
    order_venue& inner_;
    const genesis::clock& clk_;
    resilience::log2_histogram& rtt_;
    std::mutex rtt_mutex_; // answers come from the I/O thread, genesis-orders or the processing thread

public:
    observed_venue(order_venue& inner, const genesis::clock& clk, resilience::log2_histogram& rtt)
            : inner_(inner), clk_(clk), rtt_(rtt) {}

    void place(const order_intent& intent, venue_callback<execution_report> done) override {
        const auto sent = clk_.now();
        inner_.place(intent, [this, sent, done = std::move(done)](result<execution_report> r) {
            // The histogram takes one writer at a time.
            {
                std::lock_guard lk(rtt_mutex_);
                rtt_.record((clk_.now() - sent).count());
            }
            done(std::move(r));
        });
    }
    void cancel(const cancel_intent& intent, venue_callback<execution_report> done) override {
        inner_.cancel(intent, std::move(done));
    }
    void query(const symbol& sym, const client_order_id& id,
               venue_callback<std::optional<execution_report>> done) override {
        inner_.query(sym, id, std::move(done));
    }
    void query_order_id(const symbol& sym, std::uint64_t order_id,
                        venue_callback<std::optional<execution_report>> done) override {
        inner_.query_order_id(sym, order_id, std::move(done));
    }
    void open_orders(venue_callback<std::vector<execution_report>> done) override {
        inner_.open_orders(std::move(done));
    }
    void my_trades(const symbol& sym, std::uint64_t from, venue_callback<std::vector<db::fill_record>> done) override {
        inner_.my_trades(sym, from, std::move(done));
    }
    void account(venue_callback<std::vector<balance>> done) override { inner_.account(std::move(done)); }
};

} // namespace

std::string_view to_string(health_level h) noexcept {
    switch (h) {
    case health_level::green: return "GREEN";
    case health_level::degraded: return "DEGRADED";
    case health_level::halted: return "HALTED";
    }
    return "HALTED";
}

gateway_app::impl::impl(runtime_config c, std::filesystem::path file, std::filesystem::path build, log::system& l)
        : cfg(std::move(c)), config_file(std::move(file)), build_dir(std::move(build)), logs(l), log(l.get("gateway")),
          predictor(cfg.base.resilience.predictor),
          resources(resource_limits{cfg.resources.max_rss_mb << 20, cfg.resources.max_cpu_percent,
                                    cfg.resources.conflate_book_depth}) {}

void gateway_app::impl::push(resilience::priority p, gw_event ev) {
    if (!proc) {
        ++push_failures;
        return;
    }
    if (std::this_thread::get_id() != proc_thread.load(std::memory_order_relaxed)) {
        if (!proc->push(p, std::move(ev)))
            ++push_failures;
        return;
    }
    if (auto r = proc->try_push(p, ev); !r) {
        if (r.error() != resilience::errc::queue_full) {
            ++push_failures;
            return;
        }
        ++overflowed;
        overflow.push_back(std::move(ev));
    }
}

void gateway_app::impl::post(resilience::priority p, std::function<void()> f) {
    gw_event ev;
    ev.v = std::move(f);
    push(p, std::move(ev));
}

void gateway_app::impl::enter_thread(const char* name, const std::vector<unsigned>& cpus) {
    name_this_thread(name);
    if (cpus.empty())
        return;
    if (auto ec = pin_this_thread(cpus))
        log->warn("thread {} not pinned to CPUs {}: {}", name, cpu_list_text(cpus), ec.message());
    else
        log->info("thread {} pinned to CPUs {}", name, cpu_list_text(cpus));
}

void gateway_app::impl::apply_venue_limits(const std::vector<binance::rate_limit>& limits) {
    const auto known = binance::known_limits(limits);
    if (known.weight_1m && known.weight_1m->limit > 0) {
        const auto venue_limit = static_cast<std::int64_t>(known.weight_1m->limit);
        const auto allowed = std::min<std::int64_t>(venue_limit, cfg.venue.weight_limit_per_minute);
        http->limits().set_weight_limit(allowed);
        if (allowed < cfg.venue.weight_limit_per_minute)
            log->warn("the venue allows {} request weight per minute, less than weight_limit_per_minute = {}: using {}",
                      venue_limit, cfg.venue.weight_limit_per_minute, allowed);
    }
    // RAW_REQUESTS counts requests, not weight: a weight budget at or below its cap keeps the count
    // under it (Binance's 61,000 per 5 minutes caps at 12,200 a minute, above its 6,000 weight).
    if (const auto cap = binance::raw_requests_weight_cap(known)) {
        const auto weight = http->limits().weight_limit();
        if (weight <= 0 || *cap < weight) {
            http->limits().set_weight_limit(*cap);
            log->warn("the venue allows {} raw requests per {} s: request weight held to {} per minute",
                      known.raw_requests->limit, binance::interval_length(*known.raw_requests)->count(), *cap);
        }
    } else if (known.raw_requests) {
        log->warn("the venue lists RAW_REQUESTS {} per {} {}, which a per-minute weight budget cannot keep to: not "
                  "enforced",
                  known.raw_requests->limit, known.raw_requests->interval_num, known.raw_requests->interval.view());
    }
    const auto limit = [](const std::optional<binance::rate_limit>& l) {
        return l ? std::make_optional(static_cast<std::int64_t>(l->limit)) : std::nullopt;
    };
    http->orders().set_limits(limit(known.orders_10s), limit(known.orders_1d));
    log->info("venue limits: request weight {} per minute (held back at {}), orders {} per 10 s and {} per day, raw "
              "requests {}",
              known.weight_1m ? std::to_string(known.weight_1m->limit) : std::string("not listed"),
              http->limits().threshold(), http->orders().limit_10s(), http->orders().limit_1d(),
              known.raw_requests ? std::to_string(known.raw_requests->limit) + " per " +
                                       std::to_string(known.raw_requests->interval_num) + " " +
                                       std::string(known.raw_requests->interval.view())
                                 : std::string("not listed"));
}

bool gateway_app::impl::start(std::string& why) {
    auto& v = cfg.venue;
    const auto data_dir = std::filesystem::path(cfg.base.gateway.data_dir);
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec) {
        why = "cannot create data_dir " + data_dir.string() + ": " + ec.message();
        return false;
    }

    // Mode sim without URLs: our own genesis-sim, as a child process.
    const bool own_sim = cfg.base.gateway.mode == config::run_mode::sim && v.rest_urls.empty();
    if (own_sim) {
        auto exe =
            cfg.sim.executable.empty() ? build_dir / "sim" / "genesis-sim" : std::filesystem::path(cfg.sim.executable);
        std::vector<std::string> args;
        if (!cfg.sim.config.empty())
            args.insert(args.end(), {"--config", cfg.sim.config});
        if (!cfg.sim.agents)
            args.emplace_back("--no-agents");
        args.insert(args.end(), {"--ca-file", (std::filesystem::absolute(data_dir) / "sim-ca.pem").string()});
        if (!sim.start(exe, args, cfg.sim.start_timeout, why, data_dir / "sim.log"))
            return false;
        const auto& e = sim.endpoints();
        v.rest_urls = e.rest;
        v.ws_streams_url = e.ws_streams;
        v.ws_api_url = e.ws_api;
        if (v.ca_file.empty())
            v.ca_file = e.ca_file;
        log->info("genesis-sim started (pid {}): rest {} streams {} ws-api {} control {}", sim.pid(), e.rest.front(),
                  e.ws_streams, e.ws_api, e.control);
        // The REST breakers' names, now that the endpoints are known (the other modes had theirs
        // checked with the configuration), before anything is set aside or opened.
        if (why = check_breaker_names(cfg, v.rest_urls.size(), config_file); !why.empty()) {
            config_error = true; // a configuration error found only now: exit status 2 all the same
            return false;
        }
    }
    logs.add_secret(v.api_secret);
    logs.add_secret(v.api_key);

    // The database: journal and checkpoints, with replicas.
    db::db_config dc;
    dc.primary = under(data_dir, cfg.persistence.primary);
    for (const auto& r : cfg.persistence.replicas)
        dc.replicas.push_back(under(data_dir, r));
    dc.sync = cfg.persistence.durability_full ? db::durability::full : db::durability::normal;
    dc.group_commit_window = cfg.persistence.group_commit;
    dc.cpus = cfg.threads.database;
    dc.logger = logs.get("db");
    if (own_sim && !set_aside_last_state(dc, data_dir, why))
        return false;
    auto opened = db::database::open(dc, &why);
    if (!opened) {
        if (why.empty())
            why = "database: " + opened.error().message();
        return false;
    }
    db = std::move(*opened);
    if (!carry_kill_switch(data_dir, own_sim, why))
        return false;

    // REST: one endpoint (breaker) per base URL, behind the executor.
    rest::http_client_options ho;
    ho.venue = std::string(cfg.base.gateway.instance_id);
    ho.base_urls = v.rest_urls;
    ho.tls.ca_file = v.ca_file;
    ho.request_timeout = v.request_timeout;
    ho.time.recv_window = std::chrono::milliseconds{v.recv_window_ms};
    ho.limits.weight_limit = v.weight_limit_per_minute;
    // Mode paper sends no orders: its REST calls (snapshots, exchangeInfo) can pay their handshakes.
    ho.pool.warm_connections_per_host = paper_mode() ? 0 : v.warm_connections;
    ho.pool.max_idle_per_host = std::max<std::size_t>(ho.pool.max_idle_per_host, v.warm_connections);
    auto h = rest::http_client::create(ioc.get_executor(), clk, timers, ho, logs.get("rest"));
    if (!h) {
        why = "REST client: " + h.error().message();
        return false;
    }
    http.emplace(std::move(*h));
    // Mode paper: no credentials at all, so no signed (account or order) request can be built.
    if (!paper_mode()) {
        auto s = rest::signer::hmac_sha256(rest::secret(v.api_secret));
        if (!s) {
            why = "signer: " + s.error().message();
            return false;
        }
        http->set_credentials(v.api_key, std::move(*s));
    }
    std::vector<resilience::endpoint> eps;
    for (std::size_t i = 0; i < v.rest_urls.size(); ++i) {
        const std::string name = "rest" + std::to_string(i);
        eps.push_back(
            {name, std::make_shared<resilience::circuit_breaker>(clk, cfg.base.resilience.breaker(name), name)});
    }
    exec = std::make_unique<resilience::executor>(clk, timers, predictor, std::move(eps), cfg.base.resilience.executor);
    // WebSocket API order entry has a breaker of its own, restored and checkpointed with the others.
    if (!paper_mode() && v.order_entry == "ws")
        orders_breaker = std::make_shared<resilience::circuit_breaker>(
            clk, cfg.base.resilience.breaker(orders_breaker_name), std::string(orders_breaker_name));
    resilience_restore();
    binance_venue_options vo;
    vo.venue = binance::venue_name;
    vo.place_timeout = v.order_timeout;
    vo.query_timeout = v.request_timeout;
    vo.depth_limit = v.depth_limit;
    vo.market_data_only = paper_mode();
    // Tick-to-order, frame received to order bytes handed to the socket (the histogram's one
    // writer is the I/O thread; mode paper records at the fill simulator's hand-off instead).
    vo.on_order_written = [this](time_point tick) { tick_to_order.record((clk.now() - tick).count()); };
    venue = std::make_unique<binance_venue>(ioc, *http, *exec, vo, logs.get("venue"));
    // Mode paper: the OMS's venue is the fill simulator (the Binance venue only serves market data).
    if (paper_mode())
        paper_create();
    // The venue's reconnect budgets, one per listener as Binance counts them (the streams: market
    // data; the WebSocket API: user data and order entry): a venue that drops every connection
    // right after opening it (the backoff starts afresh after each delivering connection) is not
    // hammered with reconnects into a connection-limit ban.
    streams_budget = std::make_shared<ws::reconnect_budget>(v.reconnect_budget, v.reconnect_window);
    if (!paper_mode()) // mode paper opens no WebSocket API connection
        ws_api_budget = std::make_shared<ws::reconnect_budget>(v.reconnect_budget, v.reconnect_window);
    // [venue] order_entry = "ws": placements and cancels by WebSocket API frame (queries on REST).
    if (!paper_mode() && v.order_entry == "ws") {
        ws_order_entry_options wo;
        wo.venue = binance::venue_name;
        wo.ws_api_url = v.ws_api_url;
        wo.ca_file = v.ca_file;
        wo.api_key = v.api_key;
        wo.api_secret = v.api_secret;
        wo.place_timeout = v.order_timeout;
        wo.cancel_timeout = v.request_timeout;
        wo.on_order_written = vo.on_order_written;
        wo.breaker = orders_breaker;
        // One request-weight budget and one server-time offset for both APIs (Binance counts per IP).
        ws_orders = std::make_unique<ws_order_entry>(orders_ioc, wo, *venue, http->time(),
                                                     ws_order_entry_limits{&http->limits(), &http->orders()}, clk,
                                                     logs.get("ws.orders"), ws_api_budget);
        orders_work.emplace(orders_ioc.get_executor());
        orders_thread = std::thread([this] {
            enter_thread("genesis-orders", cfg.threads.io);
            orders_ioc.run();
        });
    }
    order_venue& oms_venue = paper_sim   ? static_cast<order_venue&>(*paper_sim)
                             : ws_orders ? static_cast<order_venue&>(*ws_orders)
                                         : *venue;
    observed = std::make_unique<observed_venue>(oms_venue, clk, order_rtt);

    work.emplace(ioc.get_executor());
    io_thread = std::thread([this] {
        enter_thread("genesis-io", cfg.threads.io);
        ioc.run();
    });

    // Server time, then the symbols' rules (each asked again on a fresh connection when lost).
    {
        auto r = ask_at_startup<void>(
            [this](const std::shared_ptr<std::promise<result<void>>>& p) {
                net::co_spawn(
                    ioc,
                    [this, p]() -> net::awaitable<void> {
                        auto x = co_await http->sync_time(0);
                        // The venue answers: from now on, connections for a burst of orders and
                        // cancels are opened ahead of need (rest::pool_options).
                        if (x)
                            http->keep_warm();
                        p->set_value(x);
                    },
                    net::detached);
            },
            v.request_timeout * 4, log, "time sync with " + v.rest_urls.front());
        if (!r || !*r) {
            why = "cannot reach the venue at " + v.rest_urls.front() + ": " +
                  (r ? r->error().message() : std::string("time sync timed out"));
            return false;
        }
    }
    {
        auto r = ask_at_startup<binance::exchange_info>(
            [this](const std::shared_ptr<std::promise<result<binance::exchange_info>>>& p) {
                venue->exchange_info([p](result<binance::exchange_info> x) { p->set_value(std::move(x)); });
            },
            v.request_timeout * 4, log, "exchangeInfo");
        if (!r || !*r) {
            why = "exchangeInfo: " + (r ? r->error().message() : std::string("timed out"));
            return false;
        }
        apply_venue_limits((*r)->rate_limits);
        for (const auto& sym : v.symbols) {
            auto it = std::find_if((*r)->symbols.begin(), (*r)->symbols.end(),
                                   [&](const binance::symbol_rules& x) { return x.rules.name == sym; });
            if (it == (*r)->symbols.end()) {
                why = cfg.where(config_file, "venue.symbols") + ": " + sym.str() + " is not listed by the venue";
                return false;
            }
            symbol_state st;
            st.rules = it->rules;
            st.base = it->rules.base;
            st.quote = it->rules.quote;
            binance::book_config bc;
            bc.stale_after = v.book_stale;
            st.book = std::make_unique<binance::local_book>(sym, clk, bc);
            symbols.emplace(sym, std::move(st));
        }
    }

    // Mode paper: the simulator reads the local books; its account comes back from the checkpoint.
    if (paper_sim) {
        for (auto& [sym, st] : symbols)
            paper_add_symbol(st);
        if (!paper_restore(why))
            return false;
    }
    startup_checkpoint.reset(); // read by resilience_restore and paper_restore only

    // Pre-trade checks.
    risk.emplace(cfg.risk, clk);
    balances.emplace(cfg.balances);
    restore_kill_switch();

    // Strategies are loaded (and refused: ABI, missing file) before anything trades.
    if (!load_strategies(why))
        return false;

    // The processing thread.
    resilience::processor_hooks<gw_event> hooks;
    hooks.on_drop = [this](resilience::priority p, const gw_event& ev) {
        // Dropped market data must never become a silent gap: resync that book.
        if (const auto* d = std::get_if<book_delta>(&ev.v)) {
            ++book_drops;
            const symbol sym = d->sym;
            post(resilience::priority::control, [this, sym] {
                auto it = symbols.find(sym);
                if (it != symbols.end() &&
                    it->second.book->reset(binance::book_reason::overflow) == binance::book_action::need_snapshot)
                    request_snapshot(sym);
            });
        } else if (p == resilience::priority::trades) {
            ++trade_drops;
        }
    };
    hooks.on_error = [this](const resilience::handler_failure& f, const gw_event&) {
        log->error("processing: handler failed at {}: {}", resilience::to_string(f.level),
                   f.exception ? std::string(f.what) : f.ec.message());
    };
    proc = std::make_unique<resilience::priority_processor<gw_event>>(
        [this](gw_event& ev, resilience::priority p) { return handle(ev, p); }, cfg.base.resilience.processor, hooks);
    if (auto r = proc->start(); !r) {
        why = "processor: " + r.error().message();
        return false;
    }
    post(resilience::priority::control, [this] {
        proc_thread = std::this_thread::get_id();
        enter_thread("genesis-proc", cfg.threads.processing);
    });

    // The OMS; it recovers (checkpoint, journal, reconciliation) on the processing thread.
    oms_config oc;
    oc.venue = binance::venue_name;
    oc.ids.instance = cfg.base.gateway.instance_id;
    for (const auto& [sym, st] : symbols)
        oc.symbols.push_back({sym, st.base, st.quote});
    // The venue may still execute a placement until its timestamp + recvWindow: an order is never
    // declared "never placed" before that (plus 2 s for clock offset and queues), whatever
    // venue.recv_window_ms is set to.
    oc.lookup_min_age =
        std::max<nanos>(oc.lookup_min_age, std::chrono::milliseconds{v.recv_window_ms} + std::chrono::seconds{2});
    oms_deps deps;
    deps.clk = &clk;
    deps.db = db.get();
    deps.venue = observed.get();
    deps.post = [this](std::function<void()> f) { post(resilience::priority::orders, std::move(f)); };
    deps.log = logs.get("oms");
    // Refusals, "never placed" and what queries learnt reach the strategies only this way.
    deps.on_update = [this](const execution_report& r) { strategies_on_execution(r); };
    try {
        orders = std::make_unique<oms>(oc, std::move(deps));
    } catch (const std::exception& e) {
        why = std::string("OMS: ") + e.what();
        return false;
    }

    // Feeds.
    market_feed_options mo;
    mo.ws_base = v.ws_streams_url;
    mo.ca_file = v.ca_file;
    mo.symbols = v.symbols;
    mo.depth_suffix = v.depth_stream;
    market_sink ms;
    ms.on_delta = [this](book_delta&& d) {
        gw_event ev;
        ev.v = std::move(d);
        push(resilience::priority::book, std::move(ev));
    };
    ms.on_trade = [this](trade&& t) {
        gw_event ev;
        ev.v = std::move(t);
        push(resilience::priority::trades, std::move(ev));
    };
    ms.on_reconnect = [this] {
        post(resilience::priority::control, [this] { resync_all(binance::book_reason::reset); });
    };
    market = std::make_unique<market_feed>(ioc, mo, std::move(ms), clk, logs.get("ws.market"), streams_budget);

    user_feed_options uo;
    uo.ws_api_url = v.ws_api_url;
    uo.ca_file = v.ca_file;
    uo.api_key = v.api_key;
    uo.api_secret = v.api_secret;
    // A third of the WebSocket API's reconnects is kept for order entry (cancels go there).
    if (ws_orders)
        uo.budget_reserve = v.reconnect_budget / 3;
    user_sink us;
    us.on_execution = [this](execution_report&& r) {
        gw_event ev;
        ev.v = std::move(r);
        push(resilience::priority::orders, std::move(ev));
    };
    us.on_account = [this](account_update&& u) {
        gw_event ev;
        ev.v = std::move(u);
        push(resilience::priority::orders, std::move(ev));
    };
    us.on_subscribed = [this] {
        post(resilience::priority::control, [this] {
            // User data flows: recovery can start (events from now on are not missed).
            orders->start([this](result<void> r) { on_recovery(r, "recovery"); });
        });
    };
    us.on_resubscribed = [this] {
        post(resilience::priority::control, [this] {
            // Events may have been missed while the stream was down: reconcile. A failure halts
            // the OMS; on_recovery retries it with a backoff until it succeeds.
            if (trading_started && !recon_in_flight) {
                recon_in_flight = true;
                orders->reconcile(
                    [this](result<void> r) { on_recovery(r, "reconciliation after user-stream reconnect"); });
            }
        });
    };
    // Mode paper has no user data stream: the simulator's reports are its user data.
    if (!paper_sim)
        user =
            std::make_unique<user_feed>(ioc, uo, std::move(us), clk, http->time(), logs.get("ws.user"), ws_api_budget);
    // Recording (record/replay): every frame and REST body the books use, written off-thread.
    if (!v.record_file.empty()) {
        auto r = replay::recorder::open(v.record_file);
        if (!r) {
            why = cfg.where(config_file, "venue.record_file") + ": " + v.record_file + ": " + r.error().message();
            return false;
        }
        rec.emplace(std::move(*r));
        market->set_tap([this](std::string_view channel, std::string_view payload, std::int64_t ts) {
            rec->record(replay::record_source::ws, channel, payload, time_point{ts});
        });
        venue->set_tap([this](std::string_view channel, std::string_view body) {
            rec->record(replay::record_source::rest, channel, body, clk.wall());
        });
        log->info("recording to {}", v.record_file);
    }
    // The ops endpoint: answers are computed on the processing thread (P1). Up before the feeds
    // start, so that trading (and its announcement, which names the port) cannot come first.
    if (cfg.ops.enabled) {
        ops::ops_server_options so;
        so.host = cfg.ops.host;
        so.port = cfg.ops.port;
        so.bearer_token = cfg.ops.bearer_token;
        logs.add_secret(cfg.ops.bearer_token);
        ops = std::make_unique<ops::ops_server>(ioc, so, logs.get("ops"));
        auto route = [this](ops::http_method m, std::string pattern) {
            ops->route(m, pattern, [this, m](const ops::ops_request& req, ops::ops_reply reply) {
                const std::string method(ops::to_string(m));
                post(resilience::priority::control, [this, method, path = req.path, reply = std::move(reply)] {
                    auto a = answer(method, path);
                    ops::ops_response r;
                    r.status = a.status;
                    r.content_type = a.content_type;
                    r.body = std::move(a.body);
                    reply(std::move(r));
                });
            });
        };
        route(ops::http_method::get, "/healthz");
        route(ops::http_method::get, "/metrics");
        route(ops::http_method::get, "/status");
        route(ops::http_method::post, "/kill");
        route(ops::http_method::post, "/strategies/{name}/reload");
        if (auto r = ops->start(); !r) {
            why = "ops endpoint on " + cfg.ops.host + ":" + std::to_string(cfg.ops.port) + ": " + r.error().message();
            return false;
        }
        log->info("ops endpoint on http://{}:{}", cfg.ops.host, ops->port());
    }

    if (auto r = market->start(); !r) {
        why = "market feed: " + r.error().message();
        return false;
    }
    if (ws_orders) {
        if (auto r = ws_orders->start(); !r) {
            why = "order entry (WebSocket API): " + r.error().message();
            return false;
        }
    }
    if (user) {
        if (auto r = user->start(); !r) {
            why = "user feed: " + r.error().message();
            return false;
        }
    } else {
        // Mode paper: recovery needs no stream to be subscribed first.
        post(resilience::priority::control,
             [this] { orders->start([this](result<void> r) { on_recovery(r, "recovery"); }); });
    }

    // Time: a tick on the I/O thread drives the processing thread's timers.
    if (cfg.status.terminal == "on" || (cfg.status.terminal == "auto" && ::isatty(STDOUT_FILENO)))
        status_out = std::make_unique<status_writer>(STDOUT_FILENO);
    tick_timer.emplace(ioc);
    net::post(ioc, [this] { arm_tick(); });

    // Signals: SIGINT/SIGTERM stop; SIGHUP reloads the strategies; SIGUSR1 is the kill switch.
    signals.emplace(ioc, SIGINT, SIGTERM);
    signals->add(SIGHUP);
    signals->add(SIGUSR1);
    signal_handler = [this](const error_code& e, int sig) {
        if (e)
            return;
        if (sig == SIGHUP) {
            post(resilience::priority::control, [this] { reload_strategies("SIGHUP"); });
        } else if (sig == SIGUSR1) {
            post(resilience::priority::control, [this] { kill_switch("SIGUSR1"); });
        } else if (stop_signals.fetch_add(1) == 0) {
            stop_requested = true;
            post(resilience::priority::control, [this, sig] { begin_shutdown(sig == SIGINT ? "SIGINT" : "SIGTERM"); });
        } else {
            // A second Ctrl-C: the operator does not want to wait (or the stop is stuck).
            force(std::string("a second ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
        }
        signals->async_wait(signal_handler);
    };
    signals->async_wait(signal_handler);
    return true;
}

void gateway_app::impl::arm_tick() {
    tick_timer->expires_after(tick_period);
    tick_timer->async_wait([this](const error_code& e) {
        if (e)
            return;
        post(resilience::priority::control, [this] { on_tick(); });
        arm_tick();
    });
}

result<void> gateway_app::impl::handle(gw_event& ev, resilience::priority) {
    struct visitor {
        impl& a;
        void operator()(std::monostate&) const {}
        void operator()(std::function<void()>& f) const {
            if (f)
                f();
        }
        void operator()(book_delta& d) const { a.on_delta(d); }
        void operator()(book_snapshot& s) const { a.on_snapshot(s); }
        void operator()(trade& t) const { a.on_trade(t); }
        void operator()(execution_report& r) const { a.on_execution(r); }
        void operator()(account_update& u) const { a.on_account(u); }
    };
    std::visit(visitor{*this}, ev.v);
    // What this thread could not queue for itself (see push) runs now, in the order posted.
    while (!overflow.empty()) {
        gw_event next = std::move(overflow.front());
        overflow.pop_front();
        std::visit(visitor{*this}, next.v);
    }
    return {};
}

void gateway_app::impl::force(std::string why) {
    std::lock_guard lk(done_mutex);
    if (force_stop.load())
        return;
    force_reason = std::move(why);
    force_stop = true;
    done_cv.notify_all();
}

void gateway_app::impl::finish() {
    std::lock_guard lk(done_mutex);
    done = true;
    done_cv.notify_all();
}

void gateway_app::impl::teardown() {
    // Order entry stops from here (thread-safe): its loop does not depend on the I/O thread.
    if (ws_orders)
        ws_orders->stop();
    // Order: feeds and timers on the I/O thread, then the processing thread, then the I/O thread,
    // then the database (its destructor commits what is queued), then the sim.
    if (io_thread.joinable()) {
        std::promise<void> p;
        auto f = p.get_future();
        net::post(ioc, [this, &p] {
            if (tick_timer)
                tick_timer->cancel();
            if (ops)
                ops->stop();
            if (signals)
                signals->cancel();
            if (market)
                market->stop();
            if (user)
                user->stop();
            p.set_value();
        });
        f.wait_for(std::chrono::seconds{2});
    }
    if (proc)
        proc->stop(resilience::stop_mode::drain);
    orders.reset();
    work.reset();
    if (io_thread.joinable()) {
        // Sessions close gracefully within their close timeouts; then the loop runs dry.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{2};
        while (!ioc.stopped() && std::chrono::steady_clock::now() < deadline &&
               (market && market->state() != feed_state::closed))
            std::this_thread::sleep_for(std::chrono::milliseconds{5});
        ioc.stop();
        io_thread.join();
    }
    if (orders_thread.joinable()) {
        // Order entry's session closes gracefully (stopped above), then its loop runs dry.
        orders_work.reset();
        auto ran_dry = std::async(std::launch::async, [this] { orders_thread.join(); });
        if (ran_dry.wait_for(std::chrono::seconds{2}) != std::future_status::ready)
            orders_ioc.stop();
        ran_dry.wait();
    }
    market.reset();
    user.reset();
    ws_orders.reset();
    if (rec)
        (void)rec->close();
    venue.reset();
    exec.reset();
    http.reset();
    db.reset();
    sim.stop();
    status_out.reset();
}

gateway_app::gateway_app(runtime_config cfg, std::filesystem::path config_file, std::filesystem::path build_dir,
                         log::system& logs)
        : impl_(std::make_unique<impl>(std::move(cfg), std::move(config_file), std::move(build_dir), logs)) {}

gateway_app::~gateway_app() = default;

int gateway_app::run() {
    auto& a = *impl_;
    std::string why;
    if (!a.start(why)) {
        a.log->critical("start-up failed: {}", why);
        std::cerr << "genesis-gateway: start-up failed: " << why << "\n";
        a.teardown();
        return a.config_error ? 2 : 1;
    }
    a.log->info("genesis-gateway running in mode {} on {} symbol(s)", config::to_string(a.cfg.base.gateway.mode),
                a.symbols.size());
    {
        // Until the stop ends, or is forced: by a second signal, or by the hard limit, measured
        // from when a stop was first seen here (each wait ends at least every 100 ms).
        std::unique_lock lk(a.done_mutex);
        std::optional<std::chrono::steady_clock::time_point> stop_seen;
        while (!a.done && !a.force_stop) {
            a.done_cv.wait_for(lk, std::chrono::milliseconds{100});
            if (!a.stop_requested || a.done || a.force_stop)
                continue;
            const auto now = std::chrono::steady_clock::now();
            if (!stop_seen) {
                stop_seen = now;
            } else if (now - *stop_seen >= a.cfg.shutdown.hard_limit) {
                a.force_reason = "the stop did not end within shutdown.hard_limit_ms (" +
                                 std::to_string(a.cfg.shutdown.hard_limit.count()) + " ms)";
                a.force_stop = true;
            }
        }
        if (a.force_stop && !a.done) {
            const std::string what = "forced stop (" + a.force_reason +
                                     "): exiting now without the final checkpoint; the next start restores the last "
                                     "checkpoint, replays the journal and reconciles with the exchange";
            a.log->critical("genesis-gateway {} (exit {})", what, exit_forced_stop);
            std::cerr << "genesis-gateway: " << what << "\n";
            (void)a.logs.sync(std::chrono::milliseconds{200});
            std::_Exit(exit_forced_stop); // genesis-sim, our child, gets its parent-death signal
        }
    }
    // The database's health at the stop, read before teardown closes it.
    const auto storage = a.db ? a.db->health() : db::health_status{};
    a.teardown();
    if (!storage.healthy || a.final_checkpoint_failed) {
        // A stop on a failing disk: say what is saved and how the next start gets the rest.
        const std::string what =
            "stopped with a failing database: " + (storage.healthy ? std::string() : storage.reason + "; ") +
            (a.final_checkpoint.empty() ? std::string("final checkpoint not attempted") : a.final_checkpoint) +
            ". What was committed before the failure is kept; start again on a working disk: restore takes the "
            "newest valid checkpoint, replays the journal and reconciles the rest with the exchange";
        a.log->error("genesis-gateway {} (exit {})", what, exit_storage_failure);
        std::cerr << "genesis-gateway: " << what << "\n";
        return exit_storage_failure;
    }
    a.log->info("genesis-gateway stopped");
    return 0;
}

void gateway_app::request_stop() {
    impl_->stop_requested = true;
    impl_->post(resilience::priority::control, [a = impl_.get()] { a->begin_shutdown("requested"); });
}

} // namespace genesis::gateway::runtime
