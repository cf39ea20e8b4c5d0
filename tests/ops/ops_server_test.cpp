#include "genesis/gateway/ops/ops_server.hpp"

#include "genesis/gateway/ops/error.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ops = genesis::gateway::ops;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

std::string thread_name(std::thread::id id) {
    std::ostringstream os;
    os << id;
    return os.str();
}

// A plain blocking client on loopback; one connection, several requests.
class client {
    net::io_context ioc_;
    tcp::socket socket_{ioc_};
    beast::flat_buffer buffer_;

public:
    explicit client(std::uint16_t port) { socket_.connect({net::ip::make_address("127.0.0.1"), port}); }

    http::response<http::string_body> send(http::verb verb, std::string target, std::string token = {},
                                           std::string body = {}, bool keep_alive = true,
                                           std::vector<std::pair<std::string, std::string>> headers = {}) {
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, "127.0.0.1");
        for (const auto& [name, value] : headers)
            req.set(name, value);
        if (!token.empty())
            req.set(http::field::authorization, "Bearer " + token);
        req.body() = std::move(body);
        req.keep_alive(keep_alive);
        req.prepare_payload();
        http::write(socket_, req);
        http::response<http::string_body> res;
        http::read(socket_, buffer_, res);
        return res;
    }

    // True when the server closed the connection (read returns EOF).
    bool closed_by_peer() {
        char c = 0;
        boost::system::error_code ec;
        socket_.read_some(net::buffer(&c, 1), ec);
        return ec == net::error::eof || ec == net::error::connection_reset;
    }
};

} // namespace

class OpsServerTest : public ::testing::Test {
protected:
    net::io_context io_;
    net::io_context worker_; // stands in for the gateway's processing thread
    std::optional<ops::ops_server> server_;
    std::thread io_thread_;
    std::thread worker_thread_;
    std::thread::id worker_id_;
    net::executor_work_guard<net::io_context::executor_type> io_guard_ = net::make_work_guard(io_);
    net::executor_work_guard<net::io_context::executor_type> worker_guard_ = net::make_work_guard(worker_);

    void start(ops::ops_server_options opts = {}) {
        server_.emplace(io_, std::move(opts));
        server_->route(ops::http_method::get, "/health", [](const ops::ops_request&, ops::ops_reply reply) {
            reply(ops::ops_response::text(200, "ok"));
        });
        server_->route(ops::http_method::post, "/strategies/{name}/reload",
                       [this](const ops::ops_request& req, ops::ops_reply reply) {
                           // Work done elsewhere; the reply comes from the worker thread.
                           net::post(worker_, [name = std::string(*req.param("name")), reply] {
                               reply(ops::ops_response::json(200, "{\"reloaded\":\"" + name + "\",\"thread\":\"" +
                                                                      thread_name(std::this_thread::get_id()) + "\"}"));
                           });
                       });
        server_->route(ops::http_method::get, "/never",
                       [](const ops::ops_request&, ops::ops_reply) { /* never replies */ });
        server_->route(ops::http_method::get, "/throws",
                       [](const ops::ops_request&, ops::ops_reply) { throw std::runtime_error("boom"); });
        ASSERT_TRUE(server_->start().has_value());
        ASSERT_NE(server_->port(), 0);
        io_thread_ = std::thread([this] { io_.run(); });
        worker_thread_ = std::thread([this] { worker_.run(); });
        worker_id_ = worker_thread_.get_id();
    }

    void TearDown() override {
        if (server_)
            server_->stop();
        io_guard_.reset();
        worker_guard_.reset();
        if (io_thread_.joinable())
            io_thread_.join();
        if (worker_thread_.joinable())
            worker_thread_.join();
        server_.reset();
    }
};

TEST_F(OpsServerTest, getOk) {
    start();
    client c(server_->port());
    const auto res = c.send(http::verb::get, "/health");
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res.body(), "ok");
    EXPECT_EQ(res[http::field::content_type], "text/plain; charset=utf-8");
}

TEST_F(OpsServerTest, bearerTokenRequired) {
    ops::ops_server_options o;
    o.bearer_token = "t0ken";
    start(o);
    client c(server_->port());
    const auto none = c.send(http::verb::get, "/health");
    EXPECT_EQ(none.result_int(), 401u);
    EXPECT_NE(none[http::field::www_authenticate].find("Bearer"), std::string::npos);
    EXPECT_EQ(c.send(http::verb::get, "/health", "t0ken-wrong").result_int(), 401u);
    EXPECT_EQ(c.send(http::verb::get, "/health", "t0ke").result_int(), 401u);
    // Unknown paths are hidden behind auth too.
    EXPECT_EQ(c.send(http::verb::get, "/nope").result_int(), 401u);
    const auto ok = c.send(http::verb::get, "/health", "t0ken");
    EXPECT_EQ(ok.result_int(), 200u);
    EXPECT_EQ(server_->counters().unauthorized, 4u);
}

TEST_F(OpsServerTest, requestsFromWebPagesAreRefused) {
    ops::ops_server_options o;
    o.bearer_token = "t0ken";
    start(o);
    client c(server_->port());
    using headers = std::vector<std::pair<std::string, std::string>>;
    const auto post = [&](headers h) {
        return c.send(http::verb::post, "/strategies/mm/reload", "t0ken", {}, true, std::move(h)).result_int();
    };
    // A page's cross-origin POST, a fetch, and a DNS-rebinding page (its own name in Host): 403
    // before the handler runs, with or without the token.
    EXPECT_EQ(post({{"Origin", "https://evil.example"}}), 403u);
    EXPECT_EQ(post({{"Sec-Fetch-Site", "cross-site"}}), 403u);
    EXPECT_EQ(post({{"Host", "evil.example:8088"}}), 403u);
    EXPECT_EQ(c.send(http::verb::get, "/health", {}, {}, true, {{"Origin", "null"}}).result_int(), 403u);
    EXPECT_EQ(server_->counters().forbidden, 4u);
    // Tools on this machine: loopback names in Host, a typed-in address bar (Sec-Fetch-Site: none).
    EXPECT_EQ(post({{"Host", "localhost:8088"}}), 200u);
    EXPECT_EQ(post({{"Host", "[::1]:8088"}}), 200u);
    EXPECT_EQ(post({{"Host", "127.0.0.1"}, {"Sec-Fetch-Site", "none"}}), 200u);
    EXPECT_EQ(server_->counters().forbidden, 4u);
}

TEST_F(OpsServerTest, unknownPathAndWrongMethod) {
    start();
    client c(server_->port());
    EXPECT_EQ(c.send(http::verb::get, "/missing").result_int(), 404u);
    EXPECT_EQ(c.send(http::verb::get, "/strategies/mm").result_int(), 404u);
    const auto res = c.send(http::verb::post, "/health");
    EXPECT_EQ(res.result_int(), 405u);
    EXPECT_EQ(res[http::field::allow], "GET");
    const auto res2 = c.send(http::verb::get, "/strategies/mm/reload");
    EXPECT_EQ(res2.result_int(), 405u);
    EXPECT_EQ(res2[http::field::allow], "POST");
}

TEST_F(OpsServerTest, replyFromAnotherThreadWithParam) {
    start();
    client c(server_->port());
    const auto res = c.send(http::verb::post, "/strategies/mm%2D1/reload");
    ASSERT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res[http::field::content_type], "application/json");
    EXPECT_NE(res.body().find("\"reloaded\":\"mm-1\""), std::string::npos) << res.body();
    EXPECT_NE(res.body().find(thread_name(worker_id_)), std::string::npos) << res.body();
}

TEST_F(OpsServerTest, keepAliveTwoRequestsOneConnection) {
    start();
    client c(server_->port());
    const auto a = c.send(http::verb::get, "/health");
    const auto b = c.send(http::verb::post, "/strategies/x/reload");
    EXPECT_EQ(a.result_int(), 200u);
    EXPECT_TRUE(a.keep_alive());
    EXPECT_EQ(b.result_int(), 200u);
    const auto k = server_->counters();
    EXPECT_EQ(k.accepted_connections, 1u);
    EXPECT_EQ(k.requests, 2u);
    EXPECT_EQ(k.responses_by_class[1], 2u);
    // Connection: close is honoured.
    const auto last = c.send(http::verb::get, "/health", {}, {}, false);
    EXPECT_FALSE(last.keep_alive());
    EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(OpsServerTest, oversizeBodyRejected) {
    ops::ops_server_options o;
    o.body_limit = 1024;
    start(o);
    client c(server_->port());
    const auto res = c.send(http::verb::post, "/strategies/x/reload", {}, std::string(64 * 1024, 'x'));
    EXPECT_EQ(res.result_int(), 413u);
    EXPECT_FALSE(res.keep_alive());
    EXPECT_EQ(server_->counters().responses_by_class[3], 1u);
}

TEST_F(OpsServerTest, handlerTimeoutAndThrow) {
    ops::ops_server_options o;
    o.handler_timeout = 50ms;
    start(o);
    client c(server_->port());
    EXPECT_EQ(c.send(http::verb::get, "/throws").result_int(), 500u);
    EXPECT_EQ(c.send(http::verb::get, "/never").result_int(), 503u);
    EXPECT_EQ(server_->counters().handler_timeouts, 1u);
}

TEST_F(OpsServerTest, boundedConnections) {
    ops::ops_server_options o;
    o.max_connections = 1;
    start(o);
    client a(server_->port());
    EXPECT_EQ(a.send(http::verb::get, "/health").result_int(), 200u);
    client b(server_->port());
    EXPECT_TRUE(b.closed_by_peer());
    EXPECT_EQ(server_->counters().rejected_connections, 1u);
}

TEST_F(OpsServerTest, stopClosesConnections) {
    start();
    client c(server_->port());
    EXPECT_EQ(c.send(http::verb::get, "/health").result_int(), 200u);
    server_->stop();
    EXPECT_TRUE(c.closed_by_peer());
}

TEST(OpsServerStartTest, refusesNonLoopbackHost) {
    net::io_context io;
    ops::ops_server_options o;
    o.host = "0.0.0.0";
    ops::ops_server s(io, o);
    const auto r = s.start();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), ops::ops_errc::non_loopback_host);
}

TEST(OpsServerStartTest, routePatternValidated) {
    net::io_context io;
    ops::ops_server s(io, {});
    const auto h = [](const ops::ops_request&, ops::ops_reply) {};
    EXPECT_THROW(s.route(ops::http_method::get, "nope", h), std::invalid_argument);
    EXPECT_THROW(s.route(ops::http_method::get, "/a/{x}/{y}", h), std::invalid_argument);
    EXPECT_THROW(s.route(ops::http_method::get, "/a/x{y}", h), std::invalid_argument);
    s.route(ops::http_method::get, "/a/{x}", h);
    EXPECT_THROW(s.route(ops::http_method::get, "/a/{x}", h), std::invalid_argument);
}
