// gateway_app's StateMonitor (health per component, overall GREEN / DEGRADED / HALTED), the
// /status JSON and the live terminal status. Processing thread.
#include "app_impl.hpp"

#include "genesis/log/logger.hpp"

#include <cstdio>
#include <sstream>

namespace genesis::gateway::runtime {

namespace {

void add(health_report& h, std::string name, health_level level, std::string reason) {
    if (level != health_level::green)
        h.reasons.push_back(name + ": " + reason);
    if (level > h.overall)
        h.overall = level;
    h.components.push_back({std::move(name), level, std::move(reason)});
}

std::string json_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += c;
            }
        }
    }
    return out;
}

} // namespace

std::string json_quote(std::string_view s) { return "\"" + json_escape(s) + "\""; }

health_report gateway_app::impl::health() const {
    health_report h;
    // Orders: the OMS and its database.
    if (orders) {
        const auto oh = orders->health();
        if (!start_error.empty())
            add(h, "oms", health_level::halted, start_error);
        else if (!oh.db_healthy)
            add(h, "oms", health_level::halted, oh.reason); // "journal: <storage failure>; ..."
        else if (oh.state == oms_state::halted)
            add(h, "oms", health_level::halted, oh.reason);
        else if (oh.state != oms_state::trading)
            add(h, "oms", health_level::degraded, std::string("state ") + std::string(to_string(oh.state)));
        else if (oh.unknown_orders > 0)
            add(h, "oms", health_level::degraded, std::to_string(oh.unknown_orders) + " order(s) with unknown outcome");
        else
            add(h, "oms", health_level::green, "trading");
    }
    // The database's replica files: a degraded one is not written until it is re-seeded (after the
    // next checkpoint); the primary's failures already halt the OMS above.
    if (db)
        for (const auto& r : db->replicas())
            add(h, "db.replica." + std::to_string(r.index), r.degraded ? health_level::degraded : health_level::green,
                r.degraded ? r.path.string() + ": " + r.reason : "checkpoint " + std::to_string(r.checkpoint_seq));
    if (resources.stage() != resource_stage::normal)
        add(h, "resources", health_level::degraded,
            std::string(to_string(resources.stage())) +
                (resources.pressure().empty() ? std::string() : ": " + resources.pressure()));
    if (shutdown_started)
        add(h, "gateway", health_level::halted, "stopping (" + shutdown_reason + ")");
    if (risk_killed())
        add(h, "risk", health_level::halted, "kill switch: " + risk_kill_reason());
    // [balances] alert_below: an asset under its threshold is DEGRADED until it is back above.
    if (balances)
        for (const auto& b : balances->below())
            add(h, "balance." + b.name.str(), health_level::degraded,
                "total " + b.total.to_string() + " below " + b.threshold.to_string());
    // Feeds.
    if (market) {
        const auto s = market->state();
        add(h, "market_feed", s == feed_state::open ? health_level::green : health_level::degraded,
            std::string(to_string(s)));
    }
    if (user) {
        const auto s = user->state();
        const bool ok = s == feed_state::open && user->subscribed();
        add(h, "user_feed", ok ? health_level::green : health_level::degraded,
            ok ? "subscribed" : std::string(to_string(s)) + (user->subscribed() ? "" : ", not subscribed"));
    }
    // The venue's reconnect budgets: spent, a session that loses its connection waits for it.
    const auto budget_health = [&](const char* name, const ws::reconnect_budget& b, const char* whose) {
        const auto used = b.used(clk.now());
        const auto cap = b.capacity();
        const auto window_s = std::chrono::duration_cast<std::chrono::seconds>(b.window()).count();
        add(h, name, used >= cap ? health_level::degraded : health_level::green,
            std::to_string(used) + " of " + std::to_string(cap) + " reconnects in the last " +
                std::to_string(window_s) + " s" + (used >= cap ? std::string(": ") + whose + " is spent" : ""));
    };
    if (streams_budget)
        budget_health("ws_reconnects", *streams_budget, "the streams' reconnect budget");
    if (ws_api_budget)
        budget_health("ws_api_reconnects", *ws_api_budget, "the WebSocket API's reconnect budget");
    // Order entry by WebSocket API frame: without its connection, placements are not sent.
    if (ws_orders)
        add(h, "order_entry", ws_orders->ready() ? health_level::green : health_level::degraded,
            ws_orders->ready() ? "WebSocket API open" : "WebSocket API not connected: orders are not sent");
    // Books.
    for (const auto& [sym, st] : symbols) {
        const auto& b = *st.book;
        if (b.is_valid())
            add(h, "book." + sym.str(), health_level::green, "valid");
        else
            add(h, "book." + sym.str(), health_level::degraded,
                std::string(binance::to_string(b.state())) + " (" + std::string(binance::to_string(b.reason())) + ")");
    }
    // Breakers.
    if (exec) {
        for (const auto& e : breakers()) {
            const auto s = e.breaker->state();
            add(h, "breaker." + e.name,
                s == resilience::breaker_state::closed ? health_level::green : health_level::degraded,
                std::string(resilience::to_string(s)));
        }
    }
    // The venue's request limits: during a 429 pause or a 418 ban nothing is sent (an order is
    // refused, certainly not sent; a query or cancel waits for the end).
    if (http) {
        const auto& l = http->limits();
        const auto left = l.paused_until() - clk.now();
        if (left > nanos{0})
            add(h, "rate_limit", health_level::degraded,
                std::string(l.banned() ? "IP banned by the venue (418)" : "paused by the venue (429)") +
                    " for another " + std::to_string(std::chrono::ceil<std::chrono::seconds>(left).count()) +
                    " s: orders are not sent");
        else
            add(h, "rate_limit", health_level::green,
                "request weight " + std::to_string(l.used()) + " of " + std::to_string(l.threshold()) + " this minute");
    }
    // Queues.
    if (proc) {
        const auto ps = proc->stats();
        const auto drops = ps[resilience::priority::book].drops + ps[resilience::priority::trades].drops;
        add(h, "processor", drops ? health_level::degraded : health_level::green,
            drops ? std::to_string(drops) + " market data event(s) dropped (books resynced)" : "ok");
    }
    return h;
}

std::string gateway_app::impl::status_json() const {
    std::ostringstream o;
    const auto h = health();
    o << "{\"mode\":" << json_quote(config::to_string(cfg.base.gateway.mode))
      << ",\"instance\":" << json_quote(cfg.base.gateway.instance_id)
      << ",\"health\":" << json_quote(to_string(h.overall)) << ",\"reasons\":[";
    for (std::size_t i = 0; i < h.reasons.size(); ++i)
        o << (i ? "," : "") << json_quote(h.reasons[i]);
    o << "],\"components\":[";
    for (std::size_t i = 0; i < h.components.size(); ++i)
        o << (i ? "," : "") << "{\"name\":" << json_quote(h.components[i].name)
          << ",\"health\":" << json_quote(to_string(h.components[i].level))
          << ",\"reason\":" << json_quote(h.components[i].reason) << "}";
    o << "],\"symbols\":[";
    bool first = true;
    for (const auto& [sym, st] : symbols) {
        o << (first ? "" : ",") << "{\"symbol\":" << json_quote(sym.str())
          << ",\"book_valid\":" << (st.book->is_valid() ? "true" : "false") << ",\"update_id\":" << st.book->update_id()
          << ",\"book_age_ms\":" << std::chrono::duration_cast<std::chrono::milliseconds>(st.book->age()).count();
        if (auto b = st.book->best_bid())
            o << ",\"bid\":" << json_quote(b->price.to_string());
        if (auto a = st.book->best_ask())
            o << ",\"ask\":" << json_quote(a->price.to_string());
        if (orders) {
            if (const auto* p = orders->book().find(sym))
                o << ",\"position\":" << json_quote(p->quantity.to_string())
                  << ",\"avg_cost\":" << json_quote(p->average_cost.to_string())
                  << ",\"realized_pnl\":" << json_quote(p->realized_pnl.to_string());
        }
        o << ",\"trades\":" << st.trades << "}";
        first = false;
    }
    o << "]";
    if (orders) {
        const auto& s = orders->stats();
        const auto oh = orders->health();
        o << ",\"orders\":{\"open\":" << oh.open_orders << ",\"unknown\":" << oh.unknown_orders
          << ",\"submitted\":" << s.submitted << ",\"rejected\":" << s.rejected << ",\"fills\":" << s.fills
          << ",\"duplicate_fills\":" << s.duplicate_fills << ",\"state\":" << json_quote(to_string(oh.state)) << "}";
        o << ",\"balances\":{";
        bool f = true;
        for (const auto& [a, v] : orders->book().balances()) {
            o << (f ? "" : ",") << json_quote(a.str()) << ":" << json_quote(v.to_string());
            f = false;
        }
        o << "}";
    }
    o << ",\"strategies\":" << strategies_json();
    // The terminal status block, when shown: blocks written whole, and blocks replaced by a newer
    // one before the terminal took them (it stopped reading: Ctrl-S, a stalled session).
    if (status_out)
        o << ",\"terminal\":{\"written\":" << status_out->written() << ",\"skipped\":" << status_out->skipped() << "}";
    o << ",\"checkpoints\":" << checkpoints_atomic.load() << "}";
    return o.str();
}

void gateway_app::impl::print_status() {
    std::ostringstream o;
    const auto h = health();
    unsigned lines = 0;
    const auto oh = orders ? orders->health() : oms_health{};
    const auto fills = orders ? orders->stats().fills : 0;
    o << "genesis-gateway " << config::to_string(cfg.base.gateway.mode) << "  health " << to_string(h.overall)
      << "  open orders " << oh.open_orders << "  fills " << fills << "\n";
    ++lines;
    for (const auto& [sym, st] : symbols) {
        const auto b = st.book->best_bid();
        const auto a = st.book->best_ask();
        const auto* p = orders ? orders->book().find(sym) : nullptr;
        o << "  " << sym.str() << "  bid " << (b ? b->price.to_string() : "-") << "  ask "
          << (a ? a->price.to_string() : "-") << "  book " << (st.book->is_valid() ? "valid" : "INVALID") << " age "
          << std::chrono::duration_cast<std::chrono::milliseconds>(st.book->age()).count() << " ms  pos "
          << (p ? p->quantity.to_string() : "0") << "  pnl " << (p ? p->realized_pnl.to_string() : "0") << "\n";
        ++lines;
    }
    for (const auto& r : h.reasons) {
        o << "  ! " << r << "\n";
        ++lines;
    }
    // Written on the status writer's thread, drawn over the last block written (a terminal that
    // stops reading never holds up this thread).
    status_out->post(o.str(), lines);
}

} // namespace genesis::gateway::runtime
