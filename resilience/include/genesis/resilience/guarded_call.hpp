// guarded_call: one asynchronous call through a circuit_breaker, with timeout and optional fallback.
#pragma once

#include "genesis/resilience/circuit_breaker.hpp"
#include "genesis/resilience/outcome.hpp"
#include "genesis/resilience/timer.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include <functional>
#include <optional>
#include <utility>
#include <variant>

namespace genesis::resilience {

/// The live operation of a guarded call.
template <class T>
using live_fn = std::function<net::awaitable<result<T>>()>;

/// A fallback: a value to serve instead of the live one, or nullopt when none is available.
/// Must be quick and synchronous (a cache read); it never runs concurrently with itself.
template <class T>
using fallback_fn = std::function<std::optional<T>()>;

/// Runs op through breaker b and returns an outcome that says where the value came from.
///
/// - Rejected (OPEN, or a trial in flight): the fallback if it yields a value (cause errc::rejected),
///   else outcome_kind::rejected. op is not called.
/// - Admitted: op races a timer of the ticket's timeout (ETERNAL: 200 ms; otherwise the adaptive rule).
///   In ETERNAL the fallback is prepared before the race so it is ready the moment the timer fires.
///   Live answer in time: live. Error or timeout: recorded on the breaker, then the fallback (with the
///   cause), else failed(error) or timed_out.
/// - If the awaiting coroutine is cancelled, the ticket is released and failed(errc::cancelled) returned.
/// op must honour cancellation (any Asio operation it awaits does). b, timers and clk must outlive the call.
template <class T>
net::awaitable<outcome<T>> guarded_call(circuit_breaker& b, timer_service& timers, const clock& clk, live_fn<T> op,
                                        fallback_fn<T> fallback = {});

namespace detail {

// Runs op and stores its result into out, so T need not be default-constructible for the race.
template <class T>
net::awaitable<void> store_result(live_fn<T>& op, std::optional<result<T>>& out) {
    out.emplace(co_await op());
}

} // namespace detail

template <class T>
net::awaitable<outcome<T>> guarded_call(circuit_breaker& b, timer_service& timers, const clock& clk, live_fn<T> op,
                                        fallback_fn<T> fallback) {
    using namespace boost::asio::experimental::awaitable_operators;
    const auto serve_fallback = [&](std::optional<T>&& prepared, error_code cause) -> std::optional<outcome<T>> {
        if (!prepared && fallback)
            prepared = fallback();
        if (prepared)
            return outcome<T>::fallback(std::move(*prepared), cause);
        return std::nullopt;
    };

    const ticket t = b.acquire();
    if (t.kind == admission::rejected) {
        if (auto fb = serve_fallback(std::nullopt, errc::rejected))
            co_return std::move(*fb);
        co_return outcome<T>::rejected();
    }

    // ETERNAL prepares the fallback up front: a timeout must not then wait for it.
    std::optional<T> prepared;
    if (t.kind == admission::eternal && fallback)
        prepared = fallback();

    const auto started = clk.now();
    std::optional<result<T>> live;
    // The loser of the race is cancelled through its cancellation slot and awaited before we go on.
    auto winner = co_await (detail::store_result<T>(op, live) || timers.wait(t.timeout));

    const net::cancellation_state cs = co_await net::this_coro::cancellation_state;
    if (cs.cancelled() != net::cancellation_type::none) {
        b.release(t);
        co_return outcome<T>::failed(errc::cancelled);
    }

    error_code cause;
    if (winner.index() == 0 && live.has_value()) {
        if (live->has_value()) {
            b.record_success(t, clk.now() - started);
            co_return outcome<T>::live(std::move(**live));
        }
        cause = live->error();
        b.record_failure(t, failure_kind::error);
    } else {
        cause = errc::timed_out;
        b.record_failure(t, failure_kind::timeout);
    }
    if (auto fb = serve_fallback(std::move(prepared), cause))
        co_return std::move(*fb);
    if (cause == errc::timed_out)
        co_return outcome<T>::timed_out();
    co_return outcome<T>::failed(cause);
}

} // namespace genesis::resilience
