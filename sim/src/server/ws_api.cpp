#include "ws_api.hpp"

#include "rest_api.hpp"
#include "server_state.hpp"

#include "genesis/sim/protocol/auth.hpp"
#include "genesis/sim/protocol/orders.hpp"
#include "genesis/sim/protocol/render.hpp"
#include "genesis/sim/protocol/weights.hpp"

#include <functional>
#include <vector>

namespace genesis::sim::server {

namespace proto = genesis::sim::protocol;

namespace {

struct call {
    server_state& st;
    ws_api_session& s;
    const std::shared_ptr<user_subscriber>& self;
    const proto::ws_request& req;
    std::vector<proto::rate_limit> limits;
    bool reached_engine = false;

    std::string ok(std::string_view result) const { return proto::ws_response(req.id, result, limits); }
    std::string fail(const binance_error& e) const { return proto::ws_error_response(req.id, e, limits); }
    std::string fail(const error_code& ec) const { return fail(to_binance_error(ec)); }

    // Signed requests: apiKey + signature, or nothing of the two after session.logon.
    proto::proto_result<account_id> auth() const {
        const auto& p = req.args;
        if (s.logged_on && !p.has("signature")) {
            p.mark_read("apiKey");
            if (auto t = proto::check_timestamp(p, st.clk.wall()); !t)
                return t.error();
            return proto::proto_result<account_id>(boost::system::in_place_value, *s.logged_on);
        }
        return proto::authenticate_ws(st.ex, p, st.clk.wall());
    }
};

#define GENESIS_TRY(var, expr)                                                                                         \
    auto var = (expr);                                                                                                 \
    if (var.has_error())                                                                                               \
        return c.fail(var.error());
#define GENESIS_ALL_READ()                                                                                             \
    if (auto all_read = c.req.args.check_all_read(); all_read.has_error())                                             \
        return c.fail(all_read.error());

using method_fn = std::function<std::string(call&)>;

std::string m_ping(call& c) {
    GENESIS_ALL_READ();
    return c.ok("{}");
}

std::string m_time(call& c) {
    GENESIS_ALL_READ();
    return c.ok("{\"serverTime\":" + std::to_string(proto::to_ms(c.st.clk.wall())) + "}");
}

std::string m_exchange_info(call& c) {
    GENESIS_TRY(sym, c.req.args.optional_symbol("symbol"));
    c.req.args.mark_read("symbols");
    c.req.args.mark_read("permissions");
    GENESIS_ALL_READ();
    std::vector<instrument> list;
    for (const instrument& i : c.st.ex.instruments())
        if (!*sym || i.name == **sym)
            list.push_back(i);
    proto::json_writer w;
    proto::exchange_info_options opt;
    opt.max_num_orders = c.st.ex.config().max_open_orders;
    const auto limits = configured_rate_limits(c.st.limiter.config(), c.st.cfg.ws);
    opt.rate_limits = limits;
    proto::write_exchange_info(w, list, proto::to_ms(c.st.clk.wall()), opt);
    return c.ok(w.str());
}

std::string m_depth(call& c) {
    GENESIS_TRY(sym, c.req.args.required_symbol());
    GENESIS_TRY(limit, proto::parse_limit(c.req.args, 100, 5000));
    GENESIS_ALL_READ();
    auto snap = c.st.ex.depth(*sym, *limit);
    if (!snap)
        return c.fail(snap.error());
    proto::json_writer w;
    proto::write_depth(w, *snap);
    return c.ok(w.str());
}

std::string m_logon(call& c) {
    GENESIS_TRY(acc, proto::authenticate_ws(c.st.ex, c.req.args, c.st.clk.wall()));
    GENESIS_ALL_READ();
    const account* a = c.st.ex.get_account(*acc);
    // Binance accepts only Ed25519 keys for session.logon.
    if (a == nullptr || !proto::is_ed25519_key(a->secret_key()))
        return c.fail(proto::make_error(sim_errc::invalid_api_key));
    c.s.logged_on = *acc;
    c.s.logon_api_key = a->api_key();
    c.s.logon_time_ms = proto::to_ms(c.st.clk.wall());
    return c.ok("{\"apiKey\":\"" + c.s.logon_api_key + "\",\"authorizedSince\":" + std::to_string(c.s.logon_time_ms) +
                ",\"connectedSince\":" + std::to_string(c.s.connected_ms) +
                ",\"returnRateLimits\":true,\"serverTime\":" + std::to_string(proto::to_ms(c.st.clk.wall())) +
                ",\"userDataStream\":" + (c.s.subscriptions.empty() ? "false" : "true") + "}");
}

std::string m_session_status(call& c) {
    GENESIS_ALL_READ();
    std::string key = c.s.logged_on ? "\"" + c.s.logon_api_key + "\"" : "null";
    std::string since = c.s.logged_on ? std::to_string(c.s.logon_time_ms) : "null";
    return c.ok("{\"apiKey\":" + key + ",\"authorizedSince\":" + since +
                ",\"connectedSince\":" + std::to_string(c.s.connected_ms) +
                ",\"returnRateLimits\":true,\"serverTime\":" + std::to_string(proto::to_ms(c.st.clk.wall())) +
                ",\"userDataStream\":" + (c.s.subscriptions.empty() ? "false" : "true") + "}");
}

std::string m_logout(call& c) {
    GENESIS_ALL_READ();
    c.s.logged_on.reset();
    c.s.logon_api_key.clear();
    return m_session_status(c);
}

std::string m_order_place(call& c) {
    GENESIS_TRY(acc, c.auth());
    GENESIS_TRY(np, proto::parse_new_order(c.req.args, &c.st.ex));
    GENESIS_ALL_READ();
    ++c.st.stats.orders_via_ws_api;
    c.reached_engine = true;
    auto res = c.st.ex.new_order(*acc, np->request);
    if (!res)
        return c.fail(res.error());
    proto::json_writer w;
    proto::write_new_order(w, *res, np->resp_type);
    return c.ok(w.str());
}

std::string m_order_cancel(call& c) {
    GENESIS_TRY(acc, c.auth());
    GENESIS_TRY(q, proto::parse_cancel(c.req.args, &c.st.ex));
    GENESIS_ALL_READ();
    c.reached_engine = true;
    auto res = c.st.ex.cancel_order(*acc, *q);
    if (!res)
        return c.fail(res.error());
    proto::json_writer w;
    proto::write_cancel(w, *res);
    return c.ok(w.str());
}

std::string m_order_status(call& c) {
    GENESIS_TRY(acc, c.auth());
    GENESIS_TRY(q, proto::parse_order_query(c.req.args, &c.st.ex));
    GENESIS_ALL_READ();
    auto res = c.st.ex.query_order(*acc, q->sym, q->order_id, q->orig_client_id);
    if (!res)
        return c.fail(res.error());
    proto::json_writer w;
    proto::write_order(w, *res);
    return c.ok(w.str());
}

std::string m_open_orders(call& c) {
    GENESIS_TRY(acc, c.auth());
    GENESIS_TRY(sym, c.req.args.optional_symbol("symbol"));
    GENESIS_ALL_READ();
    if (*sym && c.st.ex.find_instrument(**sym) == nullptr)
        return c.fail(proto::make_error(sim_errc::invalid_symbol));
    auto res = c.st.ex.open_orders(*acc, *sym);
    if (!res)
        return c.fail(res.error());
    proto::json_writer w;
    proto::write_orders(w, *res);
    return c.ok(w.str());
}

std::string m_cancel_all(call& c) {
    GENESIS_TRY(acc, c.auth());
    GENESIS_TRY(sym, c.req.args.required_symbol());
    GENESIS_ALL_READ();
    c.reached_engine = true;
    auto res = c.st.ex.cancel_open_orders(*acc, *sym);
    if (!res)
        return c.fail(res.error());
    proto::json_writer w;
    proto::write_cancels(w, *res);
    return c.ok(w.str());
}

std::string m_account(call& c) {
    GENESIS_TRY(acc, c.auth());
    GENESIS_TRY(omit, c.req.args.optional_bool("omitZeroBalances"));
    GENESIS_ALL_READ();
    const account* a = c.st.ex.get_account(*acc);
    auto bal = c.st.ex.balances(*acc);
    if (a == nullptr || !bal)
        return c.fail(proto::make_error(sim_errc::invalid_api_key));
    proto::json_writer w;
    proto::write_account(w, *a, *bal, proto::to_ms(c.st.clk.wall()), omit->value_or(false));
    return c.ok(w.str());
}

std::string m_my_trades(call& c) {
    GENESIS_TRY(acc, c.auth());
    GENESIS_TRY(sym, c.req.args.required_symbol());
    GENESIS_TRY(from, c.req.args.optional_uint("fromId"));
    GENESIS_TRY(limit, proto::parse_limit(c.req.args, 500, 1000));
    c.req.args.mark_read("startTime");
    c.req.args.mark_read("endTime");
    c.req.args.mark_read("orderId");
    GENESIS_ALL_READ();
    auto res = c.st.ex.my_trades(*acc, *sym, *from, *limit);
    if (!res)
        return c.fail(res.error());
    proto::json_writer w;
    proto::write_my_trades(w, *res);
    return c.ok(w.str());
}

std::string subscribe(call& c, account_id acc) {
    const std::uint64_t id = c.s.next_subscription++;
    c.s.subscriptions[id] = acc;
    c.st.hub.subscribe_user(acc, c.self);
    return c.ok("{\"subscriptionId\":" + std::to_string(id) + "}");
}

std::string m_uds_subscribe(call& c) {
    GENESIS_ALL_READ();
    // userDataStream.subscribe needs an authenticated (session.logon) session.
    if (!c.s.logged_on)
        return c.fail(binance_error{-2015, "Invalid API-key, IP, or permissions for action."});
    return subscribe(c, *c.s.logged_on);
}

std::string m_uds_subscribe_signature(call& c) {
    GENESIS_TRY(acc, proto::authenticate_ws(c.st.ex, c.req.args, c.st.clk.wall()));
    GENESIS_ALL_READ();
    return subscribe(c, *acc);
}

std::string m_uds_unsubscribe(call& c) {
    GENESIS_TRY(id, c.req.args.optional_uint("subscriptionId"));
    GENESIS_ALL_READ();
    if (*id) {
        auto it = c.s.subscriptions.find(**id);
        if (it == c.s.subscriptions.end())
            return c.fail(binance_error{-2035, "User Data Stream subscription not found."});
        c.s.subscriptions.erase(it);
    } else {
        c.s.subscriptions.clear();
    }
    // The hub keeps delivering to accounts still subscribed by another id.
    std::map<account_id, bool> still;
    for (const auto& [sid, acc] : c.s.subscriptions)
        still[acc] = true;
    for (account_id acc : c.st.ex.accounts())
        if (!still.contains(acc))
            c.st.hub.unsubscribe_user(acc, c.self.get());
    return c.ok("{}");
}

// Legacy listenKey management (deprecated by Binance): apiKey only, no signature; the key is then
// used on the streams listener at /ws/<listenKey>.
std::string m_uds_start(call& c) {
    GENESIS_TRY(key, c.req.args.required("apiKey"));
    GENESIS_ALL_READ();
    GENESIS_TRY(acc, proto::lookup_api_key(c.st.ex, *key));
    return c.ok("{\"listenKey\":\"" + listen_key_start(c.st, *acc) + "\"}");
}

std::string m_uds_ping_or_stop(call& c, bool stop) {
    GENESIS_TRY(listen_key, c.req.args.required("listenKey"));
    GENESIS_TRY(key, c.req.args.required("apiKey"));
    GENESIS_ALL_READ();
    GENESIS_TRY(acc, proto::lookup_api_key(c.st.ex, *key));
    const bool found = stop ? listen_key_close(c.st, *acc, *listen_key) : listen_key_keepalive(c.st, *acc, *listen_key);
    if (!found)
        return c.fail(proto::make_error(sim_errc::invalid_listen_key));
    return c.ok("{}");
}

std::string m_uds_ping(call& c) { return m_uds_ping_or_stop(c, false); }
std::string m_uds_stop(call& c) { return m_uds_ping_or_stop(c, true); }

std::string m_subscriptions(call& c) {
    GENESIS_ALL_READ();
    std::string r = "[";
    for (const auto& [id, acc] : c.s.subscriptions) {
        if (r.size() > 1)
            r += ',';
        r += "{\"subscriptionId\":" + std::to_string(id) + "}";
    }
    r += ']';
    return c.ok(r);
}

#undef GENESIS_TRY
#undef GENESIS_ALL_READ

const std::map<std::string, method_fn, std::less<>>& methods() {
    static const std::map<std::string, method_fn, std::less<>> m = {
        {"ping", m_ping},
        {"time", m_time},
        {"exchangeInfo", m_exchange_info},
        {"depth", m_depth},
        {"session.logon", m_logon},
        {"session.status", m_session_status},
        {"session.logout", m_logout},
        {"session.subscriptions", m_subscriptions},
        {"order.place", m_order_place},
        {"order.cancel", m_order_cancel},
        {"order.status", m_order_status},
        {"openOrders.status", m_open_orders},
        {"openOrders.cancelAll", m_cancel_all},
        {"account.status", m_account},
        {"myTrades", m_my_trades},
        {"userDataStream.subscribe", m_uds_subscribe},
        {"userDataStream.subscribe.signature", m_uds_subscribe_signature},
        {"userDataStream.unsubscribe", m_uds_unsubscribe},
        {"userDataStream.start", m_uds_start},
        {"userDataStream.ping", m_uds_ping},
        {"userDataStream.stop", m_uds_stop},
    };
    return m;
}

} // namespace

std::string ws_api_fault_response(const server_state& st, std::string_view id_json, int status,
                                  std::chrono::seconds retry_after) {
    const std::int64_t now_ms = proto::to_ms(st.clk.wall());
    const std::int64_t until_ms = now_ms + retry_after.count() * 1000;
    std::optional<proto::ws_retry_after> retry;
    if (is_rate_limit_status(status))
        retry = proto::ws_retry_after{now_ms, until_ms};
    return proto::ws_error_response(id_json, injected_error(status, until_ms), {}, status, retry);
}

ws_api_outcome handle_ws_api(server_state& st, ws_api_session& session, const std::shared_ptr<user_subscriber>& self,
                             const proto::ws_request& req) {
    call c{st, session, self, req, {}, false};
    auto it = methods().find(req.method);
    if (it == methods().end()) {
        ws_api_outcome o;
        o.response = proto::ws_error_response(req.id, binance_error{-1020, "Unsupported operation."}, {}, 400);
        return o;
    }
    // Rate limits: request weight per minute and, for orders, the order counts.
    const int weight = proto::ws_api_weight(req.method, req.args);
    const bool is_order = proto::ws_counts_as_order(req.method);
    const time_point now = st.clk.wall();
    const rate_decision d = st.limiter.check(session.client_key, weight, is_order, now);
    const auto& lc = st.limiter.config();
    c.limits.push_back({"REQUEST_WEIGHT", "MINUTE", 1, lc.weight_per_minute, d.used_weight_1m});
    if (is_order) {
        c.limits.push_back({"ORDERS", "SECOND", 10, lc.orders_per_10s, d.order_count_10s});
        c.limits.push_back({"ORDERS", "DAY", 1, lc.orders_per_day, d.order_count_1d});
    }
    ws_api_outcome o;
    if (d.v != rate_decision::verdict::allowed) {
        const std::int64_t now_ms = proto::to_ms(now);
        o.response = proto::ws_error_response(req.id, rate_error(st.limiter, d, now), c.limits,
                                              static_cast<int>(d.http_status()),
                                              proto::ws_retry_after{now_ms, now_ms + d.retry_after_s * 1000});
        return o;
    }
    o.response = it->second(c);
    o.reached_engine = c.reached_engine;
    return o;
}

} // namespace genesis::sim::server
