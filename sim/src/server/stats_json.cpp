// GET /sim/stats: the sim's ground truth as JSON (Beast-free).
#include "json_util.hpp"
#include "server_io.hpp"

namespace genesis::sim::server {

namespace {

void counters(std::string& o, const order_counters& c) {
    o += "{\"received\":" + std::to_string(c.received);
    o += ",\"accepted\":" + std::to_string(c.accepted);
    o += ",\"rejected\":" + std::to_string(c.rejected);
    o += ",\"canceled\":" + std::to_string(c.canceled);
    o += ",\"expired\":" + std::to_string(c.expired);
    o += ",\"filled\":" + std::to_string(c.filled);
    o += ",\"executed\":" + std::to_string(c.fills);
    o += ",\"executed_qty\":\"" + c.executed_qty.to_string() + "\"";
    o += ",\"executed_quote\":\"" + c.executed_quote.to_string() + "\"";
    o += ",\"rejected_by_reason\":{";
    bool first = true;
    for (const auto& [reason, n] : c.rejected_by_reason) {
        if (!first)
            o += ',';
        first = false;
        json_append_string(o, std::to_string(binance_code(reason)) + " " + std::string(binance_message(reason)));
        o += ':' + std::to_string(n);
    }
    o += "}}";
}

} // namespace

std::string stats_json(server_state& st) {
    const engine_stats& es = st.ex.stats();
    std::string o = "{\"orders\":";
    counters(o, es.total);
    o += ",\"cancel_requests\":" + std::to_string(es.cancel_requests);
    o += ",\"cancel_rejected\":" + std::to_string(es.cancel_rejected);
    o += ",\"trades\":" + std::to_string(es.trades);
    o += ",\"acks_dropped\":" + std::to_string(st.stats.acks_dropped);
    o += ",\"accounts\":[";
    bool first = true;
    for (account_id id : st.ex.accounts()) {
        const account* a = st.ex.get_account(id);
        if (a == nullptr)
            continue;
        if (!first)
            o += ',';
        first = false;
        o += "{\"id\":" + std::to_string(id) + ",\"name\":";
        json_append_string(o, a->name());
        o += ",\"orders\":";
        auto it = es.by_account.find(id);
        counters(o, it == es.by_account.end() ? order_counters{} : it->second);
        o += ",\"fills\":" + std::to_string(a->keep_history() ? st.ex.fills(id).size() : 0);
        o += ",\"balances\":[";
        bool fb = true;
        for (const balance& b : a->balances()) {
            if (!fb)
                o += ',';
            fb = false;
            o += "{\"asset\":";
            json_append_string(o, b.name.view());
            o += ",\"free\":\"" + b.free.to_string() + "\",\"locked\":\"" + b.locked.to_string() + "\"}";
        }
        o += "]}";
    }
    o += "],\"faults\":{";
    const auto& fc = st.faults.counts();
    for (std::size_t i = 0; i < fc.size(); ++i) {
        if (i != 0)
            o += ',';
        json_append_string(o, to_string(static_cast<fault_kind>(i)));
        o += ':' + std::to_string(fc[i]);
    }
    o += "},\"rate_limits\":{\"allowed\":" + std::to_string(st.limiter.stats().allowed);
    o += ",\"rejected_429\":" + std::to_string(st.limiter.stats().rejected_429);
    o += ",\"rejected_418\":" + std::to_string(st.limiter.stats().rejected_418);
    o += ",\"bans\":" + std::to_string(st.limiter.stats().bans) + "}";
    const net_stats& n = st.stats;
    o += ",\"net\":{\"connections\":" + std::to_string(n.connections);
    o += ",\"tls_failures\":" + std::to_string(n.tls_failures);
    o += ",\"http_requests\":" + std::to_string(n.http_requests);
    o += ",\"http_status\":{";
    first = true;
    for (const auto& [code, cnt] : n.http_status) {
        if (!first)
            o += ',';
        first = false;
        o += "\"" + std::to_string(code) + "\":" + std::to_string(cnt);
    }
    o += "},\"ws_connections\":" + std::to_string(n.ws_connections);
    o += ",\"ws_api_requests\":" + std::to_string(n.ws_api_requests);
    o += ",\"ws_frames_sent\":" + std::to_string(n.ws_frames_sent);
    o += ",\"ws_frames_queued\":" + std::to_string(n.ws_frames_queued);
    o += ",\"ws_queue_max\":" + std::to_string(n.ws_queue_max);
    o += ",\"ws_writer_buffer_waits\":" + std::to_string(n.ws_writer_buffer_waits);
    o += ",\"ws_slow_consumer_drops\":" + std::to_string(n.ws_slow_consumer_drops);
    o += ",\"pong_timeouts\":" + std::to_string(n.pong_timeouts);
    o += ",\"lifetime_closes\":" + std::to_string(n.lifetime_closes);
    o += ",\"ws_incoming_limit_closes\":" + std::to_string(n.ws_incoming_limit_closes);
    o += ",\"ws_connection_attempts_refused\":" + std::to_string(n.ws_connection_attempts_refused);
    o += ",\"listen_keys_expired\":" + std::to_string(n.listen_keys_expired);
    o += ",\"listen_key_expired_events\":" + std::to_string(n.listen_key_expired_events);
    o += ",\"orders_via_rest\":" + std::to_string(n.orders_via_rest);
    o += ",\"orders_via_ws_api\":" + std::to_string(n.orders_via_ws_api);
    o += ",\"open_connections\":" + std::to_string(n.open_connections);
    o += ",\"stalled\":" + std::to_string(n.stalled_now);
    o += ",\"stall_timeouts\":" + std::to_string(n.stall_timeouts);
    o += ",\"stall_peer_closes\":" + std::to_string(n.stall_peer_closes);
    o += "},\"clock_skew_ms\":" + std::to_string(st.faults.config().clock_skew.count());
    o += ",\"agents_enabled\":" + std::string(st.agents_enabled ? "true" : "false") + "}";
    return o;
}

} // namespace genesis::sim::server
