// Client order ids: "gn-<instance>-<counter>", unique across restarts and gateway instances.
// The counter comes from blocks reserved durably in advance (db::reserve_block); the next block is
// requested asynchronously before the current one runs out, so the order path never waits on disk.
#pragma once

#include "genesis/core/events.hpp"
#include "genesis/db/types.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

namespace genesis::gateway {

/// "gn-": marks an id as made by a Genesis OMS (other tools' ids rarely look like this).
inline constexpr std::string_view client_id_tag = "gn-";
/// Longest instance id ([gateway] instance_id: 1-8 characters [A-Za-z0-9]).
inline constexpr std::size_t max_instance_length = 8;

/// True for 1-8 characters [A-Za-z0-9].
[[nodiscard]] bool valid_instance_id(std::string_view instance) noexcept;

/// "gn-<instance>-<counter in decimal>": at most 3 + 8 + 1 + 20 = 32 characters, all in Binance's
/// newClientOrderId charset ^[.A-Z:/a-z0-9_-]{1,36}$. invalid_argument for a bad instance or 0.
[[nodiscard]] result<client_order_id> format_client_id(std::string_view instance, std::uint64_t counter);

/// A client order id taken apart.
struct parsed_client_id {
    std::string instance;
    std::uint64_t counter = 0;
    friend bool operator==(const parsed_client_id&, const parsed_client_id&) = default;
};

/// The inverse of format_client_id; oms_errc::malformed_client_id for anything it would not
/// produce (foreign ids, leading zeros, a counter of 0 or beyond uint64).
[[nodiscard]] result<parsed_client_id> parse_client_id(std::string_view id);

/// Settings of the id source.
struct client_id_options {
    std::string instance = "gw1";
    /// Counters reserved per block.
    std::uint64_t block_size = 1024;
    /// The next block is requested when fewer ids than this remain.
    std::uint64_t refill_below = 256;
};

/// Hands out client order ids from durably reserved blocks. Runs on the processing thread.
class client_id_source {
public:
    /// Reserves `size` counters; calls done later, on the processing thread, with the block or the error.
    using reserver = std::function<void(std::uint64_t size, std::function<void(result<db::id_block>)> done)>;

private:
    client_id_options options_;
    reserver reserve_;
    std::deque<db::id_block> blocks_; // front is in use; the cursor is blocks_.front().first
    bool refill_pending_ = false;
    std::uint64_t issued_ = 0;
    std::uint64_t refills_ = 0;
    error_code last_refill_error_;

    void maybe_refill();

public:
    client_id_source(client_id_options options, reserver reserve);

    /// Adds a reserved block (the one reserved at start-up, synchronously, before trading).
    void add_block(db::id_block b);
    /// The next id; oms_errc::ids_exhausted when no reserved counter is left (never waits).
    [[nodiscard]] result<client_order_id> next();

    /// Counters left in the reserved blocks.
    [[nodiscard]] std::uint64_t remaining() const noexcept;
    [[nodiscard]] bool refill_pending() const noexcept { return refill_pending_; }
    [[nodiscard]] std::uint64_t issued() const noexcept { return issued_; }
    [[nodiscard]] std::uint64_t refills() const noexcept { return refills_; }
    [[nodiscard]] error_code last_refill_error() const noexcept { return last_refill_error_; }
    [[nodiscard]] const std::string& instance() const noexcept { return options_.instance; }
};

} // namespace genesis::gateway
