#include "genesis/core/error.hpp"

#include <string>

namespace genesis {
namespace {

class core_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.core"; }

    std::string message(int ev) const override {
        switch (static_cast<core_errc>(ev)) {
        case core_errc::ok: return "success";
        case core_errc::decimal_malformed: return "malformed decimal";
        case core_errc::decimal_overflow: return "decimal out of range";
        case core_errc::unknown_enum: return "unknown enumerator";
        case core_errc::invalid_argument: return "invalid argument";
        case core_errc::division_by_zero: return "division by zero";
        case core_errc::decimal_precision: return "decimal has more than 8 fractional digits";
        }
        return "unknown genesis.core error";
    }
};

} // namespace

const boost::system::error_category& core_category() noexcept {
    static const core_category_impl instance;
    return instance;
}

} // namespace genesis
