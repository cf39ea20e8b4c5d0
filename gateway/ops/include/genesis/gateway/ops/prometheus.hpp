// The Prometheus text exposition format 0.0.4: a writer that builds /metrics, and a strict parser
// of the same format (used by tests and by the gateway's end-to-end check of /metrics).
#pragma once

#include "genesis/core/decimal.hpp"
#include "genesis/core/error.hpp"
#include "genesis/gateway/ops/error.hpp"
#include "genesis/gateway/ops/latency_histogram.hpp"

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace genesis::gateway::ops {

/// The Content-Type of the text format.
inline constexpr std::string_view prometheus_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// A family's TYPE. The writer produces every type but summary; the parser accepts all.
enum class metric_type { counter, gauge, histogram, summary, untyped };

/// "counter", "gauge", "histogram", "summary", "untyped".
[[nodiscard]] std::string_view to_string(metric_type t) noexcept;

/// One label of a sample.
struct label {
    std::string name;
    std::string value;

    friend bool operator==(const label&, const label&) = default;
};

/// True for [a-zA-Z_:][a-zA-Z0-9_:]*.
[[nodiscard]] bool is_valid_metric_name(std::string_view name) noexcept;
/// True for [a-zA-Z_][a-zA-Z0-9_]* not starting with "__" (reserved for Prometheus).
[[nodiscard]] bool is_valid_label_name(std::string_view name) noexcept;

/// Escapes a label value: backslash, double quote and line feed as \\, \" and \n.
[[nodiscard]] std::string escape_label_value(std::string_view v);

/// Formats a sample value exactly: integral values below 2^53 as integers ("42"), +Inf, -Inf,
/// NaN, anything else as the shortest text that parses back to the same double.
[[nodiscard]] std::string format_value(double v);

/// Builds an exposition. Declare a family, then write its samples; families must not repeat.
/// A misuse (invalid name, sample before any family, histogram sample on a counter, negative
/// counter, duplicate label) is sticky: later calls do nothing and finish() reports the first.
class prometheus_writer {
    std::string out_;
    std::string family_;
    metric_type type_ = metric_type::untyped;
    std::vector<std::string> families_;
    error_code error_;
    std::string error_message_;

public:
    using labels = std::span<const label>;

    /// Starts family `name` with its HELP text (may be empty: no HELP line) and TYPE.
    void family(std::string_view name, std::string_view help, metric_type type);

    /// A sample of the current counter, gauge or untyped family, named as the family.
    void sample(labels ls, double value);
    /// Integers are written exactly, also above 2^53.
    void sample(labels ls, std::uint64_t value);
    void sample(labels ls, std::int64_t value);
    /// A decimal (PnL, position) written as its exact decimal string.
    void sample(labels ls, const decimal& value);
    /// Any other integer type, written exactly.
    template <class I>
    requires std::integral<I> &&(!std::same_as<I, bool>)void sample(labels ls, I value);
    /// The same with labels written inline: w.sample({{"venue", "binance"}}, 3).
    template <class V>
    void sample(std::initializer_list<label> ls, const V& value) {
        sample(labels{ls.begin(), ls.size()}, value);
    }

    /// A sample of the current histogram family: name_bucket{...,le="..."} (cumulative, and
    /// +Inf equal to count), name_sum and name_count. `ls` must not contain "le".
    void histogram(labels ls, const histogram_value& h);
    void histogram(std::initializer_list<label> ls, const histogram_value& h) {
        histogram(labels{ls.begin(), ls.size()}, h);
    }

    /// The first misuse, if any (ops_errc::invalid_name or invalid_usage), with its message.
    [[nodiscard]] error_code error() const noexcept { return error_; }
    [[nodiscard]] const std::string& error_message() const noexcept { return error_message_; }

    /// The exposition text, or the first misuse.
    [[nodiscard]] result<std::string> finish() &&;
    /// The text so far (for inspection; incomplete when error() is set).
    [[nodiscard]] const std::string& text() const noexcept { return out_; }

private:
    bool fail(ops_errc e, std::string message);
    bool begin_sample(labels ls, metric_type expected, bool allow_le);
    void write_labels(labels ls, const label* extra);
    void write_line(std::string_view suffix, labels ls, const label* extra, std::string_view value);
};

/// One parsed sample.
struct parsed_sample {
    /// The full name, e.g. "latency_seconds_bucket".
    std::string name;
    /// In the order written.
    std::vector<label> labels;
    double value = 0;
    /// Milliseconds since the epoch, when the line carries one.
    std::optional<std::int64_t> timestamp_ms;
    /// 1-based line of the sample in the text.
    std::size_t line = 0;

    /// The value of label `label_name`, if present.
    [[nodiscard]] std::optional<std::string_view> label_value(std::string_view label_name) const;
};

/// One parsed family: the name from HELP/TYPE (or the sample's own name when untyped).
struct parsed_family {
    std::string name;
    std::string help;
    metric_type type = metric_type::untyped;
    std::vector<parsed_sample> samples;
};

/// A parsed exposition, families in order of appearance.
struct exposition {
    std::vector<parsed_family> families;

    /// The family named `name`, or nullptr.
    [[nodiscard]] const parsed_family* find(std::string_view name) const;
    /// The value of the sample named `sample_name` whose labels are exactly `ls` (any order).
    [[nodiscard]] std::optional<double> value(std::string_view sample_name, std::initializer_list<label> ls = {}) const;
};

/// Why a text was rejected: 1-based line (0 when the text as a whole is at fault) and message.
struct exposition_error {
    std::size_t line = 0;
    std::string message;

    /// "line N: message".
    [[nodiscard]] std::string str() const;
};

/// Parses and validates a text exposition (format 0.0.4): comment, HELP and TYPE syntax; metric
/// and label names; label value escapes; duplicate label names; values (floats, +Inf, -Inf,
/// NaN) and optional integer timestamps; TYPE at most once and before the family's samples; a
/// family's samples contiguous; histograms (every _bucket has le, buckets cumulative
/// non-decreasing, +Inf bucket equal to _count, _sum and _count present); counters >= 0.
/// Returns the first error met.
[[nodiscard]] std::optional<exposition_error> parse_exposition(std::string_view text, exposition& out);

// Templates.

template <class I>
requires std::integral<I> &&(!std::same_as<I, bool>)void prometheus_writer::sample(labels ls, I value) {
    if constexpr (std::is_signed_v<I>)
        sample(ls, static_cast<std::int64_t>(value));
    else
        sample(ls, static_cast<std::uint64_t>(value));
}

} // namespace genesis::gateway::ops
