// Checkpoints, restore, re-seeding and component snapshots across the replica set: engine members
// that run on the db thread.
#include "engine.hpp"

#include "genesis/db/checksum.hpp"
#include "genesis/log/logger.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace genesis::db::detail {
namespace {

constexpr std::string_view insert_checkpoint_sql =
    "INSERT INTO checkpoints(seq, journal_seq, created_ns, checksum) VALUES(?,?,?,?)";
constexpr std::string_view insert_section_sql = "INSERT INTO checkpoint_sections(seq, name, data) VALUES(?,?,?)";
constexpr std::string_view prune_sections_sql = "DELETE FROM checkpoint_sections WHERE seq <= ?";
constexpr std::string_view prune_checkpoints_sql = "DELETE FROM checkpoints WHERE seq <= ?";
constexpr std::string_view newest_checkpoint_sql =
    "SELECT seq, journal_seq, created_ns, checksum FROM checkpoints ORDER BY seq DESC LIMIT 1";
constexpr std::string_view select_sections_sql =
    "SELECT name, data FROM checkpoint_sections WHERE seq = ? ORDER BY name";
constexpr std::string_view upsert_snapshot_sql =
    "INSERT INTO component_snapshots(component, version, data, checksum) VALUES(?,?,?,?) "
    "ON CONFLICT(component) DO UPDATE SET version = excluded.version, data = excluded.data, "
    "checksum = excluded.checksum";
constexpr std::string_view select_snapshot_sql =
    "SELECT version, data, checksum FROM component_snapshots WHERE component = ?";

} // namespace

// Runs PRAGMA quick_check; empty when the file passes, else what it found (its first problems,
// on one line for the log).
std::string quick_check(connection& c) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(c.get(), "PRAGMA quick_check(3)", -1, &s, nullptr) != SQLITE_OK)
        return c.message();
    std::string out;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const auto* p = sqlite3_column_text(s, 0);
        out += (out.empty() ? "" : "; ") + std::string(p ? reinterpret_cast<const char*>(p) : "");
    }
    if (rc != SQLITE_DONE)
        out += (out.empty() ? "" : "; ") + c.message();
    sqlite3_finalize(s);
    if (out == "ok")
        return {};
    // "*** in database main ***" only names the schema; the log wants one line.
    constexpr std::string_view header = "*** in database main ***";
    for (auto at = out.find(header); at != std::string::npos; at = out.find(header))
        out.erase(at, header.size());
    std::replace(out.begin(), out.end(), '\n', ' ');
    const auto first = out.find_first_not_of(' ');
    return first == std::string::npos ? std::string("no answer") : out.substr(first);
}

namespace {

bool equal(std::span<const std::byte> stored, const digest& d) {
    return stored.size() == d.size() && std::memcmp(stored.data(), d.data(), d.size()) == 0;
}

// The newest checkpoint of a replica, or nullopt if it holds none. Reading errors are returned.
result<std::optional<checkpoint>> read_newest(connection& c, std::string& why) {
    auto p = c.prepare(newest_checkpoint_sql, why);
    if (!p)
        return p.error();
    checkpoint cp;
    std::vector<std::byte> stored;
    {
        stmt s(*p);
        const int rc = s.step();
        if (rc == SQLITE_DONE)
            return std::optional<checkpoint>{};
        if (rc != SQLITE_ROW) {
            why = c.message();
            return make_error_code(errc_from_sqlite(rc));
        }
        cp.seq = s.uint64(0);
        cp.journal_seq = s.uint64(1);
        cp.created = {s.int64(2)};
        auto b = s.blob(3);
        stored.assign(b.begin(), b.end());
    }
    auto q = c.prepare(select_sections_sql, why);
    if (!q)
        return q.error();
    stmt s(*q);
    s.bind(1, cp.seq);
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        auto data = s.blob(1);
        cp.sections.push_back({std::string(s.text(0)), {data.begin(), data.end()}});
    }
    if (rc != SQLITE_DONE) {
        why = c.message();
        return make_error_code(errc_from_sqlite(rc));
    }
    cp.checksum = checkpoint_digest(cp.seq, cp.journal_seq, cp.created, cp.sections);
    if (!equal(stored, cp.checksum)) {
        why = "checksum mismatch in checkpoint " + std::to_string(cp.seq) + " (stored " +
              std::to_string(stored.size()) + " bytes, computed " + to_hex(cp.checksum) + ")";
        return make_error_code(db_errc::checksum_mismatch);
    }
    return std::optional<checkpoint>{std::move(cp)};
}

} // namespace

error_code engine::inject_fault(std::size_t index) const {
    return cfg_.replica_write_fault ? cfg_.replica_write_fault(index) : error_code{};
}

error_code engine::write_checkpoint_to(replica& r, const checkpoint& cp, std::string& why) {
    if (auto ec = inject_fault(r.index)) {
        why = "injected fault";
        return ec;
    }
    auto& c = r.conn;
    auto fail = [&](error_code ec) {
        if (why.empty())
            why = c.message();
        std::string ignored;
        if (!sqlite3_get_autocommit(c.get()))
            (void)c.exec("ROLLBACK", ignored);
        return ec;
    };
    if (auto ec = c.exec("BEGIN IMMEDIATE", why))
        return fail(ec);
    auto step = [&](std::string_view sql, auto&& bind) -> error_code {
        auto p = c.prepare(sql, why);
        if (!p)
            return p.error();
        stmt s(*p);
        bind(s);
        const int rc = s.step();
        return rc == SQLITE_DONE ? error_code{} : make_error_code(errc_from_sqlite(rc));
    };
    if (auto ec = step(insert_checkpoint_sql, [&](stmt& s) {
            s.bind(1, cp.seq);
            s.bind(2, cp.journal_seq);
            s.bind(3, cp.created.ns);
            s.bind_blob(4, std::span<const std::uint8_t>(cp.checksum));
        }))
        return fail(ec);
    for (const auto& sec : cp.sections) {
        if (auto ec = step(insert_section_sql, [&](stmt& s) {
                s.bind(1, cp.seq);
                s.bind(2, std::string_view(sec.name));
                s.bind_blob(3, sec.data);
            }))
            return fail(ec);
    }
    // Keep the newest checkpoint_retention checkpoints.
    if (cp.seq > cfg_.checkpoint_retention) {
        const std::uint64_t keep_after = cp.seq - cfg_.checkpoint_retention;
        for (auto sql : {prune_sections_sql, prune_checkpoints_sql})
            if (auto ec = step(sql, [&](stmt& s) { s.bind(1, keep_after); }))
                return fail(ec);
    }
    if (auto ec = c.exec("COMMIT", why))
        return fail(ec);
    return {};
}

result<checkpoint_report> engine::write_checkpoint(std::vector<section> sections) {
    std::sort(sections.begin(), sections.end(), [](const section& a, const section& b) { return a.name < b.name; });
    for (std::size_t i = 0; i < sections.size(); ++i)
        if (sections[i].name.empty() || (i > 0 && sections[i].name == sections[i - 1].name))
            return make_error_code(db_errc::invalid_argument);

    checkpoint cp;
    cp.seq = next_checkpoint_seq_++;
    // Everything queued before this request is committed (it is a barrier): the checkpoint covers it.
    cp.journal_seq = next_seq_ - 1;
    cp.created = clock_->wall();
    cp.sections = std::move(sections);
    cp.checksum = checkpoint_digest(cp.seq, cp.journal_seq, cp.created, cp.sections);

    checkpoint_report report;
    report.seq = cp.seq;
    report.journal_seq = cp.journal_seq;
    error_code first_error;
    for (auto& r : replicas_) {
        // A degraded secondary is stale until re-seeded; the primary is always tried.
        if (r.index != 0 && (r.degraded || !r.conn)) {
            report.failed.push_back(r.index);
            continue;
        }
        std::string why;
        if (auto ec = write_checkpoint_to(r, cp, why)) {
            report.failed.push_back(r.index);
            if (!first_error)
                first_error = ec;
            mark_degraded(r, "checkpoint " + std::to_string(cp.seq) + ": " + ec.message() + " (" + why + ")");
            if (r.index == 0) {
                // The primary failing a write is a storage failure whatever SQLite called it.
                note_failure(is_storage_failure(ec) ? ec : make_error_code(db_errc::io_error),
                             "checkpoint on primary: " + why);
            }
            continue;
        }
        r.checkpoint_seq = cp.seq;
        if (r.index == 0 && r.degraded) {
            r.degraded = false;
            r.reason.clear();
        }
        ++report.written;
    }
    if (cfg_.auto_reseed && report.written > 0) {
        const bool any =
            std::any_of(replicas_.begin() + 1, replicas_.end(), [](const replica& r) { return r.degraded; });
        if (any)
            if (auto done = reseed())
                report.reseeded = std::move(*done);
    }
    publish_status();
    if (report.written == 0)
        return first_error ? first_error : make_error_code(db_errc::no_valid_replica);
    return report;
}

void engine::skip_damaged(replica& r, const std::string& verdict) {
    if (cfg_.logger)
        cfg_.logger->warn("db: restore skips replica {} ({}): {}", r.index, r.path.string(), verdict);
    // A damaged secondary is never written in place: degraded, it is re-seeded from a good replica
    // after the next checkpoint. The primary cannot be re-seeded (it holds the journal).
    if (r.index != 0 && !r.degraded)
        mark_degraded(r, "restore: " + verdict);
}

result<restore_report> engine::restore() {
    restore_report report;
    struct candidate {
        std::size_t index;
        checkpoint cp;
    };
    std::vector<candidate> good;
    for (auto& r : replicas_) {
        replica_verdict v;
        v.index = r.index;
        v.path = r.path;
        if (!r.conn) {
            v.reason = "unavailable: " + r.reason;
            report.replicas.push_back(std::move(v));
            continue;
        }
        // The primary was checked at open (a damaged one fails open): the first restore reuses that.
        std::string problem;
        if (r.index == 0 && primary_checked_)
            primary_checked_ = false;
        else
            problem = quick_check(r.conn);
        if (!problem.empty()) {
            v.reason = "quick_check failed: " + problem;
            skip_damaged(r, v.reason);
            report.replicas.push_back(std::move(v));
            continue;
        }
        std::string why;
        auto cp = read_newest(r.conn, why);
        if (!cp) {
            v.reason =
                cp.error() == db_errc::checksum_mismatch ? why : "unreadable: " + describe_error(cp.error(), why);
            skip_damaged(r, v.reason);
            report.replicas.push_back(std::move(v));
            continue;
        }
        if (!*cp) {
            v.reason = "no checkpoint";
            report.replicas.push_back(std::move(v));
            continue;
        }
        v.checkpoint_seq = (*cp)->seq;
        good.push_back({r.index, std::move(**cp)});
        report.replicas.push_back(std::move(v));
    }
    publish_status();
    if (good.empty())
        return report;
    // Newest wins; among equals the lowest index (the primary first).
    auto best = std::max_element(good.begin(), good.end(), [](const candidate& a, const candidate& b) {
        return a.cp.seq < b.cp.seq || (a.cp.seq == b.cp.seq && a.index > b.index);
    });
    for (const auto& g : good) {
        auto& v = report.replicas[g.index];
        if (g.index == best->index) {
            v.chosen = true;
            v.reason = "chosen: newest valid checkpoint " + std::to_string(g.cp.seq);
        } else if (g.cp.seq < best->cp.seq) {
            v.reason = "older: checkpoint " + std::to_string(g.cp.seq) + " < " + std::to_string(best->cp.seq);
        } else {
            v.reason = "same checkpoint " + std::to_string(g.cp.seq) + " as replica " + std::to_string(best->index);
        }
    }
    report.chosen = best->index;
    report.state = std::move(best->cp);
    if (cfg_.logger)
        cfg_.logger->info("db: restore took checkpoint {} (journal seq {}) from replica {}", report.state->seq,
                          report.state->journal_seq, best->index);
    return report;
}

std::string engine::damaged_primary(std::string_view problem) {
    namespace fs = std::filesystem;
    const auto file = cfg_.primary.string();
    std::string out = "primary " + file + " is damaged (" + std::string(problem) +
                      "): start-up stops and the file is left as it is, because it holds the journal since the "
                      "last checkpoint and the client order id counters. ";
    // Which secondary the operator could start from: the newest checkpoint that passes its checks.
    // Only existing files are looked at, through connections that write nothing.
    std::optional<std::pair<std::size_t, std::uint64_t>> best;
    std::string skipped;
    for (std::size_t i = 1; i < replicas_.size(); ++i) {
        const auto& path = replicas_[i].path;
        std::error_code ec;
        std::string why;
        std::string verdict;
        if (!fs::exists(path, ec)) {
            verdict = "missing";
        } else if (auto c = connection::open_readonly(path, why); !c) {
            verdict = describe_error(c.error(), why);
        } else if (auto problem2 = quick_check(*c); !problem2.empty()) {
            verdict = "quick_check failed: " + problem2;
        } else if (auto cp = read_newest(*c, why); !cp) {
            verdict = describe_error(cp.error(), why);
        } else if (!*cp) {
            verdict = "no checkpoint";
        } else if (!best || (*cp)->seq > best->second) {
            best = std::pair{i, (*cp)->seq};
        }
        if (!verdict.empty())
            skipped += "; replica " + std::to_string(i) + " (" + path.string() + "): " + verdict;
    }
    if (best) {
        const auto& path = replicas_[best->first].path;
        out += "Newest valid replica: " + std::to_string(best->first) + " (" + path.string() + ", checkpoint " +
               std::to_string(best->second) + "). To start from it, move " + file + " and its -wal and -shm files " +
               "aside (keep them for inspection) and start again: a new primary is created, restore takes that " +
               "checkpoint, client order ids continue after those the replicas recorded, and reconciliation with " +
               "the exchange brings back what happened after the checkpoint.";
    } else {
        out += "No replica holds a valid checkpoint" + (skipped.empty() ? std::string(" (none configured)") : "") +
               ": restore " + file + " from a backup, or move it aside and start with a new [gateway] " +
               "instance_id (the exchange's state is then adopted by reconciliation).";
    }
    return out + skipped;
}

std::uint64_t engine::covered_journal_seq() {
    std::uint64_t covered = 0;
    for (auto& r : replicas_) {
        if (!r.conn)
            continue;
        std::string why;
        auto v = r.conn.query_text("SELECT COALESCE(MAX(journal_seq), 0) FROM checkpoints", why);
        // An unreadable replica is looked at again by restore; here it covers nothing.
        std::uint64_t n = 0;
        if (v && std::from_chars(v->data(), v->data() + v->size(), n).ec == std::errc{})
            covered = std::max(covered, n);
    }
    return covered;
}

std::string engine::describe_error(const error_code& ec, std::string_view why) {
    std::string out = ec.message();
    if (!why.empty()) {
        out += ": ";
        out += why;
    }
    return out;
}

result<std::uint64_t> engine::pick_reseed_source() {
    // Prefer the replica with the newest checkpoint; among equals a secondary (it carries no
    // journal, so the copy is small), then the lowest index. The source must pass quick_check.
    std::vector<replica*> order;
    for (auto& r : replicas_)
        if (!r.degraded && r.conn)
            order.push_back(&r);
    std::sort(order.begin(), order.end(), [](const replica* a, const replica* b) {
        if (a->checkpoint_seq != b->checkpoint_seq)
            return a->checkpoint_seq > b->checkpoint_seq;
        if ((a->index == 0) != (b->index == 0))
            return a->index != 0;
        return a->index < b->index;
    });
    for (auto* r : order) {
        if (auto problem = quick_check(r->conn); !problem.empty()) {
            if (r->index != 0)
                mark_degraded(*r, "quick_check failed: " + problem);
            continue;
        }
        return r->index;
    }
    return make_error_code(db_errc::no_valid_replica);
}

error_code engine::reseed_one(replica& target, replica& source, std::string& why) {
    namespace fs = std::filesystem;
    auto with_suffix = [](fs::path p, const char* s) { return p += s; };
    const fs::path tmp = with_suffix(target.path, ".reseed");
    std::error_code fs_ec;
    for (const char* s : {"", "-journal", "-wal", "-shm"})
        fs::remove(with_suffix(tmp, s), fs_ec);
    // Copy the source page by page into a fresh file, then swap it in: a damaged target file is
    // never written in place.
    {
        auto dest = connection::open(tmp, why);
        if (!dest)
            return dest.error();
        sqlite3_backup* b = sqlite3_backup_init(dest->get(), "main", source.conn.get(), "main");
        if (!b) {
            why = dest->message();
            return make_error_code(errc_from_sqlite(sqlite3_errcode(dest->get())));
        }
        const int rc = sqlite3_backup_step(b, -1);
        sqlite3_backup_finish(b);
        if (rc != SQLITE_DONE) {
            why = std::string("backup: ") + sqlite3_errstr(rc);
            return make_error_code(errc_from_sqlite(rc));
        }
    }
    target.conn.close();
    for (const char* s : {"-wal", "-shm", "-journal"})
        fs::remove(with_suffix(target.path, s), fs_ec);
    fs::rename(tmp, target.path, fs_ec);
    if (fs_ec) {
        why = "rename: " + fs_ec.message();
        return make_error_code(db_errc::io_error);
    }
    return open_replica(target, why);
}

result<std::vector<std::size_t>> engine::reseed() {
    std::vector<std::size_t> done;
    bool any = false;
    for (std::size_t i = 1; i < replicas_.size(); ++i)
        any = any || replicas_[i].degraded;
    if (!any)
        return done;
    auto src = pick_reseed_source();
    if (!src) {
        publish_status();
        return src.error();
    }
    auto& source = replicas_[*src];
    for (std::size_t i = 1; i < replicas_.size(); ++i) {
        auto& r = replicas_[i];
        if (!r.degraded)
            continue;
        std::string why;
        if (auto ec = reseed_one(r, source, why)) {
            r.reason = "re-seed from replica " + std::to_string(source.index) + " failed: " + describe_error(ec, why);
            ++r.failures;
            if (cfg_.logger)
                cfg_.logger->warn("db: replica {} ({}): {}", r.index, r.path.string(), r.reason);
            continue;
        }
        r.degraded = false;
        r.reason.clear();
        ++r.reseeds;
        done.push_back(i);
        if (cfg_.logger)
            cfg_.logger->info("db: replica {} ({}) re-seeded from replica {} (checkpoint {})", r.index, r.path.string(),
                              source.index, r.checkpoint_seq);
    }
    publish_status();
    return done;
}

result<void> engine::save_snapshot(std::string_view component, std::uint64_t version,
                                   const std::vector<std::byte>& bytes) {
    if (component.empty())
        return make_error_code(db_errc::invalid_argument);
    const digest d = snapshot_digest(component, version, bytes);
    std::size_t written = 0;
    error_code first_error;
    for (auto& r : replicas_) {
        if (r.index != 0 && (r.degraded || !r.conn))
            continue;
        std::string why;
        error_code ec = inject_fault(r.index);
        if (!ec) {
            auto p = r.conn.prepare(upsert_snapshot_sql, why);
            if (!p) {
                ec = p.error();
            } else {
                stmt s(*p);
                s.bind(1, component);
                s.bind(2, version);
                s.bind_blob(3, bytes);
                s.bind_blob(4, std::span<const std::uint8_t>(d));
                if (const int rc = s.step(); rc != SQLITE_DONE) {
                    ec = make_error_code(errc_from_sqlite(rc));
                    why = r.conn.message();
                }
            }
        }
        if (ec) {
            if (!first_error)
                first_error = ec;
            mark_degraded(r, "snapshot " + std::string(component) + ": " + describe_error(ec, why));
            if (r.index == 0)
                note_failure(is_storage_failure(ec) ? ec : make_error_code(db_errc::io_error),
                             "snapshot on primary: " + why);
            continue;
        }
        ++written;
    }
    publish_status();
    if (written == 0)
        return first_error ? first_error : make_error_code(db_errc::no_valid_replica);
    return {};
}

result<std::optional<stored_snapshot>> engine::load_snapshot(std::string_view component) {
    std::optional<stored_snapshot> best;
    for (auto& r : replicas_) {
        if (!r.conn)
            continue;
        std::string why;
        auto p = r.conn.prepare(select_snapshot_sql, why);
        if (!p)
            continue;
        stmt s(*p);
        s.bind(1, component);
        if (s.step() != SQLITE_ROW)
            continue;
        const std::uint64_t version = s.uint64(0);
        auto data = s.blob(1);
        // A copy whose checksum fails is skipped; another replica may hold a good one.
        if (!equal(s.blob(2), snapshot_digest(component, version, data)))
            continue;
        if (!best || version > best->version)
            best = stored_snapshot{version, {data.begin(), data.end()}};
    }
    return best;
}

} // namespace genesis::db::detail
