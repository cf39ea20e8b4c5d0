#include "genesis/sim/sim_errors.hpp"

#include <gtest/gtest.h>

using namespace genesis;
using namespace genesis::sim;

namespace {

TEST(SimErrorsTest, binanceCodeAndMessageAreExact) {
    EXPECT_EQ(binance_code(sim_errc::insufficient_balance), -2010);
    EXPECT_EQ(binance_message(sim_errc::insufficient_balance),
              "Account has insufficient balance for requested action.");
    EXPECT_EQ(binance_code(sim_errc::duplicate_order), -2010);
    EXPECT_EQ(binance_message(sim_errc::duplicate_order), "Duplicate order sent.");
    EXPECT_EQ(binance_code(sim_errc::unknown_order), -2011);
    EXPECT_EQ(binance_message(sim_errc::unknown_order), "Unknown order sent.");
    EXPECT_EQ(binance_code(sim_errc::no_such_order), -2013);
    EXPECT_EQ(binance_message(sim_errc::no_such_order), "Order does not exist.");
    EXPECT_EQ(binance_code(sim_errc::filter_lot_size), -1013);
    EXPECT_EQ(binance_message(sim_errc::filter_lot_size), "Filter failure: LOT_SIZE");
    EXPECT_EQ(binance_code(sim_errc::ok), 0);
}

TEST(SimErrorsTest, fromRuleViolationNamesTheFilter) {
    EXPECT_EQ(from_rule_violation(rule_violation::price_off_tick), sim_errc::filter_price);
    EXPECT_EQ(from_rule_violation(rule_violation::missing_price), sim_errc::filter_price);
    EXPECT_EQ(from_rule_violation(rule_violation::quantity_off_step), sim_errc::filter_lot_size);
    EXPECT_EQ(from_rule_violation(rule_violation::notional_below_min), sim_errc::filter_notional);
}

TEST(SimErrorsTest, toBinanceErrorRendersAnyErrorCode) {
    const error_code ec = sim_errc::would_match_and_take;
    EXPECT_EQ(ec.category().name(), std::string("genesis.sim"));
    EXPECT_EQ(ec.message(), "Order would immediately match and take.");
    EXPECT_EQ(to_binance_error(ec), (binance_error{-2010, "Order would immediately match and take."}));
    const error_code other = make_error_code(core_errc::invalid_argument);
    EXPECT_EQ(to_binance_error(other),
              (binance_error{-1000, "An unknown error occurred while processing the request."}));
}

TEST(SimErrorsTest, everyValueHasACodeAndMessage) {
    for (int v = 1; v <= static_cast<int>(sim_errc::duplicate_account); ++v) {
        const auto e = static_cast<sim_errc>(v);
        EXPECT_LT(binance_code(e), 0) << v;
        EXPECT_FALSE(binance_message(e).empty()) << v;
    }
}

} // namespace
