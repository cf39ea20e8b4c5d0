#include "genesis/core/instrument.hpp"

#include "genesis/core/events.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

using namespace genesis;
using namespace genesis::literals;

namespace {

// BTCUSDT-like rules, as exchange info gives them.
instrument btcusdt() {
    instrument i;
    i.name = symbol::truncating("BTCUSDT");
    i.base = asset::truncating("BTC");
    i.quote = asset::truncating("USDT");
    i.tick_size = "0.01"_d;
    i.min_price = "0.01"_d;
    i.max_price = "1000000"_d;
    i.step_size = "0.00001"_d;
    i.min_qty = "0.00001"_d;
    i.max_qty = "9000"_d;
    i.min_notional = "5"_d;
    i.max_notional = "9000000"_d;
    return i;
}

struct validate_case {
    const char* name;
    order_type type;
    std::optional<decimal> price;
    decimal qty;
    std::optional<decimal> reference;
    std::optional<rule_violation> expected;
};

} // namespace

namespace genesis {
// Readable failures: name the violation instead of its bytes.
void PrintTo(rule_violation v, std::ostream* os) { *os << describe(v); }
} // namespace genesis

class InstrumentTest : public ::testing::Test {
protected:
    instrument inst_ = btcusdt();
};

TEST_F(InstrumentTest, validateTable) {
    const std::vector<validate_case> cases = {
        {"valid limit", order_type::limit, "67123.45"_d, "0.001"_d, {}, std::nullopt},
        {"zero qty", order_type::limit, "67123.45"_d, "0"_d, {}, rule_violation::non_positive_quantity},
        {"negative qty", order_type::limit, "67123.45"_d, "-1"_d, {}, rule_violation::non_positive_quantity},
        {"limit without price", order_type::limit, std::nullopt, "0.001"_d, {}, rule_violation::missing_price},
        {"zero price", order_type::limit, "0"_d, "0.001"_d, {}, rule_violation::non_positive_price},
        {"price below min", order_type::limit, "0.001"_d, "1"_d, {}, rule_violation::price_below_min},
        {"price above max", order_type::limit, "1000000.01"_d, "0.001"_d, {}, rule_violation::price_above_max},
        {"price off tick", order_type::limit, "67123.455"_d, "0.001"_d, {}, rule_violation::price_off_tick},
        {"qty below min", order_type::limit, "67123.45"_d, "0.000001"_d, {}, rule_violation::quantity_below_min},
        {"qty above max", order_type::limit, "1"_d, "9000.00001"_d, {}, rule_violation::quantity_above_max},
        {"qty off step", order_type::limit, "67123.45"_d, "0.000015"_d, {}, rule_violation::quantity_off_step},
        {"notional below min", order_type::limit, "100"_d, "0.04999"_d, {}, rule_violation::notional_below_min},
        {"notional at min", order_type::limit, "100"_d, "0.05"_d, {}, std::nullopt},
        {"notional above max", order_type::limit, "1000000"_d, "9.00001"_d, {}, rule_violation::notional_above_max},
        {"limit maker checks price", order_type::limit_maker, "1.001"_d, "10"_d, {}, rule_violation::price_off_tick},
        {"market ignores price", order_type::market, std::nullopt, "0.001"_d, {}, std::nullopt},
        {"market notional via reference", order_type::market, std::nullopt, "0.00001"_d, "67123.45"_d,
         rule_violation::notional_below_min},
        {"market qty off step", order_type::market, std::nullopt, "0.000011"_d, {}, rule_violation::quantity_off_step},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(inst_.validate(c.type, c.price, c.qty, c.reference), c.expected) << c.name;
    }
}

TEST_F(InstrumentTest, noBoundsWhenZero) {
    instrument loose;
    EXPECT_EQ(loose.validate(order_type::limit, "1.23456789"_d, "0.00000001"_d), std::nullopt);
    EXPECT_EQ(*loose.round_price("1.23456789"_d, rounding::down), "1.23456789"_d);
    EXPECT_EQ(*loose.round_quantity("1.23456789"_d, rounding::down), "1.23456789"_d);
}

TEST_F(InstrumentTest, roundToTickAndStep) {
    EXPECT_EQ(*inst_.round_price("67123.456"_d, rounding::down), "67123.45"_d);
    EXPECT_EQ(*inst_.round_price("67123.451"_d, rounding::up), "67123.46"_d);
    EXPECT_EQ(*inst_.round_price("67123.455"_d, rounding::nearest), "67123.46"_d);
    EXPECT_EQ(*inst_.round_quantity("0.123456"_d, rounding::down), "0.12345"_d);
    // A rounded value passes validation.
    const auto p = *inst_.round_price("67123.4567"_d, rounding::down);
    const auto q = *inst_.round_quantity("0.0012345"_d, rounding::down);
    EXPECT_EQ(inst_.validate(order_type::limit, p, q), std::nullopt);
}

TEST_F(InstrumentTest, violationsNameBinanceFilters) {
    EXPECT_EQ(filter_name(rule_violation::price_off_tick), "PRICE_FILTER");
    EXPECT_EQ(filter_name(rule_violation::quantity_off_step), "LOT_SIZE");
    EXPECT_EQ(filter_name(rule_violation::notional_below_min), "NOTIONAL");
    EXPECT_EQ(describe(rule_violation::price_off_tick), "price is not a multiple of the tick size");
}

TEST(FixedStringTest, makeRejectsTooLongAndNeverTruncatesSilently) {
    auto ok = symbol::make("BTCUSDT");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->view(), "BTCUSDT");
    EXPECT_EQ(ok->size(), 7u);
    EXPECT_FALSE(client_order_id::make(std::string(37, 'x')));
    EXPECT_TRUE(client_order_id::make(std::string(36, 'x')));
    EXPECT_EQ(*symbol::make("ETHUSDT"), symbol::truncating("ETHUSDT"));
    EXPECT_LT(*symbol::make("BTCUSDT"), *symbol::make("ETHUSDT"));
    EXPECT_TRUE(asset().empty());
}
