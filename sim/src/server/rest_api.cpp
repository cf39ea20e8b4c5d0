#include "rest_api.hpp"

#include "server_state.hpp"

#include "genesis/sim/protocol/auth.hpp"
#include "genesis/sim/protocol/orders.hpp"
#include "genesis/sim/protocol/params.hpp"
#include "genesis/sim/protocol/render.hpp"
#include "genesis/sim/protocol/weights.hpp"

#include <algorithm>
#include <functional>

namespace genesis::sim::server {

namespace proto = genesis::sim::protocol;

std::string error_json(const binance_error& e) { return proto::error_body(e); }

binance_error rate_error(const rate_limiter& lim, const rate_decision& d, time_point now) {
    using v = rate_decision::verdict;
    if (d.v == v::banned) {
        const std::int64_t until_ms = now.ns / 1'000'000 + d.retry_after_s * 1000;
        return {-1003, "Way too much request weight used; IP banned until " + std::to_string(until_ms) +
                           ". Please use WebSocket Streams for live updates to avoid bans."};
    }
    if (d.v == v::too_many_orders) {
        const bool day = d.order_count_1d + 1 > lim.config().orders_per_day;
        return {-1015, "Too many new orders; current limit is " +
                           std::to_string(day ? lim.config().orders_per_day : lim.config().orders_per_10s) +
                           " orders per " + (day ? "DAY." : "10 SECOND.")};
    }
    return proto::too_much_weight(lim.config().weight_per_minute, "1 MINUTE");
}

binance_error injected_error(int status, std::int64_t retry_until_ms) {
    if (status == 429)
        return {-1003, "Too many requests; current limit of IP is exceeded. (injected)"};
    if (status == 418)
        return {-1003, "Way too much request weight used; IP banned until " + std::to_string(retry_until_ms) +
                           ". Please use WebSocket Streams for live updates to avoid bans. (injected)"};
    if (status == 503)
        return {-1008, "Server is currently overloaded with other requests. Please try again in a few minutes."};
    return {-1007, "Timeout waiting for response from backend server. Send status unknown; execution status unknown."};
}

std::vector<proto::rate_limit> configured_rate_limits(const rate_limit_config& c, const ws_config& ws) {
    std::vector<proto::rate_limit> out{{"REQUEST_WEIGHT", "MINUTE", 1, c.weight_per_minute, std::nullopt},
                                       {"ORDERS", "SECOND", 10, c.orders_per_10s, std::nullopt},
                                       {"ORDERS", "DAY", 1, c.orders_per_day, std::nullopt}};
    if (ws.max_connection_attempts != 0) {
        // Listed in whole minutes, as Binance lists it (300 per 5 MINUTE).
        const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(ws.connection_attempt_window).count();
        out.push_back({"CONNECTIONS", "MINUTE", static_cast<int>(std::max<std::int64_t>(1, minutes)),
                       ws.max_connection_attempts, std::nullopt});
    }
    return out;
}

std::string listen_key_start(server_state& st, account_id acc) {
    const auto lifetime = std::chrono::duration_cast<nanos>(st.cfg.ws.listen_key_lifetime);
    // Binance hands out the same key while it is valid.
    for (auto& [key, e] : st.listen_keys)
        if (e.account == acc && e.expires > st.clk.now()) {
            e.expires = st.clk.now() + lifetime;
            st.notify(state_change::listen_keys);
            return key;
        }
    std::string key = "simlk" + std::to_string(st.next_listen_key++);
    while (key.size() < 60)
        key += static_cast<char>('a' + (key.size() * 7 + st.next_listen_key) % 26);
    st.listen_keys[key] = {acc, st.clk.now() + lifetime};
    return key;
}

bool listen_key_live(server_state& st, std::string_view key) {
    auto it = st.listen_keys.find(std::string(key));
    if (it == st.listen_keys.end())
        return false;
    if (it->second.expires <= st.clk.now()) {
        // Expired: it no longer exists, as on Binance (-1125 for a keepalive, no stream).
        st.listen_keys.erase(it);
        ++st.stats.listen_keys_expired;
        return false;
    }
    return true;
}

bool listen_key_keepalive(server_state& st, account_id acc, std::string_view key) {
    if (!listen_key_live(st, key))
        return false;
    auto it = st.listen_keys.find(std::string(key));
    if (it->second.account != acc)
        return false;
    it->second.expires = st.clk.now() + std::chrono::duration_cast<nanos>(st.cfg.ws.listen_key_lifetime);
    st.notify(state_change::listen_keys);
    return true;
}

bool listen_key_close(server_state& st, account_id acc, std::string_view key) {
    auto it = st.listen_keys.find(std::string(key));
    if (it == st.listen_keys.end() || it->second.account != acc)
        return false;
    st.listen_keys.erase(it);
    st.notify(state_change::listen_keys);
    return true;
}

namespace {

using handler = std::function<rest_reply(server_state&, const rest_request&, const proto::params&)>;

rest_reply ok(std::string body) {
    rest_reply r;
    r.body = std::move(body);
    return r;
}

rest_reply fail(const binance_error& e) {
    rest_reply r;
    r.status = proto::http_status(e);
    r.body = error_json(e);
    return r;
}

rest_reply fail(const error_code& ec) { return fail(to_binance_error(ec)); }

// The signed-endpoint prologue: authenticate, then the caller parses its parameters.
proto::proto_result<account_id> auth(server_state& st, const rest_request& req, const proto::params& p) {
    return proto::authenticate_rest(st.ex, req.api_key, req.query, req.body, p, st.clk.wall());
}

#define GENESIS_TRY(var, expr)                                                                                         \
    auto var = (expr);                                                                                                 \
    if (var.has_error())                                                                                               \
        return fail(var.error());

rest_reply do_ping(server_state&, const rest_request&, const proto::params& p) {
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    return ok(proto::ping_body());
}

rest_reply do_time(server_state& st, const rest_request&, const proto::params& p) {
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    return ok(proto::time_body(proto::to_ms(st.clk.wall())));
}

rest_reply do_exchange_info(server_state& st, const rest_request&, const proto::params& p) {
    GENESIS_TRY(sym, p.optional_symbol("symbol"));
    p.mark_read("symbols");
    p.mark_read("permissions");
    p.mark_read("showPermissionSets");
    p.mark_read("symbolStatus");
    std::vector<instrument> list;
    for (const instrument& i : st.ex.instruments())
        if (!sym.value() || i.name == *sym.value())
            list.push_back(i);
    if (sym.value() && list.empty())
        return fail(proto::make_error(sim_errc::invalid_symbol));
    proto::json_writer w;
    proto::exchange_info_options opt;
    opt.max_num_orders = st.ex.config().max_open_orders;
    const auto limits = configured_rate_limits(st.limiter.config(), st.cfg.ws);
    opt.rate_limits = limits;
    proto::write_exchange_info(w, list, proto::to_ms(st.clk.wall()), opt);
    return ok(w.take());
}

rest_reply do_depth(server_state& st, const rest_request&, const proto::params& p) {
    GENESIS_TRY(sym, p.required_symbol());
    GENESIS_TRY(limit, proto::parse_limit(p, 100, 5000));
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    auto snap = st.ex.depth(*sym, *limit);
    if (!snap)
        return fail(snap.error());
    proto::json_writer w;
    proto::write_depth(w, *snap);
    return ok(w.take());
}

rest_reply do_trades(server_state& st, const rest_request&, const proto::params& p) {
    GENESIS_TRY(sym, p.required_symbol());
    GENESIS_TRY(limit, proto::parse_limit(p, 500, 1000));
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    auto t = st.ex.recent_trades(*sym, *limit);
    if (!t)
        return fail(t.error());
    proto::json_writer w;
    proto::write_trades(w, *t);
    return ok(w.take());
}

rest_reply do_agg_trades(server_state& st, const rest_request&, const proto::params& p) {
    GENESIS_TRY(sym, p.required_symbol());
    GENESIS_TRY(from, p.optional_uint("fromId"));
    GENESIS_TRY(limit, proto::parse_limit(p, 500, 1000));
    p.mark_read("startTime");
    p.mark_read("endTime");
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    auto t = st.ex.agg_trades(*sym, *from, *limit);
    if (!t)
        return fail(t.error());
    proto::json_writer w;
    proto::write_agg_trades(w, *t);
    return ok(w.take());
}

rest_reply do_book_ticker(server_state& st, const rest_request&, const proto::params& p) {
    GENESIS_TRY(sym, p.optional_symbol("symbol"));
    p.mark_read("symbols");
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    proto::json_writer w;
    if (*sym) {
        auto t = st.ex.book_ticker(**sym);
        if (!t)
            return fail(t.error());
        proto::write_book_ticker(w, *t);
    } else {
        w.begin_array();
        for (const instrument& i : st.ex.instruments())
            if (auto t = st.ex.book_ticker(i.name))
                proto::write_book_ticker(w, *t);
        w.end_array();
    }
    return ok(w.take());
}

rest_reply do_new_order(server_state& st, const rest_request& req, const proto::params& p) {
    GENESIS_TRY(acc, auth(st, req, p));
    GENESIS_TRY(np, proto::parse_new_order(p, &st.ex));
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    ++st.stats.orders_via_rest;
    auto res = st.ex.new_order(*acc, np->request);
    rest_reply out;
    out.reached_engine = true;
    if (!res) {
        out = fail(res.error());
        out.reached_engine = true;
        return out;
    }
    proto::json_writer w;
    proto::write_new_order(w, *res, np->resp_type);
    out.body = w.take();
    return out;
}

rest_reply do_cancel(server_state& st, const rest_request& req, const proto::params& p) {
    GENESIS_TRY(acc, auth(st, req, p));
    GENESIS_TRY(c, proto::parse_cancel(p, &st.ex));
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    auto res = st.ex.cancel_order(*acc, *c);
    if (!res) {
        auto out = fail(res.error());
        out.reached_engine = true;
        return out;
    }
    proto::json_writer w;
    proto::write_cancel(w, *res);
    auto out = ok(w.take());
    out.reached_engine = true;
    return out;
}

rest_reply do_query_order(server_state& st, const rest_request& req, const proto::params& p) {
    GENESIS_TRY(acc, auth(st, req, p));
    GENESIS_TRY(q, proto::parse_order_query(p, &st.ex));
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    auto res = st.ex.query_order(*acc, q->sym, q->order_id, q->orig_client_id);
    if (!res)
        return fail(res.error());
    proto::json_writer w;
    proto::write_order(w, *res);
    return ok(w.take());
}

rest_reply do_open_orders(server_state& st, const rest_request& req, const proto::params& p) {
    GENESIS_TRY(acc, auth(st, req, p));
    GENESIS_TRY(sym, p.optional_symbol("symbol"));
    if (*sym && st.ex.find_instrument(**sym) == nullptr)
        return fail(proto::make_error(sim_errc::invalid_symbol));
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    auto res = st.ex.open_orders(*acc, *sym);
    if (!res)
        return fail(res.error());
    proto::json_writer w;
    proto::write_orders(w, *res);
    return ok(w.take());
}

rest_reply do_all_orders(server_state& st, const rest_request& req, const proto::params& p) {
    GENESIS_TRY(acc, auth(st, req, p));
    GENESIS_TRY(sym, p.required_symbol());
    GENESIS_TRY(from, p.optional_uint("orderId"));
    GENESIS_TRY(limit, proto::parse_limit(p, 500, 1000));
    p.mark_read("startTime");
    p.mark_read("endTime");
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    auto res = st.ex.all_orders(*acc, *sym, *from, *limit);
    if (!res)
        return fail(res.error());
    proto::json_writer w;
    proto::write_orders(w, *res);
    return ok(w.take());
}

rest_reply do_cancel_all(server_state& st, const rest_request& req, const proto::params& p) {
    GENESIS_TRY(acc, auth(st, req, p));
    GENESIS_TRY(sym, p.required_symbol());
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    auto res = st.ex.cancel_open_orders(*acc, *sym);
    if (!res) {
        auto out = fail(res.error());
        out.reached_engine = true;
        return out;
    }
    proto::json_writer w;
    proto::write_cancels(w, *res);
    auto out = ok(w.take());
    out.reached_engine = true;
    return out;
}

rest_reply do_account(server_state& st, const rest_request& req, const proto::params& p) {
    GENESIS_TRY(acc, auth(st, req, p));
    GENESIS_TRY(omit, p.optional_bool("omitZeroBalances"));
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    const account* a = st.ex.get_account(*acc);
    auto bal = st.ex.balances(*acc);
    if (a == nullptr || !bal)
        return fail(proto::make_error(sim_errc::invalid_api_key));
    proto::json_writer w;
    proto::write_account(w, *a, *bal, proto::to_ms(st.clk.wall()), omit->value_or(false));
    return ok(w.take());
}

rest_reply do_my_trades(server_state& st, const rest_request& req, const proto::params& p) {
    GENESIS_TRY(acc, auth(st, req, p));
    GENESIS_TRY(sym, p.required_symbol());
    GENESIS_TRY(order_id, p.optional_uint("orderId"));
    GENESIS_TRY(from, p.optional_uint("fromId"));
    GENESIS_TRY(limit, proto::parse_limit(p, 500, 1000));
    p.mark_read("startTime");
    p.mark_read("endTime");
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    auto res = st.ex.my_trades(*acc, *sym, *from, *order_id ? std::size_t{1'000'000} : *limit);
    if (!res)
        return fail(res.error());
    std::vector<account_trade> list = std::move(*res);
    if (*order_id) {
        std::erase_if(list, [&](const account_trade& t) { return t.order_id != **order_id; });
        if (list.size() > *limit)
            list.resize(*limit);
    }
    proto::json_writer w;
    proto::write_my_trades(w, list);
    return ok(w.take());
}

// Legacy listenKey flow (retired by Binance in 2026, kept for older clients).
rest_reply do_listen_key(server_state& st, const rest_request& req, const proto::params& p) {
    GENESIS_TRY(acc, proto::lookup_api_key(st.ex, req.api_key));
    if (req.verb == "POST") {
        if (auto r = p.check_all_read(); r.has_error())
            return fail(r.error());
        return ok("{\"listenKey\":\"" + listen_key_start(st, *acc) + "\"}");
    }
    GENESIS_TRY(key, p.required("listenKey"));
    if (auto r = p.check_all_read(); r.has_error())
        return fail(r.error());
    const bool found = req.verb == "PUT" ? listen_key_keepalive(st, *acc, *key) : listen_key_close(st, *acc, *key);
    if (!found)
        return fail(proto::make_error(sim_errc::invalid_listen_key));
    return ok("{}");
}

#undef GENESIS_TRY

struct route {
    std::string_view verb;
    std::string_view path;
    handler fn;
};

const std::vector<route>& routes() {
    static const std::vector<route> r = {
        {"GET", "/api/v3/ping", do_ping},
        {"GET", "/api/v3/time", do_time},
        {"GET", "/api/v3/exchangeInfo", do_exchange_info},
        {"GET", "/api/v3/depth", do_depth},
        {"GET", "/api/v3/trades", do_trades},
        {"GET", "/api/v3/aggTrades", do_agg_trades},
        {"GET", "/api/v3/ticker/bookTicker", do_book_ticker},
        {"POST", "/api/v3/order", do_new_order},
        {"DELETE", "/api/v3/order", do_cancel},
        {"GET", "/api/v3/order", do_query_order},
        {"GET", "/api/v3/openOrders", do_open_orders},
        {"DELETE", "/api/v3/openOrders", do_cancel_all},
        {"GET", "/api/v3/allOrders", do_all_orders},
        {"GET", "/api/v3/account", do_account},
        {"GET", "/api/v3/myTrades", do_my_trades},
        {"POST", "/api/v3/userDataStream", do_listen_key},
        {"PUT", "/api/v3/userDataStream", do_listen_key},
        {"DELETE", "/api/v3/userDataStream", do_listen_key},
    };
    return r;
}

} // namespace

rest_reply handle_rest(server_state& st, const rest_request& req) {
    const route* found = nullptr;
    bool path_known = false;
    for (const route& r : routes()) {
        if (r.path != req.path)
            continue;
        path_known = true;
        if (r.verb == req.verb) {
            found = &r;
            break;
        }
    }
    if (found == nullptr) {
        rest_reply r;
        r.status = path_known ? 405 : 404;
        r.body = path_known ? error_json({-1000, "Method not allowed."}) : std::string{};
        r.headers.emplace_back("X-MBX-USED-WEIGHT-1M",
                               std::to_string(st.limiter.peek(req.client_key, st.clk.wall()).used_weight_1m));
        return r;
    }
    // A form body counts as parameters; any other body is ignored, as Binance does.
    const bool form = req.content_type.find("application/x-www-form-urlencoded") != std::string_view::npos ||
                      (req.content_type.empty() && !req.body.empty());
    auto p = proto::params::from_urlencoded(req.query, form ? req.body : std::string_view{});
    const std::string_view sig_body = form ? req.body : std::string_view{};
    if (p.has_error())
        return fail(p.error());

    // Rate limits come first: a client over its limit learns nothing else.
    const int weight = proto::rest_weight(req.verb, req.path, *p);
    const bool is_order = proto::counts_as_order(req.verb, req.path);
    const time_point now = st.clk.wall();
    const rate_decision d = st.limiter.check(req.client_key, weight, is_order, now);
    std::vector<std::pair<std::string, std::string>> headers;
    headers.emplace_back("X-MBX-USED-WEIGHT-1M", std::to_string(d.used_weight_1m));
    if (is_order) {
        headers.emplace_back("X-MBX-ORDER-COUNT-10S", std::to_string(d.order_count_10s));
        headers.emplace_back("X-MBX-ORDER-COUNT-1D", std::to_string(d.order_count_1d));
    }
    rest_reply out;
    if (d.v != rate_decision::verdict::allowed) {
        out.status = static_cast<int>(d.http_status());
        out.body = error_json(rate_error(st.limiter, d, now));
        headers.emplace_back("Retry-After", std::to_string(d.retry_after_s));
    } else {
        rest_request signed_req = req;
        signed_req.body = sig_body;
        out = found->fn(st, signed_req, *p);
    }
    out.headers.insert(out.headers.begin(), headers.begin(), headers.end());
    return out;
}

} // namespace genesis::sim::server
