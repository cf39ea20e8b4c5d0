#include "genesis/resilience/priority_processor.hpp"

#include <cmath>
#include <limits>

namespace genesis::resilience {

std::string_view to_string(priority p) noexcept {
    switch (p) {
    case priority::orders: return "P0 orders";
    case priority::control: return "P1 control";
    case priority::trades: return "P2 trades";
    case priority::book: return "P3 book";
    case priority::telemetry: return "P4 telemetry";
    }
    return "P? unknown";
}

histogram_snapshot log2_histogram::snapshot() const noexcept {
    histogram_snapshot s;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        s.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
        s.count += s.buckets[i];
    }
    s.sum_ns = sum_ns_.load(std::memory_order_relaxed);
    s.max_ns = max_ns_.load(std::memory_order_relaxed);
    return s;
}

nanos histogram_snapshot::percentile(double q) const noexcept {
    if (count == 0)
        return nanos{0};
    q = std::clamp(q, 0.0, 1.0);
    // Rank of the q-quantile among count values, 1-based, at least the first value.
    const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        seen += buckets[i];
        if (seen < rank)
            continue;
        // Bucket i > 0 ends at 2^i - 1; report that bound, but never more than the largest value seen.
        const auto upper = i == 0    ? std::uint64_t{0}
                           : i >= 63 ? static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                                     : (std::uint64_t{1} << i) - 1;
        return nanos{std::min<std::int64_t>(static_cast<std::int64_t>(upper), max_ns)};
    }
    return nanos{max_ns};
}

nanos histogram_snapshot::mean() const noexcept {
    return count == 0 ? nanos{0} : nanos{sum_ns / static_cast<std::int64_t>(count)};
}

namespace detail {
namespace {

// Seq_cst loads: this check takes part in the waiter handshake with the consumer's dequeue CAS.
bool is_full(const level_state& q) noexcept {
    const auto pos = q.enqueue_pos.load(std::memory_order_seq_cst);
    const auto used = static_cast<std::int64_t>(pos - q.dequeue_pos.load(std::memory_order_seq_cst));
    return (pos & closed_bit) == 0 && used >= q.capacity;
}

} // namespace

void wait_for_space(level_state& q, std::uint32_t spins) noexcept {
    // Spin first: the consumer frees a whole batch within microseconds, and parking costs a syscall on
    // both sides for every batch.
    for (std::uint32_t i = 0; i < spins; ++i) {
        if (!is_full(q))
            return;
        cpu_relax();
    }
    for (;;) {
        const auto epoch = q.space_epoch.load(std::memory_order_seq_cst);
        // Announce the wait before re-checking: either the consumer sees the waiter after its dequeue,
        // or this check sees the dequeue.
        q.space_waiters.fetch_add(1, std::memory_order_seq_cst);
        const bool full = is_full(q);
        if (full)
            q.space_epoch.wait(epoch, std::memory_order_seq_cst);
        q.space_waiters.fetch_sub(1, std::memory_order_relaxed);
        if (!full)
            return;
    }
}

void close(level_state& q) noexcept {
    q.enqueue_pos.fetch_or(closed_bit, std::memory_order_seq_cst);
    // Parked producers re-check, see the closed bit and return errc::stopped.
    q.space_epoch.fetch_add(1, std::memory_order_seq_cst);
    q.space_epoch.notify_all();
}

bool any_claimed(const level_states& levels) noexcept {
    for (const auto& q : levels) {
        const auto e = q.enqueue_pos.load(std::memory_order_seq_cst) & ~closed_bit;
        if (e != q.dequeue_pos.load(std::memory_order_seq_cst))
            return true;
    }
    return false;
}

level_stats read_stats(const level_state& q) noexcept {
    level_stats o;
    const auto d = q.dequeue_pos.load(std::memory_order_acquire);
    o.enqueued = q.enqueue_pos.load(std::memory_order_acquire) & ~closed_bit;
    o.depth = o.enqueued > d ? o.enqueued - d : 0;
    o.processed = q.processed.load(std::memory_order_acquire);
    o.batches = q.batches.load(std::memory_order_relaxed);
    o.errors = q.errors.load(std::memory_order_relaxed);
    o.drops = q.drops.load(std::memory_order_relaxed);
    o.waits = q.waits.load(std::memory_order_relaxed);
    return o;
}

void consumer_parker::wake_slow() noexcept {
    // Only one producer pays for the wake-up.
    if (sleeping_.exchange(false, std::memory_order_seq_cst))
        interrupt();
}

void consumer_parker::interrupt() noexcept {
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    epoch_.notify_one();
}

void consumer_parker::park(const level_states& levels, const std::atomic<bool>& stop) noexcept {
    const auto epoch = epoch_.load(std::memory_order_seq_cst);
    sleeping_.store(true, std::memory_order_seq_cst);
    // Re-check after announcing the sleep: a producer's claim CAS and its sleeping_ load are seq_cst,
    // so either it sees sleeping_ and wakes us, or we see its claim here.
    if (any_claimed(levels) || stop.load(std::memory_order_seq_cst)) {
        sleeping_.store(false, std::memory_order_relaxed);
        // A claimed cell may still be unpublished; let its producer run.
        std::this_thread::yield();
        return;
    }
    // Returns at once if a producer or stop() bumped the epoch since we read it.
    epoch_.wait(epoch, std::memory_order_seq_cst);
    sleeping_.store(false, std::memory_order_relaxed);
}

} // namespace detail

} // namespace genesis::resilience
