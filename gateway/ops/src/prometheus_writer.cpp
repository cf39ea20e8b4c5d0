#include "genesis/gateway/ops/prometheus.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace genesis::gateway::ops {

namespace {

bool is_name_start(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// HELP text escapes only backslash and line feed.
std::string escape_help(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (const char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

} // namespace

std::string_view to_string(metric_type t) noexcept {
    switch (t) {
    case metric_type::counter: return "counter";
    case metric_type::gauge: return "gauge";
    case metric_type::histogram: return "histogram";
    case metric_type::summary: return "summary";
    case metric_type::untyped: return "untyped";
    }
    return "untyped";
}

bool is_valid_metric_name(std::string_view name) noexcept {
    if (name.empty() || !(is_name_start(name[0]) || name[0] == ':'))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return is_name_start(c) || is_digit(c) || c == ':'; });
}

bool is_valid_label_name(std::string_view name) noexcept {
    if (name.empty() || !is_name_start(name[0]) || name.starts_with("__"))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return is_name_start(c) || is_digit(c); });
}

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (const char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string format_value(double v) {
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    // Integral values that a double holds exactly are written without exponent or dot.
    if (v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
        if (v == 0)
            return "0";
        return std::to_string(static_cast<std::int64_t>(v));
    }
    std::array<char, 64> buf{};
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    return std::string(buf.data(), r.ptr);
}

bool prometheus_writer::fail(ops_errc e, std::string message) {
    if (!error_) {
        error_ = e;
        error_message_ = std::move(message);
    }
    return false;
}

void prometheus_writer::family(std::string_view name, std::string_view help, metric_type type) {
    if (error_)
        return;
    if (!is_valid_metric_name(name)) {
        fail(ops_errc::invalid_name, "invalid metric name \"" + std::string(name) + "\"");
        return;
    }
    if (type == metric_type::summary) {
        fail(ops_errc::invalid_usage, "summary families are not supported by the writer");
        return;
    }
    if (std::find(families_.begin(), families_.end(), name) != families_.end()) {
        fail(ops_errc::invalid_usage, "family \"" + std::string(name) + "\" declared twice");
        return;
    }
    families_.emplace_back(name);
    family_ = name;
    type_ = type;
    // HELP and TYPE once per family, before its samples.
    if (!help.empty()) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += escape_help(help);
        out_ += '\n';
    }
    out_ += "# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += to_string(type);
    out_ += '\n';
}

bool prometheus_writer::begin_sample(labels ls, metric_type expected, bool allow_le) {
    if (error_)
        return false;
    if (family_.empty())
        return fail(ops_errc::invalid_usage, "sample written before any family");
    const bool is_hist = type_ == metric_type::histogram;
    if (is_hist != (expected == metric_type::histogram))
        return fail(ops_errc::invalid_usage, "family \"" + family_ + "\" is a " + std::string(to_string(type_)) +
                                                 (is_hist ? ": use histogram()" : ": histogram() does not apply"));
    for (std::size_t i = 0; i < ls.size(); ++i) {
        if (!is_valid_label_name(ls[i].name))
            return fail(ops_errc::invalid_name, "invalid label name \"" + ls[i].name + "\" in " + family_);
        if (!allow_le && ls[i].name == "le")
            return fail(ops_errc::invalid_usage, "label \"le\" is reserved for histogram buckets in " + family_);
        for (std::size_t j = 0; j < i; ++j)
            if (ls[j].name == ls[i].name)
                return fail(ops_errc::invalid_usage, "duplicate label \"" + ls[i].name + "\" in " + family_);
    }
    return true;
}

void prometheus_writer::write_labels(labels ls, const label* extra) {
    if (ls.empty() && extra == nullptr)
        return;
    out_ += '{';
    bool first = true;
    auto one = [&](const label& l) {
        if (!first)
            out_ += ',';
        first = false;
        out_ += l.name;
        out_ += "=\"";
        out_ += escape_label_value(l.value);
        out_ += '"';
    };
    for (const auto& l : ls)
        one(l);
    if (extra != nullptr)
        one(*extra);
    out_ += '}';
}

void prometheus_writer::write_line(std::string_view suffix, labels ls, const label* extra, std::string_view value) {
    out_ += family_;
    out_ += suffix;
    write_labels(ls, extra);
    out_ += ' ';
    out_ += value;
    out_ += '\n';
}

void prometheus_writer::sample(labels ls, double value) {
    if (!begin_sample(ls, metric_type::gauge, true))
        return;
    if (type_ == metric_type::counter && (std::isnan(value) || value < 0)) {
        fail(ops_errc::invalid_usage, "counter " + family_ + " must be >= 0");
        return;
    }
    write_line("", ls, nullptr, format_value(value));
}

void prometheus_writer::sample(labels ls, std::uint64_t value) {
    if (!begin_sample(ls, metric_type::gauge, true))
        return;
    write_line("", ls, nullptr, std::to_string(value));
}

void prometheus_writer::sample(labels ls, std::int64_t value) {
    if (!begin_sample(ls, metric_type::gauge, true))
        return;
    if (type_ == metric_type::counter && value < 0) {
        fail(ops_errc::invalid_usage, "counter " + family_ + " must be >= 0");
        return;
    }
    write_line("", ls, nullptr, std::to_string(value));
}

void prometheus_writer::sample(labels ls, const decimal& value) {
    if (!begin_sample(ls, metric_type::gauge, true))
        return;
    if (type_ == metric_type::counter && value < decimal{}) {
        fail(ops_errc::invalid_usage, "counter " + family_ + " must be >= 0");
        return;
    }
    write_line("", ls, nullptr, value.to_string());
}

void prometheus_writer::histogram(labels ls, const histogram_value& h) {
    if (!begin_sample(ls, metric_type::histogram, false))
        return;
    // Buckets must be ascending and cumulative, and never exceed the total count.
    for (std::size_t i = 0; i < h.buckets.size(); ++i) {
        const auto& [le, n] = h.buckets[i];
        const bool ordered = i == 0 || (le > h.buckets[i - 1].first && n >= h.buckets[i - 1].second);
        if (std::isnan(le) || std::isinf(le) || !ordered || n > h.count) {
            fail(ops_errc::invalid_usage, "histogram " + family_ + " buckets are not ascending and cumulative");
            return;
        }
    }
    for (const auto& [le, n] : h.buckets) {
        const label l{"le", format_value(le)};
        write_line("_bucket", ls, &l, std::to_string(n));
    }
    const label inf{"le", "+Inf"};
    write_line("_bucket", ls, &inf, std::to_string(h.count));
    write_line("_sum", ls, nullptr, format_value(h.sum));
    write_line("_count", ls, nullptr, std::to_string(h.count));
}

result<std::string> prometheus_writer::finish() && {
    if (error_)
        return error_;
    return std::move(out_);
}

} // namespace genesis::gateway::ops
