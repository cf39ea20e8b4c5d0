// Binance Spot's JSON shapes for the sim: REST bodies, stream payloads, user data events and the
// WS-API envelopes. Field names and order follow Binance's documentation; prices, quantities and
// balances print with 8 fractional digits ("0.00100000"), times in milliseconds.
#pragma once

#include "genesis/core/events.hpp"
#include "genesis/core/instrument.hpp"
#include "genesis/sim/account.hpp"
#include "genesis/sim/protocol/json_writer.hpp"
#include "genesis/sim/protocol/orders.hpp"
#include "genesis/sim/types.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::sim::protocol {

/// Milliseconds since the epoch of a wall-clock time_point.
constexpr std::int64_t to_ms(time_point t) noexcept { return t.ns / 1'000'000; }

/// One rate limit as exchangeInfo and WS-API "rateLimits" list it; count only in WS-API replies.
struct rate_limit {
    std::string_view type;     ///< "REQUEST_WEIGHT", "ORDERS", "CONNECTIONS"
    std::string_view interval; ///< "SECOND", "MINUTE", "DAY"
    int interval_num = 1;
    std::int64_t limit = 0;
    std::optional<std::int64_t> count;
};

/// REQUEST_WEIGHT 6000/1 MINUTE, ORDERS 50/10 SECOND, ORDERS 160000/1 DAY, CONNECTIONS 300/5 MINUTE.
std::span<const rate_limit> default_rate_limits() noexcept;

void write_rate_limit(json_writer& w, const rate_limit& r);

// --- general ---------------------------------------------------------------------------------

/// {"code":-1121,"msg":"Invalid symbol."}
void write_error(json_writer& w, const binance_error& e);
std::string error_body(const binance_error& e);
/// {}
std::string ping_body();
/// {"serverTime":1499827319559}
std::string time_body(std::int64_t server_time_ms);

/// What exchangeInfo says about the exchange beyond the instruments.
struct exchange_info_options {
    std::size_t max_num_orders = 0; ///< MAX_NUM_ORDERS filter when > 0
    /// The "rateLimits" array; empty: default_rate_limits().
    std::span<const rate_limit> rate_limits;
};
/// {"timezone":"UTC","serverTime",...,"rateLimits":[...],"exchangeFilters":[],"symbols":[...]} with
/// per symbol the fields of Binance's example and filters PRICE_FILTER, LOT_SIZE, NOTIONAL
/// (and MAX_NUM_ORDERS).
void write_exchange_info(json_writer& w, std::span<const instrument> instruments, std::int64_t server_time_ms,
                         const exchange_info_options& opt = {});
void write_symbol_info(json_writer& w, const instrument& ins, const exchange_info_options& opt = {});

// --- market data (REST) ----------------------------------------------------------------------

/// {"lastUpdateId":..,"bids":[["p","q"],...],"asks":[...]} (also the partial depth stream payload)
void write_depth(json_writer& w, const book_snapshot& book);
/// GET /api/v3/trades: [{"id","price","qty","quoteQty","time","isBuyerMaker","isBestMatch"}]
void write_trades(json_writer& w, std::span<const trade> trades);
/// GET /api/v3/aggTrades: [{"a","p","q","f","l","T","m","M"}]
void write_agg_trades(json_writer& w, std::span<const agg_trade> trades);
/// GET /api/v3/ticker/bookTicker: {"symbol","bidPrice","bidQty","askPrice","askQty"}
void write_book_ticker(json_writer& w, const top_of_book& t);

// --- trading (REST bodies and WS-API results) ------------------------------------------------

/// POST /api/v3/order: ACK {symbol,orderId,orderListId,clientOrderId,transactTime}; RESULT adds
/// price..selfTradePreventionMode; FULL adds "fills".
void write_new_order(json_writer& w, const order_result& r, order_resp_type type);
/// GET /api/v3/order (and each element of openOrders / allOrders).
void write_order(json_writer& w, const order_record& o);
void write_orders(json_writer& w, std::span<const order_record> orders);
/// DELETE /api/v3/order.
void write_cancel(json_writer& w, const cancel_result& c);
/// DELETE /api/v3/openOrders: an array of cancel responses.
void write_cancels(json_writer& w, std::span<const cancel_result> cs);
/// GET /api/v3/account. update_time_ms: the last balance change (0 when unknown).
void write_account(json_writer& w, const account& acc, std::span<const balance> balances, std::int64_t update_time_ms,
                   bool omit_zero_balances = false);
/// GET /api/v3/myTrades: [{"symbol","id","orderId","orderListId","price","qty","quoteQty",
/// "commission","commissionAsset","time","isBuyer","isMaker","isBestMatch"}]
void write_my_trades(json_writer& w, std::span<const account_trade> trades);

// --- market streams --------------------------------------------------------------------------

/// {"e":"depthUpdate","E","s","U","u","b":[["p","q"]],"a":[...]}
void write_depth_update(json_writer& w, const book_delta& d, std::int64_t event_time_ms);
/// {"e":"trade","E","s","t","p","q","T","m","M"}
void write_trade_event(json_writer& w, const trade& t, std::int64_t event_time_ms);
/// {"e":"aggTrade","E","s","a","p","q","f","l","T","m","M"}
void write_agg_trade_event(json_writer& w, const agg_trade& t, std::int64_t event_time_ms);
/// {"u","s","b","B","a","A"}
void write_book_ticker_event(json_writer& w, const top_of_book& t);
/// {"stream":"<name>","data":<payload>}
std::string wrap_combined(std::string_view stream, std::string_view payload_json);

// --- user data ---------------------------------------------------------------------------------

/// executionReport with every field of Binance's example, in its order. execution_id is "I";
/// prevented_match_id is "v" (Binance sends it only after STP: pass nullopt to leave it out).
void write_execution_report(json_writer& w, const execution_report& r, std::uint64_t execution_id = 0,
                            std::optional<std::int64_t> prevented_match_id = std::nullopt);
/// {"e":"outboundAccountPosition","E","u","B":[{"a","f","l"}]}
void write_account_position(json_writer& w, const account_update& u);
/// {"e":"balanceUpdate","E","a","d","T"}
void write_balance_update(json_writer& w, const balance_update& u);
/// {"subscriptionId":N,"event":<event>} (WS-API user data stream)
std::string wrap_user_event(std::uint64_t subscription_id, std::string_view event_json);
/// {"e":"listenKeyExpired","E":"<ms>","listenKey":".."}: E is a string, as Binance documents it.
std::string listen_key_expired_event(std::int64_t event_time_ms, std::string_view listen_key);

// --- WS-API envelopes -----------------------------------------------------------------------

/// {"id":<id_json>,"status":200,"result":<result_json>,"rateLimits":[...]} (rateLimits left
/// out when empty). id_json is the request id as raw JSON ("1", "\"abc\"", "null").
std::string ws_response(std::string_view id_json, std::string_view result_json,
                        std::span<const rate_limit> rate_limits = {});
/// The "data" of a WS-API 429 / 418 error: when the client may send again (epoch ms).
struct ws_retry_after {
    std::int64_t server_time_ms = 0;
    std::int64_t retry_after_ms = 0;
};

/// {"id":..,"status":<status>,"error":{"code","msg"[,"data":{"serverTime","retryAfter"}]},
/// "rateLimits":[...]}; status 0 means http_status(e).
std::string ws_error_response(std::string_view id_json, const binance_error& e,
                              std::span<const rate_limit> rate_limits = {}, int status = 0,
                              std::optional<ws_retry_after> retry = std::nullopt);

} // namespace genesis::sim::protocol
