// Binance Spot decoders: exchange JSON -> core events, pure and I/O-free (simdjson on-demand inside).
#pragma once

#include "genesis/binance/types.hpp"

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace genesis::binance {

/// Decodes every Binance Spot message one connection receives. Holds one reused simdjson
/// parser and one padded buffer: once warm, decoding a market data frame allocates nothing
/// (events reuse their vectors). Not thread-safe: one decoder per connection. Tolerant of field
/// order and of unknown fields; a malformed frame returns a binance_errc, is counted in stats(),
/// and never throws.
class decoder {
    struct impl;
    std::unique_ptr<impl> impl_;

public:
    /// Bytes past the end of a frame that simdjson may read (SIMDJSON_PADDING). A frame whose
    /// buffer has this much spare capacity is parsed in place; any other frame is copied once.
    static constexpr std::size_t padding = 64;
    /// Default largest frame accepted (exchangeInfo of all symbols is a few MB).
    static constexpr std::size_t default_max_frame = 64u << 20;

    explicit decoder(std::size_t max_frame = default_max_frame);
    decoder(decoder&&) noexcept;
    decoder& operator=(decoder&&) noexcept;
    ~decoder();

    // --- market data streams -------------------------------------------------------------------

    /// A combined-stream frame {"stream":"<name>","data":{...}}: decodes data by the stream name's
    /// suffix (@depth, @depthN, @trade, @aggTrade, @bookTicker, @kline_<i>, !serverShutdown) into
    /// the matching slot of out and returns which one. `capacity` is the size of the frame's buffer
    /// when the caller knows it holds `padding` spare bytes (0: copy).
    [[nodiscard]] result<stream_kind> decode_stream(std::string_view frame, time_point receive_time, market_events& out,
                                                    std::size_t capacity = 0);

    /// A raw-stream frame (/ws/<name>) of a kind the caller subscribed to. `sym` names the symbol
    /// of a partial-depth payload, which carries none (ignored for the other kinds).
    [[nodiscard]] result<stream_kind> decode_raw(std::string_view frame, stream_kind kind, symbol sym,
                                                 time_point receive_time, market_events& out, std::size_t capacity = 0);

    // --- user data -----------------------------------------------------------------------------

    /// A user data event: the WS-API envelope {"subscriptionId":N,"event":{...}} or a bare event.
    /// Unknown event types return user_event_kind::other (counted as ignored, not an error).
    [[nodiscard]] result<user_event_kind> decode_user(std::string_view frame, time_point receive_time,
                                                      user_events& out);

    // --- WebSocket API responses -------------------------------------------------------------

    /// Maps a request id to the kind of result its method returns.
    using kind_lookup = ws_result_kind (*)(const void* context, std::string_view id);

    /// {"id","status","result"|"error","rateLimits"}. A venue refusal is a successful decode with
    /// out.ok false and out.error set. The result is decoded as lookup(context, id) says.
    [[nodiscard]] result<void> decode_ws_response(std::string_view frame, kind_lookup lookup, const void* context,
                                                  time_point receive_time, ws_response& out);
    /// Same, when the caller knows the kind.
    [[nodiscard]] result<void> decode_ws_response(std::string_view frame, ws_result_kind kind, time_point receive_time,
                                                  ws_response& out);
    /// Same, with any callable `ws_result_kind(std::string_view id)`.
    template <class F>
    [[nodiscard]] result<void> decode_ws_response_with(std::string_view frame, const F& lookup, time_point receive_time,
                                                       ws_response& out);

    // --- REST bodies ---------------------------------------------------------------------------

    /// POST/DELETE/GET /api/v3/order body (ACK, RESULT, FULL, cancel, query). An error body
    /// ({"code","msg"}) returns binance_errc::venue_error: decode it with decode_error().
    [[nodiscard]] result<void> decode_order(std::string_view body, time_point receive_time, order_response& out);
    /// GET /api/v3/openOrders body: an array of orders.
    [[nodiscard]] result<void> decode_orders(std::string_view body, time_point receive_time,
                                             std::vector<order_response>& out);
    /// GET /api/v3/exchangeInfo body. Known filters (PRICE_FILTER, LOT_SIZE, NOTIONAL, MIN_NOTIONAL)
    /// fill the instrument; the others are ignored.
    [[nodiscard]] result<void> decode_exchange_info(std::string_view body, exchange_info& out);
    /// GET /api/v3/depth body, for the symbol requested.
    [[nodiscard]] result<void> decode_depth_snapshot(std::string_view body, symbol sym, time_point receive_time,
                                                     book_snapshot& out);
    /// GET /api/v3/klines body (arrays of 12 values), for the symbol and interval requested.
    [[nodiscard]] result<void> decode_klines(std::string_view body, symbol sym, std::string_view interval,
                                             time_point receive_time, std::vector<kline>& out);
    /// GET /api/v3/aggTrades body, for the symbol requested.
    [[nodiscard]] result<void> decode_agg_trades(std::string_view body, symbol sym, time_point receive_time,
                                                 std::vector<agg_trade>& out);
    /// An error body {"code":-1121,"msg":"Invalid symbol."}.
    [[nodiscard]] result<void> decode_error(std::string_view body, api_error& out);

    /// Counters since construction.
    const decoder_stats& stats() const noexcept;
    /// The simdjson kernel that walks documents here (compile-time: "haswell", "fallback", ...)
    /// and the one that indexes them (run-time dispatched by libsimdjson).
    static std::string_view ondemand_kernel() noexcept;
    static std::string_view stage1_kernel() noexcept;
};

template <class F>
result<void> decoder::decode_ws_response_with(std::string_view frame, const F& lookup, time_point receive_time,
                                              ws_response& out) {
    return decode_ws_response(
        frame, [](const void* c, std::string_view id) { return (*static_cast<const F*>(c))(id); }, &lookup,
        receive_time, out);
}

} // namespace genesis::binance
