#include "genesis/core/enums.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

using namespace genesis;

namespace {

template <class E>
void expect_round_trip(const std::vector<std::pair<E, std::string>>& table) {
    for (const auto& [value, name] : table) {
        EXPECT_EQ(to_string(value), name);
        auto parsed = parse_enum<E>(name);
        ASSERT_TRUE(parsed) << name;
        EXPECT_EQ(*parsed, value) << name;
        // Case and whitespace matter: the exchange's spelling is exact.
        std::string lower = name;
        for (auto& ch : lower)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        EXPECT_FALSE(parse_enum<E>(lower)) << lower;
        EXPECT_FALSE(parse_enum<E>(" " + name)) << name;
    }
    EXPECT_EQ(parse_enum<E>("").error(), core_errc::unknown_enum);
    EXPECT_EQ(parse_enum<E>("NOT_A_VALUE").error(), core_errc::unknown_enum);
}

} // namespace

TEST(EnumsTest, sideRoundTrip) { expect_round_trip<side>({{side::buy, "BUY"}, {side::sell, "SELL"}}); }

TEST(EnumsTest, orderTypeRoundTrip) {
    expect_round_trip<order_type>({
        {order_type::limit, "LIMIT"},
        {order_type::market, "MARKET"},
        {order_type::limit_maker, "LIMIT_MAKER"},
        {order_type::stop_loss, "STOP_LOSS"},
        {order_type::stop_loss_limit, "STOP_LOSS_LIMIT"},
        {order_type::take_profit, "TAKE_PROFIT"},
        {order_type::take_profit_limit, "TAKE_PROFIT_LIMIT"},
    });
}

TEST(EnumsTest, timeInForceRoundTrip) {
    expect_round_trip<time_in_force>(
        {{time_in_force::gtc, "GTC"}, {time_in_force::ioc, "IOC"}, {time_in_force::fok, "FOK"}});
}

TEST(EnumsTest, orderStatusRoundTrip) {
    expect_round_trip<order_status>({
        {order_status::pending_new, "PENDING_NEW"},
        {order_status::new_, "NEW"},
        {order_status::partially_filled, "PARTIALLY_FILLED"},
        {order_status::filled, "FILLED"},
        {order_status::canceled, "CANCELED"},
        {order_status::pending_cancel, "PENDING_CANCEL"},
        {order_status::rejected, "REJECTED"},
        {order_status::expired, "EXPIRED"},
        {order_status::expired_in_match, "EXPIRED_IN_MATCH"},
        {order_status::unknown, "UNKNOWN"},
    });
}

TEST(EnumsTest, executionTypeRoundTrip) {
    expect_round_trip<execution_type>({
        {execution_type::new_, "NEW"},
        {execution_type::canceled, "CANCELED"},
        {execution_type::replaced, "REPLACED"},
        {execution_type::rejected, "REJECTED"},
        {execution_type::trade, "TRADE"},
        {execution_type::expired, "EXPIRED"},
        {execution_type::trade_prevention, "TRADE_PREVENTION"},
        {execution_type::amendment, "AMENDMENT"},
    });
}

TEST(EnumsTest, finalStatuses) {
    EXPECT_TRUE(is_final(order_status::filled));
    EXPECT_TRUE(is_final(order_status::canceled));
    EXPECT_TRUE(is_final(order_status::rejected));
    EXPECT_TRUE(is_final(order_status::expired));
    EXPECT_TRUE(is_final(order_status::expired_in_match));
    EXPECT_FALSE(is_final(order_status::new_));
    EXPECT_FALSE(is_final(order_status::partially_filled));
    EXPECT_FALSE(is_final(order_status::pending_new));
    EXPECT_FALSE(is_final(order_status::pending_cancel));
    EXPECT_FALSE(is_final(order_status::unknown));
    EXPECT_EQ(opposite(side::buy), side::sell);
    EXPECT_TRUE(has_limit_price(order_type::limit_maker));
    EXPECT_FALSE(has_limit_price(order_type::market));
}
