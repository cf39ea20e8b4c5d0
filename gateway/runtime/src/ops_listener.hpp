// The ops endpoint's HTTP/1.1 listener (Beast, plain HTTP on loopback only): optional bearer
// token, request size limit, keep-alive, and asynchronous answers (the gateway computes them on
// its processing thread and hands them back).
#pragma once

#include "genesis/core/error.hpp"
#include "genesis/log/fwd.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace genesis::gateway::runtime {

struct ops_reply {
    unsigned status = 200;
    std::string content_type = "text/plain";
    std::string body;
};

/// Called on the I/O thread; `reply` may be called from any thread, exactly once.
using ops_dispatch = std::function<void(std::string method, std::string path, std::function<void(ops_reply)> reply)>;

struct ops_listener_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string bearer_token; ///< empty: no authentication
    std::size_t max_body = 64 * 1024;
    std::size_t max_connections = 64;
};

class ops_listener {
    struct impl;
    std::shared_ptr<impl> impl_;

public:
    ops_listener(boost::asio::io_context& ioc, ops_listener_options options, ops_dispatch dispatch,
                 log::logger_ptr log);
    ~ops_listener();
    /// Binds (loopback only) and starts accepting. Errors: the bind's, or invalid_argument for a
    /// non-loopback host.
    [[nodiscard]] result<void> start();
    /// Closes the acceptor and every connection (call on the I/O thread or before it runs).
    void stop();
    /// The bound port (after start()).
    [[nodiscard]] std::uint16_t port() const noexcept;
};

} // namespace genesis::gateway::runtime
