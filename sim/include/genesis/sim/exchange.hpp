// The simulated exchange: the facade the genesis-sim server calls. Pure and I/O-free,
// deterministic, thread-compatible (call it from one strand; it starts no threads). Every input
// is checked; nothing throws on bad input: failures come back as sim_errc in result<T>.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/decimal.hpp"
#include "genesis/core/events.hpp"
#include "genesis/core/instrument.hpp"
#include "genesis/sim/account.hpp"
#include "genesis/sim/market_data.hpp"
#include "genesis/sim/market_maker_agents.hpp"
#include "genesis/sim/sim_errors.hpp"
#include "genesis/sim/types.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace genesis::sim {

/// Everything the exchange starts with.
struct exchange_config {
    venue_id venue = venue_id::truncating("sim");          ///< written into every event
    std::vector<instrument> markets;                       ///< one order book per instrument
    std::vector<account_config> accounts;                  ///< created at start, ids 1, 2, ... in order
    decimal maker_commission = decimal::from_raw(100'000); ///< 0.001 (0.1%)
    decimal taker_commission = decimal::from_raw(100'000);
    std::size_t trade_history = 1000;  ///< public trades/aggTrades kept per symbol
    std::size_t max_open_orders = 200; ///< MAX_NUM_ORDERS per account and symbol (0: none)
    /// Emit a REJECTED execution report (order id 0) for orders refused after their parameters
    /// were understood (filters, balance, LIMIT_MAKER). Binance does not; off by default.
    /// Duplicate client order ids never produce one (it would alias the live order).
    bool report_rejections = false;
    /// Background market; no markets listed: no agents (and no agents' account).
    agents_config agents;
};

/// The default sim setup: BTCUSDT (mid 67000, tick 0.01, step 0.00001, minNotional 5) and
/// ETHUSDT (mid 3500, tick 0.01, step 0.0001, minNotional 5) with agents (seed 42), and one
/// funded test account "test" (API key "sim-test-api-key", secret "sim-test-secret-key",
/// 100000 USDT, 1 BTC, 10 ETH), maker/taker commission 0.1%.
exchange_config default_config();

/// A Binance-Spot-like exchange in memory.
class exchange {
    struct impl;
    std::unique_ptr<impl> impl_;
    friend class market_maker_agents;

public:
    /// Builds books and accounts from cfg (invalid entries are skipped: see accounts()).
    /// Wall time for every timestamp comes from clk.wall(); clk must outlive the exchange.
    explicit exchange(exchange_config cfg, const clock& clk = real_clock::instance());
    ~exchange();
    exchange(const exchange&) = delete;
    exchange& operator=(const exchange&) = delete;

    // --- setup -------------------------------------------------------------------------------

    /// Adds an account; duplicate_account when the API key is taken.
    [[nodiscard]] result<account_id> create_account(const account_config& cfg);
    /// The account with this API key.
    std::optional<account_id> find_account(std::string_view api_key) const noexcept;
    /// The account, or nullptr.
    const account* get_account(account_id id) const noexcept;
    /// Every account id, ascending.
    std::vector<account_id> accounts() const;
    /// The agents' account (0 when there are no agents).
    account_id agents_account() const noexcept;
    /// Deposit (delta > 0) or withdrawal; emits balanceUpdate and outboundAccountPosition.
    /// insufficient_balance when free would go negative.
    [[nodiscard]] result<balance> adjust_balance(account_id id, const asset& a, decimal delta);

    /// Instruments, in configuration order (exchangeInfo).
    const std::vector<instrument>& instruments() const noexcept;
    const instrument* find_instrument(const symbol& sym) const noexcept;
    const exchange_config& config() const noexcept;

    /// Listeners get every event from now on; the pointer must stay valid until unsubscribed.
    void subscribe(exchange_listener* l);
    void unsubscribe(exchange_listener* l);

    // --- trading (per account; unknown account: invalid_api_key) ----------------------------

    /// Places an order: checks, matches (price-time), rests or expires the rest.
    [[nodiscard]] result<order_result> new_order(account_id acc, const new_order_request& req);
    /// Cancels one open order; unknown_order when it is not open (or not this account's).
    [[nodiscard]] result<cancel_result> cancel_order(account_id acc, const cancel_request& req);
    /// Cancels every open order of acc on sym, oldest first; unknown_order when there is none.
    [[nodiscard]] result<std::vector<cancel_result>> cancel_open_orders(account_id acc, const symbol& sym);
    /// An order by id (wins when both are given) or client id (the latest order with it, open or
    /// final); no_such_order when unknown.
    [[nodiscard]] result<order_record> query_order(account_id acc, const symbol& sym,
                                                   std::optional<std::uint64_t> order_id,
                                                   const client_order_id& orig_client_id) const;
    /// Open orders of acc, on sym or on every symbol, by symbol then order id.
    [[nodiscard]] result<std::vector<order_record>> open_orders(account_id acc,
                                                                std::optional<symbol> sym = std::nullopt) const;
    /// Orders of acc on sym with id >= from_order_id (default: the latest `limit`), ascending.
    [[nodiscard]] result<std::vector<order_record>>
    all_orders(account_id acc, const symbol& sym, std::optional<std::uint64_t> from_order_id = std::nullopt,
               std::size_t limit = 500) const;
    /// Balances of acc by asset name.
    [[nodiscard]] result<std::vector<balance>> balances(account_id acc) const;
    /// Fills of acc on sym with trade id >= from_id (default: the latest `limit`), ascending.
    [[nodiscard]] result<std::vector<account_trade>> my_trades(account_id acc, const symbol& sym,
                                                               std::optional<std::uint64_t> from_id = std::nullopt,
                                                               std::size_t limit = 500) const;

    // --- market data (unknown symbol: invalid_symbol) ----------------------------------------

    /// Up to `limit` levels per side (0: all), lastUpdateId = the symbol's current update id.
    [[nodiscard]] result<book_snapshot> depth(const symbol& sym, std::size_t limit = 100) const;
    /// Best bid and ask (zero levels when a side is empty), with the current update id.
    [[nodiscard]] result<top_of_book> book_ticker(const symbol& sym) const;
    /// The latest `limit` public trades, oldest first.
    [[nodiscard]] result<std::vector<trade>> recent_trades(const symbol& sym, std::size_t limit = 500) const;
    /// Aggregate trades with agg id >= from_id (default: the latest `limit`), ascending.
    [[nodiscard]] result<std::vector<agg_trade>>
    agg_trades(const symbol& sym, std::optional<std::uint64_t> from_id = std::nullopt, std::size_t limit = 500) const;
    /// Running figures since start.
    [[nodiscard]] result<ticker_stats> ticker(const symbol& sym) const;

    // --- simulation ----------------------------------------------------------------------------

    /// Runs the background agents up to wall time t (no-op without agents). Their actions are
    /// stamped with their own scheduled times (<= t) and emit events like any other order.
    void advance_to(time_point t);

    // --- ground truth ---------------------------------------------------------------------------

    const engine_stats& stats() const noexcept;
    /// Every order record retained (accounts with keep_history), in acceptance order; only acc's
    /// when given.
    std::vector<order_record> order_records(std::optional<account_id> acc = std::nullopt) const;
    /// Every fill of acc over all symbols, in execution order.
    std::vector<account_trade> fills(account_id acc) const;
    /// Every request refused, as (account, client order id, reason), in order (kept for accounts
    /// with keep_history).
    struct rejection {
        account_id account = 0;
        symbol sym;
        client_order_id client_id;
        sim_errc reason = sim_errc::ok;
        time_point time;
    };
    const std::vector<rejection>& rejections() const noexcept;
};

} // namespace genesis::sim
