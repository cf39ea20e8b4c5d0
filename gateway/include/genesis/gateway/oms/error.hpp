// Error codes of the OMS (category "genesis.oms").
#pragma once

#include "genesis/core/error.hpp"

#include <type_traits>

namespace genesis::gateway {

/// Why the OMS refused a request. Values are stable: never renumber, only append.
enum class oms_errc {
    ok = 0,
    /// Recovery has not finished (or failed): health() says why. No order is accepted.
    not_trading = 1,
    /// The database reported a storage failure: nothing is sent while the journal cannot be written.
    db_unhealthy = 2,
    /// No client order id is left in the reserved blocks (the refill has not arrived yet).
    ids_exhausted = 3,
    /// The intent lacks what its type needs (quantity, price) or names another venue.
    invalid_intent = 4,
    /// No order with this client order id is known.
    unknown_order = 5,
    /// The order cannot be canceled now (final, or its placement is still unresolved).
    not_cancelable = 6,
    /// A client order id does not have the OMS's format.
    malformed_client_id = 7,
    /// A checkpoint section could not be decoded.
    bad_checkpoint = 8,
    /// The venue answered something the OMS cannot use.
    venue_failure = 9,
};

/// The category of oms_errc values ("genesis.oms").
const boost::system::error_category& oms_category() noexcept;

inline error_code make_error_code(oms_errc e) noexcept { return {static_cast<int>(e), oms_category()}; }

} // namespace genesis::gateway

template <>
struct boost::system::is_error_code_enum<genesis::gateway::oms_errc> : std::true_type {};
