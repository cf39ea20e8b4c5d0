// Priority processor: five bounded queues drained by one consumer thread in strict priority order.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/error.hpp"
#include "genesis/resilience/error.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace genesis::resilience {

/// Priority levels, most urgent first. The consumer always serves the lowest-numbered non-empty level.
enum class priority : std::uint8_t {
    orders = 0,    ///< P0: orders and execution reports. Never dropped: producers wait.
    control = 1,   ///< P1: risk and control. Never dropped: producers wait.
    trades = 2,    ///< P2: public trades. The oldest is dropped on overflow.
    book = 3,      ///< P3: order book deltas. The oldest is dropped on overflow.
    telemetry = 4, ///< P4: telemetry. The oldest is dropped on overflow.
};

/// Number of priority levels.
inline constexpr std::size_t priority_levels = 5;

/// "P0 orders", "P1 control", ... for logs.
std::string_view to_string(priority p) noexcept;

/// True for levels whose overflow drops the oldest event instead of making the producer wait.
constexpr bool drops_on_overflow(priority p) noexcept { return p >= priority::trades; }

/// Read-out of a log2_histogram: bucket i > 0 holds values in [2^(i-1), 2^i - 1] ns, bucket 0 holds 0.
struct histogram_snapshot {
    std::array<std::uint64_t, 65> buckets{};
    std::uint64_t count = 0;
    std::int64_t sum_ns = 0;
    std::int64_t max_ns = 0;

    /// Upper bound of the bucket that holds the q-quantile (0 < q <= 1), capped at the maximum seen; 0 if empty.
    nanos percentile(double q) const noexcept;
    /// Median queue wait (bucket upper bound).
    nanos p50() const noexcept { return percentile(0.50); }
    /// 99th percentile queue wait (bucket upper bound).
    nanos p99() const noexcept { return percentile(0.99); }
    /// Exact mean of the recorded values.
    nanos mean() const noexcept;
};

/// A histogram of nanosecond durations with power-of-two buckets. One writer, any number of readers.
class log2_histogram {
    std::array<std::atomic<std::uint64_t>, 65> buckets_{};
    std::atomic<std::int64_t> sum_ns_{0};
    std::atomic<std::int64_t> max_ns_{0};

public:
    /// Records one duration; negative values count as 0. Must be called by one thread at a time.
    void record(std::int64_t ns) noexcept {
        const auto v = ns < 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(ns);
        auto& bucket = buckets_[static_cast<std::size_t>(std::bit_width(v))];
        // Single writer: load + store is enough and avoids a locked instruction per event.
        bucket.store(bucket.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        sum_ns_.store(sum_ns_.load(std::memory_order_relaxed) + static_cast<std::int64_t>(v),
                      std::memory_order_relaxed);
        if (static_cast<std::int64_t>(v) > max_ns_.load(std::memory_order_relaxed))
            max_ns_.store(static_cast<std::int64_t>(v), std::memory_order_relaxed);
    }
    /// A copy of the counts; safe to call from any thread while the writer records.
    histogram_snapshot snapshot() const noexcept;
};

/// Tuning of a priority_processor.
struct priority_processor_config {
    /// Queue capacity per level, in events (each at least 1).
    std::array<std::size_t, priority_levels> capacity{16384, 16384, 65536, 65536, 16384};
    /// Events taken from one level before higher levels are checked again.
    std::size_t batch_size = 100;
    /// Record queue wait for every Nth event of a level (rounded up to a power of two); 1 records all.
    /// Each sample costs a clock read on both threads (~20 ns each), a third of the per-event budget.
    std::uint32_t latency_sample_every = 8;
    /// Checks for work (consumer) or space (P0/P1 producer) before parking on a futex; 0 parks at once.
    std::uint32_t idle_spins = 2000;
};

/// Counters of one level. All are totals since construction.
struct level_stats {
    std::uint64_t enqueued = 0;  ///< events accepted into the queue
    std::uint64_t processed = 0; ///< handler calls, failed ones included
    std::uint64_t batches = 0;   ///< batches taken by the consumer
    std::uint64_t errors = 0;    ///< handler calls that threw or returned an error
    std::uint64_t drops = 0;     ///< oldest events dropped on overflow (P2-P4 only)
    std::uint64_t waits = 0;     ///< pushes that waited for space (P0-P1 only)
    std::uint64_t depth = 0;     ///< events queued now
};

/// Counters of a priority_processor.
struct processor_stats {
    std::array<level_stats, priority_levels> levels{};
    /// Enqueue-to-handler latency of the sampled events, measured with the injected clock.
    histogram_snapshot queue_wait{};

    const level_stats& operator[](priority p) const noexcept { return levels[static_cast<std::size_t>(p)]; }
};

/// What stop() does with the events still queued.
enum class stop_mode : std::uint8_t {
    drain,   ///< run the handler on every queued event, in priority order, then stop
    discard, ///< drop every queued event (and the rest of the batch in hand) without running the handler
};

/// What stop() did.
struct stop_report {
    stop_mode mode = stop_mode::drain;
    std::uint64_t drained = 0;   ///< events handled after the stop was requested
    std::uint64_t discarded = 0; ///< events dropped by the stop
};

/// A handler call that failed: it returned an error (ec set) or threw (exception set, what() in what).
struct handler_failure {
    priority level = priority::orders;
    error_code ec{};
    std::exception_ptr exception{};
    std::string_view what{};
};

/// Optional observers. Each must be thread-safe and cheap; an exception it throws is swallowed.
template <class Event>
struct processor_hooks {
    /// Called on the producer's thread with each event dropped by overflow, e.g. to force a book resync.
    std::function<void(priority, const Event&)> on_drop;
    /// Called on the consumer thread when the handler fails; the logging hook of the component.
    std::function<void(const handler_failure&, const Event&)> on_error;
};

namespace detail {

/// Tells the CPU we are spinning (saves power, frees the sibling hyperthread).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#else
    std::this_thread::yield();
#endif
}

// Set in enqueue_pos by stop(): no producer can claim a cell after it.
inline constexpr std::uint64_t closed_bit = std::uint64_t{1} << 63;

// Positions and counters of one level; its typed cells live in priority_processor. Producer-written,
// consumer-written and counter fields sit on separate cache lines.
struct level_state {
    alignas(64) std::atomic<std::uint64_t> enqueue_pos{0};
    alignas(64) std::atomic<std::uint64_t> dequeue_pos{0};
    alignas(64) std::atomic<std::uint32_t> space_epoch{0};
    std::atomic<std::uint32_t> space_waiters{0};
    std::atomic<std::uint64_t> drops{0};
    std::atomic<std::uint64_t> waits{0};
    alignas(64) std::atomic<std::uint64_t> processed{0};
    std::atomic<std::uint64_t> batches{0};
    std::atomic<std::uint64_t> errors{0};
    std::uint64_t mask = 0;
    std::int64_t capacity = 0;
};

using level_states = std::array<level_state, priority_levels>;

// Blocks a P0/P1 producer until q has room or is closed: spins, then parks on q.space_epoch.
void wait_for_space(level_state& q, std::uint32_t spins) noexcept;

// Wakes the producers parked in wait_for_space after the consumer freed cells.
inline void release_space(level_state& q) noexcept {
    // One load when nobody waits, which is the common case.
    if (q.space_waiters.load(std::memory_order_seq_cst) == 0)
        return;
    q.space_epoch.fetch_add(1, std::memory_order_seq_cst);
    q.space_epoch.notify_all();
}

// Closes q to producers and wakes those parked on it.
void close(level_state& q) noexcept;

// True if some level has a cell claimed by a producer and not yet taken by the consumer.
bool any_claimed(const level_states& levels) noexcept;

// The counters of q.
level_stats read_stats(const level_state& q) noexcept;

// The futex the idle consumer sleeps on. Producers pay a syscall only when it is parked.
class consumer_parker {
    alignas(64) std::atomic<bool> sleeping_{false};
    std::atomic<std::uint32_t> epoch_{0};

    void wake_slow() noexcept;

public:
    // Producer side, after publishing an event.
    void wake() noexcept {
        // Fast path: a busy consumer is not parked, so the producer takes no syscall.
        if (sleeping_.load(std::memory_order_seq_cst))
            wake_slow();
    }
    // Wakes the consumer whether or not it is parked (stop).
    void interrupt() noexcept;
    // Consumer side: parks unless a level has claimed work or stop is set.
    void park(const level_states& levels, const std::atomic<bool>& stop) noexcept;
};

} // namespace detail

/// Multi-producer, single-consumer processor with five bounded priority levels (see priority).
///
/// Each level is a bounded lock-free ring (Vyukov-style sequence per cell), so a push costs one CAS
/// and no allocation. The consumer takes batches of up to batch_size from the most urgent non-empty
/// level and re-checks the higher levels after every batch. When there is no work it parks on a
/// futex; producers only pay a syscall when the consumer is actually parked.
template <class Event>
class priority_processor {
    static_assert(std::default_initializable<Event> && std::movable<Event>,
                  "events are moved in and out of preallocated ring cells");

    // One slot: seq == pos means free for the producer of pos, seq == pos + 1 means published.
    struct cell {
        std::atomic<std::uint64_t> seq{0};
        std::int64_t enqueued_ns = -1;
        Event event{};
    };
    // An event taken out of its ring by the consumer.
    struct item {
        Event event{};
        std::int64_t enqueued_ns = -1;
    };
    static constexpr std::uint64_t closed_bit = detail::closed_bit;

    std::function<result<void>(Event&, priority)> handler_;
    processor_hooks<Event> hooks_;
    genesis::clock& clock_;
    std::size_t batch_size_;
    std::uint64_t sample_mask_;
    std::uint32_t idle_spins_;
    detail::level_states levels_;
    std::array<std::unique_ptr<cell[]>, priority_levels> cells_;
    std::vector<item> batch_;
    log2_histogram queue_wait_;
    std::uint64_t in_flight_discarded_ = 0;
    detail::consumer_parker parker_;
    alignas(64) std::atomic<bool> stop_requested_{false};
    std::atomic<bool> discard_{false};
    std::mutex stop_mutex_;
    bool stopped_ = false;
    stop_report report_{};
    std::thread consumer_;

    void drop_oldest(priority p);
    std::size_t claim_batch(std::size_t l) noexcept;
    std::size_t run_batch(priority p, std::size_t n);
    void handle(priority p, detail::level_state& q, item& it) noexcept;
    void fail(detail::level_state& q, const Event& ev, const handler_failure& f) noexcept;
    result<void> enqueue(priority p, Event& ev, bool wait);
    bool process_round(std::uint64_t* handled);
    bool any_published() const noexcept;
    void idle_wait() noexcept;
    void consume();
    void finish();

public:
    /// Handler called on the consumer thread for each event; an error result or an exception counts as
    /// an error (reported to hooks.on_error) and the loop goes on. The clock times queue waits.
    explicit priority_processor(std::function<result<void>(Event&, priority)> handler,
                                priority_processor_config config = {}, processor_hooks<Event> hooks = {},
                                genesis::clock& clk = real_clock::instance());
    /// Stops with stop_mode::discard if still running.
    ~priority_processor();
    priority_processor(const priority_processor&) = delete;
    priority_processor& operator=(const priority_processor&) = delete;

    /// Starts the consumer thread. errc::stopped after stop(); a second call is a no-op.
    [[nodiscard]] result<void> start();

    /// Queues ev at level p. On a full P0/P1 queue waits for space (counted in waits); on a full
    /// P2-P4 queue drops the oldest event (counted, reported to hooks.on_drop). errc::stopped once
    /// stop() has begun. Thread-safe; may be called from the handler except on a full P0/P1 level.
    [[nodiscard]] result<void> push(priority p, Event ev);
    /// Same, but a full P0/P1 level answers errc::queue_full at once instead of waiting, and ev is
    /// left as it was: for the consumer thread itself, whose wait nobody else could end.
    [[nodiscard]] result<void> try_push(priority p, Event& ev);

    /// Stops accepting events, then drains or discards what is queued and joins the consumer.
    /// Runs the drain on the calling thread if start() was never called. Later calls return zero counts.
    /// Must not be called from the handler (it then only requests the stop and returns zero counts).
    stop_report stop(stop_mode mode);

    /// True once stop() has begun.
    bool stop_requested() const noexcept { return stop_requested_.load(std::memory_order_acquire); }

    /// A snapshot of the counters; callable from any thread.
    processor_stats stats() const noexcept;
};

// ---- template definitions ----

template <class Event>
priority_processor<Event>::priority_processor(std::function<result<void>(Event&, priority)> handler,
                                              priority_processor_config config, processor_hooks<Event> hooks,
                                              genesis::clock& clk)
        : handler_(std::move(handler)), hooks_(std::move(hooks)), clock_(clk),
          batch_size_(config.batch_size == 0 ? 1 : config.batch_size),
          sample_mask_(std::bit_ceil(std::max<std::uint64_t>(config.latency_sample_every, 1)) - 1),
          idle_spins_(config.idle_spins), batch_(batch_size_) {
    for (std::size_t i = 0; i < priority_levels; ++i) {
        auto& q = levels_[i];
        const auto cap = std::max<std::size_t>(config.capacity[i], 1);
        // The ring is a power of two so a position maps to a cell with a mask; the capacity stays exact.
        // At least two cells: with one, "published for pos" (pos + 1) equals "free for pos + 1".
        const auto ring = std::bit_ceil(std::max<std::size_t>(cap, 2));
        cells_[i] = std::make_unique<cell[]>(ring);
        for (std::size_t c = 0; c < ring; ++c)
            cells_[i][c].seq.store(c, std::memory_order_relaxed);
        q.mask = ring - 1;
        q.capacity = static_cast<std::int64_t>(cap);
    }
}

template <class Event>
priority_processor<Event>::~priority_processor() {
    stop(stop_mode::discard);
    if (consumer_.joinable())
        consumer_.join();
}

template <class Event>
result<void> priority_processor<Event>::start() {
    std::lock_guard lock(stop_mutex_);
    if (stopped_)
        return make_error_code(errc::stopped);
    if (!consumer_.joinable())
        consumer_ = std::thread([this] { consume(); });
    return {};
}

template <class Event>
result<void> priority_processor<Event>::push(priority p, Event ev) {
    return enqueue(p, ev, true);
}

template <class Event>
result<void> priority_processor<Event>::try_push(priority p, Event& ev) {
    return enqueue(p, ev, false);
}

template <class Event>
result<void> priority_processor<Event>::enqueue(priority p, Event& ev, bool wait) {
    auto& q = levels_[static_cast<std::size_t>(p)];
    cell* const cells = cells_[static_cast<std::size_t>(p)].get();
    std::uint64_t pos = q.enqueue_pos.load(std::memory_order_relaxed);
    cell* c = nullptr;
    bool waited = false;
    for (;;) {
        if (pos & closed_bit)
            return make_error_code(errc::stopped);
        // Signed: a stale pos may lag a dequeue_pos that other producers and the consumer moved on.
        const auto used = static_cast<std::int64_t>(pos - q.dequeue_pos.load(std::memory_order_acquire));
        if (used >= q.capacity) {
            if (drops_on_overflow(p)) {
                drop_oldest(p);
            } else if (!wait) {
                return make_error_code(errc::queue_full);
            } else {
                // Count the push once, however often it has to wait again.
                if (!waited)
                    q.waits.fetch_add(1, std::memory_order_relaxed);
                waited = true;
                detail::wait_for_space(q, idle_spins_);
            }
            pos = q.enqueue_pos.load(std::memory_order_relaxed);
            continue;
        }
        c = &cells[pos & q.mask];
        const auto seq = c->seq.load(std::memory_order_acquire);
        if (seq == pos) {
            if (q.enqueue_pos.compare_exchange_weak(pos, pos + 1, std::memory_order_seq_cst, std::memory_order_relaxed))
                break;
        } else {
            // The consumer has claimed this cell but not yet copied it out, or another producer won it.
            if (seq < pos)
                detail::cpu_relax();
            pos = q.enqueue_pos.load(std::memory_order_relaxed);
        }
    }
    c->enqueued_ns = (pos & sample_mask_) == 0 ? clock_.now().ns : -1;
    c->event = std::move(ev);
    c->seq.store(pos + 1, std::memory_order_release);
    parker_.wake();
    return {};
}

template <class Event>
void priority_processor<Event>::drop_oldest(priority p) {
    auto& q = levels_[static_cast<std::size_t>(p)];
    cell* const cells = cells_[static_cast<std::size_t>(p)].get();
    auto d = q.dequeue_pos.load(std::memory_order_seq_cst);
    for (;;) {
        const auto e = q.enqueue_pos.load(std::memory_order_acquire);
        // Room appeared (the consumer took a batch) or the level closed: let push() decide again.
        if ((e & closed_bit) || static_cast<std::int64_t>(e - d) < q.capacity)
            return;
        if (cells[d & q.mask].seq.load(std::memory_order_acquire) != d + 1) {
            detail::cpu_relax();
            d = q.dequeue_pos.load(std::memory_order_seq_cst);
            continue;
        }
        if (q.dequeue_pos.compare_exchange_weak(d, d + 1, std::memory_order_seq_cst, std::memory_order_relaxed))
            break;
    }
    auto& c = cells[d & q.mask];
    Event dropped = std::move(c.event);
    c.seq.store(d + q.mask + 1, std::memory_order_release);
    q.drops.fetch_add(1, std::memory_order_relaxed);
    if (hooks_.on_drop) {
        try {
            hooks_.on_drop(p, dropped);
        } catch (...) {
            // A failing observer must not fail the producer.
        }
    }
}

template <class Event>
std::size_t priority_processor<Event>::claim_batch(std::size_t l) noexcept {
    auto& q = levels_[l];
    cell* const cells = cells_[l].get();
    auto d = q.dequeue_pos.load(std::memory_order_acquire);
    for (;;) {
        std::size_t n = 0;
        while (n < batch_size_ && cells[(d + n) & q.mask].seq.load(std::memory_order_acquire) == d + n + 1)
            ++n;
        if (n == 0)
            return 0;
        // A CAS, not a store: producers of P2-P4 may have taken the oldest cell meanwhile.
        if (!q.dequeue_pos.compare_exchange_strong(d, d + n, std::memory_order_seq_cst, std::memory_order_acquire))
            continue;
        for (std::size_t i = 0; i < n; ++i) {
            auto& c = cells[(d + i) & q.mask];
            batch_[i].event = std::move(c.event);
            batch_[i].enqueued_ns = c.enqueued_ns;
            c.seq.store(d + i + q.mask + 1, std::memory_order_release);
        }
        detail::release_space(q);
        return n;
    }
}

template <class Event>
void priority_processor<Event>::fail(detail::level_state& q, const Event& ev, const handler_failure& f) noexcept {
    q.errors.store(q.errors.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (!hooks_.on_error)
        return;
    try {
        hooks_.on_error(f, ev);
    } catch (...) {
        // No exception crosses the event loop, not even the logger's.
    }
}

template <class Event>
void priority_processor<Event>::handle(priority p, detail::level_state& q, item& it) noexcept {
    if (it.enqueued_ns >= 0)
        queue_wait_.record(clock_.now().ns - it.enqueued_ns);
    try {
        auto r = handler_(it.event, p);
        if (!r)
            fail(q, it.event, {p, r.error(), {}, {}});
    } catch (const std::exception& e) {
        fail(q, it.event, {p, {}, std::current_exception(), e.what()});
    } catch (...) {
        fail(q, it.event, {p, {}, std::current_exception(), "unknown exception"});
    }
    // Counted after the error so that a reader who sees processed == N also sees every error.
    q.processed.store(q.processed.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

template <class Event>
std::size_t priority_processor<Event>::run_batch(priority p, std::size_t n) {
    auto& q = levels_[static_cast<std::size_t>(p)];
    q.batches.store(q.batches.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    std::size_t i = 0;
    for (; i < n; ++i) {
        // stop(discard) takes effect between two events, not only between batches.
        if (discard_.load(std::memory_order_relaxed))
            break;
        handle(p, q, batch_[i]);
    }
    in_flight_discarded_ += n - i;
    return i;
}

template <class Event>
bool priority_processor<Event>::process_round(std::uint64_t* handled) {
    for (std::size_t l = 0; l < priority_levels; ++l) {
        const auto n = claim_batch(l);
        if (n == 0)
            continue;
        const auto done = run_batch(static_cast<priority>(l), n);
        if (handled)
            *handled += done;
        return true;
    }
    return false;
}

template <class Event>
bool priority_processor<Event>::any_published() const noexcept {
    for (std::size_t l = 0; l < priority_levels; ++l) {
        const auto d = levels_[l].dequeue_pos.load(std::memory_order_relaxed);
        if (cells_[l][d & levels_[l].mask].seq.load(std::memory_order_relaxed) == d + 1)
            return true;
    }
    return false;
}

template <class Event>
void priority_processor<Event>::idle_wait() noexcept {
    // Spin briefly first: a busy producer publishes again within microseconds, and parking costs a
    // syscall on both sides.
    for (std::uint32_t i = 0; i < idle_spins_; ++i) {
        if (any_published() || stop_requested_.load(std::memory_order_relaxed))
            return;
        detail::cpu_relax();
    }
    parker_.park(levels_, stop_requested_);
}

template <class Event>
void priority_processor<Event>::consume() {
    while (!stop_requested_.load(std::memory_order_acquire)) {
        if (!process_round(nullptr))
            idle_wait();
    }
    finish();
}

template <class Event>
void priority_processor<Event>::finish() {
    const bool discard = discard_.load(std::memory_order_relaxed);
    report_.mode = discard ? stop_mode::discard : stop_mode::drain;
    std::uint64_t handled = 0;
    // Levels are closed, so the queues only shrink; a producer may still be publishing a claimed cell.
    while (detail::any_claimed(levels_)) {
        if (!process_round(&handled))
            std::this_thread::yield();
    }
    report_.drained = handled;
    report_.discarded = in_flight_discarded_;
}

template <class Event>
stop_report priority_processor<Event>::stop(stop_mode mode) {
    std::lock_guard lock(stop_mutex_);
    if (stopped_)
        return {mode, 0, 0};
    stopped_ = true;
    discard_.store(mode == stop_mode::discard, std::memory_order_relaxed);
    // Close every level first so the set of events to drain or discard is fixed.
    for (auto& q : levels_)
        detail::close(q);
    stop_requested_.store(true, std::memory_order_seq_cst);
    parker_.interrupt();
    if (consumer_.joinable()) {
        // From the handler we cannot join ourselves: the consumer finishes when the handler returns.
        if (consumer_.get_id() == std::this_thread::get_id())
            return {mode, 0, 0};
        consumer_.join();
    } else {
        finish();
    }
    return report_;
}

template <class Event>
processor_stats priority_processor<Event>::stats() const noexcept {
    processor_stats s;
    for (std::size_t l = 0; l < priority_levels; ++l)
        s.levels[l] = detail::read_stats(levels_[l]);
    s.queue_wait = queue_wait_.snapshot();
    return s;
}

} // namespace genesis::resilience
