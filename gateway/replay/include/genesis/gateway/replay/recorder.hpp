// The recorder: every inbound WebSocket frame and REST answer the gateway uses, one JSON object
// per line, written by its own thread so that the I/O thread never touches the file.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace genesis::gateway::replay {

/// Where a recorded payload came from.
enum class record_source : std::uint8_t {
    ws,   ///< a WebSocket text frame
    rest, ///< a REST response body
};

/// "ws" or "rest".
std::string_view to_string(record_source s) noexcept;

/// Appends one recording line, newline included:
/// {"ts_ns":<receive_time>,"source":"ws"|"rest","channel":"...","payload":"..."}.
/// Channel and payload are escaped with append_json_escaped(); returns the bytes replaced
/// because they were not valid UTF-8 (the line is valid JSON either way).
std::size_t append_record_line(std::string& out, time_point receive_time, record_source source,
                               std::string_view channel, std::string_view payload);

struct recorder_options {
    /// Lines waiting for the writer thread; record() drops beyond this.
    std::size_t max_queued_lines = 65'536;
    /// Payload and channel bytes waiting for the writer thread; record() drops beyond this.
    std::size_t max_queued_bytes = std::size_t{256} << 20;
    /// Append to an existing file instead of truncating it.
    bool append = false;
};

/// Counters since open(). Read from any thread.
struct recorder_stats {
    std::uint64_t recorded = 0;      ///< lines accepted by record()
    std::uint64_t dropped = 0;       ///< lines refused because the queue was full (or closed)
    std::uint64_t written = 0;       ///< lines handed to the file
    std::uint64_t bytes_written = 0; ///< bytes of those lines
    std::uint64_t invalid_utf8 = 0;  ///< payload/channel bytes replaced by U+FFFD
    std::uint64_t write_errors = 0;  ///< failed writes or flushes (lines lost)
};

/// Writes a recording. record() copies the frame into a bounded queue and returns at once (it
/// never blocks on the file and never waits for space: a full queue drops the line and counts
/// it); the recorder's writer thread formats and writes the lines in order. Movable, not
/// copyable; record() may be called from several threads.
class recorder {
    struct impl;
    std::unique_ptr<impl> impl_;

    explicit recorder(std::unique_ptr<impl> p) noexcept;

public:
    /// Opens (creates or truncates, or appends) the file and starts the writer thread. Fails
    /// with the errno of fopen when the file cannot be opened.
    [[nodiscard]] static result<recorder> open(const std::string& path, recorder_options options = {});

    recorder(recorder&&) noexcept;
    recorder& operator=(recorder&&) noexcept;
    recorder(const recorder&) = delete;
    recorder& operator=(const recorder&) = delete;
    /// close().
    ~recorder();

    /// Queues one line. `receive_time` is the frame's receive time in ns (written as ts_ns).
    /// Returns false when the line was dropped (queue full, or the recorder is closed).
    bool record(record_source source, std::string_view channel, std::string_view payload,
                time_point receive_time) noexcept;

    /// Waits until every line queued before the call is written and the file flushed. Returns
    /// an error when some write failed since open().
    [[nodiscard]] result<void> flush();

    /// Writes what is queued, stops the writer thread and closes the file. Later record() calls
    /// drop. Idempotent. Returns an error when some write failed since open().
    result<void> close();

    /// A snapshot of the counters.
    recorder_stats stats() const noexcept;
};

} // namespace genesis::gateway::replay
