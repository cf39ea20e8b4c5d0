#include "engine.hpp"

#include "genesis/core/thread.hpp"
#include "genesis/db/migrations.hpp"
#include "genesis/log/logger.hpp"

#include <algorithm>
#include <future>
#include <set>

namespace genesis::db::detail {
namespace {

// Applies the missing migrations in one transaction; refuses a file newer than this build.
error_code migrate(connection& c, std::uint32_t& version, time_point now, std::string& why) {
    if (auto ec = c.exec("BEGIN IMMEDIATE", why))
        return ec;
    auto fail = [&](error_code ec) {
        std::string ignored;
        (void)c.exec("ROLLBACK", ignored);
        return ec;
    };
    if (auto ec = c.exec("CREATE TABLE IF NOT EXISTS schema_version("
                         "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_ns INTEGER NOT NULL)",
                         why))
        return fail(ec);
    auto current = c.query_text("SELECT COALESCE(MAX(version), 0) FROM schema_version", why);
    if (!current)
        return fail(current.error());
    const auto have = static_cast<std::uint32_t>(std::stoul(*current));
    if (have > latest_schema_version()) {
        why = "schema version " + std::to_string(have) + " is newer than this build knows (" +
              std::to_string(latest_schema_version()) + "); refusing to open";
        return fail(make_error_code(db_errc::schema_too_new));
    }
    for (const auto& m : migrations()) {
        if (m.version <= have)
            continue;
        std::string step_why;
        if (auto ec = c.exec(std::string(m.sql).c_str(), step_why)) {
            why = "migration " + std::to_string(m.version) + " (" + std::string(m.description) + "): " + step_why;
            (void)fail(ec);
            return is_storage_failure(ec) ? ec : make_error_code(db_errc::migration_failed);
        }
        std::string why_row;
        auto s = c.prepare("INSERT INTO schema_version(version, description, applied_ns) VALUES(?, ?, ?)", why_row);
        if (!s)
            return fail(s.error());
        stmt ins(*s);
        ins.bind(1, static_cast<std::int64_t>(m.version));
        ins.bind(2, m.description);
        ins.bind(3, now.ns);
        if (const int rc = ins.step(); rc != SQLITE_DONE) {
            why = c.message();
            return fail(make_error_code(errc_from_sqlite(rc)));
        }
    }
    if (auto ec = c.exec("COMMIT", why))
        return fail(ec);
    version = latest_schema_version();
    return {};
}

// The highest value of an INTEGER column expression, 0 for an empty table.
result<std::uint64_t> max_of(connection& c, const char* sql, std::string& why) {
    auto v = c.query_text(sql, why);
    if (!v)
        return v.error();
    return static_cast<std::uint64_t>(std::stoull(v->empty() ? "0" : *v));
}

} // namespace

engine::engine(db_config cfg) : cfg_(std::move(cfg)), clock_(cfg_.clock ? cfg_.clock : &real_clock::instance()) {
    if (cfg_.group_commit_rows == 0)
        cfg_.group_commit_rows = 1;
    if (cfg_.checkpoint_retention == 0)
        cfg_.checkpoint_retention = 1;
}

engine::~engine() {
    {
        std::lock_guard lk(queue_mutex_);
        stopping_ = true;
    }
    queue_cv_.notify_one();
    if (thread_.joinable())
        thread_.join();
}

error_code engine::start(std::string& why) {
    // The promise is shared so that it outlives set_value even if the caller wakes first.
    auto opened = std::make_shared<std::promise<std::pair<error_code, std::string>>>();
    auto done = opened->get_future();
    thread_ = std::thread([this, opened] {
        name_this_thread("genesis-db");
        if (auto ec = pin_this_thread(cfg_.cpus); ec && cfg_.logger)
            cfg_.logger->warn("db thread not pinned to CPUs {}: {}", cpu_list_text(cfg_.cpus), ec.message());
        std::string open_why;
        const auto ec = open_all(open_why);
        opened->set_value({ec, open_why});
        if (ec) {
            replicas_.clear();
            return;
        }
        run();
    });
    auto [ec, open_why] = done.get();
    if (ec) {
        why = std::move(open_why);
        thread_.join();
        std::lock_guard lk(queue_mutex_);
        stopping_ = true;
    }
    return ec;
}

bool engine::post(bool write, std::function<void()> fn) { return try_post(write, fn); }

bool engine::try_post(bool write, std::function<void()>& fn) {
    {
        std::lock_guard lk(queue_mutex_);
        if (stopping_)
            return false;
        queue_.push_back(task{write, std::move(fn)});
    }
    queue_cv_.notify_one();
    return true;
}

void engine::run() {
    for (;;) {
        std::deque<task> batch;
        {
            std::unique_lock lk(queue_mutex_);
            auto ready = [this] { return !queue_.empty() || stopping_; };
            // With a batch open, wake at its deadline at the latest to commit it.
            if (in_txn_)
                queue_cv_.wait_until(lk, deadline_, ready);
            else
                queue_cv_.wait(lk, ready);
            batch.swap(queue_);
            if (batch.empty() && stopping_)
                break;
        }
        for (auto& t : batch) {
            if (t.write) {
                t.run();
                if (batch_rows_ >= cfg_.group_commit_rows)
                    (void)commit_batch();
            } else {
                // Everything else is a barrier: it sees every write queued before it committed.
                barrier_ec_ = commit_batch();
                t.run();
            }
        }
        if (in_txn_ && std::chrono::steady_clock::now() >= deadline_)
            (void)commit_batch();
    }
    (void)commit_batch();
    for (auto& r : replicas_)
        r.conn.close();
}

error_code engine::open_replica(replica& r, std::string& why) {
    auto c = connection::open(r.path, why);
    if (!c)
        return c.error();
    r.conn = std::move(*c);
    auto& conn = r.conn;
    sqlite3_busy_timeout(conn.get(), 5000);
    // WAL: readers never block the writer, and a commit appends to the log instead of rewriting pages.
    auto mode = conn.query_text("PRAGMA journal_mode=WAL", why);
    if (!mode) {
        conn.close();
        return mode.error();
    }
    if (*mode != "wal") {
        why = "journal_mode is " + *mode;
        conn.close();
        return make_error_code(db_errc::wal_unavailable);
    }
    const char* sync = cfg_.sync == durability::full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
    if (auto ec = conn.exec(sync, why)) {
        conn.close();
        return ec;
    }
    if (cfg_.max_page_count != 0) {
        const auto pragma = "PRAGMA max_page_count=" + std::to_string(cfg_.max_page_count);
        if (auto v = conn.query_text(pragma.c_str(), why); !v) {
            conn.close();
            return v.error();
        }
    }
    // The primary is checked before anything is written to it: a damaged one stops start-up.
    if (r.index == 0) {
        if (auto problem = quick_check(conn); !problem.empty()) {
            why = "PRAGMA quick_check: " + problem;
            conn.close();
            return make_error_code(db_errc::corrupt);
        }
        primary_checked_ = true;
    }
    std::uint32_t version = 0;
    if (auto ec = migrate(conn, version, clock_->wall(), why)) {
        conn.close();
        return ec;
    }
    if (r.index == 0)
        schema_version_.store(version, std::memory_order_release);
    auto cp = max_of(conn, "SELECT MAX(seq) FROM checkpoints", why);
    if (!cp) {
        conn.close();
        return cp.error();
    }
    r.checkpoint_seq = *cp;
    return {};
}

error_code engine::open_all(std::string& why) {
    // The same file twice would defeat the replica set.
    std::set<std::filesystem::path> seen;
    std::vector<std::filesystem::path> paths{cfg_.primary};
    paths.insert(paths.end(), cfg_.replicas.begin(), cfg_.replicas.end());
    for (const auto& p : paths) {
        if (p.empty() || !seen.insert(std::filesystem::absolute(p).lexically_normal()).second) {
            why = "replica path '" + p.string() + "' is empty or listed twice";
            return make_error_code(db_errc::invalid_argument);
        }
    }
    replicas_.resize(paths.size());
    for (std::size_t i = 0; i < paths.size(); ++i) {
        replicas_[i].index = i;
        replicas_[i].path = paths[i];
    }

    // The primary must open and pass its checks: it holds the journal and the id counters. A
    // damaged one is never repaired or replaced here; the operator decides (damaged_primary says how).
    std::string primary_why;
    if (auto ec = open_replica(replicas_[0], primary_why)) {
        if (ec == db_errc::corrupt)
            why = damaged_primary(primary_why.empty() ? ec.message() : primary_why);
        else
            why = "primary " + cfg_.primary.string() + ": " + describe_error(ec, primary_why);
        if (cfg_.logger)
            cfg_.logger->error("db: cannot open {}", why);
        return ec;
    }
    sqlite3_commit_hook(primary().get(), &engine::on_commit, this);
    std::string seq_why;
    auto last = max_of(primary(),
                       "SELECT MAX(m) FROM (SELECT MAX(seq) AS m FROM order_intents UNION ALL "
                       "SELECT MAX(seq) FROM order_transitions UNION ALL SELECT MAX(seq) FROM fills UNION ALL "
                       "SELECT MAX(seq) FROM balances)",
                       seq_why);
    if (!last) {
        why = "primary " + cfg_.primary.string() + ": " + describe_error(last.error(), seq_why);
        return last.error();
    }
    last_seq_.store(*last, std::memory_order_release);

    // A replica that cannot open is degraded, not fatal: it is re-seeded later.
    for (std::size_t i = 1; i < replicas_.size(); ++i) {
        std::string rwhy;
        if (auto ec = open_replica(replicas_[i], rwhy))
            mark_degraded(replicas_[i], "open: " + describe_error(ec, rwhy));
    }
    // New rows never take a sequence a checkpoint already covers, or replay after that checkpoint
    // would skip them: a primary that replaced a damaged one starts empty, and a batch rolled back
    // after a checkpoint was taken leaves the checkpoint ahead of the journal.
    const std::uint64_t covered = covered_journal_seq();
    if (covered > *last && cfg_.logger)
        cfg_.logger->warn("db: the journal of {} ends at seq {} but a checkpoint covers up to {}: new rows start "
                          "after it",
                          cfg_.primary.string(), *last, covered);
    next_seq_ = std::max(*last, covered) + 1;
    std::uint64_t newest = 0;
    for (const auto& r : replicas_)
        newest = std::max(newest, r.checkpoint_seq);
    next_checkpoint_seq_ = newest + 1;
    publish_status();
    if (cfg_.logger)
        cfg_.logger->info("db: opened {} (schema {}, {} replicas, journal seq {})", cfg_.primary.string(),
                          schema_version(), replicas_.size(), *last);
    return {};
}

int engine::on_commit(void* self) noexcept {
    static_cast<engine*>(self)->commits_.fetch_add(1, std::memory_order_relaxed);
    return 0; // 0 lets the commit proceed
}

error_code engine::ensure_txn() {
    if (in_txn_)
        return {};
    std::string why;
    if (auto ec = primary().exec("BEGIN", why)) {
        note_failure(ec, "begin: " + why);
        return ec;
    }
    in_txn_ = true;
    batch_rows_ = 0;
    deadline_ = std::chrono::steady_clock::now() + cfg_.group_commit_window;
    return {};
}

error_code engine::commit_batch() {
    error_code ec;
    if (in_txn_) {
        std::string why;
        ec = primary().exec("COMMIT", why);
        if (ec) {
            note_failure(ec, "commit: " + why);
            if (!sqlite3_get_autocommit(primary().get()))
                (void)primary().exec("ROLLBACK", why);
        } else {
            group_commits_.fetch_add(1, std::memory_order_relaxed);
        }
        in_txn_ = false;
    }
    batch_rows_ = 0;
    auto deferred = std::move(deferred_);
    deferred_.clear();
    for (auto& d : deferred)
        d(ec);
    return ec;
}

void engine::fail_batch(error_code ec) {
    std::string why = primary().message();
    note_failure(ec, "journal write: " + why);
    if (in_txn_ && !sqlite3_get_autocommit(primary().get()))
        (void)primary().exec("ROLLBACK", why);
    in_txn_ = false;
    batch_rows_ = 0;
    auto deferred = std::move(deferred_);
    deferred_.clear();
    for (auto& d : deferred)
        d(ec);
}

void engine::note_failure(const error_code& ec, std::string_view what) {
    if (!is_storage_failure(ec))
        return;
    {
        std::lock_guard lk(status_mutex_);
        if (health_.healthy) {
            health_.healthy = false;
            health_ec_ = ec;
            health_.reason = ec.message() + " (" + std::string(what) + ")";
        }
    }
    healthy_.store(false, std::memory_order_release);
    if (cfg_.logger)
        cfg_.logger->error("db: storage failure, database unhealthy: {} ({})", ec.message(), what);
}

void engine::mark_degraded(replica& r, std::string reason) {
    r.degraded = true;
    ++r.failures;
    if (cfg_.logger)
        cfg_.logger->warn("db: replica {} ({}) degraded: {}", r.index, r.path.string(), reason);
    r.reason = std::move(reason);
}

void engine::publish_status() {
    std::vector<replica_status> out;
    out.reserve(replicas_.size());
    for (const auto& r : replicas_)
        out.push_back({r.index, r.path, r.degraded, r.reason, r.checkpoint_seq, r.failures, r.reseeds});
    std::lock_guard lk(status_mutex_);
    status_ = std::move(out);
}

error_code engine::flush_outcome() const {
    if (barrier_ec_)
        return barrier_ec_;
    std::lock_guard lk(status_mutex_);
    return health_ec_;
}

health_status engine::health() const {
    std::lock_guard lk(status_mutex_);
    return health_;
}

std::vector<replica_status> engine::replica_statuses() const {
    std::lock_guard lk(status_mutex_);
    return status_;
}

db_stats engine::stats() const noexcept {
    db_stats s;
    s.commits = commits_.load(std::memory_order_relaxed);
    s.group_commits = group_commits_.load(std::memory_order_relaxed);
    s.journal_rows = journal_rows_.load(std::memory_order_relaxed);
    s.duplicate_fills = duplicates_.load(std::memory_order_relaxed);
    s.last_journal_seq = last_seq_.load(std::memory_order_relaxed);
    return s;
}

} // namespace genesis::db::detail
