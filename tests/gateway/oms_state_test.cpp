#include "genesis/gateway/oms/order_state.hpp"

#include "oms_test_support.hpp"

#include <gtest/gtest.h>

#include <set>
#include <utility>

namespace genesis::gateway {
namespace {

using namespace test;
using st = order_status;

constexpr std::array<st, status_count> all_statuses{
    st::pending_new,    st::new_,     st::partially_filled, st::filled,           st::canceled,
    st::pending_cancel, st::rejected, st::expired,          st::expired_in_match, st::unknown};

// The legal changes, written out independently of the implementation's table.
const std::set<std::pair<st, st>> legal{
    {st::pending_new, st::new_},
    {st::pending_new, st::partially_filled},
    {st::pending_new, st::filled},
    {st::pending_new, st::canceled},
    {st::pending_new, st::rejected},
    {st::pending_new, st::expired},
    {st::pending_new, st::expired_in_match},
    {st::pending_new, st::unknown},
    {st::new_, st::partially_filled},
    {st::new_, st::filled},
    {st::new_, st::canceled},
    {st::new_, st::pending_cancel},
    {st::new_, st::expired},
    {st::new_, st::expired_in_match},
    {st::partially_filled, st::filled},
    {st::partially_filled, st::canceled},
    {st::partially_filled, st::pending_cancel},
    {st::partially_filled, st::expired},
    {st::partially_filled, st::expired_in_match},
    {st::pending_cancel, st::new_},
    {st::pending_cancel, st::partially_filled},
    {st::pending_cancel, st::filled},
    {st::pending_cancel, st::canceled},
    {st::pending_cancel, st::expired},
    {st::pending_cancel, st::expired_in_match},
    {st::unknown, st::new_},
    {st::unknown, st::partially_filled},
    {st::unknown, st::filled},
    {st::unknown, st::canceled},
    {st::unknown, st::rejected},
    {st::unknown, st::expired},
    {st::unknown, st::expired_in_match},
};

class OrderStateTest : public ::testing::Test {};

TEST_F(OrderStateTest, statusTransitionEveryPair) {
    std::size_t applied = 0, duplicates = 0, invalid = 0;
    for (auto from : all_statuses) {
        for (auto to : all_statuses) {
            const auto v = status_transition(from, to);
            const auto expected = from == to                   ? transition_verdict::duplicate
                                  : legal.contains({from, to}) ? transition_verdict::apply
                                                               : transition_verdict::invalid;
            EXPECT_EQ(v, expected) << to_string(from) << " -> " << to_string(to) << ": " << to_string(v);
            applied += v == transition_verdict::apply;
            duplicates += v == transition_verdict::duplicate;
            invalid += v == transition_verdict::invalid;
        }
    }
    EXPECT_EQ(applied, legal.size());
    EXPECT_EQ(duplicates, status_count);
    EXPECT_EQ(invalid, status_count * status_count - legal.size() - status_count);
}

TEST_F(OrderStateTest, statusTransitionNothingLeavesAFinalStatus) {
    for (auto from : all_statuses) {
        if (!is_final(from))
            continue;
        for (auto to : all_statuses) {
            if (to != from) {
                EXPECT_EQ(status_transition(from, to), transition_verdict::invalid) << to_string(from);
            }
        }
    }
}

TEST_F(OrderStateTest, checkUpdateQuantities) {
    tracked_order o;
    o.intent.quantity = dec("1");
    o.status = st::partially_filled;
    o.cumulative_quantity = dec("0.4");
    // A further partial fill is a change; the same quantity is a duplicate.
    EXPECT_EQ(check_update(o, st::partially_filled, dec("0.5")).verdict, transition_verdict::apply);
    EXPECT_EQ(check_update(o, st::partially_filled, dec("0.4")).verdict, transition_verdict::duplicate);
    // Down is impossible, whatever the status says.
    auto down = check_update(o, st::partially_filled, dec("0.3"));
    EXPECT_EQ(down.verdict, transition_verdict::invalid);
    EXPECT_EQ(down.problem, anomaly_kind::cumulative_decrease);
    EXPECT_EQ(check_update(o, st::filled, dec("0.3")).problem, anomaly_kind::cumulative_decrease);
    // More than the order's quantity.
    EXPECT_EQ(check_update(o, st::filled, dec("1.1")).problem, anomaly_kind::overfill);
    // Backwards.
    EXPECT_EQ(check_update(o, st::new_, dec("0.4")).problem, anomaly_kind::status_backwards);
    // After a final status: a fill after a cancel.
    o.status = st::canceled;
    auto late = check_update(o, st::partially_filled, dec("0.6"));
    EXPECT_EQ(late.verdict, transition_verdict::invalid);
    EXPECT_EQ(late.problem, anomaly_kind::after_final);
    EXPECT_EQ(check_update(o, st::canceled, dec("0.6")).problem, anomaly_kind::after_final);
    EXPECT_EQ(check_update(o, st::canceled, dec("0.4")).verdict, transition_verdict::duplicate);
}

class OmsStateMachineTest : public ::testing::Test {
protected:
    oms_harness h;
    void SetUp() override {
        h.open_db();
        h.make_oms();
        h.start_empty();
    }
};

TEST_F(OmsStateMachineTest, onExecutionReportFillAfterFinalCancelIsFlaggedNotApplied) {
    auto id = h.o->submit(limit_intent());
    ASSERT_TRUE(id);
    h.o->on_execution_report(report(*id, st::new_));
    h.o->on_execution_report(report(*id, st::canceled));
    ASSERT_EQ(h.o->find(*id)->status, st::canceled);

    h.o->on_execution_report(trade_report(*id, 77, "0.5", "100", "0.5", st::partially_filled));
    const auto* o = h.o->find(*id);
    EXPECT_EQ(o->status, st::canceled);
    EXPECT_TRUE(o->cumulative_quantity.is_zero());
    EXPECT_TRUE(o->flagged);
    ASSERT_EQ(o->anomalies.size(), 1u);
    EXPECT_EQ(o->anomalies[0].kind, anomaly_kind::after_final);
    EXPECT_EQ(h.o->stats().invalid_transitions, 1u);
    EXPECT_EQ(h.o->stats().fills, 0u);
    EXPECT_EQ(h.o->book().find(btc), nullptr);
    EXPECT_EQ(h.o->health().flagged_orders, 1u);
    // Logged with the order, both sides of the change and the kind of anomaly.
    const std::string logged = h.log_lines->text();
    EXPECT_NE(logged.find("impossible update refused client_id=" + std::string(id->view()) +
                          " CANCELED -> PARTIALLY_FILLED cum 0 -> 0.5 (after_final)"),
              std::string::npos)
        << logged;
    // The venue is asked for the truth.
    ASSERT_EQ(h.venue.queries.size(), 1u);
    EXPECT_EQ(h.venue.queries[0].id, *id);
}

TEST_F(OmsStateMachineTest, onExecutionReportCumulativeDecreaseAndBackwardsAreRefused) {
    auto id = h.o->submit(limit_intent());
    ASSERT_TRUE(id);
    h.o->on_execution_report(trade_report(*id, 1, "0.5", "100", "0.5", st::partially_filled));
    h.o->on_execution_report(report(*id, st::partially_filled, "0.2"));
    h.o->on_execution_report(report(*id, st::new_, "0.5"));
    const auto* o = h.o->find(*id);
    EXPECT_EQ(o->status, st::partially_filled);
    EXPECT_EQ(o->cumulative_quantity, dec("0.5"));
    ASSERT_EQ(o->anomalies.size(), 2u);
    EXPECT_EQ(o->anomalies[0].kind, anomaly_kind::cumulative_decrease);
    EXPECT_EQ(o->anomalies[1].kind, anomaly_kind::status_backwards);
    EXPECT_EQ(h.o->stats().invalid_transitions, 2u);
    // A duplicate report is neither a change nor an anomaly.
    h.o->on_execution_report(trade_report(*id, 1, "0.5", "100", "0.5", st::partially_filled));
    EXPECT_EQ(h.o->stats().invalid_transitions, 2u);
    EXPECT_EQ(h.o->stats().duplicate_fills, 1u);
}

} // namespace
} // namespace genesis::gateway
