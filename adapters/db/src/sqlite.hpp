// Thin RAII wrappers over the SQLite C API with a per-connection prepared-statement cache.
// Used only on the db thread.
#pragma once

#include "genesis/db/error.hpp"

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

namespace genesis::db::detail {

/// The db_errc for a SQLite result code (primary code, extended codes are masked).
db_errc errc_from_sqlite(int rc) noexcept;

/// A cached statement in use: reset and cleared on destruction so the next user starts clean.
class stmt {
    sqlite3_stmt* s_;

public:
    explicit stmt(sqlite3_stmt* s) noexcept : s_(s) {}
    ~stmt();
    stmt(const stmt&) = delete;
    stmt& operator=(const stmt&) = delete;

    void bind(int i, std::int64_t v) noexcept;
    void bind(int i, std::uint64_t v) noexcept { bind(i, static_cast<std::int64_t>(v)); }
    void bind(int i, std::string_view v) noexcept;
    void bind_blob(int i, std::span<const std::byte> v) noexcept;
    void bind_blob(int i, std::span<const std::uint8_t> v) noexcept;
    void bind_null(int i) noexcept;
    /// SQLITE_ROW, SQLITE_DONE or an error code.
    int step() noexcept;

    std::int64_t int64(int col) const noexcept;
    std::uint64_t uint64(int col) const noexcept { return static_cast<std::uint64_t>(int64(col)); }
    bool is_null(int col) const noexcept;
    std::string_view text(int col) const noexcept;
    std::span<const std::byte> blob(int col) const noexcept;
};

/// One open database file.
class connection {
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string_view, sqlite3_stmt*> cache_;

public:
    connection() = default;
    ~connection();
    connection(connection&& o) noexcept;
    connection& operator=(connection&& o) noexcept;

    /// Opens or creates path (read-write). why receives SQLite's message on failure.
    [[nodiscard]] static result<connection> open(const std::filesystem::path& path, std::string& why);
    /// Opens an existing file read-only (inspection: nothing is written, nothing is created).
    [[nodiscard]] static result<connection> open_readonly(const std::filesystem::path& path, std::string& why);

    sqlite3* get() const noexcept { return db_; }
    explicit operator bool() const noexcept { return db_ != nullptr; }
    void close() noexcept;

    /// The cached statement for sql, which must be a string with static storage duration.
    /// why receives SQLite's message on failure.
    [[nodiscard]] result<sqlite3_stmt*> prepare(std::string_view sql, std::string& why);
    /// Runs one or more statements without results. why receives SQLite's message on failure.
    [[nodiscard]] error_code exec(const char* sql, std::string& why);
    /// The first column of the first row of sql (not cached; for PRAGMAs), empty when no row.
    [[nodiscard]] result<std::string> query_text(const char* sql, std::string& why);
    /// The text of the last error on this connection.
    std::string message() const;
};

} // namespace genesis::db::detail
