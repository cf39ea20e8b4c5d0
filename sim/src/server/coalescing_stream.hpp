// A write-gathering stream layer for the server's WebSocket sessions (Beast inside src/server
// only). Beast's websocket::stream sends every message with its own write, and ssl::stream turns a
// frame's header and payload into separate TLS records: two records, two sendmsg calls and two
// loopback segments per frame. Under websocket::stream, this layer copies each write into a
// pending buffer and completes it at once; one flush (a single write of everything gathered) is
// on the wire at a time, so the frames that queue up meanwhile leave together in one TLS write.
// At a low rate nothing waits: the first frame starts a flush immediately.
#pragma once

#include "net.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace genesis::sim::server {

template <class Next>
class coalescing_stream {
    // Shared with the flush in flight, which may outlive the stream object.
    struct state {
        Next next;
        std::string pending;
        std::string inflight;
        bool flushing = false;
        boost::system::error_code error; // the first failed flush; every later write fails with it
        std::vector<std::function<void()>> on_idle;
        bool gather = true; // false: every write goes straight to the next layer (as without this layer)
        explicit state(Next&& n, bool g) : next(std::move(n)), gather(g) {}
    };
    std::shared_ptr<state> s_;

    static void run_idle(const std::shared_ptr<state>& s) {
        auto waiters = std::move(s->on_idle);
        s->on_idle.clear();
        for (auto& f : waiters)
            f();
    }

    static void flush(const std::shared_ptr<state>& s) {
        if (s->flushing)
            return;
        if (s->pending.empty()) {
            run_idle(s);
            return;
        }
        s->flushing = true;
        s->inflight.swap(s->pending);
        s->pending.clear();
        net::async_write(s->next, net::buffer(s->inflight), [s](boost::system::error_code ec, std::size_t) {
            s->flushing = false;
            s->inflight.clear();
            if (ec) {
                s->error = ec;
                s->pending.clear();
            }
            flush(s);
        });
    }

public:
    using executor_type = typename Next::executor_type;
    using next_layer_type = Next;

    /// gather false: a plain pass-through (for comparison runs).
    explicit coalescing_stream(Next&& next, bool gather = true)
            : s_(std::make_shared<state>(std::move(next), gather)) {}

    executor_type get_executor() noexcept { return s_->next.get_executor(); }
    Next& next_layer() noexcept { return s_->next; }
    const Next& next_layer() const noexcept { return s_->next; }

    /// Bytes written but not yet acknowledged by the next layer (gathered plus in flight).
    std::size_t buffered() const noexcept { return s_->pending.size() + s_->inflight.size(); }

    /// True when writes are gathered (false: the pass-through mode).
    bool gathering() const noexcept { return s_->gather; }

    /// Appends one complete, unmasked, unfragmented WebSocket text frame (a server's frame) and
    /// starts a flush. For the writer of a session that sends every data frame this way and
    /// leaves only control frames to Beast: frames are appended whole, so they never interleave.
    /// False once a flush failed (the connection is gone).
    bool append_text_frame(std::string_view payload) {
        auto& s = *s_;
        if (s.error)
            return false;
        const std::size_t n = payload.size();
        // RFC 6455 5.2: FIN + opcode 1, then a 7-bit, 16-bit or 64-bit length, no mask.
        s.pending.push_back(static_cast<char>(0x81));
        if (n < 126) {
            s.pending.push_back(static_cast<char>(n));
        } else if (n <= 0xFFFF) {
            s.pending.push_back(static_cast<char>(126));
            s.pending.push_back(static_cast<char>((n >> 8) & 0xFF));
            s.pending.push_back(static_cast<char>(n & 0xFF));
        } else {
            s.pending.push_back(static_cast<char>(127));
            for (int shift = 56; shift >= 0; shift -= 8)
                s.pending.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xFF));
        }
        s.pending.append(payload);
        flush(s_);
        return true;
    }

    /// Calls f (on the stream's executor) once nothing is gathered or in flight.
    void when_idle(std::function<void()> f) {
        if (!s_->flushing && s_->pending.empty())
            net::post(get_executor(), std::move(f));
        else
            s_->on_idle.push_back(std::move(f));
    }

    template <class MutableBufferSequence, class ReadToken>
    auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
        return s_->next.async_read_some(buffers, std::forward<ReadToken>(token));
    }

    template <class ConstBufferSequence, class WriteToken>
    auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
        return net::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
            [](auto handler, std::shared_ptr<state> s, const ConstBufferSequence& b) {
                if (!s->gather) {
                    s->next.async_write_some(b, std::move(handler));
                    return;
                }
                boost::system::error_code ec = s->error;
                std::size_t n = 0;
                if (!ec) {
                    for (auto it = net::buffer_sequence_begin(b); it != net::buffer_sequence_end(b); ++it) {
                        const net::const_buffer cb(*it);
                        s->pending.append(static_cast<const char*>(cb.data()), cb.size());
                        n += cb.size();
                    }
                    flush(s);
                }
                // Never complete inside the initiating call.
                auto ex = net::get_associated_executor(handler, s->next.get_executor());
                net::post(ex, beast::bind_front_handler(std::move(handler), ec, n));
            },
            token, s_, buffers);
    }

    /// Beast's websocket teardown (after a close handshake): flush what is gathered first, then
    /// the TLS shutdown of the next layer.
    template <class TeardownHandler>
    friend void async_teardown(beast::role_type role, coalescing_stream& stream, TeardownHandler&& handler) {
        // Completion handlers are move-only; when_idle keeps copyable callbacks.
        auto s = stream.s_;
        auto h = std::make_shared<std::decay_t<TeardownHandler>>(std::forward<TeardownHandler>(handler));
        stream.when_idle([s, role, h] {
            using boost::beast::websocket::async_teardown;
            async_teardown(role, s->next, std::move(*h));
        });
    }

    friend void teardown(beast::role_type role, coalescing_stream& stream, boost::system::error_code& ec) {
        using boost::beast::websocket::teardown;
        teardown(role, stream.s_->next, ec);
    }
};

} // namespace genesis::sim::server
