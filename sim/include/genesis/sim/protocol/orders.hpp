// Order requests from parameters: POST /api/v3/order and order.place, DELETE /api/v3/order and
// order.cancel, and the order/trade query parameters.
#pragma once

#include "genesis/sim/protocol/params.hpp"
#include "genesis/sim/types.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace genesis::sim {
class exchange;
}

namespace genesis::sim::protocol {

/// newOrderRespType.
enum class order_resp_type : std::uint8_t { ack, result, full };

std::string_view to_string(order_resp_type t) noexcept;

/// Binance's default: FULL for MARKET and LIMIT, ACK for every other type.
constexpr order_resp_type default_resp_type(order_type t) noexcept {
    return t == order_type::market || t == order_type::limit ? order_resp_type::full : order_resp_type::ack;
}

/// A new order as parsed.
struct new_order_params {
    new_order_request request;
    order_resp_type resp_type = order_resp_type::full;
};

/// Reads symbol, side, type, timeInForce, quantity, quoteOrderQty, price, newClientOrderId,
/// newOrderRespType, and marks recvWindow/timestamp/apiKey/signature and the accepted-but-ignored
/// options (stopPrice, icebergQty, strategyId, strategyType, selfTradePreventionMode) read.
/// With ex, an unknown symbol is -1121. Combination rules (price with MARKET, ...) are the
/// engine's. Does not call check_all_read(): the caller does, after authentication.
[[nodiscard]] proto_result<new_order_params> parse_new_order(const params& p, const exchange* ex = nullptr);

/// symbol, orderId, origClientOrderId, newClientOrderId (-1102 "Param 'origClientOrderId' or
/// 'orderId' must be sent, but both were empty/null!" when neither). cancelRestrictions is read
/// and ignored.
[[nodiscard]] proto_result<cancel_request> parse_cancel(const params& p, const exchange* ex = nullptr);

/// GET /api/v3/order, order.status: symbol plus orderId or origClientOrderId.
struct order_query_params {
    symbol sym;
    std::optional<std::uint64_t> order_id;
    client_order_id orig_client_id;
};
[[nodiscard]] proto_result<order_query_params> parse_order_query(const params& p, const exchange* ex = nullptr);

/// The "limit" parameter: absent or 0 gives default_limit, above max_limit gives max_limit (Binance
/// truncates), not an integer is -1100.
[[nodiscard]] proto_result<std::size_t> parse_limit(const params& p, std::size_t default_limit, std::size_t max_limit);

} // namespace genesis::sim::protocol
