// The gateway's durable memory: order journal, client order id blocks and checkpoints in SQLite
// (WAL), all run on the database's own thread.
#pragma once

#include "genesis/core/clock.hpp"
#include "genesis/db/error.hpp"
#include "genesis/db/types.hpp"
#include "genesis/log/fwd.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace genesis::db {

/// How far a committed transaction is guaranteed to survive (see adapters/db/README.md).
enum class durability {
    full,   ///< synchronous=FULL: survives power loss once committed
    normal, ///< synchronous=NORMAL in WAL: survives a process crash; power loss may lose the last commits
};

/// Settings of a database.
struct db_config {
    /// The primary file: journal, id blocks and the first checkpoint replica.
    std::filesystem::path primary;
    /// Further checkpoint replicas (each a full SQLite file with the same schema).
    std::vector<std::filesystem::path> replicas;
    durability sync = durability::full;
    /// Journal writes are gathered for at most this long, then committed in one transaction.
    std::chrono::microseconds group_commit_window{1000};
    /// ... or until this many rows are pending, whichever comes first.
    std::size_t group_commit_rows = 256;
    /// Checkpoints kept per replica (older ones are deleted when a new one commits); at least 1.
    std::size_t checkpoint_retention = 2;
    /// Re-seed degraded replicas from a good one right after each checkpoint write.
    bool auto_reseed = true;
    /// PRAGMA max_page_count for every file; 0 leaves SQLite's default. A size cap (and the way
    /// tests provoke SQLITE_FULL).
    std::uint32_t max_page_count = 0;
    /// Time stamps of checkpoints; null uses real_clock. Must outlive the database.
    const genesis::clock* clock = nullptr;
    /// Logger "db"; null logs nothing. Nothing secret is ever written to the database or the log.
    log::logger_ptr logger;
    /// CPUs the db thread (named "genesis-db") may run on; empty: any. An id the process may not
    /// use is logged (warn) and the thread runs unpinned.
    std::vector<unsigned> cpus;
    /// Fault injection for tests: called on the db thread before each replica write; a non-zero
    /// error makes that write fail as if the file had failed.
    std::function<error_code(std::size_t replica)> replica_write_fault;
};

/// Receives the outcome of an asynchronous request. Runs on the db thread, after the commit that
/// made the request durable (or with the error): post back to your own thread, never block.
template <class T>
using completion = std::function<void(result<T>)>;

/// A completion paired with the future it fulfils, for callers that prefer to wait.
template <class T>
std::pair<completion<T>, std::future<result<T>>> make_completion();

/// A component snapshot stored in the replica set (the resilience replicator's durable copy).
struct stored_snapshot {
    std::uint64_t version = 0;
    std::vector<std::byte> bytes;
};

namespace detail {
class engine;
}

/// Owns the SQLite connections and the thread that uses them; every public function is
/// thread-safe and no SQLite call runs on the caller's thread. Journal appends are queued and
/// group-committed; flush() waits until everything queued before it is committed.
class database {
    std::unique_ptr<detail::engine> engine_;

    explicit database(std::unique_ptr<detail::engine> e) noexcept;

public:
    /// Opens (creating if needed) the primary and the replicas in WAL mode and applies missing
    /// migrations, each file in one transaction. Fails with schema_too_new if the primary is newer
    /// than this build, or with the primary's open/migration error; `why` (optional) receives a
    /// sentence naming the file. A replica that fails to open is marked degraded instead.
    [[nodiscard]] static result<std::unique_ptr<database>> open(db_config cfg, std::string* why = nullptr);

    /// Commits everything queued, stops the thread and closes the files.
    ~database();
    database(const database&) = delete;
    database& operator=(const database&) = delete;

    // Journal (group-committed; `done` gets the row's journal sequence once it is durable).

    /// Journals an order intent before the request leaves the gateway. instance must not be empty.
    void append_intent(std::string_view instance, const order_intent& intent, completion<std::uint64_t> done = {});
    /// Journals one state change of an order.
    void append_transition(const order_transition& t, completion<std::uint64_t> done = {});
    /// Journals a fill; a fill already journaled (same venue, symbol, trade id) is reported as
    /// duplicate, not as an error.
    void append_fill(const fill_record& f, completion<fill_outcome> done = {});
    /// Journals one asset's balance.
    void append_balance(const venue_id& venue, const balance& b, time_point time, completion<std::uint64_t> done = {});

    /// Waits until everything queued before it is committed; the commit's error if that failed.
    [[nodiscard]] result<void> flush();

    /// Durably reserves the next size client order id counters of instance: the row is committed
    /// with synchronous=FULL before this returns, so a range is never handed out twice.
    [[nodiscard]] result<id_block> reserve_block(std::string_view instance, std::uint64_t size);

    /// The journal rows with a sequence greater than after_seq, in sequence order (from the primary).
    [[nodiscard]] result<std::vector<journal_entry>> replay(std::uint64_t after_seq);

    // Checkpoints and the replica set.

    /// Writes a checkpoint of the given sections to every replica. Its journal_seq is the last
    /// journal row queued before this call. Fails only if no replica committed it.
    void write_checkpoint(std::vector<section> sections, completion<checkpoint_report> done);
    /// write_checkpoint, waiting for the outcome.
    [[nodiscard]] result<checkpoint_report> write_checkpoint_sync(std::vector<section> sections);
    /// Takes the newest checkpoint that passes PRAGMA quick_check and its checksum, and says why each
    /// other replica was skipped. An empty `chosen` with no error means no valid checkpoint exists.
    [[nodiscard]] result<restore_report> restore();
    /// Re-seeds every degraded replica (never the primary) from a good one with the backup API.
    /// Returns the indices re-seeded.
    [[nodiscard]] result<std::vector<std::size_t>> reseed();

    /// Stores a component snapshot in every replica (for the resilience replicator).
    void save_snapshot(std::string_view component, std::uint64_t version, std::vector<std::byte> bytes,
                       completion<void> done);
    /// The newest valid stored snapshot of a component across the replicas, or nullopt.
    [[nodiscard]] result<std::optional<stored_snapshot>> load_snapshot(std::string_view component);

    // Status (non-blocking, any thread).

    /// False after a storage failure (disk full, I/O error, corruption of the primary): stop trading.
    bool healthy() const noexcept;
    health_status health() const;
    std::vector<replica_status> replicas() const;
    db_stats stats() const noexcept;
    /// The schema version of the primary.
    std::uint32_t schema_version() const noexcept;
};

// Templates.

template <class T>
std::pair<completion<T>, std::future<result<T>>> make_completion() {
    auto p = std::make_shared<std::promise<result<T>>>();
    auto f = p->get_future();
    return {[p](result<T> r) { p->set_value(std::move(r)); }, std::move(f)};
}

} // namespace genesis::db
