#include "genesis/db/database.hpp"

#include "db_test_support.hpp"

#include <fstream>
#include <iterator>

namespace genesis::db {
namespace {

// The primary holds the journal and the client order id counters: a damaged one stops open() with
// a sentence the operator can act on, and a primary moved aside is replaced without handing out an
// id or a journal sequence twice. Real SQLite files; the damage is written over real pages.
class PrimaryTest : public ::testing::Test {
protected:
    test::temp_dir dir_;
    manual_clock clock_;

    db_config config() {
        db_config c;
        c.primary = dir_ / "primary.db";
        c.replicas = {dir_ / "r1.db", dir_ / "r2.db"};
        c.clock = &clock_;
        return c;
    }

    // A journal that spans many pages, two checkpoints and a reserved id block; closed cleanly.
    // Returns the checkpoint's journal_seq.
    std::uint64_t populate() {
        auto db = database::open(config());
        EXPECT_TRUE(db);
        if (!db)
            return 0;
        auto b = (*db)->reserve_block("gw1", 1000);
        EXPECT_TRUE(b);
        EXPECT_EQ(*b, (id_block{1, 1001}));
        for (int i = 0; i < 600; ++i) {
            const auto id = "gn-gw1-" + std::to_string(i + 1);
            (*db)->append_intent("gw1", test::sample_intent(id));
            (*db)->append_transition(test::sample_transition(id, order_status::new_));
        }
        EXPECT_TRUE((*db)->flush());
        std::uint64_t covered = 0;
        for (int c = 1; c <= 2; ++c) {
            clock_.advance(std::chrono::seconds(1));
            auto rep = (*db)->write_checkpoint_sync({{"open_orders", test::bytes_of("cp " + std::to_string(c))}});
            EXPECT_TRUE(rep);
            if (rep)
                covered = rep->journal_seq;
        }
        return covered;
    }

    static std::string bytes(const std::filesystem::path& f) {
        std::ifstream in(f, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), {}};
    }

    // Overwrites every page of one b-tree (dbstat) after a VACUUM (so no free page takes the damage).
    void damage(const std::filesystem::path& file, const char* btree) {
        test::raw_exec(file, "VACUUM");
        const auto page = test::raw_int(file, "PRAGMA page_size");
        ASSERT_GT(page, 0);
        std::vector<std::int64_t> pages;
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
        sqlite3_stmt* s = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT pageno FROM dbstat WHERE name = ?1", -1, &s, nullptr), SQLITE_OK);
        sqlite3_bind_text(s, 1, btree, -1, SQLITE_STATIC);
        while (sqlite3_step(s) == SQLITE_ROW)
            pages.push_back(sqlite3_column_int64(s, 0));
        sqlite3_finalize(s);
        sqlite3_close(db);
        ASSERT_GE(pages.size(), 2u) << btree;
        for (const auto p : pages)
            test::scribble(file, static_cast<std::uintmax_t>((p - 1) * page), static_cast<std::size_t>(page));
    }
};

TEST_F(PrimaryTest, openDamagedPrimaryStopsNamingFileCheckAndNewestReplica) {
    ASSERT_GT(populate(), 0u);
    const auto primary = dir_ / "primary.db";
    // The journal's index by client id: the file still opens and reads, only the check sees it.
    ASSERT_NO_FATAL_FAILURE(damage(primary, "order_transitions_by_client"));
    const auto before = bytes(primary);

    std::string why;
    auto db = database::open(config(), &why);
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error(), db_errc::corrupt);
    RecordProperty("why", why);
    EXPECT_NE(why.find("primary " + primary.string() + " is damaged (PRAGMA quick_check: "), std::string::npos) << why;
    EXPECT_NE(why.find("start-up stops"), std::string::npos) << why;
    EXPECT_NE(why.find("Newest valid replica: 1 (" + (dir_ / "r1.db").string() + ", checkpoint 2)"), std::string::npos)
        << why;
    EXPECT_NE(why.find("move " + primary.string()), std::string::npos) << why;
    // Nothing was written to the damaged file.
    EXPECT_EQ(bytes(primary), before);
}

TEST_F(PrimaryTest, openDamagedPrimaryWithoutValidReplicaSaysSo) {
    ASSERT_GT(populate(), 0u);
    ASSERT_NO_FATAL_FAILURE(damage(dir_ / "primary.db", "order_transitions_by_client"));
    test::scribble(dir_ / "r1.db", 0, 4096); // not a database any more
    std::filesystem::remove(dir_ / "r2.db");

    std::string why;
    auto db = database::open(config(), &why);
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error(), db_errc::corrupt);
    EXPECT_NE(why.find("No replica holds a valid checkpoint"), std::string::npos) << why;
    EXPECT_NE(why.find("replica 1 (" + (dir_ / "r1.db").string() + "): "), std::string::npos) << why;
    EXPECT_NE(why.find("replica 2 (" + (dir_ / "r2.db").string() + "): missing"), std::string::npos) << why;
    // The inspection created no file.
    EXPECT_FALSE(std::filesystem::exists(dir_ / "r2.db"));
}

TEST_F(PrimaryTest, primaryMovedAsideStartsFromReplicaWithoutReusingIdsOrSequences) {
    const auto covered = populate();
    ASSERT_GT(covered, 0u);
    // The replicas recorded the id block too.
    EXPECT_EQ(test::raw_int(dir_ / "r1.db", "SELECT next FROM client_id_blocks WHERE instance = 'gw1'"), 1001);
    EXPECT_EQ(test::raw_int(dir_ / "r2.db", "SELECT next FROM client_id_blocks WHERE instance = 'gw1'"), 1001);
    ASSERT_NO_FATAL_FAILURE(damage(dir_ / "primary.db", "order_transitions_by_client"));
    ASSERT_FALSE(database::open(config()));

    // What the error tells the operator to do: move the primary aside.
    for (const char* s : {"", "-wal", "-shm"}) {
        const auto f = dir_ / (std::string("primary.db") + s);
        if (std::filesystem::exists(f))
            std::filesystem::rename(f, dir_ / (std::string("primary.db.damaged") + s));
    }
    auto db = database::open(config());
    ASSERT_TRUE(db) << db.error().message();
    auto b = (*db)->reserve_block("gw1", 100);
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, (id_block{1001, 1101})) << "a replacement primary must not hand out ids again";

    auto r = (*db)->restore();
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->chosen);
    EXPECT_EQ(*r->chosen, 1u);
    ASSERT_TRUE(r->state);
    EXPECT_EQ(r->state->seq, 2u);
    EXPECT_EQ(r->state->journal_seq, covered);
    EXPECT_EQ(r->replicas[0].reason, "no checkpoint");

    // New journal rows come after what the checkpoint covers, so replay after it finds them.
    auto [done, seq] = make_completion<std::uint64_t>();
    (*db)->append_intent("gw1", test::sample_intent("gn-gw1-1001"), std::move(done));
    ASSERT_TRUE((*db)->flush());
    auto s = seq.get();
    ASSERT_TRUE(s);
    EXPECT_EQ(*s, covered + 1);
    auto rows = (*db)->replay(r->state->journal_seq);
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(std::get<intent_row>(rows->front()).intent.client_id.view(), "gn-gw1-1001");

    // The next checkpoint continues the sequence of the replica set.
    auto rep = (*db)->write_checkpoint_sync({{"open_orders", test::bytes_of("cp 3")}});
    ASSERT_TRUE(rep);
    EXPECT_EQ(rep->seq, 3u);
    EXPECT_EQ(rep->written, 3u);
}

TEST_F(PrimaryTest, checkpointAheadOfTheJournalIsNotReusedBySequences) {
    const auto covered = populate();
    ASSERT_GT(covered, 0u);
    // The last rows the checkpoint covers are gone from the journal (a batch rolled back after a
    // failed commit whose checkpoint reached the replicas).
    test::raw_exec(dir_ / "primary.db", "DELETE FROM order_transitions WHERE seq > " + std::to_string(covered - 10) +
                                            "; DELETE FROM order_intents WHERE seq > " + std::to_string(covered - 10));
    auto db = database::open(config());
    ASSERT_TRUE(db);
    auto [done, seq] = make_completion<std::uint64_t>();
    (*db)->append_intent("gw1", test::sample_intent("gn-gw1-2000"), std::move(done));
    ASSERT_TRUE((*db)->flush());
    auto s = seq.get();
    ASSERT_TRUE(s);
    EXPECT_EQ(*s, covered + 1);
}

TEST_F(PrimaryTest, reserveBlockFailingOnASecondaryDegradesItAndStillReserves) {
    auto c = config();
    c.replica_write_fault = [](std::size_t i) -> error_code {
        return i == 2 ? make_error_code(db_errc::io_error) : error_code{};
    };
    auto db = database::open(c);
    ASSERT_TRUE(db);
    auto b = (*db)->reserve_block("gw1", 10);
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, (id_block{1, 11}));
    const auto st = (*db)->replicas();
    EXPECT_FALSE(st[1].degraded);
    EXPECT_TRUE(st[2].degraded);
    EXPECT_NE(st[2].reason.find("id block"), std::string::npos) << st[2].reason;
    EXPECT_TRUE((*db)->healthy());
    EXPECT_EQ(test::raw_int(dir_ / "r1.db", "SELECT next FROM client_id_blocks WHERE instance = 'gw1'"), 11);
}

} // namespace
} // namespace genesis::db
