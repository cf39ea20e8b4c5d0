// Stream payloads, user data events and the WS-API envelopes.
#include "genesis/sim/protocol/render.hpp"

namespace genesis::sim::protocol {
namespace {

void write_levels(json_writer& w, const std::vector<book_level>& levels) {
    w.begin_array();
    for (const auto& l : levels)
        w.begin_array().decimal_string(l.price).decimal_string(l.quantity).end_array();
    w.end_array();
}

decimal product(decimal a, decimal b) {
    auto p = a.mul(b);
    return p ? *p : decimal::max();
}

} // namespace

void write_depth_update(json_writer& w, const book_delta& d, std::int64_t event_time_ms) {
    w.begin_object()
        .field("e", "depthUpdate")
        .field("E", event_time_ms)
        .field("s", d.sym.view())
        .field("U", d.first_update_id)
        .field("u", d.last_update_id);
    w.key("b");
    write_levels(w, d.bids);
    w.key("a");
    write_levels(w, d.asks);
    w.end_object();
}

void write_trade_event(json_writer& w, const trade& t, std::int64_t event_time_ms) {
    w.begin_object()
        .field("e", "trade")
        .field("E", event_time_ms)
        .field("s", t.sym.view())
        .field("t", t.trade_id)
        .field("p", t.price)
        .field("q", t.quantity)
        .field("T", to_ms(t.trade_time))
        .field("m", t.buyer_is_maker)
        .field("M", true)
        .end_object();
}

void write_agg_trade_event(json_writer& w, const agg_trade& t, std::int64_t event_time_ms) {
    w.begin_object()
        .field("e", "aggTrade")
        .field("E", event_time_ms)
        .field("s", t.sym.view())
        .field("a", t.agg_id)
        .field("p", t.price)
        .field("q", t.qty)
        .field("f", t.first_trade_id)
        .field("l", t.last_trade_id)
        .field("T", to_ms(t.time))
        .field("m", t.buyer_is_maker)
        .field("M", true)
        .end_object();
}

void write_book_ticker_event(json_writer& w, const top_of_book& t) {
    w.begin_object()
        .field("u", t.update_id)
        .field("s", t.sym.view())
        .field("b", t.bid.price)
        .field("B", t.bid.quantity)
        .field("a", t.ask.price)
        .field("A", t.ask.quantity)
        .end_object();
}

std::string wrap_combined(std::string_view stream, std::string_view payload_json) {
    json_writer w;
    w.begin_object().field("stream", stream).key("data").raw(payload_json).end_object();
    return w.take();
}

void write_execution_report(json_writer& w, const execution_report& r, std::uint64_t execution_id,
                            std::optional<std::int64_t> prevented_match_id) {
    w.begin_object()
        .field("e", "executionReport")
        .field("E", to_ms(r.event_time))
        .field("s", r.sym.view())
        .field("c", r.client_id.view())
        .field("S", to_string(r.order_side))
        .field("o", to_string(r.type))
        .field("f", to_string(r.tif))
        .field("q", r.quantity)
        .field("p", r.price)
        .field("P", r.stop_price)
        .field("F", decimal{})
        .field("g", -1)
        .field("C", r.orig_client_id.view())
        .field("x", to_string(r.exec_type))
        .field("X", to_string(r.status))
        .field("r", r.reject_reason.empty() ? std::string_view{"NONE"} : std::string_view{r.reject_reason})
        .field("i", r.order_id)
        .field("l", r.last_quantity)
        .field("z", r.cumulative_quantity)
        .field("L", r.last_price);
    // Binance prints a bare "0" and a null asset until there is a commission.
    if (r.commission_asset.empty()) {
        w.field("n", "0").key("N").null();
    } else {
        w.field("n", r.commission).field("N", r.commission_asset.view());
    }
    w.field("T", to_ms(r.transaction_time));
    if (r.trade_id)
        w.field("t", *r.trade_id);
    else
        w.field("t", -1);
    if (prevented_match_id)
        w.field("v", *prevented_match_id);
    w.field("I", execution_id)
        .field("w", r.is_working)
        .field("m", r.is_maker)
        .field("M", false)
        .field("O", to_ms(r.order_creation_time))
        .field("Z", r.cumulative_quote)
        .field("Y", product(r.last_price, r.last_quantity))
        .field("Q", r.quote_order_qty)
        .field("W", to_ms(r.working_time.ns != 0 ? r.working_time : r.order_creation_time))
        .field("V", "NONE")
        .end_object();
}

void write_account_position(json_writer& w, const account_update& u) {
    w.begin_object()
        .field("e", "outboundAccountPosition")
        .field("E", to_ms(u.event_time))
        .field("u", to_ms(u.last_update_time));
    w.key("B").begin_array();
    for (const auto& b : u.balances)
        w.begin_object().field("a", b.name.view()).field("f", b.free).field("l", b.locked).end_object();
    w.end_array();
    w.end_object();
}

void write_balance_update(json_writer& w, const balance_update& u) {
    w.begin_object()
        .field("e", "balanceUpdate")
        .field("E", to_ms(u.event_time))
        .field("a", u.name.view())
        .field("d", u.delta)
        .field("T", to_ms(u.clear_time))
        .end_object();
}

std::string listen_key_expired_event(std::int64_t event_time_ms, std::string_view listen_key) {
    json_writer w;
    w.begin_object().field("e", "listenKeyExpired").field("E", std::to_string(event_time_ms));
    w.field("listenKey", listen_key).end_object();
    return w.take();
}

std::string wrap_user_event(std::uint64_t subscription_id, std::string_view event_json) {
    json_writer w;
    w.begin_object().field("subscriptionId", subscription_id).key("event").raw(event_json).end_object();
    return w.take();
}

namespace {

void write_rate_limits(json_writer& w, std::span<const rate_limit> rate_limits) {
    if (rate_limits.empty())
        return;
    w.key("rateLimits").begin_array();
    for (const auto& r : rate_limits)
        write_rate_limit(w, r);
    w.end_array();
}

} // namespace

std::string ws_response(std::string_view id_json, std::string_view result_json,
                        std::span<const rate_limit> rate_limits) {
    json_writer w;
    w.begin_object().key("id").raw(id_json).field("status", 200).key("result").raw(result_json);
    write_rate_limits(w, rate_limits);
    w.end_object();
    return w.take();
}

std::string ws_error_response(std::string_view id_json, const binance_error& e, std::span<const rate_limit> rate_limits,
                              int status, std::optional<ws_retry_after> retry) {
    json_writer w;
    w.begin_object().key("id").raw(id_json).field("status", status != 0 ? status : http_status(e));
    w.key("error");
    if (retry) {
        w.begin_object().field("code", e.code).field("msg", e.msg);
        w.key("data").begin_object();
        w.field("serverTime", retry->server_time_ms).field("retryAfter", retry->retry_after_ms);
        w.end_object().end_object();
    } else {
        write_error(w, e);
    }
    write_rate_limits(w, rate_limits);
    w.end_object();
    return w.take();
}

} // namespace genesis::sim::protocol
