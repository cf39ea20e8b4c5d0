// Where each key and table of a loaded config file is, so that checks made after parsing (across
// sections, or at start-up) can name the line like the loader's own errors do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace genesis::config {

/// A place in a source file, 1-based.
struct source_position {
    std::uint32_t line = 0;
    std::uint32_t column = 0;

    friend bool operator==(const source_position&, const source_position&) = default;
};

/// The position of every key and table of one file by dotted path ("venue", "venue.symbols",
/// "strategies.mm", array elements as "threads.io[1]"), filled by loader::parse. A value is
/// located where its value starts, a table at its header (`[venue]`), as in the loader's errors.
class key_positions {
    std::map<std::string, source_position, std::less<>> at_;

public:
    /// Records `key` at `pos`; a key recorded twice keeps its first position.
    void add(std::string key, source_position pos);

    /// Forgets every key.
    void clear() noexcept { at_.clear(); }

    [[nodiscard]] bool empty() const noexcept { return at_.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return at_.size(); }

    /// The position of `key` itself, if it is in the file.
    [[nodiscard]] std::optional<source_position> exact(std::string_view key) const;

    /// The position of `key`; when it is absent, of the nearest enclosing table that is present
    /// ("venue.symbols" absent: `[venue]`); std::nullopt when neither is in the file.
    [[nodiscard]] std::optional<source_position> find(std::string_view key) const;

    /// "file:line:column: key" at find(key), or "file: key" when nothing of it is in the file.
    [[nodiscard]] std::string where(std::string_view file, std::string_view key) const;

    /// As where(file, key), but shows `label` instead of the key (a message about several keys,
    /// e.g. "venue.api_key / venue.api_secret", located at one of them).
    [[nodiscard]] std::string where(std::string_view file, std::string_view key, std::string_view label) const;
};

} // namespace genesis::config
