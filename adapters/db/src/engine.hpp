// The db thread: its queue, its connections and everything it does. Private to genesis_db.
#pragma once

#include "genesis/db/database.hpp"
#include "sqlite.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace genesis::db::detail {

/// One file of the replica set; index 0 is the primary.
struct replica {
    std::size_t index = 0;
    std::filesystem::path path;
    connection conn; ///< closed while unavailable
    bool degraded = false;
    std::string reason;
    std::uint64_t checkpoint_seq = 0;
    std::uint64_t failures = 0;
    std::uint64_t reseeds = 0;
};

/// PRAGMA quick_check on c: empty when the file passes, else its first problems on one line.
std::string quick_check(connection& c);

class engine {
    struct task {
        bool write = false; ///< journal write: joins the open group-commit transaction
        std::function<void()> run;
    };

    // Shared with callers.
    std::mutex queue_mutex_;
    std::condition_variable queue_cv_;
    std::deque<task> queue_;
    bool stopping_ = false;
    mutable std::mutex status_mutex_;
    health_status health_;
    std::vector<replica_status> status_;
    std::atomic<bool> healthy_{true};
    std::atomic<std::uint64_t> commits_{0};
    std::atomic<std::uint64_t> group_commits_{0};
    std::atomic<std::uint64_t> journal_rows_{0};
    std::atomic<std::uint64_t> duplicates_{0};
    std::atomic<std::uint64_t> last_seq_{0};
    std::atomic<std::uint32_t> schema_version_{0};
    std::thread thread_;

    // The db thread's own state.
    db_config cfg_;
    const genesis::clock* clock_;
    std::vector<replica> replicas_;
    bool in_txn_ = false;
    std::size_t batch_rows_ = 0;
    std::chrono::steady_clock::time_point deadline_;
    std::vector<std::function<void(error_code)>> deferred_;
    std::uint64_t next_seq_ = 1;
    std::uint64_t next_checkpoint_seq_ = 1;
    error_code barrier_ec_;        ///< outcome of the commit that ran just before the current barrier task
    error_code health_ec_;         ///< the first storage failure (guarded by status_mutex_)
    bool primary_checked_ = false; ///< the primary passed quick_check at open; the first restore reuses it

    void run();
    error_code open_all(std::string& why);
    error_code open_replica(replica& r, std::string& why);
    /// The sentence open() fails with when the primary is damaged: the file, what SQLite found and
    /// what the operator can do (names the newest valid secondary, checked without writing to it).
    std::string damaged_primary(std::string_view problem);
    /// The highest journal_seq any replica's checkpoints cover (0 when none).
    std::uint64_t covered_journal_seq();
    /// Writes a reserved counter to a secondary (FULL), so that a replacement primary continues it.
    error_code mirror_block(replica& r, std::string_view instance, std::uint64_t next, std::string& why);
    error_code ensure_txn();
    void fail_batch(error_code ec);
    void mark_degraded(replica& r, std::string reason);
    /// A replica that failed its checks at restore: logged, and degraded if it is a secondary.
    void skip_damaged(replica& r, const std::string& verdict);
    void publish_status();
    static int on_commit(void* self) noexcept;
    result<std::uint64_t> pick_reseed_source();
    error_code reseed_one(replica& target, replica& source, std::string& why);
    error_code write_checkpoint_to(replica& r, const checkpoint& cp, std::string& why);
    error_code inject_fault(std::size_t index) const;
    static std::string describe_error(const error_code& ec, std::string_view why);

public:
    explicit engine(db_config cfg);
    ~engine();
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    /// Starts the thread and opens every file on it.
    error_code start(std::string& why);
    /// Queues work for the db thread; false once stopping.
    bool post(bool write, std::function<void()> fn);
    /// The same, but fn is moved from only when queued: refused, the caller still holds it.
    bool try_post(bool write, std::function<void()>& fn);

    // On the db thread.
    connection& primary() noexcept { return replicas_.front().conn; }
    /// Runs body inside the group-commit transaction and defers done until its commit.
    template <class T, class F>
    void journal(completion<T> done, F&& body);
    error_code commit_batch();
    /// For flush(): the barrier's commit error, else the first storage failure, else success.
    error_code flush_outcome() const;
    /// Records a storage failure: the database becomes unhealthy (the first reason is kept).
    void note_failure(const error_code& ec, std::string_view what);

    result<std::uint64_t> insert_intent(std::string_view instance, const order_intent& intent);
    result<std::uint64_t> insert_transition(const order_transition& t);
    result<fill_outcome> insert_fill(const fill_record& f);
    result<std::uint64_t> insert_balance(const venue_id& venue, const balance& b, time_point time);
    result<id_block> reserve(std::string_view instance, std::uint64_t size);
    result<std::vector<journal_entry>> replay(std::uint64_t after_seq);
    result<checkpoint_report> write_checkpoint(std::vector<section> sections);
    result<restore_report> restore();
    result<std::vector<std::size_t>> reseed();
    result<void> save_snapshot(std::string_view component, std::uint64_t version, const std::vector<std::byte>& bytes);
    result<std::optional<stored_snapshot>> load_snapshot(std::string_view component);

    // Any thread.
    bool healthy() const noexcept { return healthy_.load(std::memory_order_acquire); }
    health_status health() const;
    std::vector<replica_status> replica_statuses() const;
    db_stats stats() const noexcept;
    std::uint32_t schema_version() const noexcept { return schema_version_.load(std::memory_order_acquire); }
};

template <class T, class F>
void engine::journal(completion<T> done, F&& body) {
    result<T> r = make_error_code(db_errc::closed);
    if (auto ec = ensure_txn())
        r = ec;
    else
        r = body();
    ++batch_rows_;
    const error_code failure = (!r && is_storage_failure(r.error())) ? r.error() : error_code{};
    deferred_.push_back([done = std::move(done), r = std::move(r)](error_code commit_ec) mutable {
        if (!done)
            return;
        if (commit_ec && r)
            done(result<T>(commit_ec));
        else
            done(std::move(r));
    });
    // A storage failure may have rolled the transaction back: fail the whole batch now.
    if (failure)
        fail_batch(failure);
}

} // namespace genesis::db::detail
