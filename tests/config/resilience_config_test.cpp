#include "genesis/config/resilience_config.hpp"

#include "genesis/config/gateway_config.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace {

namespace cfg = genesis::config;
using namespace std::chrono_literals;

cfg::loaded<cfg::gateway_config> parse(std::string_view text) {
    return cfg::parse_gateway_config(text, "gw.toml", [](std::string_view) { return std::nullopt; });
}

std::vector<std::string> lines(const std::vector<cfg::diagnostic>& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds)
        out.push_back(d.str());
    return out;
}

} // namespace

TEST(ResilienceConfigTest, parseEmptyKeepsDesignDefaults) {
    const auto r = parse("");
    ASSERT_TRUE(r.ok()) << cfg::to_string(r.errors);
    const auto& b = r.value.resilience.breaker_defaults;
    EXPECT_EQ(b.failure_threshold, 2u);
    EXPECT_EQ(b.recovery_timeout, 300ms);
    EXPECT_FALSE(b.is_essential);
    EXPECT_EQ(b.eternal_timeout, 200ms);
    EXPECT_EQ(r.value.resilience.predictor.window, 100u);
    EXPECT_DOUBLE_EQ(r.value.resilience.executor.budget.ratio, 0.1);
    EXPECT_EQ(r.value.resilience.processor.batch_size, 100u);
    // An unnamed breaker gets the defaults.
    EXPECT_EQ(r.value.resilience.breaker("binance.rest").failure_threshold, 2u);
}

TEST(ResilienceConfigTest, parseDefaultsAndNamedOverrides) {
    const auto r = parse(R"(
[resilience.breaker]
failure_threshold = 3
recovery_timeout_ms = 500

[resilience.breakers."binance.user_data"]
is_essential = true
eternal_timeout_ms = 150

[resilience.predictor]
window = 50

[resilience.executor]
hedging = false
hedge_budget_ratio = 0.05
hedge_budget_window_ms = 5000

[resilience.processor]
capacity_p3 = 1024
batch_size = 64
)");
    ASSERT_TRUE(r.ok()) << cfg::to_string(r.errors);
    const auto& rc = r.value.resilience;
    EXPECT_EQ(rc.breaker_defaults.failure_threshold, 3u);
    EXPECT_EQ(rc.breaker_defaults.recovery_timeout, 500ms);
    const auto& ud = rc.breaker("binance.user_data");
    EXPECT_TRUE(ud.is_essential);
    EXPECT_EQ(ud.eternal_timeout, 150ms);
    // Named breakers inherit what they do not set from [resilience.breaker].
    EXPECT_EQ(ud.failure_threshold, 3u);
    EXPECT_EQ(ud.recovery_timeout, 500ms);
    EXPECT_FALSE(rc.breaker("other").is_essential);
    EXPECT_EQ(rc.predictor.window, 50u);
    EXPECT_FALSE(rc.executor.hedging);
    EXPECT_DOUBLE_EQ(rc.executor.budget.ratio, 0.05);
    EXPECT_EQ(rc.executor.budget.window, 5000ms);
    EXPECT_EQ(rc.processor.capacity[3], 1024u);
    EXPECT_EQ(rc.processor.batch_size, 64u);
}

TEST(ResilienceConfigTest, parseErrorsNameKeyAndLine) {
    const auto r = parse(R"([resilience.breaker]
failure_threshold = 0
recovery_timeout_msx = 5
)");
    ASSERT_FALSE(r.ok());
    const auto l = lines(r.errors);
    ASSERT_EQ(l.size(), 2u) << cfg::to_string(r.errors);
    EXPECT_NE(l[0].find("gw.toml:2:"), std::string::npos) << l[0];
    EXPECT_NE(l[0].find("resilience.breaker.failure_threshold"), std::string::npos) << l[0];
    EXPECT_NE(l[1].find("gw.toml:3:"), std::string::npos) << l[1];
    EXPECT_NE(l[1].find("did you mean 'recovery_timeout_ms'"), std::string::npos) << l[1];
}

TEST(ResilienceConfigTest, parseUnknownSubsectionRejected) {
    const auto r = parse("[resilience.predicter]\nwindow = 10\n");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(cfg::to_string(r.errors).find("predictor"), std::string::npos) << cfg::to_string(r.errors);
}
