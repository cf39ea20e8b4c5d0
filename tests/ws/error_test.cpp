#include "genesis/ws/error.hpp"

#include <gtest/gtest.h>

namespace genesis::ws {
namespace {

class ErrorTest : public ::testing::Test {};

TEST_F(ErrorTest, makeErrorCodeUsesTheWsCategory) {
    const error_code ec = ws_errc::certificate_rejected;
    EXPECT_STREQ(ec.category().name(), "genesis.ws");
    EXPECT_EQ(ec.value(), 6);
    EXPECT_EQ(ec.message(), "server certificate rejected");
    EXPECT_TRUE(ec.failed());
    for (std::size_t i = 0; i < ws_errc_count; ++i)
        EXPECT_NE(make_error_code(static_cast<ws_errc>(i)).message(), "unknown genesis.ws error") << i;
    EXPECT_EQ(make_error_code(static_cast<ws_errc>(ws_errc_count)).message(), "unknown genesis.ws error");
}

TEST_F(ErrorTest, conditionsGroupErrors) {
    EXPECT_EQ(error_code(ws_errc::invalid_url), ws_condition::configuration);
    EXPECT_EQ(error_code(ws_errc::ca_file_invalid), ws_condition::configuration);
    EXPECT_EQ(error_code(ws_errc::certificate_rejected), ws_condition::security);
    EXPECT_EQ(error_code(ws_errc::idle_timeout), ws_condition::connection);
    EXPECT_EQ(error_code(ws_errc::closed_by_peer), ws_condition::connection);
    EXPECT_EQ(error_code(ws_errc::budget_exhausted), ws_condition::local);
    EXPECT_NE(error_code(ws_errc::rotated), ws_condition::connection);
    EXPECT_STREQ(make_error_condition(ws_condition::security).category().name(), "genesis.ws.condition");
}

} // namespace
} // namespace genesis::ws
