// Invariant checks for the libFuzzer targets: a broken invariant aborts, so libFuzzer saves the
// input as a crash like any sanitizer report.
#pragma once

#include "genesis/core/decimal.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>

/// Aborts with the condition and its location when cond is false.
#define GENESIS_FUZZ_CHECK(cond)                                                                                       \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);                          \
            std::abort();                                                                                              \
        }                                                                                                              \
    } while (0)

namespace genesis::fuzz {

/// A decoded price or quantity is a valid decimal: inside [lowest, max] and its canonical text
/// parses back to the same value.
inline void check_decimal(decimal d) {
    GENESIS_FUZZ_CHECK(d.raw() != std::numeric_limits<std::int64_t>::min());
    const auto back = decimal::parse(d.to_string());
    GENESIS_FUZZ_CHECK(back && *back == d);
}

} // namespace genesis::fuzz
