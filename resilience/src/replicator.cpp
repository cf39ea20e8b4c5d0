#include "genesis/resilience/replicator.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

namespace genesis::resilience {

replicator::replicator(replicator_config config)
        : rng_(config.seed), max_peers_(std::min(config.max_peers, max_replication_peers)),
          backfill_(config.backfill_peers), sink_(std::move(config.sink)) {}

result<std::vector<std::string>> replicator::register_component(std::string_view name) {
    if (name.empty())
        return make_error_code(core_errc::invalid_argument);
    std::lock_guard lock(mutex_);
    if (auto it = components_.find(name); it != components_.end())
        return it->second.peers;

    component self;
    // Partial Fisher-Yates over the earlier components. rng_() % n rather than a std distribution:
    // distributions differ between standard libraries, mt19937_64's output does not.
    std::vector<std::size_t> idx(order_.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    const auto k = std::min(max_peers_, idx.size());
    for (std::size_t i = 0; i < k; ++i) {
        const auto j = i + static_cast<std::size_t>(rng_() % (idx.size() - i));
        std::swap(idx[i], idx[j]);
        self.peers.push_back(order_[idx[i]]);
    }

    std::string key(name);
    if (backfill_) {
        // Earlier components short of peers take the newcomer, in registration order, and hand it their state.
        for (const auto& other_name : order_) {
            auto& other = components_.find(other_name)->second;
            if (other.peers.size() >= max_peers_)
                continue;
            other.peers.push_back(key);
            if (other.own)
                self.held[other_name] = other.own;
        }
    }
    auto peers = self.peers;
    components_.emplace(key, std::move(self));
    order_.push_back(std::move(key));
    return peers;
}

result<save_report> replicator::save(std::string_view name, snapshot s) {
    save_report report;
    auto shared = std::make_shared<const snapshot>(std::move(s));
    {
        std::lock_guard lock(mutex_);
        auto it = components_.find(name);
        if (it == components_.end())
            return make_error_code(core_errc::invalid_argument);
        auto& self = it->second;
        // A stale writer must not roll the state back.
        if (self.own && shared->version < self.own->version)
            return make_error_code(core_errc::invalid_argument);
        self.own = shared;
        for (const auto& peer_name : self.peers) {
            auto peer = components_.find(peer_name);
            if (peer == components_.end() || !peer->second.online)
                continue;
            // Snapshots are immutable, so peers share one allocation instead of copying the bytes.
            peer->second.held.insert_or_assign(std::string(name), shared);
            ++report.peer_copies;
        }
    }
    // The sink may do I/O: call it without the lock.
    if (sink_) {
        if (auto r = sink_->save(name, *shared); !r)
            return r.error();
        report.persisted = true;
    }
    return report;
}

result<std::optional<restored_snapshot>> replicator::restore(std::string_view name) const {
    {
        std::lock_guard lock(mutex_);
        auto it = components_.find(name);
        if (it == components_.end())
            return make_error_code(core_errc::invalid_argument);
        const auto& self = it->second;
        if (self.own)
            return std::optional<restored_snapshot>{restored_snapshot{*self.own, snapshot_source::own, {}}};

        // Any online component may hold a copy (peer lists can change), so look at all of them.
        const snapshot* best = nullptr;
        const std::string* from = nullptr;
        for (const auto& holder_name : order_) {
            const auto& holder = components_.find(holder_name)->second;
            if (!holder.online)
                continue;
            auto copy = holder.held.find(name);
            if (copy == holder.held.end())
                continue;
            if (!best || copy->second->version > best->version) {
                best = copy->second.get();
                from = &holder_name;
            }
        }
        if (best)
            return std::optional<restored_snapshot>{restored_snapshot{*best, snapshot_source::peer, *from}};
    }
    if (!sink_)
        return std::optional<restored_snapshot>{};
    // The sink may do I/O: call it without the lock.
    auto loaded = sink_->load(name);
    if (!loaded)
        return loaded.error();
    if (!*loaded)
        return std::optional<restored_snapshot>{};
    return std::optional<restored_snapshot>{restored_snapshot{std::move(**loaded), snapshot_source::persistence, {}}};
}

result<void> replicator::drop_own(std::string_view name) {
    std::lock_guard lock(mutex_);
    auto it = components_.find(name);
    if (it == components_.end())
        return make_error_code(core_errc::invalid_argument);
    it->second.own.reset();
    return {};
}

result<void> replicator::set_online(std::string_view name, bool online) {
    std::lock_guard lock(mutex_);
    auto it = components_.find(name);
    if (it == components_.end())
        return make_error_code(core_errc::invalid_argument);
    it->second.online = online;
    return {};
}

std::vector<std::string> replicator::peers_of(std::string_view name) const {
    std::lock_guard lock(mutex_);
    auto it = components_.find(name);
    return it == components_.end() ? std::vector<std::string>{} : it->second.peers;
}

std::optional<std::uint64_t> replicator::held_version(std::string_view holder, std::string_view origin) const {
    std::lock_guard lock(mutex_);
    auto it = components_.find(holder);
    if (it == components_.end())
        return std::nullopt;
    auto copy = it->second.held.find(origin);
    if (copy == it->second.held.end())
        return std::nullopt;
    return copy->second->version;
}

} // namespace genesis::resilience
