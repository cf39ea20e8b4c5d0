// The OMS's checkpoint sections: a line per record, tab-separated fields, decimals as raw integers.
#pragma once

#include "genesis/db/types.hpp"
#include "genesis/gateway/oms/order_state.hpp"
#include "genesis/gateway/oms/positions.hpp"

#include <map>
#include <set>
#include <vector>

namespace genesis::gateway::detail {

inline constexpr std::string_view orders_section = "oms.orders";
inline constexpr std::string_view positions_section = "oms.positions";
inline constexpr std::string_view balances_section = "oms.balances";
inline constexpr std::string_view fill_ids_section = "oms.fill_ids";

struct oms_snapshot {
    std::vector<tracked_order> orders; // not final
    std::vector<position> positions;
    std::map<asset, decimal> balances;
    std::map<symbol, std::set<std::uint64_t>> fill_ids;
};

std::vector<db::section> encode_snapshot(const oms_snapshot& s);
/// oms_errc::bad_checkpoint when a section is malformed; sections of other components are ignored.
[[nodiscard]] result<oms_snapshot> decode_snapshot(const std::vector<db::section>& sections);

} // namespace genesis::gateway::detail
