#include <genesis/log/system.hpp>

#include <genesis/core/thread.hpp>
#include <genesis/log/redactor.hpp>

#include "json_formatter.hpp"
#include "level.hpp"
#include "redacting_sink.hpp"

#include <spdlog/async_logger.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <pthread.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace genesis::log {
namespace {

using thread_pool = spdlog::details::thread_pool;

constexpr const char* text_pattern = "%Y-%m-%dT%H:%M:%S.%fZ [%l] [%n] %v";

struct counters {
    std::atomic<std::size_t> dropped{0};
    std::atomic<std::size_t> errors{0};
};

// Completes sync(): its records carry a ticket and reach the worker after every record
// posted before them (one worker, FIFO queue).
class barrier_sink final : public spdlog::sinks::sink {
    std::mutex mutex_;
    std::condition_variable cv_;
    std::uint64_t done_ = 0;
    std::shared_ptr<detail::redacting_sink> front_;

public:
    explicit barrier_sink(std::shared_ptr<detail::redacting_sink> front) : front_(std::move(front)) {}

    void log(const spdlog::details::log_msg& msg) override {
        std::uint64_t ticket = 0;
        std::from_chars(msg.payload.data(), msg.payload.data() + msg.payload.size(), ticket);
        // A failing output must not leave sync() waiting; the failure shows on the next record.
        try {
            front_->flush();
        } catch (...) {
        }
        {
            std::lock_guard lock(mutex_);
            if (ticket > done_)
                done_ = ticket;
        }
        cv_.notify_all();
    }
    void flush() override {}
    void set_pattern(const std::string&) override {}
    void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

    bool wait(std::uint64_t ticket, std::chrono::steady_clock::time_point deadline) {
        std::unique_lock lock(mutex_);
        return cv_.wait_until(lock, deadline, [&] { return done_ >= ticket; });
    }
};

// What components receive. It forwards each record to an async_logger, and adds what
// spdlog 1.10 lacks: a discard_new policy (async_logger is final and knows only block and
// overrun_oldest), and quiet dropping once the system is shut down (async_logger throws
// from flush() then). With discard_new, producers racing at a full queue may still overrun
// a few oldest records.
class front_logger final : public spdlog::logger {
    std::shared_ptr<spdlog::async_logger> inner_;
    std::weak_ptr<thread_pool> pool_;
    // 0: overrun the oldest record; otherwise drop new records once the queue holds this many.
    std::size_t discard_at_;
    std::shared_ptr<counters> counters_;

public:
    front_logger(std::string name, spdlog::sink_ptr sink, std::shared_ptr<spdlog::async_logger> inner,
                 std::weak_ptr<thread_pool> pool, std::size_t discard_at, std::shared_ptr<counters> c)
            : spdlog::logger(std::move(name), std::move(sink)), inner_(std::move(inner)), pool_(std::move(pool)),
              discard_at_(discard_at), counters_(std::move(c)) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const auto pool = pool_.lock();
        if (!pool || (discard_at_ != 0 && pool->queue_size() >= discard_at_)) {
            counters_->dropped.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        inner_->log(msg.time, msg.source, msg.level, msg.payload);
    }
    void flush_() override {
        if (!pool_.expired())
            inner_->flush();
    }
};

spdlog::err_handler make_error_handler(std::shared_ptr<counters> c, std::weak_ptr<thread_pool> pool) {
    return [c = std::move(c), pool = std::move(pool)](const std::string& what) {
        // After shutdown the pool is gone: the record is dropped, quietly.
        if (pool.expired()) {
            c->dropped.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        // Rate-limited so a broken output cannot flood stderr.
        if (c->errors.fetch_add(1, std::memory_order_relaxed) < 10) {
            std::fprintf(stderr, "genesis.log error: %s\n", what.c_str());
        }
    };
}

spdlog::level::level_enum checked_level(std::string_view name) {
    const auto lvl = detail::parse_level(name);
    if (!lvl)
        throw std::invalid_argument("genesis.log: unknown level '" + std::string(name) + "'");
    return *lvl;
}

} // namespace

struct system::impl {
    std::shared_ptr<redactor> redactor_ = std::make_shared<redactor>();
    std::shared_ptr<counters> counters_ = std::make_shared<counters>();
    std::shared_ptr<detail::redacting_sink> front_;
    std::shared_ptr<barrier_sink> barrier_;
    std::shared_ptr<thread_pool> pool_;
    std::weak_ptr<thread_pool> weak_pool_;
    std::shared_ptr<spdlog::async_logger> barrier_logger_;
    overflow on_overflow_ = overflow::overrun_oldest;
    std::size_t capacity_ = 0;
    std::atomic<std::size_t> final_overrun_{0};

    std::mutex mutex_;
    spdlog::level::level_enum level_ = spdlog::level::info;
    std::map<std::string, logger_ptr, std::less<>> loggers_;
    std::uint64_t next_ticket_ = 0;

    // The periodic flush: a thread of its own, since sync() may wait for room in the queue.
    std::thread flusher_;
    std::mutex flusher_mutex_;
    std::condition_variable flusher_cv_;
    bool flusher_stop_ = false;

    logger_ptr make_logger(const std::string& name) {
        auto handler = make_error_handler(counters_, weak_pool_);
        // The inner logger only queues; the front one filters by level and flushes on error.
        auto inner = std::make_shared<spdlog::async_logger>(name, front_, weak_pool_,
                                                            spdlog::async_overflow_policy::overrun_oldest);
        inner->set_error_handler(handler);
        inner->set_level(spdlog::level::trace);
        inner->flush_on(spdlog::level::off);
        const std::size_t discard_at = on_overflow_ == overflow::discard_new ? capacity_ : 0;
        auto outer = std::make_shared<front_logger>(name, front_, std::move(inner), weak_pool_, discard_at, counters_);
        outer->set_error_handler(std::move(handler));
        outer->set_level(level_);
        outer->flush_on(spdlog::level::err);
        return outer;
    }
};

system::system(const options& opts) : impl_(std::make_unique<impl>()) {
    auto& s = *impl_;
    s.level_ = checked_level(opts.level);
    if (opts.queue_size == 0)
        throw std::invalid_argument("genesis.log: queue_size must be positive");
    s.on_overflow_ = opts.on_overflow;
    s.capacity_ = opts.queue_size;

    // Format once, then redact the final text before any output sees it.
    std::unique_ptr<spdlog::formatter> formatter;
    if (opts.fmt == format::json) {
        formatter = std::make_unique<detail::json_formatter>();
    } else {
        formatter = std::make_unique<spdlog::pattern_formatter>(text_pattern, spdlog::pattern_time_type::utc);
    }
    s.front_ = std::make_shared<detail::redacting_sink>(std::move(formatter), s.redactor_);
    if (opts.file.empty()) {
        s.front_->add_sink(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    } else {
        s.front_->add_sink(std::make_shared<spdlog::sinks::basic_file_sink_mt>(opts.file, /*truncate=*/false));
    }
    s.barrier_ = std::make_shared<barrier_sink>(s.front_);

    // One worker keeps records in order and makes sync() a FIFO barrier.
    s.pool_ = std::make_shared<thread_pool>(
        opts.queue_size, 1,
        [cpus = opts.cpus] {
            name_this_thread("genesis-log");
            (void)pin_this_thread(cpus); // the gateway checked the ids against the process's CPUs
        },
        [] {});
    s.weak_pool_ = s.pool_;
    // Barriers wait for room rather than overrun a record: sync() is never on the trading path.
    s.barrier_logger_ = std::make_shared<spdlog::async_logger>("genesis.log.sync", s.barrier_, s.weak_pool_,
                                                               spdlog::async_overflow_policy::block);
    s.barrier_logger_->set_level(spdlog::level::trace);
    s.barrier_logger_->flush_on(spdlog::level::off);
    s.barrier_logger_->set_error_handler(make_error_handler(s.counters_, s.weak_pool_));
    if (opts.flush_interval.count() > 0)
        start_flusher(opts.flush_interval, opts.cpus);
}

system::~system() { shutdown(); }

void system::start_flusher(std::chrono::milliseconds every, const std::vector<unsigned>& cpus) {
    auto& s = *impl_;
    s.flusher_ = std::thread([this, every, cpus] {
        name_this_thread("genesis-logsync");
        (void)pin_this_thread(cpus);
        std::unique_lock lock(impl_->flusher_mutex_);
        while (!impl_->flusher_cv_.wait_for(lock, every, [this] { return impl_->flusher_stop_; })) {
            lock.unlock();
            (void)sync(every);
            lock.lock();
        }
    });
}

logger_ptr system::get(std::string_view name) {
    std::lock_guard lock(impl_->mutex_);
    auto it = impl_->loggers_.find(name);
    if (it == impl_->loggers_.end()) {
        std::string key(name);
        auto made = impl_->make_logger(key);
        it = impl_->loggers_.emplace(std::move(key), std::move(made)).first;
    }
    return it->second;
}

void system::add_secret(std::string_view value) { impl_->redactor_->add_secret(value); }

bool system::add_secret_from_env(const char* name) { return impl_->redactor_->add_secret_from_env(name); }

void system::add_sink(sink_ptr sink) { impl_->front_->add_sink(std::move(sink)); }

void system::set_level(std::string_view level) {
    const auto lvl = checked_level(level);
    std::lock_guard lock(impl_->mutex_);
    impl_->level_ = lvl;
    for (auto& [name, logger] : impl_->loggers_)
        logger->set_level(lvl);
}

bool system::sync(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::uint64_t ticket = 0;
    {
        std::lock_guard lock(impl_->mutex_);
        if (!impl_->pool_)
            return false;
        ticket = ++impl_->next_ticket_;
    }
    impl_->barrier_logger_->log(spdlog::level::info, "{}", ticket);
    return impl_->barrier_->wait(ticket, deadline);
}

std::size_t system::dropped() const {
    const std::size_t own = impl_->counters_->dropped.load(std::memory_order_relaxed);
    if (const auto pool = impl_->weak_pool_.lock())
        return own + pool->overrun_counter();
    return own + impl_->final_overrun_.load(std::memory_order_relaxed);
}

void system::shutdown() noexcept {
    if (impl_->flusher_.joinable()) {
        {
            std::lock_guard lock(impl_->flusher_mutex_);
            impl_->flusher_stop_ = true;
        }
        impl_->flusher_cv_.notify_all();
        impl_->flusher_.join();
    }
    std::shared_ptr<thread_pool> pool;
    {
        std::lock_guard lock(impl_->mutex_);
        pool = std::move(impl_->pool_);
    }
    if (!pool)
        return;
    impl_->final_overrun_.store(pool->overrun_counter(), std::memory_order_relaxed);
    // The pool's destructor queues a terminate behind every pending record and joins the
    // worker; loggers only hold weak references, so none can outlive-use it.
    pool.reset();
    try {
        impl_->front_->flush();
    } catch (...) {
    }
}

} // namespace genesis::log
