// The venue side of the OMS: a small abstract interface in completion-callback style. The Binance
// REST / WebSocket-API implementation plugs in behind it; tests use an in-memory one.
#pragma once

#include "genesis/core/events.hpp"
#include "genesis/db/types.hpp"

#include <functional>
#include <optional>
#include <type_traits>
#include <vector>

namespace genesis::gateway {

/// Receives a venue answer. May be called on any thread (the I/O thread, usually), exactly once;
/// the OMS posts it to its processing thread itself. Never call it inline with the OMS's lock
/// held: the OMS has none, so inline calls from the processing thread are fine too.
template <class T>
using venue_callback = std::function<void(result<T>)>;

/// Errors an order_venue raises itself. Values are stable: never renumber, only append.
enum class venue_errc {
    ok = 0,
    /// The request never left the gateway (rate limiter, open breaker, no connection): safe to
    /// treat a placement as not placed.
    not_sent = 1,
    /// The venue refused a cancel (Binance -2011: unknown order or already final).
    cancel_refused = 2,
    /// The answer could not be decoded (for a placement: the outcome is unknown).
    bad_answer = 3,
};

const boost::system::error_category& venue_category() noexcept;
inline error_code make_error_code(venue_errc e) noexcept { return {static_cast<int>(e), venue_category()}; }

/// One venue's order entry and account queries. Style: every call returns at once and answers
/// through its callback (the Binance implementation runs a coroutine per call on the I/O thread
/// through the resilience executor and calls back from there).
/// The most trades one my_trades answer holds (Binance's myTrades limit).
inline constexpr std::size_t my_trades_page = 1000;

class order_venue {
public:
    virtual ~order_venue() = default;

    /// Places the intent (client_id set). Not idempotent: sent at most once, never retried or
    /// hedged. Answer: the venue's report (NEW, FILLED, ... or REJECTED with reject_reason when the
    /// venue refused it, i.e. it is certainly not placed). Errors: outcome unknown (timeout, 5xx,
    /// dropped connection, resilience::errc::unknown_outcome, rest::http_errc::outcome_unknown)
    /// or not sent (see classify_placement_error).
    virtual void place(const order_intent& intent, venue_callback<execution_report> done) = 0;
    /// Cancels one order (idempotent). Answer: the order's report after the cancel.
    /// venue_errc::cancel_refused when the venue refused it.
    virtual void cancel(const cancel_intent& intent, venue_callback<execution_report> done) = 0;
    /// The order with this client order id (idempotent, may be hedged). nullopt: the venue says
    /// it does not exist (Binance -2013).
    virtual void query(const symbol& sym, const client_order_id& id,
                       venue_callback<std::optional<execution_report>> done) = 0;
    /// The order with this exchange order id (idempotent, may be hedged), for a trade whose order
    /// the OMS does not know (its placement's answer and intent were lost in a crash). nullopt: the
    /// venue says it does not exist. The default answers venue_errc::not_sent (not supported).
    virtual void query_order_id(const symbol& sym, std::uint64_t order_id,
                                venue_callback<std::optional<execution_report>> done) {
        (void)sym;
        (void)order_id;
        done(make_error_code(venue_errc::not_sent));
    }
    /// Every open order of the account, on every symbol.
    virtual void open_orders(venue_callback<std::vector<execution_report>> done) = 0;
    /// The account's trades on sym with trade id >= from_trade_id (0: the venue's latest page),
    /// ascending, at most my_trades_page of them: a full page means there may be more (the OMS
    /// asks again from the last id + 1).
    virtual void my_trades(const symbol& sym, std::uint64_t from_trade_id,
                           venue_callback<std::vector<db::fill_record>> done) = 0;
    /// The account's balances.
    virtual void account(venue_callback<std::vector<balance>> done) = 0;
};

/// What a failed placement means.
enum class placement_failure : std::uint8_t {
    not_sent,        ///< certainly not executed: the order is rejected (never sent)
    outcome_unknown, ///< may have been executed: the order goes to UNKNOWN and is looked up
};

/// Only errors known to mean "never left the gateway" or "refused before execution" (venue
/// not_sent, breaker rejected / all endpoints down, our rate limiter, 429/418, no credentials)
/// are not_sent; everything else is outcome_unknown (the safe side: a lookup settles it).
[[nodiscard]] placement_failure classify_placement_error(error_code ec) noexcept;

} // namespace genesis::gateway

template <>
struct boost::system::is_error_code_enum<genesis::gateway::venue_errc> : std::true_type {};
