#include "genesis/ws/error.hpp"

#include <string>

namespace genesis::ws {
namespace {

class ws_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.ws"; }

    std::string message(int ev) const override {
        switch (static_cast<ws_errc>(ev)) {
        case ws_errc::ok: return "success";
        case ws_errc::invalid_url: return "invalid WebSocket URL";
        case ws_errc::ca_file_invalid: return "CA file could not be loaded";
        case ws_errc::resolve_failed: return "host name did not resolve";
        case ws_errc::connect_failed: return "TCP connect failed";
        case ws_errc::tls_handshake_failed: return "TLS handshake failed";
        case ws_errc::certificate_rejected: return "server certificate rejected";
        case ws_errc::ws_handshake_failed: return "WebSocket upgrade refused";
        case ws_errc::timeout: return "timed out";
        case ws_errc::idle_timeout: return "no data frame within the idle watchdog";
        case ws_errc::closed_by_peer: return "connection closed by the server";
        case ws_errc::read_failed: return "read failed";
        case ws_errc::write_failed: return "write failed";
        case ws_errc::write_queue_full: return "write queue full";
        case ws_errc::not_connected: return "no open connection";
        case ws_errc::budget_exhausted: return "reconnect budget exhausted";
        case ws_errc::stopped: return "stopped";
        case ws_errc::rotated: return "connection rotated";
        case ws_errc::callback_failed: return "callback threw";
        case ws_errc::already_started: return "session already started or stopped";
        }
        return "unknown genesis.ws error";
    }

    boost::system::error_condition default_error_condition(int ev) const noexcept override {
        switch (static_cast<ws_errc>(ev)) {
        case ws_errc::invalid_url:
        case ws_errc::ca_file_invalid:
        case ws_errc::already_started: return make_error_condition(ws_condition::configuration);
        case ws_errc::certificate_rejected: return make_error_condition(ws_condition::security);
        case ws_errc::resolve_failed:
        case ws_errc::connect_failed:
        case ws_errc::tls_handshake_failed:
        case ws_errc::ws_handshake_failed:
        case ws_errc::timeout:
        case ws_errc::idle_timeout:
        case ws_errc::closed_by_peer:
        case ws_errc::read_failed:
        case ws_errc::write_failed: return make_error_condition(ws_condition::connection);
        case ws_errc::write_queue_full:
        case ws_errc::not_connected:
        case ws_errc::budget_exhausted:
        case ws_errc::callback_failed: return make_error_condition(ws_condition::local);
        case ws_errc::ok:
        case ws_errc::stopped:
        case ws_errc::rotated: break;
        }
        return {ev, *this};
    }
};

class ws_condition_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.ws.condition"; }

    std::string message(int ev) const override {
        switch (static_cast<ws_condition>(ev)) {
        case ws_condition::configuration: return "configuration error";
        case ws_condition::security: return "peer identity refused";
        case ws_condition::connection: return "connection failure";
        case ws_condition::local: return "local back-pressure or usage error";
        }
        return "unknown genesis.ws condition";
    }
};

} // namespace

const boost::system::error_category& ws_category() noexcept {
    static const ws_category_impl instance;
    return instance;
}

const boost::system::error_category& ws_condition_category() noexcept {
    static const ws_condition_category_impl instance;
    return instance;
}

} // namespace genesis::ws
