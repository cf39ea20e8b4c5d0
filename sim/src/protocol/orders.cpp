#include "genesis/sim/protocol/orders.hpp"

#include "genesis/sim/exchange.hpp"

#include <algorithm>

namespace genesis::sim::protocol {
namespace {

// Parameters every signed trading request may carry that the order itself does not use.
constexpr std::string_view ignored_order_params[] = {
    "recvWindow", "timestamp",    "apiKey",
    "signature",  "stopPrice",    "icebergQty",
    "strategyId", "strategyType", "selfTradePreventionMode",
};

proto_result<symbol> read_symbol(const params& p, const exchange* ex) {
    auto sym = p.required_symbol("symbol");
    if (!sym)
        return sym.error();
    if (ex != nullptr && ex->find_instrument(*sym) == nullptr)
        return make_error(sim_errc::invalid_symbol);
    return *sym;
}

} // namespace

std::string_view to_string(order_resp_type t) noexcept {
    switch (t) {
    case order_resp_type::ack: return "ACK";
    case order_resp_type::result: return "RESULT";
    case order_resp_type::full: return "FULL";
    }
    return "FULL";
}

proto_result<new_order_params> parse_new_order(const params& p, const exchange* ex) {
    new_order_params out;
    auto& req = out.request;

    // Binance checks the mandatory trio first, in this order.
    auto sym = read_symbol(p, ex);
    if (!sym)
        return sym.error();
    req.sym = *sym;
    auto sd = p.required_side("side");
    if (!sd)
        return sd.error();
    req.order_side = *sd;
    auto type = p.required_order_type("type");
    if (!type)
        return type.error();
    req.type = *type;

    auto tif = p.optional_time_in_force("timeInForce");
    if (!tif)
        return tif.error();
    req.tif = *tif;
    auto qty = p.optional_decimal("quantity");
    if (!qty)
        return qty.error();
    req.quantity = *qty;
    auto quote = p.optional_decimal("quoteOrderQty");
    if (!quote)
        return quote.error();
    req.quote_order_qty = *quote;
    auto price = p.optional_decimal("price");
    if (!price)
        return price.error();
    req.price = *price;
    auto cid = p.optional_client_id("newClientOrderId");
    if (!cid)
        return cid.error();
    req.client_id = *cid;

    out.resp_type = default_resp_type(req.type);
    if (auto rt = p.optional("newOrderRespType")) {
        if (*rt == "ACK")
            out.resp_type = order_resp_type::ack;
        else if (*rt == "RESULT")
            out.resp_type = order_resp_type::result;
        else if (*rt == "FULL")
            out.resp_type = order_resp_type::full;
        else
            return illegal_chars("newOrderRespType", "ACK, RESULT, FULL");
    }
    for (auto name : ignored_order_params)
        p.mark_read(name);
    return out;
}

proto_result<cancel_request> parse_cancel(const params& p, const exchange* ex) {
    cancel_request out;
    auto sym = read_symbol(p, ex);
    if (!sym)
        return sym.error();
    out.sym = *sym;
    auto id = p.optional_uint("orderId");
    if (!id)
        return id.error();
    out.order_id = *id;
    auto orig = p.optional_client_id("origClientOrderId");
    if (!orig)
        return orig.error();
    out.orig_client_id = *orig;
    auto fresh = p.optional_client_id("newClientOrderId");
    if (!fresh)
        return fresh.error();
    out.new_client_id = *fresh;
    if (!out.order_id && out.orig_client_id.empty())
        return either_missing("origClientOrderId", "orderId");
    p.mark_read("cancelRestrictions");
    for (auto name : ignored_order_params)
        p.mark_read(name);
    return out;
}

proto_result<order_query_params> parse_order_query(const params& p, const exchange* ex) {
    order_query_params out;
    auto sym = read_symbol(p, ex);
    if (!sym)
        return sym.error();
    out.sym = *sym;
    auto id = p.optional_uint("orderId");
    if (!id)
        return id.error();
    out.order_id = *id;
    auto orig = p.optional_client_id("origClientOrderId");
    if (!orig)
        return orig.error();
    out.orig_client_id = *orig;
    if (!out.order_id && out.orig_client_id.empty())
        return either_missing("origClientOrderId", "orderId");
    return out;
}

proto_result<std::size_t> parse_limit(const params& p, std::size_t default_limit, std::size_t max_limit) {
    auto v = p.optional_uint("limit");
    if (!v)
        return v.error();
    const std::size_t limit =
        !*v || **v == 0 ? default_limit : static_cast<std::size_t>(std::min<std::uint64_t>(**v, max_limit));
    return proto_result<std::size_t>(boost::system::in_place_value, limit);
}

} // namespace genesis::sim::protocol
