#include "genesis/sim/market_data.hpp"

#include <algorithm>

namespace genesis::sim {

void depth_accumulator::add(const book_delta& d) {
    if (!pending_) {
        pending_ = d;
        pending_->bids.clear();
        pending_->asks.clear();
    } else {
        pending_->last_update_id = d.last_update_id;
        pending_->exchange_time = d.exchange_time;
        pending_->receive_time = d.receive_time;
    }
    for (const auto& l : d.bids)
        bids_[l.price] = l.quantity;
    for (const auto& l : d.asks)
        asks_[l.price] = l.quantity;
}

std::optional<book_delta> depth_accumulator::take() {
    if (!pending_)
        return std::nullopt;
    book_delta out = std::move(*pending_);
    pending_.reset();
    out.bids.reserve(bids_.size());
    for (auto it = bids_.rbegin(); it != bids_.rend(); ++it)
        out.bids.push_back({it->first, it->second});
    out.asks.reserve(asks_.size());
    for (const auto& [price, qty] : asks_)
        out.asks.push_back({price, qty});
    bids_.clear();
    asks_.clear();
    return out;
}

namespace {

template <class Better>
void apply_side(std::vector<book_level>& levels, const std::vector<book_level>& changes, Better better) {
    for (const auto& c : changes) {
        // Levels stay sorted best first; find the slot for c.price.
        auto it = std::lower_bound(levels.begin(), levels.end(), c.price,
                                   [&](const book_level& l, decimal p) { return better(l.price, p); });
        const bool present = it != levels.end() && it->price == c.price;
        if (c.quantity.is_zero()) {
            if (present)
                levels.erase(it);
        } else if (present) {
            it->quantity = c.quantity;
        } else {
            levels.insert(it, c);
        }
    }
}

} // namespace

void apply_delta(book_snapshot& book, const book_delta& d) {
    apply_side(book.bids, d.bids, [](decimal a, decimal b) { return a > b; });
    apply_side(book.asks, d.asks, [](decimal a, decimal b) { return a < b; });
    book.last_update_id = d.last_update_id;
}

} // namespace genesis::sim
