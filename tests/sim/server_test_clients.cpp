#include "server_test_clients.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <openssl/hmac.h>

#include <cctype>
#include <deque>
#include <functional>

namespace genesis::sim::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using boost::system::error_code;

std::pair<std::string, std::string> split_url(const std::string& url) {
    auto s = url.substr(url.find("://") + 3);
    s = s.substr(0, s.find('/'));
    const auto c = s.rfind(':');
    return {s.substr(0, c), s.substr(c + 1)};
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string hmac_hex(const std::string& key, const std::string& msg) {
    unsigned char out[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
         msg.size(), out, &len);
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (unsigned i = 0; i < len; ++i) {
        s += hex[out[i] >> 4];
        s += hex[out[i] & 15];
    }
    return s;
}

namespace {

// Runs the io_context until done() or the deadline; false on timeout.
template <class Done>
bool run_until(net::io_context& ioc, Done done, std::chrono::steady_clock::time_point deadline) {
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        ioc.restart();
        ioc.run_one_until(deadline);
    }
    return true;
}

void setup_tls(ssl::context& ctx, const std::string& ca_file) {
    ctx.set_verify_mode(ssl::verify_peer);
    ctx.load_verify_file(ca_file);
}

template <class Stream>
bool tls_connect(net::io_context& ioc, Stream& s, const std::string& host, const std::string& port,
                 const std::string& verify_host, std::chrono::milliseconds timeout, error_code& out) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    tcp::resolver res(ioc);
    error_code ec;
    auto eps = res.resolve(host, port, ec);
    if (ec) {
        out = ec;
        return false;
    }
    auto& low = beast::get_lowest_layer(s);
    low.expires_after(timeout);
    bool done = false;
    low.async_connect(eps, [&](error_code e, const tcp::endpoint&) {
        ec = e;
        done = true;
    });
    if (!run_until(
            ioc, [&] { return done; }, deadline) ||
        ec) {
        out = ec ? ec : make_error_code(beast::error::timeout);
        return false;
    }
    // SNI only for names; verification for names and IP addresses alike.
    const std::string vh = verify_host.empty() ? host : verify_host;
    if (!std::isdigit(static_cast<unsigned char>(vh[0])))
        SSL_set_tlsext_host_name(s.native_handle(), vh.c_str());
    s.set_verify_callback(ssl::host_name_verification(vh));
    done = false;
    s.async_handshake(ssl::stream_base::client, [&](error_code e) {
        ec = e;
        done = true;
    });
    if (!run_until(
            ioc, [&] { return done; }, deadline) ||
        ec) {
        out = ec ? ec : make_error_code(beast::error::timeout);
        return false;
    }
    return true;
}

template <class Res>
void fill_reply(http_reply& r, const Res& res) {
    r.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (char& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
    }
    r.body = res.body();
}

} // namespace

struct https_client::impl {
    net::io_context ioc;
    ssl::context ctx{ssl::context::tls_client};
    std::string host, port, verify_host;
    std::unique_ptr<ssl::stream<beast::tcp_stream>> stream;
    beast::flat_buffer buffer;
};

https_client::https_client(const std::string& url, const std::string& ca_file, const std::string& verify_host)
        : impl_(std::make_unique<impl>()) {
    setup_tls(impl_->ctx, ca_file);
    std::tie(impl_->host, impl_->port) = split_url(url);
    impl_->verify_host = verify_host;
}

https_client::~https_client() = default;

http_reply https_client::request(const std::string& verb, const std::string& target, const std::string& body,
                                 const headers_t& headers, std::chrono::milliseconds timeout) {
    http_reply r;
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + timeout;
    auto& m = *impl_;
    if (!m.stream) {
        m.stream = std::make_unique<ssl::stream<beast::tcp_stream>>(m.ioc, m.ctx);
        m.buffer.clear();
        if (!tls_connect(m.ioc, *m.stream, m.host, m.port, m.verify_host, timeout, r.ec)) {
            m.stream.reset();
            return r;
        }
    }
    http::request<http::string_body> req{http::string_to_verb(verb), target, 11};
    req.set(http::field::host, m.host);
    req.set(http::field::user_agent, "genesis-sim-test");
    for (const auto& [k, v] : headers)
        req.set(k, v);
    if (!body.empty()) {
        req.set(http::field::content_type, "application/x-www-form-urlencoded");
        req.body() = body;
    }
    req.prepare_payload();
    auto& low = beast::get_lowest_layer(*m.stream);
    low.expires_at(deadline);
    bool done = false;
    error_code ec;
    http::async_write(*m.stream, req, [&](error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    if (!run_until(
            m.ioc, [&] { return done; }, deadline + 100ms) ||
        ec) {
        r.ec = ec ? ec : make_error_code(beast::error::timeout);
        m.stream.reset();
        return r;
    }
    http::response<http::string_body> res;
    done = false;
    http::async_read(*m.stream, m.buffer, res, [&](error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    if (!run_until(
            m.ioc, [&] { return done; }, deadline + 100ms) ||
        ec) {
        r.ec = ec ? ec : make_error_code(beast::error::timeout);
        m.stream.reset();
        return r;
    }
    fill_reply(r, res);
    r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (!res.keep_alive())
        m.stream.reset();
    return r;
}

http_reply http_plain(const std::string& url, const std::string& verb, const std::string& target,
                      const std::string& body, std::chrono::milliseconds timeout) {
    http_reply r;
    net::io_context ioc;
    auto [host, port] = split_url(url);
    beast::tcp_stream s(ioc);
    tcp::resolver res(ioc);
    error_code ec;
    auto eps = res.resolve(host, port, ec);
    if (ec) {
        r.ec = ec;
        return r;
    }
    s.expires_after(timeout);
    s.connect(eps, ec);
    if (ec) {
        r.ec = ec;
        return r;
    }
    http::request<http::string_body> req{http::string_to_verb(verb), target, 11};
    req.set(http::field::host, host);
    req.body() = body;
    if (!body.empty())
        req.set(http::field::content_type, "application/json");
    req.prepare_payload();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool done = false;
    http::async_write(s, req, [&](error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    if (!run_until(
            ioc, [&] { return done; }, deadline + 100ms) ||
        ec) {
        r.ec = ec ? ec : make_error_code(beast::error::timeout);
        return r;
    }
    beast::flat_buffer b;
    http::response<http::string_body> resp;
    done = false;
    http::async_read(s, b, resp, [&](error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    if (!run_until(
            ioc, [&] { return done; }, deadline + 100ms) ||
        ec) {
        r.ec = ec ? ec : make_error_code(beast::error::timeout);
        return r;
    }
    fill_reply(r, resp);
    return r;
}

struct ws_client::impl {
    net::io_context ioc;
    ssl::context ctx{ssl::context::tls_client};
    websocket::stream<ssl::stream<beast::tcp_stream>> ws{ioc, ctx};
    beast::flat_buffer buffer;
    std::deque<std::string> inbox;
    bool connected = false;
    bool closed = false;
    error_code ec;

    void arm() {
        ws.async_read(buffer, [this](error_code e, std::size_t) {
            if (e) {
                closed = true;
                ec = e;
                return;
            }
            inbox.push_back(beast::buffers_to_string(buffer.data()));
            buffer.consume(buffer.size());
            arm();
        });
    }
};

ws_client::ws_client(const std::string& url, const std::string& target, const std::string& ca_file,
                     std::chrono::milliseconds timeout)
        : impl_(std::make_unique<impl>()) {
    auto& m = *impl_;
    setup_tls(m.ctx, ca_file);
    auto [host, port] = split_url(url);
    if (!tls_connect(m.ioc, m.ws.next_layer(), host, port, "", timeout, m.ec))
        return;
    beast::get_lowest_layer(m.ws).expires_never();
    m.ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    bool done = false;
    m.ws.async_handshake(host + ":" + port, target, [&](error_code e) {
        m.ec = e;
        done = true;
    });
    if (!run_until(
            m.ioc, [&] { return done; }, std::chrono::steady_clock::now() + timeout) ||
        m.ec) {
        if (!m.ec)
            m.ec = make_error_code(beast::error::timeout);
        return;
    }
    m.connected = true;
    m.arm();
}

ws_client::~ws_client() {
    auto& m = *impl_;
    error_code ec;
    beast::get_lowest_layer(m.ws).socket().close(ec);
    m.ioc.restart();
    m.ioc.run_for(100ms);
}

bool ws_client::ok() const { return impl_->connected; }
error_code ws_client::error() const { return impl_->ec; }
bool ws_client::closed() const { return impl_->closed; }
std::size_t ws_client::pending() const { return impl_->inbox.size(); }

bool ws_client::send(const std::string& text, std::chrono::milliseconds timeout) {
    auto& m = *impl_;
    if (!m.connected || m.closed)
        return false;
    bool done = false;
    error_code ec;
    m.ws.text(true);
    m.ws.async_write(net::buffer(text), [&](error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    return run_until(
               m.ioc, [&] { return done; }, std::chrono::steady_clock::now() + timeout) &&
           !ec;
}

std::optional<std::string> ws_client::next(std::chrono::milliseconds timeout) {
    auto& m = *impl_;
    if (!m.connected)
        return std::nullopt;
    run_until(
        m.ioc, [&] { return !m.inbox.empty() || m.closed; }, std::chrono::steady_clock::now() + timeout);
    if (m.inbox.empty())
        return std::nullopt;
    std::string s = std::move(m.inbox.front());
    m.inbox.pop_front();
    return s;
}

bool ws_client::wait_closed(std::chrono::milliseconds timeout) {
    auto& m = *impl_;
    if (!m.connected)
        return true;
    return run_until(
        m.ioc, [&] { return m.closed; }, std::chrono::steady_clock::now() + timeout);
}

struct raw_ws_client::impl {
    net::io_context ioc;
    ssl::context ctx{ssl::context::tls_client};
    ssl::stream<beast::tcp_stream> s{ioc, ctx};
    std::string data;
    bool ok = false;
    bool eof = false;
    bool reading = false;
    char buf[4096];

    void arm() {
        reading = true;
        s.async_read_some(net::buffer(buf), [this](error_code e, std::size_t n) {
            reading = false;
            if (e) {
                eof = true;
                return;
            }
            data.append(buf, n);
            arm();
        });
    }
    // Pops one complete server frame (unmasked) from data; returns its opcode.
    std::optional<int> pop_frame() {
        if (data.size() < 2)
            return std::nullopt;
        const auto b0 = static_cast<unsigned char>(data[0]);
        const auto b1 = static_cast<unsigned char>(data[1]);
        std::size_t len = b1 & 0x7f, hdr = 2;
        if (len == 126) {
            if (data.size() < 4)
                return std::nullopt;
            len = (static_cast<unsigned char>(data[2]) << 8) | static_cast<unsigned char>(data[3]);
            hdr = 4;
        } else if (len == 127) {
            if (data.size() < 10)
                return std::nullopt;
            len = 0;
            for (int i = 2; i < 10; ++i)
                len = (len << 8) | static_cast<unsigned char>(data[static_cast<std::size_t>(i)]);
            hdr = 10;
        }
        if (data.size() < hdr + len)
            return std::nullopt;
        data.erase(0, hdr + len);
        return b0 & 0x0f;
    }
};

raw_ws_client::raw_ws_client(const std::string& url, const std::string& target, const std::string& ca_file)
        : impl_(std::make_unique<impl>()) {
    auto& m = *impl_;
    setup_tls(m.ctx, ca_file);
    auto [host, port] = split_url(url);
    error_code ec;
    if (!tls_connect(m.ioc, m.s, host, port, "", 5s, ec))
        return;
    beast::get_lowest_layer(m.s).expires_never();
    const std::string req = "GET " + target + " HTTP/1.1\r\nHost: " + host + ":" + port +
                            "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                            "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    bool done = false;
    net::async_write(m.s, net::buffer(req), [&](error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    if (!run_until(
            m.ioc, [&] { return done; }, std::chrono::steady_clock::now() + 5s) ||
        ec)
        return;
    m.arm();
    // Wait for the end of the 101 response headers.
    if (!run_until(
            m.ioc, [&] { return m.data.find("\r\n\r\n") != std::string::npos || m.eof; },
            std::chrono::steady_clock::now() + 5s))
        return;
    const auto e = m.data.find("\r\n\r\n");
    if (e == std::string::npos || m.data.find(" 101 ") == std::string::npos)
        return;
    m.data.erase(0, e + 4);
    m.ok = true;
}

raw_ws_client::~raw_ws_client() {
    error_code ec;
    beast::get_lowest_layer(impl_->s).socket().close(ec);
    impl_->ioc.restart();
    impl_->ioc.run_for(100ms);
}

bool raw_ws_client::ok() const { return impl_->ok; }

std::optional<int> raw_ws_client::next_opcode(std::chrono::milliseconds timeout) {
    auto& m = *impl_;
    std::optional<int> op;
    run_until(
        m.ioc,
        [&] {
            op = m.pop_frame();
            return op.has_value() || m.eof;
        },
        std::chrono::steady_clock::now() + timeout);
    if (op)
        return op;
    if (m.eof)
        return -1;
    return std::nullopt;
}

std::string raw_tls_exchange(const std::string& url, const std::string& ca_file, const std::string& bytes,
                             std::chrono::milliseconds timeout) {
    net::io_context ioc;
    ssl::context ctx{ssl::context::tls_client};
    setup_tls(ctx, ca_file);
    ssl::stream<beast::tcp_stream> s(ioc, ctx);
    auto [host, port] = split_url(url);
    error_code ec;
    if (!tls_connect(ioc, s, host, port, "", timeout, ec))
        return {};
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool done = false;
    net::async_write(s, net::buffer(bytes), [&](error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    if (!run_until(
            ioc, [&] { return done; }, deadline) ||
        ec)
        return {};
    std::string out;
    char buf[4096];
    bool eof = false;
    std::function<void()> arm = [&] {
        s.async_read_some(net::buffer(buf), [&](error_code e, std::size_t n) {
            if (e) {
                eof = true;
                return;
            }
            out.append(buf, n);
            arm();
        });
    };
    arm();
    run_until(
        ioc, [&] { return eof; }, deadline);
    return out;
}

bool idle_tcp_closed_by_server(const std::string& url, std::chrono::milliseconds timeout) {
    net::io_context ioc;
    tcp::socket sock(ioc);
    auto [host, port] = split_url(url);
    error_code ec;
    sock.connect(tcp::endpoint(net::ip::make_address(host), static_cast<unsigned short>(std::stoi(port))), ec);
    if (ec)
        return false;
    char c = 0;
    bool done = false;
    sock.async_read_some(net::buffer(&c, 1), [&](error_code, std::size_t) { done = true; });
    return run_until(
        ioc, [&] { return done; }, std::chrono::steady_clock::now() + timeout);
}

} // namespace genesis::sim::test
