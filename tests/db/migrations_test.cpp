#include "genesis/db/migrations.hpp"

#include "db_test_support.hpp"
#include "genesis/db/error.hpp"

namespace genesis::db {
namespace {

using test::raw_exec;
using test::raw_int;

class MigrationsTest : public ::testing::Test {
protected:
    test::temp_dir dir_;

    db_config config() const {
        db_config c;
        c.primary = dir_ / "primary.db";
        return c;
    }
};

TEST_F(MigrationsTest, listIsOrderedFromOne) {
    auto all = migrations();
    ASSERT_FALSE(all.empty());
    for (std::size_t i = 0; i < all.size(); ++i)
        EXPECT_EQ(all[i].version, i + 1);
    EXPECT_EQ(latest_schema_version(), all.back().version);
}

TEST_F(MigrationsTest, openFreshDatabaseAppliesEveryMigration) {
    auto db = database::open(config());
    ASSERT_TRUE(db) << db.error().message();
    EXPECT_EQ((*db)->schema_version(), latest_schema_version());
    EXPECT_TRUE((*db)->healthy());
    db->reset();
    const auto file = dir_ / "primary.db";
    EXPECT_EQ(raw_int(file, "SELECT MAX(version) FROM schema_version"), latest_schema_version());
    EXPECT_EQ(raw_int(file, "SELECT COUNT(*) FROM schema_version"), static_cast<std::int64_t>(migrations().size()));
    // WAL is persistent in the file header: a later connection sees it.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &raw), SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &s, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "wal");
    sqlite3_finalize(s);
    sqlite3_close(raw);
}

TEST_F(MigrationsTest, reopenKeepsVersionAndData) {
    {
        auto db = database::open(config());
        ASSERT_TRUE(db);
        (*db)->append_intent("gw-1", test::sample_intent("c-1"));
        ASSERT_TRUE((*db)->flush());
    }
    auto db = database::open(config());
    ASSERT_TRUE(db);
    EXPECT_EQ((*db)->schema_version(), latest_schema_version());
    EXPECT_EQ(raw_int(dir_ / "primary.db", "SELECT COUNT(*) FROM schema_version"),
              static_cast<std::int64_t>(migrations().size()));
    auto rows = (*db)->replay(0);
    ASSERT_TRUE(rows);
    EXPECT_EQ(rows->size(), 1u);
    // The journal sequence continues after a reopen.
    auto [done, fut] = make_completion<std::uint64_t>();
    (*db)->append_intent("gw-1", test::sample_intent("c-2"), std::move(done));
    auto seq = fut.get();
    ASSERT_TRUE(seq);
    EXPECT_EQ(*seq, 2u);
}

TEST_F(MigrationsTest, olderFileIsUpgradedInOrder) {
    // A file at version 1, as an older build left it.
    const auto file = dir_ / "primary.db";
    raw_exec(file, "CREATE TABLE schema_version(version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                   "applied_ns INTEGER NOT NULL);" +
                       std::string(migrations()[0].sql) + "INSERT INTO schema_version VALUES(1, 'v1', 0);");
    auto db = database::open(config());
    ASSERT_TRUE(db) << db.error().message();
    EXPECT_EQ((*db)->schema_version(), latest_schema_version());
    db->reset();
    EXPECT_EQ(raw_int(file, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'component_snapshots'"), 1);
    EXPECT_EQ(raw_int(file, "SELECT applied_ns FROM schema_version WHERE version = 1"), 0);
}

TEST_F(MigrationsTest, newerVersionIsRefusedWithClearError) {
    {
        auto db = database::open(config());
        ASSERT_TRUE(db);
    }
    const auto file = dir_ / "primary.db";
    raw_exec(file, "INSERT INTO schema_version VALUES(999, 'from the future', 0)");
    std::string why;
    auto db = database::open(config(), &why);
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error(), db_errc::schema_too_new);
    EXPECT_EQ(db.error().category().name(), std::string("genesis.db"));
    EXPECT_NE(why.find("999"), std::string::npos) << why;
    EXPECT_NE(why.find("primary.db"), std::string::npos) << why;
    // The refused file is untouched.
    EXPECT_EQ(raw_int(file, "SELECT MAX(version) FROM schema_version"), 999);
}

TEST_F(MigrationsTest, newerReplicaIsDegradedNotFatal) {
    auto cfg = config();
    cfg.replicas = {dir_ / "r1.db"};
    {
        auto db = database::open(cfg);
        ASSERT_TRUE(db);
    }
    raw_exec(dir_ / "r1.db", "INSERT INTO schema_version VALUES(999, 'from the future', 0)");
    auto db = database::open(cfg);
    ASSERT_TRUE(db);
    auto st = (*db)->replicas();
    ASSERT_EQ(st.size(), 2u);
    EXPECT_FALSE(st[0].degraded);
    EXPECT_TRUE(st[1].degraded);
    EXPECT_NE(st[1].reason.find("newer"), std::string::npos) << st[1].reason;
}

TEST_F(MigrationsTest, openRejectsDuplicateAndUnopenablePrimary) {
    auto cfg = config();
    cfg.replicas = {cfg.primary};
    auto dup = database::open(cfg);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error(), db_errc::invalid_argument);

    db_config bad;
    bad.primary = dir_ / "no-such-dir" / "primary.db";
    std::string why;
    auto db = database::open(bad, &why);
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error(), db_errc::open_failed);
    EXPECT_TRUE(is_storage_failure(db.error()));
    EXPECT_FALSE(why.empty());
}

TEST_F(MigrationsTest, errorCategoryNamesEveryValue) {
    EXPECT_STREQ(db_category().name(), "genesis.db");
    for (int v = 1; v <= static_cast<int>(db_errc::overflow); ++v)
        EXPECT_NE(db_category().message(v), "unknown genesis.db error") << v;
    EXPECT_FALSE(is_storage_failure(make_error_code(db_errc::constraint)));
    EXPECT_TRUE(is_storage_failure(make_error_code(db_errc::storage_full)));
}

} // namespace
} // namespace genesis::db
