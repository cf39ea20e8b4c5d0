// Limits of the pre-trade risk checks and the parser of the [risk] config section.
#pragma once

#include "genesis/core/decimal.hpp"
#include "genesis/core/fixed_string.hpp"

#include <cstdint>
#include <map>

namespace genesis::config {
class table_reader;
} // namespace genesis::config

namespace genesis::gateway::risk {

/// A decimal limit that is not set: decimal::max(), so every comparison passes. Written
/// "unlimited" in the config.
inline constexpr decimal unlimited = decimal::max();

/// The limits of one symbol. Defaults (used when a key is absent):
/// - max_order_qty: unlimited (base units differ per symbol; set it per symbol),
/// - max_order_notional: 10000 (quote asset),
/// - max_position: unlimited (absolute base quantity; set it per symbol),
/// - price_band_bps: 500 (a limit price within +-5% of the mid); 0 turns the band off.
struct symbol_limits {
    decimal max_order_qty = unlimited;
    decimal max_order_notional = decimal::from_raw(10'000 * decimal::one_raw);
    decimal max_position = unlimited;
    std::int64_t price_band_bps = 500;
    friend bool operator==(const symbol_limits&, const symbol_limits&) = default;
};

/// Everything the risk engine enforces. Defaults:
/// - max_open_orders: 50 (all symbols together),
/// - max_orders_per_second: 10 accepted orders in any rolling second,
/// - max_orders_per_minute: 0 (off); when set, a second rolling window of 60 s,
/// - self_cross_prevention: true.
struct risk_config {
    std::int64_t max_open_orders = 50;
    std::int64_t max_orders_per_second = 10;
    std::int64_t max_orders_per_minute = 0;
    bool self_cross_prevention = true;
    /// Limits of every symbol without its own entry.
    symbol_limits defaults;
    /// Per-symbol limits; each already holds the defaults for the keys its table leaves out.
    std::map<symbol, symbol_limits> symbols;

    /// The limits of sym (its own entry, else the defaults).
    [[nodiscard]] const symbol_limits& limits_for(const symbol& sym) const noexcept;
};

/// Parses the [risk] section into out (its current values are the defaults):
///
///     [risk]
///     max_open_orders = 50            # integer >= 0
///     max_orders_per_second = 10      # integer >= 1
///     max_orders_per_minute = 0       # integer >= 0, 0 = off
///     self_cross_prevention = true
///     price_band_bps = 500            # integer 0..10000, 0 = off
///     max_order_qty = "unlimited"     # decimal string > 0, or "unlimited"
///     max_order_notional = "10000"
///     max_position = "unlimited"
///     [risk.symbols.BTCUSDT]          # overrides; absent keys take the [risk] values
///     max_order_qty = "0.5"
///     max_order_notional = "25000"
///     max_position = "2"
///     price_band_bps = 200
///
/// A bad decimal is rejected naming its key ("risk.max_order_notional: expected a positive
/// decimal string or \"unlimited\", found ..."); unknown keys are reported by the loader.
/// Register it with `loader.section("risk", [&](config::table_reader& r) { parse_risk_section(r, cfg); })`.
void parse_risk_section(config::table_reader& r, risk_config& out);

} // namespace genesis::gateway::risk
