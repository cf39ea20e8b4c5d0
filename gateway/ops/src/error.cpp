#include "genesis/gateway/ops/error.hpp"

#include <string>

namespace genesis::gateway::ops {

namespace {

class ops_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.ops"; }
    std::string message(int ev) const override {
        switch (static_cast<ops_errc>(ev)) {
        case ops_errc::ok: return "ok";
        case ops_errc::non_loopback_host: return "the ops endpoint only listens on loopback";
        case ops_errc::already_started: return "the ops server was already started";
        case ops_errc::invalid_name: return "invalid Prometheus metric or label name";
        case ops_errc::invalid_usage: return "Prometheus writer used out of order";
        case ops_errc::malformed_exposition: return "malformed Prometheus text exposition";
        }
        return "unknown ops error";
    }
};

} // namespace

const boost::system::error_category& ops_category() noexcept {
    static const ops_category_impl c;
    return c;
}

} // namespace genesis::gateway::ops
