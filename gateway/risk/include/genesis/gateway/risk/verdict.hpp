// The answer of a pre-trade check: accepted, or a reject code plus a text with the numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace genesis::gateway::risk {

/// Why a pre-trade check refused an order. Values are stable (metrics labels): only append.
enum class reject_code : std::uint8_t {
    ok = 0,               ///< accepted
    killed,               ///< the kill switch is engaged
    invalid_order,        ///< the intent lacks what its type needs, or has non-positive numbers
    max_order_qty,        ///< base quantity above the symbol's limit
    max_order_notional,   ///< quote notional above the symbol's limit
    max_position,         ///< worst-case position above the symbol's limit
    price_band,           ///< limit price too far from the mid
    no_reference_price,   ///< no book to price a market order or to check the band
    max_open_orders,      ///< too many open orders
    order_rate,           ///< too many accepted orders in the rolling window
    self_cross,           ///< would trade against one of our own open orders
    insufficient_balance, ///< the free balance does not cover the order
};

/// Number of reject_code values (for per-code counters).
inline constexpr std::size_t reject_code_count = 12;

/// Snake-case name for metrics labels and logs: "ok", "killed", "max_order_notional", ...
[[nodiscard]] std::string_view to_string(reject_code c) noexcept;

/// The result of a check. `text` is empty when accepted, else a human-readable reason with the
/// numbers ("notional 12000.5 > max 10000 for BTCUSDT").
struct verdict {
    reject_code code = reject_code::ok;
    std::string text;

    [[nodiscard]] bool ok() const noexcept { return code == reject_code::ok; }
    explicit operator bool() const noexcept { return ok(); }

    /// An accepted verdict.
    [[nodiscard]] static verdict accept() { return {}; }
    /// A rejection with its reason.
    [[nodiscard]] static verdict reject(reject_code c, std::string text) { return {c, std::move(text)}; }
};

} // namespace genesis::gateway::risk
