// The plain-HTTP control endpoint on loopback: GET/POST /sim/faults, GET /sim/stats,
// POST /sim/agents?enabled=true|false.
#include "json_util.hpp"
#include "server_io.hpp"

#include <spdlog/logger.h>

namespace genesis::sim::server {

namespace {

http::response<http::string_body> reply(const http::request<http::string_body>& req, http::status s, std::string body) {
    http::response<http::string_body> res{s, req.version()};
    res.set(http::field::server, "genesis-sim");
    res.set(http::field::content_type, "application/json");
    res.body() = std::move(body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

http::response<http::string_body> handle(server_io& io, const http::request<http::string_body>& req) {
    server_state& st = io.st;
    const std::string_view target(req.target().data(), req.target().size());
    const auto q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const std::string_view query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
    if (path == "/sim/stats" && req.method() == http::verb::get)
        return reply(req, http::status::ok, stats_json(st));
    if (path == "/sim/faults" && req.method() == http::verb::get)
        return reply(req, http::status::ok, to_json(st.faults.config()));
    if (path == "/sim/faults" && req.method() == http::verb::post) {
        auto f = parse_fault_config_json(req.body());
        if (!f)
            return reply(req, http::status::bad_request,
                         "{\"error\":\"invalid fault configuration (format: genesis/sim/server/faults.hpp)\"}");
        if (io.log)
            io.log->info("sim: fault rules replaced ({} rules, seed {}, clock skew {} ms)", f->rules.size(), f->seed,
                         f->clock_skew.count());
        st.set_faults(std::move(*f));
        return reply(req, http::status::ok, to_json(st.faults.config()));
    }
    if (path == "/sim/agents" && req.method() == http::verb::post) {
        if (query.find("enabled=false") != std::string_view::npos)
            st.agents_enabled = false;
        else if (query.find("enabled=true") != std::string_view::npos)
            st.agents_enabled = true;
        else
            return reply(req, http::status::bad_request, "{\"error\":\"expected ?enabled=true|false\"}");
        return reply(req, http::status::ok,
                     std::string("{\"agents_enabled\":") + (st.agents_enabled ? "true" : "false") + "}");
    }
    if (path == "/sim/ping")
        return reply(req, http::status::ok, "{}");
    return reply(req, http::status::not_found, "{\"error\":\"not found\"}");
}

} // namespace

net::awaitable<void> run_control_connection(server_io& io, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    bool closed = false;
    closer_guard guard(io, [&] {
        closed = true;
        boost::system::error_code ec;
        stream.socket().close(ec);
    });
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        stream.expires_after(io.st.cfg.read_timeout);
        auto [ec, n] = co_await http::async_read(stream, buffer, req, use_tuple);
        if (ec || closed)
            break;
        auto res = handle(io, req);
        auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
        if (wec || closed || !res.keep_alive())
            break;
    }
    if (!closed) {
        boost::system::error_code ec;
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
}

} // namespace genesis::sim::server
