#include "genesis/rest/http_error.hpp"

#include <string>

namespace genesis::rest {

namespace {

class http_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.http"; }

    std::string message(int ev) const override {
        switch (static_cast<http_errc>(ev)) {
        case http_errc::ok: return "ok";
        case http_errc::invalid_url: return "invalid base URL (expected https://host[:port][/prefix])";
        case http_errc::bad_endpoint: return "endpoint index out of range";
        case http_errc::timed_out: return "request timed out";
        case http_errc::outcome_unknown: return "request sent but its outcome is unknown (look it up)";
        case http_errc::throttled: return "request weight held back: the budget is spent for now";
        case http_errc::paused: return "the venue paused requests after a 429";
        case http_errc::banned: return "the venue IP-banned us (418)";
        case http_errc::rate_limited: return "rate limited by the venue (429)";
        case http_errc::ip_banned: return "IP banned by the venue (418)";
        case http_errc::server_error: return "venue server error (5xx)";
        case http_errc::weight_over_limit: return "request weight exceeds the throttle limit";
        case http_errc::no_credentials: return "signed request without credentials";
        case http_errc::bad_time_response: return "server time response not understood";
        case http_errc::bad_response: return "malformed or oversized response";
        }
        return "unknown genesis.http error";
    }

    boost::system::error_condition default_error_condition(int ev) const noexcept override {
        switch (static_cast<http_errc>(ev)) {
        case http_errc::throttled:
        case http_errc::paused:
        case http_errc::banned:
        case http_errc::rate_limited:
        case http_errc::ip_banned:
        case http_errc::weight_over_limit: return make_error_condition(http_condition::rate_limit);
        case http_errc::timed_out:
        case http_errc::server_error:
        case http_errc::bad_response: return make_error_condition(http_condition::transient);
        default: return {ev, *this};
        }
    }
};

class http_condition_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.http.condition"; }
    std::string message(int ev) const override {
        switch (static_cast<http_condition>(ev)) {
        case http_condition::rate_limit: return "rate limit";
        case http_condition::transient: return "transient failure";
        }
        return "unknown genesis.http condition";
    }
};

} // namespace

const boost::system::error_category& http_category() noexcept {
    static const http_category_impl c;
    return c;
}

const boost::system::error_category& http_condition_category() noexcept {
    static const http_condition_category_impl c;
    return c;
}

} // namespace genesis::rest
