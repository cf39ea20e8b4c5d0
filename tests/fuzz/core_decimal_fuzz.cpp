// libFuzzer target for genesis::decimal: parse, then the formatting round trips, then checked
// arithmetic on two values (the input split at its first '|').
#include "genesis/core/decimal.hpp"

#include "fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using genesis::decimal;
using genesis::rounding;

/// Parses s; when it is a decimal, checks that every text form parses back to it.
void round_trip(std::string_view s) {
    const auto d = decimal::parse(s);
    if (!d)
        return;
    genesis::fuzz::check_decimal(*d);

    // Canonical text: parses back, and has no trailing fractional zero.
    const std::string text = d->to_string();
    GENESIS_FUZZ_CHECK(text.find('.') == std::string::npos || text.back() != '0');

    // format_to writes the same text without allocating.
    char buf[32];
    const std::size_t n = d->format_to(buf);
    GENESIS_FUZZ_CHECK(std::string_view(buf, n) == text);

    // Binance's fixed form ("1.50000000") parses back too.
    const auto fixed = decimal::parse(d->to_string_fixed());
    GENESIS_FUZZ_CHECK(fixed && *fixed == *d);
}

/// Checked arithmetic never overflows silently; each result is a valid decimal.
void arithmetic(decimal a, decimal b) {
    if (auto s = a.add(b)) {
        genesis::fuzz::check_decimal(*s);
        // add then sub gives a back.
        const auto back = s->sub(b);
        GENESIS_FUZZ_CHECK(back && *back == a);
    }
    if (auto s = a.sub(b))
        genesis::fuzz::check_decimal(*s);
    for (auto mode : {rounding::down, rounding::up, rounding::nearest}) {
        if (auto p = a.mul(b, mode))
            genesis::fuzz::check_decimal(*p);
        if (auto q = a.div(b, mode))
            genesis::fuzz::check_decimal(*q);
        // A value brought onto a grid is on the grid.
        if (auto r = a.round_to(b, mode)) {
            genesis::fuzz::check_decimal(*r);
            GENESIS_FUZZ_CHECK(r->is_multiple_of(b));
        }
    }
    (void)a.is_multiple_of(b);
    (void)a.abs();
    (void)(-a);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    round_trip(input);

    // Two operands: "<a>|<b>".
    const std::size_t bar = input.find('|');
    if (bar == std::string_view::npos)
        return 0;
    const auto a = decimal::parse(input.substr(0, bar));
    const auto b = decimal::parse(input.substr(bar + 1));
    round_trip(input.substr(0, bar));
    round_trip(input.substr(bar + 1));
    if (a && b)
        arithmetic(*a, *b);
    return 0;
}
