// The config loader: a registry of section parsers run over one TOML document.
#pragma once

#include "genesis/config/error.hpp"
#include "genesis/config/positions.hpp"
#include "genesis/config/reader.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::config {

/// Parses one top-level section. Called once per load, with an empty reader when the section
/// is absent, so defaults and cross-key checks always apply.
using section_parser = std::function<void(table_reader&)>;

/// Runs registered section parsers over a TOML document and collects every error.
/// A later section is added with `loader.section("risk", parser)`; nothing else changes.
class loader {
    struct entry {
        std::string name;
        section_parser parse;
    };
    std::vector<entry> sections_;
    env_lookup env_;

public:
    explicit loader(env_lookup env = process_environment());

    /// Registers the parser of top-level table `name`. Throws std::invalid_argument on a duplicate.
    loader& section(std::string name, section_parser parse);

    /// Names of the registered sections, in registration order.
    [[nodiscard]] std::vector<std::string> section_names() const;

    /// Parses TOML text; `file_name` is used in messages. Returns every error (empty: success),
    /// sorted by position. Never throws config_error. When `positions` is given, it is refilled
    /// with the position of every key and table of the text (left empty on a syntax error), so
    /// that checks made after parsing can name the line too.
    [[nodiscard]] std::vector<diagnostic> parse(std::string_view text, std::string_view file_name,
                                                key_positions* positions = nullptr) const;

    /// Reads and parses a file (`positions` as for parse; empty when the file cannot be read).
    /// Never throws config_error.
    [[nodiscard]] std::vector<diagnostic> parse_file(const std::filesystem::path& file,
                                                     key_positions* positions = nullptr) const;

    /// As parse_file, but throws config_error listing every error.
    void load_file(const std::filesystem::path& file) const;
};

/// A value plus the errors met while loading it; the value is meaningful only when ok().
template <class T>
struct loaded {
    T value{};
    std::vector<diagnostic> errors;

    [[nodiscard]] bool ok() const noexcept { return errors.empty(); }
};

} // namespace genesis::config
