#include "genesis/gateway/oms/error.hpp"

#include <string>

namespace genesis::gateway {
namespace {

class oms_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.oms"; }
    std::string message(int ev) const override {
        switch (static_cast<oms_errc>(ev)) {
        case oms_errc::ok: return "ok";
        case oms_errc::not_trading: return "the OMS is not trading (recovery not finished or failed)";
        case oms_errc::db_unhealthy: return "the database is unhealthy: no order is sent";
        case oms_errc::ids_exhausted: return "no client order id left in the reserved blocks";
        case oms_errc::invalid_intent: return "invalid order intent";
        case oms_errc::unknown_order: return "unknown order";
        case oms_errc::not_cancelable: return "the order cannot be canceled now";
        case oms_errc::malformed_client_id: return "not a client order id of this OMS";
        case oms_errc::bad_checkpoint: return "a checkpoint section could not be decoded";
        case oms_errc::venue_failure: return "the venue's answer is unusable";
        }
        return "unknown oms error";
    }
};

} // namespace

const boost::system::error_category& oms_category() noexcept {
    static const oms_category_impl c;
    return c;
}

} // namespace genesis::gateway
