// A TLS WebSocket session to one exchange endpoint: connects, keeps the connection alive,
// reconnects with backoff under a venue budget, restores its subscriptions, and rotates the
// connection before the exchange's lifetime limit without a gap. Beast stays in the .cpp.
//
// Threading: every socket and timer of a session runs on one strand of the io_context given to
// it (one I/O thread). Its public functions may be called from any thread; they post to that
// strand. Callbacks run on the I/O thread and must not block.
//
// Rotation and duplicates: rotate_after (default 23 h, Binance's limit is 24 h) opens a second
// connection, subscribes it, waits until it delivers its first data frame (after the SUBSCRIBE
// acknowledgement in message mode, at most rotation_overlap), then makes it the active
// connection and closes the old one gracefully. While both are open, BOTH deliver frames (each
// frame says which connection it came from), so the consumer sees some messages twice and must
// dedup by the exchange's sequence (Binance depth: drop an update whose u <= the last applied u;
// trades: by trade id). Nothing is lost across the switch. With retire_linger the old connection
// is read for that long after the switch (answers to what it carried), then closed. After a reconnect (not a rotation)
// there may be a gap: the consumer resyncs (depth snapshot) as it would after any gap.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/error.hpp"
#include "genesis/log/fwd.hpp"
#include "genesis/ws/backoff.hpp"
#include "genesis/ws/error.hpp"
#include "genesis/ws/reconnect_budget.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace genesis::ws {

/// Where a session stands.
enum class session_state : std::uint8_t {
    connecting, ///< an attempt is in progress
    open,       ///< connected, subscriptions sent, frames flowing
    degraded,   ///< the connection is lost or refused; waiting to retry (backoff or budget)
    closed,     ///< stopped: the last event
};
[[nodiscard]] std::string_view to_string(session_state s) noexcept;

/// How subscriptions reach the server after each (re)connect.
enum class subscribe_mode : std::uint8_t {
    message, ///< connect to the URL as given, then send {"method":"SUBSCRIBE","params":[...],"id":N}
    url,     ///< connect to <URL path>?streams=a/b (Binance combined streams); later changes by message
};

/// Settings of one session. Durations of zero switch a feature off where noted.
struct session_config {
    /// Label in logs and events ("binance.md.0").
    std::string name = "ws";
    /// wss://host[:port]/target. The target may hold a secret (listenKey): it is never logged.
    std::string url;
    /// PEM file of trusted CAs (genesis-sim's ca_file()); empty: the system's default paths.
    std::string ca_file;
    /// Name sent as SNI and verified against the certificate; empty: the URL's host.
    std::string verify_host;
    std::string user_agent = "genesis-ws";
    /// Streams subscribed on every connection (subscribe() adds more).
    std::vector<std::string> streams;
    subscribe_mode mode = subscribe_mode::message;

    nanos connect_timeout{std::chrono::seconds(5)};   ///< TCP connect
    nanos handshake_timeout{std::chrono::seconds(5)}; ///< TLS, then WebSocket upgrade
    nanos close_timeout{std::chrono::seconds(1)};     ///< graceful close, then the socket is cut
    /// Keep-alive: with no traffic for half of it a ping goes out; with none for all of it the
    /// connection times out. Server pings are answered with pongs automatically. 0: off.
    nanos keepalive_idle{std::chrono::seconds(30)};
    /// Reconnect when no data frame (text or binary; pings do not count) came for this long. 0: off.
    nanos idle_watchdog{0};
    /// Proactive rotation after this much connection lifetime (Binance closes at 24 h). 0: off.
    nanos rotate_after{std::chrono::hours(23)};
    /// At most this long is spent waiting for the new connection's first data frame before switching.
    nanos rotation_overlap{std::chrono::seconds(5)};
    /// After a rotation the retired connection stays open this long before it is closed
    /// gracefully: no longer written to, but still read, so the answers to requests it carried
    /// still arrive (request/response APIs such as Binance's WebSocket API). 0: closed at once.
    nanos retire_linger{0};
    /// Reconnects of the shared reconnect_budget this session leaves to the others on it
    /// (reconnect_budget::try_acquire).
    std::size_t budget_reserve = 0;

    backoff_policy backoff{};
    /// Seed of the backoff's full jitter.
    std::uint64_t seed = 0x9e3779b97f4a7c15ULL;
    /// Queued outgoing messages per connection; more are dropped (write_queue_full).
    std::size_t max_write_queue = 1024;
    /// Largest accepted message.
    std::size_t max_message_bytes = 16u << 20;
};

/// One received data frame. `text` is valid only during the callback.
struct ws_frame {
    std::string_view text;
    bool binary = false;
    std::uint64_t connection = 0; ///< which connection (they differ across rotation overlap)
    time_point received;          ///< injected clock, monotonic
    time_point received_wall;     ///< injected clock, wall
};

/// A state change.
struct ws_event {
    session_state state = session_state::connecting;
    /// Why (a ws_errc: closed_by_peer, idle_timeout, rotated, stopped, ...); empty for a plain open.
    error_code reason;
    /// The underlying error (Asio, SSL, Beast) when there is one.
    error_code cause;
    std::uint64_t connection = 0;
    time_point at;
};

/// Counters since construction.
struct session_stats {
    std::uint64_t frames = 0;         ///< data frames received
    std::uint64_t bytes = 0;          ///< payload bytes of those frames
    std::uint64_t control_frames = 0; ///< pings and pongs received
    std::uint64_t connects = 0;       ///< connections that reached open (rotations included)
    std::uint64_t reconnects = 0;     ///< attempts after a loss or a failed attempt
    std::uint64_t rotations = 0;      ///< proactive switch-overs completed
    std::uint64_t watchdog_trips = 0;
    std::uint64_t budget_waits = 0;                    ///< times the venue budget made the session wait
    std::array<std::uint64_t, ws_errc_count> errors{}; ///< by ws_errc

    [[nodiscard]] std::uint64_t errors_of(ws_errc e) const noexcept { return errors[static_cast<std::size_t>(e)]; }
};

/// What became of a message given to session::send with a completion.
enum class send_outcome : std::uint8_t {
    written,  ///< handed to the socket whole (its async_write completed)
    not_sent, ///< never written: no open connection, a full queue, stopped, or the connection ended first
    unknown,  ///< the write failed part-way: some of its bytes may have reached the peer
};
/// Runs once on the I/O thread with the message's outcome and the connection (ws_frame::connection,
/// 0: none was open) it was written on or meant for; must not block. After a rotation, answers to
/// it come on that connection, and its loss is reported with that id.
using send_done = std::function<void(send_outcome, std::uint64_t connection)>;

/// The end of one connection: nothing more arrives on it, so whatever was written on it and not
/// yet answered never will be. Reported for every connection that opened: the active one (also
/// reported as `degraded`, unless a rotation's fresh connection takes over at once), the fresh
/// one of a rotation, and one a rotation retired (closed by us after retire_linger, or lost
/// during it: its loss changes no state, so no ws_event tells of it).
struct ws_connection_end {
    std::uint64_t connection = 0;
    /// What ended its reader: closed_by_peer, timeout, read_failed (a connection we cut, after an
    /// idle watchdog trip or a failed write, reads that too); stopped when we were closing it;
    /// rotated when we closed it after its linger.
    error_code reason;
    error_code cause; ///< the underlying error when there is one
    bool retired = false;
    time_point at;
};

/// Callbacks; all run on the I/O thread. Exceptions they throw are caught and counted.
struct session_handlers {
    std::function<void(const ws_frame&)> on_frame;
    std::function<void(const ws_event&)> on_event;
    std::function<void(const ws_connection_end&)> on_connection_end;
};

/// A self-healing WebSocket session. Destroy it only after its `closed` event, or after the
/// io_context stopped running: callbacks may run until then.
class session {
public:
    class impl;

private:
    std::shared_ptr<impl> impl_;

public:
    /// clk stamps frames and measures the watchdog and rotation (must outlive the session);
    /// log may be null; budget may be null (no venue limit) and is shared by the venue's sessions.
    session(boost::asio::io_context& ioc, session_config cfg, session_handlers handlers,
            const clock& clk = real_clock::instance(), log::logger_ptr log = nullptr,
            std::shared_ptr<reconnect_budget> budget = nullptr);
    /// Calls stop().
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    /// Checks the URL and loads the CA file, then starts connecting on the I/O thread.
    /// Errors: invalid_url, ca_file_invalid, already_started.
    [[nodiscard]] result<void> start();
    /// Cancels timers and pending connects, closes open connections gracefully (bounded by
    /// close_timeout and handshake_timeout), then emits `closed`. Idempotent, non-blocking.
    void stop();

    /// Sends a text message on the active connection (dropped and counted when none is open).
    void send(std::string text);
    /// Same, and tells done what became of it (exactly once). Runs inline when called on the
    /// session's strand, else posts to it: the one hop an order's bytes take to the socket.
    void send(std::string text, send_done done);
    /// Adds streams to the subscription list and subscribes the open connection to them.
    void subscribe(std::vector<std::string> streams);
    /// Removes streams from the list and unsubscribes the open connection.
    void unsubscribe(std::vector<std::string> streams);

    [[nodiscard]] session_stats stats() const;
    [[nodiscard]] session_state state() const noexcept;
    [[nodiscard]] const std::string& name() const noexcept;
};

} // namespace genesis::ws
