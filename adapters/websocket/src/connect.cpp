#include "connection.hpp"

#include "genesis/ws/url.hpp"

#include <boost/beast/http.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace genesis::ws {

namespace http = beast::http;

result<ssl::context> make_tls_context(const std::string& ca_file) {
    ssl::context ctx(ssl::context::tls_client);
    error_code ec;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                    ec);
    if (!ec)
        ctx.set_verify_mode(ssl::verify_peer, ec);
    if (!ec) {
        if (ca_file.empty())
            ctx.set_default_verify_paths(ec);
        else
            ctx.load_verify_file(ca_file, ec);
    }
    if (ec)
        return make_error_code(ws_errc::ca_file_invalid);
    return ctx;
}

net::awaitable<std::pair<ws_errc, error_code>> connect(connection& c, const connect_settings& s) {
    auto [rec, endpoints] = co_await c.resolver.async_resolve(s.host, s.port, use_tuple);
    if (rec)
        co_return std::pair{ws_errc::resolve_failed, rec};

    auto& tcp_layer = beast::get_lowest_layer(c.ws);
    tcp_layer.expires_after(s.connect_timeout);
    auto [cec, ep] = co_await tcp_layer.async_connect(endpoints, use_tuple);
    if (cec)
        co_return std::pair{cec == beast::error::timeout ? ws_errc::timeout : ws_errc::connect_failed, cec};

    auto& tls = c.ws.next_layer();
    // Set SNI Hostname (many hosts need this to handshake successfully); never for IP literals.
    if (!is_ip_literal(s.tls_host) && SSL_set_tlsext_host_name(tls.native_handle(), s.tls_host.c_str()) != 1)
        co_return std::pair{ws_errc::tls_handshake_failed,
                            error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category())};
    // Verify the certificate chain (context) and that it names the host we meant to reach.
    tls.set_verify_mode(ssl::verify_peer);
    tls.set_verify_callback(ssl::host_name_verification(s.tls_host));
    tcp_layer.expires_after(s.handshake_timeout);
    auto [hec] = co_await tls.async_handshake(ssl::stream_base::client, use_tuple);
    if (hec) {
        if (hec == beast::error::timeout)
            co_return std::pair{ws_errc::timeout, hec};
        const long verify = SSL_get_verify_result(tls.native_handle());
        co_return std::pair{verify != X509_V_OK ? ws_errc::certificate_rejected : ws_errc::tls_handshake_failed, hec};
    }

    // The WebSocket layer has its own timeouts from here on: handshake, close and keep-alive.
    tcp_layer.expires_never();
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
    timeouts.handshake_timeout = s.handshake_timeout;
    if (s.keepalive_idle.count() > 0) {
        timeouts.idle_timeout = std::chrono::duration_cast<std::chrono::steady_clock::duration>(s.keepalive_idle);
        timeouts.keep_alive_pings = true;
    }
    c.ws.set_option(timeouts);
    c.ws.set_option(websocket::stream_base::decorator(
        [ua = s.user_agent](websocket::request_type& req) { req.set(http::field::user_agent, ua); }));
    c.ws.read_message_max(s.max_message_bytes);
    // Pings are answered with pongs by Beast itself while a read is pending (the reader always is).
    websocket::response_type res;
    auto [wec] = co_await c.ws.async_handshake(res, s.host_header, s.target, use_tuple);
    if (wec)
        co_return std::pair{wec == beast::error::timeout ? ws_errc::timeout : ws_errc::ws_handshake_failed, wec};
    co_return std::pair{ws_errc::ok, error_code{}};
}

ws_errc classify_read_error(const error_code& ec, bool local) noexcept {
    if (local)
        return ws_errc::stopped;
    if (ec == websocket::error::closed || ec == net::error::eof || ec == net::ssl::error::stream_truncated ||
        ec == net::error::connection_reset || ec == net::error::broken_pipe)
        return ws_errc::closed_by_peer;
    if (ec == beast::error::timeout)
        return ws_errc::timeout;
    return ws_errc::read_failed;
}

} // namespace genesis::ws
