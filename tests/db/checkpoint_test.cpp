#include "genesis/db/database.hpp"

#include "db_test_support.hpp"
#include "genesis/db/checksum.hpp"
#include "genesis/db/snapshot_sink.hpp"

#include <atomic>

namespace genesis::db {
namespace {

class CheckpointTest : public ::testing::Test {
protected:
    test::temp_dir dir_;
    manual_clock clock_;
    // Replica indices whose next write fails (bit i = replica i), cleared as they fire.
    std::atomic<unsigned> faults_{0};

    db_config config() {
        db_config c;
        c.primary = dir_ / "primary.db";
        c.replicas = {dir_ / "r1.db", dir_ / "r2.db"};
        c.clock = &clock_;
        c.replica_write_fault = [this](std::size_t i) -> error_code {
            const unsigned bit = 1u << i;
            if (faults_.fetch_and(~bit) & bit)
                return make_error_code(db_errc::io_error);
            return {};
        };
        return c;
    }

    std::unique_ptr<database> open(db_config c) {
        auto db = database::open(std::move(c));
        EXPECT_TRUE(db) << db.error().message();
        return db ? std::move(*db) : nullptr;
    }

    // A state of n open orders and a few other sections; seq marks the content.
    static std::vector<section> state(int seq, int orders = 4) {
        std::string book;
        for (int i = 0; i < orders; ++i)
            book += "order " + std::to_string(i) + " of checkpoint " + std::to_string(seq) + ";";
        return {
            {"open_orders", test::bytes_of(book)},
            {"balances", test::bytes_of("USDT=1000;BTC=0.5;seq=" + std::to_string(seq))},
            {"breaker.sim", test::bytes_of("CLOSED")},
            {"strategy.7", test::bytes_of(std::string(300, static_cast<char>('a' + seq % 26)))},
        };
    }

    static std::int64_t newest(const std::filesystem::path& file) {
        return test::raw_int(file, "SELECT MAX(seq) FROM checkpoints");
    }
};

TEST_F(CheckpointTest, writeToEveryReplicaThenRestoreNewest) {
    auto db = open(config());
    ASSERT_TRUE(db);
    for (int i = 1; i <= 3; ++i) {
        clock_.advance(std::chrono::seconds(1));
        auto rep = db->write_checkpoint_sync(state(i));
        ASSERT_TRUE(rep) << rep.error().message();
        EXPECT_EQ(rep->seq, static_cast<std::uint64_t>(i));
        EXPECT_EQ(rep->written, 3u);
        EXPECT_TRUE(rep->failed.empty());
    }
    for (const char* f : {"primary.db", "r1.db", "r2.db"}) {
        EXPECT_EQ(newest(dir_ / f), 3) << f;
        // Retention 2: checkpoint 1 is gone.
        EXPECT_EQ(test::raw_int(dir_ / f, "SELECT COUNT(*) FROM checkpoints"), 2) << f;
    }
    auto r = db->restore();
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->chosen);
    EXPECT_EQ(*r->chosen, 0u);
    ASSERT_TRUE(r->state);
    EXPECT_EQ(r->state->seq, 3u);
    auto expected = state(3);
    std::sort(expected.begin(), expected.end(), [](auto& a, auto& b) { return a.name < b.name; });
    EXPECT_EQ(r->state->sections, expected);
    EXPECT_EQ(r->state->created, clock_.wall());
    ASSERT_EQ(r->replicas.size(), 3u);
    EXPECT_TRUE(r->replicas[0].chosen);
    EXPECT_NE(r->replicas[1].reason.find("same checkpoint 3"), std::string::npos) << r->replicas[1].reason;
}

TEST_F(CheckpointTest, restoreTakesTheNewestReplica) {
    auto cfg = config();
    cfg.auto_reseed = false;
    auto db = open(cfg);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->write_checkpoint_sync(state(1)));
    // Checkpoint 2 reaches only r2.
    faults_ = 0b011;
    auto rep = db->write_checkpoint_sync(state(2));
    ASSERT_TRUE(rep);
    EXPECT_EQ(rep->written, 1u);
    EXPECT_EQ(rep->failed, (std::vector<std::size_t>{0, 1}));
    // The primary failing a write is a storage failure.
    EXPECT_FALSE(db->healthy());

    auto r = db->restore();
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->chosen);
    EXPECT_EQ(*r->chosen, 2u);
    EXPECT_EQ(r->state->seq, 2u);
    EXPECT_NE(r->replicas[0].reason.find("older: checkpoint 1 < 2"), std::string::npos) << r->replicas[0].reason;
    EXPECT_NE(r->replicas[1].reason.find("older"), std::string::npos) << r->replicas[1].reason;
}

TEST_F(CheckpointTest, corruptedReplicaIsSkippedWithReason) {
    {
        auto db = open(config());
        ASSERT_TRUE(db);
        // Many sections so that the middle of the file holds b-tree pages.
        for (int c = 1; c <= 2; ++c) {
            std::vector<section> many;
            for (int i = 0; i < 400; ++i)
                many.push_back({"s" + std::to_string(1000 + i), test::bytes_of(std::string(200, 'x'))});
            ASSERT_TRUE(db->write_checkpoint_sync(std::move(many)));
        }
    }
    const auto victim = dir_ / "r1.db";
    const auto size = std::filesystem::file_size(victim);
    ASSERT_GT(size, 64u * 1024u);
    test::scribble(victim, size / 2, 8192);

    auto db = open(config());
    ASSERT_TRUE(db);
    auto r = db->restore();
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->chosen);
    EXPECT_EQ(*r->chosen, 0u);
    EXPECT_EQ(r->state->seq, 2u);
    EXPECT_EQ(r->state->sections.size(), 400u);
    const auto& v = r->replicas[1];
    RecordProperty("reason", v.reason);
    EXPECT_FALSE(v.chosen);
    EXPECT_TRUE(v.reason.starts_with("quick_check failed") || v.reason.starts_with("unavailable") ||
                v.reason.starts_with("unreadable"))
        << v.reason;

    // The damaged file is degraded, never written in place, and re-seeded after the next checkpoint.
    auto st = db->replicas();
    EXPECT_TRUE(st[1].degraded);
    EXPECT_FALSE(st[2].degraded);
    auto rep = db->write_checkpoint_sync(state(3));
    ASSERT_TRUE(rep);
    EXPECT_EQ(rep->reseeded, std::vector<std::size_t>{1});
    st = db->replicas();
    EXPECT_FALSE(st[1].degraded);
    EXPECT_EQ(st[1].checkpoint_seq, 3u);
    db.reset();
    EXPECT_EQ(test::raw_int(victim, "SELECT COUNT(*) FROM pragma_quick_check WHERE quick_check = 'ok'"), 1);
    EXPECT_EQ(newest(victim), 3);
}

TEST_F(CheckpointTest, checksumMismatchIsSkippedWithReason) {
    {
        auto db = open(config());
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->write_checkpoint_sync(state(1)));
        ASSERT_TRUE(db->write_checkpoint_sync(state(2)));
    }
    // A silent bit flip that SQLite's page checks cannot see.
    test::raw_exec(dir_ / "r2.db", "UPDATE checkpoint_sections SET data = x'00' WHERE seq = 2 AND name = 'balances'");
    test::raw_exec(dir_ / "primary.db", "UPDATE checkpoints SET journal_seq = 99 WHERE seq = 2");

    auto db = open(config());
    ASSERT_TRUE(db);
    auto r = db->restore();
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->chosen);
    EXPECT_EQ(*r->chosen, 1u);
    EXPECT_EQ(r->state->seq, 2u);
    EXPECT_NE(r->replicas[0].reason.find("checksum mismatch in checkpoint 2"), std::string::npos)
        << r->replicas[0].reason;
    EXPECT_NE(r->replicas[2].reason.find("checksum mismatch"), std::string::npos) << r->replicas[2].reason;
    EXPECT_FALSE(r->replicas[2].checkpoint_seq);
}

TEST_F(CheckpointTest, noValidReplicaLeavesChoiceEmpty) {
    auto db = open(config());
    ASSERT_TRUE(db);
    auto fresh = db->restore();
    ASSERT_TRUE(fresh);
    EXPECT_FALSE(fresh->chosen);
    for (const auto& v : fresh->replicas)
        EXPECT_EQ(v.reason, "no checkpoint");
    ASSERT_TRUE(db->write_checkpoint_sync(state(1)));
    db.reset();
    for (const char* f : {"primary.db", "r1.db", "r2.db"})
        test::raw_exec(dir_ / f, "UPDATE checkpoints SET created_ns = 1");
    db = open(config());
    auto r = db->restore();
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->chosen);
    EXPECT_FALSE(r->state);
    for (const auto& v : r->replicas)
        EXPECT_NE(v.reason.find("checksum mismatch"), std::string::npos) << v.reason;
}

TEST_F(CheckpointTest, degradedReplicaIsReseededByBackup) {
    auto cfg = config();
    cfg.auto_reseed = false;
    auto db = open(cfg);
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->write_checkpoint_sync(state(1)));
    faults_ = 0b010;
    auto rep = db->write_checkpoint_sync(state(2));
    ASSERT_TRUE(rep);
    EXPECT_EQ(rep->failed, std::vector<std::size_t>{1});
    EXPECT_TRUE(db->healthy()); // a secondary failing does not stop trading

    auto st = db->replicas();
    ASSERT_EQ(st.size(), 3u);
    EXPECT_TRUE(st[1].degraded);
    EXPECT_NE(st[1].reason.find("checkpoint 2"), std::string::npos) << st[1].reason;
    EXPECT_EQ(st[1].checkpoint_seq, 1u);
    EXPECT_EQ(newest(dir_ / "r1.db"), 1);

    // A degraded replica is skipped until it is re-seeded.
    rep = db->write_checkpoint_sync(state(3));
    ASSERT_TRUE(rep);
    EXPECT_EQ(rep->failed, std::vector<std::size_t>{1});

    auto done = db->reseed();
    ASSERT_TRUE(done) << done.error().message();
    EXPECT_EQ(*done, std::vector<std::size_t>{1});
    st = db->replicas();
    EXPECT_FALSE(st[1].degraded);
    EXPECT_EQ(st[1].reseeds, 1u);
    EXPECT_EQ(st[1].checkpoint_seq, 3u);
    EXPECT_EQ(newest(dir_ / "r1.db"), 3);

    rep = db->write_checkpoint_sync(state(4));
    ASSERT_TRUE(rep);
    EXPECT_EQ(rep->written, 3u);
    EXPECT_EQ(newest(dir_ / "r1.db"), 4);
}

TEST_F(CheckpointTest, failedWriteIsReseededAutomatically) {
    auto db = open(config());
    ASSERT_TRUE(db);
    faults_ = 0b100;
    auto rep = db->write_checkpoint_sync(state(1));
    ASSERT_TRUE(rep);
    EXPECT_EQ(rep->written, 2u);
    EXPECT_EQ(rep->reseeded, std::vector<std::size_t>{2});
    auto st = db->replicas();
    EXPECT_FALSE(st[2].degraded);
    EXPECT_EQ(st[2].failures, 1u);
    EXPECT_EQ(st[2].reseeds, 1u);
    EXPECT_EQ(newest(dir_ / "r2.db"), 1);
}

TEST_F(CheckpointTest, unreadableReplicaIsReseeded) {
    {
        auto db = open(config());
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->write_checkpoint_sync(state(1)));
    }
    // Destroy the header: the file is no longer a database.
    test::scribble(dir_ / "r2.db", 0, 100);
    auto db = open(config());
    ASSERT_TRUE(db);
    auto st = db->replicas();
    EXPECT_TRUE(st[2].degraded);
    EXPECT_NE(st[2].reason.find("open"), std::string::npos) << st[2].reason;
    auto rep = db->write_checkpoint_sync(state(2));
    ASSERT_TRUE(rep);
    EXPECT_EQ(rep->reseeded, std::vector<std::size_t>{2});
    EXPECT_EQ(newest(dir_ / "r2.db"), 2);
    EXPECT_EQ(test::raw_int(dir_ / "r2.db", "SELECT COUNT(*) FROM pragma_quick_check WHERE quick_check = 'ok'"), 1);
}

TEST_F(CheckpointTest, replayAfterCheckpointPosition) {
    {
        auto db = open(config());
        ASSERT_TRUE(db);
        for (int i = 0; i < 3; ++i)
            db->append_intent("gw-1", test::sample_intent("c-" + std::to_string(i)));
        // No flush: the checkpoint is queued after the three rows, so it covers them.
        auto rep = db->write_checkpoint_sync(state(1));
        ASSERT_TRUE(rep);
        EXPECT_EQ(rep->journal_seq, 3u);
        db->append_transition(test::sample_transition("c-0", order_status::new_));
        db->append_fill(test::sample_fill(9, "c-0"));
        // Destroyed without flush: the destructor commits what is queued.
    }
    auto db = open(config());
    ASSERT_TRUE(db);
    auto r = db->restore();
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->state);
    EXPECT_EQ(r->state->journal_seq, 3u);
    auto rows = db->replay(r->state->journal_seq);
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 2u);
    EXPECT_EQ(seq_of((*rows)[0]), 4u);
    EXPECT_TRUE(std::holds_alternative<transition_row>((*rows)[0]));
    EXPECT_EQ(seq_of((*rows)[1]), 5u);
    EXPECT_EQ(std::get<fill_row>((*rows)[1]).fill.trade_id, 9u);
}

TEST_F(CheckpointTest, rejectsDuplicateSectionNames) {
    auto db = open(config());
    ASSERT_TRUE(db);
    auto rep = db->write_checkpoint_sync({{"a", {}}, {"a", {}}});
    ASSERT_FALSE(rep);
    EXPECT_EQ(rep.error(), db_errc::invalid_argument);
    // Empty sections and an empty checkpoint are fine.
    ASSERT_TRUE(db->write_checkpoint_sync({{"empty", {}}}));
    ASSERT_TRUE(db->write_checkpoint_sync({}));
    auto r = db->restore();
    ASSERT_TRUE(r && r->state);
    EXPECT_EQ(r->state->seq, 2u);
}

TEST_F(CheckpointTest, checksumIsStableSha256) {
    const std::vector<section> s{{"a", test::bytes_of("x")}};
    const auto d1 = checkpoint_digest(1, 2, {3}, s);
    EXPECT_EQ(d1, checkpoint_digest(1, 2, {3}, s));
    EXPECT_NE(d1, checkpoint_digest(1, 2, {4}, s));
    EXPECT_EQ(to_hex(d1).size(), 64u);
}

TEST_F(CheckpointTest, snapshotSinkBacksTheReplicator) {
    auto db = open(config());
    ASSERT_TRUE(db);
    auto sink = std::make_shared<snapshot_sink>(*db);
    {
        resilience::replicator_config rc;
        rc.sink = sink;
        resilience::replicator rep(rc);
        ASSERT_TRUE(rep.register_component("breaker.sim"));
        auto saved = rep.save("breaker.sim", {3, test::bytes_of("OPEN")});
        ASSERT_TRUE(saved);
        EXPECT_TRUE(saved->persisted);
    }
    // A new process: nothing in memory, the copy comes from the SQLite replicas.
    resilience::replicator_config rc;
    rc.sink = sink;
    resilience::replicator rep(rc);
    ASSERT_TRUE(rep.register_component("breaker.sim"));
    auto got = rep.restore("breaker.sim");
    ASSERT_TRUE(got);
    ASSERT_TRUE(*got);
    EXPECT_EQ((*got)->source, resilience::snapshot_source::persistence);
    EXPECT_EQ((*got)->state.version, 3u);
    EXPECT_EQ((*got)->state.bytes, test::bytes_of("OPEN"));
    EXPECT_EQ(test::raw_int(dir_ / "r2.db", "SELECT version FROM component_snapshots"), 3);
    auto none = sink->load("unknown");
    ASSERT_TRUE(none);
    EXPECT_FALSE(*none);
}

} // namespace
} // namespace genesis::db
