// Replicator: in-memory copies of each component's state snapshot on up to five peer components.
#pragma once

#include "genesis/core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace genesis::resilience {

/// Most peers a component's snapshot is copied to.
inline constexpr std::size_t max_replication_peers = 5;

/// An opaque state snapshot. Its version grows with each save of a component; the newest copy wins.
struct snapshot {
    std::uint64_t version = 0;
    std::vector<std::byte> bytes;

    friend bool operator==(const snapshot&, const snapshot&) = default;
};

/// Where a restored snapshot came from.
enum class snapshot_source : std::uint8_t {
    own,         ///< the component's own copy
    peer,        ///< a peer's copy (the newest among the online peers)
    persistence, ///< the snapshot_sink (SQLite replicas)
};

/// A restored snapshot and its origin.
struct restored_snapshot {
    snapshot state;
    snapshot_source source = snapshot_source::own;
    /// The peer that held the copy; empty unless source is peer.
    std::string from;
};

/// Durable storage behind the in-memory copies; adapters/db implements it with SQLite replicas.
/// Called without the replicator's lock held, on the caller's thread: an implementation that blocks
/// must hand the work to its own thread.
class snapshot_sink {
public:
    virtual ~snapshot_sink() = default;
    /// Stores the newest snapshot of a component.
    [[nodiscard]] virtual result<void> save(std::string_view component, const snapshot& s) = 0;
    /// The newest stored snapshot of a component, or nullopt if there is none.
    [[nodiscard]] virtual result<std::optional<snapshot>> load(std::string_view component) = 0;
};

/// Settings of a replicator.
struct replicator_config {
    /// Seed of the std::mt19937_64 that picks peers: the same seed and registrations give the same peers.
    std::uint64_t seed = 0x9e3779b97f4a7c15;
    /// Peers per component, at most max_replication_peers.
    std::size_t max_peers = max_replication_peers;
    /// A new component also becomes a peer of earlier components that have fewer than max_peers, so the
    /// first components registered are protected too.
    bool backfill_peers = true;
    /// Optional durable storage; null keeps everything in memory.
    std::shared_ptr<snapshot_sink> sink;
};

/// What a save did.
struct save_report {
    /// Online peers that received the copy.
    std::size_t peer_copies = 0;
    /// True if the sink stored it too.
    bool persisted = false;
};

/// Keeps each registered component's last snapshot and copies it to peers chosen at registration.
/// Thread-safe.
class replicator {
    struct component {
        std::shared_ptr<const snapshot> own;
        std::vector<std::string> peers;
        // Copies this component holds for others, by origin.
        std::map<std::string, std::shared_ptr<const snapshot>, std::less<>> held;
        bool online = true;
    };

    mutable std::mutex mutex_;
    std::mt19937_64 rng_;
    std::size_t max_peers_;
    bool backfill_;
    std::shared_ptr<snapshot_sink> sink_;
    std::map<std::string, component, std::less<>> components_;
    // Registration order: peer choice depends only on the seed and this sequence, not on map order.
    std::vector<std::string> order_;

public:
    /// A replicator with no components.
    explicit replicator(replicator_config config = {});

    /// Registers a component and picks up to max_peers peers among those registered before it.
    /// Registering a known name again returns its peers unchanged. core_errc::invalid_argument if empty.
    [[nodiscard]] result<std::vector<std::string>> register_component(std::string_view name);

    /// Stores s as the component's own state and copies it to its online peers, then to the sink.
    /// core_errc::invalid_argument for an unknown component or a version older than its own copy;
    /// the sink's error if it fails (the in-memory copies are made regardless).
    [[nodiscard]] result<save_report> save(std::string_view name, snapshot s);

    /// The component's own state, else the newest copy held by an online peer, else the sink's, else
    /// nullopt. core_errc::invalid_argument for an unknown component; the sink's error if it fails.
    [[nodiscard]] result<std::optional<restored_snapshot>> restore(std::string_view name) const;

    /// Forgets the component's own copy, as a crash or restart would; its peers keep theirs.
    [[nodiscard]] result<void> drop_own(std::string_view name);

    /// Takes a component off the network (false) or back (true). An offline component receives no
    /// copies and is not asked for one on restore; what it holds goes stale.
    [[nodiscard]] result<void> set_online(std::string_view name, bool online);

    /// The peers of a component, in the order they were chosen; empty for an unknown name.
    std::vector<std::string> peers_of(std::string_view name) const;

    /// The version of the copy of origin's state that holder keeps, if any.
    std::optional<std::uint64_t> held_version(std::string_view holder, std::string_view origin) const;
};

} // namespace genesis::resilience
