#include "genesis/db/error.hpp"

namespace genesis::db {
namespace {

class db_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.db"; }

    std::string message(int ev) const override {
        switch (static_cast<db_errc>(ev)) {
        case db_errc::ok: return "success";
        case db_errc::closed: return "database is closed";
        case db_errc::open_failed: return "database file cannot be opened";
        case db_errc::schema_too_new: return "database schema is newer than this build supports";
        case db_errc::migration_failed: return "schema migration failed";
        case db_errc::storage_full: return "database or disk is full";
        case db_errc::io_error: return "database I/O error";
        case db_errc::corrupt: return "database file is corrupt or not a database";
        case db_errc::constraint: return "database constraint failed";
        case db_errc::sqlite_error: return "SQLite error";
        case db_errc::invalid_argument: return "invalid argument";
        case db_errc::checksum_mismatch: return "checkpoint checksum mismatch";
        case db_errc::no_valid_replica: return "no replica holds a valid checkpoint";
        case db_errc::replica_degraded: return "replica is degraded";
        case db_errc::busy: return "database is locked";
        case db_errc::wal_unavailable: return "WAL journal mode is unavailable";
        case db_errc::bad_row: return "stored row cannot be decoded";
        case db_errc::overflow: return "counter overflow";
        }
        return "unknown genesis.db error";
    }
};

} // namespace

const boost::system::error_category& db_category() noexcept {
    static const db_category_impl instance;
    return instance;
}

bool is_storage_failure(const error_code& ec) noexcept {
    if (ec.category() != db_category())
        return false;
    switch (static_cast<db_errc>(ec.value())) {
    case db_errc::open_failed:
    case db_errc::storage_full:
    case db_errc::io_error:
    case db_errc::corrupt: return true;
    default: return false;
    }
}

} // namespace genesis::db
