#include "genesis/gateway/risk/risk_config.hpp"

#include "genesis/config/reader.hpp"

#include <string>

namespace genesis::gateway::risk {

const symbol_limits& risk_config::limits_for(const symbol& sym) const noexcept {
    if (auto it = symbols.find(sym); it != symbols.end())
        return it->second;
    return defaults;
}

namespace {

constexpr std::string_view unlimited_text = "unlimited";

// A positive decimal string or "unlimited"; anything else keeps `def` and is reported at the key.
decimal get_limit(config::table_reader& r, std::string_view key, decimal def) {
    if (!r.contains(key)) {
        r.declare(key);
        return def;
    }
    // get_string reports a value of the wrong TOML type itself and returns the sentinel.
    constexpr std::string_view wrong_type = "\x01";
    const std::string text = r.get_string(key, wrong_type);
    if (text == wrong_type)
        return def;
    if (text == unlimited_text)
        return unlimited;
    auto d = decimal::parse(text);
    if (!d || !d->is_positive()) {
        r.reject(key, "a positive decimal string or \"unlimited\"");
        return def;
    }
    return *d;
}

// Reads the per-symbol keys; out holds the values to keep for absent keys.
void parse_limits(config::table_reader& r, symbol_limits& out) {
    out.max_order_qty = get_limit(r, "max_order_qty", out.max_order_qty);
    out.max_order_notional = get_limit(r, "max_order_notional", out.max_order_notional);
    out.max_position = get_limit(r, "max_position", out.max_position);
    out.price_band_bps = r.get_int("price_band_bps", out.price_band_bps, 0, 10'000);
}

} // namespace

void parse_risk_section(config::table_reader& r, risk_config& out) {
    out.max_open_orders = r.get_int("max_open_orders", out.max_open_orders, 0);
    out.max_orders_per_second = r.get_int("max_orders_per_second", out.max_orders_per_second, 1);
    out.max_orders_per_minute = r.get_int("max_orders_per_minute", out.max_orders_per_minute, 0);
    out.self_cross_prevention = r.get_bool("self_cross_prevention", out.self_cross_prevention);
    parse_limits(r, out.defaults);

    // Symbols are read after the defaults, so each override starts from the [risk] values.
    auto symbols = r.table("symbols");
    for (auto& [name, t] : symbols.tables()) {
        auto sym = symbol::make(name);
        if (!sym || name.empty()) {
            symbols.error(name, "a symbol name of 1-24 characters");
            continue;
        }
        symbol_limits limits = out.defaults;
        parse_limits(t, limits);
        out.symbols[*sym] = limits;
    }
}

} // namespace genesis::gateway::risk
