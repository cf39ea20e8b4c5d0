// Errors of the simulated exchange, each carrying Binance Spot's error code and exact message so
// the server can render {"code":-2010,"msg":"..."} without a table of its own.
#pragma once

#include "genesis/core/error.hpp"
#include "genesis/core/instrument.hpp"

#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace genesis::sim {

/// Why the simulated exchange refused a request. Values are stable: never renumber, only append.
/// binance_code() and binance_message() give the wire rendering of each.
enum class sim_errc {
    ok = 0,
    unknown = 1,                       ///< -1000 An unknown error occurred while processing the request.
    too_many_requests = 2,             ///< -1003 Too much request weight used; ...
    backend_timeout = 3,               ///< -1007 Timeout waiting for response from backend server. ...
    server_busy = 4,                   ///< -1008 Server is currently overloaded with other requests. ...
    unsupported_order_combination = 5, ///< -1014 Unsupported order combination.
    invalid_timestamp = 6,             ///< -1021 Timestamp for this request is outside of the recvWindow.
    invalid_signature = 7,             ///< -1022 Signature for this request is not valid.
    illegal_chars = 8,                 ///< -1100 Illegal characters found in a parameter.
    mandatory_param_missing = 9,       ///< -1102 A mandatory parameter was not sent, was empty/null, or malformed.
    missing_time_in_force = 10,        ///< -1102 Mandatory parameter 'timeInForce' was not sent, ...
    missing_price = 11,                ///< -1102 Mandatory parameter 'price' was not sent, ...
    missing_quantity = 12,             ///< -1102 Mandatory parameter 'quantity' was not sent, ...
    missing_quantity_or_quote = 13,    ///< -1102 Param 'quantity' or 'quoteOrderQty' must be sent, ...
    missing_order_id = 14,             ///< -1102 Param 'origClientOrderId' or 'orderId' must be sent, ...
    param_not_required = 15,           ///< -1106 A parameter was sent when not required.
    time_in_force_not_required = 16,   ///< -1106 Parameter 'timeInForce' sent when not required.
    price_not_required = 17,           ///< -1106 Parameter 'price' sent when not required.
    quote_order_qty_not_required = 18, ///< -1106 Parameter 'quoteOrderQty' sent when not required.
    bad_precision = 19,                ///< -1111 Precision is over the maximum defined for this asset.
    invalid_time_in_force = 20,        ///< -1115 Invalid timeInForce.
    invalid_order_type = 21,           ///< -1116 Invalid orderType.
    invalid_side = 22,                 ///< -1117 Invalid side.
    invalid_symbol = 23,               ///< -1121 Invalid symbol.
    invalid_listen_key = 24,           ///< -1125 This listenKey does not exist.
    filter_price = 25,                 ///< -1013 Filter failure: PRICE_FILTER
    filter_lot_size = 26,              ///< -1013 Filter failure: LOT_SIZE
    filter_notional = 27,              ///< -1013 Filter failure: NOTIONAL
    filter_market_lot_size = 28,       ///< -1013 Filter failure: MARKET_LOT_SIZE
    filter_max_num_orders = 29,        ///< -1013 Filter failure: MAX_NUM_ORDERS
    would_match_and_take = 30,         ///< -2010 Order would immediately match and take.
    insufficient_balance = 31,         ///< -2010 Account has insufficient balance for requested action.
    duplicate_order = 32,              ///< -2010 Duplicate order sent.
    unknown_order = 33,                ///< -2011 Unknown order sent.
    no_such_order = 34,                ///< -2013 Order does not exist.
    bad_api_key_format = 35,           ///< -2014 API-key format invalid.
    invalid_api_key = 36,              ///< -2015 Invalid API-key, IP, or permissions for action.
    duplicate_account = 37,            ///< -1000 (setup only) An account with this API key already exists.
};

/// Binance's numeric code for e (-2010, -1013, ...); 0 for ok.
int binance_code(sim_errc e) noexcept;
/// Binance's exact message for e ("Duplicate order sent.", "Filter failure: LOT_SIZE").
std::string_view binance_message(sim_errc e) noexcept;
/// The -1013 filter failure for a rule broken (PRICE_FILTER, LOT_SIZE or NOTIONAL).
sim_errc from_rule_violation(rule_violation v) noexcept;

/// The category of sim_errc values ("genesis.sim"); message() is binance_message().
const boost::system::error_category& sim_category() noexcept;

inline error_code make_error_code(sim_errc e) noexcept { return {static_cast<int>(e), sim_category()}; }

/// An error as Binance renders it.
struct binance_error {
    int code = 0;
    std::string msg;
    friend bool operator==(const binance_error&, const binance_error&) = default;
};

/// Renders any error: sim_errc values map exactly, anything else is -1000 with the generic message.
binance_error to_binance_error(const error_code& ec);

} // namespace genesis::sim

template <>
struct boost::system::is_error_code_enum<genesis::sim::sim_errc> : std::true_type {};
