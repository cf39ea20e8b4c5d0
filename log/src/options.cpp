#include <genesis/log/options.hpp>

#include "level.hpp"

namespace genesis::log {

bool is_valid_level(std::string_view level) noexcept { return detail::parse_level(level).has_value(); }

} // namespace genesis::log
