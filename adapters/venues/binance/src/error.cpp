#include "genesis/binance/error.hpp"

#include <string>

namespace genesis::binance {

namespace {

class binance_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.binance"; }
    std::string message(int ev) const override {
        switch (static_cast<binance_errc>(ev)) {
        case binance_errc::ok: return "success";
        case binance_errc::malformed_json: return "malformed JSON";
        case binance_errc::wrong_type: return "field has the wrong JSON type";
        case binance_errc::missing_field: return "required field missing";
        case binance_errc::bad_decimal: return "price or quantity is not an exact decimal in range";
        case binance_errc::bad_enum: return "unknown enumeration value";
        case binance_errc::number_out_of_range: return "integer out of range";
        case binance_errc::string_too_long: return "string too long for its field";
        case binance_errc::unknown_stream: return "unknown stream";
        case binance_errc::venue_error: return "venue returned an error";
        case binance_errc::frame_too_large: return "frame too large";
        }
        return "unknown genesis.binance error";
    }
    boost::system::error_condition default_error_condition(int ev) const noexcept override {
        switch (static_cast<binance_errc>(ev)) {
        case binance_errc::ok: return {};
        case binance_errc::unknown_stream: return make_error_condition(binance_condition::unsupported);
        case binance_errc::venue_error: return make_error_condition(binance_condition::rejected);
        default: return make_error_condition(binance_condition::bad_frame);
        }
    }
};

class binance_condition_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "genesis.binance.condition"; }
    std::string message(int ev) const override {
        switch (static_cast<binance_condition>(ev)) {
        case binance_condition::bad_frame: return "bad frame";
        case binance_condition::unsupported: return "unsupported message";
        case binance_condition::rejected: return "rejected by the venue";
        }
        return "unknown genesis.binance condition";
    }
};

} // namespace

const boost::system::error_category& binance_category() noexcept {
    static const binance_category_impl c;
    return c;
}

const boost::system::error_category& binance_condition_category() noexcept {
    static const binance_condition_category_impl c;
    return c;
}

} // namespace genesis::binance
