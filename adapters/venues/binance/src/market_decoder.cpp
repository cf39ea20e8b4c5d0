// Market data stream payloads: depthUpdate, partial depth, trade, aggTrade, bookTicker, kline.
#include "decoders.hpp"

namespace genesis::binance::detail {

namespace {

bool is_digits(std::string_view s) noexcept {
    if (s.empty())
        return false;
    for (char c : s)
        if (c < '0' || c > '9')
            return false;
    return true;
}

/// Strips an "@100ms" / "@1000ms" update-speed suffix.
std::string_view strip_speed(std::string_view s) noexcept {
    if (const auto at = s.find('@'); at != std::string_view::npos) {
        const auto speed = s.substr(at + 1);
        if (speed.size() > 2 && speed.substr(speed.size() - 2) == "ms" && is_digits(speed.substr(0, speed.size() - 2)))
            return s.substr(0, at);
    }
    return s;
}

} // namespace

binance_errc symbol_from_stream(std::string_view stream, symbol& out) noexcept {
    const auto at = stream.find('@');
    const auto name = stream.substr(0, at);
    if (name.empty())
        return binance_errc::unknown_stream;
    if (name.size() > symbol::capacity())
        return binance_errc::string_too_long;
    char buf[symbol::capacity()];
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        buf[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
    out = symbol::truncating({buf, name.size()});
    return binance_errc::ok;
}

binance_errc decode_depth_update(od::object& obj, book_delta& out) noexcept {
    std::uint64_t seen = 0;
    out.venue = venue_name;
    out.exchange_time = {};
    out.bids.clear();
    out.asks.clear();
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k.size() != 1)
            return binance_errc::ok;
        switch (k[0]) {
        case 'E': seen |= bit(0); return get_time_ms(v, out.exchange_time);
        case 's': seen |= bit(1); return get_fixed(v, out.sym);
        case 'U': seen |= bit(2); return get_u64(v, out.first_update_id);
        case 'u': seen |= bit(3); return get_u64(v, out.last_update_id);
        case 'b': seen |= bit(4); return get_levels(v, out.bids);
        case 'a': seen |= bit(5); return get_levels(v, out.asks);
        default: return binance_errc::ok;
        }
    }));
    constexpr std::uint64_t required = bit(1) | bit(2) | bit(3) | bit(4) | bit(5);
    if ((seen & required) != required)
        return binance_errc::missing_field;
    if (out.first_update_id > out.last_update_id)
        return binance_errc::number_out_of_range;
    return binance_errc::ok;
}

binance_errc decode_depth_snapshot(od::object& obj, book_snapshot& out) noexcept {
    std::uint64_t seen = 0;
    out.venue = venue_name;
    out.exchange_time = {};
    out.bids.clear();
    out.asks.clear();
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k == "lastUpdateId") {
            seen |= bit(0);
            return get_u64(v, out.last_update_id);
        }
        if (k == "bids") {
            seen |= bit(1);
            return get_levels(v, out.bids);
        }
        if (k == "asks") {
            seen |= bit(2);
            return get_levels(v, out.asks);
        }
        if (k == "E") // futures-style event time, when present
            return get_time_ms(v, out.exchange_time);
        return binance_errc::ok;
    }));
    constexpr std::uint64_t required = bit(0) | bit(1) | bit(2);
    return (seen & required) == required ? binance_errc::ok : binance_errc::missing_field;
}

binance_errc decode_trade(od::object& obj, trade& out) noexcept {
    std::uint64_t seen = 0;
    out.venue = venue_name;
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k.size() != 1)
            return binance_errc::ok;
        switch (k[0]) {
        case 's': seen |= bit(0); return get_fixed(v, out.sym);
        case 't': seen |= bit(1); return get_u64(v, out.trade_id);
        case 'p': seen |= bit(2); return get_decimal(v, out.price);
        case 'q': seen |= bit(3); return get_decimal(v, out.quantity);
        case 'T': seen |= bit(4); return get_time_ms(v, out.trade_time);
        case 'm': seen |= bit(5); return get_bool(v, out.buyer_is_maker);
        default: return binance_errc::ok; // e, E, M ("ignore"), b and a (removed order ids)
        }
    }));
    constexpr std::uint64_t required = bit(0) | bit(1) | bit(2) | bit(3) | bit(4) | bit(5);
    return (seen & required) == required ? binance_errc::ok : binance_errc::missing_field;
}

binance_errc decode_agg_trade(od::object& obj, agg_trade& out, bool symbol_given) noexcept {
    std::uint64_t seen = symbol_given ? bit(0) : 0;
    out.venue = venue_name;
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k.size() != 1)
            return binance_errc::ok;
        switch (k[0]) {
        case 'E': return get_time_ms(v, out.event_time);
        case 's': seen |= bit(0); return get_fixed(v, out.sym);
        case 'a': seen |= bit(1); return get_u64(v, out.agg_id);
        case 'p': seen |= bit(2); return get_decimal(v, out.price);
        case 'q': seen |= bit(3); return get_decimal(v, out.quantity);
        case 'f': seen |= bit(4); return get_u64(v, out.first_trade_id);
        case 'l': seen |= bit(5); return get_u64(v, out.last_trade_id);
        case 'T': seen |= bit(6); return get_time_ms(v, out.trade_time);
        case 'm': seen |= bit(7); return get_bool(v, out.buyer_is_maker);
        default: return binance_errc::ok;
        }
    }));
    constexpr std::uint64_t required = bit(0) | bit(1) | bit(2) | bit(3) | bit(4) | bit(5) | bit(6) | bit(7);
    return (seen & required) == required ? binance_errc::ok : binance_errc::missing_field;
}

binance_errc decode_book_ticker(od::object& obj, top_of_book& out) noexcept {
    std::uint64_t seen = 0;
    out.venue = venue_name;
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k.size() != 1)
            return binance_errc::ok;
        switch (k[0]) {
        case 'u': seen |= bit(0); return get_u64(v, out.update_id);
        case 's': seen |= bit(1); return get_fixed(v, out.sym);
        case 'b': seen |= bit(2); return get_decimal(v, out.bid.price);
        case 'B': seen |= bit(3); return get_decimal(v, out.bid.quantity);
        case 'a': seen |= bit(4); return get_decimal(v, out.ask.price);
        case 'A': seen |= bit(5); return get_decimal(v, out.ask.quantity);
        default: return binance_errc::ok;
        }
    }));
    constexpr std::uint64_t required = bit(0) | bit(1) | bit(2) | bit(3) | bit(4) | bit(5);
    return (seen & required) == required ? binance_errc::ok : binance_errc::missing_field;
}

namespace {

binance_errc decode_kline_body(od::object& obj, kline& out, bool& has_symbol) noexcept {
    std::uint64_t seen = 0;
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k.size() != 1)
            return binance_errc::ok;
        switch (k[0]) {
        case 't': seen |= bit(0); return get_time_ms(v, out.open_time);
        case 'T': seen |= bit(1); return get_time_ms(v, out.close_time);
        case 's': has_symbol = true; return get_fixed(v, out.sym);
        case 'i': seen |= bit(2); return get_fixed(v, out.interval);
        case 'f': return get_id(v, out.first_trade_id);
        case 'L': return get_id(v, out.last_trade_id);
        case 'o': seen |= bit(3); return get_decimal(v, out.open);
        case 'c': seen |= bit(4); return get_decimal(v, out.close);
        case 'h': seen |= bit(5); return get_decimal(v, out.high);
        case 'l': seen |= bit(6); return get_decimal(v, out.low);
        case 'v': seen |= bit(7); return get_decimal(v, out.volume);
        case 'n': return get_u64(v, out.trade_count);
        case 'x': seen |= bit(8); return get_bool(v, out.closed);
        case 'q': return get_decimal(v, out.quote_volume);
        case 'V': return get_decimal(v, out.taker_buy_volume);
        case 'Q': return get_decimal(v, out.taker_buy_quote_volume);
        default: return binance_errc::ok; // B: "ignore"
        }
    }));
    constexpr std::uint64_t required = bit(0) | bit(1) | bit(2) | bit(3) | bit(4) | bit(5) | bit(6) | bit(7) | bit(8);
    return (seen & required) == required ? binance_errc::ok : binance_errc::missing_field;
}

} // namespace

binance_errc decode_kline(od::object& obj, kline& out) noexcept {
    bool has_symbol = false;
    bool has_body = false;
    out = kline{};
    out.venue = venue_name;
    GENESIS_BN_TRY(for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        if (k == "E")
            return get_time_ms(v, out.event_time);
        if (k == "s") {
            has_symbol = true;
            return get_fixed(v, out.sym);
        }
        if (k == "k") {
            has_body = true;
            od::object body;
            GENESIS_BN_TRY(as_object(v, body));
            return decode_kline_body(body, out, has_symbol);
        }
        return binance_errc::ok;
    }));
    return has_body && has_symbol ? binance_errc::ok : binance_errc::missing_field;
}

binance_errc decode_kline_row(od::array& row, kline& out) noexcept {
    int i = 0;
    for (auto item : row) {
        od::value v;
        GENESIS_BN_TRY(check(std::move(item).get(v)));
        switch (i++) {
        case 0: GENESIS_BN_TRY(get_time_ms(v, out.open_time)); break;
        case 1: GENESIS_BN_TRY(get_decimal(v, out.open)); break;
        case 2: GENESIS_BN_TRY(get_decimal(v, out.high)); break;
        case 3: GENESIS_BN_TRY(get_decimal(v, out.low)); break;
        case 4: GENESIS_BN_TRY(get_decimal(v, out.close)); break;
        case 5: GENESIS_BN_TRY(get_decimal(v, out.volume)); break;
        case 6: GENESIS_BN_TRY(get_time_ms(v, out.close_time)); break;
        case 7: GENESIS_BN_TRY(get_decimal(v, out.quote_volume)); break;
        case 8: GENESIS_BN_TRY(get_u64(v, out.trade_count)); break;
        case 9: GENESIS_BN_TRY(get_decimal(v, out.taker_buy_volume)); break;
        case 10: GENESIS_BN_TRY(get_decimal(v, out.taker_buy_quote_volume)); break;
        default: break; // "ignore" and anything appended later
        }
    }
    // A REST kline is a closed candle unless it is the current one; the caller knows which.
    return i >= 11 ? binance_errc::ok : binance_errc::missing_field;
}

binance_errc decode_server_shutdown(od::object& obj, time_point& out) noexcept {
    return for_each_field(obj, [&](std::string_view k, od::value& v) -> binance_errc {
        return k == "E" ? get_time_ms(v, out) : binance_errc::ok;
    });
}

binance_errc decode_stream_payload(std::string_view stream, od::value& data, time_point receive_time,
                                   market_events& out, stream_kind& kind) noexcept {
    od::object obj;
    GENESIS_BN_TRY(as_object(data, obj));
    const auto at = stream.find('@');
    if (at == std::string_view::npos) {
        if (stream == "!serverShutdown") {
            kind = stream_kind::server_shutdown;
            return decode_server_shutdown(obj, out.shutdown_time);
        }
        return binance_errc::unknown_stream;
    }
    const auto type = strip_speed(stream.substr(at + 1));
    if (type == "depth") {
        kind = stream_kind::depth_update;
        out.depth.receive_time = receive_time;
        return decode_depth_update(obj, out.depth);
    }
    if (type == "trade") {
        kind = stream_kind::trade;
        out.trade_event.receive_time = receive_time;
        return decode_trade(obj, out.trade_event);
    }
    if (type == "aggTrade") {
        kind = stream_kind::agg_trade;
        out.agg.receive_time = receive_time;
        return decode_agg_trade(obj, out.agg);
    }
    if (type == "bookTicker") {
        kind = stream_kind::book_ticker;
        out.ticker.receive_time = receive_time;
        return decode_book_ticker(obj, out.ticker);
    }
    if (type == "depth5" || type == "depth10" || type == "depth20") {
        kind = stream_kind::partial_depth;
        out.partial.receive_time = receive_time;
        GENESIS_BN_TRY(symbol_from_stream(stream, out.partial.sym));
        return decode_depth_snapshot(obj, out.partial);
    }
    if (type.starts_with("kline_")) {
        kind = stream_kind::kline;
        GENESIS_BN_TRY(decode_kline(obj, out.candle));
        out.candle.receive_time = receive_time;
        return binance_errc::ok;
    }
    return binance_errc::unknown_stream;
}

} // namespace genesis::binance::detail
