#include "genesis/sim/order_book.hpp"

#include <algorithm>

namespace genesis::sim {
namespace {

decimal min_of(decimal a, decimal b) noexcept { return a < b ? a : b; }

// How much of `available` a taker may take at `price` within its remaining budgets; 0 when none.
decimal take_quantity(decimal available, decimal price, std::optional<decimal> qty_left,
                      std::optional<decimal> quote_left, decimal step) noexcept {
    decimal q = available;
    if (qty_left)
        q = min_of(q, *qty_left);
    if (quote_left) {
        // Buy only what the quote budget pays for, on the step grid.
        auto affordable = quote_left->div(price, rounding::down);
        if (!affordable)
            return {};
        decimal a = *affordable;
        if (step.is_positive()) {
            auto r = a.round_to(step, rounding::down);
            if (!r)
                return {};
            a = *r;
        }
        q = min_of(q, a);
    }
    return q.is_positive() ? q : decimal{};
}

// Walks the opposite side in priority order and calls on_take(order, qty, quote) for each take;
// stops when the limit price or a budget is reached or when on_take returns false.
template <class Map, class OnTake>
void walk(const Map& levels, side taker, const match_limits& lim, OnTake&& on_take) {
    std::optional<decimal> qty_left = lim.max_qty;
    std::optional<decimal> quote_left = lim.max_quote;
    for (const auto& [price, lvl] : levels) {
        // A buyer stops above its limit, a seller below.
        if (lim.limit_price) {
            if (taker == side::buy && price > *lim.limit_price)
                return;
            if (taker == side::sell && price < *lim.limit_price)
                return;
        }
        for (const auto& o : lvl.orders) {
            const decimal q = take_quantity(o.remaining, price, qty_left, quote_left, lim.step_size);
            if (q.is_zero())
                return;
            auto quote = price.mul(q, rounding::nearest);
            if (!quote)
                return;
            if (quote_left && *quote > *quote_left)
                return;
            if (!on_take(o, q, *quote))
                return;
            if (qty_left)
                *qty_left = decimal::from_raw(qty_left->raw() - q.raw());
            if (quote_left)
                *quote_left = decimal::from_raw(quote_left->raw() - quote->raw());
        }
    }
}

} // namespace

void order_book::note_change(side s, decimal price, decimal new_total) {
    ++update_id_;
    if (pending_first_ == 0)
        pending_first_ = update_id_;
    (s == side::buy ? pending_bids_ : pending_asks_)[price] = new_total;
}

void order_book::add(const book_order& o) {
    auto place = [&](auto& levels) {
        auto& lvl = levels[o.price];
        lvl.orders.push_back(o);
        index_[o.order_id] = std::prev(lvl.orders.end());
        lvl.total = decimal::from_raw(lvl.total.raw() + o.remaining.raw());
        note_change(o.order_side, o.price, lvl.total);
    };
    if (o.order_side == side::buy)
        place(bids_);
    else
        place(asks_);
}

std::optional<book_order> order_book::remove(std::uint64_t order_id) {
    const auto it = index_.find(order_id);
    if (it == index_.end())
        return std::nullopt;
    const book_order o = *it->second;
    auto erase = [&](auto& levels) {
        auto lvl = levels.find(o.price);
        lvl->second.orders.erase(it->second);
        lvl->second.total = decimal::from_raw(lvl->second.total.raw() - o.remaining.raw());
        const decimal total = lvl->second.orders.empty() ? decimal{} : lvl->second.total;
        if (lvl->second.orders.empty())
            levels.erase(lvl);
        note_change(o.order_side, o.price, total);
    };
    if (o.order_side == side::buy)
        erase(bids_);
    else
        erase(asks_);
    index_.erase(it);
    return o;
}

const book_order* order_book::find(std::uint64_t order_id) const {
    const auto it = index_.find(order_id);
    return it == index_.end() ? nullptr : &*it->second;
}

std::optional<book_level> order_book::best_bid() const {
    if (bids_.empty())
        return std::nullopt;
    return book_level{bids_.begin()->first, bids_.begin()->second.total};
}

std::optional<book_level> order_book::best_ask() const {
    if (asks_.empty())
        return std::nullopt;
    return book_level{asks_.begin()->first, asks_.begin()->second.total};
}

bool order_book::would_cross(side s, decimal price) const {
    if (s == side::buy)
        return !asks_.empty() && asks_.begin()->first <= price;
    return !bids_.empty() && bids_.begin()->first >= price;
}

fill_estimate order_book::estimate(side taker, const match_limits& lim) const {
    fill_estimate est;
    auto on_take = [&](const book_order&, decimal q, decimal quote) {
        auto nq = est.qty.add(q);
        auto nquote = est.quote.add(quote);
        if (!nq || !nquote)
            return false;
        est.qty = *nq;
        est.quote = *nquote;
        return true;
    };
    if (taker == side::buy)
        walk(asks_, taker, lim, on_take);
    else
        walk(bids_, taker, lim, on_take);
    return est;
}

std::vector<book_match> order_book::match(side taker, const match_limits& lim) {
    // Plan on the const book first, then apply: the walk never sees a half-changed level.
    std::vector<book_match> plan;
    decimal total_qty;
    decimal total_quote;
    auto on_take = [&](const book_order& o, decimal q, decimal quote) {
        auto nq = total_qty.add(q);
        auto nquote = total_quote.add(quote);
        if (!nq || !nquote)
            return false;
        total_qty = *nq;
        total_quote = *nquote;
        plan.push_back({o.order_id, o.account, o.price, q, quote, q == o.remaining});
        return true;
    };
    if (taker == side::buy)
        walk(std::as_const(asks_), taker, lim, on_take);
    else
        walk(std::as_const(bids_), taker, lim, on_take);

    auto apply = [&](auto& levels) {
        for (const auto& m : plan) {
            auto idx = index_.find(m.maker_order_id);
            auto lvl = levels.find(m.price);
            auto& o = *idx->second;
            o.remaining = decimal::from_raw(o.remaining.raw() - m.qty.raw());
            lvl->second.total = decimal::from_raw(lvl->second.total.raw() - m.qty.raw());
            if (m.maker_done) {
                lvl->second.orders.erase(idx->second);
                index_.erase(idx);
            }
            const bool level_gone = lvl->second.orders.empty();
            note_change(opposite(taker), m.price, level_gone ? decimal{} : lvl->second.total);
            if (level_gone)
                levels.erase(lvl);
        }
    };
    if (taker == side::buy)
        apply(asks_);
    else
        apply(bids_);
    return plan;
}

void order_book::snapshot(std::size_t limit, book_snapshot& out) const {
    out.last_update_id = update_id_;
    out.bids.clear();
    out.asks.clear();
    auto copy = [limit](const auto& levels, std::vector<book_level>& to) {
        const std::size_t n = limit == 0 ? levels.size() : std::min(limit, levels.size());
        to.reserve(n);
        for (const auto& [price, lvl] : levels) {
            if (to.size() == n)
                break;
            to.push_back({price, lvl.total});
        }
    };
    copy(bids_, out.bids);
    copy(asks_, out.asks);
}

std::optional<book_delta> order_book::take_delta() {
    if (pending_first_ == 0)
        return std::nullopt;
    book_delta d;
    d.first_update_id = pending_first_;
    d.last_update_id = update_id_;
    d.bids.reserve(pending_bids_.size());
    for (auto it = pending_bids_.rbegin(); it != pending_bids_.rend(); ++it)
        d.bids.push_back({it->first, it->second});
    d.asks.reserve(pending_asks_.size());
    for (const auto& [price, qty] : pending_asks_)
        d.asks.push_back({price, qty});
    pending_bids_.clear();
    pending_asks_.clear();
    pending_first_ = 0;
    return d;
}

} // namespace genesis::sim
