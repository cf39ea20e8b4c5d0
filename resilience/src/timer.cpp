#include "genesis/resilience/timer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace genesis::resilience {

net::awaitable<error_code> steady_timer_service::wait(nanos d) {
    net::steady_timer timer(co_await net::this_coro::executor);
    timer.expires_after(d);
    // as_tuple: a cancellation is an expected value here, not an exception.
    auto [ec] = co_await timer.async_wait(net::as_tuple(net::use_awaitable));
    co_return ec;
}

net::awaitable<error_code> manual_timer_service::wait(nanos d) {
    auto w =
        std::make_shared<waiter>(waiter{clock_.now() + d, net::steady_timer(co_await net::this_coro::executor), false});
    // The asio timer never expires by itself: fire_due() cancels it and marks it fired, so the
    // coroutine's own cancellation slot still works and both paths share one completion.
    if (w->due <= clock_.now()) {
        w->fired = true;
        w->timer.expires_at(net::steady_timer::time_point::min());
    } else {
        w->timer.expires_at(net::steady_timer::time_point::max());
        std::lock_guard lock(mutex_);
        waiters_.push_back(w);
    }
    auto [ec] = co_await w->timer.async_wait(net::as_tuple(net::use_awaitable));
    {
        std::lock_guard lock(mutex_);
        std::erase(waiters_, w);
    }
    co_return w->fired ? error_code{} : ec;
}

std::size_t manual_timer_service::fire_due() {
    std::vector<std::shared_ptr<waiter>> due;
    {
        std::lock_guard lock(mutex_);
        const auto now = clock_.now();
        for (const auto& w : waiters_) {
            if (!w->fired && w->due <= now) {
                w->fired = true;
                due.push_back(w);
            }
        }
    }
    for (const auto& w : due)
        w->timer.cancel();
    return due.size();
}

std::size_t manual_timer_service::advance(nanos d) {
    clock_.advance(d);
    return fire_due();
}

std::size_t manual_timer_service::pending() const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(waiters_.begin(), waiters_.end(), [](const auto& w) { return !w->fired; }));
}

} // namespace genesis::resilience
