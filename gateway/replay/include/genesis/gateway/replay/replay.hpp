// Replay: runs a recording (recorder.hpp's JSON lines) through the Binance decoders and local
// books exactly as the live gateway would, with no network, and prints what came out.
#pragma once

#include "genesis/binance/order_book.hpp"

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

namespace genesis::gateway::replay {

/// What `genesis-gateway replay` was asked to do.
struct replay_options {
    /// The venue whose decoders read the recording. Only "binance".
    std::string venue = "binance";
    /// The recording; "-" reads standard input.
    std::string input;
    /// Print every normalized event (false: only the books and the summary).
    bool events = true;
    /// The local books' settings (staleness runs on the recording's own ts_ns).
    binance::book_config book = {};
};

/// Counters of one replay (the summary line).
struct replay_summary {
    std::uint64_t frames = 0;  ///< non-empty lines read
    std::uint64_t events = 0;  ///< normalized events decoded (one per printed event line)
    std::uint64_t gaps = 0;    ///< diffs that skipped update ids, over all books
    std::uint64_t resyncs = 0; ///< books discarded and rebuilt (gap, crossed, stale), over all books
    std::uint64_t errors = 0;  ///< malformed lines and payloads the decoders rejected (skipped)
    std::uint64_t ignored = 0; ///< well-formed frames replay has no use for (WS-API answers, other REST)
};

/// A replay in progress: feed it the recording line by line, then finish(). Single-threaded.
/// Writes one JSON line per normalized event to `out` (as it goes), one per book and the summary
/// at finish(); each skipped line is reported on `err` with a truncated sample.
///
/// Event lines carry "type" (depth_update, partial_depth, trade, agg_trade, book_ticker, kline,
/// snapshot, server_shutdown), "ts_ns" (the recorded receive time), "symbol", and the event's
/// fields; prices and quantities are canonical decimal strings, exchange times are "*_ns".
/// A book that asks for a snapshot takes the next recorded GET /api/v3/depth answer for its
/// symbol (or one recorded earlier that no book asked for yet); the book itself checks that it
/// can be joined to the stream, exactly as live.
class replayer {
    struct impl;
    std::unique_ptr<impl> impl_;

public:
    replayer(std::ostream& out, std::ostream& err, const replay_options& options = {});
    replayer(replayer&&) noexcept;
    replayer& operator=(replayer&&) noexcept;
    ~replayer();

    /// One recording line (without its newline). Blank lines are skipped.
    void on_line(std::string_view line);
    /// Prints the books (by symbol) and the summary line. Call once, after the last line.
    void finish();
    /// The counters so far (gaps and resyncs are summed over the books).
    replay_summary summary() const;
    /// The book of a symbol that had a diff-depth stream, or nullptr.
    const binance::local_book* book(std::string_view sym) const;
};

/// Replays options.input to `out`. Returns 0 when the file was replayed (malformed lines are
/// counted, not fatal), 1 when it cannot be read, 2 when the options are unusable (unknown venue,
/// no input).
int run_replay(const replay_options& options, std::ostream& out, std::ostream& err);

/// `genesis-gateway replay --venue binance --input FILE [--books-only]`: argv[0] is the program
/// (or subcommand) name; a leading "replay" argument is skipped too. Returns run_replay's code,
/// 0 after --help, or 2 with a message on err for an unknown or incomplete option.
int replay_main(int argc, char** argv, std::ostream& out, std::ostream& err);

} // namespace genesis::gateway::replay
