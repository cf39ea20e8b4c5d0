// A local order book kept in sync with Binance's diff-depth stream, following the documented
// procedure ("How to manage a local order book correctly"). Pure: it asks for snapshots, never
// fetches them.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/events.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace genesis::binance {

/// Where the book stands. Only `valid` may be traded on.
enum class book_state : std::uint8_t {
    syncing, ///< never valid yet: buffering diffs, waiting for a snapshot
    valid,   ///< in sync with the venue
    invalid, ///< was valid, lost sync (see book_reason); a resync is under way
};

/// Why the book is not valid.
enum class book_reason : std::uint8_t {
    none,
    gap,      ///< a diff's U was beyond book id + 1: diffs were missed
    crossed,  ///< best bid >= best ask after an update
    stale,    ///< no update within book_config::stale_after
    overflow, ///< the caller dropped market data (reset(book_reason::overflow))
    reset,    ///< the caller asked for a resync (reconnect, ...)
};

/// What the caller must do after feeding the book.
enum class book_action : std::uint8_t {
    none,
    need_snapshot, ///< fetch GET /api/v3/depth for this symbol and pass it to on_snapshot()
};

std::string_view to_string(book_state s) noexcept;
std::string_view to_string(book_reason r) noexcept;
std::string_view to_string(book_action a) noexcept;

struct book_config {
    /// No applied update for this long makes a valid book stale (resync).
    std::chrono::nanoseconds stale_after = std::chrono::seconds{5};
    /// A requested snapshot that has not come after this long is requested again.
    std::chrono::nanoseconds snapshot_timeout = std::chrono::seconds{10};
    /// Diffs kept while waiting for a snapshot; beyond it the oldest is dropped.
    std::size_t max_buffered = 10'000;
};

struct book_stats {
    std::uint64_t deltas = 0;         ///< diffs received
    std::uint64_t applied = 0;        ///< diffs applied to the book
    std::uint64_t dropped_old = 0;    ///< diffs with u <= book id (already covered)
    std::uint64_t buffered = 0;       ///< diffs buffered while syncing
    std::uint64_t buffer_dropped = 0; ///< buffered diffs dropped because the buffer was full
    std::uint64_t gaps = 0;           ///< U > book id + 1
    std::uint64_t crossed = 0;        ///< crossed-book detections
    std::uint64_t stale = 0;          ///< staleness detections
    std::uint64_t resyncs = 0;        ///< times a valid (or loaded) book was discarded
    std::uint64_t snapshots_requested = 0;
    std::uint64_t snapshots_applied = 0;
    std::uint64_t snapshots_too_old = 0;    ///< lastUpdateId < first buffered U
    std::uint64_t snapshots_unexpected = 0; ///< came while none was requested (ignored)
    std::uint64_t other_symbol = 0;         ///< events for another symbol (ignored)
};

/// One side of the book: levels in a sorted flat vector with the best price at the back, so that
/// the frequent updates near the top move few elements.
class book_side {
    std::vector<book_level> levels_; // bids ascending, asks descending: best last
    bool bids_;

public:
    explicit book_side(bool bids) noexcept : bids_(bids) {}

    /// Sets a level's quantity; quantity 0 removes it.
    void apply(book_level level);
    /// Replaces the side with levels given best first (as a snapshot lists them).
    void assign_best_first(const std::vector<book_level>& levels);
    void clear() noexcept { levels_.clear(); }
    std::size_t size() const noexcept { return levels_.size(); }
    bool empty() const noexcept { return levels_.empty(); }
    std::optional<book_level> best() const noexcept;
    /// The i-th best level (0 is the best); i < size().
    const book_level& level(std::size_t i) const noexcept { return levels_[levels_.size() - 1 - i]; }
    /// The quantity at a price (0 when there is no level).
    decimal quantity_at(decimal price) const noexcept;
};

/// One symbol's local book. Feed it every diff of <symbol>@depth and the snapshots it asks for;
/// run check() from a timer. Single-threaded (the processing thread).
class local_book {
    symbol sym_;
    const clock* clock_;
    book_config config_;
    book_side bids_{true};
    book_side asks_{false};
    std::vector<book_delta> buffer_; // reused slots; [0, buffered_) are live, oldest first
    std::size_t buffered_ = 0;
    std::uint64_t update_id_ = 0;
    book_state state_ = book_state::syncing;
    book_reason reason_ = book_reason::none;
    bool snapshot_pending_ = false;
    time_point snapshot_requested_at_;
    time_point last_update_;
    book_stats stats_;

    void buffer(const book_delta& d);
    void apply(const book_delta& d);
    bool crossed() const noexcept;
    book_action request_snapshot();
    book_action resync(book_reason why);
    book_action apply_live(const book_delta& d);

public:
    local_book(symbol sym, const clock& clk, book_config config = {});

    /// A diff (Binance U = first_update_id, u = last_update_id).
    [[nodiscard]] book_action on_delta(const book_delta& d);
    /// A REST snapshot, answering need_snapshot.
    [[nodiscard]] book_action on_snapshot(const book_snapshot& s);
    /// Watchdog: staleness of a valid book, and snapshot requests that went unanswered.
    [[nodiscard]] book_action check();
    /// Discards the book and starts over (reconnect, dropped market data).
    [[nodiscard]] book_action reset(book_reason why);

    bool is_valid() const noexcept { return state_ == book_state::valid; }
    book_state state() const noexcept { return state_; }
    book_reason reason() const noexcept { return reason_; }
    const symbol& sym() const noexcept { return sym_; }
    /// The book's update id (the last applied u, or the snapshot's lastUpdateId).
    std::uint64_t update_id() const noexcept { return update_id_; }
    /// Time since the last applied update (monotonic clock).
    std::chrono::nanoseconds age() const noexcept { return clock_->now() - last_update_; }
    bool snapshot_pending() const noexcept { return snapshot_pending_; }
    std::size_t buffered() const noexcept { return buffered_; }

    const book_side& bids() const noexcept { return bids_; }
    const book_side& asks() const noexcept { return asks_; }
    std::optional<book_level> best_bid() const noexcept { return bids_.best(); }
    std::optional<book_level> best_ask() const noexcept { return asks_.best(); }
    /// Up to n levels per side, best first, into the caller's vectors (cleared first).
    void top(std::size_t n, std::vector<book_level>& bids, std::vector<book_level>& asks) const;

    const book_stats& stats() const noexcept { return stats_; }
};

} // namespace genesis::binance
