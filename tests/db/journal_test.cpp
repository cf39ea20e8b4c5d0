#include "genesis/db/database.hpp"

#include "db_test_support.hpp"
#include "write_fault.hpp"

#include <future>
#include <set>
#include <thread>

namespace genesis::db {
namespace {

using namespace std::chrono_literals;

class JournalTest : public ::testing::Test {
protected:
    test::temp_dir dir_;

    db_config config() const {
        db_config c;
        c.primary = dir_ / "primary.db";
        return c;
    }

    std::unique_ptr<database> open(db_config c) {
        auto db = database::open(std::move(c));
        EXPECT_TRUE(db) << db.error().message();
        return db ? std::move(*db) : nullptr;
    }
};

TEST_F(JournalTest, appendIntentAndTransitionsReplayInOrder) {
    auto db = open(config());
    ASSERT_TRUE(db);
    const auto intent = test::sample_intent("c-1");
    db->append_intent("gw-1", intent);
    db->append_transition(test::sample_transition("c-1", order_status::pending_new));
    db->append_transition(test::sample_transition("c-1", order_status::new_));
    db->append_transition(test::sample_transition("c-1", order_status::partially_filled, 500'000));
    db->append_fill(test::sample_fill(1));
    db->append_balance(venue_id::truncating("sim"), {asset::truncating("USDT"), decimal::from_raw(42), decimal{}}, {5});
    db->append_transition(test::sample_transition("c-1", order_status::filled, 1'500'000));
    ASSERT_TRUE(db->flush());

    auto rows = db->replay(0);
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 7u);
    for (std::size_t i = 0; i < rows->size(); ++i)
        EXPECT_EQ(seq_of((*rows)[i]), i + 1);

    const auto& in = std::get<intent_row>((*rows)[0]);
    EXPECT_EQ(in.instance, "gw-1");
    EXPECT_EQ(in.intent.client_id, intent.client_id);
    EXPECT_EQ(in.intent.strategy_id, 7u);
    EXPECT_EQ(in.intent.sym, intent.sym);
    EXPECT_EQ(in.intent.price, intent.price);
    EXPECT_EQ(in.intent.quantity, intent.quantity);
    EXPECT_FALSE(in.intent.quote_quantity);
    EXPECT_EQ(in.intent.created, intent.created);

    EXPECT_EQ(std::get<transition_row>((*rows)[1]).transition.status, order_status::pending_new);
    EXPECT_EQ(std::get<transition_row>((*rows)[2]).transition.status, order_status::new_);
    const auto& partial = std::get<transition_row>((*rows)[3]).transition;
    EXPECT_EQ(partial, test::sample_transition("c-1", order_status::partially_filled, 500'000));
    EXPECT_EQ(std::get<fill_row>((*rows)[4]).fill, test::sample_fill(1));
    EXPECT_EQ(std::get<balance_row>((*rows)[5]).value.free, decimal::from_raw(42));
    EXPECT_EQ(std::get<transition_row>((*rows)[6]).transition.cumulative_quantity, decimal::from_raw(1'500'000));

    auto tail = db->replay(5);
    ASSERT_TRUE(tail);
    ASSERT_EQ(tail->size(), 2u);
    EXPECT_EQ(seq_of(tail->front()), 6u);
    EXPECT_EQ(db->stats().last_journal_seq, 7u);
}

TEST_F(JournalTest, duplicateFillIsReportedNotAnError) {
    auto db = open(config());
    ASSERT_TRUE(db);
    auto [d1, f1] = make_completion<fill_outcome>();
    auto [d2, f2] = make_completion<fill_outcome>();
    db->append_fill(test::sample_fill(100), std::move(d1));
    // Same venue, symbol and trade id in the same batch.
    db->append_fill(test::sample_fill(100), std::move(d2));
    ASSERT_TRUE(db->flush());
    auto first = f1.get();
    auto second = f2.get();
    ASSERT_TRUE(first);
    ASSERT_TRUE(second);
    EXPECT_FALSE(first->duplicate);
    EXPECT_EQ(first->seq, 1u);
    EXPECT_TRUE(second->duplicate);

    // Again in a later transaction, and the same trade id on another symbol is a new fill.
    auto [d3, f3] = make_completion<fill_outcome>();
    auto [d4, f4] = make_completion<fill_outcome>();
    db->append_fill(test::sample_fill(100), std::move(d3));
    auto other = test::sample_fill(100);
    other.sym = symbol::truncating("ETHUSDT");
    db->append_fill(other, std::move(d4));
    ASSERT_TRUE(db->flush());
    EXPECT_TRUE(f3.get()->duplicate);
    auto fourth = f4.get();
    ASSERT_TRUE(fourth);
    EXPECT_FALSE(fourth->duplicate);
    EXPECT_EQ(fourth->seq, 2u);
    EXPECT_EQ(db->stats().duplicate_fills, 2u);
    EXPECT_TRUE(db->healthy());
    EXPECT_EQ(test::raw_int(dir_ / "primary.db", "SELECT COUNT(*) FROM fills"), 2);
}

TEST_F(JournalTest, groupCommitGathersRowsIntoOneTransaction) {
    auto cfg = config();
    // A window that never expires in a test: only the row count and flush() commit.
    cfg.group_commit_window = std::chrono::hours(1);
    cfg.group_commit_rows = 100;
    auto db = open(cfg);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->flush());
    const auto before = db->stats();

    std::vector<std::future<result<std::uint64_t>>> seqs;
    for (int i = 0; i < 100; ++i) {
        auto [done, fut] = make_completion<std::uint64_t>();
        db->append_intent("gw-1", test::sample_intent("c-" + std::to_string(i)), std::move(done));
        seqs.push_back(std::move(fut));
    }
    // The 100th row fills the batch: every completion arrives without a flush.
    for (std::size_t i = 0; i < seqs.size(); ++i) {
        auto s = seqs[i].get();
        ASSERT_TRUE(s);
        EXPECT_EQ(*s, i + 1);
    }
    ASSERT_TRUE(db->flush());
    auto after = db->stats();
    EXPECT_EQ(after.commits - before.commits, 1u);
    EXPECT_EQ(after.group_commits - before.group_commits, 1u);
    EXPECT_EQ(after.journal_rows, 100u);

    // 25 more rows stay below the row limit: they wait for the barrier and commit once.
    for (int i = 0; i < 25; ++i)
        db->append_transition(test::sample_transition("c-1", order_status::new_));
    ASSERT_TRUE(db->flush());
    EXPECT_EQ(db->stats().commits - after.commits, 1u);
}

TEST_F(JournalTest, batchSplitsAtRowLimit) {
    auto cfg = config();
    cfg.group_commit_window = std::chrono::hours(1);
    cfg.group_commit_rows = 10;
    auto db = open(cfg);
    ASSERT_TRUE(db);
    const auto before = db->stats().commits;
    for (int i = 0; i < 25; ++i)
        db->append_transition(test::sample_transition("c-1", order_status::new_));
    ASSERT_TRUE(db->flush());
    EXPECT_EQ(db->stats().commits - before, 3u); // 10 + 10 + 5
}

TEST_F(JournalTest, completionWaitsForCommit) {
    auto cfg = config();
    cfg.group_commit_window = std::chrono::hours(1);
    cfg.group_commit_rows = 1000;
    auto db = open(cfg);
    ASSERT_TRUE(db);
    auto [done, fut] = make_completion<std::uint64_t>();
    db->append_intent("gw-1", test::sample_intent("c-1"), std::move(done));
    // No commit can happen before the barrier: neither the window nor the row limit is reached.
    EXPECT_EQ(fut.wait_for(0s), std::future_status::timeout);
    ASSERT_TRUE(db->flush());
    EXPECT_EQ(fut.wait_for(0s), std::future_status::ready);
    EXPECT_EQ(*fut.get(), 1u);
}

TEST_F(JournalTest, moneyIsStoredAsIntegersNeverReal) {
    auto db = open(config());
    ASSERT_TRUE(db);
    db->append_intent("gw-1", test::sample_intent("c-1"));
    db->append_fill(test::sample_fill(1));
    ASSERT_TRUE(db->flush());
    const auto file = dir_ / "primary.db";
    EXPECT_EQ(test::raw_int(file, "SELECT price_raw FROM order_intents"), 6'712'345'000'000);
    EXPECT_EQ(test::raw_int(file, "SELECT typeof(quantity_raw) = 'integer' FROM order_intents"), 1);
    EXPECT_EQ(test::raw_int(file, "SELECT quote_quantity_raw IS NULL FROM order_intents"), 1);
    EXPECT_EQ(test::raw_int(file, "SELECT COUNT(*) FROM sqlite_master m, pragma_table_info(m.name) c "
                                  "WHERE m.type = 'table' AND upper(c.type) IN ('REAL', 'FLOAT', 'DOUBLE')"),
              0);
}

TEST_F(JournalTest, storageFullMakesDatabaseUnhealthy) {
    auto cfg = config();
    cfg.max_page_count = 48; // 192 KiB with 4 KiB pages: the schema fits, the journal does not
    auto db = open(cfg);
    ASSERT_TRUE(db);
    EXPECT_TRUE(db->healthy());
    std::vector<std::future<result<std::uint64_t>>> seqs;
    const std::string instance(2000, 'g');
    for (int i = 0; i < 200; ++i) {
        auto [done, fut] = make_completion<std::uint64_t>();
        db->append_intent(instance, test::sample_intent("c-" + std::to_string(i)), std::move(done));
        seqs.push_back(std::move(fut));
    }
    auto flushed = db->flush();
    ASSERT_FALSE(flushed);
    EXPECT_EQ(flushed.error(), db_errc::storage_full);
    EXPECT_FALSE(db->healthy());
    auto h = db->health();
    EXPECT_FALSE(h.healthy);
    EXPECT_NE(h.reason.find("full"), std::string::npos) << h.reason;
    std::size_t failed = 0;
    for (auto& f : seqs)
        if (auto r = f.get(); !r) {
            EXPECT_EQ(r.error(), db_errc::storage_full);
            ++failed;
        }
    EXPECT_GT(failed, 0u);
}

TEST_F(JournalTest, writeFailureMakesDatabaseUnhealthyAndKeepsCommittedRows) {
    test::write_fault fault;
    ASSERT_TRUE(fault.installed());
    {
        auto db = open(config());
        ASSERT_TRUE(db);
        db->append_intent("gw-1", test::sample_intent("c-1"));
        db->append_transition(test::sample_transition("c-1", order_status::new_));
        ASSERT_TRUE(db->flush());

        // The disk starts failing: the next commit cannot write the WAL.
        fault.arm();
        auto [done, fut] = make_completion<std::uint64_t>();
        db->append_intent("gw-1", test::sample_intent("c-2"), std::move(done));
        auto flushed = db->flush();
        ASSERT_FALSE(flushed);
        EXPECT_EQ(flushed.error(), db_errc::io_error);
        auto row = fut.get();
        ASSERT_FALSE(row);
        EXPECT_EQ(row.error(), db_errc::io_error);
        EXPECT_GT(fault.failed(), 0u);
        EXPECT_FALSE(db->healthy());
        // The reason names the operation that failed, for the operator.
        const auto h = db->health();
        RecordProperty("reason", h.reason);
        EXPECT_NE(h.reason.find("SQLITE_IOERR_WRITE"), std::string::npos) << h.reason;

        // Healthy again only after a reopen: the flag is sticky even once the disk works.
        fault.disarm();
        db->append_intent("gw-1", test::sample_intent("c-3"));
        (void)db->flush();
        EXPECT_FALSE(db->healthy());
    }
    // Everything committed before the failure is there; the failed batch is not.
    auto db = open(config());
    ASSERT_TRUE(db);
    EXPECT_TRUE(db->healthy());
    auto rows = db->replay(0);
    ASSERT_TRUE(rows);
    std::set<std::string> intents;
    for (const auto& e : *rows)
        if (const auto* in = std::get_if<intent_row>(&e))
            intents.insert(std::string(in->intent.client_id.view()));
    EXPECT_TRUE(intents.contains("c-1"));
    EXPECT_FALSE(intents.contains("c-2"));
}

TEST_F(JournalTest, concurrentWritersGetUniqueIncreasingSequences) {
    auto db = open(config());
    ASSERT_TRUE(db);
    constexpr int per_thread = 200;
    std::vector<std::vector<std::future<result<std::uint64_t>>>> futs(2);
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                auto [done, fut] = make_completion<std::uint64_t>();
                db->append_transition(test::sample_transition("c-" + std::to_string(t), order_status::new_),
                                      std::move(done));
                futs[static_cast<std::size_t>(t)].push_back(std::move(fut));
            }
        });
    for (auto& th : threads)
        th.join();
    ASSERT_TRUE(db->flush());
    std::set<std::uint64_t> all;
    for (auto& v : futs) {
        std::uint64_t prev = 0;
        for (auto& f : v) {
            auto s = f.get();
            ASSERT_TRUE(s);
            EXPECT_GT(*s, prev); // each thread's rows keep its order
            prev = *s;
            all.insert(*s);
        }
    }
    EXPECT_EQ(all.size(), 2u * per_thread);
    EXPECT_EQ(*all.rbegin(), 2u * per_thread);
}

TEST_F(JournalTest, recordsFromExecutionReport) {
    execution_report r;
    r.venue = venue_id::truncating("sim");
    r.sym = symbol::truncating("BTCUSDT");
    r.client_id = client_order_id::truncating("c-9");
    r.order_id = 77;
    r.status = order_status::partially_filled;
    r.exec_type = execution_type::trade;
    r.last_quantity = decimal::from_raw(3);
    r.last_price = decimal::from_raw(5);
    r.cumulative_quantity = decimal::from_raw(3);
    r.reject_reason = "NONE";
    r.transaction_time = {123};
    auto t = order_transition::from(r);
    EXPECT_EQ(t.status, order_status::partially_filled);
    EXPECT_TRUE(t.reason.empty());
    EXPECT_EQ(t.time, time_point{123});
    EXPECT_FALSE(fill_record::from(r)); // no trade id
    r.trade_id = 555;
    auto f = fill_record::from(r);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->trade_id, 555u);
    EXPECT_EQ(f->quantity, decimal::from_raw(3));
    EXPECT_EQ(f->price, decimal::from_raw(5));
}

TEST_F(JournalTest, normalDurabilityJournalsToo) {
    auto cfg = config();
    cfg.sync = durability::normal;
    {
        auto db = open(cfg);
        ASSERT_TRUE(db);
        db->append_intent("gw-1", test::sample_intent("c-1"));
        ASSERT_TRUE(db->flush());
    }
    auto db = open(cfg);
    ASSERT_TRUE(db);
    EXPECT_EQ(db->replay(0)->size(), 1u);
}

} // namespace
} // namespace genesis::db
