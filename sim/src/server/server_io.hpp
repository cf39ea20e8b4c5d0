// The server's I/O side shared by its Beast translation units: io_context, TLS context, the
// registry of live connections (for shutdown) and the connection entry points.
#pragma once

#include "net.hpp"
#include "server_state.hpp"

#include "genesis/log/fwd.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

namespace genesis::sim::server {

/// Everything a connection needs. Lives on (and is used only from) the I/O thread.
struct server_io {
    server_state& st;
    net::io_context& ioc;
    ssl::context& tls;
    log::logger_ptr log;
    bool stopping = false;
    std::uint64_t next_id = 1;
    std::unordered_map<std::uint64_t, std::function<void()>> closers;

    /// Registers how to abort a connection at shutdown; returns its id.
    std::uint64_t add_closer(std::function<void()> f) {
        const std::uint64_t id = next_id++;
        closers.emplace(id, std::move(f));
        return id;
    }
    void remove_closer(std::uint64_t id) { closers.erase(id); }
};

/// Removes a closer when the connection's coroutine ends.
class closer_guard {
    server_io& io_;
    std::uint64_t id_;

public:
    closer_guard(server_io& io, std::function<void()> f) : io_(io), id_(io.add_closer(std::move(f))) {}
    ~closer_guard() { io_.remove_closer(id_); }
    closer_guard(const closer_guard&) = delete;
    closer_guard& operator=(const closer_guard&) = delete;
};

/// One accepted TLS connection: handshake, then HTTP requests or a WebSocket upgrade.
net::awaitable<void> run_tls_connection(server_io& io, std::string listener, tcp::socket socket);

/// A WebSocket session on an upgraded TLS stream (market streams, listenKey or WS-API).
net::awaitable<void> run_websocket(server_io& io, std::string listener, tls_stream stream,
                                   http::request<http::string_body> req, std::string client_key);

/// One plain-HTTP control connection (/sim/faults, /sim/stats).
net::awaitable<void> run_control_connection(server_io& io, tcp::socket socket);

/// /sim/stats as JSON (Beast-free, in stats_json.cpp).
std::string stats_json(server_state& st);

/// Resets a TCP connection (RST instead of FIN), for the reset fault.
void reset_socket(tcp::socket& s);

} // namespace genesis::sim::server
