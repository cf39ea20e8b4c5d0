#include "genesis/gateway/runtime/runtime_config.hpp"

#include "genesis/config/loader.hpp"
#include "genesis/core/thread.hpp"

#include <algorithm>
#include <sched.h>
#include <unistd.h>

namespace genesis::gateway::runtime {

namespace {

bool valid_symbol(std::string_view s) {
    if (s.empty() || s.size() > symbol::capacity())
        return false;
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    return true;
}

} // namespace

void parse_venue_section(config::table_reader& r, venue_section& out) {
    out.rest_urls = r.get_string_array("rest_urls", out.rest_urls);
    out.ws_streams_url = r.get_string("ws_streams_url", out.ws_streams_url);
    out.ws_api_url = r.get_string("ws_api_url", out.ws_api_url);
    out.ca_file = r.get_string("ca_file", out.ca_file);
    out.api_key = r.get_string("api_key", out.api_key);
    out.api_secret = r.get_string("api_secret", out.api_secret);
    if (r.contains("symbols")) {
        std::vector<symbol> syms;
        bool bad = false;
        for (const auto& s : r.get_string_array("symbols", {})) {
            bad = bad || !valid_symbol(s);
            syms.push_back(symbol::truncating(s));
        }
        if (bad || syms.empty())
            r.reject("symbols", "one or more symbols in upper case, e.g. [\"BTCUSDT\"]");
        else
            out.symbols = std::move(syms);
    }
    out.recv_window_ms = static_cast<std::uint32_t>(r.get_int("recv_window_ms", out.recv_window_ms, 1, 60000));
    out.weight_limit_per_minute = r.get_int("weight_limit_per_minute", out.weight_limit_per_minute, 1);
    out.warm_connections = static_cast<std::uint32_t>(r.get_int("warm_connections", out.warm_connections, 0, 16));
    out.reconnect_budget = static_cast<std::uint32_t>(r.get_int("reconnect_budget", out.reconnect_budget, 1, 300));
    out.reconnect_window =
        r.get_duration_ms("reconnect_window_ms", out.reconnect_window, std::chrono::milliseconds{1000});
    out.request_timeout = r.get_duration_ms("request_timeout_ms", out.request_timeout, std::chrono::milliseconds{1});
    out.order_timeout = r.get_duration_ms("order_timeout_ms", out.order_timeout, std::chrono::milliseconds{1});
    out.order_entry = r.get_choice("order_entry", out.order_entry, {"rest", "ws"});
    out.depth_stream = r.get_choice("depth_stream", out.depth_stream, {"@depth@100ms", "@depth"});
    out.depth_limit = static_cast<std::uint32_t>(r.get_int("depth_limit", out.depth_limit, 5, 5000));
    out.book_stale = r.get_duration_ms("book_stale_ms", out.book_stale, std::chrono::milliseconds{1});
    out.record_file = r.get_string("record_file", out.record_file);
}

void parse_sim_section(config::table_reader& r, sim_section& out) {
    out.executable = r.get_string("executable", out.executable);
    out.config = r.get_string("config", out.config);
    out.agents = r.get_bool("agents", out.agents);
    out.start_timeout = r.get_duration_ms("start_timeout_ms", out.start_timeout, std::chrono::milliseconds{100});
}

void parse_persistence_section(config::table_reader& r, persistence_section& out) {
    out.primary = r.get_string("primary", out.primary);
    if (out.primary.empty())
        r.reject("primary", "a file name");
    out.replicas = r.get_string_array("replicas", out.replicas);
    out.durability_full =
        r.get_choice("durability", out.durability_full ? "full" : "normal", {"full", "normal"}) == "full";
    out.group_commit = std::chrono::microseconds{r.get_int("group_commit_us", out.group_commit.count(), 0, 1'000'000)};
}

void parse_strategies_section(config::table_reader& r, std::vector<strategy_section>& out) {
    out.clear();
    for (auto& [name, t] : r.tables()) {
        strategy_section s;
        s.name = name;
        s.path = t.get_string("path", "");
        if (s.path.empty())
            t.reject("path", "the strategy's shared object (.so)");
        s.enabled = t.get_bool("enabled", s.enabled);
        s.timer = t.get_duration_ms("timer_ms", s.timer, std::chrono::milliseconds{1});
        s.book_depth = static_cast<std::size_t>(t.get_int("book_depth", 5, 1, 100));
        s.cancel_on_reload = t.get_choice("on_reload", "cancel", {"cancel", "keep"}) == "cancel";
        if (t.contains("symbols")) {
            bool bad = false;
            for (const auto& sym : t.get_string_array("symbols", {})) {
                bad = bad || !valid_symbol(sym);
                s.symbols.push_back(symbol::truncating(sym));
            }
            if (bad || s.symbols.empty())
                t.reject("symbols", "one or more symbols in upper case, e.g. [\"BTCUSDT\"]");
        }
        auto params = t.table("params");
        s.params = params.scalars();
        out.push_back(std::move(s));
    }
}

void parse_threads_section(config::table_reader& r, threads_section& out, const std::vector<unsigned>& allowed) {
    for (auto [key, cpus] : {std::pair{"processing", &out.processing}, std::pair{"io", &out.io},
                             std::pair{"database", &out.database}, std::pair{"log", &out.log}}) {
        const auto ids = r.get_int_array(key, {}, 0, CPU_SETSIZE - 1);
        cpus->clear();
        for (const auto id : ids) {
            const auto cpu = static_cast<unsigned>(id);
            if (std::find(allowed.begin(), allowed.end(), cpu) == allowed.end()) {
                r.error(key, "CPU " + std::to_string(cpu) +
                                 " is not one this process may run on (allowed: " + cpu_list_text(allowed) + ")");
                cpus->clear();
                break;
            }
            if (std::find(cpus->begin(), cpus->end(), cpu) == cpus->end())
                cpus->push_back(cpu);
        }
    }
}

void register_runtime_sections(config::loader& l, runtime_config& cfg) {
    config::register_sections(l, cfg.base);
    l.section("venue", [&cfg](config::table_reader& r) { parse_venue_section(r, cfg.venue); });
    l.section("sim", [&cfg](config::table_reader& r) { parse_sim_section(r, cfg.sim); });
    l.section("persistence", [&cfg](config::table_reader& r) { parse_persistence_section(r, cfg.persistence); });
    l.section("checkpoint", [&cfg](config::table_reader& r) {
        cfg.checkpoint.interval =
            r.get_duration_ms("interval_ms", cfg.checkpoint.interval, std::chrono::milliseconds{100});
    });
    l.section("shutdown", [&cfg](config::table_reader& r) {
        cfg.shutdown.cancel_open_orders = r.get_bool("cancel_open_orders", cfg.shutdown.cancel_open_orders);
        cfg.shutdown.cancel_timeout = r.get_duration_ms("cancel_timeout_ms", cfg.shutdown.cancel_timeout,
                                                        std::chrono::milliseconds{0}, std::chrono::milliseconds{4000});
        cfg.shutdown.hard_limit = r.get_duration_ms("hard_limit_ms", cfg.shutdown.hard_limit,
                                                    std::chrono::milliseconds{1000}, std::chrono::milliseconds{60000});
    });
    l.section("status", [&cfg](config::table_reader& r) {
        cfg.status.terminal = r.get_choice("terminal", cfg.status.terminal, {"auto", "on", "off"});
        cfg.status.interval = r.get_duration_ms("interval_ms", cfg.status.interval, std::chrono::milliseconds{100});
    });
    l.section("resources", [&cfg](config::table_reader& r) {
        cfg.resources.max_rss_mb = static_cast<std::uint64_t>(
            r.get_int("max_rss_mb", static_cast<std::int64_t>(cfg.resources.max_rss_mb), 16));
        cfg.resources.max_cpu_percent = static_cast<std::uint32_t>(
            r.get_int("max_cpu_percent", static_cast<std::int64_t>(cfg.resources.max_cpu_percent), 0, 100'000));
        cfg.resources.conflate_book_depth = static_cast<std::size_t>(
            r.get_int("conflate_book_depth", static_cast<std::int64_t>(cfg.resources.conflate_book_depth), 1));
    });
    l.section("threads", [&cfg](config::table_reader& r) { parse_threads_section(r, cfg.threads, allowed_cpus()); });
    l.section("ops", [&cfg](config::table_reader& r) { ops::parse_ops_section(r, cfg.ops); });
    l.section("paper", [&cfg](config::table_reader& r) { paper::parse_paper_section(r, cfg.paper); });
    l.section("strategies", [&cfg](config::table_reader& r) { parse_strategies_section(r, cfg.strategies); });
}

namespace {

std::string finish_venue(runtime_config& cfg, const std::filesystem::path& file) {
    auto& v = cfg.venue;
    const auto mode = cfg.base.gateway.mode;
    switch (mode) {
    case config::run_mode::sim:
        // genesis-sim's published test account (sim-only keys, not secrets).
        if (v.api_key.empty())
            v.api_key = "sim-test-api-key";
        if (v.api_secret.empty())
            v.api_secret = "sim-test-secret-key";
        break;
    case config::run_mode::testnet:
        if (v.rest_urls.empty())
            v.rest_urls = {"https://testnet.binance.vision", "https://api1.testnet.binance.vision"};
        if (v.ws_streams_url.empty())
            v.ws_streams_url = "wss://stream.testnet.binance.vision";
        if (v.ws_api_url.empty())
            v.ws_api_url = "wss://ws-api.testnet.binance.vision/ws-api/v3";
        break;
    case config::run_mode::live:
        if (v.rest_urls.empty())
            v.rest_urls = {"https://api.binance.com", "https://api1.binance.com", "https://api2.binance.com"};
        if (v.ws_streams_url.empty())
            v.ws_streams_url = "wss://stream.binance.com:9443";
        if (v.ws_api_url.empty())
            v.ws_api_url = "wss://ws-api.binance.com:443/ws-api/v3";
        break;
    case config::run_mode::paper:
        // Public market data only (Binance Spot testnet unless URLs are given); orders never leave
        // the gateway, so no key is needed and none is kept.
        if (v.rest_urls.empty() != v.ws_streams_url.empty())
            return cfg.where(file, "venue") + ": rest_urls and ws_streams_url must be given together in mode \"paper\"";
        if (v.rest_urls.empty())
            v.rest_urls = {"https://testnet.binance.vision", "https://api1.testnet.binance.vision"};
        if (v.ws_streams_url.empty())
            v.ws_streams_url = "wss://stream.testnet.binance.vision";
        v.ws_api_url.clear();
        v.api_key.clear();
        v.api_secret.clear();
        if (cfg.paper.balances.empty())
            return cfg.where(file, "paper.balances") +
                   ": mode \"paper\" needs the paper account's starting balances, e.g. "
                   "balances = { USDT = \"10000\", BTC = \"0.1\" }";
        return {};
    }
    // Located at the first of the two that is missing (or empty), its table when absent.
    if (mode != config::run_mode::sim && (v.api_key.empty() || v.api_secret.empty()))
        return cfg.where(file, v.api_key.empty() ? "venue.api_key" : "venue.api_secret",
                         "venue.api_key / venue.api_secret") +
               ": mode \"" + std::string(config::to_string(mode)) +
               "\" needs API keys (set them from the environment, e.g. " +
               (v.api_key.empty() ? "api_key" : "api_secret") + " = \"${" +
               (mode == config::run_mode::live ? "BINANCE_API_" : "BINANCE_TESTNET_API_") +
               (v.api_key.empty() ? "KEY" : "SECRET") + "}\")";
    const bool some = !v.rest_urls.empty() || !v.ws_streams_url.empty() || !v.ws_api_url.empty();
    const bool all = !v.rest_urls.empty() && !v.ws_streams_url.empty() && !v.ws_api_url.empty();
    if (some && !all)
        return cfg.where(file, "venue") + ": rest_urls, ws_streams_url and ws_api_url must be given together";
    return {};
}

} // namespace

std::string runtime_config::where(const std::filesystem::path& file, std::string_view key) const {
    return positions.where(file.string(), key);
}

std::string runtime_config::where(const std::filesystem::path& file, std::string_view key,
                                  std::string_view label) const {
    return positions.where(file.string(), key, label);
}

std::optional<std::size_t> breaker_index(std::string_view name) {
    if (name.size() < 5 || name.size() > 8 || !name.starts_with("rest"))
        return std::nullopt;
    std::size_t n = 0;
    for (char c : name.substr(4)) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    if (name.size() > 5 && name[4] == '0')
        return std::nullopt; // rest01 is not rest1
    return n;
}

std::string finish_runtime_config(runtime_config& cfg, const std::filesystem::path& file) {
    if (auto e = finish_venue(cfg, file); !e.empty())
        return e;
    // A strategy's symbols must be ones the gateway trades (it would never hear of the others).
    for (const auto& st : cfg.strategies)
        for (const auto& sym : st.symbols)
            if (std::find(cfg.venue.symbols.begin(), cfg.venue.symbols.end(), sym) == cfg.venue.symbols.end())
                return cfg.where(file, "strategies." + st.name + ".symbols") + ": " + sym.str() +
                       " is not one of venue.symbols";
    // Our own genesis-sim (mode sim without URLs) from a path of the user's: it must be a program.
    // The default path (the build's) not existing yet is not a configuration error: build it.
    if (cfg.base.gateway.mode == config::run_mode::sim && cfg.venue.rest_urls.empty() && !cfg.sim.executable.empty()) {
        const std::filesystem::path exe(cfg.sim.executable);
        std::error_code ec;
        if (!std::filesystem::is_regular_file(exe, ec) || ::access(exe.c_str(), X_OK) != 0)
            return cfg.where(file, "sim.executable") + ": genesis-sim not found or not executable: " + exe.string();
    }
    // Mode sim without URLs learns the number of endpoints when the sim starts (checked again then).
    return check_breaker_names(cfg, cfg.venue.rest_urls.size(), file);
}

std::string check_breaker_names(const runtime_config& cfg, std::size_t endpoints, const std::filesystem::path& file) {
    const bool ws_orders = cfg.venue.order_entry == "ws";
    for (const auto& [name, options] : cfg.base.resilience.breakers) {
        if (name == orders_breaker_name) {
            if (ws_orders)
                continue;
            return cfg.where(file, "resilience.breakers." + name) +
                   ": breaker orders is WebSocket API order entry's, and venue.order_entry is \"" +
                   cfg.venue.order_entry + "\" (placements go through the rest0, rest1, ... breakers)";
        }
        const auto index = breaker_index(name);
        if (!index || (endpoints != 0 && *index >= endpoints))
            return cfg.where(file, "resilience.breakers." + name) +
                   ": no breaker has this name (the gateway's are rest0, rest1, ..., one per venue.rest_urls entry" +
                   (endpoints == 0 ? std::string{} : ": rest0..rest" + std::to_string(endpoints - 1)) +
                   (ws_orders ? ", and orders, WebSocket API order entry's)" : ")");
    }
    return {};
}

} // namespace genesis::gateway::runtime
