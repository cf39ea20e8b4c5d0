#include "sqlite.hpp"

#include <string>
#include <system_error>
#include <utility>

namespace genesis::db::detail {
namespace {

// The name of an extended result code an operator acts on (which system call failed).
const char* extended_name(int ext) noexcept {
    switch (ext) {
    case SQLITE_IOERR: return "SQLITE_IOERR";
    case SQLITE_IOERR_READ: return "SQLITE_IOERR_READ";
    case SQLITE_IOERR_SHORT_READ: return "SQLITE_IOERR_SHORT_READ";
    case SQLITE_IOERR_WRITE: return "SQLITE_IOERR_WRITE";
    case SQLITE_IOERR_FSYNC: return "SQLITE_IOERR_FSYNC";
    case SQLITE_IOERR_DIR_FSYNC: return "SQLITE_IOERR_DIR_FSYNC";
    case SQLITE_IOERR_TRUNCATE: return "SQLITE_IOERR_TRUNCATE";
    case SQLITE_IOERR_FSTAT: return "SQLITE_IOERR_FSTAT";
    case SQLITE_IOERR_LOCK: return "SQLITE_IOERR_LOCK";
    case SQLITE_IOERR_CLOSE: return "SQLITE_IOERR_CLOSE";
    case SQLITE_IOERR_DELETE: return "SQLITE_IOERR_DELETE";
    case SQLITE_IOERR_SHMOPEN: return "SQLITE_IOERR_SHMOPEN";
    case SQLITE_IOERR_SHMSIZE: return "SQLITE_IOERR_SHMSIZE";
    case SQLITE_IOERR_SHMMAP: return "SQLITE_IOERR_SHMMAP";
    case SQLITE_IOERR_SEEK: return "SQLITE_IOERR_SEEK";
    case SQLITE_IOERR_MMAP: return "SQLITE_IOERR_MMAP";
    case SQLITE_FULL: return "SQLITE_FULL";
    case SQLITE_READONLY: return "SQLITE_READONLY";
    case SQLITE_CANTOPEN: return "SQLITE_CANTOPEN";
    default: return nullptr;
    }
}

// Appends which operation failed and the operating system's errno to a storage failure's message
// ("disk I/O error [SQLITE_IOERR_FSYNC, errno 5: Input/output error]"); other messages are left alone.
void append_os_detail(std::string& why, int ext, int sys_errno) {
    switch (ext & 0xff) {
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN: break;
    default: return;
    }
    const char* name = extended_name(ext);
    why += " [";
    why += name ? std::string(name) : "extended code " + std::to_string(ext);
    if (sys_errno != 0)
        why += ", errno " + std::to_string(sys_errno) + ": " + std::system_category().message(sys_errno);
    why += "]";
}

} // namespace

db_errc errc_from_sqlite(int rc) noexcept {
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE: return db_errc::ok;
    case SQLITE_FULL: return db_errc::storage_full;
    case SQLITE_IOERR:
    case SQLITE_READONLY: return db_errc::io_error;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return db_errc::corrupt;
    case SQLITE_CONSTRAINT: return db_errc::constraint;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return db_errc::busy;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM: return db_errc::open_failed;
    default: return db_errc::sqlite_error;
    }
}

stmt::~stmt() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
}

void stmt::bind(int i, std::int64_t v) noexcept { sqlite3_bind_int64(s_, i, v); }
void stmt::bind(int i, std::string_view v) noexcept {
    sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}
void stmt::bind_blob(int i, std::span<const std::byte> v) noexcept {
    // A zero-length blob still binds as a blob (not NULL): SQLite needs a non-null pointer for that.
    static const char empty = 0;
    sqlite3_bind_blob64(s_, i, v.empty() ? static_cast<const void*>(&empty) : v.data(), v.size(), SQLITE_STATIC);
}
void stmt::bind_blob(int i, std::span<const std::uint8_t> v) noexcept { bind_blob(i, std::as_bytes(v)); }
void stmt::bind_null(int i) noexcept { sqlite3_bind_null(s_, i); }
int stmt::step() noexcept { return sqlite3_step(s_); }

std::int64_t stmt::int64(int col) const noexcept { return sqlite3_column_int64(s_, col); }
bool stmt::is_null(int col) const noexcept { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
std::string_view stmt::text(int col) const noexcept {
    const auto* p = sqlite3_column_text(s_, col);
    const auto n = sqlite3_column_bytes(s_, col);
    return p ? std::string_view(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string_view{};
}
std::span<const std::byte> stmt::blob(int col) const noexcept {
    const auto* p = sqlite3_column_blob(s_, col);
    const auto n = sqlite3_column_bytes(s_, col);
    if (!p)
        return {};
    return {static_cast<const std::byte*>(p), static_cast<std::size_t>(n)};
}

connection::~connection() { close(); }

connection::connection(connection&& o) noexcept : db_(std::exchange(o.db_, nullptr)), cache_(std::move(o.cache_)) {
    o.cache_.clear();
}

connection& connection::operator=(connection&& o) noexcept {
    if (this != &o) {
        close();
        db_ = std::exchange(o.db_, nullptr);
        cache_ = std::move(o.cache_);
        o.cache_.clear();
    }
    return *this;
}

void connection::close() noexcept {
    for (auto& [sql, s] : cache_)
        sqlite3_finalize(s);
    cache_.clear();
    if (db_) {
        // close_v2 defers the close until outstanding backups finish; nothing else is outstanding.
        sqlite3_close_v2(db_);
        db_ = nullptr;
    }
}

result<connection> connection::open_readonly(const std::filesystem::path& path, std::string& why) {
    connection c;
    const int rc = sqlite3_open_v2(path.c_str(), &c.db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        why = c.db_ ? sqlite3_errmsg(c.db_) : sqlite3_errstr(rc);
        return make_error_code(errc_from_sqlite(rc) == db_errc::sqlite_error ? db_errc::open_failed
                                                                             : errc_from_sqlite(rc));
    }
    sqlite3_extended_result_codes(c.db_, 1);
    return c;
}

result<connection> connection::open(const std::filesystem::path& path, std::string& why) {
    connection c;
    // NOMUTEX: each connection is used by the db thread only.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &c.db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        why = c.db_ ? sqlite3_errmsg(c.db_) : sqlite3_errstr(rc);
        return make_error_code(errc_from_sqlite(rc) == db_errc::sqlite_error ? db_errc::open_failed
                                                                             : errc_from_sqlite(rc));
    }
    sqlite3_extended_result_codes(c.db_, 1);
    return c;
}

result<sqlite3_stmt*> connection::prepare(std::string_view sql, std::string& why) {
    if (auto it = cache_.find(sql); it != cache_.end())
        return it->second;
    sqlite3_stmt* s = nullptr;
    const int rc =
        sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) {
        why = message();
        return make_error_code(errc_from_sqlite(rc));
    }
    cache_.emplace(sql, s);
    return s;
}

error_code connection::exec(const char* sql, std::string& why) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        why = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        append_os_detail(why, rc, sqlite3_system_errno(db_));
        return make_error_code(errc_from_sqlite(rc));
    }
    return {};
}

result<std::string> connection::query_text(const char* sql, std::string& why) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql, -1, &s, nullptr);
    if (rc != SQLITE_OK) {
        why = message();
        return make_error_code(errc_from_sqlite(rc));
    }
    std::string out;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        if (const auto* p = sqlite3_column_text(s, 0))
            out = reinterpret_cast<const char*>(p);
        rc = SQLITE_DONE;
    }
    if (rc != SQLITE_DONE)
        why = message();
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return make_error_code(errc_from_sqlite(rc));
    return out;
}

std::string connection::message() const {
    if (!db_)
        return "not open";
    std::string m = sqlite3_errmsg(db_);
    append_os_detail(m, sqlite3_extended_errcode(db_), sqlite3_system_errno(db_));
    return m;
}

} // namespace genesis::db::detail
