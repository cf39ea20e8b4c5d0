// JSON string escaping shared by the JSON formatter and the redactor (private header).
#pragma once

#include <cstddef>
#include <string_view>

namespace genesis::log::detail {

// Length of the valid UTF-8 sequence starting at p (lead byte >= 0x80), 0 if invalid.
inline std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end) noexcept {
    const auto cont = [&](std::size_t i, unsigned char lo = 0x80, unsigned char hi = 0xbf) {
        return p + i < end && p[i] >= lo && p[i] <= hi;
    };
    const unsigned char c = *p;
    if (c >= 0xc2 && c <= 0xdf)
        return cont(1) ? 2 : 0;
    if (c == 0xe0)
        return cont(1, 0xa0) && cont(2) ? 3 : 0;
    if (c == 0xed)
        return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
    if (c >= 0xe1 && c <= 0xef)
        return cont(1) && cont(2) ? 3 : 0;
    if (c == 0xf0)
        return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    if (c >= 0xf1 && c <= 0xf3)
        return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (c == 0xf4)
        return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
    return 0;
}

// Appends `in` escaped for the inside of a JSON string; invalid UTF-8 becomes U+FFFD.
// Buf: std::string or fmt::memory_buffer.
template <class Buf>
void append_json_escaped(std::string_view in, Buf& out) {
    constexpr std::string_view hex = "0123456789abcdef";
    const auto append = [&](std::string_view s) { out.append(s.data(), s.data() + s.size()); };
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    const auto* end = p + in.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c >= 0x80) {
            const std::size_t len = utf8_sequence_length(p, end);
            if (len == 0) {
                append("\\ufffd");
                ++p;
            } else {
                out.append(reinterpret_cast<const char*>(p), reinterpret_cast<const char*>(p + len));
                p += len;
            }
            continue;
        }
        switch (c) {
        case '"': append("\\\""); break;
        case '\\': append("\\\\"); break;
        case '\n': append("\\n"); break;
        case '\r': append("\\r"); break;
        case '\t': append("\\t"); break;
        case '\b': append("\\b"); break;
        case '\f': append("\\f"); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                const char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
                out.append(u, u + sizeof u);
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
        ++p;
    }
}

} // namespace genesis::log::detail
