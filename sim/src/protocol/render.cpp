#include "genesis/sim/protocol/render.hpp"

#include <array>

namespace genesis::sim::protocol {
namespace {

constexpr std::array<rate_limit, 4> default_limits{{
    {"REQUEST_WEIGHT", "MINUTE", 1, 6000, std::nullopt},
    {"ORDERS", "SECOND", 10, 50, std::nullopt},
    {"ORDERS", "DAY", 1, 160000, std::nullopt},
    {"CONNECTIONS", "MINUTE", 5, 300, std::nullopt},
}};

// The largest NOTIONAL maxNotional we can print: the decimal range's top.
constexpr decimal unbounded_notional = decimal::max();

decimal quote_of(decimal price, decimal qty) {
    auto q = price.mul(qty);
    return q ? *q : decimal::max();
}

// Binance's workingTime: when the order started working; orders that never rested (a MARKET
// filled at once) report their transaction time.
std::int64_t working_ms(const order_record& o, time_point fallback) {
    return o.working_time.ns != 0 ? to_ms(o.working_time) : to_ms(fallback);
}

void write_levels(json_writer& w, const std::vector<book_level>& levels) {
    w.begin_array();
    for (const auto& l : levels)
        w.begin_array().decimal_string(l.price).decimal_string(l.quantity).end_array();
    w.end_array();
}

// The RESULT part of a new-order response after transactTime.
void write_order_result_fields(json_writer& w, const order_record& o, time_point transact) {
    w.field("price", o.price)
        .field("origQty", o.orig_qty)
        .field("executedQty", o.executed_qty)
        .field("origQuoteOrderQty", o.orig_quote_order_qty)
        .field("cummulativeQuoteQty", o.cumulative_quote_qty)
        .field("status", to_string(o.status))
        .field("timeInForce", to_string(o.tif))
        .field("type", to_string(o.type))
        .field("side", to_string(o.order_side))
        .field("workingTime", working_ms(o, transact))
        .field("selfTradePreventionMode", "NONE");
}

} // namespace

std::span<const rate_limit> default_rate_limits() noexcept { return default_limits; }

void write_rate_limit(json_writer& w, const rate_limit& r) {
    w.begin_object()
        .field("rateLimitType", r.type)
        .field("interval", r.interval)
        .field("intervalNum", r.interval_num)
        .field("limit", r.limit);
    if (r.count)
        w.field("count", *r.count);
    w.end_object();
}

void write_error(json_writer& w, const binance_error& e) {
    w.begin_object().field("code", e.code).field("msg", e.msg).end_object();
}

std::string error_body(const binance_error& e) {
    json_writer w;
    write_error(w, e);
    return w.take();
}

std::string ping_body() { return "{}"; }

std::string time_body(std::int64_t server_time_ms) {
    json_writer w;
    w.begin_object().field("serverTime", server_time_ms).end_object();
    return w.take();
}

void write_symbol_info(json_writer& w, const instrument& ins, const exchange_info_options& opt) {
    w.begin_object()
        .field("symbol", ins.name.view())
        .field("status", "TRADING")
        .field("baseAsset", ins.base.view())
        .field("baseAssetPrecision", 8)
        .field("quoteAsset", ins.quote.view())
        .field("quotePrecision", 8)
        .field("quoteAssetPrecision", 8)
        .field("baseCommissionPrecision", 8)
        .field("quoteCommissionPrecision", 8);
    // The engine supports exactly these types.
    w.key("orderTypes").begin_array().string("LIMIT").string("LIMIT_MAKER").string("MARKET").end_array();
    w.field("icebergAllowed", false)
        .field("ocoAllowed", false)
        .field("otoAllowed", false)
        .field("opoAllowed", false)
        .field("quoteOrderQtyMarketAllowed", true)
        .field("allowTrailingStop", false)
        .field("cancelReplaceAllowed", false)
        .field("amendAllowed", false)
        .field("pegInstructionsAllowed", false)
        .field("isSpotTradingAllowed", true)
        .field("isMarginTradingAllowed", false);
    w.key("filters").begin_array();
    w.begin_object()
        .field("filterType", "PRICE_FILTER")
        .field("minPrice", ins.min_price)
        .field("maxPrice", ins.max_price)
        .field("tickSize", ins.tick_size)
        .end_object();
    w.begin_object()
        .field("filterType", "LOT_SIZE")
        .field("minQty", ins.min_qty)
        .field("maxQty", ins.max_qty)
        .field("stepSize", ins.step_size)
        .end_object();
    w.begin_object()
        .field("filterType", "NOTIONAL")
        .field("minNotional", ins.min_notional)
        .field("applyMinToMarket", true)
        .field("maxNotional", ins.max_notional.is_zero() ? unbounded_notional : ins.max_notional)
        .field("applyMaxToMarket", false)
        .field("avgPriceMins", 5)
        .end_object();
    if (opt.max_num_orders > 0)
        w.begin_object()
            .field("filterType", "MAX_NUM_ORDERS")
            .field("maxNumOrders", static_cast<std::uint64_t>(opt.max_num_orders))
            .end_object();
    w.end_array();
    w.key("permissions").begin_array().end_array();
    w.key("permissionSets").begin_array().begin_array().string("SPOT").end_array().end_array();
    w.field("defaultSelfTradePreventionMode", "NONE");
    w.key("allowedSelfTradePreventionModes").begin_array().string("NONE").end_array();
    w.end_object();
}

void write_exchange_info(json_writer& w, std::span<const instrument> instruments, std::int64_t server_time_ms,
                         const exchange_info_options& opt) {
    w.begin_object().field("timezone", "UTC").field("serverTime", server_time_ms);
    w.key("rateLimits").begin_array();
    for (const auto& r : opt.rate_limits.empty() ? default_rate_limits() : opt.rate_limits)
        write_rate_limit(w, r);
    w.end_array();
    w.key("exchangeFilters").begin_array().end_array();
    w.key("symbols").begin_array();
    for (const auto& ins : instruments)
        write_symbol_info(w, ins, opt);
    w.end_array();
    w.end_object();
}

void write_depth(json_writer& w, const book_snapshot& book) {
    w.begin_object().field("lastUpdateId", book.last_update_id);
    w.key("bids");
    write_levels(w, book.bids);
    w.key("asks");
    write_levels(w, book.asks);
    w.end_object();
}

void write_trades(json_writer& w, std::span<const trade> trades) {
    w.begin_array();
    for (const auto& t : trades)
        w.begin_object()
            .field("id", t.trade_id)
            .field("price", t.price)
            .field("qty", t.quantity)
            .field("quoteQty", quote_of(t.price, t.quantity))
            .field("time", to_ms(t.trade_time))
            .field("isBuyerMaker", t.buyer_is_maker)
            .field("isBestMatch", true)
            .end_object();
    w.end_array();
}

void write_agg_trades(json_writer& w, std::span<const agg_trade> trades) {
    w.begin_array();
    for (const auto& t : trades)
        w.begin_object()
            .field("a", t.agg_id)
            .field("p", t.price)
            .field("q", t.qty)
            .field("f", t.first_trade_id)
            .field("l", t.last_trade_id)
            .field("T", to_ms(t.time))
            .field("m", t.buyer_is_maker)
            .field("M", true)
            .end_object();
    w.end_array();
}

void write_book_ticker(json_writer& w, const top_of_book& t) {
    w.begin_object()
        .field("symbol", t.sym.view())
        .field("bidPrice", t.bid.price)
        .field("bidQty", t.bid.quantity)
        .field("askPrice", t.ask.price)
        .field("askQty", t.ask.quantity)
        .end_object();
}

void write_new_order(json_writer& w, const order_result& r, order_resp_type type) {
    const auto& o = r.order;
    w.begin_object()
        .field("symbol", o.sym.view())
        .field("orderId", o.order_id)
        .field("orderListId", -1)
        .field("clientOrderId", o.client_id.view())
        .field("transactTime", to_ms(r.transact_time));
    if (type != order_resp_type::ack)
        write_order_result_fields(w, o, r.transact_time);
    if (type == order_resp_type::full) {
        w.key("fills").begin_array();
        for (const auto& f : r.fills)
            w.begin_object()
                .field("price", f.price)
                .field("qty", f.qty)
                .field("commission", f.commission)
                .field("commissionAsset", f.commission_asset.view())
                .field("tradeId", f.trade_id)
                .end_object();
        w.end_array();
    }
    w.end_object();
}

void write_order(json_writer& w, const order_record& o) {
    w.begin_object()
        .field("symbol", o.sym.view())
        .field("orderId", o.order_id)
        .field("orderListId", -1)
        .field("clientOrderId", o.client_id.view())
        .field("price", o.price)
        .field("origQty", o.orig_qty)
        .field("executedQty", o.executed_qty)
        .field("cummulativeQuoteQty", o.cumulative_quote_qty)
        .field("status", to_string(o.status))
        .field("timeInForce", to_string(o.tif))
        .field("type", to_string(o.type))
        .field("side", to_string(o.order_side))
        .field("stopPrice", decimal{})
        .field("icebergQty", decimal{})
        .field("time", to_ms(o.time))
        .field("updateTime", to_ms(o.update_time))
        .field("isWorking", o.is_working)
        .field("workingTime", working_ms(o, o.time))
        .field("origQuoteOrderQty", o.orig_quote_order_qty)
        .field("selfTradePreventionMode", "NONE")
        .end_object();
}

void write_orders(json_writer& w, std::span<const order_record> orders) {
    w.begin_array();
    for (const auto& o : orders)
        write_order(w, o);
    w.end_array();
}

void write_cancel(json_writer& w, const cancel_result& c) {
    const auto& o = c.order;
    w.begin_object()
        .field("symbol", o.sym.view())
        .field("origClientOrderId", o.client_id.view())
        .field("orderId", o.order_id)
        .field("orderListId", -1)
        .field("clientOrderId", c.cancel_client_id.view())
        .field("transactTime", to_ms(c.transact_time))
        .field("price", o.price)
        .field("origQty", o.orig_qty)
        .field("executedQty", o.executed_qty)
        .field("origQuoteOrderQty", o.orig_quote_order_qty)
        .field("cummulativeQuoteQty", o.cumulative_quote_qty)
        .field("status", to_string(o.status))
        .field("timeInForce", to_string(o.tif))
        .field("type", to_string(o.type))
        .field("side", to_string(o.order_side))
        .field("selfTradePreventionMode", "NONE")
        .end_object();
}

void write_cancels(json_writer& w, std::span<const cancel_result> cs) {
    w.begin_array();
    for (const auto& c : cs)
        write_cancel(w, c);
    w.end_array();
}

void write_account(json_writer& w, const account& acc, std::span<const balance> balances, std::int64_t update_time_ms,
                   bool omit_zero_balances) {
    // Commissions in basis points: a rate of 0.001 is 10.
    const auto bps = [](decimal rate) { return rate.raw() / (decimal::one_raw / 10'000); };
    w.begin_object()
        .field("makerCommission", bps(acc.maker_commission()))
        .field("takerCommission", bps(acc.taker_commission()))
        .field("buyerCommission", 0)
        .field("sellerCommission", 0);
    w.key("commissionRates")
        .begin_object()
        .field("maker", acc.maker_commission())
        .field("taker", acc.taker_commission())
        .field("buyer", decimal{})
        .field("seller", decimal{})
        .end_object();
    w.field("canTrade", true)
        .field("canWithdraw", true)
        .field("canDeposit", true)
        .field("brokered", false)
        .field("requireSelfTradePrevention", false)
        .field("preventSor", false)
        .field("updateTime", update_time_ms)
        .field("accountType", "SPOT");
    w.key("balances").begin_array();
    for (const auto& b : balances) {
        if (omit_zero_balances && b.free.is_zero() && b.locked.is_zero())
            continue;
        w.begin_object().field("asset", b.name.view()).field("free", b.free).field("locked", b.locked).end_object();
    }
    w.end_array();
    w.key("permissions").begin_array().string("SPOT").end_array();
    w.field("uid", static_cast<std::uint64_t>(acc.id()));
    w.end_object();
}

void write_my_trades(json_writer& w, std::span<const account_trade> trades) {
    w.begin_array();
    for (const auto& t : trades)
        w.begin_object()
            .field("symbol", t.sym.view())
            .field("id", t.trade_id)
            .field("orderId", t.order_id)
            .field("orderListId", -1)
            .field("price", t.price)
            .field("qty", t.qty)
            .field("quoteQty", t.quote_qty)
            .field("commission", t.commission)
            .field("commissionAsset", t.commission_asset.view())
            .field("time", to_ms(t.time))
            .field("isBuyer", t.order_side == side::buy)
            .field("isMaker", t.is_maker)
            .field("isBestMatch", true)
            .end_object();
    w.end_array();
}

} // namespace genesis::sim::protocol
