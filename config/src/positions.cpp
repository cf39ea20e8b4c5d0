#include "genesis/config/positions.hpp"

#include <utility>

namespace genesis::config {

namespace {

// The key one level up: "a.b[2]" -> "a.b", "a.b" -> "a", "a" -> "".
std::string_view parent(std::string_view key) {
    if (key.ends_with(']')) {
        if (const auto open = key.rfind('['); open != std::string_view::npos)
            return key.substr(0, open);
    }
    const auto dot = key.rfind('.');
    return dot == std::string_view::npos ? std::string_view{} : key.substr(0, dot);
}

} // namespace

void key_positions::add(std::string key, source_position pos) { at_.emplace(std::move(key), pos); }

std::optional<source_position> key_positions::exact(std::string_view key) const {
    if (auto it = at_.find(key); it != at_.end())
        return it->second;
    return std::nullopt;
}

std::optional<source_position> key_positions::find(std::string_view key) const {
    // An absent key is pointed at the table it belongs in, the place to add it.
    for (; !key.empty(); key = parent(key)) {
        if (auto pos = exact(key))
            return pos;
    }
    return std::nullopt;
}

std::string key_positions::where(std::string_view file, std::string_view key) const { return where(file, key, key); }

std::string key_positions::where(std::string_view file, std::string_view key, std::string_view label) const {
    std::string out(file);
    if (const auto pos = find(key))
        out += ':' + std::to_string(pos->line) + ':' + std::to_string(pos->column);
    out += ": ";
    out += label;
    return out;
}

} // namespace genesis::config
