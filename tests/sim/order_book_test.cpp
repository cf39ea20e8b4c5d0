#include "genesis/sim/order_book.hpp"

#include <gtest/gtest.h>

using namespace genesis;
using namespace genesis::sim;
using namespace genesis::literals;

namespace {

class OrderBookTest : public ::testing::Test {
protected:
    order_book book_;
    const decimal step_ = "0.00001"_d;

    void add(std::uint64_t id, side s, decimal px, decimal qty) { book_.add({id, 1, s, px, qty}); }
};

TEST_F(OrderBookTest, addAggregatesLevelsAndCountsUpdates) {
    add(1, side::buy, "100"_d, "1"_d);
    add(2, side::buy, "100"_d, "2"_d);
    add(3, side::buy, "101"_d, "1"_d);
    add(4, side::sell, "102"_d, "5"_d);
    EXPECT_EQ(book_.update_id(), 4u);
    EXPECT_EQ(book_.best_bid(), (book_level{"101"_d, "1"_d}));
    EXPECT_EQ(book_.best_ask(), (book_level{"102"_d, "5"_d}));
    book_snapshot s;
    book_.snapshot(0, s);
    EXPECT_EQ(s.bids, (std::vector<book_level>{{"101"_d, "1"_d}, {"100"_d, "3"_d}}));
    EXPECT_EQ(s.last_update_id, 4u);
    book_.snapshot(1, s);
    EXPECT_EQ(s.bids.size(), 1u);
    EXPECT_EQ(book_.order_count(), 4u);
}

TEST_F(OrderBookTest, removeDropsEmptyLevel) {
    add(1, side::sell, "102"_d, "5"_d);
    auto removed = book_.remove(1);
    ASSERT_TRUE(removed);
    EXPECT_EQ(removed->remaining, "5"_d);
    EXPECT_FALSE(book_.best_ask());
    EXPECT_FALSE(book_.remove(1));
    EXPECT_EQ(book_.find(1), nullptr);
    EXPECT_EQ(book_.update_id(), 2u);
}

TEST_F(OrderBookTest, matchFollowsPriceThenTime) {
    add(1, side::sell, "101"_d, "1"_d);
    add(2, side::sell, "100"_d, "1"_d);
    add(3, side::sell, "100"_d, "1"_d);
    match_limits lim{"101"_d, "2.5"_d, std::nullopt, step_};
    const auto est = book_.estimate(side::buy, lim);
    EXPECT_EQ(est.qty, "2.5"_d);
    EXPECT_EQ(est.quote, "250.5"_d);
    const auto m = book_.match(side::buy, lim);
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m[0].maker_order_id, 2u);
    EXPECT_EQ(m[1].maker_order_id, 3u);
    EXPECT_EQ(m[2].maker_order_id, 1u);
    EXPECT_TRUE(m[0].maker_done);
    EXPECT_FALSE(m[2].maker_done);
    EXPECT_EQ(m[2].qty, "0.5"_d);
    EXPECT_EQ(book_.find(1)->remaining, "0.5"_d);
    EXPECT_EQ(book_.best_ask(), (book_level{"101"_d, "0.5"_d}));
}

TEST_F(OrderBookTest, matchStopsAtLimitPrice) {
    add(1, side::buy, "100"_d, "1"_d);
    add(2, side::buy, "99"_d, "1"_d);
    const auto m = book_.match(side::sell, {"99.5"_d, "5"_d, std::nullopt, step_});
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].price, "100"_d);
    EXPECT_TRUE(book_.would_cross(side::sell, "99"_d));
    EXPECT_FALSE(book_.would_cross(side::sell, "99.01"_d));
    EXPECT_FALSE(book_.would_cross(side::buy, "1000"_d));
}

TEST_F(OrderBookTest, matchWithQuoteBudgetRoundsToStep) {
    add(1, side::sell, "60000"_d, "1"_d);
    const auto m = book_.match(side::buy, {std::nullopt, std::nullopt, "100"_d, step_});
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].qty, "0.00166"_d);
    EXPECT_EQ(m[0].quote, "99.6"_d);
}

TEST_F(OrderBookTest, takeDeltaChainsAndReportsNetLevels) {
    add(1, side::buy, "100"_d, "1"_d);
    add(2, side::buy, "100"_d, "1"_d);
    auto d1 = book_.take_delta();
    ASSERT_TRUE(d1);
    EXPECT_EQ(d1->first_update_id, 1u);
    EXPECT_EQ(d1->last_update_id, 2u);
    EXPECT_EQ(d1->bids, (std::vector<book_level>{{"100"_d, "2"_d}}));
    EXPECT_FALSE(book_.take_delta());
    (void)book_.remove(1);
    (void)book_.remove(2);
    add(3, side::sell, "101"_d, "1"_d);
    auto d2 = book_.take_delta();
    ASSERT_TRUE(d2);
    EXPECT_EQ(d2->first_update_id, 3u);
    EXPECT_EQ(d2->last_update_id, 5u);
    EXPECT_EQ(d2->bids, (std::vector<book_level>{{"100"_d, "0"_d}}));
    EXPECT_EQ(d2->asks, (std::vector<book_level>{{"101"_d, "1"_d}}));
}

} // namespace
