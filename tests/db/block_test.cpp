#include "genesis/db/database.hpp"

#include "db_test_support.hpp"

#include <algorithm>
#include <thread>

namespace genesis::db {
namespace {

class BlockTest : public ::testing::Test {
protected:
    test::temp_dir dir_;

    db_config config(durability d = durability::full) const {
        db_config c;
        c.primary = dir_ / "primary.db";
        c.sync = d;
        return c;
    }
};

TEST_F(BlockTest, reserveBlockSurvivesReopen) {
    {
        auto db = database::open(config());
        ASSERT_TRUE(db);
        auto b = (*db)->reserve_block("gw-1", 100);
        ASSERT_TRUE(b);
        EXPECT_EQ(*b, (id_block{1, 101}));
    }
    // Committed before reserve_block returned: visible to anyone, even before the database closes.
    auto db = database::open(config());
    ASSERT_TRUE(db);
    auto b = (*db)->reserve_block("gw-1", 50);
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, (id_block{101, 151}));
    // Instances count independently.
    auto other = (*db)->reserve_block("gw-2", 10);
    ASSERT_TRUE(other);
    EXPECT_EQ(*other, (id_block{1, 11}));
    EXPECT_EQ(test::raw_int(dir_ / "primary.db", "SELECT next FROM client_id_blocks WHERE instance = 'gw-1'"), 151);
}

TEST_F(BlockTest, reserveBlockIsCommittedBeforeReturning) {
    auto db = database::open(config(durability::normal));
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->reserve_block("gw-1", 1000));
    // Another connection sees the row while the database is still open.
    EXPECT_EQ(test::raw_int(dir_ / "primary.db", "SELECT next FROM client_id_blocks WHERE instance = 'gw-1'"), 1001);
}

TEST_F(BlockTest, neverHandsOutTheSameRangeTwice) {
    auto db = database::open(config());
    ASSERT_TRUE(db);
    constexpr int threads = 3;
    constexpr int per_thread = 20;
    std::vector<std::vector<id_block>> got(threads);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                // Journal writes interleave with the reservations.
                (*db)->append_intent("gw-1", test::sample_intent("c"));
                auto b = (*db)->reserve_block("gw-1", static_cast<std::uint64_t>(1 + t));
                ASSERT_TRUE(b);
                got[static_cast<std::size_t>(t)].push_back(*b);
            }
        });
    for (auto& w : workers)
        w.join();
    std::vector<id_block> all;
    for (auto& v : got)
        all.insert(all.end(), v.begin(), v.end());
    std::sort(all.begin(), all.end(), [](const id_block& a, const id_block& b) { return a.first < b.first; });
    ASSERT_EQ(all.size(), static_cast<std::size_t>(threads * per_thread));
    EXPECT_EQ(all.front().first, 1u);
    for (std::size_t i = 1; i < all.size(); ++i)
        EXPECT_EQ(all[i].first, all[i - 1].end) << i; // contiguous, never overlapping

    // And again across a reopen.
    const auto end = all.back().end;
    db->reset();
    auto again = database::open(config());
    ASSERT_TRUE(again);
    auto b = (*again)->reserve_block("gw-1", 5);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->first, end);
}

TEST_F(BlockTest, reserveRejectsBadArguments) {
    auto db = database::open(config());
    ASSERT_TRUE(db);
    auto zero = (*db)->reserve_block("gw-1", 0);
    ASSERT_FALSE(zero);
    EXPECT_EQ(zero.error(), db_errc::invalid_argument);
    auto empty = (*db)->reserve_block("", 10);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error(), db_errc::invalid_argument);
    ASSERT_TRUE((*db)->reserve_block("gw-1", static_cast<std::uint64_t>(INT64_MAX) - 10));
    auto over = (*db)->reserve_block("gw-1", 100);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error(), db_errc::overflow);
    EXPECT_TRUE((*db)->healthy());
}

} // namespace
} // namespace genesis::db
