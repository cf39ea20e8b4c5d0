// The order state machine: the core statuses plus the gateway's pending_new and unknown, with
// every transition checked against one table. An impossible change is reported, never applied.
#pragma once

#include "genesis/core/events.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::gateway {

/// What the table says about moving from one status to another.
enum class transition_verdict : std::uint8_t {
    apply,     ///< a legal change
    duplicate, ///< nothing new (same status, same cumulative quantity): ignored, not an error
    invalid,   ///< impossible: logged, counted and flagged on the order, never applied
};

std::string_view to_string(transition_verdict v) noexcept;

/// Number of order_status values (the table is this size squared).
inline constexpr std::size_t status_count = 10;

/// The transition table, row = from, column = to. Same-status cells are `duplicate` (a partial
/// fill with a higher cumulative quantity is upgraded to `apply` by check_update).
[[nodiscard]] transition_verdict status_transition(order_status from, order_status to) noexcept;

/// Why an update was refused.
enum class anomaly_kind : std::uint8_t {
    status_backwards,    ///< e.g. PARTIALLY_FILLED -> NEW, NEW -> PENDING_NEW
    after_final,         ///< any change (a fill, a new status) after a final status
    cumulative_decrease, ///< the cumulative filled quantity went down
    overfill,            ///< the cumulative filled quantity exceeds the order's quantity
};

std::string_view to_string(anomaly_kind k) noexcept;

/// One refused update, kept on the order.
struct anomaly {
    anomaly_kind kind = anomaly_kind::status_backwards;
    order_status from = order_status::pending_new;
    order_status to = order_status::pending_new;
    decimal cumulative_before;
    decimal cumulative_after;
    time_point time; ///< wall clock
};

/// The OMS's view of one order.
struct tracked_order {
    order_intent intent;
    std::string instance; ///< owner instance (parsed from the client id)
    order_status status = order_status::pending_new;
    std::uint64_t order_id = 0; ///< exchange order id, 0 while unknown
    decimal cumulative_quantity;
    decimal cumulative_quote;
    std::string reason;      ///< reject reason or the OMS's note
    bool adopted = false;    ///< learned from the venue (its intent never reached our journal)
    bool never_sent = false; ///< resolved as never placed (rejected by the lookup rule)
    bool flagged = false;    ///< at least one impossible update was refused
    std::vector<anomaly> anomalies;
    time_point sent_at; ///< monotonic: when the placement was handed to the venue
    time_point updated; ///< wall clock of the last change
    /// The venue's transaction time of the newest report applied (0 until one carried it): a
    /// report not newer than this that would move the order backwards is stale, not impossible.
    time_point venue_time;
    bool retained = false; ///< final and counted in the OMS's final-order retention

    // Lookup of an order whose placement outcome is unknown (see oms_config).
    unsigned lookups = 0;   ///< queries answered (found or not found)
    unsigned not_found = 0; ///< queries answered "order does not exist"
    bool lookup_in_flight = false;
    time_point next_lookup;   ///< monotonic
    time_point unknown_since; ///< monotonic
};

/// The decision about one proposed update of an order.
struct update_check {
    transition_verdict verdict = transition_verdict::apply;
    std::optional<anomaly_kind> problem; ///< set when verdict is invalid
};

/// Checks moving o to status `to` with cumulative quantity `cumulative` (table, then quantities:
/// never down, never above the order's quantity when it has one).
[[nodiscard]] update_check check_update(const tracked_order& o, order_status to, decimal cumulative) noexcept;

/// The order's state as a report (what an update the OMS made itself, or a restatement after a
/// restart, tells): its intent's fields, status, cumulative quantities, reason and last update.
/// exec_type is EXPIRED (REJECTED for a rejected order); last_quantity and last_price are 0.
[[nodiscard]] execution_report state_report(const tracked_order& o);

} // namespace genesis::gateway
