// Rows of the order journal, checkpoints and the reports of the replica set.
#pragma once

#include "genesis/core/events.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace genesis::db {

/// One change of state of an order: from an execution report, or the gateway's own
/// (pending_new, pending_cancel, unknown). Each is its own journal row.
struct order_transition {
    venue_id venue;
    symbol sym;
    client_order_id client_id;
    std::uint64_t order_id = 0; ///< exchange order id, 0 while unknown
    order_status status = order_status::pending_new;
    execution_type exec_type = execution_type::new_;
    decimal cumulative_quantity;
    decimal cumulative_quote;
    decimal last_quantity;
    decimal last_price;
    std::string reason; ///< reject reason or the gateway's note; empty when none
    time_point time;    ///< wall clock of the change (transaction time when the venue sent one)

    /// The transition an execution report describes.
    static order_transition from(const execution_report& r);
    friend bool operator==(const order_transition&, const order_transition&) = default;
};

/// One trade of one order. (venue, sym, trade_id) is unique: a second insert is a duplicate.
struct fill_record {
    venue_id venue;
    symbol sym;
    std::uint64_t trade_id = 0;
    client_order_id client_id;
    std::uint64_t order_id = 0;
    side order_side = side::buy;
    decimal price;
    decimal quantity;
    decimal commission;
    asset commission_asset;
    bool is_maker = false;
    time_point time; ///< wall clock of the trade

    /// The fill in an execution report of type trade; db_errc::invalid_argument without a trade id.
    [[nodiscard]] static result<fill_record> from(const execution_report& r);
    friend bool operator==(const fill_record&, const fill_record&) = default;
};

/// What appending a fill did.
struct fill_outcome {
    std::uint64_t seq = 0;  ///< journal sequence of the new row; 0 for a duplicate
    bool duplicate = false; ///< the fill was already journaled; nothing was written
};

/// An order intent row (written before the request leaves the gateway).
struct intent_row {
    std::uint64_t seq = 0;
    std::string instance; ///< the gateway instance that owns the client order id
    order_intent intent;
};

struct transition_row {
    std::uint64_t seq = 0;
    order_transition transition;
};

struct fill_row {
    std::uint64_t seq = 0;
    fill_record fill;
};

struct balance_row {
    std::uint64_t seq = 0;
    venue_id venue;
    balance value;
    time_point time;
};

/// One journal row; rows share one increasing sequence across the four kinds.
using journal_entry = std::variant<intent_row, transition_row, fill_row, balance_row>;

/// The journal sequence of any row.
std::uint64_t seq_of(const journal_entry& e) noexcept;

/// A reserved range of client order id counters: [first, end).
struct id_block {
    std::uint64_t first = 0;
    std::uint64_t end = 0;
    friend bool operator==(const id_block&, const id_block&) = default;
};

/// A named, opaque part of a checkpoint ("open_orders", "balances", "breaker.binance", ...).
struct section {
    std::string name;
    std::vector<std::byte> data;
    friend bool operator==(const section&, const section&) = default;

    /// A section holding text (the gateway writes every section as text).
    static section of_text(std::string name, std::string_view text) {
        section s{std::move(name), std::vector<std::byte>(text.size())};
        if (!text.empty())
            std::memcpy(s.data.data(), text.data(), text.size());
        return s;
    }
    /// The data as text (a view into data).
    [[nodiscard]] std::string_view text() const noexcept {
        return {reinterpret_cast<const char*>(data.data()), data.size()};
    }
};

/// SHA-256 of a checkpoint's canonical encoding.
using digest = std::array<std::uint8_t, 32>;

/// A stored snapshot of the gateway's state.
struct checkpoint {
    std::uint64_t seq = 0;         ///< checkpoint sequence, increasing across the replica set
    std::uint64_t journal_seq = 0; ///< the last journal row it covers: replay rows after it
    time_point created;            ///< wall clock
    std::vector<section> sections; ///< sorted by name, names unique
    digest checksum{};
};

/// What writing a checkpoint did.
struct checkpoint_report {
    std::uint64_t seq = 0;
    std::uint64_t journal_seq = 0;
    std::size_t written = 0;           ///< replicas that committed it
    std::vector<std::size_t> failed;   ///< replicas whose write failed (now degraded)
    std::vector<std::size_t> reseeded; ///< degraded replicas re-seeded afterwards
};

/// Health of one replica file. Index 0 is the primary (it also holds the journal).
struct replica_status {
    std::size_t index = 0;
    std::filesystem::path path;
    bool degraded = false;
    std::string reason;               ///< why it is degraded; empty otherwise
    std::uint64_t checkpoint_seq = 0; ///< newest checkpoint it holds
    std::uint64_t failures = 0;       ///< failed writes since open
    std::uint64_t reseeds = 0;        ///< successful re-seeds since open
};

/// Why restore took or skipped one replica.
struct replica_verdict {
    std::size_t index = 0;
    std::filesystem::path path;
    std::optional<std::uint64_t> checkpoint_seq; ///< newest checkpoint found, if it could be read
    bool chosen = false;
    std::string reason; ///< "chosen: newest valid checkpoint", "quick_check failed: ...", ...
};

/// The result of restore: the checkpoint taken (if any) and a verdict per replica.
struct restore_report {
    std::optional<std::size_t> chosen; ///< replica index; empty when none holds a valid checkpoint
    std::optional<checkpoint> state;
    std::vector<replica_verdict> replicas;
};

/// Health of the database as the OMS sees it.
struct health_status {
    bool healthy = true;
    std::string reason; ///< the first storage failure; empty while healthy
};

/// Counters since open.
struct db_stats {
    std::uint64_t commits = 0;          ///< committed transactions on the primary (commit hook)
    std::uint64_t group_commits = 0;    ///< journal batches committed
    std::uint64_t journal_rows = 0;     ///< rows appended
    std::uint64_t duplicate_fills = 0;  ///< fills ignored as duplicates
    std::uint64_t last_journal_seq = 0; ///< highest journal sequence assigned
};

} // namespace genesis::db
