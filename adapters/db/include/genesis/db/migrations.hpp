// The schema: an ordered list of migrations, each applied once and recorded in schema_version.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace genesis::db {

/// One step of the schema. Versions start at 1 and increase by one; never edit a released step,
/// append a new one.
struct migration {
    std::uint32_t version;
    std::string_view description;
    std::string_view sql; ///< one or more statements, run inside the open transaction
};

/// Every migration this build knows, in order.
std::span<const migration> migrations() noexcept;

/// The newest schema version this build knows (the last migration's version).
std::uint32_t latest_schema_version() noexcept;

} // namespace genesis::db
