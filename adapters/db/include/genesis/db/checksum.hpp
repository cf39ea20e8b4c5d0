// The checksum of a checkpoint: SHA-256 (OpenSSL EVP) over a canonical encoding.
#pragma once

#include "genesis/db/types.hpp"

#include <cstddef>
#include <span>
#include <string_view>

namespace genesis::db {

/// SHA-256 of a checkpoint. Encoding (all integers 8 bytes little-endian): "genesis.ckpt.v1",
/// seq, journal_seq, created.ns, section count, then per section in the given order (sorted by
/// name): name length, name bytes, data length, data bytes.
digest checkpoint_digest(std::uint64_t seq, std::uint64_t journal_seq, time_point created,
                         std::span<const section> sections);

/// SHA-256 of a component snapshot: "genesis.snap.v1", component length, component, version, size, bytes.
digest snapshot_digest(std::string_view component, std::uint64_t version, std::span<const std::byte> bytes);

/// Lower-case hex of a digest.
std::string to_hex(const digest& d);

} // namespace genesis::db
