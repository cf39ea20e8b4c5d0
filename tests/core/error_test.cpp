#include "genesis/core/error.hpp"

#include <gtest/gtest.h>

using namespace genesis;

TEST(ErrorTest, coreErrorsHaveCategoryAndMessages) {
    const error_code ec = core_errc::decimal_malformed;
    EXPECT_EQ(std::string(ec.category().name()), "genesis.core");
    EXPECT_EQ(ec.message(), "malformed decimal");
    EXPECT_EQ(error_code(core_errc::decimal_precision).message(), "decimal has more than 8 fractional digits");
    EXPECT_TRUE(ec);
    EXPECT_FALSE(error_code(core_errc::ok));
}

TEST(ErrorTest, resultCarriesValueOrError) {
    result<int> ok = 5;
    result<int> bad = make_error_code(core_errc::unknown_enum);
    ASSERT_TRUE(ok);
    EXPECT_EQ(*ok, 5);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), core_errc::unknown_enum);
}
