#include "genesis/gateway/replay/recorder.hpp"

#include "genesis/gateway/replay/json_text.hpp"

#include <boost/system/errc.hpp>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace genesis::gateway::replay {

std::string_view to_string(record_source s) noexcept { return s == record_source::ws ? "ws" : "rest"; }

std::size_t append_record_line(std::string& out, time_point receive_time, record_source source,
                               std::string_view channel, std::string_view payload) {
    char num[24];
    const auto end = std::to_chars(num, num + sizeof num, receive_time.ns).ptr;
    out.reserve(out.size() + channel.size() + payload.size() + payload.size() / 8 + 80);
    out.append("{\"ts_ns\":");
    out.append(num, end);
    out.append(",\"source\":\"");
    out.append(to_string(source));
    out.append("\",\"channel\":");
    std::size_t replaced = append_json_string(out, channel);
    out.append(",\"payload\":");
    replaced += append_json_string(out, payload);
    out.append("}\n");
    return replaced;
}

namespace {

/// One queued frame: channel and payload share one allocation.
struct entry {
    std::string text; // channel followed by payload
    std::size_t channel_size = 0;
    time_point receive_time;
    record_source source = record_source::ws;
};

} // namespace

struct recorder::impl {
    std::FILE* file = nullptr;
    recorder_options options;

    std::mutex mutex;
    std::condition_variable wake;    // writer: work, flush request or stop
    std::condition_variable flushed; // flush(): progress
    std::deque<entry> queue;
    std::size_t queued_bytes = 0;
    std::uint64_t enqueued_seq = 0; // lines accepted so far
    std::uint64_t flushed_seq = 0;  // lines written and flushed so far
    bool flush_requested = false;
    bool stopping = false;
    bool closed = false;

    std::atomic<std::uint64_t> recorded{0};
    std::atomic<std::uint64_t> dropped{0};
    std::atomic<std::uint64_t> written{0};
    std::atomic<std::uint64_t> bytes_written{0};
    std::atomic<std::uint64_t> invalid_utf8{0};
    std::atomic<std::uint64_t> write_errors{0};

    std::thread writer;

    void run() {
        std::vector<entry> batch;
        std::string line;
        std::uint64_t done = 0;
        for (;;) {
            bool stop = false;
            bool want_flush = false;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [&] { return !queue.empty() || flush_requested || stopping; });
                // Take everything queued so far: the file is written without the lock.
                batch.clear();
                while (!queue.empty()) {
                    batch.push_back(std::move(queue.front()));
                    queue.pop_front();
                }
                queued_bytes = 0;
                stop = stopping;
                want_flush = flush_requested || stop || batch.empty();
                flush_requested = false;
            }
            for (const auto& e : batch) {
                line.clear();
                const std::string_view text{e.text};
                invalid_utf8.fetch_add(append_record_line(line, e.receive_time, e.source,
                                                          text.substr(0, e.channel_size), text.substr(e.channel_size)),
                                       std::memory_order_relaxed);
                if (std::fwrite(line.data(), 1, line.size(), file) != line.size()) {
                    write_errors.fetch_add(1, std::memory_order_relaxed);
                } else {
                    written.fetch_add(1, std::memory_order_relaxed);
                    bytes_written.fetch_add(line.size(), std::memory_order_relaxed);
                }
            }
            done += batch.size();
            // Flush when asked, and whenever the queue ran dry, so a quiet stream is on disk soon.
            bool empty_now = false;
            {
                std::lock_guard lock(mutex);
                empty_now = queue.empty();
            }
            if (want_flush || empty_now) {
                if (std::fflush(file) != 0)
                    write_errors.fetch_add(1, std::memory_order_relaxed);
                std::lock_guard lock(mutex);
                flushed_seq = done;
                flushed.notify_all();
            }
            if (stop) {
                std::lock_guard lock(mutex);
                if (queue.empty())
                    return;
            }
        }
    }

    result<void> status() const noexcept {
        if (write_errors.load(std::memory_order_relaxed) != 0)
            return boost::system::errc::make_error_code(boost::system::errc::io_error);
        return {};
    }
};

recorder::recorder(std::unique_ptr<impl> p) noexcept : impl_(std::move(p)) {}
recorder::recorder(recorder&&) noexcept = default;
recorder& recorder::operator=(recorder&& o) noexcept {
    if (this != &o) {
        (void)close();
        impl_ = std::move(o.impl_);
    }
    return *this;
}
recorder::~recorder() { (void)close(); }

result<recorder> recorder::open(const std::string& path, recorder_options options) {
    std::FILE* f = std::fopen(path.c_str(), options.append ? "ab" : "wb");
    if (f == nullptr)
        return error_code(errno, boost::system::generic_category());
    // A large stdio buffer: the writer issues few, big writes.
    std::setvbuf(f, nullptr, _IOFBF, std::size_t{1} << 20);
    auto p = std::make_unique<impl>();
    p->file = f;
    p->options = options;
    p->writer = std::thread([raw = p.get()] { raw->run(); });
    return recorder(std::move(p));
}

bool recorder::record(record_source source, std::string_view channel, std::string_view payload,
                      time_point receive_time) noexcept {
    if (!impl_)
        return false;
    auto& s = *impl_;
    const std::size_t bytes = channel.size() + payload.size();
    try {
        // Copy the caller's bytes before taking the lock; the writer escapes them later.
        entry e;
        e.text.reserve(bytes);
        e.text.append(channel);
        e.text.append(payload);
        e.channel_size = channel.size();
        e.receive_time = receive_time;
        e.source = source;
        std::unique_lock lock(s.mutex);
        if (s.closed || s.stopping || s.queue.size() >= s.options.max_queued_lines ||
            s.queued_bytes + bytes > s.options.max_queued_bytes) {
            lock.unlock();
            s.dropped.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        s.queue.push_back(std::move(e));
        s.queued_bytes += bytes;
        ++s.enqueued_seq;
        lock.unlock();
        s.wake.notify_one();
    } catch (...) {
        // Out of memory: the line is lost, the caller goes on.
        s.dropped.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    s.recorded.fetch_add(1, std::memory_order_relaxed);
    return true;
}

result<void> recorder::flush() {
    if (!impl_)
        return {};
    auto& s = *impl_;
    {
        std::unique_lock lock(s.mutex);
        if (s.closed)
            return s.status();
        const std::uint64_t target = s.enqueued_seq;
        s.flush_requested = true;
        s.wake.notify_one();
        s.flushed.wait(lock, [&] { return s.flushed_seq >= target; });
    }
    return s.status();
}

result<void> recorder::close() {
    if (!impl_)
        return {};
    auto& s = *impl_;
    {
        std::lock_guard lock(s.mutex);
        if (s.closed)
            return s.status();
        s.stopping = true;
    }
    s.wake.notify_one();
    if (s.writer.joinable())
        s.writer.join();
    if (std::fclose(s.file) != 0)
        s.write_errors.fetch_add(1, std::memory_order_relaxed);
    s.file = nullptr;
    {
        std::lock_guard lock(s.mutex);
        s.closed = true;
    }
    return s.status();
}

recorder_stats recorder::stats() const noexcept {
    recorder_stats r;
    if (!impl_)
        return r;
    r.recorded = impl_->recorded.load(std::memory_order_relaxed);
    r.dropped = impl_->dropped.load(std::memory_order_relaxed);
    r.written = impl_->written.load(std::memory_order_relaxed);
    r.bytes_written = impl_->bytes_written.load(std::memory_order_relaxed);
    r.invalid_utf8 = impl_->invalid_utf8.load(std::memory_order_relaxed);
    r.write_errors = impl_->write_errors.load(std::memory_order_relaxed);
    return r;
}

} // namespace genesis::gateway::replay
