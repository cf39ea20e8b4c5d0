// The venue's two WebSocket feeds: market data (combined streams: diff depth and trades per
// symbol) and user data (WS-API userDataStream.subscribe.signature, re-subscribed after every
// reconnect). Both decode on the I/O thread and hand normalized events to a sink; malformed frames
// are counted, logged with a truncated sample, and skipped.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/events.hpp"
#include "genesis/log/fwd.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}
namespace genesis::rest {
class server_time;
}
namespace genesis::ws {
class reconnect_budget;
}

namespace genesis::gateway::runtime {

/// Where a feed stands, for health.
enum class feed_state : std::uint8_t { connecting, open, degraded, closed };
[[nodiscard]] std::string_view to_string(feed_state s) noexcept;

/// Counters of a feed (any thread).
struct feed_stats {
    std::uint64_t frames = 0;
    std::uint64_t events = 0;
    std::uint64_t decode_errors = 0;
    std::uint64_t ignored = 0;
    std::uint64_t connects = 0;
    std::uint64_t reconnects = 0;
    std::uint64_t budget_waits = 0; ///< reconnects held back by the venue's reconnect budget
    std::int64_t last_frame_ns = 0; ///< monotonic time of the last data frame (0: none yet)
};

/// Records a raw frame (channel, payload, receive wall time ns) for record/replay.
using frame_tap = std::function<void(std::string_view channel, std::string_view payload, std::int64_t ts_ns)>;

/// Market data: one session on <ws_base>/stream?streams=<sym>@depth@100ms/<sym>@trade/...
struct market_feed_options {
    std::string ws_base; ///< "wss://host:port" (the stream listener)
    std::string ca_file;
    std::vector<symbol> symbols;
    std::string depth_suffix = "@depth@100ms";
    bool trades = true;
    std::chrono::nanoseconds idle_watchdog = std::chrono::seconds{10};
};

struct market_sink {
    std::function<void(book_delta&&)> on_delta;
    std::function<void(trade&&)> on_trade;
    /// The feed (re)connected: books must resync (a gap is possible).
    std::function<void()> on_reconnect;
};

class market_feed {
    struct impl;
    std::shared_ptr<impl> impl_;

public:
    market_feed(boost::asio::io_context& ioc, market_feed_options options, market_sink sink, const clock& clk,
                log::logger_ptr log, std::shared_ptr<ws::reconnect_budget> budget);
    ~market_feed();
    [[nodiscard]] result<void> start();
    void stop();
    void set_tap(frame_tap tap);
    [[nodiscard]] feed_state state() const noexcept;
    [[nodiscard]] feed_stats stats() const noexcept;
    /// The URL target of the combined stream ("/stream?streams=..."), the recording's channel.
    [[nodiscard]] const std::string& channel() const noexcept;
};

/// User data through the WebSocket API with an HMAC key (userDataStream.subscribe.signature).
struct user_feed_options {
    std::string ws_api_url; ///< "wss://host:port/ws-api/v3"
    std::string ca_file;
    std::string api_key;
    std::string api_secret;
    std::chrono::nanoseconds idle_watchdog{0};
    /// Reconnects of the WebSocket API's budget left to order entry (ws::session_config::budget_reserve).
    std::size_t budget_reserve = 0;
};

struct user_sink {
    std::function<void(execution_report&&)> on_execution;
    std::function<void(account_update&&)> on_account;
    /// The subscription is live again after a loss: events may have been missed (reconcile).
    std::function<void()> on_resubscribed;
    /// The subscription is live for the first time.
    std::function<void()> on_subscribed;
};

class user_feed {
    struct impl;
    std::shared_ptr<impl> impl_;

public:
    /// time gives the signed timestamp (the REST client's server-time offset); must outlive the feed.
    user_feed(boost::asio::io_context& ioc, user_feed_options options, user_sink sink, const clock& clk,
              const rest::server_time& time, log::logger_ptr log, std::shared_ptr<ws::reconnect_budget> budget);
    ~user_feed();
    [[nodiscard]] result<void> start();
    void stop();
    [[nodiscard]] feed_state state() const noexcept;
    /// True while a subscription is acknowledged on the open connection.
    [[nodiscard]] bool subscribed() const noexcept;
    [[nodiscard]] feed_stats stats() const noexcept;
};

} // namespace genesis::gateway::runtime
