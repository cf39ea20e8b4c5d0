// Mode sim with the gateway's own genesis-sim: the last run's state is set aside at start, keeping
// an engaged kill switch.
#include "app_impl.hpp"
#include "genesis/log/logger.hpp"
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <optional>
#include <unistd.h>
#include <utility>
#include <vector>

namespace genesis::gateway::runtime {

namespace {

namespace fs = std::filesystem;

// An engaged kill switch read from the state being set aside waits here until the new database
// holds it: a start that fails (or is killed) in between leaves it for the next start.
constexpr const char* carried_kill_file = "kill-switch.carried";

// How many sets of old state data_dir/previous keeps.
constexpr std::size_t previous_kept = 10;

// "20261207T183650Z" (UTC), for a folder name.
std::string utc_stamp() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

// Moves a file, across file systems too (copy, then remove).
bool move_file(const fs::path& from, const fs::path& to, std::string& why) {
    std::error_code ec;
    fs::rename(from, to, ec);
    if (!ec)
        return true;
    fs::copy_file(from, to, ec);
    if (!ec)
        fs::remove(from, ec);
    if (ec)
        why = "cannot move " + from.string() + " to " + to.string() + ": " + ec.message();
    return !ec;
}

// A folder of previous/: "20261207T183650Z" or, for a second start within that second,
// "20261207T183650Z-2": ordered by time, then by that number.
using set_name = std::pair<std::string, unsigned long>;
std::optional<set_name> parse_set_name(const std::string& s) {
    constexpr std::size_t stamp = 16; // YYYYMMDDTHHMMSSZ
    if (s.size() < stamp || s[8] != 'T' || s[15] != 'Z')
        return std::nullopt;
    for (std::size_t i = 0; i < 15; ++i)
        if (i != 8 && (s[i] < '0' || s[i] > '9'))
            return std::nullopt;
    unsigned long n = 1;
    if (s.size() > stamp) {
        if (s[stamp] != '-' || s.size() == stamp + 1 || s.size() > stamp + 7)
            return std::nullopt;
        n = 0;
        for (std::size_t i = stamp + 1; i < s.size(); ++i) {
            if (s[i] < '0' || s[i] > '9')
                return std::nullopt;
            n = n * 10 + static_cast<unsigned long>(s[i] - '0');
        }
    }
    return set_name{s.substr(0, stamp), n};
}

// A small file's whole text; empty when it is absent or cannot be read.
std::string read_small_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::string out{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return in.bad() ? std::string{} : out;
}

// Writes `text` to `p` so that it survives a crash: a temporary file, fsync, rename, fsync of the
// folder.
bool write_durably(const fs::path& p, const std::string& text, std::string& why) {
    auto tmp = p;
    tmp += ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        why = "cannot write " + tmp.string() + ": " + std::strerror(errno);
        return false;
    }
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    std::error_code ec;
    if (!ok) {
        why = "cannot write " + tmp.string() + ": " + std::strerror(err);
        fs::remove(tmp, ec);
        return false;
    }
    fs::rename(tmp, p, ec);
    if (ec) {
        why = "cannot rename " + tmp.string() + " to " + p.string() + ": " + ec.message();
        return false;
    }
    if (const int dfd = ::open(p.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return true;
}

} // namespace

std::string kill_reason_of(const db::stored_snapshot& s) {
    return {reinterpret_cast<const char*>(s.bytes.data()), s.bytes.size()};
}

std::vector<std::byte> kill_bytes_of(const std::string& reason) {
    std::vector<std::byte> bytes(reason.size());
    if (!reason.empty()) // memcpy of an empty string's data(), maybe null, is undefined
        std::memcpy(bytes.data(), reason.data(), reason.size());
    return bytes;
}

// Mode sim with our own genesis-sim: every start is a new exchange (fresh accounts, order and trade
// ids from 1), so the state of the last run belongs to an exchange that stopped with it. Restored,
// its orders would be looked up in vain, its fills' trade ids would match the new exchange's (and
// drop real fills as duplicates), and its positions would disagree with the new balances. So the
// database and its replicas are moved to <data_dir>/previous/<UTC time>/ and the gateway starts
// afresh; only an engaged kill switch is carried over (an operator's stop outlives restarts).
bool gateway_app::impl::set_aside_last_state(const db::db_config& dc, const fs::path& data_dir, std::string& why) {
    std::error_code ec;
    std::vector<fs::path> bases{dc.primary};
    bases.insert(bases.end(), dc.replicas.begin(), dc.replicas.end());

    // The kill switch: the newest copy in any of the files, each opened on its own, so that a
    // damaged or missing primary does not hide a replica's copy.
    std::optional<db::stored_snapshot> newest;
    std::size_t readable = 0;
    std::string unreadable;
    for (const auto& f : bases) {
        if (!fs::exists(f, ec))
            continue;
        db::db_config one;
        one.primary = f;
        one.sync = dc.sync; // no logger: a file that does not open is reported below, once
        auto d = db::database::open(one);
        auto snap = d ? (*d)->load_snapshot("risk.kill") : result<std::optional<db::stored_snapshot>>(d.error());
        if (!snap) {
            unreadable += (unreadable.empty() ? "" : "; ") + f.string() + ": " + snap.error().message();
            continue;
        }
        ++readable;
        if (*snap && (!newest || (*snap)->version > newest->version))
            newest = std::move(**snap);
    }
    const auto marker = data_dir / carried_kill_file;
    const std::string marked = read_small_file(marker);
    if (newest)
        carried_kill = kill_reason_of(*newest); // empty: released
    else
        carried_kill = marked; // carried by a start that stopped before its database held it
    // A file that does not open may hold the newest copy (a replica that missed a write holds an
    // older one): without an engaged copy elsewhere, the start stops rather than release it.
    if (!unreadable.empty() && carried_kill.empty() && !cfg.clear_kill) {
        why = "mode sim: the last run's state is set aside at each start, but " +
              std::string(readable == 0 ? "none of its files opens" : "not all of its files open") +
              " to read its kill switch (" + unreadable + ")" +
              (readable == 0 ? "" : " and those that do hold no engaged one") +
              ": look at them and move them away, or start with --clear-kill if no kill switch has to hold";
        return false;
    }
    if (!unreadable.empty())
        log->warn("mode sim: these files of the last run's state do not open: {}; its kill switch, engaged in {}, "
                  "is carried over{}",
                  unreadable, readable == 0 ? carried_kill_file : "a file that does",
                  cfg.clear_kill ? " and released by --clear-kill" : "");
    if (!carried_kill.empty() && carried_kill != marked && !write_durably(marker, carried_kill, why))
        return false;

    // Then the files as they are after those closes (SQLite may have removed -wal and -shm), each
    // with its -wal, -shm and -journal under one name (the primary keeps its own; a replica of the
    // same name in another folder becomes 2-<name>...); the primary moves last, so a move that
    // stops half-way leaves it where the next start finds it.
    std::vector<fs::path> names;
    for (const auto& b : bases) {
        auto name = b.filename();
        for (int n = 2; std::find(names.begin(), names.end(), name) != names.end(); ++n)
            name = std::to_string(n) + "-" + b.filename().string();
        names.push_back(std::move(name));
    }
    std::vector<std::pair<fs::path, fs::path>> moves; // from, name in the folder
    for (std::size_t i = bases.size(); i-- > 0;)
        for (const char* suffix : {"-wal", "-shm", "-journal", ""}) {
            auto from = bases[i], to = names[i];
            from += suffix;
            to += suffix;
            if (fs::exists(from, ec))
                moves.emplace_back(std::move(from), std::move(to));
        }
    if (moves.empty())
        return true;
    // Into <time>.partial first: a folder without the suffix holds a whole set.
    const auto previous = data_dir / "previous";
    auto dest = previous / utc_stamp();
    for (int n = 2; fs::exists(dest, ec) || fs::exists(fs::path(dest) += ".partial", ec); ++n) // starts within 1 s
        dest = previous / (utc_stamp() + "-" + std::to_string(n));
    auto staging = dest;
    staging += ".partial";
    fs::create_directories(staging, ec);
    if (ec) {
        why = "cannot create " + staging.string() + ": " + ec.message();
        return false;
    }
    for (const auto& [from, name] : moves)
        if (!move_file(from, staging / name, why))
            return false;
    fs::rename(staging, dest, ec);
    if (ec) {
        why = "cannot rename " + staging.string() + " to " + dest.string() + ": " + ec.message();
        return false;
    }
    // The newest sets are kept, this one always; older ones (of exchanges long gone) are removed.
    // Only folders named as this step names them count: a .partial one, or one an operator made,
    // is left alone.
    std::vector<std::pair<set_name, fs::path>> sets;
    for (const auto& e : fs::directory_iterator(previous, ec))
        if (auto n = parse_set_name(e.path().filename().string()); n && e.path() != dest && e.is_directory(ec))
            sets.emplace_back(*n, e.path());
    std::sort(sets.begin(), sets.end());
    for (std::size_t i = 0; i + previous_kept < sets.size() + 1; ++i) {
        fs::remove_all(sets[i].second, ec);
        if (ec)
            log->warn("mode sim: cannot remove the old state in {}: {}", sets[i].second.string(), ec.message());
    }
    log->warn("mode sim: genesis-sim starts as a new exchange, so the last run's state (its orders, fills, positions "
              "and strategy states, of the exchange that stopped with it) is moved to {} and not restored{}",
              dest.string(),
              carried_kill.empty() ? ""
              : cfg.clear_kill     ? "; its engaged kill switch is released by --clear-kill"
                                   : "; its kill switch stays engaged");
    return true;
}

// Right after the database opens: the carried kill switch is saved there (and waited for)
// before anything else can fail, then its file is removed. set_aside: this start set the last
// state aside (carried_kill holds what it found). Otherwise a file left by an own-sim start that
// stopped before saving it still holds, unless the database already holds an engaged one.
bool gateway_app::impl::carry_kill_switch(const fs::path& data_dir, bool set_aside, std::string& why) {
    std::error_code ec;
    const auto marker = data_dir / carried_kill_file;
    if (!set_aside) {
        carried_kill = read_small_file(marker);
        if (carried_kill.empty())
            return true;
        auto cur = db->load_snapshot("risk.kill");
        if (!cur) {
            why = "kill switch: cannot read its saved state (" + cur.error().message() + ") to add the one in " +
                  marker.string();
            return false;
        }
        if (*cur) {
            kill_version = (*cur)->version;
            if (!(*cur)->bytes.empty()) { // engaged already
                fs::remove(marker, ec);
                return true;
            }
        }
        log->warn("kill switch: {} holds one carried by a start that stopped before saving it ({}): it holds",
                  marker.string(), carried_kill);
    }
    if (carried_kill.empty()) {
        fs::remove(marker, ec); // released in the state set aside, after the file was written
        return true;
    }
    auto saved = std::make_shared<std::promise<result<void>>>();
    auto answer = saved->get_future();
    db->save_snapshot("risk.kill", ++kill_version, kill_bytes_of(carried_kill),
                      [saved](result<void> r) { saved->set_value(std::move(r)); });
    const auto fail = [&](const std::string& problem) {
        why = "kill switch: cannot save the one carried from the last run into the new database (" + problem +
              "); it stays in " + marker.string();
        return false;
    };
    if (answer.wait_for(std::chrono::seconds{10}) != std::future_status::ready)
        return fail("no answer within 10 s");
    if (const auto r = answer.get(); !r)
        return fail(r.error().message());
    fs::remove(marker, ec);
    return true;
}

} // namespace genesis::gateway::runtime
