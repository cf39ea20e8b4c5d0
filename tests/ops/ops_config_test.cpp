#include "genesis/gateway/ops/ops_config.hpp"

#include "genesis/config/loader.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace {

namespace cfg = genesis::config;
namespace ops = genesis::gateway::ops;

struct parsed {
    ops::ops_config value;
    std::vector<cfg::diagnostic> errors;
};

parsed parse(std::string_view text) {
    parsed p;
    cfg::loader l([](std::string_view name) -> std::optional<std::string> {
        if (name == "GENESIS_OPS_TOKEN")
            return std::string("s3cret");
        if (name == "EMPTY_TOKEN")
            return std::string();
        return std::nullopt;
    });
    l.section("ops", [&](cfg::table_reader& r) { ops::parse_ops_section(r, p.value); });
    p.errors = l.parse(text, "gw.toml");
    return p;
}

} // namespace

TEST(OpsConfigTest, parseEmptyKeepsDefaults) {
    const auto p = parse("");
    ASSERT_TRUE(p.errors.empty()) << cfg::to_string(p.errors);
    EXPECT_TRUE(p.value.enabled);
    EXPECT_EQ(p.value.host, "127.0.0.1");
    EXPECT_EQ(p.value.port, 8088);
    EXPECT_EQ(p.value.bearer_token, "");
}

TEST(OpsConfigTest, parseAllKeys) {
    const auto p = parse("[ops]\nenabled = false\nhost = \"localhost\"\nport = 0\nbearer_token = "
                         "\"${GENESIS_OPS_TOKEN}\"\n");
    ASSERT_TRUE(p.errors.empty()) << cfg::to_string(p.errors);
    EXPECT_FALSE(p.value.enabled);
    EXPECT_EQ(p.value.host, "localhost");
    EXPECT_EQ(p.value.port, 0);
    EXPECT_EQ(p.value.bearer_token, "s3cret");
}

TEST(OpsConfigTest, parseRejectsNonLoopbackHost) {
    const auto p = parse("[ops]\nhost = \"0.0.0.0\"\n");
    ASSERT_EQ(p.errors.size(), 1u);
    EXPECT_EQ(p.errors[0].key, "ops.host");
    EXPECT_NE(p.errors[0].message.find("ops.host"), std::string::npos) << p.errors[0].message;
    EXPECT_EQ(p.errors[0].line, 2u);
    EXPECT_EQ(p.value.host, "127.0.0.1");
}

TEST(OpsConfigTest, parseRejectsAnEmptyTokenInsteadOfTurningAuthOff) {
    const auto p = parse("[ops]\nport = 0\nbearer_token = \"${EMPTY_TOKEN}\"\n");
    ASSERT_EQ(p.errors.size(), 1u);
    EXPECT_EQ(p.errors[0].key, "ops.bearer_token");
    EXPECT_EQ(p.errors[0].line, 3u);
}

// An unset variable is the one error: not also "expected a non-empty token" for the empty
// default it left.
TEST(OpsConfigTest, anUnsetTokenVariableIsReportedOnce) {
    const auto p = parse("[ops]\nbearer_token = \"${NO_SUCH_TOKEN}\"\n");
    ASSERT_EQ(p.errors.size(), 1u) << cfg::to_string(p.errors);
    EXPECT_EQ(p.errors[0].key, "ops.bearer_token");
    EXPECT_EQ(p.errors[0].kind, cfg::diagnostic_kind::missing_env);
    EXPECT_NE(p.errors[0].message.find("'NO_SUCH_TOKEN' is not set"), std::string::npos) << p.errors[0].message;
}

TEST(OpsConfigTest, parseRejectsPortOutOfRange) {
    const auto p = parse("[ops]\nport = 70000\n");
    ASSERT_EQ(p.errors.size(), 1u);
    EXPECT_EQ(p.errors[0].key, "ops.port");
}

TEST(OpsConfigTest, isLoopbackHost) {
    EXPECT_TRUE(ops::is_loopback_host("127.0.0.1"));
    EXPECT_TRUE(ops::is_loopback_host("127.10.20.30"));
    EXPECT_TRUE(ops::is_loopback_host("::1"));
    EXPECT_TRUE(ops::is_loopback_host("localhost"));
    EXPECT_FALSE(ops::is_loopback_host("0.0.0.0"));
    EXPECT_FALSE(ops::is_loopback_host("10.0.0.1"));
    EXPECT_FALSE(ops::is_loopback_host("127.0.0"));
    EXPECT_FALSE(ops::is_loopback_host("127.0.0.256"));
    EXPECT_FALSE(ops::is_loopback_host("127.0.0.1.evil.com"));
    EXPECT_FALSE(ops::is_loopback_host(""));
    EXPECT_FALSE(ops::is_loopback_host("::"));
}
