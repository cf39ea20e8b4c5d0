// The Binance Spot venue over REST: order entry and account queries for the OMS (order_venue),
// plus the market-data REST calls (depth snapshots, exchange info). Every call goes through the
// resilience executor with a breaker per REST endpoint: queries, cancels and snapshots are
// idempotent and may be hedged across endpoints; order placement is sent exactly once, never
// hedged, never given a fallback (a lost answer is outcome unknown, resolved by the OMS's lookup).
#pragma once

#include "genesis/binance/types.hpp"
#include "genesis/gateway/oms/order_venue.hpp"
#include "genesis/log/fwd.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace genesis::resilience {
class executor;
}
namespace genesis::rest {
class http_client;
}

namespace genesis::gateway::runtime {

/// Timeouts and limits of the venue's calls.
struct binance_venue_options {
    venue_id venue = binance::venue_name;
    /// Per-attempt timeout of an order placement (after which its outcome is unknown).
    std::chrono::nanoseconds place_timeout = std::chrono::seconds{5};
    /// Per-attempt timeout of queries, cancels and snapshots (hedged ones race this).
    std::chrono::nanoseconds query_timeout = std::chrono::seconds{3};
    /// recvWindow of signed requests (the http client adds it).
    std::uint32_t depth_limit = 1000;
    /// Mode paper: the account calls (place, cancel, query, open orders, trades, account) answer
    /// venue_errc::not_sent at once and never build a request; only depth snapshots and
    /// exchangeInfo (public, unsigned) reach the venue.
    bool market_data_only = false;
    /// Called on the I/O thread when a placement's bytes have been handed to the socket, with the
    /// intent's tick (order_intent::tick, set: the order answers a market-data frame): the end of
    /// tick-to-order.
    std::function<void(time_point tick)> on_order_written;
};

/// Counters since construction (any thread).
struct binance_venue_stats {
    std::uint64_t placements = 0; ///< placements sent (each at most once)
    std::uint64_t cancels = 0;
    std::uint64_t queries = 0;
    std::uint64_t snapshots = 0;
    std::uint64_t refused = 0;     ///< venue refusals (4xx with a Binance error body)
    std::uint64_t bad_answers = 0; ///< answers that did not decode
};

/// Records a REST answer (the recorder); called on the I/O thread with the path and query.
using rest_tap = std::function<void(std::string_view channel, std::string_view body)>;

/// The venue. Every call returns at once and answers through its callback from the I/O thread.
/// client and exec must outlive it and be used only on ioc's (single) thread.
class binance_venue final : public order_venue {
    struct impl;
    std::shared_ptr<impl> impl_;

public:
    binance_venue(boost::asio::io_context& ioc, rest::http_client& client, resilience::executor& exec,
                  binance_venue_options options = {}, log::logger_ptr log = nullptr);
    ~binance_venue() override;
    binance_venue(const binance_venue&) = delete;
    binance_venue& operator=(const binance_venue&) = delete;

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

    /// GET /api/v3/depth for sym (idempotent, hedged).
    void depth_snapshot(const symbol& sym, venue_callback<book_snapshot> done);
    /// GET /api/v3/exchangeInfo (idempotent).
    void exchange_info(venue_callback<binance::exchange_info> done);
    /// Sets a tap that sees every REST answer body the market-data calls use (for recording).
    void set_tap(rest_tap tap);

    [[nodiscard]] binance_venue_stats stats() const noexcept;
};

} // namespace genesis::gateway::runtime
