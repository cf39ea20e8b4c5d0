#include "genesis/sim/protocol/json_writer.hpp"

#include <charconv>

namespace genesis::sim::protocol {

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += "\\u00";
                out += hex[(c >> 4) & 0xF];
                out += hex[c & 0xF];
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

void json_writer::sep() {
    // A value right after its key, or the first element of a container, needs no comma.
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!first_)
        out_ += ',';
    first_ = false;
}

json_writer& json_writer::begin_object() {
    sep();
    out_ += '{';
    first_ = true;
    return *this;
}

json_writer& json_writer::end_object() {
    out_ += '}';
    first_ = false;
    return *this;
}

json_writer& json_writer::begin_array() {
    sep();
    out_ += '[';
    first_ = true;
    return *this;
}

json_writer& json_writer::end_array() {
    out_ += ']';
    first_ = false;
    return *this;
}

json_writer& json_writer::key(std::string_view k) {
    sep();
    append_json_string(out_, k);
    out_ += ':';
    after_key_ = true;
    return *this;
}

json_writer& json_writer::string(std::string_view s) {
    sep();
    append_json_string(out_, s);
    return *this;
}

json_writer& json_writer::number(std::int64_t v) {
    sep();
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    return *this;
}

json_writer& json_writer::number(std::uint64_t v) {
    sep();
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    return *this;
}

json_writer& json_writer::boolean(bool v) {
    sep();
    out_ += v ? "true" : "false";
    return *this;
}

json_writer& json_writer::null() {
    sep();
    out_ += "null";
    return *this;
}

json_writer& json_writer::decimal_string(decimal d, int digits) {
    sep();
    if (digits < 0)
        digits = 0;
    if (digits > decimal::scale)
        digits = decimal::scale;
    const std::int64_t raw = d.raw();
    // Work on the magnitude as unsigned so that the lowest value prints too.
    const std::uint64_t mag = raw < 0 ? 0 - static_cast<std::uint64_t>(raw) : static_cast<std::uint64_t>(raw);
    char buf[40];
    char* p = buf;
    *p++ = '"';
    if (raw < 0)
        *p++ = '-';
    p = std::to_chars(p, buf + sizeof buf, mag / static_cast<std::uint64_t>(decimal::one_raw)).ptr;
    if (digits > 0) {
        *p++ = '.';
        std::uint64_t frac = mag % static_cast<std::uint64_t>(decimal::one_raw);
        char f[decimal::scale];
        for (int k = decimal::scale - 1; k >= 0; --k) {
            f[k] = static_cast<char>('0' + frac % 10);
            frac /= 10;
        }
        for (int k = 0; k < digits; ++k)
            *p++ = f[k];
    }
    *p++ = '"';
    out_.append(buf, p);
    return *this;
}

json_writer& json_writer::raw(std::string_view json) {
    sep();
    out_ += json;
    return *this;
}

std::string json_writer::take() {
    std::string s = std::move(out_);
    clear();
    return s;
}

void json_writer::clear() noexcept {
    out_.clear();
    first_ = true;
    after_key_ = false;
}

} // namespace genesis::sim::protocol
