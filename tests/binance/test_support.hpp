// Shared helpers of the Binance tests: fixtures read at test time from GENESIS_FIXTURES_DIR.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/decimal.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace genesis::binance::test {

inline std::string fixtures_dir() { return std::string(GENESIS_FIXTURES_DIR) + "/exchanges/binance_spot/"; }

/// The file's content, or nothing when it is absent.
inline std::optional<std::string> read_fixture(const std::string& relative) {
    std::ifstream in(fixtures_dir() + relative, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Skips the current test when the fixture is missing (the shared fixtures are not in the repo).
#define GENESIS_LOAD_FIXTURE(var, relative)                                                                            \
    auto var##_opt = ::genesis::binance::test::read_fixture(relative);                                                 \
    if (!var##_opt)                                                                                                    \
        GTEST_SKIP() << "fixture " << ::genesis::binance::test::fixtures_dir() << (relative)                           \
                     << " is absent (shared fixtures not checked out)";                                                \
    const std::string& var = *var##_opt

inline decimal dec(const char* s) { return *decimal::parse(s); }

/// Milliseconds since the epoch as the time_point the decoders produce.
inline time_point ms(std::int64_t v) { return time_point{v * 1'000'000}; }

/// Extracts a string field's value from a small JSON text ("key": "value") — test-only helper.
inline std::string json_string_field(const std::string& json, const std::string& key) {
    const auto k = json.find("\"" + key + "\"");
    if (k == std::string::npos)
        return {};
    const auto open = json.find('"', json.find(':', k) + 1);
    const auto close = json.find('"', open + 1);
    return json.substr(open + 1, close - open - 1);
}

} // namespace genesis::binance::test
