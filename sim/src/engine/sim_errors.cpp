#include "genesis/sim/sim_errors.hpp"

namespace genesis::sim {
namespace {

struct entry {
    int code;
    std::string_view msg;
};

entry lookup(sim_errc e) noexcept {
    switch (e) {
    case sim_errc::ok: return {0, "success"};
    case sim_errc::unknown: return {-1000, "An unknown error occurred while processing the request."};
    case sim_errc::too_many_requests:
        return {-1003, "Too much request weight used; please use WebSocket Streams for live updates to avoid "
                       "polling the API."};
    case sim_errc::backend_timeout:
        return {-1007, "Timeout waiting for response from backend server. Send status unknown; execution status "
                       "unknown."};
    case sim_errc::server_busy:
        return {-1008, "Server is currently overloaded with other requests. Please try again in a few minutes."};
    case sim_errc::unsupported_order_combination: return {-1014, "Unsupported order combination."};
    case sim_errc::invalid_timestamp: return {-1021, "Timestamp for this request is outside of the recvWindow."};
    case sim_errc::invalid_signature: return {-1022, "Signature for this request is not valid."};
    case sim_errc::illegal_chars: return {-1100, "Illegal characters found in a parameter."};
    case sim_errc::mandatory_param_missing:
        return {-1102, "A mandatory parameter was not sent, was empty/null, or malformed."};
    case sim_errc::missing_time_in_force:
        return {-1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed."};
    case sim_errc::missing_price:
        return {-1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed."};
    case sim_errc::missing_quantity:
        return {-1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed."};
    case sim_errc::missing_quantity_or_quote:
        return {-1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!"};
    case sim_errc::missing_order_id:
        return {-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"};
    case sim_errc::param_not_required: return {-1106, "A parameter was sent when not required."};
    case sim_errc::time_in_force_not_required: return {-1106, "Parameter 'timeInForce' sent when not required."};
    case sim_errc::price_not_required: return {-1106, "Parameter 'price' sent when not required."};
    case sim_errc::quote_order_qty_not_required: return {-1106, "Parameter 'quoteOrderQty' sent when not required."};
    case sim_errc::bad_precision: return {-1111, "Precision is over the maximum defined for this asset."};
    case sim_errc::invalid_time_in_force: return {-1115, "Invalid timeInForce."};
    case sim_errc::invalid_order_type: return {-1116, "Invalid orderType."};
    case sim_errc::invalid_side: return {-1117, "Invalid side."};
    case sim_errc::invalid_symbol: return {-1121, "Invalid symbol."};
    case sim_errc::invalid_listen_key: return {-1125, "This listenKey does not exist."};
    case sim_errc::filter_price: return {-1013, "Filter failure: PRICE_FILTER"};
    case sim_errc::filter_lot_size: return {-1013, "Filter failure: LOT_SIZE"};
    case sim_errc::filter_notional: return {-1013, "Filter failure: NOTIONAL"};
    case sim_errc::filter_market_lot_size: return {-1013, "Filter failure: MARKET_LOT_SIZE"};
    case sim_errc::filter_max_num_orders: return {-1013, "Filter failure: MAX_NUM_ORDERS"};
    case sim_errc::would_match_and_take: return {-2010, "Order would immediately match and take."};
    case sim_errc::insufficient_balance: return {-2010, "Account has insufficient balance for requested action."};
    case sim_errc::duplicate_order: return {-2010, "Duplicate order sent."};
    case sim_errc::unknown_order: return {-2011, "Unknown order sent."};
    case sim_errc::no_such_order: return {-2013, "Order does not exist."};
    case sim_errc::bad_api_key_format: return {-2014, "API-key format invalid."};
    case sim_errc::invalid_api_key: return {-2015, "Invalid API-key, IP, or permissions for action."};
    case sim_errc::duplicate_account: return {-1000, "An account with this API key already exists."};
    }
    return {-1000, "An unknown error occurred while processing the request."};
}

class sim_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.sim"; }
    std::string message(int ev) const override { return std::string(lookup(static_cast<sim_errc>(ev)).msg); }
};

} // namespace

int binance_code(sim_errc e) noexcept { return lookup(e).code; }

std::string_view binance_message(sim_errc e) noexcept { return lookup(e).msg; }

sim_errc from_rule_violation(rule_violation v) noexcept {
    const std::string_view f = filter_name(v);
    if (f == "PRICE_FILTER")
        return sim_errc::filter_price;
    if (f == "NOTIONAL")
        return sim_errc::filter_notional;
    return sim_errc::filter_lot_size;
}

const boost::system::error_category& sim_category() noexcept {
    static const sim_category_impl instance;
    return instance;
}

binance_error to_binance_error(const error_code& ec) {
    if (ec.category() == sim_category()) {
        const auto e = static_cast<sim_errc>(ec.value());
        return {binance_code(e), std::string(binance_message(e))};
    }
    return {binance_code(sim_errc::unknown), std::string(binance_message(sim_errc::unknown))};
}

} // namespace genesis::sim
