// Order entry over the Binance WebSocket API (order.place, order.cancel on one signed TLS
// connection), in front of the REST venue, which keeps the queries (order, open orders, trades,
// account). A placement costs one WebSocket frame on a connection already open: no connection
// lease, no HTTP request, no executor coroutine.
//
// The rules of the REST path hold here too:
// - A placement is written at most once, never retried, hedged or sent another way. No open
//   connection, a 429/418 pause, or a frame the connection dropped before writing it: not sent
//   (safe to treat as not placed). A frame that may have left (written, or its write failed
//   part-way) and got no answer (timeout, lost connection) or a 5xx or -1007: outcome unknown,
//   which the OMS settles by looking the order up by its client order id before anything else.
// - A 4xx refusal is REJECTED with the venue's code and message; a 429/418 pauses order entry
//   (and, through the shared request-weight limiter, the REST client) until the venue's
//   retryAfter.
// - Rate limits: every request reserves its weight in the venue's REQUEST_WEIGHT limiter, the
//   one the REST client uses (Binance counts both APIs per IP), and every placement one order in
//   the ORDERS limiters (10 s and 1 day, per account). The answers' rateLimits counts and limits
//   update them; a request the budget does not allow is refused unsent (http_errc::throttled).
// - -1021 (timestamp outside recvWindow, request not executed): the shared server-time offset is
//   marked stale and measured again over this connection (the WebSocket API's "time"); until
//   then requests are refused unsent.
// - A circuit breaker (optional): answers are successes; timeouts, lost answers, 5xx and -1007
//   are failures; while it is open requests are refused unsent (resilience::errc::rejected).
// - Rotation (rotate_after, 23 h): a fresh connection takes the requests before the venue's 24 h
//   close, and the old one is read until every request it carried is answered or timed out. If it
//   ends before that (the venue closes it), what it still carried is settled as lost at once.
//
// Threading: give order entry an io_context of its own, run by a thread of its own. place and
// cancel may be called from any thread (the processing thread): they build and sign the request
// there, hand the frame to the session and then (write_on_caller) run that io_context's ready
// handlers on the calling thread, so the frame is encrypted and written there at once instead of
// waiting for the other thread to wake up or to finish what it is doing. The session's strand
// keeps its handlers apart whichever thread runs them. Answers, timeouts and losses call back on
// either thread; not-sent answers may call back inline.
#pragma once

#include "genesis/gateway/oms/order_venue.hpp"
#include "genesis/log/fwd.hpp"
#include "genesis/rest/rate_limiter.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}
namespace genesis::resilience {
class circuit_breaker;
}
namespace genesis::rest {
class server_time;
}
namespace genesis::ws {
class reconnect_budget;
}

namespace genesis::gateway::runtime {

struct ws_order_entry_options {
    venue_id venue;
    std::string ws_api_url; ///< "wss://host:port/ws-api/v3"
    std::string ca_file;    ///< empty: the system's trusted CAs
    std::string api_key;
    std::string api_secret; ///< HMAC-SHA256 secret; never logged
    /// Without an answer this long after it was handed over, a placement's outcome is unknown.
    std::chrono::nanoseconds place_timeout = std::chrono::seconds{5};
    /// ... and a cancel fails (rest::http_errc::timed_out; the OMS may ask again).
    std::chrono::nanoseconds cancel_timeout = std::chrono::seconds{3};
    /// How often pending requests are checked against their timeouts.
    std::chrono::nanoseconds sweep_interval = std::chrono::milliseconds{50};
    /// After handing a frame over, the caller runs at most this many ready handlers of the
    /// io_context (the write and its completion): 0 leaves the write to the io_context's thread.
    /// Needs an io_context used by order entry alone.
    unsigned write_on_caller = 32;
    /// Called on the I/O thread when a placement's frame has been handed to the socket, with the
    /// intent's tick (set: the order answers a market-data frame): the end of tick-to-order.
    std::function<void(time_point tick)> on_order_written;
    /// Called on the session's strand when the connection opens (true) or is lost (false).
    std::function<void(bool open)> on_state;
    /// Called on the session's strand after a server-time sample taken over the connection (at
    /// the first open while the offset is stale, and after a -1021), with the new offset.
    std::function<void(nanos offset)> on_time_sample;
    /// Null: no breaker.
    std::shared_ptr<resilience::circuit_breaker> breaker;
    /// The connection is replaced by a fresh one after this long (Binance closes WebSocket API
    /// connections at 24 h): requests go to the new one at once, and the old one is still read
    /// for max(place_timeout, cancel_timeout) + sweep_interval so the answers it owes arrive. 0: no rotation (the
    /// venue's close then settles what was pending on it as lost).
    std::chrono::nanoseconds rotate_after = std::chrono::hours{23};
};

/// The venue's limiters order entry shares (with the REST client); null: its own.
struct ws_order_entry_limits {
    rest::rate_limiter* weight = nullptr;
    rest::order_count_limiter* orders = nullptr;
};

/// Counters since construction (any thread).
struct ws_order_entry_stats {
    std::uint64_t placements = 0; ///< placement frames handed to the session (each at most once)
    std::uint64_t cancels = 0;
    std::uint64_t refused = 0;         ///< 4xx refusals (REJECTED placements, refused cancels)
    std::uint64_t not_sent = 0;        ///< answered not_sent: no connection, paused, dropped unwritten
    std::uint64_t unknown = 0;         ///< placements answered outcome unknown
    std::uint64_t timeouts = 0;        ///< requests that got no answer in time
    std::uint64_t bad_answers = 0;     ///< frames that did not decode
    std::uint64_t late_answers = 0;    ///< answers to requests already settled (timed out, lost)
    std::uint64_t rate_limited = 0;    ///< 429/418 answers
    std::uint64_t throttled = 0;       ///< refused unsent by a rate limiter (weight, orders, pause)
    std::uint64_t breaker_open = 0;    ///< refused unsent by the open breaker
    std::uint64_t clock_rejects = 0;   ///< -1021 answers (each starts a server-time resync)
    std::uint64_t time_syncs = 0;      ///< server-time samples taken over this connection
    std::uint64_t rotations = 0;       ///< connections replaced before the venue's lifetime limit
    std::uint64_t retired_answers = 0; ///< answers that came on a connection a rotation replaced
    std::uint64_t reconnects = 0;      ///< connection attempts after a loss or a failed attempt
    std::uint64_t budget_waits = 0;    ///< reconnects held back by the WebSocket API's reconnect budget
    std::uint64_t pending = 0;         ///< requests waiting for their answer now
};

class ws_order_entry final : public order_venue {
    struct impl;
    std::shared_ptr<impl> impl_;

public:
    /// ioc: order entry's own (see write_on_caller), run by at least one thread. rest answers
    /// every call but place and cancel; time gives the signed timestamp and recvWindow (shared
    /// with the REST client; resynced here after a -1021). limits.weight is the venue's
    /// request-weight limiter and limits.orders its order counts (the REST client's limits() and
    /// orders(); null: order entry keeps its own). rest, time, the limiters and clk must outlive
    /// this; budget may be null.
    ws_order_entry(boost::asio::io_context& ioc, ws_order_entry_options options, order_venue& rest,
                   rest::server_time& time, ws_order_entry_limits limits, const clock& clk,
                   log::logger_ptr log = nullptr, std::shared_ptr<ws::reconnect_budget> budget = nullptr);
    /// Stops the session (its callbacks may run until its `closed` event or the loop's end).
    ~ws_order_entry() override;
    ws_order_entry(const ws_order_entry&) = delete;
    ws_order_entry& operator=(const ws_order_entry&) = delete;

    /// Loads the key and connects (the connection opens in the background).
    [[nodiscard]] result<void> start();
    /// Closes the connection; requests still pending are settled as on a lost connection.
    void stop();
    /// The connection is open: placements can be written.
    [[nodiscard]] bool ready() const noexcept;

    void place(const order_intent& intent, venue_callback<execution_report> done) override;
    void cancel(const cancel_intent& intent, venue_callback<execution_report> done) override;
    void query(const symbol& sym, const client_order_id& id,
               venue_callback<std::optional<execution_report>> done) override;
    void query_order_id(const symbol& sym, std::uint64_t order_id,
                        venue_callback<std::optional<execution_report>> done) override;
    void open_orders(venue_callback<std::vector<execution_report>> done) override;
    void my_trades(const symbol& sym, std::uint64_t from_trade_id,
                   venue_callback<std::vector<db::fill_record>> done) override;
    void account(venue_callback<std::vector<balance>> done) override;

    [[nodiscard]] ws_order_entry_stats stats() const noexcept;
};

} // namespace genesis::gateway::runtime
