#include "genesis/resilience/executor.hpp"

#include <limits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace genesis::resilience {

namespace {
constexpr auto relaxed = std::memory_order_relaxed;
constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
} // namespace

bool is_outcome_lost(error_code ec) noexcept {
    return ec == errc::timed_out || ec == errc::unknown_outcome || ec == errc::cancelled ||
           ec == net::error::operation_aborted || ec == net::error::eof || ec == net::error::connection_reset ||
           ec == net::error::connection_aborted || ec == net::error::broken_pipe || ec == net::error::network_reset ||
           ec == net::error::shut_down || ec == net::error::timed_out;
}

executor::executor(const clock& clk, timer_service& timers, predictor& pred, std::vector<endpoint> endpoints,
                   executor_options options)
        : clock_(clk), timers_(timers), predictor_(pred), endpoints_(std::move(endpoints)), options_(options),
          budget_(clk, options.budget), probed_at_(std::make_unique<std::atomic<std::int64_t>[]>(endpoints_.size())) {
    // Never probed: the first probe is due as soon as an endpoint degrades.
    for (std::size_t i = 0; i < endpoints_.size(); ++i)
        probed_at_[i].store(std::numeric_limits<std::int64_t>::min() / 2, relaxed);
}

executor_stats executor::stats() const noexcept {
    const auto& c = counters_;
    return {c.calls.load(relaxed),
            c.primaries.load(relaxed),
            c.attempts.load(relaxed),
            c.parallel_extras.load(relaxed),
            c.hedges.load(relaxed),
            c.budget_refusals.load(relaxed),
            c.wins.load(relaxed),
            c.extra_wins.load(relaxed),
            c.cancellations.load(relaxed),
            c.failures.load(relaxed),
            c.timeouts.load(relaxed),
            c.all_down.load(relaxed),
            c.unknown_outcomes.load(relaxed),
            c.probes.load(relaxed),
            c.late_probe_answers.load(relaxed)};
}

namespace detail {

race::race(executor& ex, call_options opt, const net::any_io_executor& io)
        : ex_(ex), opt_(std::move(opt)), io_(io), wake_(io), used_(ex.endpoints_.size(), false) {}

timer_service& race::timers() noexcept { return ex_.timers_; }

bool race::plan() {
    ex_.counters_.calls.fetch_add(1, relaxed);
    const auto& eps = ex_.endpoints_;
    std::vector<double> p(eps.size());
    std::vector<bool> healthy(eps.size());
    for (std::size_t i = 0; i < eps.size(); ++i) {
        p[i] = ex_.predictor_.success_probability(eps[i].name, opt_.operation);
        healthy[i] = eps[i].breaker->state() == breaker_state::closed;
        ranking_.push_back(i);
    }
    // Healthy breakers first (a window of 100 good samples would otherwise keep a failing endpoint
    // ranked first for dozens of calls), then best predicted; ties keep configuration order so
    // the primary endpoint is stable.
    std::stable_sort(ranking_.begin(), ranking_.end(), [&](std::size_t a, std::size_t b) {
        if (healthy[a] != healthy[b])
            return static_cast<bool>(healthy[a]);
        return p[a] > p[b];
    });

    unsigned wanted = 1;
    for (const std::size_t idx : ranking_) {
        if (attempts_.size() >= wanted)
            break;
        const ticket t = eps[idx].breaker->acquire();
        // OPEN (or trial taken): skip this endpoint.
        if (t.kind == admission::rejected)
            continue;
        if (attempts_.empty()) {
            // The attempt count comes from the endpoint that will carry the primary.
            wanted = opt_.idempotent ? predictor::attempts_for(p[idx]) : 1;
            ex_.budget_.record_primary();
        } else if (!ex_.budget_.try_spend()) {
            // Budget spent: give the ticket back (it may be a HALF_OPEN trial) and stay at what we have.
            eps[idx].breaker->release(t);
            ex_.counters_.budget_refusals.fetch_add(1, relaxed);
            break;
        }
        auto& a = attempts_.emplace_back();
        a.endpoint = idx;
        a.tk = t;
        a.extra = attempts_.size() > 1;
        used_[idx] = true;
        if (!healthy[idx]) // a degraded endpoint sent to anyway counts as probed
            ex_.probed_at_[idx].store(ex_.clock_.now().ns, relaxed);
    }
    if (attempts_.empty()) {
        ex_.counters_.all_down.fetch_add(1, relaxed);
        last_error_ = errc::all_endpoints_down;
        return false;
    }

    // Recovery probe: an idempotent call also goes to one degraded endpoint that nothing was sent
    // to for its recovery_timeout (only its own successes bring its breaker back to CLOSED).
    if (opt_.idempotent && healthy[attempts_.front().endpoint]) {
        const auto now = ex_.clock_.now().ns;
        for (const std::size_t idx : ranking_) {
            if (used_[idx] || healthy[idx] || eps[idx].breaker->state() == breaker_state::open)
                continue;
            auto& last = ex_.probed_at_[idx];
            const auto due = last.load(relaxed) + eps[idx].breaker->options().recovery_timeout.count();
            if (now < due)
                continue;
            const ticket t = eps[idx].breaker->acquire();
            if (t.kind == admission::rejected)
                continue;
            if (!ex_.budget_.try_spend()) {
                eps[idx].breaker->release(t);
                ex_.counters_.budget_refusals.fetch_add(1, relaxed);
                break;
            }
            last.store(now, relaxed);
            auto& a = attempts_.emplace_back();
            a.endpoint = idx;
            a.tk = t;
            a.extra = true;
            a.probe = true;
            used_[idx] = true;
            break;
        }
    }

    // A lone idempotent attempt may get one delayed hedge, once the key's p95 is trustworthy.
    const bool another = std::find(used_.begin(), used_.end(), false) != used_.end();
    if (opt_.idempotent && opt_.hedge && ex_.options_.hedging && attempts_.size() == 1 && another) {
        const auto pct = ex_.predictor_.percentiles(eps[attempts_.front().endpoint].name, opt_.operation);
        if (pct && pct->samples >= ex_.options_.hedge_min_samples) {
            auto& h = attempts_.emplace_back();
            h.hedge = true;
            h.extra = true;
            h.hedge_delay = std::max(pct->p95, ex_.options_.min_hedge_delay);
        }
    }
    return true;
}

bool race::fire_hedge(attempt& a) {
    const auto& eps = ex_.endpoints_;
    for (const std::size_t idx : ranking_) {
        if (used_[idx])
            continue;
        const ticket t = eps[idx].breaker->acquire();
        if (t.kind == admission::rejected)
            continue;
        if (!ex_.budget_.try_spend()) {
            eps[idx].breaker->release(t);
            ex_.counters_.budget_refusals.fetch_add(1, relaxed);
            return false;
        }
        used_[idx] = true;
        a.endpoint = idx;
        a.tk = t;
        ex_.counters_.hedges.fetch_add(1, relaxed);
        return true;
    }
    return false;
}

bool race::begin(std::size_t i) {
    auto& a = attempts_[i];
    // Cancelled before it started (its co_spawn had not run yet when the winner emitted): never sent.
    if (a.cancel_sent || won() || caller_cancelled_) {
        if (!a.hedge)
            ex_.endpoints_[a.endpoint].breaker->release(a.tk);
        return false;
    }
    if (a.hedge && !fire_hedge(a))
        return false;
    a.sent = true;
    a.started = ex_.clock_.now();
    a.timeout = opt_.timeout.value_or(a.tk.timeout);
    ++sent_;
    ++in_flight_;
    ex_.counters_.attempts.fetch_add(1, relaxed);
    if (!a.extra) {
        ex_.counters_.primaries.fetch_add(1, relaxed);
    } else if (!a.hedge) {
        ex_.counters_.parallel_extras.fetch_add(1, relaxed);
    }
    if (a.probe)
        ex_.counters_.probes.fetch_add(1, relaxed);
    return true;
}

bool race::finish(std::size_t i, error_code ec, bool timed_out) {
    auto& a = attempts_[i];
    a.finished = true;
    --in_flight_;
    const auto& ep = ex_.endpoints_[a.endpoint];
    const nanos latency = ex_.clock_.now() - a.started;
    if (a.in_grace) {
        a.in_grace = false;
        if (!a.cancel_sent)
            ex_.counters_.late_probe_answers.fetch_add(1, relaxed);
        // The last probe in its grace has answered: the call need not wait for the grace to end.
        const bool more = std::any_of(attempts_.begin(), attempts_.end(), [](const attempt& b) { return b.in_grace; });
        if (!more)
            end_grace();
    }

    if (!ec && !timed_out) {
        ep.breaker->record_success(a.tk, latency);
        ex_.predictor_.record(ep.name, opt_.operation, latency, true);
        if (won())
            return false;
        winner_ = i;
        ex_.counters_.wins.fetch_add(1, relaxed);
        if (a.extra)
            ex_.counters_.extra_wins.fetch_add(1, relaxed);
        cancel_losers(i, latency);
        return true;
    }
    if (a.cancel_sent) {
        // We cancelled it: neither a success nor a failure of the endpoint.
        ep.breaker->release(a.tk);
        ex_.counters_.cancellations.fetch_add(1, relaxed);
        return false;
    }
    if (!timed_out && opt_.not_endpoint_failure && opt_.not_endpoint_failure(ec)) {
        ep.breaker->release(a.tk);
    } else {
        ep.breaker->record_failure(a.tk, timed_out ? failure_kind::timeout : failure_kind::error);
        ex_.predictor_.record(ep.name, opt_.operation, latency, false);
    }
    ex_.counters_.failures.fetch_add(1, relaxed);
    if (timed_out)
        ex_.counters_.timeouts.fetch_add(1, relaxed);
    last_error_ = timed_out ? error_code(errc::timed_out) : ec;
    // Nothing left in flight and no winner: a pending hedge would only add its delay to a failure.
    if (in_flight_ == 0 && !won())
        cancel_others(i);
    return false;
}

namespace {
net::awaitable<void> probe_grace(std::shared_ptr<race> r, nanos d) {
    const error_code ec = co_await r->timers().wait(d);
    r->grace_over(!ec);
}
} // namespace

void race::cancel_losers(std::size_t winner, nanos winner_latency) {
    // A probe in flight keeps running for its grace: cancelled the moment a healthy endpoint won,
    // a healed endpoint that is a little slower would never record a success and never close.
    bool any = false;
    for (std::size_t j = 0; j < attempts_.size(); ++j) {
        auto& b = attempts_[j];
        if (j != winner && b.probe && b.sent && !b.finished && !b.cancel_sent && !caller_cancelled_) {
            b.in_grace = true;
            any = true;
        }
    }
    cancel_others(winner);
    if (!any)
        return;
    grace_running_ = true;
    ++running_;
    auto self = shared_from_this();
    net::co_spawn(io_, probe_grace(self, std::max(winner_latency, ex_.options_.min_hedge_delay)),
                  net::bind_cancellation_slot(grace_signal_.slot(), [self](const std::exception_ptr&) {
                      self->grace_running_ = false;
                      if (--self->running_ == 0)
                          self->wake_.cancel();
                  }));
}

void race::grace_over(bool expired) {
    if (!expired)
        return; // cut short: the probes answered, or the caller cancelled (which cancelled them)
    grace_expired_ = true;
    for (auto& b : attempts_) {
        if (b.in_grace && !b.finished && !b.cancel_sent) {
            b.cancel_sent = true;
            b.signal.emit(net::cancellation_type::terminal);
        }
    }
}

void race::end_grace() {
    if (grace_running_ && !grace_expired_)
        grace_signal_.emit(net::cancellation_type::terminal);
}

void race::cancel_others(std::size_t except) {
    for (std::size_t j = 0; j < attempts_.size(); ++j) {
        auto& b = attempts_[j];
        if (j == except || b.finished || b.cancel_sent || (b.in_grace && !caller_cancelled_))
            continue;
        b.cancel_sent = true;
        b.signal.emit(net::cancellation_type::terminal);
    }
}

void race::child_done(std::size_t i, const std::exception_ptr& ep) {
    auto& a = attempts_[i];
    // An operation that threw (it should not) still counts as a failed attempt.
    if (ep && a.sent && !a.finished)
        finish(i, boost::system::errc::make_error_code(boost::system::errc::io_error), false);
    if (--running_ == 0)
        wake_.cancel();
}

net::awaitable<void> race::wait_all() {
    // A cancelled caller must still wait for its attempts: do not throw out of the waits.
    const bool throw_before = co_await net::this_coro::throw_if_cancelled();
    co_await net::this_coro::throw_if_cancelled(false);
    while (running_ > 0) {
        wake_.expires_at(net::steady_timer::time_point::max());
        co_await wake_.async_wait(net::as_tuple(net::use_awaitable));
        const auto cs = co_await net::this_coro::cancellation_state;
        if (!caller_cancelled_ && cs.cancelled() != net::cancellation_type::none) {
            // The caller gave up: cancel every attempt, then keep waiting until they have all ended.
            caller_cancelled_ = true;
            cancel_others(none);
            end_grace();
        }
    }
    co_await net::this_coro::throw_if_cancelled(throw_before);
}

error_code race::final_error() {
    error_code ec = last_error_;
    if (caller_cancelled_)
        ec = errc::cancelled;
    // A placement that was sent and whose answer is lost must be looked up, never blindly resent.
    if (!opt_.idempotent && sent_ > 0 && (is_outcome_lost(ec) || caller_cancelled_))
        ec = errc::unknown_outcome;
    if (ec == errc::unknown_outcome)
        ex_.counters_.unknown_outcomes.fetch_add(1, relaxed);
    if (!ec)
        ec = errc::all_endpoints_down;
    return ec;
}

} // namespace detail
} // namespace genesis::resilience
