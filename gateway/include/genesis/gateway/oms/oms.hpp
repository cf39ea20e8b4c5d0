// The order management system: client ids, the validated order state machine, the journal-first
// order path, resolution of orders whose placement outcome is unknown, fills, positions and
// balances, checkpoints, and recovery (checkpoint + journal replay + reconciliation with the venue).
// See gateway/README.md for what a crash at each point of an order's life can lose.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/events.hpp"
#include "genesis/db/database.hpp"
#include "genesis/gateway/oms/client_id.hpp"
#include "genesis/gateway/oms/error.hpp"
#include "genesis/gateway/oms/order_state.hpp"
#include "genesis/gateway/oms/order_venue.hpp"
#include "genesis/gateway/oms/positions.hpp"
#include "genesis/log/fwd.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace genesis::gateway {

/// Settings of the OMS.
struct oms_config {
    /// The venue this OMS trades on (stamped on intents that name none).
    venue_id venue = venue_id::truncating("binance");
    client_id_options ids;
    /// Base and quote assets per traded symbol (balances, and the symbols reconciled).
    std::vector<symbol_assets> symbols;
    /// The "never placed" rule for an order whose placement outcome is unknown: it is declared
    /// never placed (REJECTED, never_sent) only after at least lookup_min_not_found lookups have
    /// answered "order does not exist" AND lookup_min_age has passed since it was sent (or since
    /// recovery began). Lookups are spaced by lookup_interval. A lookup that fails (timeout, 5xx)
    /// counts for nothing: the order stays UNKNOWN and is looked up again.
    unsigned lookup_min_not_found = 3;
    nanos lookup_interval = std::chrono::seconds{2};
    nanos lookup_min_age = std::chrono::seconds{10};
    /// Trade ids kept per symbol in a checkpoint (fill deduplication across restarts).
    std::size_t fill_id_retention = 4096;
    /// Reconciliation events kept for events() (all are counted and logged).
    std::size_t event_retention = 1024;
    /// Final orders kept in orders() (the oldest are forgotten beyond it, so that a gateway that
    /// runs for weeks holds bounded state). A late report of a forgotten order is ignored as stale.
    std::size_t final_order_retention = 10'000;
};

/// Posts a task to the processing thread (the PriorityProcessor's P0 queue in the gateway).
using task_poster = std::function<void(std::function<void()>)>;

/// What the OMS works with. Everything must outlive the OMS.
struct oms_deps {
    const genesis::clock* clk = nullptr;
    db::database* db = nullptr;
    order_venue* venue = nullptr;
    /// Brings DB completions and venue answers back to the processing thread. Called from the db
    /// thread too, also while ~oms() waits for the journal to drain: it must not block forever then
    /// (the gateway's PriorityProcessor is stopped first, after which a push fails at once).
    task_poster post;
    /// Logger "oms"; may be null.
    log::logger_ptr log;
    /// Reserves id blocks off the processing thread; empty: a helper thread runs db->reserve_block.
    client_id_source::reserver reserve;
    /// Order changes the venue's user data stream does not report, or may have missed: a
    /// placement the venue refused in its answer, one not sent (rate limit, open breaker, ...),
    /// one declared never placed by the lookup rule, a working order the venue does not know
    /// (EXPIRED), and every change learnt from a query (lookup, verification, reconciliation).
    /// The gateway hands them to the strategy owning the order, which would otherwise wait
    /// forever for a final report. Called on the processing thread; may be empty.
    std::function<void(const execution_report&)> on_update;
};

/// Where the OMS is in its life.
enum class oms_state : std::uint8_t {
    idle,       ///< constructed, start() not called
    recovering, ///< restore, replay and reconciliation under way: no intent is accepted
    trading,    ///< accepting intents
    halted,     ///< recovery or reconciliation failed: reason says why; reconcile() retries
};

std::string_view to_string(oms_state s) noexcept;

/// The OMS's health as the ops endpoint shows it.
struct oms_health {
    oms_state state = oms_state::idle;
    /// Why new intents are refused (empty while trading on a healthy database).
    std::string reason;
    bool db_healthy = true;
    std::size_t open_orders = 0;
    std::size_t unknown_orders = 0; ///< placements whose outcome is still being looked up
    std::size_t flagged_orders = 0; ///< orders with a refused (impossible) update
    /// True when submit() would accept an intent.
    bool accepting() const noexcept { return state == oms_state::trading && db_healthy; }
};

/// A difference between the OMS's state and the venue's (the venue wins for orders and fills).
enum class recon_kind : std::uint8_t {
    adopted_order,    ///< our order on the venue that the OMS did not know (intent never journaled)
    order_mismatch,   ///< status or filled quantity differed: the venue's state was taken
    order_not_found,  ///< a known working order the venue does not know: set EXPIRED and flagged
    never_placed,     ///< an unresolved placement the venue never saw: REJECTED (never sent)
    foreign_order,    ///< an open order that is not ours: left alone
    missed_fill,      ///< a trade of our order the OMS had not applied: applied now
    balance_mismatch, ///< a derived balance differed from the venue's: the venue's was taken
};
inline constexpr std::size_t recon_kind_count = 7;

std::string_view to_string(recon_kind k) noexcept;

/// One reconciliation difference.
struct recon_event {
    recon_kind kind = recon_kind::order_mismatch;
    symbol sym;
    client_order_id client_id;
    std::string detail;
    time_point time; ///< wall clock
};

/// Counters since construction.
struct oms_stats {
    std::uint64_t submitted = 0;           ///< intents accepted and handed to the venue
    std::uint64_t refused = 0;             ///< intents refused by submit()
    std::uint64_t rejected = 0;            ///< placements the venue refused or that were never sent
    std::uint64_t unknown_outcomes = 0;    ///< placements whose answer was lost
    std::uint64_t resolved_found = 0;      ///< unknown placements found on the venue
    std::uint64_t resolved_not_found = 0;  ///< unknown placements declared never placed
    std::uint64_t lookups = 0;             ///< order queries sent
    std::uint64_t lookup_failures = 0;     ///< order queries that failed (no answer)
    std::uint64_t fills = 0;               ///< fills applied
    std::uint64_t duplicate_fills = 0;     ///< fills ignored as duplicates
    std::uint64_t invalid_transitions = 0; ///< impossible updates refused
    std::uint64_t stale_reports = 0;       ///< reports overtaken by a newer one from another channel, ignored
    std::uint64_t journal_errors = 0;      ///< journal writes that failed
    std::uint64_t ledger_errors = 0;       ///< fills the ledger could not apply (overflow)
    std::uint64_t foreign_reports = 0;     ///< execution reports of orders that are not ours
    std::uint64_t reconciliations = 0;     ///< reconciliation runs completed
    std::array<std::uint64_t, recon_kind_count> recon{}; ///< reconciliation events by kind
};

/// The OMS. Every member function runs on the processing thread (start() included); the venue
/// and the database answer on their own threads and the OMS posts their answers back through
/// deps.post. Blocking database calls (reserve the first id block, restore, replay) happen only
/// in start(), before trading.
class oms {
    struct recon_run;

    oms_config config_;
    const genesis::clock& clock_;
    db::database& db_;
    order_venue& venue_;
    task_poster post_;
    log::logger_ptr log_;
    std::function<void(const execution_report&)> on_update_;
    std::shared_ptr<int> anchor_ = std::make_shared<int>(0); // posted tasks die with the OMS
    client_id_source ids_;
    std::thread refill_thread_;
    ledger ledger_;
    std::unordered_map<client_order_id, tracked_order> orders_;
    std::unordered_set<client_order_id> working_;   // orders not final (what risk checks look at)
    std::unordered_set<client_order_id> flagged_;   // orders with a refused impossible update
    std::deque<client_order_id> finals_;            // final orders, oldest first (retention)
    std::unordered_set<client_order_id> forgotten_; // final orders dropped by retention
    std::deque<client_order_id> forgotten_order_;   // the same, oldest first (bounded)
    std::set<client_order_id> unresolved_;          // status unknown: looked up by on_tick
    std::set<client_order_id> verifying_;           // queried after a refused update / failed cancel
    std::map<symbol, std::set<std::uint64_t>> fill_ids_;
    std::set<symbol> trade_syncs_;                   // my_trades in flight (live syncs)
    std::set<symbol> trade_sync_again_;              // asked for while one was in flight, or failed: run again
    std::map<symbol, std::uint64_t> synced_through_; // every trade up to this id is known (a complete fetch)
    std::map<symbol, std::set<std::uint64_t>> unmatched_orders_; // order ids of trades no order matched (this fetch)
    std::set<std::uint64_t> order_id_lookups_;                   // order ids looked up (once each per process)
    std::deque<recon_event> events_;
    oms_stats stats_;
    oms_state state_ = oms_state::idle;
    std::string halt_reason_;
    bool db_was_healthy_ = true;
    bool restored_ = false; // checkpoint restored and journal replayed
    std::shared_ptr<recon_run> recon_;

    // Order path.
    void on_placed(const client_order_id& id, result<execution_report> r);
    void on_cancel_answer(const client_order_id& id, result<execution_report> r);
    void set_status(tracked_order& o, order_status s, std::string reason);
    // Keeps working_ and finals_ right after o's status changed; forgets the oldest final orders
    // beyond final_order_retention.
    void index(tracked_order& o);
    void rebuild_index();
    bool apply_report(const execution_report& r, bool exchange_wins);
    tracked_order& adopt(const execution_report& r, const parsed_client_id& owner);
    void journal_transition(const tracked_order& o, const execution_report* r);
    void journal_intent(const tracked_order& o);
    void journal_failed(const char* what, error_code ec);
    void apply_fill(const db::fill_record& f, bool reconciling);

    // Unknown outcomes and verification.
    void mark_unknown(tracked_order& o, std::string reason);
    void do_lookup(tracked_order& o);
    void on_lookup(const client_order_id& id, result<std::optional<execution_report>> r);
    void do_verify(tracked_order& o);
    void do_sync_trades(const symbol& sym);
    // Fetches sym's trades from `from` on, page after page until a page is not full; `recon`:
    // for the reconciliation (its trades_pending), else a live sync.
    // `pin`: the smallest trade id of this chain not matched to an order (its order id not known
    // yet: a placement whose answer is in flight); the chain never counts as synced past it.
    void fetch_trades(const symbol& sym, std::uint64_t from, bool recon, std::uint64_t pin = 0,
                      std::uint64_t chain_last = 0);
    // Applies the trades of our orders; returns the smallest trade id of an unknown order (0: none).
    std::uint64_t apply_trades(const symbol& sym, const std::vector<db::fill_record>& trades);
    // Looks up by order id the orders of trades no order matched (a placement whose intent and
    // answer died with a crash: ours is adopted, journaled, then its trades apply); false when
    // there is none to look up. then runs once every lookup is answered.
    bool lookup_unmatched(const symbol& sym, std::function<void()> then);
    [[nodiscard]] std::uint64_t trades_from(const symbol& sym) const;

    // Recovery (oms_recovery.cpp).
    result<void> restore_checkpoint(std::uint64_t& journal_seq);
    result<void> replay_journal(std::uint64_t after_seq);
    void begin_reconcile(std::function<void(result<void>)> done);
    void on_open_orders(result<std::vector<execution_report>> r);
    void on_recon_query(const client_order_id& id, result<std::optional<execution_report>> r);
    void recon_trades();
    void on_recon_account(result<std::vector<balance>> r);
    void maybe_finish_reconcile();
    void fail_reconcile(std::string reason);
    bool recon_fetches_trades() const noexcept; // a running reconciliation will fetch trades anyway

    void record(recon_kind kind, const symbol& sym, const client_order_id& id, std::string detail);
    // Tells deps.on_update: r as applied, or (r null) the order's own state.
    void notify(const tracked_order& o, const execution_report* r);
    void reserve_async(std::uint64_t size, std::function<void(result<db::id_block>)> done);
    template <class T, class F>
    venue_callback<T> on_thread(F f);

public:
    /// deps.clk, db and venue must be set and outlive the OMS. Throws std::invalid_argument for a
    /// bad instance id or missing dependency (start-up only).
    oms(oms_config config, oms_deps deps);
    ~oms();
    oms(const oms&) = delete;
    oms& operator=(const oms&) = delete;

    /// Recovery: reserves the first id block, restores the newest valid checkpoint, replays the
    /// journal after it, then reconciles with the venue (open orders, every order not final,
    /// trades of our orders, balances). Trading starts only when reconciliation succeeds; done
    /// (on the processing thread) receives the outcome. On failure the OMS stays up, halted,
    /// with the reason in health().
    void start(std::function<void(result<void>)> done = {});
    /// True once start() restored the checkpoint and replayed the journal: only then may a failed
    /// reconciliation be retried with reconcile(). A failed restore or replay needs a restart.
    [[nodiscard]] bool restored() const noexcept { return restored_; }
    /// Runs reconciliation again (e.g. after a halt); trading resumes when it succeeds.
    void reconcile(std::function<void(result<void>)> done = {});

    /// Accepts an intent: assigns the client order id, journals the intent (handed to the DB
    /// thread, durable at the next group commit, no flush on this path) and only then hands it to
    /// the venue. Refused with not_trading, db_unhealthy, ids_exhausted or invalid_intent.
    [[nodiscard]] result<client_order_id> submit(order_intent intent);
    /// Requests a cancel of a working order (NEW or PARTIALLY_FILLED). not_cancelable while its
    /// placement is unresolved, a cancel is in flight, or it is final. Allowed while the database
    /// is unhealthy (a cancel reduces risk; reconciliation recovers its outcome after a restart).
    [[nodiscard]] result<void> cancel(const client_order_id& id);

    /// An execution report from the user data stream.
    void on_execution_report(const execution_report& r);
    /// Balances from the user data stream: differences are reported, the venue's figures taken.
    void on_account_update(const account_update& u);
    /// Drives time: due lookups of unknown placements, database health. Call periodically.
    void on_tick();

    /// The state to checkpoint: open orders, positions, balances, recent trade ids.
    /// Open orders, positions, balances and trade ids; also the final orders keep_final names (a
    /// strategy's saved state may still name them: they are restated to it after a restart).
    [[nodiscard]] std::vector<db::section>
    checkpoint_sections(const std::function<bool(const client_order_id&)>& keep_final = {}) const;
    /// Writes a checkpoint of checkpoint_sections(); done runs on the db thread.
    void write_checkpoint(db::completion<db::checkpoint_report> done = {});

    [[nodiscard]] oms_health health() const;
    [[nodiscard]] const tracked_order* find(const client_order_id& id) const;
    [[nodiscard]] const std::unordered_map<client_order_id, tracked_order>& orders() const noexcept { return orders_; }
    /// The orders that are not final (pending, working, unknown, cancel pending): what pre-trade
    /// checks look at, without walking every order of the day.
    [[nodiscard]] const std::unordered_set<client_order_id>& working() const noexcept { return working_; }
    [[nodiscard]] const ledger& book() const noexcept { return ledger_; }
    [[nodiscard]] const std::deque<recon_event>& events() const noexcept { return events_; }
    [[nodiscard]] const oms_stats& stats() const noexcept { return stats_; }
    [[nodiscard]] const client_id_source& ids() const noexcept { return ids_; }
};

// Templates.

template <class T, class F>
venue_callback<T> oms::on_thread(F f) {
    return [post = post_, weak = std::weak_ptr<int>(anchor_), f = std::move(f)](result<T> r) {
        post([weak, f, r = std::move(r)]() mutable {
            // The OMS is destroyed on the processing thread, so this check cannot race.
            if (weak.lock())
                f(std::move(r));
        });
    };
}

} // namespace genesis::gateway
