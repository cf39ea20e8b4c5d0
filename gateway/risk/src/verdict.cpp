#include "genesis/gateway/risk/verdict.hpp"

namespace genesis::gateway::risk {

std::string_view to_string(reject_code c) noexcept {
    switch (c) {
    case reject_code::ok: return "ok";
    case reject_code::killed: return "killed";
    case reject_code::invalid_order: return "invalid_order";
    case reject_code::max_order_qty: return "max_order_qty";
    case reject_code::max_order_notional: return "max_order_notional";
    case reject_code::max_position: return "max_position";
    case reject_code::price_band: return "price_band";
    case reject_code::no_reference_price: return "no_reference_price";
    case reject_code::max_open_orders: return "max_open_orders";
    case reject_code::order_rate: return "order_rate";
    case reject_code::self_cross: return "self_cross";
    case reject_code::insufficient_balance: return "insufficient_balance";
    }
    return "unknown";
}

} // namespace genesis::gateway::risk
