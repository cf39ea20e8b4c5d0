// Pre-trade risk checks: per-symbol size, notional, position and price-band limits, global open
// order and rate limits, self-cross prevention and a kill switch. Pure and single-threaded.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/events.hpp"
#include "genesis/gateway/risk/risk_config.hpp"
#include "genesis/gateway/risk/verdict.hpp"

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>

namespace genesis::gateway::risk {

/// The best bid and ask of the order's symbol; either is absent when the book has no such side.
/// The reference price is the mid when both are present, else the side that is present.
struct book_prices {
    std::optional<decimal> bid;
    std::optional<decimal> ask;
};

/// One of our open orders, as the gateway knows it.
struct open_order_view {
    client_order_id client_id;
    symbol sym;
    side order_side = side::buy;
    decimal price;     ///< limit price (0 for a market order still working)
    decimal remaining; ///< quantity not yet filled
    std::uint32_t strategy_id = 0;
};

/// What the gateway knows when it checks one intent.
struct check_input {
    const order_intent& intent;
    /// Best bid / ask of intent.sym. No reference price: market orders, and limit orders when
    /// the symbol has a price band, are rejected with no_reference_price.
    book_prices book;
    /// Current signed position of intent.sym in base units (short below zero).
    decimal position;
    /// Every open order of the gateway, all symbols (the open-order limit is global).
    std::span<const open_order_view> open_orders;
};

/// Counters for metrics.
struct risk_stats {
    std::uint64_t checks = 0;
    std::uint64_t accepted = 0;
    /// Rejections per code, indexed by static_cast<std::size_t>(reject_code); [0] stays 0.
    std::array<std::uint64_t, reject_code_count> rejected{};

    [[nodiscard]] std::uint64_t rejections(reject_code c) const noexcept {
        return rejected[static_cast<std::size_t>(c)];
    }
};

/// The pre-trade risk engine. Checks run in this order and the first failure wins: killed,
/// invalid_order, no_reference_price, price_band, max_order_qty, max_order_notional,
/// max_position, self_cross, max_open_orders, order_rate.
///
/// Notional: price * quantity for priced orders; for market orders the quantity times the ask
/// (buy) or bid (sell), or the quote_quantity itself. A market order by quote_quantity counts
/// quote_quantity / reference price as its base quantity (rounded up).
///
/// Position (worst case): position + this order + the remaining of our open orders of the same
/// side on the symbol (sells subtract). It is rejected when its absolute value is above
/// max_position and the order makes it larger than without the order, so that orders reducing
/// an over-limit position still pass.
///
/// Self-cross: a buy priced at or above one of our open sells on the symbol, or a sell at or
/// below one of our open buys; a market order crosses any open order of the other side.
///
/// Order rate: only accepted orders count. check() records an accepted order at clock.now();
/// run the balance check before it so that an order refused there does not use up the rate.
class risk_engine {
    risk_config cfg_;
    const clock* clock_;
    bool killed_ = false;
    std::string kill_reason_;
    std::deque<time_point> accepted_times_;
    risk_stats stats_;

    [[nodiscard]] verdict evaluate(const check_input& in);
    [[nodiscard]] verdict check_rate(time_point now);

public:
    /// clk must outlive the engine.
    risk_engine(risk_config cfg, const clock& clk);

    /// Checks one intent; on ok it is recorded for the order rate. Counts every call.
    [[nodiscard]] verdict check(const check_input& in);

    /// Engages the kill switch: every check fails with `killed` (text: the reason) until reset_kill().
    void kill(std::string reason);
    /// Releases the kill switch.
    void reset_kill() noexcept;
    [[nodiscard]] bool killed() const noexcept { return killed_; }
    /// The reason given to kill(); empty when not killed.
    [[nodiscard]] const std::string& kill_reason() const noexcept { return kill_reason_; }

    /// Replaces the limits (a config reload). The kill switch and the rate history stay.
    void set_config(risk_config cfg);
    [[nodiscard]] const risk_config& config() const noexcept { return cfg_; }

    /// Accepted orders within the last second at clock.now().
    [[nodiscard]] std::size_t orders_in_last_second() const noexcept;

    [[nodiscard]] const risk_stats& stats() const noexcept { return stats_; }
};

} // namespace genesis::gateway::risk
