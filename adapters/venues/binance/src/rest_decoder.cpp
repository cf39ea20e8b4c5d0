// Responses: orders (ACK, RESULT, FULL, cancel, query), exchangeInfo, error bodies.
#include "decoders.hpp"

namespace genesis::binance::detail {

namespace {

binance_errc decode_fill(od::object& obj, fill& out) noexcept {
    std::uint64_t seen = 0;
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k == "price") {
            seen |= bit(0);
            return get_decimal(v, out.price);
        }
        if (k == "qty") {
            seen |= bit(1);
            return get_decimal(v, out.quantity);
        }
        if (k == "commission")
            return get_decimal(v, out.commission);
        if (k == "commissionAsset")
            return get_fixed_or_null(v, out.commission_asset);
        if (k == "tradeId") {
            seen |= bit(2);
            return get_u64(v, out.trade_id);
        }
        return binance_errc::ok;
    }));
    return seen == (bit(0) | bit(1) | bit(2)) ? binance_errc::ok : binance_errc::missing_field;
}

binance_errc decode_fills(od::value& v, std::vector<fill>& out) noexcept {
    od::array arr;
    GENESIS_BN_TRY(check(v.get_array().get(arr)));
    for (auto item : arr) {
        od::object o;
        GENESIS_BN_TRY(check(item.get_object().get(o)));
        fill f;
        GENESIS_BN_TRY(decode_fill(o, f));
        out.push_back(f);
    }
    return binance_errc::ok;
}

/// Filter values we use, collected before filterType is known (it need not come first).
struct filter_fields {
    std::string_view type;
    std::string_view min_price, max_price, tick_size;
    std::string_view min_qty, max_qty, step_size;
    std::string_view min_notional, max_notional;
};

binance_errc parse_into(std::string_view s, decimal& out) noexcept {
    if (s.empty())
        return binance_errc::missing_field;
    auto d = decimal::parse(s);
    if (!d)
        return binance_errc::bad_decimal;
    out = *d;
    return binance_errc::ok;
}

binance_errc decode_filter(od::object& obj, instrument& rules, bool& notional_seen) noexcept {
    filter_fields f;
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        std::string_view* slot = nullptr;
        if (k == "filterType")
            slot = &f.type;
        else if (k == "minPrice")
            slot = &f.min_price;
        else if (k == "maxPrice")
            slot = &f.max_price;
        else if (k == "tickSize")
            slot = &f.tick_size;
        else if (k == "minQty")
            slot = &f.min_qty;
        else if (k == "maxQty")
            slot = &f.max_qty;
        else if (k == "stepSize")
            slot = &f.step_size;
        else if (k == "minNotional")
            slot = &f.min_notional;
        else if (k == "maxNotional")
            slot = &f.max_notional;
        if (slot == nullptr)
            return binance_errc::ok;
        // A filter we do not use may give one of these names another type: only an error when used.
        if (v.get_string().get(*slot) != simdjson::SUCCESS)
            *slot = {};
        return binance_errc::ok;
    }));
    if (f.type == "PRICE_FILTER") {
        GENESIS_BN_TRY(parse_into(f.min_price, rules.min_price));
        GENESIS_BN_TRY(parse_into(f.max_price, rules.max_price));
        return parse_into(f.tick_size, rules.tick_size);
    }
    if (f.type == "LOT_SIZE") {
        GENESIS_BN_TRY(parse_into(f.min_qty, rules.min_qty));
        GENESIS_BN_TRY(parse_into(f.max_qty, rules.max_qty));
        return parse_into(f.step_size, rules.step_size);
    }
    if (f.type == "NOTIONAL") {
        // NOTIONAL replaced MIN_NOTIONAL (2023); when both come, NOTIONAL wins.
        notional_seen = true;
        GENESIS_BN_TRY(parse_into(f.min_notional, rules.min_notional));
        if (!f.max_notional.empty())
            GENESIS_BN_TRY(parse_into(f.max_notional, rules.max_notional));
        return binance_errc::ok;
    }
    if (f.type == "MIN_NOTIONAL") {
        if (notional_seen)
            return binance_errc::ok;
        return parse_into(f.min_notional, rules.min_notional);
    }
    return f.type.empty() ? binance_errc::missing_field : binance_errc::ok;
}

binance_errc decode_symbol(od::object& obj, symbol_rules& out) noexcept {
    std::uint64_t seen = 0;
    bool notional_seen = false;
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k == "symbol") {
            seen |= bit(0);
            return get_fixed(v, out.rules.name);
        }
        if (k == "status")
            return get_fixed(v, out.status);
        if (k == "baseAsset") {
            seen |= bit(1);
            return get_fixed(v, out.rules.base);
        }
        if (k == "quoteAsset") {
            seen |= bit(2);
            return get_fixed(v, out.rules.quote);
        }
        if (k == "filters") {
            od::array arr;
            GENESIS_BN_TRY(check(v.get_array().get(arr)));
            for (auto item : arr) {
                od::object fo;
                GENESIS_BN_TRY(check(item.get_object().get(fo)));
                GENESIS_BN_TRY(decode_filter(fo, out.rules, notional_seen));
            }
            return binance_errc::ok;
        }
        return binance_errc::ok;
    }));
    constexpr std::uint64_t required = bit(0) | bit(1) | bit(2);
    return (seen & required) == required ? binance_errc::ok : binance_errc::missing_field;
}

} // namespace

binance_errc decode_order(od::object& obj, time_point receive_time, order_response& out) noexcept {
    out.report = execution_report{};
    out.report.venue = venue_name;
    out.report.receive_time = receive_time;
    out.order_list_id = -1;
    out.iceberg_quantity = decimal{};
    out.self_trade_prevention = {};
    out.fills.clear();
    auto& r = out.report;
    std::uint64_t seen = 0;
    bool has_status = false;
    bool has_fills = false;
    bool is_error = false;
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k == "symbol") {
            seen |= bit(0);
            return get_fixed(v, r.sym);
        }
        if (k == "orderId") {
            seen |= bit(1);
            return get_u64(v, r.order_id);
        }
        if (k == "clientOrderId") {
            seen |= bit(2);
            return get_fixed(v, r.client_id);
        }
        if (k == "origClientOrderId")
            return get_fixed(v, r.orig_client_id);
        if (k == "orderListId")
            return get_i64(v, out.order_list_id);
        if (k == "transactTime")
            return get_time_ms(v, r.transaction_time);
        if (k == "price")
            return get_decimal(v, r.price);
        if (k == "origQty")
            return get_decimal(v, r.quantity);
        if (k == "executedQty")
            return get_decimal(v, r.cumulative_quantity);
        if (k == "origQuoteOrderQty")
            return get_decimal(v, r.quote_order_qty);
        if (k == "cummulativeQuoteQty")
            return get_decimal(v, r.cumulative_quote);
        if (k == "status") {
            has_status = true;
            return get_enum(v, r.status);
        }
        if (k == "timeInForce")
            return get_enum(v, r.tif);
        if (k == "type")
            return get_enum(v, r.type);
        if (k == "side")
            return get_enum(v, r.order_side);
        if (k == "stopPrice")
            return get_decimal(v, r.stop_price);
        if (k == "icebergQty")
            return get_decimal(v, out.iceberg_quantity);
        if (k == "time")
            return get_time_ms(v, r.order_creation_time);
        if (k == "updateTime")
            return get_time_ms(v, r.transaction_time);
        if (k == "workingTime")
            return get_time_ms(v, r.working_time);
        if (k == "isWorking")
            return get_bool(v, r.is_working);
        if (k == "selfTradePreventionMode")
            return get_fixed(v, out.self_trade_prevention);
        if (k == "fills") {
            has_fills = true;
            return decode_fills(v, out.fills);
        }
        if (k == "code")
            is_error = true;
        return binance_errc::ok;
    }));
    if (is_error)
        return binance_errc::venue_error;
    if (seen != (bit(0) | bit(1) | bit(2)))
        return binance_errc::missing_field;
    out.type = has_fills ? response_type::full : has_status ? response_type::result : response_type::ack;
    if (!has_status)
        r.status = order_status::new_;
    return binance_errc::ok;
}

binance_errc decode_order_array(od::array& arr, time_point receive_time, std::vector<order_response>& out) noexcept {
    out.clear();
    for (auto item : arr) {
        od::object o;
        GENESIS_BN_TRY(check(item.get_object().get(o)));
        out.emplace_back();
        GENESIS_BN_TRY(decode_order(o, receive_time, out.back()));
    }
    return binance_errc::ok;
}

binance_errc decode_rate_limits(od::value& v, std::vector<rate_limit>& out) noexcept {
    out.clear();
    od::array arr;
    GENESIS_BN_TRY(check(v.get_array().get(arr)));
    for (auto item : arr) {
        od::object o;
        GENESIS_BN_TRY(check(item.get_object().get(o)));
        rate_limit rl;
        GENESIS_BN_TRY(for_each_field(o, [&](std::string_view k, od::value& x) -> binance_errc {
            if (k == "rateLimitType")
                return get_fixed(x, rl.type);
            if (k == "interval")
                return get_fixed(x, rl.interval);
            if (k == "intervalNum") {
                std::uint64_t n = 0;
                GENESIS_BN_TRY(get_u64(x, n));
                if (n > 0xFFFF'FFFFu)
                    return binance_errc::number_out_of_range;
                rl.interval_num = static_cast<std::uint32_t>(n);
                return binance_errc::ok;
            }
            if (k == "limit")
                return get_u64(x, rl.limit);
            if (k == "count")
                return get_u64(x, rl.count);
            return binance_errc::ok;
        }));
        out.push_back(rl);
    }
    return binance_errc::ok;
}

binance_errc decode_exchange_info(od::object& obj, exchange_info& out) noexcept {
    out.symbols.clear();
    out.rate_limits.clear();
    out.server_time = {};
    bool has_symbols = false;
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k == "serverTime")
            return get_time_ms(v, out.server_time);
        if (k == "rateLimits")
            return decode_rate_limits(v, out.rate_limits);
        if (k != "symbols")
            return binance_errc::ok;
        has_symbols = true;
        od::array arr;
        GENESIS_BN_TRY(check(v.get_array().get(arr)));
        for (auto item : arr) {
            od::object so;
            GENESIS_BN_TRY(check(item.get_object().get(so)));
            out.symbols.emplace_back();
            GENESIS_BN_TRY(decode_symbol(so, out.symbols.back()));
        }
        return binance_errc::ok;
    }));
    return has_symbols ? binance_errc::ok : binance_errc::missing_field;
}

binance_errc decode_api_error(od::object& obj, api_error& out) noexcept {
    std::uint64_t seen = 0;
    out.msg.clear();
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k == "code") {
            seen |= bit(0);
            std::int64_t c = 0;
            GENESIS_BN_TRY(get_i64(v, c));
            if (c < -1'000'000 || c > 1'000'000)
                return binance_errc::number_out_of_range;
            out.code = static_cast<int>(c);
            return binance_errc::ok;
        }
        if (k == "msg") {
            seen |= bit(1);
            std::string_view s;
            GENESIS_BN_TRY(get_string(v, s));
            out.msg.assign(s);
        }
        return binance_errc::ok;
    }));
    return (seen & bit(0)) ? binance_errc::ok : binance_errc::missing_field;
}

} // namespace genesis::binance::detail

namespace genesis::binance {

namespace {

// The weight per minute a RAW_REQUESTS limit caps (see raw_requests_weight_cap).
std::optional<std::int64_t> raw_cap(const rate_limit& l) noexcept {
    const auto window = interval_length(l);
    if (!window || window->count() % 60 != 0)
        return std::nullopt;
    const auto cap = static_cast<std::int64_t>(l.limit) / (window->count() / 60);
    if (cap <= 0)
        return std::nullopt; // fewer requests than minutes: no per-minute budget keeps within it
    return cap;
}

// Of several RAW_REQUESTS limits, the one a per-minute budget can keep to with the lowest cap;
// else the first.
bool prefer_raw(const rate_limit& l, const std::optional<rate_limit>& kept) noexcept {
    if (!kept)
        return true;
    const auto mine = raw_cap(l), theirs = raw_cap(*kept);
    return mine && (!theirs || *mine < *theirs);
}

} // namespace

known_rate_limits known_limits(const std::vector<rate_limit>& all) noexcept {
    known_rate_limits k;
    for (const auto& l : all) {
        const auto type = l.type.view();
        const auto interval = l.interval.view();
        if (type == "REQUEST_WEIGHT" && interval == "MINUTE" && l.interval_num == 1)
            k.weight_1m = l;
        else if (type == "ORDERS" && interval == "SECOND" && l.interval_num == 10)
            k.orders_10s = l;
        else if (type == "ORDERS" && interval == "DAY" && l.interval_num == 1)
            k.orders_1d = l;
        else if (type == "RAW_REQUESTS" && prefer_raw(l, k.raw_requests))
            k.raw_requests = l;
    }
    return k;
}

std::optional<std::chrono::seconds> interval_length(const rate_limit& l) noexcept {
    const auto interval = l.interval.view();
    std::int64_t unit = 0;
    if (interval == "SECOND")
        unit = 1;
    else if (interval == "MINUTE")
        unit = 60;
    else if (interval == "HOUR")
        unit = 3600;
    else if (interval == "DAY")
        unit = 86400;
    if (unit == 0 || l.interval_num == 0)
        return std::nullopt;
    return std::chrono::seconds{unit * l.interval_num};
}

std::optional<std::int64_t> raw_requests_weight_cap(const known_rate_limits& k) noexcept {
    return k.raw_requests ? raw_cap(*k.raw_requests) : std::nullopt;
}

} // namespace genesis::binance
