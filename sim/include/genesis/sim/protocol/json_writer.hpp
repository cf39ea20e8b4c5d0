// A small JSON string builder for the sim's responses: appends into one reusable std::string,
// inserts commas itself, escapes strings, prints decimals with a fixed number of digits.
#pragma once

#include "genesis/core/decimal.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace genesis::sim::protocol {

/// Builds compact JSON (no spaces). Misuse (a value where a key is due) is not detected: the
/// render functions are the only callers and the tests parse every output.
class json_writer {
    std::string out_;
    bool first_ = true; // nothing written yet in the current object/array
    bool after_key_ = false;

    void sep();

public:
    json_writer() { out_.reserve(512); }

    json_writer& begin_object();
    json_writer& end_object();
    json_writer& begin_array();
    json_writer& end_array();
    /// An object key; the next call writes its value.
    json_writer& key(std::string_view k);

    json_writer& string(std::string_view s);
    json_writer& number(std::int64_t v);
    json_writer& number(std::uint64_t v);
    json_writer& number(int v) { return number(static_cast<std::int64_t>(v)); }
    json_writer& boolean(bool v);
    json_writer& null();
    /// A decimal as a JSON string with exactly `digits` fractional digits ("0.00100000").
    json_writer& decimal_string(decimal d, int digits = decimal::scale);
    /// Text already in JSON form (a nested rendered document, a raw request id).
    json_writer& raw(std::string_view json);

    // key + value shorthands
    json_writer& field(std::string_view k, std::string_view v) { return key(k).string(v); }
    json_writer& field(std::string_view k, const char* v) { return key(k).string(v); }
    json_writer& field(std::string_view k, std::int64_t v) { return key(k).number(v); }
    json_writer& field(std::string_view k, std::uint64_t v) { return key(k).number(v); }
    json_writer& field(std::string_view k, int v) { return key(k).number(v); }
    json_writer& field(std::string_view k, bool v) { return key(k).boolean(v); }
    json_writer& field(std::string_view k, decimal v, int digits = decimal::scale) {
        return key(k).decimal_string(v, digits);
    }

    const std::string& str() const noexcept { return out_; }
    /// The text, leaving the writer empty and ready for reuse.
    std::string take();
    void clear() noexcept;
};

/// Appends s to out as a JSON string literal (quotes included), escaping '"', '\\' and controls.
void append_json_string(std::string& out, std::string_view s);

} // namespace genesis::sim::protocol
