// Balances per asset from the account stream, the pre-trade balance check and low-balance alerts.
#pragma once

#include "genesis/core/events.hpp"
#include "genesis/gateway/risk/verdict.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <variant>
#include <vector>

namespace genesis::config {
class table_reader;
} // namespace genesis::config

namespace genesis::gateway::risk {

/// Alert thresholds per asset. An asset without an entry never alerts.
struct balance_config {
    std::map<asset, decimal> alert_below;
};

/// Parses the [balances] section into out:
///
///     [balances]
///     alert_below = { USDT = "1000", BTC = "0.01" }   # decimal strings >= 0
///
/// A value that is not a decimal string is rejected naming its key ("balances.alert_below.BTC").
void parse_balances_section(config::table_reader& r, balance_config& out);

/// One asset whose total (free + locked) fell below its threshold.
struct balance_alert {
    asset name;
    decimal total;
    decimal threshold;
};

/// Counters for metrics.
struct balance_stats {
    std::uint64_t checks = 0;
    std::uint64_t rejected = 0;
    std::uint64_t alerts = 0;
};

/// What one order needs of one asset's free balance.
struct balance_need {
    asset name;
    decimal amount;
};

/// Where an order with a reservation is, as the OMS knows it (balance_monitor::settle).
enum class reserved_order : std::uint8_t {
    unanswered, ///< sent, not acknowledged by the venue yet (or its outcome is unknown)
    answered,   ///< the venue has it (NEW, PARTIALLY_FILLED, a cancel pending, ...)
    final,      ///< it can change no more (or the OMS does not know it)
};

/// Balances as the exchange reports them, the check that the free balance covers an order, and
/// edge-triggered alerts: an asset alerts once when its total (free + locked) goes below its
/// threshold, and re-arms when the total is back at or above it. An asset starts armed, so a
/// first balance already below the threshold alerts. Single-threaded.
class balance_monitor {
    struct state {
        balance bal;
        bool below = false; ///< an alert has fired and not re-armed yet
    };
    // Set aside for an accepted order until the venue's balances can include it: the order answered
    // and an account update of its asset received since it was sent (in either order), or final.
    struct reservation {
        balance_need need;
        bool balance_seen = false; ///< an account update of need.name arrived after the order was sent
        bool answered = false;
    };
    balance_config cfg_;
    std::map<asset, state> balances_;
    std::map<client_order_id, reservation> reserved_;
    balance_stats stats_;

    void apply(const balance& b, std::vector<balance_alert>& alerts);

public:
    explicit balance_monitor(balance_config cfg = {});

    /// Overwrites the balances listed in u (assets not listed keep theirs). Returns the alerts
    /// that fire now, for the gateway to log.
    [[nodiscard]] std::vector<balance_alert> on_account_update(const account_update& u);
    /// Applies a deposit, withdrawal or transfer to the free balance.
    [[nodiscard]] std::vector<balance_alert> on_balance_update(const balance_update& u);
    /// Overwrites one balance (a REST account snapshot).
    [[nodiscard]] std::vector<balance_alert> set_balance(const balance& b);

    /// The assets whose total is below their threshold now (alerted and not re-armed), by name.
    [[nodiscard]] std::vector<balance_alert> below() const;

    /// The last known balance of an asset; nullptr when never reported.
    [[nodiscard]] const balance* find(const asset& name) const noexcept;

    /// What the intent needs. A buy with a price (LIMIT, ...) needs price * quantity of quote; a
    /// market buy by quote_quantity needs that much quote; a market buy by quantity needs
    /// quantity * reference_price (the ask, passed by the gateway); a sell needs quantity of base
    /// (by quote_quantity: quote_quantity / reference_price). Fails with no_reference_price when
    /// the price is needed and absent, or with invalid_order. Counts nothing.
    [[nodiscard]] std::variant<balance_need, verdict> need(const order_intent& intent, const asset& base,
                                                           const asset& quote,
                                                           std::optional<decimal> reference_price = std::nullopt) const;
    /// Whether the free balance, less what is reserved for accepted orders the venue's balances do
    /// not include yet, covers the intent's need(). An asset never reported has nothing free. Fails
    /// with insufficient_balance (text with the numbers) or as need() does.
    [[nodiscard]] verdict check(const order_intent& intent, const asset& base, const asset& quote,
                                std::optional<decimal> reference_price = std::nullopt);

    /// Sets aside need() of an accepted order (id: its client order id) until settle() releases it,
    /// so that orders placed before the venue's account update are not all checked against the same
    /// free balance. Ignored if need() fails.
    void reserve(const client_order_id& id, const order_intent& intent, const asset& base, const asset& quote,
                 std::optional<decimal> reference_price = std::nullopt);
    /// Releases the reservations the venue's balances now include: of final orders, and of answered
    /// ones after an account update of their asset. state_of tells where each order is.
    void settle(const std::function<reserved_order(const client_order_id&)>& state_of);
    /// What is reserved of an asset now.
    [[nodiscard]] decimal reserved(const asset& name) const;
    /// Orders with a reservation.
    [[nodiscard]] std::size_t reservations() const noexcept { return reserved_.size(); }

    [[nodiscard]] const balance_stats& stats() const noexcept { return stats_; }
    [[nodiscard]] const balance_config& config() const noexcept { return cfg_; }
};

} // namespace genesis::gateway::risk
