// Error codes of genesis_core and the result<T> alias used at every fallible boundary.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <system_error>
#include <type_traits>

namespace genesis {

/// A value or an error_code. Alias of boost::system::result (std::expected at C++23).
template <class T>
using result = boost::system::result<T>;

using boost::system::error_code;

/// Errors raised by genesis_core. Values are stable: never renumber, only append.
enum class core_errc {
    ok = 0,
    /// A decimal string was empty, had stray characters, several dots or signs.
    decimal_malformed = 1,
    /// A decimal does not fit the fixed-point range, or has more fractional digits than the scale.
    decimal_overflow = 2,
    /// A string names no known enumerator (side, order type, status, ...).
    unknown_enum = 3,
    /// An argument is outside its domain (zero tick size, negative quantity, ...).
    invalid_argument = 4,
    /// Division by zero.
    division_by_zero = 5,
    /// A decimal has significant digits beyond the 8th fractional digit.
    decimal_precision = 6,
};

/// The category of core_errc values ("genesis.core").
const boost::system::error_category& core_category() noexcept;

inline error_code make_error_code(core_errc e) noexcept { return {static_cast<int>(e), core_category()}; }

} // namespace genesis

template <>
struct boost::system::is_error_code_enum<genesis::core_errc> : std::true_type {};
