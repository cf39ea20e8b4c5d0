// Binance Spot messages that have no core event of their own, and the result types of the decoders.
#pragma once

#include "genesis/binance/error.hpp"
#include "genesis/core/events.hpp"
#include "genesis/core/instrument.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace genesis::binance {

/// The venue id stamped on every event from this adapter.
inline constexpr venue_id venue_name = venue_id::truncating("binance");

/// Short venue strings (interval "1m", self-trade-prevention mode "EXPIRE_MAKER", status "TRADING").
using short_string = fixed_string<24>;

/// An aggregate trade (<symbol>@aggTrade).
struct agg_trade {
    venue_id venue;
    symbol sym;
    std::uint64_t agg_id = 0;
    decimal price;
    decimal quantity;
    std::uint64_t first_trade_id = 0;
    std::uint64_t last_trade_id = 0;
    bool buyer_is_maker = false;
    time_point trade_time; ///< wall clock
    time_point event_time; ///< wall clock
    time_point receive_time;
};

/// A candlestick (<symbol>@kline_<interval>).
struct kline {
    venue_id venue;
    symbol sym;
    short_string interval;            ///< "1s", "1m", ... "1M"
    time_point open_time;             ///< wall clock
    time_point close_time;            ///< wall clock
    std::int64_t first_trade_id = -1; ///< -1 when the candle has no trade
    std::int64_t last_trade_id = -1;
    decimal open;
    decimal high;
    decimal low;
    decimal close;
    decimal volume;       ///< base asset volume
    decimal quote_volume; ///< quote asset volume
    decimal taker_buy_volume;
    decimal taker_buy_quote_volume;
    std::uint64_t trade_count = 0;
    bool closed = false; ///< the candle is final
    time_point event_time;
    time_point receive_time;
};

/// The executionReport fields that core::execution_report does not carry. Absent optional
/// fields were not in the message (Binance sends many of them only in some situations).
struct execution_extra {
    std::int64_t order_list_id = -1;                           ///< g
    decimal iceberg_quantity;                                  ///< F
    decimal last_quote_quantity;                               ///< Y
    std::int64_t prevented_match_id = -1;                      ///< v
    short_string self_trade_prevention;                        ///< V
    std::optional<std::int64_t> trailing_delta;                ///< d
    std::optional<std::int64_t> trailing_time;                 ///< D
    std::optional<std::int64_t> strategy_id;                   ///< j
    std::optional<std::int64_t> strategy_type;                 ///< J
    std::optional<decimal> prevented_quantity;                 ///< A
    std::optional<decimal> last_prevented_quantity;            ///< B
    std::optional<decimal> prevented_execution_quantity;       ///< pl
    std::optional<decimal> prevented_execution_price;          ///< pL
    std::optional<decimal> prevented_execution_quote_quantity; ///< pY
    std::optional<std::int64_t> trade_group_id;                ///< u
    std::optional<std::int64_t> counter_order_id;              ///< U
    symbol counter_symbol;                                     ///< Cs
    std::optional<std::int64_t> allocation_id;                 ///< a
    short_string match_type;                                   ///< b
    short_string working_floor;                                ///< k
    bool used_sor = false;                                     ///< uS
    short_string peg_price_type;                               ///< gP
    short_string peg_offset_type;                              ///< gOT
    std::optional<std::int64_t> peg_offset_value;              ///< gOV
    std::optional<decimal> pegged_price;                       ///< gp
};

/// One fill of a FULL order response.
struct fill {
    decimal price;
    decimal quantity;
    decimal commission;
    asset commission_asset;
    std::uint64_t trade_id = 0;
    friend bool operator==(const fill&, const fill&) = default;
};

/// Which newOrderRespType a response was (inferred from the fields present).
enum class response_type : std::uint8_t { ack, result, full };

/// A REST or WS-API order response (place: ACK/RESULT/FULL; cancel; query; open orders entry).
/// report carries the order state; for ACK only symbol, ids and transaction_time are set.
struct order_response {
    execution_report report;
    std::int64_t order_list_id = -1;
    decimal iceberg_quantity;
    short_string self_trade_prevention;
    response_type type = response_type::ack;
    std::vector<fill> fills;
};

/// The venue's refusal: {"code":-2010,"msg":"..."}.
struct api_error {
    int code = 0;
    std::string msg;
};

/// One rateLimits entry of a WS-API response.
struct rate_limit {
    short_string type;     ///< REQUEST_WEIGHT, ORDERS, RAW_REQUESTS, CONNECTIONS
    short_string interval; ///< SECOND, MINUTE, HOUR, DAY
    std::uint32_t interval_num = 0;
    std::uint64_t limit = 0;
    std::uint64_t count = 0; ///< used so far (absent in exchangeInfo: 0)
};

/// The rate limits the gateway acts on, picked from a rateLimits array (known_limits).
struct known_rate_limits {
    std::optional<rate_limit> weight_1m;  ///< REQUEST_WEIGHT per 1 MINUTE (per IP)
    std::optional<rate_limit> orders_10s; ///< ORDERS per 10 SECOND (per account)
    std::optional<rate_limit> orders_1d;  ///< ORDERS per 1 DAY (per account)
    /// RAW_REQUESTS (per IP; Binance Spot: 61,000 per 5 MINUTE): of several, the one with the
    /// lowest raw_requests_weight_cap, else the first
    std::optional<rate_limit> raw_requests;
};

/// REQUEST_WEIGHT/1 MINUTE, ORDERS/10 SECOND and /1 DAY, and RAW_REQUESTS of a rateLimits array
/// (exchangeInfo, WS-API answers); the others (CONNECTIONS, ...) are left out.
[[nodiscard]] known_rate_limits known_limits(const std::vector<rate_limit>& all) noexcept;

/// The window of a rate limit (interval_num x SECOND, MINUTE, HOUR or DAY); empty for an
/// interval it does not know or a count of 0.
[[nodiscard]] std::optional<std::chrono::seconds> interval_length(const rate_limit& l) noexcept;

/// The request weight per minute under which a RAW_REQUESTS limit cannot be reached: every request
/// weighs at least 1, and a window of whole minutes (aligned, as Binance's are) holds that many
/// minute windows, so floor(limit / minutes). Empty without a RAW_REQUESTS limit, for one whose
/// window is not whole minutes (a per-second limit is not bounded by a per-minute budget), or one
/// below a request a minute.
[[nodiscard]] std::optional<std::int64_t> raw_requests_weight_cap(const known_rate_limits& k) noexcept;

/// One symbol of exchangeInfo: its rules and trading status.
struct symbol_rules {
    instrument rules;
    short_string status; ///< "TRADING", "BREAK", "HALT", ...
};

/// exchangeInfo (REST or WS-API result).
struct exchange_info {
    time_point server_time;
    std::vector<symbol_rules> symbols;
    /// The venue's limits (REQUEST_WEIGHT, ORDERS, ...; count 0).
    std::vector<rate_limit> rate_limits;
};

/// Market data stream messages.
enum class stream_kind : std::uint8_t {
    depth_update,    ///< <s>@depth, <s>@depth@100ms
    partial_depth,   ///< <s>@depth5/10/20[@100ms]
    trade,           ///< <s>@trade
    agg_trade,       ///< <s>@aggTrade
    book_ticker,     ///< <s>@bookTicker
    kline,           ///< <s>@kline_<interval>
    server_shutdown, ///< !serverShutdown: the server will close the connection soon
};

/// Slots the stream decoder fills; the one named by the returned stream_kind is valid. Reused
/// across frames so that vectors keep their capacity (no allocation per message once warm).
struct market_events {
    book_delta depth;
    book_snapshot partial;
    trade trade_event;
    agg_trade agg;
    top_of_book ticker;
    kline candle;
    time_point shutdown_time;
};

/// User data stream events.
enum class user_event_kind : std::uint8_t {
    execution_report,
    account_position, ///< outboundAccountPosition
    balance_update,
    stream_terminated, ///< eventStreamTerminated: the subscription ended
    other,             ///< an event type we do not decode (counted, not an error)
};

/// Slots the user data decoder fills.
struct user_events {
    std::int64_t subscription_id = -1; ///< from the WS-API envelope; -1 for a bare event
    execution_report execution;
    execution_extra extra;
    account_update account;
    balance_update balance;
    time_point event_time;
};

/// What a WS-API response's "result" holds; the caller knows from the request id.
enum class ws_result_kind : std::uint8_t {
    none,          ///< skip the result (ping, session methods, subscriptions)
    order,         ///< order.place / order.cancel / order.status
    order_list,    ///< openOrders.status: an array of orders
    exchange_info, ///< exchangeInfo
};

/// A WS-API response header plus its decoded result.
struct ws_response {
    std::string id;  ///< the request id, as text (numbers printed in decimal; null is empty)
    int status = 0;  ///< HTTP-like status
    bool ok = false; ///< a "result" (not an "error") came
    api_error error;
    std::vector<rate_limit> rate_limits;
    order_response order;               ///< for ws_result_kind::order
    std::vector<order_response> orders; ///< for ws_result_kind::order_list
    exchange_info info;                 ///< for ws_result_kind::exchange_info
};

/// Decoder counters: frames seen, decoded, and errors by binance_errc value.
struct decoder_stats {
    std::uint64_t frames = 0;
    std::uint64_t decoded = 0;
    std::uint64_t ignored = 0; ///< well-formed messages of a type we do not decode
    std::array<std::uint64_t, binance_errc_count> errors{};

    std::uint64_t error_count() const noexcept {
        std::uint64_t n = 0;
        for (auto e : errors)
            n += e;
        return n;
    }
    std::uint64_t errors_of(binance_errc e) const noexcept { return errors[static_cast<std::size_t>(e)]; }
};

} // namespace genesis::binance
