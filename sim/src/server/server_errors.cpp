#include "genesis/sim/server/server_errors.hpp"

#include <string>

namespace genesis::sim::server {

namespace {

class category final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.sim.server"; }
    std::string message(int ev) const override {
        switch (static_cast<server_errc>(ev)) {
        case server_errc::ok: return "ok";
        case server_errc::tls_failed: return "TLS identity generation or setup failed";
        case server_errc::bind_failed: return "a listener could not bind";
        case server_errc::ca_write_failed: return "the CA file could not be written";
        case server_errc::already_started: return "the server is already started";
        case server_errc::bad_config: return "invalid server configuration";
        }
        return "unknown server error";
    }
};

} // namespace

const boost::system::error_category& server_category() noexcept {
    static const category c;
    return c;
}

} // namespace genesis::sim::server
