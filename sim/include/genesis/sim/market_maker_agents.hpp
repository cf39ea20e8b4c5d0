// A synthetic market: seeded background agents that place, take and cancel orders on configured
// symbols so that books and trades move. Driven only by exchange::advance_to(t): no threads, no
// real clock, no std::random_device. The same seed and the same advance_to calls give the same
// market, bit for bit.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/decimal.hpp"
#include "genesis/core/events.hpp"
#include "genesis/core/fixed_string.hpp"
#include "genesis/sim/types.hpp"

#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

namespace genesis::sim {

class exchange;

/// The background market of one symbol.
struct agent_market_config {
    symbol sym;
    decimal start_mid;               ///< initial fair price (rounded to the tick)
    double volatility = 0.0001;      ///< relative stdev of the fair price per sqrt(second)
    double orders_per_second = 5.0;  ///< mean rate of agent actions (Poisson)
    int levels = 10;                 ///< quotes spread over this many ticks x spread_ticks
    int spread_ticks = 5;            ///< distance unit of quotes from the fair price, in ticks
    std::int64_t min_qty_steps = 10; ///< quote size range, in multiples of the step size
    std::int64_t max_qty_steps = 1000;
    double cancel_probability = 0.35;  ///< share of actions that cancel one agent order
    double take_probability = 0.15;    ///< share of actions that send a MARKET order
    std::size_t max_open_orders = 150; ///< beyond this the oldest agent order is canceled
};

/// All agents. They trade from one account created by the exchange (keep_history off).
struct agents_config {
    std::uint64_t seed = 42;
    std::vector<agent_market_config> markets;
    std::string api_key = "sim-agents"; ///< the agents' account API key
    std::vector<balance> balances;      ///< the agents' funds; empty: large defaults per asset
    /// A long gap between advance_to calls runs at most this many actions per market; the rest
    /// of the gap is skipped (the schedule jumps forward), so a stalled caller cannot stall twice.
    std::size_t max_actions_per_advance = 10'000;
};

/// The agents' state. Owned and driven by the exchange (exchange::advance_to).
class market_maker_agents {
    struct market_state {
        agent_market_config config;
        decimal tick;
        decimal step;
        std::int64_t fair_ticks = 0; // fair price in ticks: prices stay on the grid
        time_point next_action;
        time_point last_action;
        bool seeded = false;
        std::deque<std::uint64_t> open_orders; // agent order ids, oldest first
    };

    agents_config config_;
    std::mt19937_64 rng_;
    account_id account_ = 0;
    std::vector<market_state> markets_;
    time_point advanced_to_{}; ///< the last advance_to's time
    std::uint64_t client_seq_ = 0;

    double uniform() noexcept; // [0, 1)
    double normal() noexcept;  // N(0, 1), Box-Muller on uniform()
    double exponential(double rate) noexcept;
    std::int64_t uniform_int(std::int64_t lo, std::int64_t hi) noexcept; // [lo, hi]

    void seed_book(exchange& ex, market_state& m, time_point t);
    void act(exchange& ex, market_state& m, time_point t);
    void place_quote(exchange& ex, market_state& m, side s, std::int64_t offset_ticks);
    void cancel_one(exchange& ex, market_state& m, std::size_t index);

public:
    /// Agents for the markets in cfg that the exchange lists; account is the agents' account.
    market_maker_agents(agents_config cfg, const exchange& ex, account_id account);

    /// Runs every action scheduled at or before t, each stamped with its scheduled time.
    void advance_to(exchange& ex, time_point t);

    account_id account() const noexcept { return account_; }
    /// Number of agent orders the agents believe are open on sym.
    std::size_t open_orders(const symbol& sym) const noexcept;
};

} // namespace genesis::sim
