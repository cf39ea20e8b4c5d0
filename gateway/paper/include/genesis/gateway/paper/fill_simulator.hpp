// The paper venue: an order_venue that sends nothing anywhere. Orders are matched by the gateway's
// own fill simulator against the live local book and the public trades (queue position, partial
// fills, fees), on a paper account (balances, funds locked by open orders). Its execution reports
// and balance updates come out of a sink exactly as the Binance user data stream would send them.
// The exact fill model is in gateway/paper/README.md.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/events.hpp"
#include "genesis/core/instrument.hpp"
#include "genesis/gateway/oms/order_venue.hpp"
#include "genesis/gateway/paper/paper_config.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::gateway::paper {

/// One symbol's live book as the simulator reads it (the gateway's local book). side::buy names
/// the bids, side::sell the asks; level 0 is the best.
class book_view {
public:
    virtual ~book_view() = default;
    /// False while the book is resyncing: orders are then refused, resting ones wait.
    [[nodiscard]] virtual bool valid() const = 0;
    [[nodiscard]] virtual std::size_t depth(side s) const = 0;
    /// The i-th best level of side s; i < depth(s).
    [[nodiscard]] virtual book_level level(side s, std::size_t i) const = 0;
    /// The displayed quantity at price on side s (0 when there is no such level).
    [[nodiscard]] virtual decimal quantity_at(side s, decimal price) const = 0;
};

/// Where the simulator's user-data events go (the gateway pushes them to the processing queue at
/// P0, like the user stream's). Called inline, after the answer of the call that caused them.
struct paper_sink {
    std::function<void(const execution_report&)> on_execution;
    std::function<void(const account_update&)> on_account;
};

/// Counters since construction.
struct paper_stats {
    std::uint64_t placed = 0;   ///< accepted orders
    std::uint64_t rejected = 0; ///< refused (filters, balance, LIMIT_MAKER crossing, no book)
    std::uint64_t canceled = 0;
    std::uint64_t expired = 0; ///< IOC/FOK/MARKET leftovers
    std::uint64_t taker_fills = 0;
    std::uint64_t maker_fills = 0;
};

/// One paper order as the simulator keeps it.
struct paper_order {
    std::uint64_t order_id = 0;
    std::uint64_t seq = 0; ///< arrival order (time priority among our own orders)
    client_order_id client_id;
    symbol sym;
    side order_side = side::buy;
    order_type type = order_type::limit;
    time_in_force tif = time_in_force::gtc;
    decimal price;
    decimal quantity;
    decimal cumulative_quantity;
    decimal cumulative_quote;
    /// Displayed quantity ahead of us at our price (queue position).
    decimal queue_ahead;
    /// Funds still locked by this order (quote for a buy, base for a sell).
    decimal locked;
    order_status status = order_status::new_;
    time_point created; ///< wall clock
    time_point updated; ///< wall clock
};

/// The simulator. Single-threaded: every call (market data and order_venue) comes from the
/// processing thread, and every callback is called inline before the call returns.
class fill_simulator final : public order_venue {
    struct symbol_book {
        instrument rules;
        const book_view* book = nullptr;
        std::deque<db::fill_record> trades; ///< ours, ascending trade id
        std::set<client_order_id> working;  ///< resting orders
    };
    struct funds {
        decimal free;
        decimal locked;
    };

    paper_config cfg_;
    const genesis::clock& clk_;
    paper_sink sink_;
    venue_id venue_;
    std::map<symbol, symbol_book> symbols_;
    std::map<asset, funds> balances_;
    std::map<client_order_id, paper_order> orders_; ///< working and recent final orders
    std::deque<client_order_id> finals_;            ///< final orders, oldest first (evicted beyond the history)
    std::uint64_t next_order_id_ = 1;
    std::uint64_t next_trade_id_ = 1;
    std::uint64_t next_seq_ = 1;
    paper_stats stats_;

    struct planned_fill {
        decimal price;
        decimal quantity;
    };

    [[nodiscard]] execution_report report_of(const paper_order& o, execution_type et) const;
    [[nodiscard]] execution_report reject_of(const order_intent& in, std::string reason) const;
    [[nodiscard]] std::vector<planned_fill> plan_taker(const symbol_book& sb, const order_intent& in,
                                                       decimal quantity) const;
    [[nodiscard]] decimal fee_of(decimal amount, bool maker) const;
    /// Executes q at p for o (taker or maker), moving balances; emits the TRADE report.
    void fill(paper_order& o, decimal p, decimal q, bool maker, std::vector<asset>& touched);
    /// Releases what o still locks (final order).
    void unlock_rest(paper_order& o, std::vector<asset>& touched);
    void finalize(paper_order& o, order_status s, execution_type et, std::vector<asset>& touched);
    void emit_account(const std::vector<asset>& touched);
    void remember_final(const paper_order& o);
    paper_order* find(const symbol& sym, const client_order_id& cid, std::optional<std::uint64_t> order_id);

public:
    fill_simulator(paper_config cfg, const genesis::clock& clk, paper_sink sink, venue_id venue);

    /// Registers a symbol with its exchangeInfo rules and its live book (which must outlive this).
    void add_symbol(const instrument& rules, const book_view* book);

    /// The book of sym changed (after a valid delta or snapshot): shrinks queue positions.
    void on_book(const symbol& sym);
    /// A public trade: fills resting orders it reaches (see README.md for the model).
    void on_trade(const trade& t);

    // order_venue: every answer is given inline.
    void place(const order_intent& intent, venue_callback<execution_report> done) override;
    void cancel(const cancel_intent& intent, venue_callback<execution_report> done) override;
    void query(const symbol& sym, const client_order_id& id,
               venue_callback<std::optional<execution_report>> done) override;
    void query_order_id(const symbol& sym, std::uint64_t order_id,
                        venue_callback<std::optional<execution_report>> done) override;
    void open_orders(venue_callback<std::vector<execution_report>> done) override;
    void my_trades(const symbol& sym, std::uint64_t from_trade_id,
                   venue_callback<std::vector<db::fill_record>> done) override;
    void account(venue_callback<std::vector<balance>> done) override;

    /// Balances now (free and locked per asset), sorted by asset.
    [[nodiscard]] std::vector<balance> balances() const;
    /// A working or recent order by client id.
    [[nodiscard]] const paper_order* find_order(const client_order_id& cid) const;
    [[nodiscard]] const paper_stats& stats() const noexcept { return stats_; }

    /// The whole paper account (orders, balances, trade history, id counters) as text, for the
    /// checkpoint's "paper" section.
    [[nodiscard]] std::string save_state() const;
    /// Replaces the account with a saved one (start-up, before any order).
    [[nodiscard]] result<void> restore_state(std::string_view text);
    /// Brings a restored account up to the OMS's journal rows written after its checkpoint (the
    /// simulator's own reports, journaled as they happened): orders that ended are ended, fills
    /// are booked, and the id counters move past every id the journal holds. Nothing is emitted.
    void catch_up(const std::vector<db::journal_entry>& rows);
};

} // namespace genesis::gateway::paper
