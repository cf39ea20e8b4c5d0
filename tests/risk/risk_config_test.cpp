#include "genesis/gateway/risk/risk_config.hpp"

#include "genesis/config/loader.hpp"
#include "genesis/config/reader.hpp"
#include "genesis/gateway/risk/balance_monitor.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace {

using namespace genesis;
using namespace genesis::literals;
namespace cfg = genesis::config;
namespace risk = genesis::gateway::risk;

std::vector<std::string> lines(const std::vector<cfg::diagnostic>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds)
        out.push_back(d.str());
    return out;
}

class RiskConfigTest : public ::testing::Test {
protected:
    risk::risk_config risk_;
    risk::balance_config balances_;
    cfg::loader loader_{[](std::string_view) -> std::optional<std::string> { return std::nullopt; }};

    void SetUp() override {
        loader_.section("risk", [this](cfg::table_reader& r) { risk::parse_risk_section(r, risk_); });
        loader_.section("balances", [this](cfg::table_reader& r) { risk::parse_balances_section(r, balances_); });
    }
};

TEST_F(RiskConfigTest, parseEmptyGivesDocumentedDefaults) {
    const auto errors = loader_.parse("", "gw.toml");
    ASSERT_TRUE(errors.empty()) << cfg::to_string(errors);
    EXPECT_EQ(risk_.max_open_orders, 50);
    EXPECT_EQ(risk_.max_orders_per_second, 10);
    EXPECT_EQ(risk_.max_orders_per_minute, 0);
    EXPECT_TRUE(risk_.self_cross_prevention);
    EXPECT_EQ(risk_.defaults.max_order_qty, risk::unlimited);
    EXPECT_EQ(risk_.defaults.max_order_notional, "10000"_d);
    EXPECT_EQ(risk_.defaults.max_position, risk::unlimited);
    EXPECT_EQ(risk_.defaults.price_band_bps, 500);
    EXPECT_TRUE(risk_.symbols.empty());
    EXPECT_TRUE(balances_.alert_below.empty());
}

TEST_F(RiskConfigTest, parseFullTableWithOverrides) {
    const auto errors = loader_.parse(R"([risk]
max_open_orders = 20
max_orders_per_second = 5
max_orders_per_minute = 100
self_cross_prevention = false
price_band_bps = 250
max_order_qty = "100"
max_order_notional = "5000.5"
max_position = "unlimited"
[risk.symbols.BTCUSDT]
max_order_qty = "0.5"
max_position = "2"
[risk.symbols.ETHUSDT]
price_band_bps = 0
[balances]
alert_below = { USDT = "1000", BTC = "0.01" }
)",
                                      "gw.toml");
    ASSERT_TRUE(errors.empty()) << cfg::to_string(errors);
    EXPECT_EQ(risk_.max_open_orders, 20);
    EXPECT_EQ(risk_.max_orders_per_second, 5);
    EXPECT_EQ(risk_.max_orders_per_minute, 100);
    EXPECT_FALSE(risk_.self_cross_prevention);
    EXPECT_EQ(risk_.defaults, (risk::symbol_limits{"100"_d, "5000.5"_d, risk::unlimited, 250}));
    ASSERT_EQ(risk_.symbols.size(), 2u);
    // Absent keys of an override take the [risk] values.
    EXPECT_EQ(risk_.limits_for(symbol::truncating("BTCUSDT")), (risk::symbol_limits{"0.5"_d, "5000.5"_d, "2"_d, 250}));
    EXPECT_EQ(risk_.limits_for(symbol::truncating("ETHUSDT")),
              (risk::symbol_limits{"100"_d, "5000.5"_d, risk::unlimited, 0}));
    EXPECT_EQ(risk_.limits_for(symbol::truncating("SOLUSDT")), risk_.defaults);
    ASSERT_EQ(balances_.alert_below.size(), 2u);
    EXPECT_EQ(balances_.alert_below.at(asset::truncating("USDT")), "1000"_d);
    EXPECT_EQ(balances_.alert_below.at(asset::truncating("BTC")), "0.01"_d);
}

TEST_F(RiskConfigTest, parseBadDecimalNamesKeyAndLine) {
    const auto errors = loader_.parse(R"([risk]
max_open_orders = 20
max_order_notional = "12,000"
)",
                                      "gw.toml");
    ASSERT_EQ(errors.size(), 1u) << cfg::to_string(errors);
    EXPECT_EQ(errors[0].key, "risk.max_order_notional");
    EXPECT_EQ(errors[0].line, 3u);
    EXPECT_EQ(errors[0].file, "gw.toml");
    EXPECT_NE(errors[0].message.find("positive decimal string"), std::string::npos) << errors[0].message;
    // The bad value keeps the default.
    EXPECT_EQ(risk_.defaults.max_order_notional, "10000"_d);
}

TEST_F(RiskConfigTest, parseReportsEveryError) {
    const auto errors = loader_.parse(R"([risk]
max_order_qty = 5
max_position = "-1"
price_band_bps = 20000
max_orders_per_second = 0
max_notional = "5"
[risk.symbols.BTCUSDT]
max_order_qty = "0.000000001"
max_qty = "1"
[balances]
alert_below = { USDT = 1000.5, BTC = "x" }
)",
                                      "gw.toml");
    const auto got = lines(errors);
    ASSERT_EQ(got.size(), 9u) << cfg::to_string(errors);
    const auto has = [&](std::string_view needle) {
        for (const auto& l : got)
            if (l.find(needle) != std::string::npos)
                return true;
        return false;
    };
    EXPECT_TRUE(has("gw.toml:2:17: risk.max_order_qty: expected a string")) << cfg::to_string(errors);
    EXPECT_TRUE(has("gw.toml:3:16: risk.max_position: expected a positive decimal string")) << cfg::to_string(errors);
    EXPECT_TRUE(has("gw.toml:4:18: risk.price_band_bps:")) << cfg::to_string(errors);
    EXPECT_TRUE(has("gw.toml:5:25: risk.max_orders_per_second:")) << cfg::to_string(errors);
    EXPECT_TRUE(has("unknown key 'risk.max_notional'")) << cfg::to_string(errors);
    EXPECT_TRUE(has("gw.toml:8:17: risk.symbols.BTCUSDT.max_order_qty: expected a positive decimal"))
        << cfg::to_string(errors);
    EXPECT_TRUE(has("unknown key 'risk.symbols.BTCUSDT.max_qty'")) << cfg::to_string(errors);
    EXPECT_TRUE(has("balances.alert_below.USDT: expected a string")) << cfg::to_string(errors);
    EXPECT_TRUE(has("balances.alert_below.BTC: expected a non-negative decimal string")) << cfg::to_string(errors);
}

TEST_F(RiskConfigTest, parseBalancesRejectsBadDecimal) {
    const auto errors = loader_.parse("[balances]\nalert_below = { BTC = \"0.0x\" }\n", "gw.toml");
    ASSERT_EQ(errors.size(), 1u) << cfg::to_string(errors);
    EXPECT_EQ(errors[0].key, "balances.alert_below.BTC");
    EXPECT_EQ(errors[0].line, 2u);
    EXPECT_TRUE(balances_.alert_below.empty());
}

} // namespace
