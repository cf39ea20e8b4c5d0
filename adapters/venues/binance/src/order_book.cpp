#include "genesis/binance/order_book.hpp"

#include <algorithm>

namespace genesis::binance {

std::string_view to_string(book_state s) noexcept {
    switch (s) {
    case book_state::syncing: return "syncing";
    case book_state::valid: return "valid";
    case book_state::invalid: return "invalid";
    }
    return "?";
}

std::string_view to_string(book_reason r) noexcept {
    switch (r) {
    case book_reason::none: return "none";
    case book_reason::gap: return "gap";
    case book_reason::crossed: return "crossed";
    case book_reason::stale: return "stale";
    case book_reason::overflow: return "overflow";
    case book_reason::reset: return "reset";
    }
    return "?";
}

std::string_view to_string(book_action a) noexcept {
    return a == book_action::need_snapshot ? "need_snapshot" : "none";
}

// --- book_side ---------------------------------------------------------------------------------

namespace {
/// Position order: bids ascending, asks descending, so the best level is last.
struct side_less {
    bool bids;
    bool operator()(const book_level& l, decimal p) const noexcept { return bids ? l.price < p : l.price > p; }
};
} // namespace

void book_side::apply(book_level level) {
    const auto it = std::lower_bound(levels_.begin(), levels_.end(), level.price, side_less{bids_});
    const bool found = it != levels_.end() && it->price == level.price;
    if (level.quantity.is_zero()) {
        if (found)
            levels_.erase(it);
    } else if (found) {
        it->quantity = level.quantity;
    } else {
        levels_.insert(it, level);
    }
}

void book_side::assign_best_first(const std::vector<book_level>& levels) {
    levels_.clear();
    for (auto it = levels.rbegin(); it != levels.rend(); ++it)
        if (!it->quantity.is_zero())
            levels_.push_back(*it);
    // A snapshot comes sorted; sort anyway when it is not, rather than trust it.
    const auto less = [this](const book_level& a, const book_level& b) {
        return bids_ ? a.price < b.price : a.price > b.price;
    };
    if (!std::is_sorted(levels_.begin(), levels_.end(), less))
        std::sort(levels_.begin(), levels_.end(), less);
}

std::optional<book_level> book_side::best() const noexcept {
    if (levels_.empty())
        return std::nullopt;
    return levels_.back();
}

decimal book_side::quantity_at(decimal price) const noexcept {
    const auto it = std::lower_bound(levels_.begin(), levels_.end(), price, side_less{bids_});
    return it != levels_.end() && it->price == price ? it->quantity : decimal{};
}

// --- local_book --------------------------------------------------------------------------------

local_book::local_book(symbol sym, const clock& clk, book_config config)
        : sym_(sym), clock_(&clk), config_(config), last_update_(clk.now()) {}

void local_book::buffer(const book_delta& d) {
    ++stats_.buffered;
    if (buffered_ == config_.max_buffered && buffered_ > 0) {
        // Full: drop the oldest. The snapshot check then compares against the new first U.
        std::rotate(buffer_.begin(), buffer_.begin() + 1, buffer_.begin() + static_cast<std::ptrdiff_t>(buffered_));
        --buffered_;
        ++stats_.buffer_dropped;
    }
    if (buffered_ < buffer_.size())
        buffer_[buffered_] = d; // copy-assign keeps the slot's vector capacity
    else
        buffer_.push_back(d);
    ++buffered_;
}

void local_book::apply(const book_delta& d) {
    for (const auto& l : d.bids)
        bids_.apply(l);
    for (const auto& l : d.asks)
        asks_.apply(l);
    update_id_ = d.last_update_id;
    last_update_ = clock_->now();
    ++stats_.applied;
}

bool local_book::crossed() const noexcept {
    const auto b = bids_.best();
    const auto a = asks_.best();
    return b && a && b->price >= a->price;
}

book_action local_book::request_snapshot() {
    snapshot_pending_ = true;
    snapshot_requested_at_ = clock_->now();
    ++stats_.snapshots_requested;
    return book_action::need_snapshot;
}

book_action local_book::resync(book_reason why) {
    ++stats_.resyncs;
    state_ = book_state::invalid;
    reason_ = why;
    bids_.clear();
    asks_.clear();
    update_id_ = 0;
    buffered_ = 0;
    // A request already in flight will answer this resync too.
    return snapshot_pending_ ? book_action::none : request_snapshot();
}

book_action local_book::apply_live(const book_delta& d) {
    // a. Already covered by the book: ignore.
    if (d.last_update_id <= update_id_) {
        ++stats_.dropped_old;
        return book_action::none;
    }
    // b. Missed diffs: discard the book and restart, this diff being the first buffered one.
    //    With (a) this also enforces U <= id + 1 <= u for the first diff after a snapshot.
    if (d.first_update_id > update_id_ + 1) {
        ++stats_.gaps;
        const auto action = resync(book_reason::gap);
        buffer(d);
        return action;
    }
    apply(d);
    if (crossed()) {
        ++stats_.crossed;
        return resync(book_reason::crossed);
    }
    return book_action::none;
}

book_action local_book::on_delta(const book_delta& d) {
    ++stats_.deltas;
    if (d.sym != sym_) {
        ++stats_.other_symbol;
        return book_action::none;
    }
    if (state_ == book_state::valid)
        return apply_live(d);
    // Syncing: buffer, and ask for a snapshot once the first diff is buffered.
    buffer(d);
    return snapshot_pending_ ? book_action::none : request_snapshot();
}

book_action local_book::on_snapshot(const book_snapshot& s) {
    if (!snapshot_pending_ || s.sym != sym_) {
        ++stats_.snapshots_unexpected;
        return book_action::none;
    }
    snapshot_pending_ = false;
    // 4. A snapshot older than the first buffered diff cannot be joined to the stream: again.
    if (buffered_ > 0 && s.last_update_id < buffer_[0].first_update_id) {
        ++stats_.snapshots_too_old;
        return request_snapshot();
    }
    // 6. The book is the snapshot, its id lastUpdateId.
    ++stats_.snapshots_applied;
    bids_.assign_best_first(s.bids);
    asks_.assign_best_first(s.asks);
    update_id_ = s.last_update_id;
    last_update_ = clock_->now();
    state_ = book_state::valid;
    reason_ = book_reason::none;
    if (crossed()) {
        ++stats_.crossed;
        return resync(book_reason::crossed);
    }
    // 5 and 7. Replay the buffer: drop u <= lastUpdateId, the first applied must straddle
    // lastUpdateId + 1, then each must follow on.
    const std::size_t n = buffered_;
    buffered_ = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto action = apply_live(buffer_[i]);
        if (state_ != book_state::valid) {
            // Gap (the diff is now buffer slot 0) or crossed: keep the later diffs for the next
            // snapshot. Slots are compacted forward, never past the one being read.
            for (std::size_t j = i + 1; j < n; ++j)
                buffer(buffer_[j]);
            return action;
        }
    }
    return book_action::none;
}

book_action local_book::check() {
    const time_point now = clock_->now();
    if (state_ == book_state::valid && now - last_update_ > config_.stale_after) {
        ++stats_.stale;
        return resync(book_reason::stale);
    }
    if (snapshot_pending_ && now - snapshot_requested_at_ > config_.snapshot_timeout)
        return request_snapshot();
    return book_action::none;
}

book_action local_book::reset(book_reason why) {
    snapshot_pending_ = false;
    return resync(why);
}

void local_book::top(std::size_t n, std::vector<book_level>& bids, std::vector<book_level>& asks) const {
    bids.clear();
    asks.clear();
    for (std::size_t i = 0; i < n && i < bids_.size(); ++i)
        bids.push_back(bids_.level(i));
    for (std::size_t i = 0; i < n && i < asks_.size(); ++i)
        asks.push_back(asks_.level(i));
}

} // namespace genesis::binance
