#include "genesis/sim/protocol/weights.hpp"

#include <charconv>

namespace genesis::sim::protocol {
namespace {

// The depth limit as sent (peeked, not read); Binance's default is 100.
std::size_t peek_limit(const params& p) noexcept {
    const param* l = p.peek("limit");
    if (l == nullptr || l->value.empty())
        return 100;
    std::size_t v = 0;
    const auto* end = l->value.data() + l->value.size();
    const auto r = std::from_chars(l->value.data(), end, v);
    if (r.ec != std::errc{} || r.ptr != end)
        return 100;
    return v == 0 ? 100 : v;
}

bool has_symbol(const params& p) noexcept { return p.has("symbol") || p.has("symbols"); }

} // namespace

int depth_weight(std::size_t limit) noexcept {
    if (limit <= 100)
        return 5;
    if (limit <= 500)
        return 25;
    if (limit <= 1000)
        return 50;
    return 250;
}

int rest_weight(std::string_view verb, std::string_view path, const params& p) noexcept {
    if (path == "/api/v3/ping" || path == "/api/v3/time")
        return 1;
    if (path == "/api/v3/exchangeInfo")
        return 20;
    if (path == "/api/v3/depth")
        return depth_weight(peek_limit(p));
    if (path == "/api/v3/trades")
        return 25;
    if (path == "/api/v3/historicalTrades")
        return 25;
    if (path == "/api/v3/aggTrades")
        return 4;
    if (path == "/api/v3/avgPrice")
        return 2;
    if (path == "/api/v3/ticker/bookTicker" || path == "/api/v3/ticker/price")
        return has_symbol(p) ? 2 : 4;
    if (path == "/api/v3/ticker/24hr")
        return has_symbol(p) ? 2 : 80;
    if (path == "/api/v3/order")
        return verb == "GET" ? 4 : 1;
    if (path == "/api/v3/order/test")
        return p.peek("computeCommissionRates") != nullptr && p.peek("computeCommissionRates")->value == "true" ? 20
                                                                                                                : 1;
    if (path == "/api/v3/openOrders")
        return verb == "DELETE" ? 1 : (has_symbol(p) ? 6 : 80);
    if (path == "/api/v3/allOrders" || path == "/api/v3/account" || path == "/api/v3/myTrades")
        return 20;
    if (path == "/api/v3/userDataStream")
        return 2;
    return 1;
}

int ws_api_weight(std::string_view method, const params& p) noexcept {
    if (method == "ping" || method == "time")
        return 1;
    if (method == "exchangeInfo")
        return 20;
    if (method == "depth")
        return depth_weight(peek_limit(p));
    if (method == "trades.recent" || method == "trades.historical")
        return 25;
    if (method == "trades.aggregate")
        return 4;
    if (method == "avgPrice")
        return 2;
    if (method == "ticker.book" || method == "ticker.price")
        return has_symbol(p) ? 2 : 4;
    if (method == "ticker.24hr")
        return has_symbol(p) ? 2 : 80;
    if (method == "order.place" || method == "order.cancel" || method == "openOrders.cancelAll")
        return 1;
    if (method == "order.test")
        return p.peek("computeCommissionRates") != nullptr && p.peek("computeCommissionRates")->value == "true" ? 20
                                                                                                                : 1;
    if (method == "order.status")
        return 4;
    if (method == "openOrders.status")
        return has_symbol(p) ? 6 : 80;
    if (method == "allOrders" || method == "account.status" || method == "myTrades")
        return 20;
    if (method == "session.logon" || method == "session.status" || method == "session.logout")
        return 2;
    if (method.starts_with("userDataStream."))
        return 2;
    return 1;
}

bool counts_as_order(std::string_view verb, std::string_view path) noexcept {
    return verb == "POST" && path == "/api/v3/order";
}

bool ws_counts_as_order(std::string_view method) noexcept { return method == "order.place"; }

} // namespace genesis::sim::protocol
