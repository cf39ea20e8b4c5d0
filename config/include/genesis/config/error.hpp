// Diagnostics produced while loading a config file, and the exception thrown at start-up.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace genesis::config {

/// What went wrong with one key, value or file.
enum class diagnostic_kind {
    /// The file could not be read.
    io,
    /// The text is not valid TOML.
    syntax,
    /// The value has the wrong TOML type (string where an integer is expected, ...).
    wrong_type,
    /// The value has the right type but is outside the allowed range.
    out_of_range,
    /// The value is not one of the allowed choices, or fails a section's own check.
    invalid_value,
    /// A key no section parser knows.
    unknown_key,
    /// A top-level table no section is registered for.
    unknown_section,
    /// A `${NAME}` reference to an unset environment variable, or a malformed reference.
    missing_env,
};

/// One error, located in the source file.
struct diagnostic {
    diagnostic_kind kind = diagnostic_kind::invalid_value;
    /// The file name as given to the loader.
    std::string file;
    /// 1-based; 0 when the error has no position (unreadable file, absent key of an absent table).
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    /// Dotted key path, e.g. "logging.queue_size"; empty for file-level errors.
    std::string key;
    /// The text after the position, e.g. `logging.queue_size: expected a positive integer, found string "big"`.
    std::string message;

    /// "file:line:column: message" (or "file: message" without a position).
    [[nodiscard]] std::string str() const;
};

/// Renders every diagnostic, one per line.
[[nodiscard]] std::string to_string(const std::vector<diagnostic>& diagnostics);

/// Thrown at start-up when a config file is invalid. what() lists every error, one per line.
class config_error : public std::runtime_error {
    std::vector<diagnostic> diagnostics_;

public:
    explicit config_error(std::vector<diagnostic> diagnostics);

    [[nodiscard]] const std::vector<diagnostic>& diagnostics() const noexcept { return diagnostics_; }
};

} // namespace genesis::config
