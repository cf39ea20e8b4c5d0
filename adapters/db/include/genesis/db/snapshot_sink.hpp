// The resilience replicator's durable storage, backed by the database's replica set.
#pragma once

#include "genesis/db/database.hpp"
#include "genesis/resilience/replicator.hpp"

namespace genesis::db {

/// resilience::snapshot_sink over a database: save writes the component's snapshot to every
/// replica and waits for the db thread; load returns the newest copy whose checksum passes.
/// The database must outlive the sink. Blocks the caller (never call it on the I/O thread).
class snapshot_sink final : public resilience::snapshot_sink {
    database& db_;

public:
    explicit snapshot_sink(database& db) noexcept : db_(db) {}

    [[nodiscard]] result<void> save(std::string_view component, const resilience::snapshot& s) override;
    [[nodiscard]] result<std::optional<resilience::snapshot>> load(std::string_view component) override;
};

} // namespace genesis::db
