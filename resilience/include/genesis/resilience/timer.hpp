// timer_service: the source of timeouts and hedge delays, real (steady_timer) or manual (tests).
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/error.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace genesis::resilience {

namespace net = boost::asio;

/// Waits for a duration inside a coroutine. Honours the awaiting coroutine's cancellation slot.
class timer_service {
public:
    virtual ~timer_service() = default;
    /// Completes with an empty error_code when d has passed, or net::error::operation_aborted when
    /// the awaiting coroutine was cancelled first. Never throws.
    virtual net::awaitable<error_code> wait(nanos d) = 0;
};

/// Real time: one net::steady_timer per wait.
class steady_timer_service final : public timer_service {
public:
    net::awaitable<error_code> wait(nanos d) override;
};

/// Test time: a wait is due when the manual_clock reaches its deadline and fire_due() runs.
/// Call fire_due()/advance() on the io_context's thread (tests run the io_context on the test thread).
class manual_timer_service final : public timer_service {
    struct waiter {
        time_point due;
        net::steady_timer timer;
        bool fired = false;
    };

    manual_clock& clock_;
    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<waiter>> waiters_;

public:
    /// Timers measured against clk (which must outlive this).
    explicit manual_timer_service(manual_clock& clk) noexcept : clock_(clk) {}

    net::awaitable<error_code> wait(nanos d) override;

    /// Completes every wait whose deadline is <= clock.now(); their coroutines resume when the
    /// io_context next runs. Returns how many fired.
    std::size_t fire_due();
    /// Moves the clock forward by d, then fire_due().
    std::size_t advance(nanos d);
    /// Waits not yet completed (neither fired nor cancelled).
    [[nodiscard]] std::size_t pending() const;
};

} // namespace genesis::resilience
