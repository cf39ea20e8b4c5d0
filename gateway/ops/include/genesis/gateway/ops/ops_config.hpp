// The [ops] config section: the loopback HTTP endpoint for health, metrics and control.
#pragma once

#include "genesis/config/reader.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace genesis::gateway::ops {

/// Settings of the ops endpoint.
struct ops_config {
    /// Whether the endpoint is started at all.
    bool enabled = true;
    /// Loopback only: 127.x.x.x, ::1 or localhost.
    std::string host = "127.0.0.1";
    /// TCP port; 0 picks an ephemeral one.
    std::uint16_t port = 8088;
    /// When non-empty, every request needs "Authorization: Bearer <token>". Usually
    /// "${GENESIS_OPS_TOKEN}". Never logged.
    std::string bearer_token;
};

/// True for "localhost", "::1" (or "[::1]") and any dotted-quad 127.x.x.x address.
[[nodiscard]] bool is_loopback_host(std::string_view host) noexcept;

/// Reads [ops] into out (keys absent keep out's values). A non-loopback host is an error at
/// "ops.host".
void parse_ops_section(config::table_reader& r, ops_config& out);

} // namespace genesis::gateway::ops
