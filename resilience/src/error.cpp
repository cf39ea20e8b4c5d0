#include "genesis/resilience/error.hpp"

#include <string>

namespace genesis::resilience {
namespace {

class category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.resilience"; }

    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::ok: return "success";
        case errc::rejected: return "rejected: circuit open and no fallback";
        case errc::timed_out: return "timed out";
        case errc::unknown_outcome: return "outcome unknown: look the request up before sending again";
        case errc::all_endpoints_down: return "all endpoints down";
        case errc::cancelled: return "cancelled: another attempt won";
        case errc::queue_full: return "queue full";
        case errc::stopped: return "stopped";
        }
        return "unknown genesis.resilience error";
    }
};

} // namespace

const boost::system::error_category& resilience_category() noexcept {
    static const category_impl instance;
    return instance;
}

} // namespace genesis::resilience
