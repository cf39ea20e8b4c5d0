#include "genesis/gateway/oms/order_venue.hpp"

#include "genesis/resilience/error.hpp"
#include "genesis/rest/http_error.hpp"

#include <string>

namespace genesis::gateway {
namespace {

class venue_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.oms.venue"; }
    std::string message(int ev) const override {
        switch (static_cast<venue_errc>(ev)) {
        case venue_errc::ok: return "ok";
        case venue_errc::not_sent: return "the request was not sent";
        case venue_errc::cancel_refused: return "the venue refused the cancel";
        case venue_errc::bad_answer: return "the venue's answer could not be decoded";
        }
        return "unknown venue error";
    }
};

} // namespace

const boost::system::error_category& venue_category() noexcept {
    static const venue_category_impl c;
    return c;
}

placement_failure classify_placement_error(error_code ec) noexcept {
    if (ec == venue_errc::not_sent)
        return placement_failure::not_sent;
    if (ec.category() == resilience::resilience_category()) {
        switch (static_cast<resilience::errc>(ec.value())) {
        case resilience::errc::rejected:
        case resilience::errc::all_endpoints_down:
        case resilience::errc::queue_full:
        case resilience::errc::stopped: return placement_failure::not_sent;
        default: return placement_failure::outcome_unknown;
        }
    }
    if (ec.category() == rest::http_category()) {
        switch (static_cast<rest::http_errc>(ec.value())) {
        case rest::http_errc::invalid_url:
        case rest::http_errc::bad_endpoint:
        case rest::http_errc::throttled:
        case rest::http_errc::paused:
        case rest::http_errc::banned:
        case rest::http_errc::rate_limited:
        case rest::http_errc::ip_banned:
        case rest::http_errc::weight_over_limit:
        case rest::http_errc::no_credentials: return placement_failure::not_sent;
        default: return placement_failure::outcome_unknown;
        }
    }
    return placement_failure::outcome_unknown;
}

} // namespace genesis::gateway
