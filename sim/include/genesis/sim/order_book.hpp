// One symbol's limit order book: price-time priority, level totals, and the depth-diff journal
// that gives every level change its own update id.
#pragma once

#include "genesis/core/decimal.hpp"
#include "genesis/core/enums.hpp"
#include "genesis/core/events.hpp"
#include "genesis/sim/types.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace genesis::sim {

/// An order resting on the book.
struct book_order {
    std::uint64_t order_id = 0;
    account_id account = 0;
    side order_side = side::buy;
    decimal price;
    decimal remaining;
};

/// One execution against a resting order, in matching order.
struct book_match {
    std::uint64_t maker_order_id = 0;
    account_id maker_account = 0;
    decimal price;
    decimal qty;
    decimal quote;           ///< price x qty
    bool maker_done = false; ///< the maker order left the book (fully filled)
};

/// What a taker could get now, without changing anything.
struct fill_estimate {
    decimal qty;
    decimal quote;
};

/// Limits of a match: a limit price (none: MARKET) and a base and/or quote budget.
struct match_limits {
    std::optional<decimal> limit_price;
    std::optional<decimal> max_qty;
    std::optional<decimal> max_quote; ///< MARKET by quoteOrderQty
    decimal step_size;                ///< quantities bought with a quote budget round down to it
};

/// A price-time priority book. Every change of a level's total quantity takes the next update
/// id; take_delta() hands out the changes since the previous call as one Binance-shaped diff
/// (U = first id, u = last id, levels with their new total, 0 = removed), so consecutive diffs
/// chain exactly and agree with snapshot().last_update_id.
class order_book {
    struct level {
        decimal total;
        std::list<book_order> orders; // time priority: front is oldest
    };
    using bid_map = std::map<decimal, level, std::greater<decimal>>;
    using ask_map = std::map<decimal, level, std::less<decimal>>;

    bid_map bids_;
    ask_map asks_;
    std::unordered_map<std::uint64_t, std::list<book_order>::iterator> index_;
    std::uint64_t update_id_ = 0;
    std::uint64_t pending_first_ = 0; // first update id not yet taken by take_delta
    std::map<decimal, decimal> pending_bids_;
    std::map<decimal, decimal> pending_asks_;

    void note_change(side s, decimal price, decimal new_total);

public:
    order_book() = default;

    /// Rests o at the back of its price level.
    void add(const book_order& o);
    /// Removes an order; nullopt when it is not on the book.
    std::optional<book_order> remove(std::uint64_t order_id);
    /// The resting order, or nullptr.
    const book_order* find(std::uint64_t order_id) const;

    std::optional<book_level> best_bid() const;
    std::optional<book_level> best_ask() const;
    /// True when an order of side s at price would trade against the book now.
    bool would_cross(side s, decimal price) const;

    /// What a taker on side s could fill within lim, changing nothing.
    fill_estimate estimate(side taker, const match_limits& lim) const;
    /// Fills a taker on side s within lim against resting orders in price-time priority.
    std::vector<book_match> match(side taker, const match_limits& lim);

    /// The id of the last change (0 before any).
    std::uint64_t update_id() const noexcept { return update_id_; }
    /// Up to `limit` levels per side (0: all), best first, with last_update_id = update_id().
    void snapshot(std::size_t limit, book_snapshot& out) const;
    /// The diff since the previous take_delta (venue, sym and times left empty); nullopt when
    /// nothing changed.
    std::optional<book_delta> take_delta();

    std::size_t order_count() const noexcept { return index_.size(); }
    std::size_t bid_levels() const noexcept { return bids_.size(); }
    std::size_t ask_levels() const noexcept { return asks_.size(); }
};

} // namespace genesis::sim
