// Error codes of genesis_db (category "genesis.db").
#pragma once

#include "genesis/core/error.hpp"

#include <string>

namespace genesis::db {

/// Errors raised by genesis_db. Values are stable: never renumber, only append.
enum class db_errc {
    ok = 0,
    /// The database is closed or shutting down; the request was not run.
    closed = 1,
    /// A database file could not be opened or created (SQLITE_CANTOPEN, bad path, permissions).
    open_failed = 2,
    /// The file's schema_version is newer than any migration this build knows: refuse to touch it.
    schema_too_new = 3,
    /// A migration failed; the transaction was rolled back and the file is unchanged.
    migration_failed = 4,
    /// The disk or the configured size limit is full (SQLITE_FULL).
    storage_full = 5,
    /// A read or write failed in the operating system (SQLITE_IOERR, SQLITE_READONLY).
    io_error = 6,
    /// The file is not a database or is damaged (SQLITE_CORRUPT, SQLITE_NOTADB).
    corrupt = 7,
    /// A constraint other than fill de-duplication failed.
    constraint = 8,
    /// Any other SQLite failure.
    sqlite_error = 9,
    /// An argument is outside its domain (empty instance, zero block size, duplicate section name).
    invalid_argument = 10,
    /// A stored checkpoint does not match its checksum.
    checksum_mismatch = 11,
    /// No replica holds a checkpoint that passes its checks.
    no_valid_replica = 12,
    /// The replica is degraded and was not written.
    replica_degraded = 13,
    /// The file is locked by another process (SQLITE_BUSY, SQLITE_LOCKED).
    busy = 14,
    /// journal_mode=WAL could not be enabled.
    wal_unavailable = 15,
    /// A stored value could not be decoded (unknown enum text, bad length).
    bad_row = 16,
    /// A counter would overflow (client order id blocks).
    overflow = 17,
};

/// The category of db_errc values ("genesis.db").
const boost::system::error_category& db_category() noexcept;

inline error_code make_error_code(db_errc e) noexcept { return {static_cast<int>(e), db_category()}; }

/// True for failures of the storage itself (full, I/O, corrupt, cannot open): they make the
/// database unhealthy, and the OMS must stop sending orders.
bool is_storage_failure(const error_code& ec) noexcept;

} // namespace genesis::db

template <>
struct boost::system::is_error_code_enum<genesis::db::db_errc> : std::true_type {};
