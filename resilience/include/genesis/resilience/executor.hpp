// executor: runs an operation against a set of endpoints through their breakers, racing parallel
// and hedged attempts for idempotent operations, and exactly one attempt for the rest.
#pragma once

#include "genesis/resilience/circuit_breaker.hpp"
#include "genesis/resilience/error.hpp"
#include "genesis/resilience/hedge_budget.hpp"
#include "genesis/resilience/predictor.hpp"
#include "genesis/resilience/timer.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace genesis::resilience {

/// One place an operation can be sent (a REST host, a WebSocket API connection, ...).
struct endpoint {
    /// Predictor key part and metrics label.
    std::string name;
    /// The endpoint's breaker; may be shared with other executors.
    std::shared_ptr<circuit_breaker> breaker;
};

/// Executor-wide settings.
struct executor_options {
    /// Bounds parallel extras and hedges.
    hedge_budget_options budget;
    /// Allows the delayed hedge for single-attempt idempotent calls.
    bool hedging = true;
    /// A key needs this many samples before its p95 is trusted as a hedge delay.
    std::size_t hedge_min_samples = 10;
    /// Lower bound of the hedge delay.
    nanos min_hedge_delay = std::chrono::milliseconds{1};
};

/// Per-call settings.
struct call_options {
    /// Operation name (predictor key part), e.g. "get_order".
    std::string operation;
    /// Reads, cancels and order queries: may be sent several times. Order placement: false.
    bool idempotent = false;
    /// Per-attempt timeout; default: the breaker ticket's timeout (see circuit_breaker).
    std::optional<nanos> timeout;
    /// Allows the delayed hedge for this call (idempotent calls only).
    bool hedge = true;
    /// An attempt error for which this returns true says nothing of the endpoint's health (a rate
    /// limit, ours or the venue's): the breaker's ticket is released and the predictor not fed.
    std::function<bool(const error_code&)> not_endpoint_failure;
};

/// Sends one attempt to endpoint `index` (position in the executor's endpoint list). Must honour
/// cancellation of the awaiting coroutine. Return an error only for endpoint/transport failures;
/// domain answers (e.g. "order not found") belong in T.
template <class T>
using attempt_fn = std::function<net::awaitable<result<T>>(std::size_t index)>;

/// execution::endpoint when no endpoint answered.
inline constexpr std::size_t no_endpoint = std::numeric_limits<std::size_t>::max();

/// What a call produced.
template <class T>
struct execution {
    /// The winning value, or: errc::all_endpoints_down (no endpoint admitted the call),
    /// errc::unknown_outcome (non-idempotent attempt sent, answer lost: look it up before resending),
    /// errc::timed_out, errc::cancelled (the caller cancelled), or the operation's last error.
    result<T> value;
    /// Index of the endpoint that answered (no_endpoint otherwise).
    std::size_t endpoint = no_endpoint;
    /// Attempts actually sent.
    unsigned attempts = 0;
};

/// Counters since construction.
struct executor_stats {
    std::uint64_t calls = 0;
    std::uint64_t primaries = 0;
    /// Every attempt sent (primaries + parallel extras + hedges).
    std::uint64_t attempts = 0;
    std::uint64_t parallel_extras = 0;
    std::uint64_t hedges = 0;
    /// Extras or hedges refused by the budget.
    std::uint64_t budget_refusals = 0;
    /// Calls answered, and those answered by an extra or hedge.
    std::uint64_t wins = 0;
    std::uint64_t extra_wins = 0;
    /// Sent attempts cancelled because another won (or the caller cancelled).
    std::uint64_t cancellations = 0;
    std::uint64_t failures = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t all_down = 0;
    std::uint64_t unknown_outcomes = 0;
    /// Recovery probes sent to degraded endpoints, and those that answered (success or failure)
    /// within their grace after another attempt had won.
    std::uint64_t probes = 0;
    std::uint64_t late_probe_answers = 0;
};

class executor;

namespace detail {

// The untyped part of one call: planning, bookkeeping, cancellation and waiting (executor.cpp).
class race : public std::enable_shared_from_this<race> {
public:
    struct attempt {
        std::size_t endpoint = std::numeric_limits<std::size_t>::max();
        ticket tk;
        net::cancellation_signal signal;
        time_point started;
        nanos timeout{0};
        nanos hedge_delay{0};
        bool hedge = false;
        bool extra = false;
        bool probe = false; ///< the recovery probe of a degraded endpoint
        bool sent = false;
        bool finished = false;
        bool cancel_sent = false;
        bool in_grace = false; ///< a probe left running after the winner, for its grace
    };

private:
    executor& ex_;
    call_options opt_;
    net::any_io_executor io_;
    net::steady_timer wake_;
    /// Ends the grace of probes still running after the winner (see finish()).
    net::cancellation_signal grace_signal_;
    bool grace_running_ = false;
    bool grace_expired_ = false;
    std::deque<attempt> attempts_;
    std::vector<std::size_t> ranking_;
    std::vector<bool> used_;
    std::size_t running_ = 0;
    std::size_t in_flight_ = 0;
    std::size_t winner_ = std::numeric_limits<std::size_t>::max();
    unsigned sent_ = 0;
    bool caller_cancelled_ = false;
    error_code last_error_;

    void cancel_others(std::size_t except);
    void cancel_losers(std::size_t winner, nanos winner_latency);
    void end_grace();
    bool fire_hedge(attempt& a);

public:
    race(executor& ex, call_options opt, const net::any_io_executor& io);

    bool plan();
    std::size_t size() const noexcept { return attempts_.size(); }
    attempt& at(std::size_t i) noexcept { return attempts_[i]; }
    timer_service& timers() noexcept;
    void spawned() noexcept { ++running_; }
    bool begin(std::size_t i);
    bool finish(std::size_t i, error_code ec, bool timed_out);
    void child_done(std::size_t i, const std::exception_ptr& ep);
    /// The grace wait ended (expired, or cut short): cancels the probes still running.
    void grace_over(bool expired);
    net::awaitable<void> wait_all();
    bool won() const noexcept { return winner_ != std::numeric_limits<std::size_t>::max(); }
    std::size_t winner_endpoint() const noexcept { return attempts_[winner_].endpoint; }
    unsigned sent() const noexcept { return sent_; }
    error_code final_error();
};

template <class T>
struct typed_state {
    attempt_fn<T> op;
    std::optional<T> value;
};

template <class T>
net::awaitable<void> store_attempt(attempt_fn<T>& op, std::size_t index, std::optional<result<T>>& out) {
    out.emplace(co_await op(index));
}

template <class T>
net::awaitable<void> run_attempt(std::shared_ptr<race> r, std::shared_ptr<typed_state<T>> st, std::size_t i);

} // namespace detail

/// Runs operations against an endpoint set. Use from one io_context thread (the I/O thread);
/// stats() may be read from any thread. clock, timers and predictor must outlive the executor,
/// and the executor must outlive every run() it started.
class executor {
    struct counters {
        std::atomic<std::uint64_t> calls{0}, primaries{0}, attempts{0}, parallel_extras{0}, hedges{0},
            budget_refusals{0}, wins{0}, extra_wins{0}, cancellations{0}, failures{0}, timeouts{0}, all_down{0},
            unknown_outcomes{0}, probes{0}, late_probe_answers{0};
    };

    const clock& clock_;
    timer_service& timers_;
    predictor& predictor_;
    std::vector<endpoint> endpoints_;
    executor_options options_;
    hedge_budget budget_;
    counters counters_;
    /// Per endpoint: when a degraded (ETERNAL, HALF_OPEN) endpoint was last sent a recovery probe.
    std::unique_ptr<std::atomic<std::int64_t>[]> probed_at_;

    friend class detail::race;

public:
    executor(const clock& clk, timer_service& timers, predictor& pred, std::vector<endpoint> endpoints,
             executor_options options = {});

    /// Runs op. Idempotent: the predictor's attempt count (1-3) goes out in parallel to distinct
    /// endpoints ranked by breaker health (CLOSED before ETERNAL / HALF_OPEN: a degraded endpoint
    /// keeps being tried, but not as the primary while a healthy one is there), then by predicted
    /// success, skipping ones whose breaker rejects. A degraded endpoint not sent to for its
    /// breaker's recovery_timeout gets one idempotent call as a parallel probe (within the hedge
    /// budget), so that it can heal and close; a single attempt
    /// may get a hedge after the key's p95. Extras and hedges spend the hedge budget. The first
    /// success wins and the rest are cancelled (cancelled losers are not recorded as failures),
    /// except a probe: it is given a grace as long as the winner took (at least 1 ms) to answer, so
    /// that a healed endpoint somewhat slower than the winner still teaches its breaker; the call
    /// returns when the probe answers or its grace ends (at most about twice the winner's latency).
    /// Non-idempotent: exactly one attempt to the best admitted endpoint, never hedged; a timeout,
    /// lost connection or caller cancellation after sending gives errc::unknown_outcome.
    template <class T>
    net::awaitable<execution<T>> run(call_options opt, attempt_fn<T> op);

    /// Counters since construction.
    [[nodiscard]] executor_stats stats() const noexcept;
    /// The endpoints, in index order.
    [[nodiscard]] const std::vector<endpoint>& endpoints() const noexcept { return endpoints_; }
    /// The hedge budget (for metrics).
    [[nodiscard]] const hedge_budget& budget() const noexcept { return budget_; }
};

/// True for errors after which a sent request may or may not have been executed
/// (timeouts, resets, EOF, broken pipe, aborts).
[[nodiscard]] bool is_outcome_lost(error_code ec) noexcept;

// ---- templates ----

template <class T>
net::awaitable<void> detail::run_attempt(std::shared_ptr<race> r, std::shared_ptr<typed_state<T>> st, std::size_t i) {
    using namespace boost::asio::experimental::awaitable_operators;
    auto& a = r->at(i);
    if (a.hedge) {
        // The hedge waits for the primary's p95; a win meanwhile cancels this wait.
        if (const auto ec = co_await r->timers().wait(a.hedge_delay); ec)
            co_return;
    }
    if (!r->begin(i))
        co_return;
    std::optional<result<T>> out;
    auto first = co_await (store_attempt<T>(st->op, a.endpoint, out) || r->timers().wait(a.timeout));
    if (first.index() == 0 && out.has_value()) {
        if (out->has_value()) {
            if (r->finish(i, {}, false))
                st->value.emplace(std::move(**out));
        } else {
            r->finish(i, out->error(), false);
        }
        co_return;
    }
    // The timer finished first: expired (empty code) or aborted by a cancellation of this attempt.
    const error_code timer_ec = std::get<1>(first);
    r->finish(i, timer_ec, !timer_ec);
}

template <class T>
net::awaitable<execution<T>> executor::run(call_options opt, attempt_fn<T> op) {
    auto io = co_await net::this_coro::executor;
    auto r = std::make_shared<detail::race>(*this, std::move(opt), io);
    if (!r->plan())
        co_return execution<T>{result<T>(boost::system::in_place_error, r->final_error())};
    auto st = std::make_shared<detail::typed_state<T>>();
    st->op = std::move(op);
    for (std::size_t i = 0; i < r->size(); ++i) {
        r->spawned();
        // Each attempt gets its own cancellation signal so the winner can cancel exactly the losers.
        net::co_spawn(io, detail::run_attempt<T>(r, st, i),
                      net::bind_cancellation_slot(r->at(i).signal.slot(),
                                                  [r, i](std::exception_ptr ep) { r->child_done(i, ep); }));
    }
    co_await r->wait_all();
    if (r->won() && st->value.has_value()) {
        co_return execution<T>{result<T>(boost::system::in_place_value, std::move(*st->value)), r->winner_endpoint(),
                               r->sent()};
    }
    co_return execution<T>{result<T>(boost::system::in_place_error, r->final_error()), no_endpoint, r->sent()};
}

} // namespace genesis::resilience
