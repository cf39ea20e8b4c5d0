#include "genesis/db/migrations.hpp"

#include <array>

namespace genesis::db {
namespace {

// Decimals are stored as their raw int64 (value x 10^8) in INTEGER columns named *_raw: exact and
// compact. Enums are stored as their exchange spelling ("BUY", "PARTIALLY_FILLED"). Times are
// nanoseconds since the Unix epoch. No REAL column anywhere.
constexpr std::string_view v1_sql = R"sql(
CREATE TABLE order_intents(
  seq INTEGER PRIMARY KEY,
  instance TEXT NOT NULL,
  client_id TEXT NOT NULL,
  strategy_id INTEGER NOT NULL,
  venue TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  type TEXT NOT NULL,
  tif TEXT NOT NULL,
  price_raw INTEGER,
  quantity_raw INTEGER,
  quote_quantity_raw INTEGER,
  stop_price_raw INTEGER,
  created_ns INTEGER NOT NULL
);
CREATE INDEX order_intents_by_client ON order_intents(venue, client_id);
CREATE TABLE order_transitions(
  seq INTEGER PRIMARY KEY,
  venue TEXT NOT NULL,
  symbol TEXT NOT NULL,
  client_id TEXT NOT NULL,
  order_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  exec_type TEXT NOT NULL,
  cum_qty_raw INTEGER NOT NULL,
  cum_quote_raw INTEGER NOT NULL,
  last_qty_raw INTEGER NOT NULL,
  last_price_raw INTEGER NOT NULL,
  reason TEXT NOT NULL,
  time_ns INTEGER NOT NULL
);
CREATE INDEX order_transitions_by_client ON order_transitions(venue, client_id);
CREATE TABLE fills(
  seq INTEGER PRIMARY KEY,
  venue TEXT NOT NULL,
  symbol TEXT NOT NULL,
  trade_id INTEGER NOT NULL,
  client_id TEXT NOT NULL,
  order_id INTEGER NOT NULL,
  side TEXT NOT NULL,
  price_raw INTEGER NOT NULL,
  quantity_raw INTEGER NOT NULL,
  commission_raw INTEGER NOT NULL,
  commission_asset TEXT NOT NULL,
  is_maker INTEGER NOT NULL,
  time_ns INTEGER NOT NULL,
  UNIQUE(venue, symbol, trade_id)
);
CREATE TABLE balances(
  seq INTEGER PRIMARY KEY,
  venue TEXT NOT NULL,
  asset TEXT NOT NULL,
  free_raw INTEGER NOT NULL,
  locked_raw INTEGER NOT NULL,
  time_ns INTEGER NOT NULL
);
CREATE TABLE client_id_blocks(
  instance TEXT PRIMARY KEY,
  next INTEGER NOT NULL
);
CREATE TABLE checkpoints(
  seq INTEGER PRIMARY KEY,
  journal_seq INTEGER NOT NULL,
  created_ns INTEGER NOT NULL,
  checksum BLOB NOT NULL
);
CREATE TABLE checkpoint_sections(
  seq INTEGER NOT NULL,
  name TEXT NOT NULL,
  data BLOB NOT NULL,
  UNIQUE(seq, name)
);
)sql";

constexpr std::string_view v2_sql = R"sql(
CREATE TABLE component_snapshots(
  component TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  data BLOB NOT NULL,
  checksum BLOB NOT NULL
);
)sql";

constexpr std::array<migration, 2> all = {{
    {1, "journal, client id blocks, checkpoints", v1_sql},
    {2, "component snapshots of the replicator", v2_sql},
}};

} // namespace

std::span<const migration> migrations() noexcept { return all; }

std::uint32_t latest_schema_version() noexcept { return all.back().version; }

} // namespace genesis::db
