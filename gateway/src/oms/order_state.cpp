#include "genesis/gateway/oms/order_state.hpp"

namespace genesis::gateway {
namespace {

constexpr auto A = transition_verdict::apply;
constexpr auto D = transition_verdict::duplicate;
constexpr auto I = transition_verdict::invalid;

// Rows and columns in order_status order:
// pending_new, new, partially_filled, filled, canceled, pending_cancel, rejected, expired,
// expired_in_match, unknown.
constexpr std::array<std::array<transition_verdict, status_count>, status_count> table{{
    // pending_new: sent, not acknowledged. Cancels wait for the acknowledgement.
    {D, A, A, A, A, I, A, A, A, A},
    // new: acknowledged. Never back to pending_new; rejected only comes before an ack.
    {I, D, A, A, A, A, I, A, A, I},
    // partially_filled: never back to new.
    {I, I, D, A, A, A, I, A, A, I},
    // filled: final.
    {I, I, I, D, I, I, I, I, I, I},
    // canceled: final.
    {I, I, I, I, D, I, I, I, I, I},
    // pending_cancel: the cancel may lose the race (fills, refused cancel: back to working).
    {I, A, A, A, A, D, I, A, A, I},
    // rejected: final.
    {I, I, I, I, I, I, D, I, I, I},
    // expired: final.
    {I, I, I, I, I, I, I, D, I, I},
    // expired_in_match: final.
    {I, I, I, I, I, I, I, I, D, I},
    // unknown: the lookup tells what the venue has (or that it was never placed: rejected).
    {I, A, A, A, A, I, A, A, A, D},
}};

} // namespace

std::string_view to_string(transition_verdict v) noexcept {
    switch (v) {
    case transition_verdict::apply: return "apply";
    case transition_verdict::duplicate: return "duplicate";
    case transition_verdict::invalid: return "invalid";
    }
    return "?";
}

std::string_view to_string(anomaly_kind k) noexcept {
    switch (k) {
    case anomaly_kind::status_backwards: return "status_backwards";
    case anomaly_kind::after_final: return "after_final";
    case anomaly_kind::cumulative_decrease: return "cumulative_decrease";
    case anomaly_kind::overfill: return "overfill";
    }
    return "?";
}

transition_verdict status_transition(order_status from, order_status to) noexcept {
    const auto f = static_cast<std::size_t>(from);
    const auto t = static_cast<std::size_t>(to);
    if (f >= status_count || t >= status_count)
        return transition_verdict::invalid;
    return table[f][t];
}

update_check check_update(const tracked_order& o, order_status to, decimal cumulative) noexcept {
    auto verdict = status_transition(o.status, to);
    if (verdict == transition_verdict::invalid)
        return {verdict, is_final(o.status) ? anomaly_kind::after_final : anomaly_kind::status_backwards};
    if (cumulative < o.cumulative_quantity)
        return {transition_verdict::invalid, anomaly_kind::cumulative_decrease};
    if (o.intent.quantity && o.intent.quantity->is_positive() && cumulative > *o.intent.quantity)
        return {transition_verdict::invalid, anomaly_kind::overfill};
    // Same status but more filled (a further partial fill) is a real change.
    if (verdict == transition_verdict::duplicate && cumulative > o.cumulative_quantity)
        verdict = is_final(o.status) ? transition_verdict::invalid : transition_verdict::apply;
    if (verdict == transition_verdict::invalid)
        return {verdict, anomaly_kind::after_final};
    return {verdict, std::nullopt};
}

execution_report state_report(const tracked_order& o) {
    execution_report e;
    e.venue = o.intent.venue;
    e.sym = o.intent.sym;
    e.client_id = o.intent.client_id;
    e.order_id = o.order_id;
    e.order_side = o.intent.order_side;
    e.type = o.intent.type;
    e.tif = o.intent.tif;
    e.price = o.intent.price.value_or(decimal{});
    e.quantity = o.intent.quantity.value_or(decimal{});
    e.exec_type = o.status == order_status::rejected ? execution_type::rejected : execution_type::expired;
    e.status = o.status;
    e.cumulative_quantity = o.cumulative_quantity;
    e.cumulative_quote = o.cumulative_quote;
    e.reject_reason = o.reason;
    e.event_time = o.updated;
    e.transaction_time = o.updated;
    return e;
}

} // namespace genesis::gateway
