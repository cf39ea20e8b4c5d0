#include "genesis/config/positions.hpp"

#include <gtest/gtest.h>

namespace {

namespace cfg = genesis::config;
using pos = cfg::source_position;

class KeyPositionsTest : public ::testing::Test {
protected:
    cfg::key_positions at_;

    void SetUp() override {
        at_.add("venue", {3, 1});
        at_.add("venue.symbols", {5, 11});
        at_.add("venue.symbols[0]", {5, 12});
        at_.add("threads.io", {9, 6});
        at_.add("threads.io[1]", {9, 10});
    }
};

TEST_F(KeyPositionsTest, findTakesTheKeyThenItsNearestTable) {
    EXPECT_EQ(at_.find("venue.symbols"), (pos{5, 11}));
    EXPECT_EQ(at_.find("venue.api_key"), (pos{3, 1}));
    EXPECT_EQ(at_.find("venue.symbols[3]"), (pos{5, 11})); // an element past the end: its array
    EXPECT_EQ(at_.find("threads.io[1]"), (pos{9, 10}));
    // "threads" itself was never recorded: nothing of threads.log's table is in the file.
    EXPECT_FALSE(at_.find("threads.log"));
    EXPECT_FALSE(at_.find("paper.balances"));
    EXPECT_FALSE(at_.find(""));
    EXPECT_FALSE(at_.exact("venue.api_key"));
}

TEST_F(KeyPositionsTest, whereRendersFileLineColumnAndKey) {
    EXPECT_EQ(at_.where("gw.toml", "venue.symbols"), "gw.toml:5:11: venue.symbols");
    EXPECT_EQ(at_.where("gw.toml", "venue.api_key"), "gw.toml:3:1: venue.api_key");
    EXPECT_EQ(at_.where("gw.toml", "paper.balances"), "gw.toml: paper.balances");
    EXPECT_EQ(at_.where("gw.toml", "venue.api_secret", "venue.api_key / venue.api_secret"),
              "gw.toml:3:1: venue.api_key / venue.api_secret");
}

TEST_F(KeyPositionsTest, addKeepsTheFirstPosition) {
    at_.add("venue", {40, 1});
    EXPECT_EQ(at_.exact("venue"), (pos{3, 1}));
    EXPECT_EQ(at_.size(), 5u);
    at_.clear();
    EXPECT_TRUE(at_.empty());
    EXPECT_EQ(at_.where("gw.toml", "venue"), "gw.toml: venue");
}

} // namespace
