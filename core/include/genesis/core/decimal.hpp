// decimal: exact fixed-point number for prices, quantities and notionals.
#pragma once

#include "genesis/core/error.hpp"

#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace genesis {

namespace detail {
/// Parses s into a raw value scaled by 10^8. constexpr so that literals are checked at compile time.
constexpr core_errc parse_decimal(std::string_view s, std::int64_t& out) noexcept {
    constexpr std::uint64_t max_raw = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    std::size_t i = 0;
    bool negative = false;
    if (i < s.size() && s[i] == '-') {
        negative = true;
        ++i;
    }
    std::uint64_t int_part = 0;
    std::size_t int_digits = 0;
    // Integer digits: at most 11 fit (92233720368), checked before each multiply.
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (int_part > max_raw / 100'000'000 / 10)
            return core_errc::decimal_overflow;
        int_part = int_part * 10 + static_cast<std::uint64_t>(s[i] - '0');
        ++int_digits;
        ++i;
    }
    std::uint64_t frac = 0;
    std::size_t frac_digits = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (frac_digits < 8) {
                frac = frac * 10 + static_cast<std::uint64_t>(s[i] - '0');
            } else if (s[i] != '0') {
                // Digits past the 8th must be zeros: never round silently.
                return core_errc::decimal_precision;
            }
            ++frac_digits;
            ++i;
        }
    }
    if (i != s.size() || int_digits + frac_digits == 0)
        return core_errc::decimal_malformed;
    for (std::size_t k = frac_digits; k < 8; ++k)
        frac *= 10;
    if (int_part > (max_raw - frac) / 100'000'000)
        return core_errc::decimal_overflow;
    const std::uint64_t raw = int_part * 100'000'000 + frac;
    out = negative ? -static_cast<std::int64_t>(raw) : static_cast<std::int64_t>(raw);
    return core_errc::ok;
}
} // namespace detail

/// How a value is brought onto a tick or step grid.
enum class rounding {
    down,    ///< toward negative infinity
    up,      ///< toward positive infinity
    nearest, ///< to the nearest multiple, halves away from zero
};

/// A signed fixed-point decimal with 8 fractional digits held in an int64
/// (the representation Binance itself uses): range +-92,233,720,368.54775807,
/// at most 18 significant digits. Parsed exactly from the exchange's strings,
/// never through a double. Arithmetic that would leave the range returns an error.
class decimal {
    std::int64_t raw_ = 0;

public:
    /// Number of fractional digits.
    static constexpr int scale = 8;
    /// 10^scale: the raw value of 1.
    static constexpr std::int64_t one_raw = 100'000'000;

    constexpr decimal() noexcept = default;

    /// The decimal whose raw (scaled) value is r: from_raw(150'000'000) is 1.5.
    static constexpr decimal from_raw(std::int64_t r) noexcept {
        decimal d;
        d.raw_ = r;
        return d;
    }
    /// An integer value; errors when it does not fit.
    [[nodiscard]] static result<decimal> from_int(std::int64_t v) noexcept;

    /// Parses "67123.45000000", "-0.5", "1000000000", ".5", "5.". Rejects "", ".", "+", "1.2.3",
    /// "12a", "--1", exponents, blanks, and values out of range or with more than 8 significant
    /// fractional digits (trailing zeros beyond 8 are accepted: "0.1000000000").
    [[nodiscard]] static result<decimal> parse(std::string_view s) noexcept;

    constexpr std::int64_t raw() const noexcept { return raw_; }
    constexpr bool is_zero() const noexcept { return raw_ == 0; }
    constexpr bool is_negative() const noexcept { return raw_ < 0; }
    constexpr bool is_positive() const noexcept { return raw_ > 0; }

    /// Canonical text: no trailing fractional zeros, no dot for integers, "-" only when negative
    /// ("1.5", "0.000001", "100", "-0.5", "0").
    std::string to_string() const;
    /// Text with exactly `digits` fractional digits (0..8), as Binance prints ("1.50000000").
    std::string to_string_fixed(int digits = scale) const;
    /// Writes to_string() into buf (at least 24 bytes), returns the length. No allocation.
    std::size_t format_to(char* buf) const noexcept;

    /// Checked arithmetic: errors with decimal_overflow when the result leaves the range.
    [[nodiscard]] result<decimal> add(decimal o) const noexcept;
    [[nodiscard]] result<decimal> sub(decimal o) const noexcept;
    /// Product rounded to 8 fractional digits with `mode`; 128-bit intermediate.
    [[nodiscard]] result<decimal> mul(decimal o, rounding mode = rounding::nearest) const noexcept;
    /// Quotient rounded to 8 fractional digits with `mode`; 128-bit intermediate.
    [[nodiscard]] result<decimal> div(decimal o, rounding mode = rounding::nearest) const noexcept;
    /// Brought onto a multiple of `increment` (a tick or a step) with `mode`.
    /// Errors with invalid_argument when increment is not positive.
    [[nodiscard]] result<decimal> round_to(decimal increment, rounding mode) const noexcept;
    /// True when the value is a whole multiple of increment (increment > 0).
    bool is_multiple_of(decimal increment) const noexcept;

    constexpr decimal operator-() const noexcept { return from_raw(-raw_); }
    constexpr decimal abs() const noexcept { return raw_ < 0 ? from_raw(-raw_) : *this; }

    friend constexpr bool operator==(decimal, decimal) = default;
    friend constexpr std::strong_ordering operator<=>(decimal a, decimal b) noexcept { return a.raw_ <=> b.raw_; }

    static constexpr decimal max() noexcept { return from_raw(std::numeric_limits<std::int64_t>::max()); }
    /// The lowest value is -max(), so that negation never overflows.
    static constexpr decimal lowest() noexcept { return from_raw(-std::numeric_limits<std::int64_t>::max()); }
};

namespace literals {
/// A decimal literal checked at compile time: "67123.45"_d. A malformed literal does not compile.
consteval decimal operator""_d(const char* s, std::size_t n) {
    std::int64_t raw = 0;
    if (detail::parse_decimal(std::string_view{s, n}, raw) != core_errc::ok)
        throw "malformed decimal literal"; // in a consteval function this is a compile error
    return decimal::from_raw(raw);
}
} // namespace literals

} // namespace genesis
