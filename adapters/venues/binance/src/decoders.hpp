// Private: the per-message decoders, each over an on-demand object the caller positioned.
#pragma once

#include "genesis/binance/types.hpp"
#include "json_util.hpp"

namespace genesis::binance::detail {

/// Calls f(key, value) for each field of obj, in document order.
template <class F>
binance_errc for_each_field(od::object& obj, F&& f) noexcept {
    for (auto fr : obj) {
        GENESIS_BN_TRY(check(fr.error()));
        // The field is used where the result holds it: copying it out (get(field)) stores it in
        // two halves and reloads it as one, a store-forwarding stall that cost ~15 % of a trade's
        // decode time.
        od::field&& field = std::move(fr).value_unsafe();
        GENESIS_BN_TRY(f(key_of(field), field.value()));
    }
    return binance_errc::ok;
}

inline binance_errc as_object(od::value& v, od::object& out) noexcept { return check(v.get_object().get(out)); }

// Market data (market_decoder.cpp).
binance_errc decode_depth_update(od::object& obj, book_delta& out) noexcept;
/// Partial depth stream and the REST depth snapshot share this shape: lastUpdateId, bids, asks.
binance_errc decode_depth_snapshot(od::object& obj, book_snapshot& out) noexcept;
binance_errc decode_trade(od::object& obj, trade& out) noexcept;
/// symbol_given: REST aggTrades entries carry no "s"; the caller set out.sym.
binance_errc decode_agg_trade(od::object& obj, agg_trade& out, bool symbol_given = false) noexcept;
/// One REST kline: [openTime,"o","h","l","c","v",closeTime,"q",n,"V","Q","ignore"].
binance_errc decode_kline_row(od::array& row, kline& out) noexcept;
binance_errc decode_book_ticker(od::object& obj, top_of_book& out) noexcept;
binance_errc decode_kline(od::object& obj, kline& out) noexcept;
binance_errc decode_server_shutdown(od::object& obj, time_point& out) noexcept;
/// The payload of a combined-stream frame, by stream name. Sets kind.
binance_errc decode_stream_payload(std::string_view stream, od::value& data, time_point receive_time,
                                   market_events& out, stream_kind& kind) noexcept;

// User data (user_decoder.cpp).
/// An event object whose "e" names its type (bare, or the "event" of the WS-API envelope).
binance_errc decode_user_event(od::object& obj, time_point receive_time, user_events& out,
                               user_event_kind& kind) noexcept;

// Responses (rest_decoder.cpp).
binance_errc decode_order(od::object& obj, time_point receive_time, order_response& out) noexcept;
binance_errc decode_order_array(od::array& arr, time_point receive_time, std::vector<order_response>& out) noexcept;
/// A rateLimits array (exchangeInfo, WS-API answers).
binance_errc decode_rate_limits(od::value& v, std::vector<rate_limit>& out) noexcept;
binance_errc decode_exchange_info(od::object& obj, exchange_info& out) noexcept;
binance_errc decode_api_error(od::object& obj, api_error& out) noexcept;

} // namespace genesis::binance::detail
