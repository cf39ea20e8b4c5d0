// How the exchange tells the outside world what happened: a listener interface for user data
// (executionReport, outboundAccountPosition, balanceUpdate) and market data (depth diffs,
// trades, aggTrades, bookTicker), and an accumulator that merges depth diffs over a window.
#pragma once

#include "genesis/core/events.hpp"
#include "genesis/sim/types.hpp"

#include <map>
#include <optional>

namespace genesis::sim {

/// Receives the exchange's events. Every call is synchronous, on the thread that called the
/// exchange, AFTER the operation that caused it has fully updated the exchange's state (queries
/// from inside a callback see the new state). Do not call mutating exchange functions from a
/// callback: copy what you need and post it.
///
/// Per operation (one new order, one cancel, one cancel-all, one agent action) the events come
/// in this order: execution reports (in occurrence order, maker before taker for each fill),
/// account positions (one per account whose balances changed, only the changed assets),
/// trades and aggTrades, then per symbol one depth diff and, when the best bid or ask changed,
/// one book ticker.
class exchange_listener {
public:
    virtual ~exchange_listener() = default;

    /// executionReport for the owner of the order.
    virtual void on_execution_report(account_id, const execution_report&) {}
    /// outboundAccountPosition: the assets of `account` that changed in this operation.
    virtual void on_account_position(account_id, const account_update&) {}
    /// balanceUpdate: a deposit or withdrawal made through exchange::adjust_balance.
    virtual void on_balance_update(account_id, const balance_update&) {}

    /// <symbol>@depth: one diff per operation; U == previous u + 1 per symbol, always.
    virtual void on_depth_diff(const book_delta&) {}
    /// <symbol>@trade.
    virtual void on_trade(const trade&) {}
    /// <symbol>@aggTrade: one per taker order and price, after that order's trades.
    virtual void on_agg_trade(const agg_trade&) {}
    /// <symbol>@bookTicker: best bid/ask after a change of either (quantity or price).
    virtual void on_book_ticker(const top_of_book&) {}
};

/// Merges consecutive depth diffs of one symbol into one (for @depth@100ms / @depth windows):
/// U of the first, u of the last, each level's latest quantity. Thread-compatible.
class depth_accumulator {
    std::optional<book_delta> pending_;
    std::map<decimal, decimal> bids_;
    std::map<decimal, decimal> asks_;

public:
    /// Adds a diff. A diff that does not chain (U != u + 1 of the previous) is still merged: the
    /// result then covers [first U, last u] as Binance's would.
    void add(const book_delta& d);
    /// True when nothing is pending.
    bool empty() const noexcept { return !pending_; }
    /// The merged diff (bids descending, asks ascending) and a reset; nullopt when empty.
    std::optional<book_delta> take();
};

/// Applies a diff to a snapshot as a client would (quantity 0 removes the level), keeping bids
/// descending and asks ascending, and sets last_update_id to d.last_update_id.
void apply_delta(book_snapshot& book, const book_delta& d);

} // namespace genesis::sim
