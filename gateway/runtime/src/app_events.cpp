// gateway_app on the processing thread: books, trades, execution reports, balances, the tick,
// checkpoints and the shutdown sequence.
#include "app_impl.hpp"

#include "genesis/log/logger.hpp"

#include <cstdio>
#include <limits>
#include <sys/resource.h>
#include <unistd.h>

namespace genesis::gateway::runtime {

void gateway_app::impl::request_snapshot(const symbol& sym) {
    auto it = symbols.find(sym);
    if (it == symbols.end() || it->second.snapshot_in_flight)
        return;
    it->second.snapshot_in_flight = true;
    venue->depth_snapshot(sym, [this, sym](result<book_snapshot> r) {
        if (r) {
            gw_event ev;
            ev.v = std::move(*r);
            push(resilience::priority::book, std::move(ev));
            return;
        }
        // The book's own snapshot timeout asks again (check() on the tick).
        auto e = r.error();
        post(resilience::priority::control, [this, sym, e] {
            log->warn("depth snapshot of {} failed: {}", sym.str(), e.message());
            symbols[sym].snapshot_in_flight = false;
        });
    });
}

void gateway_app::impl::resync_all(binance::book_reason why) {
    for (auto& [sym, st] : symbols)
        if (st.book->reset(why) == binance::book_action::need_snapshot)
            request_snapshot(sym);
}

void gateway_app::impl::on_delta(book_delta& d) {
    auto it = symbols.find(d.sym);
    if (it == symbols.end())
        return;
    auto& st = it->second;
    if (st.book->on_delta(d) == binance::book_action::need_snapshot)
        request_snapshot(d.sym);
    if (st.book->is_valid()) {
        if (paper_sim)
            paper_sim->on_book(d.sym);
        on_book_update(d.sym, st, d.receive_time);
    }
}

void gateway_app::impl::on_snapshot(book_snapshot& s) {
    auto it = symbols.find(s.sym);
    if (it == symbols.end())
        return;
    auto& st = it->second;
    st.snapshot_in_flight = false;
    if (st.book->on_snapshot(s) == binance::book_action::need_snapshot)
        request_snapshot(s.sym);
    if (st.book->is_valid()) {
        if (paper_sim)
            paper_sim->on_book(s.sym);
        on_book_update(s.sym, st, clk.now());
    }
}

void gateway_app::impl::on_trade(trade& t) {
    auto it = symbols.find(t.sym);
    if (it == symbols.end())
        return;
    auto& st = it->second;
    // Rotation overlaps deliver some trades twice: dedup by trade id.
    if (t.trade_id <= st.last_trade_id && st.last_trade_id != 0) {
        ++st.duplicate_trades;
        return;
    }
    st.last_trade_id = t.trade_id;
    ++st.trades;
    // Mode paper: the trade may fill resting paper orders (their reports are queued at P0).
    if (paper_sim)
        paper_sim->on_trade(t);
    strategies_on_trade(t);
}

void gateway_app::impl::on_execution(execution_report& r) {
    if (orders)
        orders->on_execution_report(r);
    strategies_on_execution(r);
    // A fill is a critical event: checkpoint soon rather than at the next period.
    if (r.exec_type == execution_type::trade)
        checkpoint_soon();
}

// CheckpointManager: critical events (a fill, the kill switch, a strategy reload) bring the next
// periodic checkpoint forward to within 500 ms (several events in that time share one).
void gateway_app::impl::checkpoint_soon() {
    next_checkpoint = std::min(next_checkpoint, clk.now() + std::chrono::milliseconds{500});
}

void gateway_app::impl::on_account(account_update& u) {
    if (orders)
        orders->on_account_update(u);
    balances_on_update(u);
}

// The outcome of recovery or of a retried reconciliation. A failure keeps the gateway up and
// sending nothing; reconciliation is retried with a doubling backoff (1 s .. 30 s) until it works.
void gateway_app::impl::on_recovery(const result<void>& r, std::string_view what) {
    recon_in_flight = false;
    if (!r) {
        start_error = std::string(what) + " failed: " + orders->health().reason;
        if (!orders->restored()) {
            // Restore or replay failed: the state is not there to reconcile; a restart is needed.
            recon_retry_at = time_point{std::numeric_limits<std::int64_t>::max()};
            log->error("OMS {}; the gateway stays up, sends nothing and needs a restart", start_error);
            return;
        }
        recon_backoff = recon_backoff.count() == 0 ? std::chrono::seconds{1}
                                                   : std::min<nanos>(recon_backoff * 2, std::chrono::seconds{30});
        recon_retry_at = clk.now() + recon_backoff;
        log->error("OMS {}; sending nothing, reconciling again in {} ms", start_error,
                   std::chrono::duration_cast<std::chrono::milliseconds>(recon_backoff).count());
        return;
    }
    if (!start_error.empty())
        log->info("OMS {} succeeded after an earlier failure", what);
    start_error.clear();
    recon_backoff = nanos{0};
    on_trading();
}

void gateway_app::impl::on_trading() {
    oms_ready = true;
    fetching_balances = true;
    log->info("reconciliation done: (open orders {}, positions {}); fetching balances", orders->health().open_orders,
              orders->book().positions().size());
    // The balance checks need the free balances before the first order: take the venue's now
    // (the OMS's venue: the fill simulator's account in mode paper).
    observed->account([this](result<std::vector<balance>> r) {
        post(resilience::priority::control, [this, r = std::move(r)] {
            fetching_balances = false;
            if (!r) {
                log->error("account balances: {}; retrying in 1 s", r.error().message());
                retry_balances_at = clk.now() + std::chrono::seconds{1};
                return;
            }
            for (const auto& b : *r)
                report_balance_alerts(balances->set_balance(b));
            begin_trading();
        });
    });
}

void gateway_app::impl::begin_trading() {
    if (trading_started || shutdown_started)
        return;
    trading_started = true;
    log->info("trading");
    strategies_start();
    // Scripts and tests wait for this line (the terminal shows the live status instead).
    if (!status_out) {
        std::printf("{\"event\":\"trading\",\"instance\":\"%s\",\"pid\":%d,\"ops_port\":%u}\n",
                    cfg.base.gateway.instance_id.c_str(), static_cast<int>(::getpid()), ops_port());
        std::fflush(stdout);
    }
}

// ResourceManager: RSS, CPU time and queue depths, read once per tick.
void gateway_app::impl::watch_resources() {
    long pages = 0, resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        std::fclose(f);
    }
    rss_bytes = static_cast<std::uint64_t>(resident) * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                  static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    const auto book_depth_now = proc ? proc->stats()[resilience::priority::book].depth : 0;
    if (resources.update({clk.now(), rss_bytes, cpu_seconds, book_depth_now}))
        log->warn("resources: {} (rss {} MiB, cpu {:.0f}%, book queue {}): now {}",
                  resources.pressure().empty() ? std::string("back under 90% of the limits") : resources.pressure(),
                  rss_bytes >> 20, resources.cpu_percent(), book_depth_now, to_string(resources.stage()));
    if (!resources.conflating_books())
        return;
    // Conflated: each strategy sees the latest valid book once per tick.
    for (auto& [sym, st] : symbols)
        if (st.conflated && st.book->is_valid()) {
            st.conflated = false;
            deliver_book(sym, st, clk.now());
        }
}

void gateway_app::impl::on_tick() {
    const auto now = clk.now();
    watch_resources();
    if (orders)
        orders->on_tick();
    settle_reservations();
    if (!start_error.empty() && !recon_in_flight && !shutdown_started && now >= recon_retry_at) {
        recon_in_flight = true;
        orders->reconcile([this](result<void> r) { on_recovery(r, "reconciliation"); });
    }
    if (oms_ready && !trading_started && !fetching_balances && !shutdown_started && now >= retry_balances_at)
        on_trading();
    for (auto& [sym, st] : symbols)
        if (st.book->check() == binance::book_action::need_snapshot)
            request_snapshot(sym);
    if (trading_started && !shutting_down)
        strategies_on_timer(now);
    strategies_sweep_orders(now);
    if (now >= next_checkpoint && trading_started) {
        next_checkpoint = now + cfg.checkpoint.interval;
        write_checkpoint(false);
    }
    if (status_out && !resources.shedding_telemetry() && now >= next_status) {
        next_status = now + cfg.status.interval;
        print_status();
    }
    // Kill switch engaged: an order answered NEW after it (its placement was in flight), or one whose
    // cancel was refused, is cancelled here, at most once a second, until none is left.
    if (risk_killed() && now >= next_kill_sweep) {
        next_kill_sweep = now + std::chrono::seconds{1};
        if (const auto late = cancel_working_orders(); late != 0)
            log->warn("kill switch: {} more cancel(s) sent (orders answered or cancels refused after the kill)", late);
    }
    if (!shutting_down)
        return;
    // Shutdown: wait (bounded) for the cancels to be answered, then the final checkpoint. Orders
    // whose placement was answered after the shutdown began are cancelled now.
    if (cfg.shutdown.cancel_open_orders)
        if (const auto late = cancel_working_orders(); late != 0)
            log->info("shutdown: {} cancel(s) sent for orders placed while stopping", late);
    // Orders left open on purpose (cancel_open_orders = false) are not waited for: only those whose
    // placement or cancel is still unanswered, so the final checkpoint has their venue state.
    const auto open = !orders                           ? 0
                      : cfg.shutdown.cancel_open_orders ? orders->health().open_orders
                                                        : unanswered_orders();
    if (open == 0 || now >= shutdown_deadline) {
        if (open != 0)
            log->warn("shutdown: {} order(s) still {} after the cancel timeout", open,
                      cfg.shutdown.cancel_open_orders ? "open" : "unanswered");
        shutting_down = false; // once
        write_checkpoint(true);
    }
}

std::size_t gateway_app::impl::cancel_working_orders() {
    // Only NEW and PARTIALLY_FILLED can be cancelled: a placement still in flight is cancelled on a
    // later tick, once its answer made it NEW (a cancel already sent makes it PENDING_CANCEL; a
    // refused one puts it back, so it is sent again).
    std::size_t cancels = 0;
    if (!orders)
        return cancels;
    for (const auto& id : std::vector<client_order_id>(orders->working().begin(), orders->working().end()))
        if (cancel_if_working(id))
            ++cancels;
    return cancels;
}

std::size_t gateway_app::impl::unanswered_orders() const {
    std::size_t n = 0;
    for (const auto& id : orders->working())
        if (const auto* o = orders->find(id);
            !o || (o->status != order_status::new_ && o->status != order_status::partially_filled))
            ++n;
    return n; // an order being looked up (UNKNOWN) is among them
}

bool gateway_app::impl::cancel_if_working(const client_order_id& id) {
    const auto* o = orders ? orders->find(id) : nullptr;
    return o && (o->status == order_status::new_ || o->status == order_status::partially_filled) &&
           orders->cancel(id).has_value();
}

void gateway_app::impl::begin_shutdown(std::string why) {
    if (shutting_down || shutdown_started)
        return;
    shutdown_started = true;
    shutdown_reason = why;
    log->info("shutdown ({}): stopping strategies", why);
    strategies_stop();
    const std::size_t cancels = cfg.shutdown.cancel_open_orders ? cancel_working_orders() : 0;
    // The strategies' own stop may have cancelled some already (the market maker does).
    std::size_t cancelling = 0;
    if (orders)
        for (const auto& id : orders->working())
            if (const auto* o = orders->find(id); o && o->status == order_status::pending_cancel)
                ++cancelling;
    log->info("shutdown: {} cancel(s) sent; {} order(s) being cancelled in all", cancels, cancelling);
    if (db && !db->healthy())
        log->error("shutdown with the database unhealthy ({}): the final checkpoint is attempted, but the state "
                   "after the failure may not be saved",
                   db->health().reason);
    shutting_down = true;
    shutdown_deadline = clk.now() + cfg.shutdown.cancel_timeout;
    if (!orders || !trading_started) {
        shutting_down = false;
        if (orders && db)
            write_checkpoint(true);
        else
            finish();
    }
}

void gateway_app::impl::write_checkpoint(bool final) {
    if (!orders || !db) {
        if (final)
            finish();
        return;
    }
    strategies_save_states();
    // The OMS's sections plus, in mode paper, the paper account.
    db->write_checkpoint(checkpoint_sections(), [this, final](result<db::checkpoint_report> r) {
        // On the db thread: count it and, for the final one, let run() return.
        if (!r) {
            ++checkpoint_failures_atomic;
            if (log)
                log->error("{}checkpoint failed: {}", final ? "final " : "", r.error().message());
        } else {
            ++checkpoints_atomic;
        }
        if (final) {
            // run() reads these after finish() (done_mutex orders the accesses).
            final_checkpoint_failed = !r;
            if (!r)
                final_checkpoint = "final checkpoint failed: " + r.error().message();
            else
                final_checkpoint = "final checkpoint " + std::to_string(r->seq) + " written to " +
                                   std::to_string(r->written) + " of " + std::to_string(r->written + r->failed.size()) +
                                   " replica file(s)";
            finish();
        }
    });
}

} // namespace genesis::gateway::runtime
