// Level names of options::level (private header).
#pragma once

#include <spdlog/common.h>

#include <optional>
#include <string_view>

namespace genesis::log::detail {

inline std::optional<spdlog::level::level_enum> parse_level(std::string_view name) noexcept {
    using spdlog::level::level_enum;
    if (name == "trace")
        return level_enum::trace;
    if (name == "debug")
        return level_enum::debug;
    if (name == "info")
        return level_enum::info;
    if (name == "warn" || name == "warning")
        return level_enum::warn;
    if (name == "error" || name == "err")
        return level_enum::err;
    if (name == "critical")
        return level_enum::critical;
    if (name == "off")
        return level_enum::off;
    return std::nullopt;
}

// Short, stable names for JSON output.
inline std::string_view level_name(spdlog::level::level_enum lvl) noexcept {
    switch (lvl) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    default: return "off";
    }
}

} // namespace genesis::log::detail
