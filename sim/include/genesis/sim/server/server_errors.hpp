// Errors of the genesis-sim network server (startup failures; request errors are Binance's).
#pragma once

#include "genesis/core/error.hpp"

#include <type_traits>

namespace genesis::sim::server {

/// Why the server could not start. Values are stable: never renumber, only append.
enum class server_errc {
    ok = 0,
    tls_failed = 1,      ///< key or certificate generation, or loading them into TLS
    bind_failed = 2,     ///< a listener could not bind or listen
    ca_write_failed = 3, ///< the CA file could not be written
    already_started = 4, ///< start() twice
    bad_config = 5,      ///< an invalid setting
};

/// The category of server_errc values ("genesis.sim.server").
const boost::system::error_category& server_category() noexcept;

inline error_code make_error_code(server_errc e) noexcept { return {static_cast<int>(e), server_category()}; }

} // namespace genesis::sim::server

template <>
struct boost::system::is_error_code_enum<genesis::sim::server::server_errc> : std::true_type {};
