// Order vocabulary with exact string conversions in both directions (Binance's spelling).
#pragma once

#include "genesis/core/error.hpp"

#include <cstdint>
#include <string_view>

namespace genesis {

enum class side : std::uint8_t { buy, sell };

enum class order_type : std::uint8_t {
    limit,
    market,
    limit_maker,
    stop_loss,
    stop_loss_limit,
    take_profit,
    take_profit_limit,
};

enum class time_in_force : std::uint8_t { gtc, ioc, fok };

/// Exchange statuses plus the gateway's own pending_new (sent, not yet acknowledged) and
/// unknown (the answer was lost: look the order up by client order id before anything else).
enum class order_status : std::uint8_t {
    pending_new,
    new_,
    partially_filled,
    filled,
    canceled,
    pending_cancel,
    rejected,
    expired,
    expired_in_match,
    unknown,
};

/// What happened to an order in one execution report.
enum class execution_type : std::uint8_t {
    new_,
    canceled,
    replaced,
    rejected,
    trade,
    expired,
    trade_prevention,
    amendment, ///< order amended in place (order.amend.keepPriority)
};

// Exact names: "BUY", "LIMIT_MAKER", "GTC", "PARTIALLY_FILLED", "TRADE", ...
std::string_view to_string(side v) noexcept;
std::string_view to_string(order_type v) noexcept;
std::string_view to_string(time_in_force v) noexcept;
std::string_view to_string(order_status v) noexcept;
std::string_view to_string(execution_type v) noexcept;

/// Parses the exact, case-sensitive name; anything else is core_errc::unknown_enum.
template <class E>
[[nodiscard]] result<E> parse_enum(std::string_view s) noexcept;

template <>
[[nodiscard]] result<side> parse_enum<side>(std::string_view s) noexcept;
template <>
[[nodiscard]] result<order_type> parse_enum<order_type>(std::string_view s) noexcept;
template <>
[[nodiscard]] result<time_in_force> parse_enum<time_in_force>(std::string_view s) noexcept;
template <>
[[nodiscard]] result<order_status> parse_enum<order_status>(std::string_view s) noexcept;
template <>
[[nodiscard]] result<execution_type> parse_enum<execution_type>(std::string_view s) noexcept;

/// A status after which the order can change no more.
constexpr bool is_final(order_status s) noexcept {
    return s == order_status::filled || s == order_status::canceled || s == order_status::rejected ||
           s == order_status::expired || s == order_status::expired_in_match;
}

/// A status in which the order rests on the venue and can still be cancelled.
constexpr bool is_working(order_status s) noexcept {
    return s == order_status::new_ || s == order_status::partially_filled;
}

/// The other side.
constexpr side opposite(side s) noexcept { return s == side::buy ? side::sell : side::buy; }

/// Order types that carry a limit price.
constexpr bool has_limit_price(order_type t) noexcept {
    return t == order_type::limit || t == order_type::limit_maker || t == order_type::stop_loss_limit ||
           t == order_type::take_profit_limit;
}

} // namespace genesis
