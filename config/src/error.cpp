#include "genesis/config/error.hpp"

#include <utility>

namespace genesis::config {

std::string diagnostic::str() const {
    std::string out = file;
    // Errors without a position (unreadable file) carry only the file name.
    if (line != 0) {
        out += ':' + std::to_string(line) + ':' + std::to_string(column);
    }
    out += ": ";
    out += message;
    return out;
}

std::string to_string(const std::vector<diagnostic>& diagnostics) {
    std::string out;
    for (const auto& d : diagnostics) {
        if (!out.empty())
            out += '\n';
        out += d.str();
    }
    return out;
}

config_error::config_error(std::vector<diagnostic> diagnostics)
        : std::runtime_error(to_string(diagnostics)), diagnostics_(std::move(diagnostics)) {}

} // namespace genesis::config
