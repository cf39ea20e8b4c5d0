// Private state of genesis::sim::exchange, shared by the engine's translation units.
#pragma once

#include "genesis/sim/exchange.hpp"
#include "genesis/sim/order_book.hpp"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace genesis::sim {

/// Saturating helpers: counters and sums must never fail the engine.
inline decimal plus(decimal a, decimal b) noexcept {
    auto r = a.add(b);
    return r ? *r : (b.is_negative() ? decimal::lowest() : decimal::max());
}
inline decimal minus(decimal a, decimal b) noexcept { return plus(a, -b); }
inline decimal times(decimal a, decimal b, rounding mode = rounding::nearest) noexcept {
    auto r = a.mul(b, mode);
    return r ? *r : decimal::max();
}
inline decimal min_of(decimal a, decimal b) noexcept { return a < b ? a : b; }

/// An order the exchange knows: its record and the funds it still holds locked.
struct order_state {
    order_record rec;
    asset locked_asset;
    decimal locked_amount;
};

using client_key = std::pair<account_id, client_order_id>;

/// One symbol: its book, its orders and its public history.
struct market {
    instrument inst;
    order_book book;
    std::uint64_t next_order_id = 1;
    std::uint64_t next_trade_id = 1;
    std::uint64_t next_agg_id = 1;
    std::unordered_map<std::uint64_t, order_state> orders; // open, and final ones retained
    std::map<client_key, std::uint64_t> open_by_client;    // open orders only
    std::map<client_key, std::uint64_t> latest_by_client;  // the latest retained order per id
    std::map<account_id, std::set<std::uint64_t>> open_by_account;
    std::map<account_id, std::vector<std::uint64_t>> history_by_account; // retained, ascending
    std::map<account_id, std::vector<account_trade>> trades_by_account;
    std::deque<trade> recent_trades;
    std::deque<agg_trade> recent_aggs;
    ticker_stats ticker;
    std::optional<book_level> last_bid; // as last sent on bookTicker
    std::optional<book_level> last_ask;
};

/// Events of one operation, delivered when it is complete.
struct pending_events {
    std::vector<std::pair<account_id, execution_report>> reports;
    std::map<account_id, std::set<asset>> changed;
    std::vector<std::pair<account_id, balance_update>> balance_updates;
    std::vector<trade> trades;
    std::vector<agg_trade> aggs;
    std::set<std::size_t> markets;
};

struct exchange::impl {
    exchange_config config;
    const clock* clk = nullptr;
    std::optional<time_point> stamp;                // set while agents act
    std::vector<std::unique_ptr<account>> accounts; // id = index + 1
    std::map<std::string, account_id, std::less<>> by_key;
    std::vector<market> markets;
    std::map<symbol, std::size_t> market_index;
    std::vector<exchange_listener*> listeners;
    engine_stats stats;
    std::vector<std::pair<std::size_t, std::uint64_t>> acceptance; // (market, order id), retained only
    std::map<account_id, std::vector<account_trade>> fills;
    std::vector<exchange::rejection> rejections;
    std::uint64_t generated_ids = 0;
    account_id agents_account = 0;
    std::unique_ptr<market_maker_agents> agents;
    pending_events ev;

    time_point now() const noexcept { return stamp ? *stamp : clk->wall(); }
    account* find_account(account_id id) noexcept {
        return id == 0 || id > accounts.size() ? nullptr : accounts[id - 1].get();
    }
    const account* find_account(account_id id) const noexcept {
        return id == 0 || id > accounts.size() ? nullptr : accounts[id - 1].get();
    }
    market* find_market(const symbol& sym) noexcept {
        const auto it = market_index.find(sym);
        return it == market_index.end() ? nullptr : &markets[it->second];
    }
    const market* find_market(const symbol& sym) const noexcept {
        const auto it = market_index.find(sym);
        return it == market_index.end() ? nullptr : &markets[it->second];
    }
    std::size_t index_of(const market& m) const noexcept { return static_cast<std::size_t>(&m - markets.data()); }

    result<account_id> add_account(const account_config& cfg);
    client_order_id generate_client_id();
    execution_report make_report(const market& m, const order_state& o, execution_type t, time_point at) const;
    void note_balance(account_id acc, const asset& a) { ev.changed[acc].insert(a); }
    void reject(account_id acc, const new_order_request& req, sim_errc why);
    void finish(market& m, order_state& o, order_status final_status, time_point at);
    fill apply_fill(market& m, order_state& o, const book_match& mt, std::uint64_t trade_id, bool is_maker,
                    time_point at);
    void settle(market& m, order_state& taker, const book_match& mt, time_point at, order_result& out);
    cancel_result cancel_open(market& m, std::uint64_t order_id, const client_order_id& cancel_id, time_point at);
    std::vector<std::pair<std::size_t, std::uint64_t>> to_forget; // final orders of no-history accounts
    void flush();
};

} // namespace genesis::sim
