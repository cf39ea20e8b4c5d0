#include "genesis/db/snapshot_sink.hpp"

namespace genesis::db {

result<void> snapshot_sink::save(std::string_view component, const resilience::snapshot& s) {
    auto [done, fut] = make_completion<void>();
    db_.save_snapshot(component, s.version, s.bytes, std::move(done));
    return fut.get();
}

result<std::optional<resilience::snapshot>> snapshot_sink::load(std::string_view component) {
    auto stored = db_.load_snapshot(component);
    if (!stored)
        return stored.error();
    if (!*stored)
        return std::optional<resilience::snapshot>{};
    return std::optional<resilience::snapshot>{resilience::snapshot{(*stored)->version, std::move((*stored)->bytes)}};
}

} // namespace genesis::db
