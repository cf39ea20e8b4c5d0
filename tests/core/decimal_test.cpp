#include "genesis/core/decimal.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace genesis;
using namespace genesis::literals;

namespace {

struct parse_case {
    std::string input;
    std::int64_t raw;      // expected raw value when ok
    std::string canonical; // expected to_string() when ok
    core_errc err;         // expected error, or ok
};

const std::vector<parse_case> parse_cases = {
    // Valid exchange strings.
    {"0.00000100", 100, "0.000001", core_errc::ok},
    {"67123.45000000", 6'712'345'000'000, "67123.45", core_errc::ok},
    {"1000000000", 100'000'000'000'000'000, "1000000000", core_errc::ok},
    {"-0.5", -50'000'000, "-0.5", core_errc::ok},
    {"0", 0, "0", core_errc::ok},
    {"-0", 0, "0", core_errc::ok},
    {"0.0", 0, "0", core_errc::ok},
    {"00012.3400", 1'234'000'000, "12.34", core_errc::ok},
    {"1", 100'000'000, "1", core_errc::ok},
    {"1.", 100'000'000, "1", core_errc::ok},
    {".5", 50'000'000, "0.5", core_errc::ok},
    {"-.25", -25'000'000, "-0.25", core_errc::ok},
    {"0.00000001", 1, "0.00000001", core_errc::ok},
    {"-0.00000001", -1, "-0.00000001", core_errc::ok},
    {"0.1000000000", 10'000'000, "0.1", core_errc::ok},
    {"0.123456780000", 12'345'678, "0.12345678", core_errc::ok},
    {"92233720368.54775807", INT64_MAX, "92233720368.54775807", core_errc::ok},
    {"-92233720368.54775807", -INT64_MAX, "-92233720368.54775807", core_errc::ok},
    {"92233720368", 9'223'372'036'800'000'000, "92233720368", core_errc::ok},
    {"100000.00000000", 10'000'000'000'000, "100000", core_errc::ok},
    {"0.01000000", 1'000'000, "0.01", core_errc::ok},
    {"3500.10", 350'010'000'000, "3500.1", core_errc::ok},
    {"0000000000000000000000001", 100'000'000, "1", core_errc::ok},
    {"9.99999999", 999'999'999, "9.99999999", core_errc::ok},
    // Malformed.
    {"", 0, "", core_errc::decimal_malformed},
    {".", 0, "", core_errc::decimal_malformed},
    {"-", 0, "", core_errc::decimal_malformed},
    {"-.", 0, "", core_errc::decimal_malformed},
    {"1.2.3", 0, "", core_errc::decimal_malformed},
    {"12a", 0, "", core_errc::decimal_malformed},
    {"a12", 0, "", core_errc::decimal_malformed},
    {"--1", 0, "", core_errc::decimal_malformed},
    {"+1", 0, "", core_errc::decimal_malformed},
    {"1e5", 0, "", core_errc::decimal_malformed},
    {"1E5", 0, "", core_errc::decimal_malformed},
    {" 1", 0, "", core_errc::decimal_malformed},
    {"1 ", 0, "", core_errc::decimal_malformed},
    {"1,5", 0, "", core_errc::decimal_malformed},
    {"0x10", 0, "", core_errc::decimal_malformed},
    {"1-", 0, "", core_errc::decimal_malformed},
    {"nan", 0, "", core_errc::decimal_malformed},
    {"inf", 0, "", core_errc::decimal_malformed},
    {"1..", 0, "", core_errc::decimal_malformed},
    {std::string("1\0"
                 "2",
                 3),
     0, "", core_errc::decimal_malformed},
    // Out of range or too precise.
    {"92233720368.54775808", 0, "", core_errc::decimal_overflow},
    {"92233720369", 0, "", core_errc::decimal_overflow},
    {"-92233720368.54775808", 0, "", core_errc::decimal_overflow},
    {"100000000000", 0, "", core_errc::decimal_overflow},
    {"99999999999999999999999999", 0, "", core_errc::decimal_overflow},
    {"0.000000001", 0, "", core_errc::decimal_precision},
    {"1.123456789", 0, "", core_errc::decimal_precision},
    {"0.0000000010", 0, "", core_errc::decimal_precision},
};

} // namespace

class DecimalTest : public ::testing::TestWithParam<parse_case> {};

TEST_P(DecimalTest, parseTable) {
    const auto& c = GetParam();
    auto r = decimal::parse(c.input);
    if (c.err == core_errc::ok) {
        ASSERT_TRUE(r) << "input '" << c.input << "': " << r.error().message();
        EXPECT_EQ(r->raw(), c.raw) << c.input;
        EXPECT_EQ(r->to_string(), c.canonical) << c.input;
        // The canonical text parses back to the same value.
        auto back = decimal::parse(r->to_string());
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, *r);
    } else {
        ASSERT_FALSE(r) << "input '" << c.input << "' parsed as " << r->to_string();
        EXPECT_EQ(r.error(), c.err) << c.input;
    }
}

INSTANTIATE_TEST_SUITE_P(Strings, DecimalTest, ::testing::ValuesIn(parse_cases));

TEST(DecimalArithmeticTest, addSubCompare) {
    EXPECT_EQ(*"0.1"_d.add("0.2"_d), "0.3"_d);
    EXPECT_EQ(*"1"_d.sub("1.00000001"_d), "-0.00000001"_d);
    EXPECT_LT("-1"_d, "0"_d);
    EXPECT_GT("67123.45"_d, "67123.44999999"_d);
    EXPECT_EQ(-"5"_d, "-5"_d);
    EXPECT_EQ("-5"_d.abs(), "5"_d);
    EXPECT_EQ(decimal::max().add("0.00000001"_d).error(), core_errc::decimal_overflow);
    EXPECT_EQ(decimal::lowest().sub("0.00000001"_d).error(), core_errc::decimal_overflow);
    EXPECT_EQ(*decimal::max().sub(decimal::max()), "0"_d);
}

TEST(DecimalArithmeticTest, multiplyUses128BitIntermediate) {
    // 67123.45 x 2.5 = 167808.625
    EXPECT_EQ(*"67123.45"_d.mul("2.5"_d), "167808.625"_d);
    // raw product 6.7e12 * 1e17 would overflow int64 long before scaling back.
    EXPECT_EQ(*"67123.45"_d.mul("1000000"_d), "67123450000"_d);
    EXPECT_EQ(*"0.00000001"_d.mul("0.5"_d, rounding::down), "0"_d);
    EXPECT_EQ(*"0.00000001"_d.mul("0.5"_d, rounding::up), "0.00000001"_d);
    EXPECT_EQ(*"0.00000001"_d.mul("0.5"_d, rounding::nearest), "0.00000001"_d);
    EXPECT_EQ(*"-0.00000001"_d.mul("0.5"_d, rounding::down), "-0.00000001"_d);
    EXPECT_EQ(*"-0.00000001"_d.mul("0.5"_d, rounding::up), "0"_d);
    EXPECT_EQ(*"-0.00000001"_d.mul("0.5"_d, rounding::nearest), "-0.00000001"_d);
    EXPECT_EQ(*"-3"_d.mul("-4"_d), "12"_d);
    EXPECT_EQ("100000"_d.mul("1000000"_d).error(), core_errc::decimal_overflow);
}

TEST(DecimalArithmeticTest, divide) {
    EXPECT_EQ(*"1"_d.div("3"_d, rounding::down), "0.33333333"_d);
    EXPECT_EQ(*"1"_d.div("3"_d, rounding::up), "0.33333334"_d);
    EXPECT_EQ(*"2"_d.div("3"_d, rounding::nearest), "0.66666667"_d);
    EXPECT_EQ(*"-1"_d.div("3"_d, rounding::down), "-0.33333334"_d);
    EXPECT_EQ(*"10"_d.div("4"_d), "2.5"_d);
    EXPECT_EQ("1"_d.div("0"_d).error(), core_errc::division_by_zero);
    EXPECT_EQ("1000000000"_d.div("0.00000001"_d).error(), core_errc::decimal_overflow);
}

struct round_case {
    const char* value;
    const char* increment;
    const char* down;
    const char* up;
    const char* nearest;
};

TEST(DecimalRoundingTest, roundToTickAndStepBoundaries) {
    const std::vector<round_case> cases = {
        {"1.005", "0.01", "1", "1.01", "1.01"}, // exact half rounds away from zero
        {"1.004", "0.01", "1", "1.01", "1"},
        {"1.00999999", "0.01", "1", "1.01", "1.01"},
        {"1.01", "0.01", "1.01", "1.01", "1.01"}, // already on the grid: unchanged
        {"67123.456", "0.1", "67123.4", "67123.5", "67123.5"},
        {"0.00123456", "0.001", "0.001", "0.002", "0.001"},
        {"-1.005", "0.01", "-1.01", "-1", "-1.01"},
        {"0.00000001", "0.00000001", "0.00000001", "0.00000001", "0.00000001"},
        {"7", "5", "5", "10", "5"},
        {"7.5", "5", "5", "10", "10"},
        {"0", "0.1", "0", "0", "0"},
        {"0.04", "0.1", "0", "0.1", "0"},
        {"0.05", "0.1", "0", "0.1", "0.1"},
    };
    for (const auto& c : cases) {
        const auto v = *decimal::parse(c.value);
        const auto inc = *decimal::parse(c.increment);
        EXPECT_EQ(v.round_to(inc, rounding::down)->to_string(), c.down) << c.value << " / " << c.increment;
        EXPECT_EQ(v.round_to(inc, rounding::up)->to_string(), c.up) << c.value << " / " << c.increment;
        EXPECT_EQ(v.round_to(inc, rounding::nearest)->to_string(), c.nearest) << c.value << " / " << c.increment;
    }
    EXPECT_EQ("1"_d.round_to("0"_d, rounding::down).error(), core_errc::invalid_argument);
    EXPECT_EQ("1"_d.round_to("-0.1"_d, rounding::down).error(), core_errc::invalid_argument);
    EXPECT_EQ(decimal::max().round_to("1"_d, rounding::up).error(), core_errc::decimal_overflow);
    EXPECT_TRUE("1.01"_d.is_multiple_of("0.01"_d));
    EXPECT_FALSE("1.015"_d.is_multiple_of("0.01"_d));
    EXPECT_FALSE("1"_d.is_multiple_of("0"_d));
}

TEST(DecimalFormatTest, fixedDigitsAsBinancePrints) {
    EXPECT_EQ("1.5"_d.to_string_fixed(), "1.50000000");
    EXPECT_EQ("1.5"_d.to_string_fixed(2), "1.50");
    EXPECT_EQ("-0.00000001"_d.to_string_fixed(), "-0.00000001");
    EXPECT_EQ("100"_d.to_string_fixed(0), "100");
    EXPECT_EQ(decimal::lowest().to_string(), "-92233720368.54775807");
    char buf[24];
    const auto n = "67123.45"_d.format_to(buf);
    EXPECT_EQ(std::string(buf, n), "67123.45");
    EXPECT_EQ(*decimal::from_int(-42), "-42"_d);
    EXPECT_EQ(decimal::from_int(INT64_MAX).error(), core_errc::decimal_overflow);
}
