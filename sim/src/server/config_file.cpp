#include "genesis/sim/server/config_file.hpp"

#include "genesis/config/reader.hpp"

#include <algorithm>
#include <limits>

namespace genesis::sim::server {

namespace {

using std::chrono::milliseconds;
constexpr std::int64_t max_port = 65535;

void parse_server(config::table_reader& r, sim_settings& s) {
    server_config& c = s.server;
    c.host = r.get_string("host", c.host);
    if (c.host != "127.0.0.1" && c.host != "localhost")
        r.reject("host", "a loopback address (\"127.0.0.1\" or \"localhost\")");
    if (c.host == "localhost")
        c.host = "127.0.0.1";
    const auto n = r.get_int("rest_listeners", static_cast<std::int64_t>(c.rest.size()), 1, 16);
    const auto rest_port = r.get_int("rest_port", 0, 0, max_port);
    c.rest.clear();
    for (std::int64_t i = 0; i < n; ++i)
        c.rest.push_back({"rest" + std::to_string(i),
                          static_cast<std::uint16_t>(rest_port == 0 ? 0 : std::min(rest_port + i, max_port))});
    c.streams.port = static_cast<std::uint16_t>(r.get_int("stream_port", c.streams.port, 0, max_port));
    c.ws_api.port = static_cast<std::uint16_t>(r.get_int("ws_api_port", c.ws_api.port, 0, max_port));
    c.control_port = static_cast<std::uint16_t>(r.get_int("control_port", c.control_port, 0, max_port));
    c.control_enabled = r.get_bool("control", c.control_enabled);
    c.ca_file = r.get_string("ca_file", c.ca_file);
    c.handshake_timeout = r.get_duration_ms("handshake_timeout_ms", c.handshake_timeout, milliseconds{1});
    c.read_timeout = r.get_duration_ms("read_timeout_ms", c.read_timeout, milliseconds{1});
    c.stall_timeout = r.get_duration_ms("stall_timeout_ms", c.stall_timeout, milliseconds{1});
    c.max_body_bytes = static_cast<std::size_t>(
        r.get_int("max_body_bytes", static_cast<std::int64_t>(c.max_body_bytes), 1024, 64 << 20));
    c.agents_enabled = r.get_bool("agents", c.agents_enabled);
    c.agent_interval = r.get_duration_ms("agent_interval_ms", c.agent_interval, milliseconds{1});
    c.depth_fast_interval = r.get_duration_ms("depth_fast_interval_ms", c.depth_fast_interval, milliseconds{1});
    c.depth_slow_interval = r.get_duration_ms("depth_slow_interval_ms", c.depth_slow_interval, milliseconds{1});
}

void parse_websocket(config::table_reader& r, sim_settings& s) {
    ws_config& w = s.server.ws;
    w.ping_interval = r.get_duration_ms("ping_interval_ms", w.ping_interval, milliseconds{1});
    w.pong_timeout = r.get_duration_ms("pong_timeout_ms", w.pong_timeout, milliseconds{1});
    w.connection_lifetime = r.get_duration_ms("connection_lifetime_ms", w.connection_lifetime, milliseconds{1});
    w.max_streams =
        static_cast<std::size_t>(r.get_int("max_streams", static_cast<std::int64_t>(w.max_streams), 1, 65536));
    w.max_queued_frames = static_cast<std::size_t>(
        r.get_int("max_queued_frames", static_cast<std::int64_t>(w.max_queued_frames), 1, 10'000'000));
    w.coalesce_writes = r.get_bool("coalesce_writes", w.coalesce_writes);
    w.max_incoming_per_second =
        static_cast<std::uint32_t>(r.get_int("max_incoming_per_second", w.max_incoming_per_second, 0, 1'000'000));
    w.max_connection_attempts =
        static_cast<std::uint32_t>(r.get_int("max_connection_attempts", w.max_connection_attempts, 0, 100'000'000));
    w.connection_attempt_window =
        r.get_duration_ms("connection_attempt_window_ms", w.connection_attempt_window, milliseconds{1});
    w.listen_key_lifetime = r.get_duration_ms("listen_key_lifetime_ms", w.listen_key_lifetime, milliseconds{1});
}

void parse_rate_limits(config::table_reader& r, sim_settings& s) {
    rate_limit_config& l = s.server.limits;
    l.enabled = r.get_bool("enabled", l.enabled);
    l.weight_per_minute = r.get_int("weight_per_minute", l.weight_per_minute, 1);
    l.orders_per_10s = r.get_int("orders_per_10s", l.orders_per_10s, 1);
    l.orders_per_day = r.get_int("orders_per_day", l.orders_per_day, 1);
    l.ban_after_violations = r.get_int("ban_after_violations", l.ban_after_violations, 1);
    l.ban_duration = r.get_duration_ms("ban_duration_ms", l.ban_duration, milliseconds{1});
    l.key = r.get_choice("key", l.key, {"ip", "connection"});
}

void parse_faults(config::table_reader& r, sim_settings& s) {
    fault_config& f = s.server.faults;
    f.seed = static_cast<std::uint64_t>(r.get_int("seed", static_cast<std::int64_t>(f.seed), 0));
    f.clock_skew = milliseconds{r.get_int("clock_skew_ms", f.clock_skew.count(), -86'400'000, 86'400'000)};
    auto rules = r.table("rules");
    for (auto& [name, t] : rules.tables()) {
        fault_rule rule;
        const std::string kind = t.get_choice("kind", "latency",
                                              {"latency", "http_error", "lost_ack", "reset", "stall", "ws_disconnect",
                                               "depth_gap", "duplicate", "reorder", "malformed", "truncated"});
        rule.kind = parse_fault_kind(kind).value_or(fault_kind::latency);
        rule.listener = t.get_string("listener", "");
        rule.target = t.get_string("target", "");
        rule.method = t.get_string("method", "");
        rule.probability = t.get_double("probability", 1.0, 0.0, 1.0);
        const auto lat = t.get_duration_ms("latency_ms", milliseconds{0});
        rule.latency_min = t.get_duration_ms("latency_min_ms", lat);
        rule.latency_max = t.get_duration_ms("latency_max_ms", std::max(lat, rule.latency_min));
        if (rule.latency_max < rule.latency_min)
            t.error("latency_max_ms", "must not be below latency_min_ms");
        rule.status = static_cast<int>(t.get_int("status", rule.status, 0, 599));
        rule.retry_after = std::chrono::seconds{t.get_int("retry_after_s", rule.retry_after.count(), 0, 86'400)};
        rule.interval = t.get_duration_ms("interval_ms", rule.interval);
        rule.max_count = static_cast<std::uint64_t>(t.get_int("max_count", 0, 0));
        f.rules.push_back(std::move(rule));
    }
}

// A decimal written as a TOML string ("0.01"): money and sizes never go through a double.
decimal get_decimal(config::table_reader& r, std::string_view key, decimal def, bool positive) {
    if (!r.contains(key)) {
        r.declare(key);
        return def;
    }
    const std::string text = r.get_string(key, "");
    auto d = decimal::parse(text);
    if (!d || (positive && !d->is_positive()) || d->is_negative()) {
        r.reject(key, positive ? "a positive decimal string such as \"0.01\"" : "a decimal string such as \"0\"");
        return def;
    }
    return *d;
}

// [exchange.markets.SYMBOL]: the filters of a listed symbol (or a new one, with base and quote)
// and its background agents.
void parse_market(config::table_reader& t, const std::string& name, exchange_config& ex) {
    const symbol sym = symbol::truncating(name);
    if (name.empty() || name.size() > 16 ||
        name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != std::string::npos) {
        t.error("", "a market name is an upper-case symbol such as BTCUSDT");
        return;
    }
    auto it = std::find_if(ex.markets.begin(), ex.markets.end(), [&](const instrument& i) { return i.name == sym; });
    const bool is_new = it == ex.markets.end();
    instrument ins;
    if (is_new) {
        using namespace genesis::literals;
        ins.name = sym;
        ins.min_price = ins.tick_size = "0.01"_d;
        ins.max_price = "1000000"_d;
        ins.min_qty = ins.step_size = "0.0001"_d;
        ins.max_qty = "9000"_d;
        ins.min_notional = "5"_d;
        ins.max_notional = "9000000"_d;
    } else {
        ins = *it;
    }
    const std::string base = t.get_string("base", std::string(ins.base.view()));
    const std::string quote = t.get_string("quote", std::string(ins.quote.view()));
    if (is_new && (base.empty() || quote.empty()))
        t.error("base", "a new market needs base and quote assets");
    ins.base = asset::truncating(base);
    ins.quote = asset::truncating(quote);
    const bool tick_given = t.contains("tick_size");
    const bool step_given = t.contains("step_size");
    ins.tick_size = get_decimal(t, "tick_size", ins.tick_size, true);
    ins.min_price = get_decimal(t, "min_price", tick_given ? ins.tick_size : ins.min_price, false);
    ins.max_price = get_decimal(t, "max_price", ins.max_price, true);
    ins.step_size = get_decimal(t, "step_size", ins.step_size, true);
    ins.min_qty = get_decimal(t, "min_qty", step_given ? ins.step_size : ins.min_qty, false);
    ins.max_qty = get_decimal(t, "max_qty", ins.max_qty, true);
    ins.min_notional = get_decimal(t, "min_notional", ins.min_notional, false);
    ins.max_notional = get_decimal(t, "max_notional", ins.max_notional, true);
    if (is_new)
        ex.markets.push_back(ins);
    else
        *it = ins;

    auto& agents = ex.agents.markets;
    auto ait = std::find_if(agents.begin(), agents.end(), [&](const agent_market_config& a) { return a.sym == sym; });
    const bool has_agents = ait != agents.end();
    if (!t.get_bool("agents", has_agents || t.contains("start_mid"))) {
        if (has_agents)
            agents.erase(ait);
        for (std::string_view k :
             {"start_mid", "volatility", "orders_per_second", "levels", "spread_ticks", "min_qty_steps",
              "max_qty_steps", "cancel_probability", "take_probability", "max_open_orders"})
            t.declare(k);
        return;
    }
    agent_market_config a = has_agents ? *ait : agent_market_config{};
    a.sym = sym;
    if (!has_agents && !t.contains("start_mid"))
        t.error("start_mid", "agents on a market need start_mid (a decimal string)");
    a.start_mid = get_decimal(t, "start_mid", a.start_mid, true);
    a.volatility = t.get_double("volatility", a.volatility, 0.0, 1.0);
    a.orders_per_second = t.get_double("orders_per_second", a.orders_per_second, 0.0, 1e6);
    a.levels = static_cast<int>(t.get_int("levels", a.levels, 1, 1000));
    a.spread_ticks = static_cast<int>(t.get_int("spread_ticks", a.spread_ticks, 1, 1'000'000));
    a.min_qty_steps = t.get_int("min_qty_steps", a.min_qty_steps, 1);
    a.max_qty_steps = t.get_int("max_qty_steps", a.max_qty_steps, 1);
    if (a.max_qty_steps < a.min_qty_steps)
        t.error("max_qty_steps", "must not be below min_qty_steps");
    a.cancel_probability = t.get_double("cancel_probability", a.cancel_probability, 0.0, 1.0);
    a.take_probability = t.get_double("take_probability", a.take_probability, 0.0, 1.0);
    if (a.cancel_probability + a.take_probability > 1.0)
        t.error("take_probability", "cancel_probability + take_probability must not exceed 1");
    a.max_open_orders = static_cast<std::size_t>(
        t.get_int("max_open_orders", static_cast<std::int64_t>(a.max_open_orders), 1, 100'000));
    if (has_agents)
        *ait = a;
    else
        agents.push_back(a);
}

void parse_exchange(config::table_reader& r, sim_settings& s) {
    s.exchange.agents.seed =
        static_cast<std::uint64_t>(r.get_int("agents_seed", static_cast<std::int64_t>(s.exchange.agents.seed), 0));
    s.exchange.agents.max_actions_per_advance = static_cast<std::size_t>(
        r.get_int("agents_max_actions_per_advance",
                  static_cast<std::int64_t>(s.exchange.agents.max_actions_per_advance), 1, 10'000'000));
    auto markets = r.table("markets");
    for (auto& [name, t] : markets.tables())
        parse_market(t, name, s.exchange);
    if (!r.get_bool("agents_markets", true))
        s.exchange.agents.markets.clear();
    s.exchange.max_open_orders = static_cast<std::size_t>(
        r.get_int("max_open_orders", static_cast<std::int64_t>(s.exchange.max_open_orders), 0, 100'000));
    s.exchange.report_rejections = r.get_bool("report_rejections", s.exchange.report_rejections);
    s.ed25519_test_account = r.get_bool("ed25519_test_account", s.ed25519_test_account);
}

} // namespace

void register_sim_sections(config::loader& l, sim_settings& out) {
    l.section("server", [&out](config::table_reader& r) { parse_server(r, out); });
    l.section("websocket", [&out](config::table_reader& r) { parse_websocket(r, out); });
    l.section("rate_limits", [&out](config::table_reader& r) { parse_rate_limits(r, out); });
    l.section("faults", [&out](config::table_reader& r) { parse_faults(r, out); });
    l.section("exchange", [&out](config::table_reader& r) { parse_exchange(r, out); });
}

std::vector<config::diagnostic> load_sim_config(const std::filesystem::path& file, sim_settings& out) {
    config::loader l;
    register_sim_sections(l, out);
    return l.parse_file(file);
}

} // namespace genesis::sim::server
