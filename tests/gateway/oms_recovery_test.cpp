#include "genesis/gateway/oms/oms.hpp"

#include "oms_test_support.hpp"

#include <gtest/gtest.h>

#include <map>

namespace genesis::gateway {
namespace {

using namespace test;
using st = order_status;

std::size_t count(const oms& o, recon_kind k) { return o.stats().recon[static_cast<std::size_t>(k)]; }

class OmsRecoveryTest : public ::testing::Test {
protected:
    oms_harness h;

    void checkpoint() {
        auto [done, fut] = db::make_completion<db::checkpoint_report>();
        h.o->write_checkpoint(std::move(done));
        ASSERT_EQ(fut.wait_for(std::chrono::seconds{10}), std::future_status::ready);
        auto r = fut.get();
        ASSERT_TRUE(r) << r.error().message();
        EXPECT_GE(r->written, 1u);
    }

    // A started OMS with order 1 (a buy of 1 at 100) filled by trade 11; its id.
    client_order_id filled_buy() {
        h.open_db();
        h.make_oms();
        h.start_empty();
        auto a = *h.o->submit(limit_intent(side::buy, "1", "100"));
        h.venue.places[0].done(report(a, st::new_, "0", 1));
        h.queue.run_pending();
        h.o->on_execution_report(trade_report(a, 11, "1", "100", "1", st::filled, side::buy, 1));
        return a;
    }

    // A started OMS with two orders the venue answered NEW (order ids 1 and 2); their ids.
    std::pair<client_order_id, client_order_id> two_working_orders() {
        h.open_db();
        h.make_oms();
        h.start_empty();
        auto a = *h.o->submit(limit_intent());
        auto b = *h.o->submit(limit_intent());
        h.venue.places[0].done(report(a, st::new_, "0", 1));
        h.venue.places[1].done(report(b, st::new_, "0", 2));
        h.queue.run_pending();
        return {a, b};
    }

    // Starts the OMS; the venue answers that no order is open. outcome is set when the start ends.
    void start_with_no_open_orders(std::optional<result<void>>& outcome) {
        h.o->start([&outcome](result<void> r) { outcome = r; });
        h.venue.open_order_calls[0](std::vector<execution_report>{});
        h.venue.open_order_calls.clear();
        h.queue.run_pending();
    }

    // A killed gateway: the OMS and the database go away without any goodbye (the journal was
    // group-committed; nothing else is written).
    void crash_and_reopen() {
        ASSERT_TRUE(h.db->flush());
        h.o.reset();
        h.db.reset();
        h.open_db();
        h.make_oms();
    }
};

TEST_F(OmsRecoveryTest, startRestoresCheckpointReplaysJournalAndReconciles) {
    h.open_db();
    h.make_oms();
    h.start_empty();

    // Before the checkpoint: A partially filled (trade 11), B working.
    auto a = *h.o->submit(limit_intent(side::buy, "1", "100"));
    auto b = *h.o->submit(limit_intent(side::buy, "1", "90"));
    h.venue.places[0].done(report(a, st::new_, "0", 1));
    h.venue.places[1].done(report(b, st::new_, "0", 2));
    h.queue.run_pending();
    h.o->on_execution_report(trade_report(a, 11, "0.4", "100", "0.4", st::partially_filled, side::buy, 1));
    checkpoint();

    // After it, only in the journal: A's trade 12, B canceled, C sent with no answer yet.
    h.o->on_execution_report(trade_report(a, 12, "0.2", "100", "0.6", st::partially_filled, side::buy, 1));
    auto b_cancel = report(b, st::canceled, "0", 2);
    h.o->on_execution_report(b_cancel);
    auto c = *h.o->submit(limit_intent(side::sell, "0.1", "150"));
    ASSERT_EQ(h.venue.places.size(), 3u);
    crash_and_reopen();

    std::optional<result<void>> outcome;
    h.o->start([&](result<void> r) { outcome = r; });
    // Restored and replayed before the venue is asked anything.
    ASSERT_NE(h.o->find(a), nullptr);
    EXPECT_EQ(h.o->find(a)->cumulative_quantity, dec("0.6"));
    EXPECT_EQ(h.o->find(b)->status, st::canceled);
    EXPECT_EQ(h.o->find(c)->status, st::pending_new);
    EXPECT_EQ(h.o->book().find(btc)->quantity, dec("0.6"));
    EXPECT_EQ(h.o->health().state, oms_state::recovering);
    EXPECT_EQ(h.o->submit(limit_intent()).error(), oms_errc::not_trading);

    // The venue: A got another fill (trade 13) while we were down; D is ours but its intent never
    // reached the journal; web_1 is someone else's.
    const auto d = client_order_id::truncating("gn-gw1-900");
    ASSERT_EQ(h.venue.open_order_calls.size(), 1u);
    h.venue.open_order_calls[0](
        std::vector<execution_report>{report(a, st::partially_filled, "0.8", 1), report(d, st::new_, "0", 4),
                                      report(client_order_id::truncating("web_1"), st::new_, "0", 5)});
    h.venue.open_order_calls.clear();
    h.queue.run_pending();
    EXPECT_EQ(h.o->find(a)->cumulative_quantity, dec("0.8"));
    ASSERT_NE(h.o->find(d), nullptr);
    EXPECT_TRUE(h.o->find(d)->adopted);
    EXPECT_EQ(h.o->find(client_order_id::truncating("web_1")), nullptr);
    // C (sent, no answer) is looked up before anything else; it is never re-sent.
    EXPECT_EQ(h.o->find(c)->status, st::unknown);
    ASSERT_EQ(h.venue.queries.size(), 1u);
    EXPECT_EQ(h.venue.queries[0].id, c);
    EXPECT_TRUE(h.venue.places.empty());

    // Trades since the oldest kept trade id: 11 and 12 are known, 13 was missed, 14 is not ours.
    ASSERT_EQ(h.venue.trade_calls.size(), 1u);
    EXPECT_EQ(h.venue.trade_calls[0].sym, btc);
    EXPECT_EQ(h.venue.trade_calls[0].from, 11u);
    h.venue.trade_calls[0].done(
        std::vector<db::fill_record>{venue_trade(11, 1, "0.4", "100"), venue_trade(12, 1, "0.2", "100"),
                                     venue_trade(13, 1, "0.2", "100"), venue_trade(14, 77, "5", "100")});
    h.venue.trade_calls.clear();
    h.queue.run_pending();
    // 14's order is unknown: looked up by order id (someone else's), then the trades from 14 again.
    ASSERT_EQ(h.venue.order_id_queries.size(), 1u);
    EXPECT_EQ(h.venue.order_id_queries[0].order_id, 77u);
    h.venue.order_id_queries[0].done(
        std::optional<execution_report>{report(client_order_id::truncating("web_2"), st::filled, "5", 77)});
    h.venue.order_id_queries.clear();
    h.queue.run_pending();
    ASSERT_EQ(h.venue.trade_calls.size(), 1u);
    EXPECT_EQ(h.venue.trade_calls[0].from, 14u);
    h.venue.trade_calls[0].done(std::vector<db::fill_record>{venue_trade(14, 77, "5", "100")});
    h.venue.trade_calls.clear();
    h.queue.run_pending();
    EXPECT_TRUE(h.venue.order_id_queries.empty()); // once per order id
    EXPECT_EQ(h.o->find(client_order_id::truncating("web_2")), nullptr);
    EXPECT_EQ(h.o->book().find(btc)->quantity, dec("0.8"));

    // Balances last.
    ASSERT_EQ(h.venue.account_calls.size(), 1u);
    h.venue.account_calls[0](std::vector<balance>{{asset::truncating("BTC"), dec("0.8"), dec("0")},
                                                  {asset::truncating("USDT"), dec("1000"), dec("5")}});
    h.venue.account_calls.clear();
    h.queue.run_pending();
    EXPECT_EQ(*h.o->book().balance_of(asset::truncating("USDT")), dec("1005"));
    EXPECT_EQ(*h.o->book().balance_of(asset::truncating("BTC")), dec("0.8"));
    // Still waiting for C: no trading before every placement is resolved.
    EXPECT_FALSE(outcome.has_value());
    EXPECT_EQ(h.o->health().unknown_orders, 1u);

    for (int i = 0; i < 20 && !outcome; ++i) {
        h.answer_empty();
        h.clk.advance(h.cfg.lookup_interval);
        h.o->on_tick();
    }
    ASSERT_TRUE(outcome.has_value());
    EXPECT_TRUE(*outcome);
    EXPECT_TRUE(h.o->health().accepting());
    EXPECT_EQ(h.o->find(c)->status, st::rejected);
    EXPECT_TRUE(h.o->find(c)->never_sent);

    EXPECT_EQ(count(*h.o, recon_kind::order_mismatch), 1u);
    EXPECT_EQ(count(*h.o, recon_kind::adopted_order), 1u);
    EXPECT_EQ(count(*h.o, recon_kind::foreign_order), 1u);
    EXPECT_EQ(count(*h.o, recon_kind::missed_fill), 1u);
    EXPECT_EQ(count(*h.o, recon_kind::never_placed), 1u);
    // BTC: ours 0.8 = venue's. USDT: ours -80.003 (notional and commissions), venue 1005.
    EXPECT_EQ(count(*h.o, recon_kind::balance_mismatch), 1u);
    EXPECT_EQ(count(*h.o, recon_kind::order_not_found), 0u);
    EXPECT_EQ(h.o->events().size(), 6u);
    EXPECT_EQ(h.o->stats().reconciliations, 1u);

    // The missed fill is journaled now: another restart does not count it twice.
    crash_and_reopen();
    h.start_empty();
    EXPECT_EQ(h.o->book().find(btc)->quantity, dec("0.8"));
    EXPECT_EQ(h.o->find(a)->cumulative_quantity, dec("0.8"));
}

// Killed with a cancel in flight that the venue never carried out: after the restart the order is
// still open there, and the cancel is sent again once reconciliation is done (the order was meant
// to go). One the venue did cancel is not cancelled again.
TEST_F(OmsRecoveryTest, anOrderBeingCancelledAtTheCrashThatIsStillOpenIsCancelledAgain) {
    const auto [a, b] = two_working_orders();
    ASSERT_TRUE(h.o->cancel(a));
    ASSERT_TRUE(h.o->cancel(b));
    ASSERT_EQ(h.venue.cancels.size(), 2u);
    EXPECT_EQ(h.o->find(a)->status, st::pending_cancel);
    crash_and_reopen(); // neither cancel answered
    h.venue.cancels.clear();

    std::optional<result<void>> outcome;
    h.o->start([&](result<void> r) { outcome = r; });
    // a is still open on the venue; b is not (its cancel went through): b is queried.
    ASSERT_EQ(h.venue.open_order_calls.size(), 1u);
    h.venue.open_order_calls[0](std::vector<execution_report>{report(a, st::new_, "0", 1)});
    h.venue.open_order_calls.clear();
    h.queue.run_pending();
    ASSERT_EQ(h.venue.queries.size(), 1u);
    EXPECT_EQ(h.venue.queries[0].id, b);
    h.venue.queries[0].done(std::optional<execution_report>{report(b, st::canceled, "0", 2)});
    h.venue.queries.clear();
    h.queue.run_pending();
    EXPECT_TRUE(h.venue.cancels.empty()) << "cancelled again before reconciliation was done";
    for (int i = 0; i < 5 && !outcome; ++i)
        h.answer_empty();
    ASSERT_TRUE(outcome.has_value());
    ASSERT_TRUE(*outcome);
    ASSERT_EQ(h.venue.cancels.size(), 1u);
    EXPECT_EQ(h.venue.cancels[0].intent.orig_client_id, a);
    EXPECT_EQ(h.o->find(a)->status, st::pending_cancel);
    EXPECT_EQ(h.o->find(b)->status, st::canceled);
    h.venue.cancels[0].done(report(a, st::canceled, "0", 1));
    h.queue.run_pending();
    EXPECT_EQ(h.o->find(a)->status, st::canceled);
}

TEST_F(OmsRecoveryTest, reconcileWorkingOrderUnknownToVenueIsExpiredAndFlagged) {
    const auto [a, b] = two_working_orders();
    crash_and_reopen();
    h.updates.clear();

    std::optional<result<void>> outcome;
    start_with_no_open_orders(outcome);
    // Neither is open: each is queried. A was filled meanwhile; the venue never heard of B.
    ASSERT_EQ(h.venue.queries.size(), 2u);
    for (auto& q : h.venue.queries)
        q.done(q.id == a ? std::optional<execution_report>{report(a, st::filled, "1", 1)}
                         : std::optional<execution_report>{});
    h.venue.queries.clear();
    ASSERT_TRUE(h.queue.run_until([&] { return !h.venue.trade_calls.empty(); }));
    for (int i = 0; i < 5 && !outcome; ++i)
        h.answer_empty();
    ASSERT_TRUE(outcome.has_value());
    EXPECT_TRUE(*outcome);
    EXPECT_EQ(h.o->find(a)->status, st::filled);
    EXPECT_EQ(h.o->find(b)->status, st::expired);
    EXPECT_TRUE(h.o->find(b)->flagged);
    EXPECT_EQ(count(*h.o, recon_kind::order_mismatch), 1u);
    EXPECT_EQ(count(*h.o, recon_kind::order_not_found),
              1u); // Both changes are told (the strategies would wait for them forever otherwise).
    ASSERT_EQ(h.updates.size(), 2u);
    std::map<client_order_id, order_status> told;
    for (const auto& u : h.updates)
        told[u.client_id] = u.status;
    EXPECT_EQ(told[a], st::filled);
    EXPECT_EQ(told[b], st::expired);
}

// A crash between the placement and the group commit of its intent, and the order filled before
// the restart: it is not open (reconciliation's open orders miss it) and no intent names it; only
// its trade shows on the venue. Found in CI (crash test, one fill in 176 missing from the journal).
TEST_F(OmsRecoveryTest, filledOrderWhoseIntentDiedWithTheCrashIsAdoptedFromItsTrade) {
    (void)filled_buy();
    crash_and_reopen();

    std::optional<result<void>> outcome;
    start_with_no_open_orders(outcome);
    // Trade 12 is of order 5, which the OMS never heard of: gn-gw1-900, ours.
    ASSERT_EQ(h.venue.trade_calls.size(), 1u);
    h.venue.trade_calls[0].done(
        std::vector<db::fill_record>{venue_trade(11, 1, "1", "100"), venue_trade(12, 5, "0.5", "101", side::sell)});
    h.venue.trade_calls.clear();
    h.queue.run_pending();
    ASSERT_EQ(h.venue.order_id_queries.size(), 1u);
    EXPECT_EQ(h.venue.order_id_queries[0].order_id, 5u);
    const auto d = client_order_id::truncating("gn-gw1-900");
    auto found = report(d, st::filled, "0.5", 5);
    found.order_side = side::sell;
    found.quantity = dec("0.5");
    found.price = dec("101");
    h.venue.order_id_queries[0].done(std::optional<execution_report>{found});
    h.venue.order_id_queries.clear();
    h.queue.run_pending();
    ASSERT_NE(h.o->find(d), nullptr);
    EXPECT_TRUE(h.o->find(d)->adopted);
    EXPECT_EQ(h.o->find(d)->status, st::filled);
    // Then its trade, fetched again from 12 (a filled order's sync may ask too), applies once.
    auto calls = std::move(h.venue.trade_calls);
    h.venue.trade_calls.clear();
    ASSERT_FALSE(calls.empty());
    bool again_from_12 = false;
    for (auto& c : calls) {
        again_from_12 = again_from_12 || c.from == 12u;
        c.done(std::vector<db::fill_record>{venue_trade(12, 5, "0.5", "101", side::sell)});
    }
    EXPECT_TRUE(again_from_12);
    for (int i = 0; i < 5 && !outcome; ++i)
        h.answer_empty();
    ASSERT_TRUE(outcome.has_value());
    EXPECT_TRUE(*outcome);
    EXPECT_EQ(h.o->book().find(btc)->quantity, dec("0.5"));
    // The journal holds its intent and its fill: another restart knows both.
    const auto rows = h.journal();
    bool intent = false, fill = false;
    for (const auto& e : rows) {
        if (const auto* i = std::get_if<db::intent_row>(&e))
            intent = intent || i->intent.client_id == d;
        if (const auto* f = std::get_if<db::fill_row>(&e))
            fill = fill || (f->fill.client_id == d && f->fill.trade_id == 12u);
    }
    EXPECT_TRUE(intent);
    EXPECT_TRUE(fill);
}

// A restart after a checkpoint that no longer holds a filled order (final orders are not
// checkpointed) fetches its trade again (the sync starts at the oldest trade id remembered). The
// trade is known: nothing is looked up, adopted or journaled again, and the position is unchanged.
TEST_F(OmsRecoveryTest, aRestartDoesNotAdoptTheFinishedOrderOfATradeItAlreadyHas) {
    const auto a = filled_buy();
    h.queue.run_pending();
    ASSERT_NO_FATAL_FAILURE(checkpoint());
    const auto rows_before = h.journal().size();
    crash_and_reopen();

    std::optional<result<void>> outcome;
    start_with_no_open_orders(outcome);
    ASSERT_EQ(h.o->find(a), nullptr) << "the filled order was restored: this test shows nothing";
    ASSERT_EQ(h.venue.trade_calls.size(), 1u);
    EXPECT_EQ(h.venue.trade_calls[0].from, 11u);
    h.venue.trade_calls[0].done(std::vector<db::fill_record>{venue_trade(11, 1, "1", "100")});
    h.venue.trade_calls.clear();
    h.queue.run_pending();
    EXPECT_TRUE(h.venue.order_id_queries.empty()) << "a known trade's order was looked up";
    for (int i = 0; i < 5 && !outcome; ++i)
        h.answer_empty();
    ASSERT_TRUE(outcome.has_value());
    EXPECT_TRUE(*outcome);
    EXPECT_EQ(h.o->find(a), nullptr) << "adopted";
    EXPECT_EQ(count(*h.o, recon_kind::adopted_order), 0u);
    EXPECT_EQ(h.o->book().find(btc)->quantity, dec("1"));
    EXPECT_EQ(h.journal().size(), rows_before) << "journaled again";
}

TEST_F(OmsRecoveryTest, checkpointSectionsRoundTripThroughRestore) {
    h.open_db();
    h.make_oms();
    h.start_empty();
    auto a = *h.o->submit(limit_intent(side::sell, "2", "250"));
    h.venue.places[0].done(report(a, st::new_, "0", 31));
    h.queue.run_pending();
    h.o->on_execution_report(trade_report(a, 100, "0.5", "250", "0.5", st::partially_filled, side::sell, 31));
    checkpoint();
    const auto sections = h.o->checkpoint_sections();
    crash_and_reopen();
    std::optional<result<void>> outcome;
    h.o->start([&](result<void> r) { outcome = r; });
    // Same state as before the crash, from the checkpoint alone (nothing journaled after it).
    EXPECT_EQ(h.o->checkpoint_sections(), sections);
    const auto* o = h.o->find(a);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->status, st::partially_filled);
    EXPECT_EQ(o->order_id, 31u);
    EXPECT_EQ(o->intent.price, dec("250"));
    EXPECT_EQ(o->intent.order_side, side::sell);
    EXPECT_EQ(h.o->book().find(btc)->quantity, dec("-0.5"));
}

} // namespace
} // namespace genesis::gateway
