// The event vocabulary every part of Genesis speaks: market data, orders, executions, balances.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/decimal.hpp"
#include "genesis/core/enums.hpp"
#include "genesis/core/fixed_string.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace genesis {

/// A venue's name ("binance", "sim").
using venue_id = fixed_string<16>;

/// One price level. In a delta, quantity 0 removes the level.
struct book_level {
    decimal price;
    decimal quantity;
    friend bool operator==(const book_level&, const book_level&) = default;
};

/// A whole book (REST snapshot or partial-depth stream). Bids best first (descending), asks best
/// first (ascending).
struct book_snapshot {
    venue_id venue;
    symbol sym;
    std::uint64_t last_update_id = 0;
    std::vector<book_level> bids;
    std::vector<book_level> asks;
    time_point exchange_time; ///< wall clock, when the venue sends it
    time_point receive_time;  ///< monotonic, when the frame arrived
};

/// A diff of the book covering update ids [first_update_id, last_update_id] (Binance U and u).
struct book_delta {
    venue_id venue;
    symbol sym;
    std::uint64_t first_update_id = 0;
    std::uint64_t last_update_id = 0;
    std::vector<book_level> bids;
    std::vector<book_level> asks;
    time_point exchange_time;
    time_point receive_time;
};

/// Best bid and ask (bookTicker).
struct top_of_book {
    venue_id venue;
    symbol sym;
    std::uint64_t update_id = 0;
    book_level bid;
    book_level ask;
    time_point receive_time;
};

/// A public trade.
struct trade {
    venue_id venue;
    symbol sym;
    std::uint64_t trade_id = 0;
    decimal price;
    decimal quantity;
    bool buyer_is_maker = false;
    time_point trade_time; ///< wall clock
    time_point receive_time;
};

/// Everything an exchange says about one change of one order (Binance executionReport and the
/// order responses). Optional fields are absent when the venue did not send them.
struct execution_report {
    venue_id venue;
    symbol sym;
    std::uint64_t order_id = 0;     ///< exchange order id
    client_order_id client_id;      ///< the order's client order id
    client_order_id orig_client_id; ///< for cancels: the id of the order being canceled
    side order_side = side::buy;
    order_type type = order_type::limit;
    time_in_force tif = time_in_force::gtc;
    order_status status = order_status::new_;
    execution_type exec_type = execution_type::new_;
    decimal price;    ///< order price
    decimal quantity; ///< order quantity
    decimal stop_price;
    decimal quote_order_qty;
    decimal last_quantity; ///< filled by this execution
    decimal last_price;    ///< price of this execution
    decimal cumulative_quantity;
    decimal cumulative_quote;
    decimal commission;
    asset commission_asset;
    std::optional<std::uint64_t> trade_id; ///< for exec_type trade
    bool is_maker = false;
    bool is_working = false;        ///< on the book
    std::string reject_reason;      ///< "NONE" or the venue's reason
    time_point event_time;          ///< wall clock
    time_point transaction_time;    ///< wall clock
    time_point order_creation_time; ///< wall clock
    time_point working_time;        ///< wall clock
    time_point receive_time;
};

/// One asset's balance.
struct balance {
    asset name;
    decimal free;
    decimal locked;
    friend bool operator==(const balance&, const balance&) = default;
};

/// Balances after an account change (Binance outboundAccountPosition).
struct account_update {
    venue_id venue;
    std::vector<balance> balances;
    time_point event_time;
    time_point last_update_time;
    time_point receive_time;
};

/// A deposit, withdrawal or transfer (Binance balanceUpdate).
struct balance_update {
    venue_id venue;
    asset name;
    decimal delta;
    time_point event_time;
    time_point clear_time;
    time_point receive_time;
};

/// What a strategy asks for. The OMS assigns client_id before anything leaves the gateway.
struct order_intent {
    std::uint32_t strategy_id = 0;
    venue_id venue;
    symbol sym;
    client_order_id client_id;
    side order_side = side::buy;
    order_type type = order_type::limit;
    time_in_force tif = time_in_force::gtc;
    std::optional<decimal> price;
    std::optional<decimal> quantity;       ///< base quantity
    std::optional<decimal> quote_quantity; ///< MARKET by quote amount (quoteOrderQty)
    std::optional<decimal> stop_price;
    time_point created;
    /// Monotonic receive time of the market-data frame this order answers (zero: none). The venue
    /// records tick-to-order from it when the order's bytes are handed to the socket.
    time_point tick;
};

/// A request to cancel one order, named by client order id or by exchange order id.
struct cancel_intent {
    std::uint32_t strategy_id = 0;
    venue_id venue;
    symbol sym;
    client_order_id orig_client_id;
    std::optional<std::uint64_t> order_id;
    time_point created;
};

} // namespace genesis
