#include "genesis/gateway/replay/json_text.hpp"

#include <cstdint>

namespace genesis::gateway::replay {

namespace {

/// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when s[i] does not start one.
std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    const std::size_t left = s.size() - i;
    const auto cont = [&](std::size_t k) { return (byte(k) & 0xC0u) == 0x80u; };
    if (c >= 0xC2 && c <= 0xDF)
        return left >= 2 && cont(i + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || !cont(i + 1) || !cont(i + 2))
            return 0;
        // E0 needs A0..BF (no overlong), ED needs 80..9F (no surrogate).
        if (c == 0xE0 && byte(i + 1) < 0xA0)
            return 0;
        if (c == 0xED && byte(i + 1) > 0x9F)
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3))
            return 0;
        // F0 needs 90..BF (no overlong), F4 needs 80..8F (nothing above U+10FFFF).
        if (c == 0xF0 && byte(i + 1) < 0x90)
            return 0;
        if (c == 0xF4 && byte(i + 1) > 0x8F)
            return 0;
        return 4;
    }
    return 0;
}

} // namespace

std::size_t append_json_escaped(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::size_t replaced = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        // Copy the longest run that needs no escaping in one append.
        std::size_t run = i;
        while (run < text.size()) {
            const auto c = static_cast<unsigned char>(text[run]);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
                break;
            ++run;
        }
        out.append(text.data() + i, run - i);
        i = run;
        if (i == text.size())
            break;
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
            ++i;
        } else if (c < 0x20) {
            const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
            out.append(esc, sizeof esc);
            ++i;
        } else if (const std::size_t n = utf8_sequence(text, i); n > 0) {
            out.append(text.data() + i, n);
            i += n;
        } else {
            // U+FFFD REPLACEMENT CHARACTER, one per invalid byte.
            out.append("\xEF\xBF\xBD");
            ++replaced;
            ++i;
        }
    }
    return replaced;
}

std::size_t append_json_string(std::string& out, std::string_view text) {
    out.push_back('"');
    const std::size_t replaced = append_json_escaped(out, text);
    out.push_back('"');
    return replaced;
}

} // namespace genesis::gateway::replay
