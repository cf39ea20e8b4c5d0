#include "genesis/gateway/oms/oms.hpp"

#include "oms_test_support.hpp"

#include "../db/write_fault.hpp"

#include "genesis/resilience/error.hpp"
#include "genesis/rest/http_error.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace genesis::gateway {
namespace {

using namespace test;
using st = order_status;

// Rows of a table as seen by an independent connection (committed rows only).
std::int64_t committed_rows(const std::filesystem::path& file, const char* table) {
    sqlite3* db = nullptr;
    std::int64_t n = -1;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_stmt* s = nullptr;
        const std::string sql = std::string("SELECT COUNT(*) FROM ") + table;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
            n = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return n;
}

bool has_intent(const std::vector<db::journal_entry>& rows, const client_order_id& id) {
    for (const auto& e : rows)
        if (const auto* in = std::get_if<db::intent_row>(&e); in && in->intent.client_id == id)
            return true;
    return false;
}

class OmsOrderTest : public ::testing::Test {
protected:
    oms_harness h;
    void SetUp() override {
        h.open_db();
        h.make_oms();
        h.start_empty();
    }
    client_order_id submit() {
        auto id = h.o->submit(limit_intent());
        EXPECT_TRUE(id) << id.error().message();
        return id ? *id : client_order_id{};
    }
};

TEST_F(OmsOrderTest, submitJournalsIntentBeforeVenueSeesRequest) {
    bool intent_was_there = false;
    client_order_id seen;
    h.venue.on_place = [&](const order_intent& in) {
        // The sender's view: the intent must already be in the journal queue (a barrier shows it).
        seen = in.client_id;
        intent_was_there = has_intent(h.journal(), in.client_id);
    };
    auto id = submit();
    ASSERT_EQ(h.venue.places.size(), 1u);
    EXPECT_EQ(seen, id);
    EXPECT_TRUE(intent_was_there);
    EXPECT_EQ(h.o->find(id)->status, st::pending_new);
}

TEST_F(OmsOrderTest, submitDoesNotFlushOnOrderPath) {
    // A group commit window far longer than the test: only a flush could commit the intent.
    h.o.reset();
    h.db.reset();
    h.commit_window = std::chrono::microseconds{std::chrono::seconds{30}};
    h.open_db();
    h.make_oms();
    h.start_empty();
    ASSERT_TRUE(h.db->flush());
    const auto before = committed_rows(h.dir / "primary.db", "order_intents");
    auto id = submit();
    ASSERT_EQ(h.venue.places.size(), 1u);
    EXPECT_EQ(committed_rows(h.dir / "primary.db", "order_intents"), before);
    ASSERT_TRUE(h.db->flush());
    EXPECT_EQ(committed_rows(h.dir / "primary.db", "order_intents"), before + 1);
    EXPECT_TRUE(has_intent(h.journal(), id));
}

TEST_F(OmsOrderTest, placeAckedBecomesNewAndIsJournaled) {
    auto id = submit();
    h.venue.places[0].done(report(id, st::new_, "0", 555));
    h.queue.run_pending();
    const auto* o = h.o->find(id);
    EXPECT_EQ(o->status, st::new_);
    EXPECT_EQ(o->order_id, 555u);
    std::vector<st> journaled;
    for (const auto& e : h.journal())
        if (const auto* t = std::get_if<db::transition_row>(&e); t && t->transition.client_id == id)
            journaled.push_back(t->transition.status);
    EXPECT_EQ(journaled, (std::vector<st>{st::pending_new, st::new_}));
}

TEST_F(OmsOrderTest, placeLostAnswerGoesUnknownThenLookupFindsAndAdoptsIt) {
    auto id = submit();
    h.venue.places[0].done(make_error_code(resilience::errc::unknown_outcome));
    h.queue.run_pending();
    EXPECT_EQ(h.o->find(id)->status, st::unknown);
    EXPECT_EQ(h.o->health().unknown_orders, 1u);
    // Looked up at once, by client order id, and nothing else is sent for it.
    ASSERT_EQ(h.venue.queries.size(), 1u);
    EXPECT_EQ(h.venue.queries[0].id, id);
    EXPECT_EQ(h.o->cancel(id).error(), oms_errc::not_cancelable);
    EXPECT_EQ(h.venue.places.size(), 1u);
    EXPECT_TRUE(h.venue.cancels.empty());

    h.venue.queries[0].done(std::optional<execution_report>{report(id, st::new_, "0", 777)});
    h.queue.run_pending();
    const auto* o = h.o->find(id);
    EXPECT_EQ(o->status, st::new_);
    EXPECT_EQ(o->order_id, 777u);
    EXPECT_FALSE(o->flagged);
    EXPECT_EQ(h.o->stats().resolved_found, 1u);
    EXPECT_EQ(h.o->health().unknown_orders, 0u);
    EXPECT_EQ(h.venue.places.size(), 1u); // never re-sent
    // What the lookup learnt is told (the user stream may have missed it).
    ASSERT_EQ(h.updates.size(), 1u);
    EXPECT_EQ(h.updates[0].client_id, id);
    EXPECT_EQ(h.updates[0].status, st::new_);
    EXPECT_EQ(h.updates[0].order_id, 777u);
}

TEST_F(OmsOrderTest, placeOutcomeUnknownNotFoundAfterBoundedRuleIsRejected) {
    auto id = submit();
    h.venue.places[0].done(make_error_code(rest::http_errc::outcome_unknown));
    h.queue.run_pending();
    ASSERT_EQ(h.o->find(id)->status, st::unknown);
    std::size_t answered = 0;
    for (int step = 0; step < 20 && h.o->find(id)->status == st::unknown; ++step) {
        ASSERT_EQ(h.venue.queries.size(), 1u) << "one lookup at a time, step " << step;
        auto q = std::move(h.venue.queries[0]);
        h.venue.queries.clear();
        if (step == 1) {
            q.done(make_error_code(rest::http_errc::timed_out)); // no answer: counts for nothing
        } else {
            q.done(std::optional<execution_report>{});
            ++answered;
        }
        h.queue.run_pending();
        // No lookup before its interval has passed.
        h.o->on_tick();
        if (h.o->find(id)->status == st::unknown) {
            EXPECT_TRUE(h.venue.queries.empty());
        }
        h.clk.advance(h.cfg.lookup_interval);
        h.o->on_tick();
    }
    const auto* o = h.o->find(id);
    EXPECT_EQ(o->status, st::rejected);
    EXPECT_TRUE(o->never_sent);
    // At least lookup_min_not_found "does not exist" answers, the last one at least lookup_min_age
    // after sending: t = 0,1(failed),2,3,4,5 s.
    EXPECT_EQ(answered, 5u);
    EXPECT_EQ(o->not_found, 5u);
    EXPECT_EQ(h.o->stats().resolved_not_found, 1u);
    EXPECT_EQ(h.o->stats().lookup_failures, 1u);
    EXPECT_EQ(h.venue.places.size(), 1u);
    // The strategy hears that its order never was: no user-stream report will ever say so.
    ASSERT_EQ(h.updates.size(), 1u);
    EXPECT_EQ(h.updates[0].client_id, id);
    EXPECT_EQ(h.updates[0].status, st::rejected);
    EXPECT_EQ(h.updates[0].exec_type, execution_type::rejected);
    EXPECT_NE(h.updates[0].reject_reason.find("never placed"), std::string::npos) << h.updates[0].reject_reason;
}

TEST_F(OmsOrderTest, placeNotSentIsRejectedWithoutLookup) {
    auto id = submit();
    h.venue.places[0].done(make_error_code(venue_errc::not_sent));
    h.queue.run_pending();
    EXPECT_EQ(h.o->find(id)->status, st::rejected);
    EXPECT_TRUE(h.o->find(id)->never_sent);
    EXPECT_TRUE(h.venue.queries.empty());
    ASSERT_EQ(h.updates.size(), 1u);
    EXPECT_EQ(h.updates[0].client_id, id);
    EXPECT_EQ(h.updates[0].sym, btc);
    EXPECT_EQ(h.updates[0].status, st::rejected);
    EXPECT_EQ(h.updates[0].exec_type, execution_type::rejected);
    EXPECT_TRUE(h.updates[0].reject_reason.starts_with("not sent: ")) << h.updates[0].reject_reason;
}

TEST_F(OmsOrderTest, placeVenueRefusalIsRejected) {
    auto id = submit();
    auto rep = report(id, st::rejected);
    rep.reject_reason = "-2010 Account has insufficient balance";
    h.venue.places[0].done(rep);
    h.queue.run_pending();
    EXPECT_EQ(h.o->find(id)->status, st::rejected);
    EXPECT_EQ(h.o->find(id)->reason, rep.reject_reason);
    EXPECT_EQ(h.o->stats().rejected, 1u);
    ASSERT_EQ(h.updates.size(), 1u);
    EXPECT_EQ(h.updates[0].status, st::rejected);
    EXPECT_EQ(h.updates[0].reject_reason, rep.reject_reason);
}

TEST_F(OmsOrderTest, userStreamReportsAndAcknowledgementsAreNotRetold) {
    // The user stream reaches the strategies itself: on_update carries only what it cannot.
    auto id = submit();
    h.venue.places[0].done(report(id, st::new_, "0", 41));
    h.queue.run_pending();
    h.o->on_execution_report(report(id, st::canceled, "0", 41));
    EXPECT_EQ(h.o->find(id)->status, st::canceled);
    EXPECT_TRUE(h.updates.empty());
}

TEST_F(OmsOrderTest, cancelCanceledAndRefusedCancelVerifiesOrder) {
    auto a = submit();
    auto b = submit();
    h.venue.places[0].done(report(a, st::new_, "0", 1));
    h.venue.places[1].done(report(b, st::new_, "0", 2));
    h.queue.run_pending();
    ASSERT_TRUE(h.o->cancel(a));
    EXPECT_EQ(h.o->find(a)->status, st::pending_cancel);
    EXPECT_EQ(h.o->cancel(a).error(), oms_errc::not_cancelable);
    ASSERT_EQ(h.venue.cancels.size(), 1u);
    EXPECT_EQ(h.venue.cancels[0].intent.order_id, 1u);
    h.venue.cancels[0].done(report(a, st::canceled, "0", 1));
    h.queue.run_pending();
    EXPECT_EQ(h.o->find(a)->status, st::canceled);

    ASSERT_TRUE(h.o->cancel(b));
    h.venue.cancels[1].done(make_error_code(venue_errc::cancel_refused));
    h.queue.run_pending();
    ASSERT_EQ(h.venue.queries.size(), 1u);
    h.venue.queries[0].done(std::optional<execution_report>{report(b, st::filled, "1", 2)});
    h.queue.run_pending();
    EXPECT_EQ(h.o->find(b)->status, st::filled);
    EXPECT_EQ(h.o->cancel(b).error(), oms_errc::not_cancelable);
    EXPECT_EQ(h.o->cancel(client_order_id::truncating("gn-gw1-999999")).error(), oms_errc::unknown_order);
}

TEST_F(OmsOrderTest, onExecutionReportAdoptsOurUnknownOrderAndIgnoresForeign) {
    const auto ours = client_order_id::truncating("gn-gw1-424242");
    h.o->on_execution_report(report(ours, st::new_, "0", 9));
    ASSERT_NE(h.o->find(ours), nullptr);
    EXPECT_TRUE(h.o->find(ours)->adopted);
    EXPECT_EQ(h.o->find(ours)->status, st::new_);
    EXPECT_EQ(h.o->stats().recon[static_cast<std::size_t>(recon_kind::adopted_order)], 1u);
    EXPECT_TRUE(has_intent(h.journal(), ours));

    const auto foreign = client_order_id::truncating("web_123");
    h.o->on_execution_report(report(foreign, st::new_));
    h.o->on_execution_report(report(client_order_id::truncating("gn-other-1"), st::new_));
    EXPECT_EQ(h.o->find(foreign), nullptr);
    EXPECT_EQ(h.o->stats().foreign_reports, 2u);
}

TEST_F(OmsOrderTest, submitRefusedWhenDatabaseUnhealthy) {
    h.o.reset();
    h.db.reset();
    h.open_db(48);
    h.make_oms();
    h.start_empty();
    ASSERT_TRUE(submit().size() > 0);
    // Fill the disk through the journal until a commit fails.
    const std::string big(2000, 'g');
    for (int i = 0; i < 200 && h.db->healthy(); ++i)
        h.db->append_intent(big, limit_intent());
    (void)h.db->flush();
    ASSERT_FALSE(h.db->healthy());
    h.o->on_tick();
    auto id = h.o->submit(limit_intent());
    ASSERT_FALSE(id);
    EXPECT_EQ(id.error(), oms_errc::db_unhealthy);
    const auto health = h.o->health();
    EXPECT_FALSE(health.accepting());
    EXPECT_NE(health.reason.find("database unhealthy"), std::string::npos) << health.reason;
    EXPECT_EQ(h.venue.places.size(), 1u);
}

// A disk that starts failing writes (SQLite's own system-call hook, no libfiu).
class OmsJournalFaultTest : public ::testing::Test {
protected:
    db::test::write_fault fault; // installed before the database opens, removed after it closes
    oms_harness h;
};

TEST_F(OmsJournalFaultTest, writeFailureRefusesNewOrdersAllowsCancelsAndKeepsAcknowledged) {
    ASSERT_TRUE(fault.installed());
    h.open_db();
    h.make_oms();
    h.start_empty();
    // An order acknowledged by the venue (and so to the strategy) while the disk works.
    auto acked = h.o->submit(limit_intent());
    ASSERT_TRUE(acked);
    ASSERT_EQ(h.venue.places.size(), 1u);
    h.venue.places[0].done(report(*acked, st::new_, "0", 1001));
    h.queue.run_pending();
    ASSERT_EQ(h.o->find(*acked)->status, st::new_);
    ASSERT_TRUE(h.db->flush());

    // The disk fails: the batch carrying the next intent cannot be committed.
    fault.arm();
    auto in_flight = h.o->submit(limit_intent(side::sell, "1", "101"));
    ASSERT_TRUE(in_flight); // accepted before the failure was known; reconciliation adopts it
    EXPECT_FALSE(h.db->flush());
    ASSERT_FALSE(h.db->healthy());
    h.o->on_tick();
    h.queue.run_pending();

    // New orders are refused with the journal's reason; nothing more reaches the venue.
    auto refused = h.o->submit(limit_intent());
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), oms_errc::db_unhealthy);
    const auto health = h.o->health();
    EXPECT_FALSE(health.accepting());
    RecordProperty("reason", health.reason);
    EXPECT_TRUE(health.reason.starts_with("journal: ")) << health.reason;
    EXPECT_NE(health.reason.find("SQLITE_IOERR_WRITE"), std::string::npos) << health.reason;
    EXPECT_EQ(h.venue.places.size(), 2u);
    EXPECT_GT(h.o->stats().journal_errors, 0u);

    // Cancelling still works: it only reduces risk.
    ASSERT_TRUE(h.o->cancel(*acked));
    ASSERT_EQ(h.venue.cancels.size(), 1u);
    EXPECT_EQ(h.venue.cancels[0].intent.orig_client_id, *acked);

    // The disk works again; after a restart the acknowledged order is in the journal.
    fault.disarm();
    h.o.reset();
    h.queue.run_pending();
    h.db.reset();
    h.open_db();
    const auto rows = h.journal();
    EXPECT_TRUE(has_intent(rows, *acked));
    bool ack_journaled = false;
    for (const auto& e : rows)
        if (const auto* t = std::get_if<db::transition_row>(&e))
            ack_journaled = ack_journaled || (t->transition.client_id == *acked && t->transition.status == st::new_);
    EXPECT_TRUE(ack_journaled);
}

class OmsStartTest : public ::testing::Test {
protected:
    oms_harness h;
};

TEST_F(OmsStartTest, submitRefusedUntilReconciledAndHaltedWithReason) {
    h.open_db();
    h.make_oms();
    EXPECT_EQ(h.o->submit(limit_intent()).error(), oms_errc::not_trading);
    std::optional<result<void>> outcome;
    h.o->start([&](result<void> r) { outcome = r; });
    EXPECT_EQ(h.o->health().state, oms_state::recovering);
    EXPECT_EQ(h.o->submit(limit_intent()).error(), oms_errc::not_trading);
    ASSERT_EQ(h.venue.open_order_calls.size(), 1u);
    h.venue.open_order_calls[0](make_error_code(rest::http_errc::server_error));
    ASSERT_TRUE(h.queue.run_until([&] { return outcome.has_value(); }));
    EXPECT_FALSE(*outcome);
    const auto health = h.o->health();
    EXPECT_EQ(health.state, oms_state::halted);
    EXPECT_NE(health.reason.find("open orders"), std::string::npos) << health.reason;
    EXPECT_EQ(h.o->submit(limit_intent()).error(), oms_errc::not_trading);
    EXPECT_TRUE(h.venue.places.empty());

    // A second attempt succeeds: trading resumes.
    h.venue.open_order_calls.clear();
    outcome.reset();
    h.o->reconcile([&](result<void> r) { outcome = r; });
    for (int i = 0; i < 10 && !outcome; ++i)
        h.answer_empty();
    ASSERT_TRUE(outcome.has_value());
    EXPECT_TRUE(*outcome);
    EXPECT_TRUE(h.o->health().accepting());
    EXPECT_TRUE(h.o->submit(limit_intent()));
}

} // namespace
} // namespace genesis::gateway
