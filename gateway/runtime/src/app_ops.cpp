// gateway_app's ops endpoint answers (processing thread): /healthz, /metrics (Prometheus text
// exposition 0.0.4), /status, /kill and /strategies/NAME/reload.
#include "app_impl.hpp"

#include "genesis/gateway/ops/prometheus.hpp"
#include "genesis/log/logger.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace genesis::gateway::runtime {

namespace {

// Writes one family at a time: HELP and TYPE once, then its samples.
class prom {
    std::ostringstream o_;

    static std::string escape(std::string_view v) { return ops::escape_label_value(v); }

public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        o_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << "\n";
    }
    void sample(std::string_view name, std::initializer_list<std::pair<std::string_view, std::string>> labels,
                double value) {
        o_ << name;
        if (labels.size()) {
            o_ << '{';
            bool first = true;
            for (const auto& [k, v] : labels) {
                o_ << (first ? "" : ",") << k << "=\"" << escape(v) << '"';
                first = false;
            }
            o_ << '}';
        }
        char buf[64];
        if (value == static_cast<double>(static_cast<std::int64_t>(value)) && value < 9e15 && value > -9e15)
            std::snprintf(buf, sizeof buf, "%" PRId64, static_cast<std::int64_t>(value));
        else
            std::snprintf(buf, sizeof buf, "%.17g", value);
        o_ << ' ' << buf << "\n";
    }
    void sample(std::string_view name, double value) { sample(name, {}, value); }
    // A histogram from a log2 snapshot: cumulative buckets at powers of two (seconds).
    void histogram(std::string_view name, const resilience::histogram_snapshot& h,
                   std::initializer_list<std::pair<std::string_view, std::string>> labels = {}) {
        std::uint64_t cum = 0;
        std::string base(name);
        for (std::size_t i = 0; i < h.buckets.size(); ++i) {
            cum += h.buckets[i];
            // Buckets from 1 us to ~68 s are written; the rest fold into neighbours.
            if (i < 10 || i > 36)
                continue;
            const double le = static_cast<double>((std::uint64_t{1} << i) - 1) / 1e9;
            char lb[32];
            std::snprintf(lb, sizeof lb, "%.9g", le);
            std::ostringstream l;
            o_ << base << "_bucket{";
            for (const auto& [k, v] : labels)
                o_ << k << "=\"" << escape(v) << "\",";
            o_ << "le=\"" << lb << "\"} " << cum << "\n";
        }
        o_ << base << "_bucket{";
        for (const auto& [k, v] : labels)
            o_ << k << "=\"" << escape(v) << "\",";
        o_ << "le=\"+Inf\"} " << h.count << "\n";
        sample(base + "_sum", labels, static_cast<double>(h.sum_ns) / 1e9);
        sample(base + "_count", labels, static_cast<double>(h.count));
    }
    std::string str() const { return o_.str(); }
};

double to_double(decimal d) { return static_cast<double>(d.raw()) / 1e8; } // display only, never money math

} // namespace

std::string gateway_app::impl::metrics_text() const {
    prom p;
    // Market data.
    if (market) {
        const auto s = market->stats();
        p.family("genesis_ws_frames_total", "counter", "WebSocket data frames received.");
        p.sample("genesis_ws_frames_total", {{"feed", "market"}}, static_cast<double>(s.frames));
        if (user)
            p.sample("genesis_ws_frames_total", {{"feed", "user"}}, static_cast<double>(user->stats().frames));
        p.family("genesis_decode_errors_total", "counter", "Malformed frames counted and skipped.");
        p.sample("genesis_decode_errors_total", {{"feed", "market"}}, static_cast<double>(s.decode_errors));
        if (user)
            p.sample("genesis_decode_errors_total", {{"feed", "user"}},
                     static_cast<double>(user->stats().decode_errors));
        p.family("genesis_ws_reconnects_total", "counter", "WebSocket reconnects after a loss.");
        p.sample("genesis_ws_reconnects_total", {{"feed", "market"}}, static_cast<double>(s.reconnects));
        if (user)
            p.sample("genesis_ws_reconnects_total", {{"feed", "user"}}, static_cast<double>(user->stats().reconnects));
        if (ws_orders)
            p.sample("genesis_ws_reconnects_total", {{"feed", "orders"}},
                     static_cast<double>(ws_orders->stats().reconnects));
    }
    if (streams_budget) {
        const std::pair<const char*, const ws::reconnect_budget*> budgets[] = {{"streams", streams_budget.get()},
                                                                               {"ws_api", ws_api_budget.get()}};
        p.family("genesis_ws_reconnect_budget_used", "gauge",
                 "WebSocket reconnects to the listener in the last [venue] reconnect_window_ms.");
        for (const auto& [listener, b] : budgets)
            if (b)
                p.sample("genesis_ws_reconnect_budget_used", {{"listener", listener}},
                         static_cast<double>(b->used(clk.now())));
        p.family("genesis_ws_reconnect_budget_capacity", "gauge",
                 "WebSocket reconnects to the listener allowed per window ([venue] reconnect_budget); more wait.");
        for (const auto& [listener, b] : budgets)
            if (b)
                p.sample("genesis_ws_reconnect_budget_capacity", {{"listener", listener}},
                         static_cast<double>(b->capacity()));
        p.family("genesis_ws_reconnect_budget_waits_total", "counter",
                 "Times a session's reconnect waited for its listener's reconnect budget.");
        if (market)
            p.sample("genesis_ws_reconnect_budget_waits_total", {{"feed", "market"}},
                     static_cast<double>(market->stats().budget_waits));
        if (user)
            p.sample("genesis_ws_reconnect_budget_waits_total", {{"feed", "user"}},
                     static_cast<double>(user->stats().budget_waits));
        if (ws_orders)
            p.sample("genesis_ws_reconnect_budget_waits_total", {{"feed", "orders"}},
                     static_cast<double>(ws_orders->stats().budget_waits));
    }
    if (ws_orders) {
        const auto s = ws_orders->stats();
        p.family("genesis_ws_order_entry_total", "counter",
                 "Order entry by WebSocket API frame ([venue] order_entry = \"ws\"), by outcome.");
        const std::pair<const char*, std::uint64_t> kinds[] = {
            {"placements", s.placements},   {"cancels", s.cancels},           {"refused", s.refused},
            {"not_sent", s.not_sent},       {"unknown", s.unknown},           {"timeouts", s.timeouts},
            {"bad_answers", s.bad_answers}, {"late_answers", s.late_answers}, {"rate_limited", s.rate_limited},
            {"throttled", s.throttled},     {"breaker_open", s.breaker_open}, {"clock_rejects", s.clock_rejects},
            {"time_syncs", s.time_syncs},   {"rotations", s.rotations},       {"retired_answers", s.retired_answers}};
        for (const auto& [kind, n] : kinds)
            p.sample("genesis_ws_order_entry_total", {{"kind", kind}}, static_cast<double>(n));
        p.family("genesis_ws_order_entry_pending", "gauge", "Order entry requests waiting for their answer.");
        p.sample("genesis_ws_order_entry_pending", {}, static_cast<double>(s.pending));
    }
    if (http) {
        const auto l = http->limiter_stats();
        p.family("genesis_rest_rate_limit_answers_total", "counter",
                 "429 and 418 answers from the venue, REST and WebSocket API order entry (every request then "
                 "paused for Retry-After).");
        p.sample("genesis_rest_rate_limit_answers_total", {{"status", "429"}}, static_cast<double>(l.responses_429));
        p.sample("genesis_rest_rate_limit_answers_total", {{"status", "418"}}, static_cast<double>(l.responses_418));
        p.family("genesis_rest_rate_limit_refusals_total", "counter",
                 "Requests held back by the gateway's rate limiter without being sent.");
        p.sample("genesis_rest_rate_limit_refusals_total", {{"reason", "paused"}}, static_cast<double>(l.paused));
        p.sample("genesis_rest_rate_limit_refusals_total", {{"reason", "throttled"}}, static_cast<double>(l.throttled));
        // Placements the venue's order counts (ORDERS per 10 s and per day) left no room for, by
        // either order entry.
        p.sample("genesis_rest_rate_limit_refusals_total", {{"reason", "orders"}},
                 static_cast<double>(http->orders().refused()));
        p.family("genesis_venue_orders_used", "gauge",
                 "Orders counted in the venue's current ORDERS windows (ours, or the venue's count when higher).");
        p.sample("genesis_venue_orders_used", {{"window", "10s"}}, static_cast<double>(http->orders().used_10s()));
        p.sample("genesis_venue_orders_used", {{"window", "1d"}}, static_cast<double>(http->orders().used_1d()));
        p.family("genesis_venue_orders_limit", "gauge", "The venue's ORDERS limits (exchangeInfo, the answers).");
        p.sample("genesis_venue_orders_limit", {{"window", "10s"}}, static_cast<double>(http->orders().limit_10s()));
        p.sample("genesis_venue_orders_limit", {{"window", "1d"}}, static_cast<double>(http->orders().limit_1d()));
        const auto ps = http->endpoints().total_stats();
        p.family("genesis_rest_connections_opened_total", "counter",
                 "REST connections (TCP+TLS) opened: by a request that found none idle, or warm, ahead of need.");
        p.sample("genesis_rest_connections_opened_total", {{"by", "request"}},
                 static_cast<double>(ps.connects - std::min(ps.connects, ps.warm_connects)));
        p.sample("genesis_rest_connections_opened_total", {{"by", "warm"}}, static_cast<double>(ps.warm_connects));
        p.family("genesis_rest_connection_reuses_total", "counter", "Requests sent on a kept-alive connection.");
        p.sample("genesis_rest_connection_reuses_total", static_cast<double>(ps.reuses));
        p.family("genesis_rest_connections_closed_total", "counter",
                 "REST connections closed: after an error or Connection: close, found closed by the server, or "
                 "renewed before the server's idle limit.");
        p.sample("genesis_rest_connections_closed_total", {{"reason", "discarded"}}, static_cast<double>(ps.discarded));
        p.sample("genesis_rest_connections_closed_total", {{"reason", "expired"}}, static_cast<double>(ps.expired));
        p.sample("genesis_rest_connections_closed_total", {{"reason", "renewed"}}, static_cast<double>(ps.renewed));
        p.family("genesis_rest_warm_connect_failures_total", "counter", "Warm connections that could not be opened.");
        p.sample("genesis_rest_warm_connect_failures_total", static_cast<double>(ps.warm_failures));
        p.family("genesis_rest_connection_waits_total", "counter",
                 "Requests that waited for a connection at the per-host cap.");
        p.sample("genesis_rest_connection_waits_total", static_cast<double>(ps.waits));
        p.family("genesis_rest_connections", "gauge", "REST connections open now, and of those idle.");
        p.sample("genesis_rest_connections", {{"state", "open"}}, static_cast<double>(ps.open));
        p.sample("genesis_rest_connections", {{"state", "idle"}}, static_cast<double>(ps.idle));
    }
    p.family("genesis_book_gaps_total", "counter", "Diff-depth gaps detected (U beyond book id + 1).");
    for (const auto& [sym, st] : symbols)
        p.sample("genesis_book_gaps_total", {{"symbol", sym.str()}}, static_cast<double>(st.book->stats().gaps));
    p.family("genesis_book_resyncs_total", "counter", "Books discarded and resynced from a snapshot.");
    for (const auto& [sym, st] : symbols)
        p.sample("genesis_book_resyncs_total", {{"symbol", sym.str()}}, static_cast<double>(st.book->stats().resyncs));
    p.family("genesis_book_updates_total", "counter", "Diffs applied to the book.");
    for (const auto& [sym, st] : symbols)
        p.sample("genesis_book_updates_total", {{"symbol", sym.str()}}, static_cast<double>(st.book->stats().applied));
    p.family("genesis_book_age_seconds", "gauge", "Time since the book's last applied update.");
    for (const auto& [sym, st] : symbols)
        p.sample("genesis_book_age_seconds", {{"symbol", sym.str()}},
                 std::chrono::duration<double>(st.book->age()).count());
    p.family("genesis_book_valid", "gauge", "1 when the book is in sync and may be traded on.");
    for (const auto& [sym, st] : symbols)
        p.sample("genesis_book_valid", {{"symbol", sym.str()}}, st.book->is_valid() ? 1 : 0);
    p.family("genesis_trades_total", "counter", "Public trades received (duplicates excluded).");
    for (const auto& [sym, st] : symbols)
        p.sample("genesis_trades_total", {{"symbol", sym.str()}}, static_cast<double>(st.trades));

    // Breakers and the executor.
    if (exec) {
        const auto all_breakers = breakers();
        p.family("genesis_breaker_state", "gauge", "Circuit breaker state: 1 for the current state.");
        for (const auto& e : all_breakers)
            for (auto s : {resilience::breaker_state::closed, resilience::breaker_state::open,
                           resilience::breaker_state::half_open, resilience::breaker_state::eternal})
                p.sample("genesis_breaker_state",
                         {{"endpoint", e.name}, {"state", std::string(resilience::to_string(s))}},
                         e.breaker->state() == s ? 1 : 0);
        p.family("genesis_breaker_failures_total", "counter", "Failures recorded by the breaker.");
        for (const auto& e : all_breakers)
            p.sample("genesis_breaker_failures_total", {{"endpoint", e.name}},
                     static_cast<double>(e.breaker->stats().failures));
        p.family("genesis_breaker_transitions_total", "counter", "State transitions of the breaker.");
        for (const auto& e : all_breakers)
            p.sample("genesis_breaker_transitions_total", {{"endpoint", e.name}},
                     static_cast<double>(e.breaker->stats().transitions));
        const auto es = exec->stats();
        p.family("genesis_executor_attempts_total", "counter", "Attempts sent by the executor, by kind.");
        p.sample("genesis_executor_attempts_total", {{"kind", "primary"}}, static_cast<double>(es.primaries));
        p.sample("genesis_executor_attempts_total", {{"kind", "parallel"}}, static_cast<double>(es.parallel_extras));
        p.sample("genesis_executor_attempts_total", {{"kind", "hedge"}}, static_cast<double>(es.hedges));
        p.family("genesis_executor_budget_refusals_total", "counter", "Extra attempts refused by the hedge budget.");
        p.sample("genesis_executor_budget_refusals_total", static_cast<double>(es.budget_refusals));
        p.family("genesis_executor_unknown_outcomes_total", "counter", "Non-idempotent calls whose answer was lost.");
        p.sample("genesis_executor_unknown_outcomes_total", static_cast<double>(es.unknown_outcomes));
        p.family("genesis_executor_probes_total", "counter", "Recovery probes sent to degraded endpoints.");
        p.sample("genesis_executor_probes_total", static_cast<double>(es.probes));
        p.family("genesis_executor_late_probe_answers_total", "counter",
                 "Probes that answered within their grace, after another attempt had won the call.");
        p.sample("genesis_executor_late_probe_answers_total", static_cast<double>(es.late_probe_answers));
    }
    // The predictor, per (endpoint, operation) window: what it expects and how many attempts it plans.
    {
        const auto windows = predictor.windows();
        p.family("genesis_predictor_success_probability", "gauge",
                 "Predicted probability that the next call succeeds (latency band x success rate).");
        for (const auto& w : windows)
            p.sample("genesis_predictor_success_probability", {{"endpoint", w.endpoint}, {"operation", w.operation}},
                     predictor.success_probability(w.endpoint, w.operation));
        p.family("genesis_predictor_attempts", "gauge", "Parallel attempts an idempotent call would get now (1-3).");
        for (const auto& w : windows)
            p.sample("genesis_predictor_attempts", {{"endpoint", w.endpoint}, {"operation", w.operation}},
                     static_cast<double>(predictor.attempts(w.endpoint, w.operation)));
        p.family("genesis_predictor_latency_seconds", "gauge", "Latency percentiles of the predictor's window.");
        for (const auto& w : windows)
            if (const auto pc = predictor.percentiles(w.endpoint, w.operation))
                for (const auto& [q, v] :
                     {std::pair{"p50", pc->p50}, std::pair{"p95", pc->p95}, std::pair{"p99", pc->p99}})
                    p.sample("genesis_predictor_latency_seconds",
                             {{"endpoint", w.endpoint}, {"operation", w.operation}, {"percentile", q}},
                             static_cast<double>(v.count()) / 1e9);
        p.family("genesis_predictor_samples", "gauge", "Samples in the predictor's window.");
        for (const auto& w : windows)
            p.sample("genesis_predictor_samples", {{"endpoint", w.endpoint}, {"operation", w.operation}},
                     static_cast<double>(w.samples.size()));
    }

    // Queues.
    if (proc) {
        const auto ps = proc->stats();
        p.family("genesis_queue_depth", "gauge", "Events queued per priority.");
        for (std::size_t i = 0; i < resilience::priority_levels; ++i)
            p.sample("genesis_queue_depth", {{"priority", "P" + std::to_string(i)}},
                     static_cast<double>(ps.levels[i].depth));
        p.family("genesis_queue_drops_total", "counter", "Events dropped on overflow per priority (P2-P4 only).");
        for (std::size_t i = 0; i < resilience::priority_levels; ++i)
            p.sample("genesis_queue_drops_total", {{"priority", "P" + std::to_string(i)}},
                     static_cast<double>(ps.levels[i].drops));
        p.family("genesis_queue_waits_total", "counter", "Producer waits for space per priority (P0-P1 only).");
        for (std::size_t i = 0; i < resilience::priority_levels; ++i)
            p.sample("genesis_queue_waits_total", {{"priority", "P" + std::to_string(i)}},
                     static_cast<double>(ps.levels[i].waits));
        p.family("genesis_queue_push_failures_total", "counter", "Events the processor refused (stopping).");
        p.sample("genesis_queue_push_failures_total", {}, static_cast<double>(push_failures.load()));
        p.family("genesis_queue_self_overflow_total", "counter",
                 "Events the processing thread posted to itself on a full P0/P1 level, run after the current one.");
        p.sample("genesis_queue_self_overflow_total", {}, static_cast<double>(overflowed.load()));
        p.family("genesis_queue_wait_seconds", "histogram", "Enqueue-to-handler time of sampled events.");
        p.histogram("genesis_queue_wait_seconds", ps.queue_wait);
    }

    // Orders.
    p.family("genesis_tick_to_order_seconds", "histogram",
             "From the market-data frame that triggered a decision to the order's hand-off to the I/O thread.");
    p.histogram("genesis_tick_to_order_seconds", tick_to_order.snapshot());
    p.family("genesis_order_round_trip_seconds", "histogram", "From placement hand-off to the venue's first answer.");
    p.histogram("genesis_order_round_trip_seconds", order_rtt.snapshot());
    if (orders) {
        const auto& s = orders->stats();
        p.family("genesis_orders_total", "counter", "Orders by outcome.");
        p.sample("genesis_orders_total", {{"outcome", "submitted"}}, static_cast<double>(s.submitted));
        p.sample("genesis_orders_total", {{"outcome", "refused"}}, static_cast<double>(s.refused));
        p.sample("genesis_orders_total", {{"outcome", "rejected"}}, static_cast<double>(s.rejected));
        p.sample("genesis_orders_total", {{"outcome", "unknown"}}, static_cast<double>(s.unknown_outcomes));
        p.family("genesis_orders_by_status", "gauge", "Tracked orders by status.");
        std::map<std::string, std::size_t> by;
        for (const auto& [id, o] : orders->orders())
            ++by[std::string(to_string(o.status))];
        for (const auto& [st, n] : by)
            p.sample("genesis_orders_by_status", {{"status", st}}, static_cast<double>(n));
        if (paper_sim) {
            // Mode paper: what the fill simulator did (nothing of it reached the exchange).
            const auto& ps = paper_sim->stats();
            p.family("genesis_paper_orders_total", "counter", "Paper orders by outcome (mode paper).");
            p.sample("genesis_paper_orders_total", {{"outcome", "accepted"}}, static_cast<double>(ps.placed));
            p.sample("genesis_paper_orders_total", {{"outcome", "rejected"}}, static_cast<double>(ps.rejected));
            p.sample("genesis_paper_orders_total", {{"outcome", "canceled"}}, static_cast<double>(ps.canceled));
            p.sample("genesis_paper_orders_total", {{"outcome", "expired"}}, static_cast<double>(ps.expired));
            p.family("genesis_paper_fills_total", "counter", "Paper fills by liquidity (mode paper).");
            p.sample("genesis_paper_fills_total", {{"liquidity", "maker"}}, static_cast<double>(ps.maker_fills));
            p.sample("genesis_paper_fills_total", {{"liquidity", "taker"}}, static_cast<double>(ps.taker_fills));
        }
        p.family("genesis_fills_total", "counter", "Fills applied (duplicates excluded).");
        p.sample("genesis_fills_total", static_cast<double>(s.fills));
        p.family("genesis_duplicate_fills_total", "counter", "Fills ignored as duplicates.");
        p.sample("genesis_duplicate_fills_total", static_cast<double>(s.duplicate_fills));
        p.family("genesis_invalid_transitions_total", "counter", "Impossible order updates refused.");
        p.sample("genesis_invalid_transitions_total", static_cast<double>(s.invalid_transitions));
        p.family("genesis_stale_reports_total", "counter",
                 "Order reports overtaken by a newer one from another channel, ignored.");
        p.sample("genesis_stale_reports_total", static_cast<double>(s.stale_reports));
        p.family("genesis_position", "gauge", "Position in base units (display; money is never a double inside).");
        for (const auto& [sym, pos] : orders->book().positions())
            p.sample("genesis_position", {{"symbol", sym.str()}}, to_double(pos.quantity));
        p.family("genesis_realized_pnl", "gauge", "Realized PnL in the quote asset, before commissions (display).");
        for (const auto& [sym, pos] : orders->book().positions())
            p.sample("genesis_realized_pnl", {{"symbol", sym.str()}}, to_double(pos.realized_pnl));
    }
    p.family("genesis_risk_rejections_total", "counter", "Orders refused by the pre-trade checks, by reason.");
    risk_metrics([&](std::string_view reason, std::uint64_t n) {
        p.sample("genesis_risk_rejections_total", {{"reason", std::string(reason)}}, static_cast<double>(n));
    });
    p.family("genesis_balance_alerts_total", "counter",
             "Times an asset's total fell below its [balances] alert_below threshold.");
    p.sample("genesis_balance_alerts_total", balances ? static_cast<double>(balances->stats().alerts) : 0.0);
    p.family("genesis_balance_below_threshold", "gauge", "1 while the asset's total is below its alert threshold.");
    if (balances)
        for (const auto& b : balances->below())
            p.sample("genesis_balance_below_threshold", {{"asset", b.name.str()}}, 1.0);
    p.family("genesis_checkpoints_total", "counter", "Checkpoints written, by outcome.");
    p.sample("genesis_checkpoints_total", {{"outcome", "ok"}}, static_cast<double>(checkpoints_atomic.load()));
    p.sample("genesis_checkpoints_total", {{"outcome", "failed"}},
             static_cast<double>(checkpoint_failures_atomic.load()));
    p.family("genesis_process_resident_memory_bytes", "gauge", "Resident set size.");
    p.sample("genesis_process_resident_memory_bytes", static_cast<double>(rss_bytes));
    p.family("genesis_process_cpu_seconds_total", "counter", "User + system CPU time.");
    p.sample("genesis_process_cpu_seconds_total", cpu_seconds);
    p.family("genesis_resource_stage", "gauge",
             "ResourceManager stage: 0 normal, 1 telemetry shed, 2 book updates conflated (never orders).");
    p.sample("genesis_resource_stage", static_cast<double>(resources.stage()));
    p.family("genesis_book_updates_conflated_total", "counter",
             "Book updates to strategies merged by the ResourceManager.");
    p.sample("genesis_book_updates_conflated_total", static_cast<double>(conflated_updates));
    p.family("genesis_health", "gauge", "Overall health: 0 GREEN, 1 DEGRADED, 2 HALTED.");
    p.sample("genesis_health", static_cast<double>(health().overall));
    return p.str();
}

ops_answer gateway_app::impl::answer(const std::string& method, const std::string& path) {
    if (path == "/healthz" && method == "GET") {
        const auto h = health();
        std::string body = std::string(to_string(h.overall)) + "\n";
        for (const auto& r : h.reasons)
            body += r + "\n";
        // DEGRADED still serves: only HALTED is unhealthy for a load balancer or a supervisor.
        return {h.overall == health_level::halted ? 503u : 200u, "text/plain; charset=utf-8", std::move(body)};
    }
    if (path == "/metrics" && method == "GET")
        return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_text()};
    if (path == "/status" && method == "GET")
        return {200, "application/json", status_json()};
    if (path == "/kill" && method == "POST") {
        kill_switch("ops endpoint");
        return {200, "application/json", "{\"killed\":true}"};
    }
    const std::string prefix = "/strategies/", suffix = "/reload";
    if (method == "POST" && path.starts_with(prefix) && path.ends_with(suffix) &&
        path.size() > prefix.size() + suffix.size()) {
        const auto name = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
        if (!host || !host->id_of(name))
            return {404, "application/json", "{\"error\":" + json_quote("no strategy named " + name) + "}"};
        auto r = host->reload(name);
        if (!r)
            return {500, "application/json",
                    "{\"error\":\"reload failed\",\"reason\":" + json_quote(host->last_error()) + "}"};
        log->info("strategy {} reloaded (ops endpoint)", name);
        checkpoint_soon();
        return {200, "application/json", "{\"reloaded\":" + json_quote(name) + "}"};
    }
    return {404, "text/plain", "not found\n"};
}

void gateway_app::impl::kill_switch(std::string why) {
    if (risk_killed()) {
        log->warn("kill switch ({}): already engaged ({})", why, risk_kill_reason());
        return;
    }
    risk_kill(why);
    save_kill_switch(why);
    // Placements still in flight, and cancels the venue refused, are swept on later ticks.
    const std::size_t n = cancel_working_orders();
    log->warn("KILL SWITCH ({}): trading halted, {} cancel(s) sent", why, n);
    checkpoint_soon();
}

// The kill switch outlives the process: a supervisor that restarts a killed gateway must not
// bring it back trading. Only a start with --clear-kill releases it.
void gateway_app::impl::save_kill_switch(const std::string& reason) {
    if (!db)
        return;
    db->save_snapshot("risk.kill", ++kill_version, kill_bytes_of(reason), [this](result<void> r) {
        if (!r && log)
            log->error("kill switch: could not save it (a restart would release it): {}", r.error().message());
    });
}

void gateway_app::impl::restore_kill_switch() {
    auto snap = db->load_snapshot("risk.kill");
    if (!snap) {
        log->error("kill switch: cannot read its saved state ({}): starting without it", snap.error().message());
        return;
    }
    std::string reason;
    if (*snap && !(*snap)->bytes.empty()) {
        kill_version = (*snap)->version;
        reason = kill_reason_of(**snap); // mode sim's carried kill switch too (carry_kill_switch)
    }
    if (reason.empty())
        return;
    if (cfg.clear_kill) {
        log->warn("kill switch engaged before this start ({}) released by --clear-kill", reason);
        save_kill_switch({});
        return;
    }
    risk_kill("engaged before the restart (" + reason + "); start with --clear-kill to trade again");
    log->error("kill switch engaged before the restart ({}): trading stays halted and every open order is cancelled; "
               "start with --clear-kill to trade again",
               reason);
}

} // namespace genesis::gateway::runtime
