// Test clients for genesis-sim over real TLS sockets (Beast inside the .cpp only): an HTTPS
// client with keep-alive, a plain HTTP client for the control endpoint, a WebSocket client that
// queues incoming frames, and a raw client that never answers pings. Every call has a deadline.
#pragma once

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace genesis::sim::test {

using namespace std::chrono_literals;
using headers_t = std::vector<std::pair<std::string, std::string>>;

struct http_reply {
    boost::system::error_code ec;
    int status = 0;
    std::map<std::string, std::string> headers; ///< names in lower case
    std::string body;
    std::chrono::milliseconds elapsed{0};
    std::string header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string{} : it->second;
    }
};

/// "https://127.0.0.1:1234" -> host, port.
std::pair<std::string, std::string> split_url(const std::string& url);

/// An HTTPS client verifying the server against ca_file for verify_host (default: the URL host).
class https_client {
    struct impl;
    std::unique_ptr<impl> impl_;

public:
    https_client(const std::string& url, const std::string& ca_file, const std::string& verify_host = {});
    ~https_client();
    /// One request on the kept-alive connection (reconnects when needed).
    http_reply request(const std::string& verb, const std::string& target, const std::string& body = {},
                       const headers_t& headers = {}, std::chrono::milliseconds timeout = 5s);
};

/// One plain-HTTP request (control endpoint) on a fresh connection.
http_reply http_plain(const std::string& url, const std::string& verb, const std::string& target,
                      const std::string& body = {}, std::chrono::milliseconds timeout = 5s);

/// A TLS WebSocket client; frames are read in the background of next()/wait_closed().
class ws_client {
    struct impl;
    std::unique_ptr<impl> impl_;

public:
    /// Connects to url (wss://host:port) + target; check ok().
    ws_client(const std::string& url, const std::string& target, const std::string& ca_file,
              std::chrono::milliseconds timeout = 5s);
    ~ws_client();
    bool ok() const;
    boost::system::error_code error() const;
    bool send(const std::string& text, std::chrono::milliseconds timeout = 5s);
    /// The next text frame, or nullopt on timeout or close.
    std::optional<std::string> next(std::chrono::milliseconds timeout = 5s);
    /// True when the connection ends within timeout (frames read meanwhile are kept).
    bool wait_closed(std::chrono::milliseconds timeout);
    bool closed() const;
    /// Frames received so far and not yet taken by next().
    std::size_t pending() const;
};

/// A TLS client that upgrades by hand and never answers: reports server frame opcodes.
class raw_ws_client {
    struct impl;
    std::unique_ptr<impl> impl_;

public:
    raw_ws_client(const std::string& url, const std::string& target, const std::string& ca_file);
    ~raw_ws_client();
    bool ok() const;
    /// The opcode of the next complete frame (0x9 ping, 0x8 close, 0x1 text); -1 when the
    /// connection ended; nullopt on timeout.
    std::optional<int> next_opcode(std::chrono::milliseconds timeout);
};

/// Sends raw bytes over a fresh TLS connection and returns everything read until the server
/// closes or the timeout passes.
std::string raw_tls_exchange(const std::string& url, const std::string& ca_file, const std::string& bytes,
                             std::chrono::milliseconds timeout = 3s);

/// Opens a TCP connection that never starts TLS; true when the server closes it within timeout.
bool idle_tcp_closed_by_server(const std::string& url, std::chrono::milliseconds timeout);

/// Lower-case hex HMAC-SHA256 (computed with OpenSSL, independently of the server).
std::string hmac_hex(const std::string& key, const std::string& msg);

/// Wall-clock milliseconds since the epoch.
std::int64_t now_ms();

} // namespace genesis::sim::test
