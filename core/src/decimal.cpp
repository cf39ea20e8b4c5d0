#include "genesis/core/decimal.hpp"

#include <cstring>

namespace genesis {
namespace {

__extension__ typedef __int128 i128;

constexpr i128 max_raw = std::numeric_limits<std::int64_t>::max();

// Divides n by d (d != 0) rounding with mode; exact for every i128 input that does not overflow.
i128 div_round(i128 n, i128 d, rounding mode) noexcept {
    if (d < 0) {
        n = -n;
        d = -d;
    }
    i128 q = n / d; // truncates toward zero
    const i128 r = n % d;
    if (r == 0)
        return q;
    switch (mode) {
    case rounding::down:
        if (n < 0)
            --q;
        break;
    case rounding::up:
        if (n > 0)
            ++q;
        break;
    case rounding::nearest: {
        const i128 twice = (r < 0 ? -r : r) * 2;
        if (twice >= d)
            q += (n < 0 ? -1 : 1);
        break;
    }
    }
    return q;
}

result<decimal> checked(i128 v) noexcept {
    if (v > max_raw || v < -max_raw)
        return make_error_code(core_errc::decimal_overflow);
    return decimal::from_raw(static_cast<std::int64_t>(v));
}

} // namespace

result<decimal> decimal::from_int(std::int64_t v) noexcept { return checked(static_cast<i128>(v) * one_raw); }

result<decimal> decimal::parse(std::string_view s) noexcept {
    std::int64_t raw = 0;
    if (const auto ec = detail::parse_decimal(s, raw); ec != core_errc::ok)
        return make_error_code(ec);
    return from_raw(raw);
}

std::size_t decimal::format_to(char* buf) const noexcept {
    // Work on the magnitude as unsigned so that the lowest value formats too.
    const bool negative = raw_ < 0;
    std::uint64_t mag = negative ? 0 - static_cast<std::uint64_t>(raw_) : static_cast<std::uint64_t>(raw_);
    std::uint64_t int_part = mag / one_raw;
    std::uint64_t frac = mag % one_raw;

    char tmp[24];
    std::size_t n = 0;
    if (frac != 0) {
        int digits = scale;
        while (frac % 10 == 0) {
            frac /= 10;
            --digits;
        }
        for (int k = 0; k < digits; ++k) {
            tmp[n++] = static_cast<char>('0' + frac % 10);
            frac /= 10;
        }
        tmp[n++] = '.';
    }
    do {
        tmp[n++] = static_cast<char>('0' + int_part % 10);
        int_part /= 10;
    } while (int_part != 0);
    if (negative)
        tmp[n++] = '-';
    for (std::size_t k = 0; k < n; ++k)
        buf[k] = tmp[n - 1 - k];
    return n;
}

std::string decimal::to_string() const {
    char buf[24];
    return std::string(buf, format_to(buf));
}

std::string decimal::to_string_fixed(int digits) const {
    if (digits < 0)
        digits = 0;
    if (digits > scale)
        digits = scale;
    const bool negative = raw_ < 0;
    const std::uint64_t mag = negative ? 0 - static_cast<std::uint64_t>(raw_) : static_cast<std::uint64_t>(raw_);
    std::string out = negative ? "-" : "";
    out += std::to_string(mag / one_raw);
    if (digits > 0) {
        char frac[scale + 1];
        std::uint64_t f = mag % one_raw;
        for (int k = scale - 1; k >= 0; --k) {
            frac[k] = static_cast<char>('0' + f % 10);
            f /= 10;
        }
        out += '.';
        out.append(frac, static_cast<std::size_t>(digits));
    }
    return out;
}

result<decimal> decimal::add(decimal o) const noexcept { return checked(static_cast<i128>(raw_) + o.raw_); }

result<decimal> decimal::sub(decimal o) const noexcept { return checked(static_cast<i128>(raw_) - o.raw_); }

result<decimal> decimal::mul(decimal o, rounding mode) const noexcept {
    // |a*b| < 2^126, so the 128-bit product is exact before scaling back down.
    return checked(div_round(static_cast<i128>(raw_) * o.raw_, one_raw, mode));
}

result<decimal> decimal::div(decimal o, rounding mode) const noexcept {
    if (o.raw_ == 0)
        return make_error_code(core_errc::division_by_zero);
    return checked(div_round(static_cast<i128>(raw_) * one_raw, o.raw_, mode));
}

result<decimal> decimal::round_to(decimal increment, rounding mode) const noexcept {
    if (increment.raw_ <= 0)
        return make_error_code(core_errc::invalid_argument);
    return checked(div_round(raw_, increment.raw_, mode) * increment.raw_);
}

bool decimal::is_multiple_of(decimal increment) const noexcept {
    return increment.raw_ > 0 && raw_ % increment.raw_ == 0;
}

} // namespace genesis
