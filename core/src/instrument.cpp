#include "genesis/core/instrument.hpp"

namespace genesis {

std::string_view describe(rule_violation v) noexcept {
    switch (v) {
    case rule_violation::non_positive_quantity: return "quantity must be positive";
    case rule_violation::missing_price: return "a limit order needs a price";
    case rule_violation::non_positive_price: return "price must be positive";
    case rule_violation::price_below_min: return "price is below the minimum price";
    case rule_violation::price_above_max: return "price is above the maximum price";
    case rule_violation::price_off_tick: return "price is not a multiple of the tick size";
    case rule_violation::quantity_below_min: return "quantity is below the minimum quantity";
    case rule_violation::quantity_above_max: return "quantity is above the maximum quantity";
    case rule_violation::quantity_off_step: return "quantity is not a multiple of the step size";
    case rule_violation::notional_below_min: return "notional (price x quantity) is below the minimum";
    case rule_violation::notional_above_max: return "notional (price x quantity) is above the maximum";
    }
    return "unknown rule violation";
}

std::string_view filter_name(rule_violation v) noexcept {
    switch (v) {
    case rule_violation::non_positive_quantity:
    case rule_violation::quantity_below_min:
    case rule_violation::quantity_above_max:
    case rule_violation::quantity_off_step: return "LOT_SIZE";
    case rule_violation::missing_price:
    case rule_violation::non_positive_price:
    case rule_violation::price_below_min:
    case rule_violation::price_above_max:
    case rule_violation::price_off_tick: return "PRICE_FILTER";
    case rule_violation::notional_below_min:
    case rule_violation::notional_above_max: return "NOTIONAL";
    }
    return "UNKNOWN";
}

std::optional<rule_violation> instrument::validate(order_type type, std::optional<decimal> price, decimal quantity,
                                                   std::optional<decimal> reference_price) const noexcept {
    if (!quantity.is_positive())
        return rule_violation::non_positive_quantity;
    if (has_limit_price(type)) {
        if (!price)
            return rule_violation::missing_price;
        if (!price->is_positive())
            return rule_violation::non_positive_price;
        if (!min_price.is_zero() && *price < min_price)
            return rule_violation::price_below_min;
        if (!max_price.is_zero() && *price > max_price)
            return rule_violation::price_above_max;
        if (!tick_size.is_zero() && !price->is_multiple_of(tick_size))
            return rule_violation::price_off_tick;
    }
    if (!min_qty.is_zero() && quantity < min_qty)
        return rule_violation::quantity_below_min;
    if (!max_qty.is_zero() && quantity > max_qty)
        return rule_violation::quantity_above_max;
    if (!step_size.is_zero() && !quantity.is_multiple_of(step_size))
        return rule_violation::quantity_off_step;

    // The notional uses the limit price, else the reference price; without either it is not checked.
    const std::optional<decimal> notional_price = has_limit_price(type) ? price : reference_price;
    if (notional_price) {
        auto notional = notional_price->mul(quantity, rounding::down);
        // A notional beyond the decimal range is above any max_notional there can be.
        if (!notional)
            return max_notional.is_zero() ? std::nullopt : std::optional{rule_violation::notional_above_max};
        if (!min_notional.is_zero() && *notional < min_notional)
            return rule_violation::notional_below_min;
        if (!max_notional.is_zero() && *notional > max_notional)
            return rule_violation::notional_above_max;
    }
    return std::nullopt;
}

result<decimal> instrument::round_price(decimal price, rounding mode) const noexcept {
    if (tick_size.is_zero())
        return price;
    return price.round_to(tick_size, mode);
}

result<decimal> instrument::round_quantity(decimal quantity, rounding mode) const noexcept {
    if (step_size.is_zero())
        return quantity;
    return quantity.round_to(step_size, mode);
}

} // namespace genesis
