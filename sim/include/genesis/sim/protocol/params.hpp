// Request parameters of a REST call (query string and x-www-form-urlencoded body) or a WS-API
// request ("params" object), with typed getters that fail exactly as Binance does. Each getter
// marks its parameter read; check_all_read() then gives -1104 for anything nobody asked for.
#pragma once

#include "genesis/core/decimal.hpp"
#include "genesis/core/enums.hpp"
#include "genesis/core/fixed_string.hpp"
#include "genesis/sim/protocol/errors.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::sim::protocol {

/// One parameter as sent.
struct param {
    std::string name;            ///< percent-decoded (REST) or unescaped (WS-API)
    std::string value;           ///< percent-decoded ('+' is a space) or, for WS-API, the unescaped string
                                 ///< contents / the raw JSON text of a number, boolean, array or object
    bool is_json_string = false; ///< WS-API: the value was a JSON string
    mutable bool read = false;
};

/// Legal ranges Binance quotes in its -1100 messages.
namespace legal_range {
inline constexpr std::string_view decimal = "^([0-9]{1,20})(\\.[0-9]{1,20})?$";
inline constexpr std::string_view integer = "^[0-9]{1,20}$";
inline constexpr std::string_view symbol = "^[A-Z0-9-_.]{1,20}$";
inline constexpr std::string_view client_order_id = "^[\\.A-Z\\:/a-z0-9_-]{1,36}$";
} // namespace legal_range

/// An ordered parameter list. Names are case-sensitive; each name appears once.
class params {
    std::vector<param> items_;

public:
    params() = default;

    /// Parses "a=1&b=x%20y" (and then the body, same syntax) in order. Empty pieces ("a=1&&b=2")
    /// are skipped; a piece without '=' is a parameter with an empty value. Errors: -1101 on a
    /// duplicate name (also across query and body), -1100 on a malformed percent escape.
    [[nodiscard]] static proto_result<params> from_urlencoded(std::string_view query, std::string_view body = {});

    /// Appends a parameter; -1101 when the name is already there.
    [[nodiscard]] proto_result<void> add(param p);

    const std::vector<param>& items() const noexcept { return items_; }
    std::size_t size() const noexcept { return items_.size(); }
    bool empty() const noexcept { return items_.empty(); }
    /// The parameter, without marking it read (nullptr when absent).
    const param* peek(std::string_view name) const noexcept;
    /// True when present with a non-empty value (does not mark it read).
    bool has(std::string_view name) const noexcept;
    /// Marks a parameter read without interpreting it (accepted but ignored).
    void mark_read(std::string_view name) const noexcept;

    // --- typed getters (mark the parameter read). An empty value counts as not sent. ---------

    /// -1102 when absent or empty.
    [[nodiscard]] proto_result<std::string_view> required(std::string_view name) const;
    /// nullopt when absent or empty.
    std::optional<std::string_view> optional(std::string_view name) const;

    /// Non-negative integer ("^[0-9]{1,20}$", else -1100; > INT64 max: -1108).
    [[nodiscard]] proto_result<std::uint64_t> required_uint(std::string_view name) const;
    [[nodiscard]] proto_result<std::optional<std::uint64_t>> optional_uint(std::string_view name) const;

    /// Non-negative decimal, at most 8 significant fractional digits: -1100 when malformed,
    /// -1111 too much precision, -1108 out of range.
    [[nodiscard]] proto_result<decimal> required_decimal(std::string_view name) const;
    [[nodiscard]] proto_result<std::optional<decimal>> optional_decimal(std::string_view name) const;

    /// A symbol: -1102 missing, -1100 when not "^[A-Z0-9-_.]{1,20}$".
    [[nodiscard]] proto_result<symbol> required_symbol(std::string_view name = "symbol") const;
    [[nodiscard]] proto_result<std::optional<symbol>> optional_symbol(std::string_view name = "symbol") const;

    /// A client order id: -1100 when not legal_range::client_order_id; empty when absent.
    [[nodiscard]] proto_result<client_order_id> optional_client_id(std::string_view name) const;

    /// side: -1102 missing, -1117 "Invalid side." for an unknown value.
    [[nodiscard]] proto_result<side> required_side(std::string_view name = "side") const;
    /// type: -1102 missing, -1116 "Invalid orderType." for an unknown value.
    [[nodiscard]] proto_result<order_type> required_order_type(std::string_view name = "type") const;
    /// timeInForce: nullopt when absent, -1115 "Invalid timeInForce." for an unknown value.
    [[nodiscard]] proto_result<std::optional<time_in_force>>
    optional_time_in_force(std::string_view name = "timeInForce") const;
    /// A boolean "true"/"false" (-1100 otherwise); nullopt when absent.
    [[nodiscard]] proto_result<std::optional<bool>> optional_bool(std::string_view name) const;

    /// Parameters read so far.
    std::size_t read_count() const noexcept;
    /// -1104 when some parameter was never read.
    [[nodiscard]] proto_result<void> check_all_read() const;
};

/// Percent-decodes s ('+' becomes a space); nullopt on a bad escape ("%G1", "%4").
std::optional<std::string> percent_decode(std::string_view s);

} // namespace genesis::sim::protocol
