// Value types of the simulated exchange: requests, order records, fills, trades and counters.
// Every price and quantity is a genesis::decimal; every time is a wall-clock time_point (ns since
// the Unix epoch, from the exchange's injected clock: divide by 1'000'000 for Binance's ms).
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/decimal.hpp"
#include "genesis/core/enums.hpp"
#include "genesis/core/fixed_string.hpp"
#include "genesis/sim/sim_errors.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace genesis::sim {

/// An account of the simulated exchange (assigned by exchange::create_account, from 1).
using account_id = std::uint32_t;

/// A new order (POST /api/v3/order, order.place). Optional fields are the ones the client may
/// omit; the engine checks the combination for the type exactly as Binance does.
struct new_order_request {
    symbol sym;
    side order_side = side::buy;
    order_type type = order_type::limit;
    std::optional<time_in_force> tif;       ///< required for LIMIT, refused for MARKET/LIMIT_MAKER
    std::optional<decimal> price;           ///< required for LIMIT and LIMIT_MAKER
    std::optional<decimal> quantity;        ///< base quantity
    std::optional<decimal> quote_order_qty; ///< MARKET only: spend/receive this much quote
    client_order_id client_id;              ///< newClientOrderId; empty: the engine makes one
};

/// A cancel (DELETE /api/v3/order, order.cancel). order_id wins when both ids are given.
struct cancel_request {
    symbol sym;
    std::optional<std::uint64_t> order_id;
    client_order_id orig_client_id; ///< origClientOrderId (empty: not given)
    client_order_id new_client_id;  ///< newClientOrderId of the cancel; empty: generated
};

/// The state of one order as GET /api/v3/order reports it. orderListId is always -1 and
/// selfTradePreventionMode "NONE" (self-trades are allowed), stopPrice/icebergQty are 0.
struct order_record {
    account_id account = 0;
    symbol sym;
    std::uint64_t order_id = 0; ///< increasing per symbol, from 1
    client_order_id client_id;
    side order_side = side::buy;
    order_type type = order_type::limit;
    time_in_force tif = time_in_force::gtc; ///< GTC for MARKET and LIMIT_MAKER, as Binance reports
    order_status status = order_status::new_;
    decimal price;                ///< 0 for MARKET
    decimal orig_qty;             ///< 0 for MARKET by quoteOrderQty
    decimal orig_quote_order_qty; ///< 0 unless MARKET by quoteOrderQty
    decimal executed_qty;
    decimal cumulative_quote_qty; ///< "cummulativeQuoteQty"
    bool is_working = false;      ///< resting on the book
    time_point time;              ///< creation ("time", "transactTime" of the NEW)
    time_point update_time;       ///< last change
    time_point working_time;      ///< when it started resting (0 when it never did)
};

/// One fill of an order, as in the FULL response's "fills" array.
struct fill {
    decimal price;
    decimal qty;
    decimal commission;
    asset commission_asset;
    std::uint64_t trade_id = 0;
    friend bool operator==(const fill&, const fill&) = default;
};

/// The answer to a new order: newOrderRespType ACK uses order.{sym, order_id, client_id} and
/// transact_time; RESULT adds the rest of `order`; FULL adds `fills` (the taker fills of this
/// request, in execution order).
struct order_result {
    order_record order; ///< state after the request was processed
    std::vector<fill> fills;
    time_point transact_time;
};

/// The answer to a cancel: the canceled order's final state plus the cancel's own client id
/// ("clientOrderId" in Binance's cancel response; "origClientOrderId" is order.client_id).
struct cancel_result {
    order_record order;
    client_order_id cancel_client_id;
    time_point transact_time;
};

/// One fill as GET /api/v3/myTrades reports it, kept per account and symbol.
struct account_trade {
    account_id account = 0;
    symbol sym;
    std::uint64_t trade_id = 0;
    std::uint64_t order_id = 0;
    client_order_id client_id;   ///< not in myTrades; handy for ground-truth checks
    side order_side = side::buy; ///< isBuyer = (order_side == buy)
    decimal price;
    decimal qty;
    decimal quote_qty;
    decimal commission;
    asset commission_asset;
    bool is_maker = false;
    time_point time;
    friend bool operator==(const account_trade&, const account_trade&) = default;
};

/// An aggregate trade (aggTrade stream, GET /api/v3/aggTrades): the fills of one taker order at
/// one price. first/last trade ids are inclusive.
struct agg_trade {
    symbol sym;
    std::uint64_t agg_id = 0; ///< increasing per symbol, from 1
    decimal price;
    decimal qty;
    std::uint64_t first_trade_id = 0;
    std::uint64_t last_trade_id = 0;
    bool buyer_is_maker = false;
    time_point time;
    friend bool operator==(const agg_trade&, const agg_trade&) = default;
};

/// Running figures of one symbol since the exchange started (24hr ticker substitute).
struct ticker_stats {
    symbol sym;
    decimal open_price; ///< first trade's price (0 before any trade)
    decimal last_price;
    decimal high_price;
    decimal low_price;
    decimal volume; ///< base traded
    decimal quote_volume;
    std::uint64_t first_trade_id = 0;
    std::uint64_t last_trade_id = 0;
    std::uint64_t trade_count = 0;
};

/// Counters of one account (or of the whole exchange).
struct order_counters {
    std::uint64_t received = 0; ///< new-order requests that reached the engine
    std::uint64_t accepted = 0; ///< got an order id
    std::uint64_t rejected = 0; ///< refused with an error
    std::uint64_t canceled = 0; ///< ended CANCELED
    std::uint64_t expired = 0;  ///< ended EXPIRED (IOC/FOK/MARKET leftovers)
    std::uint64_t filled = 0;   ///< ended FILLED
    std::uint64_t fills = 0;    ///< executions (a trade counts once per side taken)
    decimal executed_qty;       ///< base filled, summed over symbols
    decimal executed_quote;     ///< quote filled, summed over symbols
    std::map<sim_errc, std::uint64_t> rejected_by_reason;
};

/// Ground truth for tests and /sim/stats.
struct engine_stats {
    order_counters total;
    std::map<account_id, order_counters> by_account;
    std::uint64_t cancel_requests = 0;
    std::uint64_t cancel_rejected = 0;
    std::uint64_t trades = 0; ///< public trades
};

} // namespace genesis::sim
