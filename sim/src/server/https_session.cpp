// HTTPS connections: TLS handshake, keep-alive request loop, REST dispatch with faults, and the
// hand-off of WebSocket upgrades.
#include "request_target.hpp"
#include "rest_api.hpp"
#include "server_io.hpp"

#include <spdlog/logger.h>

#include <array>
#include <chrono>

namespace genesis::sim::server {

void reset_socket(tcp::socket& s) {
    boost::system::error_code ec;
    // SO_LINGER 0 makes close() send RST: the client sees "connection reset by peer".
    s.set_option(net::socket_base::linger(true, 0), ec);
    s.close(ec);
}

namespace {

std::string client_key_of(const server_state& st, const tcp::socket& s, std::uint64_t conn_id) {
    if (st.cfg.limits.key == "connection")
        return "conn:" + std::to_string(conn_id);
    boost::system::error_code ec;
    auto ep = s.remote_endpoint(ec);
    return ec ? std::string("ip:?") : "ip:" + ep.address().to_string();
}

http::response<http::string_body> make_response(const http::request<http::string_body>& req, const rest_reply& r) {
    http::response<http::string_body> res{static_cast<http::status>(r.status), req.version()};
    res.set(http::field::server, "genesis-sim");
    res.set(http::field::content_type, "application/json;charset=UTF-8");
    for (const auto& [k, v] : r.headers)
        res.set(k, v);
    res.body() = r.body;
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

// The error of a request that never reached the engine (http_error fault) or whose answer was
// lost after it did (lost_ack fault). A 429 or 418 carries Retry-After, as Binance's always do.
rest_reply fault_reply(const server_state& st, int status, std::chrono::seconds retry_after) {
    rest_reply r;
    r.status = status;
    const std::int64_t until_ms = protocol::to_ms(st.clk.wall()) + retry_after.count() * 1000;
    r.body = error_json(injected_error(status, until_ms));
    if (is_rate_limit_status(status))
        r.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
    return r;
}

// Holds a stalled request's connection (the stall fault, lost_ack with status 0) without ever
// answering, until the client closes it, the server shuts down, or stall_timeout passes. Reading
// is what notices the client's close; bytes it sends meanwhile (pipelined requests) are dropped.
net::awaitable<void> stall(server_state& st, tls_stream& stream, const bool& closed) {
    ++st.stats.stalled_now;
    beast::get_lowest_layer(stream).expires_after(st.cfg.stall_timeout);
    std::array<char, 1024> sink{};
    for (;;) {
        auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), use_tuple);
        if (!ec)
            continue;
        if (ec == beast::error::timeout) {
            // tcp_stream closed the socket on expiry: the session ends here.
            ++st.stats.stall_timeouts;
        } else if (!closed) {
            ++st.stats.stall_peer_closes;
        }
        break;
    }
    --st.stats.stalled_now;
}

// Keeps the open-connections gauge of /sim/stats.
class open_connection_count {
    net_stats& stats_;

public:
    explicit open_connection_count(net_stats& s) : stats_(s) { ++stats_.open_connections; }
    ~open_connection_count() { --stats_.open_connections; }
    open_connection_count(const open_connection_count&) = delete;
    open_connection_count& operator=(const open_connection_count&) = delete;
};

} // namespace

net::awaitable<void> run_tls_connection(server_io& io, std::string listener, tcp::socket socket) {
    server_state& st = io.st;
    const std::uint64_t conn_id = st.next_connection_id++;
    ++st.stats.connections;
    const open_connection_count open_count(st.stats);
    const std::string client_key = client_key_of(st, socket, conn_id);
    tls_stream stream(std::move(socket), io.tls);
    net::steady_timer wait_timer(stream.get_executor());
    bool closed = false;
    bool upgraded = false;
    closer_guard guard(io, [&] {
        if (upgraded)
            return; // the WebSocket session registered its own closer
        closed = true;
        boost::system::error_code ec;
        beast::get_lowest_layer(stream).socket().close(ec);
        wait_timer.cancel();
    });

    // The handshake gets its own deadline: a client that connects and says nothing is dropped.
    beast::get_lowest_layer(stream).expires_after(st.cfg.handshake_timeout);
    if (auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple); ec) {
        ++st.stats.tls_failures;
        co_return;
    }

    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(st.cfg.max_body_bytes);
        beast::get_lowest_layer(stream).expires_after(st.cfg.read_timeout);
        auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
        if (ec || closed) {
            // A request that does not parse gets a 400 before the connection is dropped.
            if (!closed && ec != http::error::end_of_stream && ec != beast::error::timeout &&
                ec.category() == http::make_error_code(http::error::bad_target).category()) {
                http::response<http::string_body> res{http::status::bad_request, 11};
                res.set(http::field::content_type, "application/json;charset=UTF-8");
                res.body() = error_json({-1000, "An unknown error occurred while processing the request."});
                res.keep_alive(false);
                res.prepare_payload();
                beast::get_lowest_layer(stream).expires_after(st.cfg.read_timeout);
                co_await http::async_write(stream, res, use_tuple);
            }
            break;
        }
        http::request<http::string_body> req = parser.release();

        if (websocket::is_upgrade(req)) {
            beast::get_lowest_layer(stream).expires_never();
            upgraded = true;
            co_await run_websocket(io, listener, std::move(stream), std::move(req), client_key);
            co_return;
        }

        ++st.stats.http_requests;
        const split_target_result parts = split_target(std::string_view(req.target().data(), req.target().size()));
        const std::string_view path = parts.path;
        const std::string_view query = parts.query;
        const std::string verb(req.method_string());

        const request_faults f = st.faults.on_request(listener, path, verb);
        if (f.delay.count() > 0) {
            wait_timer.expires_after(f.delay);
            co_await wait_timer.async_wait(use_tuple);
            if (closed)
                break;
        }
        if (f.reset) {
            reset_socket(beast::get_lowest_layer(stream).socket());
            co_return;
        }
        if (f.stall) {
            co_await stall(st, stream, closed);
            co_return;
        }

        rest_reply reply;
        if (f.error_status != 0) {
            reply = fault_reply(st, f.error_status, f.retry_after);
            reply.headers.emplace_back("X-MBX-USED-WEIGHT-1M",
                                       std::to_string(st.limiter.peek(client_key, st.clk.wall()).used_weight_1m));
        } else {
            rest_request rr;
            rr.verb = verb;
            rr.path = path;
            rr.query = query;
            rr.body = req.body();
            auto ct = req.find(http::field::content_type);
            if (ct != req.end())
                rr.content_type = std::string_view(ct->value().data(), ct->value().size());
            auto key = req.find("X-MBX-APIKEY");
            if (key != req.end())
                rr.api_key = std::string_view(key->value().data(), key->value().size());
            rr.client_key = client_key;
            reply = handle_rest(st, rr);
            if (f.lost_ack) {
                // The request was processed; its answer is lost.
                ++st.stats.acks_dropped;
                if (f.lost_ack_status == 0) {
                    co_await stall(st, stream, closed);
                    co_return;
                }
                auto headers = std::move(reply.headers);
                reply = fault_reply(st, f.lost_ack_status, f.retry_after);
                reply.headers.insert(reply.headers.begin(), headers.begin(), headers.end());
            }
        }
        ++st.stats.http_status[reply.status];
        auto res = make_response(req, reply);
        beast::get_lowest_layer(stream).expires_after(st.cfg.read_timeout);
        auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
        if (wec || closed || !res.keep_alive())
            break;
    }
    if (closed)
        co_return;
    // Close the TLS session politely, but never wait long for the peer.
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(use_tuple);
}

} // namespace genesis::sim::server
