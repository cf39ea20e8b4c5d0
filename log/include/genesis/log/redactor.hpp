// Replaces secrets by "***" in formatted log text. Free of spdlog so config code can use it.
#pragma once

#include <cstddef>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::log {

/// Masks registered secret values and anything shaped like a credential:
/// `signature=…`, `"signature":"…"`, `X-MBX-APIKEY: …`, `"apiKey":"…"`, `apiKey=…`,
/// `secret=…` (keys matched case-insensitively, also `api_key`, `passphrase`, `password`,
/// also in JSON-escaped text such as `\"apiKey\":\"…\"`). Thread-safe; secrets may be added
/// while other threads redact.
class redactor {
    mutable std::shared_mutex mutex_;
    // Longest first, so a secret containing another is masked whole.
    std::vector<std::string> secrets_;

public:
    /// The replacement of every secret.
    static constexpr std::string_view mask = "***";

    /// Registers a secret value (API key, secret, passphrase). Its JSON-escaped form is
    /// registered too. Empty values are ignored.
    void add_secret(std::string_view value);

    /// Registers the value of environment variable `name`; false if it is unset or empty.
    bool add_secret_from_env(const char* name);

    /// Cheap pre-check: false means `text` holds no registered secret and no trigger keyword.
    [[nodiscard]] bool may_contain_secret(std::string_view text) const;

    /// Masks `text` in place; returns the number of values replaced.
    std::size_t redact(std::string& text) const;

    /// A masked copy of `text`.
    [[nodiscard]] std::string redacted(std::string_view text) const;

private:
    bool may_contain_unlocked(std::string_view text) const noexcept;
};

} // namespace genesis::log
