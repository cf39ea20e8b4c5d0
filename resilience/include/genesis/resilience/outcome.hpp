// outcome<T>: the result of a guarded call, which always says where its value came from.
#pragma once

#include "genesis/resilience/error.hpp"

#include <cassert>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace genesis::resilience {

/// What a guarded call produced.
enum class outcome_kind : std::uint8_t {
    /// The live operation answered in time: value() is fresh.
    live = 0,
    /// The live operation was not used or failed; value() came from the fallback. error() says why.
    fallback = 1,
    /// The breaker refused the call (OPEN, or a HALF_OPEN trial in flight) and there is no fallback.
    rejected = 2,
    /// The live operation failed with error() and there is no fallback.
    failed = 3,
    /// The live operation did not answer within its timeout and there is no fallback.
    timed_out = 4,
};

/// "live", "fallback", "rejected", "failed", "timed_out".
std::string_view to_string(outcome_kind k) noexcept;

/// A value tagged with its provenance, or the reason there is none. A fallback is never a live success.
template <class T>
class outcome {
    outcome_kind kind_;
    std::optional<T> value_;
    error_code error_;

    outcome(outcome_kind k, std::optional<T> v, error_code ec) : kind_(k), value_(std::move(v)), error_(ec) {}

public:
    /// failed(errc::cancelled): what an outcome is before a call completes (co_spawn needs this).
    outcome() : outcome(outcome_kind::failed, std::nullopt, errc::cancelled) {}

    /// A fresh answer from the live operation.
    static outcome live(T v) { return {outcome_kind::live, std::move(v), {}}; }
    /// A fallback value; cause is why the live value is missing (rejected, timed_out, or the operation's error).
    static outcome fallback(T v, error_code cause) { return {outcome_kind::fallback, std::move(v), cause}; }
    /// Refused by the breaker, no fallback.
    static outcome rejected() { return {outcome_kind::rejected, std::nullopt, errc::rejected}; }
    /// The live operation failed, no fallback.
    static outcome failed(error_code ec) { return {outcome_kind::failed, std::nullopt, ec}; }
    /// The live operation timed out, no fallback.
    static outcome timed_out() { return {outcome_kind::timed_out, std::nullopt, errc::timed_out}; }

    /// Where the outcome came from.
    [[nodiscard]] outcome_kind kind() const noexcept { return kind_; }
    /// True only for a fresh live answer.
    [[nodiscard]] bool is_live() const noexcept { return kind_ == outcome_kind::live; }
    /// True when value() is a fallback.
    [[nodiscard]] bool is_fallback() const noexcept { return kind_ == outcome_kind::fallback; }
    /// True for live and fallback outcomes.
    [[nodiscard]] bool has_value() const noexcept { return value_.has_value(); }
    /// The value. Precondition: has_value().
    [[nodiscard]] const T& value() const& noexcept {
        assert(value_.has_value());
        return *value_;
    }
    /// The value, moved out. Precondition: has_value().
    [[nodiscard]] T&& value() && noexcept {
        assert(value_.has_value());
        return std::move(*value_);
    }
    /// Empty for live; the cause for fallback; errc::rejected, errc::timed_out or the operation's error otherwise.
    [[nodiscard]] error_code error() const noexcept { return error_; }
};

} // namespace genesis::resilience
