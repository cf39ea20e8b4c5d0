// Request weights (REQUEST_WEIGHT, per IP) and order counting, per Binance's documentation.
#pragma once

#include "genesis/sim/protocol/params.hpp"

#include <cstddef>
#include <string_view>

namespace genesis::sim::protocol {

/// Weight of a depth request by limit: 1-100: 5, 101-500: 25, 501-1000: 50, 1001-5000: 250.
int depth_weight(std::size_t limit) noexcept;

/// Weight of a REST request (verb "GET"/"POST"/"DELETE"/"PUT", path "/api/v3/depth", ...)
/// with its parameters (read with params::peek: nothing is marked read). Unknown paths weigh 1.
int rest_weight(std::string_view verb, std::string_view path, const params& p) noexcept;

/// Weight of a WS-API method ("depth", "order.place", "openOrders.status", ...). Unknown: 1.
int ws_api_weight(std::string_view method, const params& p) noexcept;

/// True when the request counts against the ORDERS limits (new orders, not cancels or queries).
bool counts_as_order(std::string_view verb, std::string_view path) noexcept;
bool ws_counts_as_order(std::string_view method) noexcept;

} // namespace genesis::sim::protocol
