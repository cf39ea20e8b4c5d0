// Instrument rules: what an exchange accepts for one symbol, from its exchange info.
#pragma once

#include "genesis/core/decimal.hpp"
#include "genesis/core/enums.hpp"
#include "genesis/core/fixed_string.hpp"

#include <optional>
#include <string_view>

namespace genesis {

/// Why an order breaks an instrument's rules. Each names the Binance filter it corresponds to.
enum class rule_violation {
    non_positive_quantity,
    missing_price,
    non_positive_price,
    price_below_min,
    price_above_max,
    price_off_tick,
    quantity_below_min,
    quantity_above_max,
    quantity_off_step,
    notional_below_min,
    notional_above_max,
};

/// A readable reason ("price 1.005 is not a multiple of tick size 0.01").
std::string_view describe(rule_violation v) noexcept;
/// The Binance filter that rejects it ("PRICE_FILTER", "LOT_SIZE", "NOTIONAL").
std::string_view filter_name(rule_violation v) noexcept;

/// The rules of one symbol. A zero bound means "no bound", as in Binance's filters.
struct instrument {
    symbol name;
    asset base;
    asset quote;
    decimal tick_size;    ///< PRICE_FILTER tickSize (0: any price)
    decimal min_price;    ///< PRICE_FILTER minPrice
    decimal max_price;    ///< PRICE_FILTER maxPrice
    decimal step_size;    ///< LOT_SIZE stepSize (0: any quantity)
    decimal min_qty;      ///< LOT_SIZE minQty
    decimal max_qty;      ///< LOT_SIZE maxQty
    decimal min_notional; ///< NOTIONAL minNotional
    decimal max_notional; ///< NOTIONAL maxNotional

    /// Checks a limit-priced order (price and quantity) or, with no price, a market order's
    /// quantity; `reference_price` (for example the mid) is used for a market order's notional
    /// when given. Returns the first rule broken, or nothing when the order is valid.
    std::optional<rule_violation> validate(order_type type, std::optional<decimal> price, decimal quantity,
                                           std::optional<decimal> reference_price = std::nullopt) const noexcept;

    /// The price brought onto the tick grid (unchanged when tick_size is 0).
    [[nodiscard]] result<decimal> round_price(decimal price, rounding mode) const noexcept;
    /// The quantity brought onto the step grid (unchanged when step_size is 0).
    [[nodiscard]] result<decimal> round_quantity(decimal quantity, rounding mode) const noexcept;
};

} // namespace genesis
