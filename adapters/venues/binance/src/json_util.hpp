// Private: simdjson on-demand helpers shared by the decoders. Never include from a public header.
#pragma once

#include "genesis/binance/error.hpp"
#include "genesis/core/clock.hpp"
#include "genesis/core/decimal.hpp"
#include "genesis/core/enums.hpp"
#include "genesis/core/fixed_string.hpp"

#include <simdjson.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

namespace genesis::binance::detail {

namespace od = simdjson::ondemand;

#define GENESIS_BN_CAT2(a, b) a##b
#define GENESIS_BN_CAT(a, b) GENESIS_BN_CAT2(a, b)
/// Returns early with the binance_errc when it is not ok (unique names: calls nest in lambdas).
#define GENESIS_BN_TRY(expr) GENESIS_BN_TRY_IMPL(expr, GENESIS_BN_CAT(genesis_bn_e_, __COUNTER__))
#define GENESIS_BN_TRY_IMPL(expr, name)                                                                                \
    do {                                                                                                               \
        if (const ::genesis::binance::binance_errc name = (expr); name != ::genesis::binance::binance_errc::ok)        \
            return name;                                                                                               \
    } while (0)

/// simdjson's error mapped onto ours.
binance_errc map_error(simdjson::error_code e) noexcept;

/// Checks a simdjson result and maps its error.
inline binance_errc check(simdjson::error_code e) noexcept {
    return e == simdjson::SUCCESS ? binance_errc::ok : map_error(e);
}

/// The key of a field as written (no unescaping: our keys have no escapes, so an escaped key
/// simply matches none of them). The buffer is padded and the string is closed (stage 1
/// checked it), so the scan ends at the closing quote.
inline std::string_view key_of(const od::field& f) noexcept {
    const char* p = f.key().raw();
    const char* q = p;
    while (*q != '"')
        ++q;
    return {p, static_cast<std::size_t>(q - p)};
}

/// A string value. One without a backslash (every name, symbol, id and enum Binance writes) is
/// read in place from the frame, skipping simdjson's unescape copy; one with escapes is unescaped.
/// The view lives as long as the frame and the parser, which every caller outlives with a copy.
inline binance_errc get_string(od::value& v, std::string_view& out) noexcept {
    const std::string_view token = v.raw_json_token();
    if (token.empty() || token[0] != '"')
        return check(v.get_string().get(out)); // not a string: simdjson names the error
    const char* const p = token.data() + 1;
    const char* q = p;
    while (*q != '"' && *q != '\\') // the string is closed (stage 1), so the scan ends
        ++q;
    if (*q == '\\')
        return check(v.get_string().get(out));
    od::raw_json_string raw;
    GENESIS_BN_TRY(check(v.get_raw_json_string().get(raw))); // consumes the value
    out = {p, static_cast<std::size_t>(q - p)};
    return binance_errc::ok;
}

/// Whether the 8 bytes of w (little-endian) are all ASCII digits (fast_float's test).
constexpr bool eight_digits(std::uint64_t w) noexcept {
    return ((w & 0xF0F0F0F0F0F0F0F0) | (((w + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) == 0x3333333333333333;
}

/// The value of 8 ASCII digits (little-endian word, first digit in the lowest byte), by SWAR.
constexpr std::uint64_t parse_eight_digits(std::uint64_t w) noexcept {
    w -= 0x3030303030303030;
    w = (w * 10) + (w >> 8);
    return (((w & 0x000000FF000000FF) * 0x000F424000000064) +
            (((w >> 16) & 0x000000FF000000FF) * 0x0000271000000001)) >>
           32;
}

/// The decimal text at p, closed by a quote (stage 1 checked that the string is closed), in one
/// pass: -?digits[.digits] with at most 11 integer and 8 fraction digits, which is every price and
/// quantity Binance writes. Anything else (more digits, trailing zeros past the 8th, a character
/// that is not a digit) takes decimal::parse over the whole string, so the accepted texts, the
/// values and the errors are exactly decimal::parse's.
inline binance_errc parse_quoted_decimal(const char* p, decimal& out) noexcept {
    constexpr std::uint64_t pow10[9] = {100'000'000, 10'000'000, 1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};
    const char* q = p;
    const bool negative = *q == '-';
    q += negative;
    const char* const int_begin = q;
    std::uint64_t int_part = 0;
    while (static_cast<unsigned char>(*q - '0') < 10) {
        int_part = int_part * 10 + static_cast<std::uint64_t>(*q - '0'); // wraps only past 19 digits: refused below
        ++q;
    }
    const auto int_digits = static_cast<std::size_t>(q - int_begin);
    std::uint64_t frac = 0;
    std::size_t frac_digits = 0;
    if (*q == '.') {
        const char* const frac_begin = ++q;
        // Binance writes exactly 8 fraction digits: read them as one word (the buffer is padded, so
        // 8 bytes past any byte of the frame are readable).
        if (std::uint64_t w = 0;
            std::endian::native == std::endian::little && (std::memcpy(&w, q, 8), eight_digits(w))) {
            frac = parse_eight_digits(w);
            q += 8;
        }
        while (static_cast<unsigned char>(*q - '0') < 10) {
            frac = frac * 10 + static_cast<std::uint64_t>(*q - '0');
            ++q;
        }
        frac_digits = static_cast<std::size_t>(q - frac_begin);
    }
    if (*q == '"' && int_digits <= 11 && frac_digits <= 8 && int_digits + frac_digits > 0) {
        constexpr auto max_raw = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        frac *= pow10[frac_digits];
        if (int_digits < 11 || int_part <= (max_raw - frac) / 100'000'000) { // 10 digits always fit
            const std::uint64_t raw = int_part * 100'000'000 + frac;
            out = decimal::from_raw(negative ? -static_cast<std::int64_t>(raw) : static_cast<std::int64_t>(raw));
            return binance_errc::ok;
        }
    }
    while (*q != '"')
        ++q;
    auto d = decimal::parse({p, static_cast<std::size_t>(q - p)});
    if (!d)
        return binance_errc::bad_decimal;
    out = *d;
    return binance_errc::ok;
}

/// A price or quantity. Read raw, without simdjson's unescape copy: a decimal's characters never
/// need escaping, so a backslash simply makes it malformed.
inline binance_errc get_decimal(od::value& v, decimal& out) noexcept {
    od::raw_json_string raw;
    GENESIS_BN_TRY(check(v.get_raw_json_string().get(raw)));
    return parse_quoted_decimal(raw.raw(), out);
}

/// An integer read failed: a number that is not a 64-bit integer of the sign asked for (too big,
/// negative, fractional) is out of range; anything else has the wrong type.
inline binance_errc integer_error(od::value& v, simdjson::error_code e) noexcept {
    od::json_type t{};
    if (e == simdjson::INCORRECT_TYPE && v.type().get(t) == simdjson::SUCCESS && t == od::json_type::number)
        return binance_errc::number_out_of_range;
    return map_error(e);
}

inline binance_errc get_u64(od::value& v, std::uint64_t& out) noexcept {
    const auto e = v.get_uint64().get(out);
    return e == simdjson::SUCCESS ? binance_errc::ok : integer_error(v, e);
}

inline binance_errc get_i64(od::value& v, std::int64_t& out) noexcept {
    const auto e = v.get_int64().get(out);
    return e == simdjson::SUCCESS ? binance_errc::ok : integer_error(v, e);
}

/// An id that the venue writes as -1 when absent ("t": -1): kept signed.
inline binance_errc get_id(od::value& v, std::int64_t& out) noexcept { return get_i64(v, out); }

/// Milliseconds since the epoch (Binance's E, T, ...) as a wall-clock time_point.
inline binance_errc get_time_ms(od::value& v, time_point& out) noexcept {
    std::int64_t ms = 0;
    GENESIS_BN_TRY(get_i64(v, ms));
    // Within +-292 years of 1970 in nanoseconds; beyond that it is not a timestamp.
    if (ms < 0 || ms > 9'000'000'000'000)
        return binance_errc::number_out_of_range;
    out = time_point{ms * 1'000'000};
    return binance_errc::ok;
}

inline binance_errc get_bool(od::value& v, bool& out) noexcept { return check(v.get_bool().get(out)); }

template <std::size_t N>
binance_errc get_fixed(od::value& v, fixed_string<N>& out) noexcept {
    std::string_view s;
    GENESIS_BN_TRY(get_string(v, s));
    auto f = fixed_string<N>::make(s);
    if (!f)
        return binance_errc::string_too_long;
    out = *f;
    return binance_errc::ok;
}

/// A string or null (null gives an empty string: "N": null commission asset).
template <std::size_t N>
binance_errc get_fixed_or_null(od::value& v, fixed_string<N>& out) noexcept {
    bool null = false;
    GENESIS_BN_TRY(check(v.is_null().get(null)));
    if (null) {
        out = {};
        return binance_errc::ok;
    }
    return get_fixed(v, out);
}

template <class E>
binance_errc get_enum(od::value& v, E& out) noexcept {
    std::string_view s;
    GENESIS_BN_TRY(get_string(v, s));
    auto e = parse_enum<E>(s);
    if (!e)
        return binance_errc::bad_enum;
    out = *e;
    return binance_errc::ok;
}

/// [["price","qty"], ...] into levels (cleared first; capacity kept).
template <class Level>
binance_errc get_levels(od::value& v, std::vector<Level>& out) noexcept {
    out.clear();
    od::array arr;
    GENESIS_BN_TRY(check(v.get_array().get(arr)));
    for (auto item : arr) {
        od::array pair;
        GENESIS_BN_TRY(check(item.get_array().get(pair)));
        Level lvl{};
        int n = 0;
        for (auto x : pair) {
            GENESIS_BN_TRY(check(x.error()));
            od::value&& xv = std::move(x).value_unsafe(); // in place: see for_each_field
            if (n == 0)
                GENESIS_BN_TRY(get_decimal(xv, lvl.price));
            else if (n == 1)
                GENESIS_BN_TRY(get_decimal(xv, lvl.quantity));
            else
                return binance_errc::wrong_type;
            ++n;
        }
        if (n != 2)
            return binance_errc::wrong_type;
        out.push_back(lvl);
    }
    return binance_errc::ok;
}

/// A padded copy of each frame, reused: the buffer only grows.
class padded_buffer {
    std::vector<char> buf_;

public:
    std::string_view fill(std::string_view frame) {
        if (buf_.size() < frame.size() + simdjson::SIMDJSON_PADDING)
            buf_.resize(frame.size() + simdjson::SIMDJSON_PADDING);
        std::memcpy(buf_.data(), frame.data(), frame.size());
        std::memset(buf_.data() + frame.size(), 0, simdjson::SIMDJSON_PADDING);
        return {buf_.data(), frame.size()};
    }
    std::size_t capacity() const noexcept { return buf_.size(); }
};

/// Symbol from a stream name ("btcusdt@depth5" -> "BTCUSDT").
binance_errc symbol_from_stream(std::string_view stream, symbol& out) noexcept;

/// Fields of a bitmask of required fields, to report missing_field at the end of an object.
constexpr std::uint64_t bit(int i) noexcept { return std::uint64_t{1} << i; }

} // namespace genesis::binance::detail
