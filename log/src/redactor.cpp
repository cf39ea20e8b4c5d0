#include <genesis/log/redactor.hpp>

#include "json_escape.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <mutex>

namespace genesis::log {
namespace {

// Lower-case key words that introduce a credential; matched case-insensitively.
constexpr std::array<std::string_view, 7> keywords{"signature", "secret",     "apikey",  "api_key",
                                                   "api-key",   "passphrase", "password"};

constexpr char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

constexpr bool is_ident(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

constexpr bool is_space(char c) noexcept { return c == ' ' || c == '\t'; }

// End of an unquoted value (query parameter, header, key=value).
constexpr bool ends_bare_value(char c) noexcept {
    switch (c) {
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case '&':
    case '"':
    case '\'':
    case ',':
    case ';':
    case '\\':
    case '}':
    case ']':
    case ')':
    case '<':
    case '>': return true;
    default: return false;
    }
}

// Length of the keyword starting at text[i], 0 if none. The first-letter switch keeps
// the scan of ordinary text to one compare per byte.
std::size_t keyword_at(std::string_view text, std::size_t i) noexcept {
    const char c = lower(text[i]);
    if (c != 's' && c != 'a' && c != 'p')
        return 0;
    for (const auto kw : keywords) {
        if (kw[0] != c || text.size() - i < kw.size())
            continue;
        bool match = true;
        for (std::size_t k = 1; k < kw.size() && match; ++k)
            match = lower(text[i + k]) == kw[k];
        if (match)
            return kw.size();
    }
    return 0;
}

bool has_keyword(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (keyword_at(text, i) != 0)
            return true;
    }
    return false;
}

bool starts_with_at(std::string_view text, std::size_t i, std::string_view s) noexcept {
    return text.size() >= i && text.substr(i).starts_with(s);
}

// Finds the value of a `key=value` / `key: value` / `"key":"value"` (raw or JSON-escaped)
// whose key word ends at `j`; returns [begin, end) or begin == end if there is none.
std::pair<std::size_t, std::size_t> value_after_key(std::string_view text, std::size_t j) noexcept {
    const std::size_t n = text.size();
    // Suffixes such as secretKey, apiKeyId, X-MBX-APIKEY stay part of the key.
    while (j < n && is_ident(text[j]))
        ++j;
    // Closing quote of a JSON key, raw or escaped inside a JSON log line.
    if (starts_with_at(text, j, "\\\"")) {
        j += 2;
    } else if (j < n && (text[j] == '"' || text[j] == '\'')) {
        ++j;
    }
    while (j < n && is_space(text[j]))
        ++j;
    if (j >= n || (text[j] != '=' && text[j] != ':'))
        return {j, j};
    ++j;
    while (j < n && is_space(text[j]))
        ++j;
    if (starts_with_at(text, j, "\\\"")) {
        // Escaped string value: ends at the next escaped quote.
        const std::size_t begin = j + 2;
        const std::size_t end = text.find("\\\"", begin);
        return {begin, end == std::string_view::npos ? n : end};
    }
    if (j < n && (text[j] == '"' || text[j] == '\'')) {
        // Quoted value: ends at the next unescaped matching quote.
        const char quote = text[j];
        std::size_t end = j + 1;
        while (end < n && text[end] != quote)
            end += (text[end] == '\\') ? 2 : 1;
        return {j + 1, std::min(end, n)};
    }
    std::size_t end = j;
    while (end < n && !ends_bare_value(text[end]))
        ++end;
    return {j, end};
}

} // namespace

void redactor::add_secret(std::string_view value) {
    if (value.empty())
        return;
    std::string escaped;
    detail::append_json_escaped(value, escaped);
    std::unique_lock lock(mutex_);
    const auto add = [this](std::string_view s) {
        if (std::find(secrets_.begin(), secrets_.end(), s) == secrets_.end())
            secrets_.emplace_back(s);
    };
    add(value);
    add(escaped);
    std::stable_sort(secrets_.begin(), secrets_.end(),
                     [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

bool redactor::add_secret_from_env(const char* name) {
    // Read at startup only, before threads that might call setenv exist.
    const char* value = std::getenv(name); // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr || *value == '\0')
        return false;
    add_secret(value);
    return true;
}

bool redactor::may_contain_unlocked(std::string_view text) const noexcept {
    if (has_keyword(text))
        return true;
    return std::any_of(secrets_.begin(), secrets_.end(),
                       [&](const std::string& s) { return text.find(s) != std::string_view::npos; });
}

bool redactor::may_contain_secret(std::string_view text) const {
    std::shared_lock lock(mutex_);
    return may_contain_unlocked(text);
}

std::size_t redactor::redact(std::string& text) const {
    std::shared_lock lock(mutex_);
    if (!may_contain_unlocked(text))
        return 0;
    std::size_t count = 0;
    // Registered values first, anywhere in the text.
    for (const auto& s : secrets_) {
        for (std::size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + mask.size())) {
            text.replace(pos, s.size(), mask);
            ++count;
        }
    }
    // Then credential-shaped key/value pairs.
    for (std::size_t i = 0; i < text.size(); ++i) {
        const std::size_t kw = keyword_at(text, i);
        if (kw == 0)
            continue;
        const auto [begin, end] = value_after_key(text, i + kw);
        if (end <= begin || std::string_view(text).substr(begin, end - begin) == mask) {
            i += kw - 1;
            continue;
        }
        text.replace(begin, end - begin, mask);
        ++count;
        i = begin + mask.size() - 1;
    }
    return count;
}

std::string redactor::redacted(std::string_view text) const {
    std::string out(text);
    redact(out);
    return out;
}

} // namespace genesis::log
