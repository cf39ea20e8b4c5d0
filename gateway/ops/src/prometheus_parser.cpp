// A strict parser of the Prometheus text exposition format 0.0.4.
#include "genesis/gateway/ops/prometheus.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

namespace genesis::gateway::ops {

namespace {

bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }
bool is_metric_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ':';
}
bool is_label_char(char c) noexcept { return is_metric_char(c) && c != ':'; }

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// A value token: a float, +Inf, -Inf or NaN (Prometheus also accepts "Inf" and any case).
std::optional<double> parse_float(std::string_view t) {
    std::string lower(t);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "+inf" || lower == "inf")
        return std::numeric_limits<double>::infinity();
    if (lower == "-inf")
        return -std::numeric_limits<double>::infinity();
    if (lower == "nan")
        return std::numeric_limits<double>::quiet_NaN();
    std::string_view s = t;
    if (s.starts_with('+'))
        s.remove_prefix(1);
    if (s.empty() || s.starts_with('+') || lower.find("inf") != std::string::npos ||
        lower.find("nan") != std::string::npos)
        return std::nullopt;
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size())
        return std::nullopt;
    return v;
}

std::optional<std::int64_t> parse_int(std::string_view t) {
    std::int64_t v = 0;
    const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || r.ec != std::errc{} || r.ptr != t.data() + t.size())
        return std::nullopt;
    return v;
}

class parser {
    exposition& out_;
    std::unordered_map<std::string, std::size_t> index_;
    struct family_state {
        bool has_help = false;
        bool has_type = false;
        bool closed = false;
    };
    std::vector<family_state> state_;
    std::optional<std::size_t> current_;
    std::size_t line_ = 0;
    std::optional<exposition_error> error_;

public:
    explicit parser(exposition& out) : out_(out) {}

    std::optional<exposition_error> run(std::string_view text) {
        std::size_t pos = 0;
        while (pos < text.size() && !error_) {
            const std::size_t nl = text.find('\n', pos);
            const std::string_view line =
                text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
            pos = nl == std::string_view::npos ? text.size() : nl + 1;
            ++line_;
            parse_line(line);
        }
        // The last family is complete at the end of the text.
        if (!error_ && current_)
            close(*current_);
        return error_;
    }

private:
    bool fail(std::size_t line, std::string message) {
        if (!error_)
            error_ = exposition_error{line, std::move(message)};
        return false;
    }
    bool fail(std::string message) { return fail(line_, std::move(message)); }

    std::size_t get_or_create(std::string_view name) {
        const auto it = index_.find(std::string(name));
        if (it != index_.end())
            return it->second;
        out_.families.push_back(parsed_family{std::string(name), {}, metric_type::untyped, {}});
        state_.emplace_back();
        index_.emplace(std::string(name), out_.families.size() - 1);
        return out_.families.size() - 1;
    }

    // Makes `f` the current family; the previous one is complete and is checked now.
    bool enter(std::size_t f) {
        if (current_ == f)
            return true;
        if (state_[f].closed)
            return fail("samples of family " + quoted(out_.families[f].name) +
                        " are not contiguous (it appeared before another family)");
        if (current_ && !close(*current_))
            return false;
        current_ = f;
        return true;
    }

    void parse_line(std::string_view line) {
        if (std::all_of(line.begin(), line.end(), is_blank))
            return;
        if (line.front() == '#')
            parse_comment(line.substr(1));
        else
            parse_sample(line);
    }

    void parse_comment(std::string_view rest) {
        std::size_t i = 0;
        while (i < rest.size() && is_blank(rest[i]))
            ++i;
        std::size_t j = i;
        while (j < rest.size() && !is_blank(rest[j]))
            ++j;
        const std::string_view keyword = rest.substr(i, j - i);
        if (keyword != "HELP" && keyword != "TYPE")
            return; // A plain comment.
        while (j < rest.size() && is_blank(rest[j]))
            ++j;
        std::size_t k = j;
        while (k < rest.size() && !is_blank(rest[k]))
            ++k;
        const std::string_view name = rest.substr(j, k - j);
        if (name.empty()) {
            fail(std::string(keyword) + " line without a metric name");
            return;
        }
        if (!is_valid_metric_name(name)) {
            fail("invalid metric name " + quoted(name) + " in " + std::string(keyword) + " line");
            return;
        }
        // The text after one blank: the docstring, or the type.
        const std::string_view tail = k < rest.size() ? rest.substr(k + 1) : std::string_view{};
        const std::size_t f = get_or_create(name);
        if (!enter(f))
            return;
        parsed_family& fam = out_.families[f];
        if (keyword == "HELP") {
            if (state_[f].has_help) {
                fail("second HELP line for " + quoted(name));
                return;
            }
            state_[f].has_help = true;
            std::string help;
            for (std::size_t p = 0; p < tail.size(); ++p) {
                if (tail[p] != '\\') {
                    help += tail[p];
                    continue;
                }
                if (p + 1 < tail.size() && tail[p + 1] == '\\')
                    help += '\\';
                else if (p + 1 < tail.size() && tail[p + 1] == 'n')
                    help += '\n';
                else {
                    fail("invalid escape in HELP of " + quoted(name) + " (only \\\\ and \\n)");
                    return;
                }
                ++p;
            }
            fam.help = std::move(help);
            return;
        }
        std::string_view type = tail;
        while (!type.empty() && is_blank(type.front()))
            type.remove_prefix(1);
        while (!type.empty() && is_blank(type.back()))
            type.remove_suffix(1);
        static constexpr std::pair<std::string_view, metric_type> types[] = {
            {"counter", metric_type::counter}, {"gauge", metric_type::gauge},     {"histogram", metric_type::histogram},
            {"summary", metric_type::summary}, {"untyped", metric_type::untyped},
        };
        const auto* t =
            std::find_if(std::begin(types), std::end(types), [&](const auto& p) { return p.first == type; });
        if (t == std::end(types)) {
            fail("unknown TYPE " + quoted(type) + " for " + quoted(name));
            return;
        }
        if (state_[f].has_type) {
            fail("second TYPE line for " + quoted(name));
            return;
        }
        if (!fam.samples.empty()) {
            fail("TYPE line for " + quoted(name) + " after its samples");
            return;
        }
        state_[f].has_type = true;
        fam.type = t->second;
    }

    // The family a sample name belongs to: a histogram or summary by suffix, else its own name.
    std::size_t resolve(std::string_view name) {
        for (const std::string_view suffix : {"_bucket", "_sum", "_count"}) {
            if (!name.ends_with(suffix))
                continue;
            const auto it = index_.find(std::string(name.substr(0, name.size() - suffix.size())));
            if (it == index_.end())
                continue;
            const metric_type t = out_.families[it->second].type;
            if (t == metric_type::histogram || (t == metric_type::summary && suffix != "_bucket"))
                return it->second;
        }
        return get_or_create(name);
    }

    void parse_sample(std::string_view line) {
        std::size_t i = 0;
        while (i < line.size() && is_metric_char(line[i]))
            ++i;
        const std::string_view name = line.substr(0, i);
        if (name.empty() || !is_valid_metric_name(name)) {
            fail("expected a metric name at the start of the line");
            return;
        }
        const std::size_t f = resolve(name);
        if (!enter(f))
            return;
        parsed_sample s;
        s.name = std::string(name);
        s.line = line_;
        if (i < line.size() && line[i] == '{') {
            if (!parse_labels(line, ++i, s))
                return;
        }
        if (i >= line.size() || !is_blank(line[i])) {
            fail("expected a blank and a value after " + quoted(name));
            return;
        }
        while (i < line.size() && is_blank(line[i]))
            ++i;
        std::size_t j = i;
        while (j < line.size() && !is_blank(line[j]))
            ++j;
        const auto v = parse_float(line.substr(i, j - i));
        if (!v) {
            fail("invalid value " + quoted(line.substr(i, j - i)) + " for " + quoted(name));
            return;
        }
        s.value = *v;
        while (j < line.size() && is_blank(line[j]))
            ++j;
        if (j < line.size()) {
            std::size_t k = j;
            while (k < line.size() && !is_blank(line[k]))
                ++k;
            const auto ts = parse_int(line.substr(j, k - j));
            if (!ts) {
                fail("invalid timestamp " + quoted(line.substr(j, k - j)) + " for " + quoted(name));
                return;
            }
            s.timestamp_ms = *ts;
            while (k < line.size() && is_blank(line[k]))
                ++k;
            if (k < line.size()) {
                fail("unexpected text after the timestamp of " + quoted(name));
                return;
            }
        }
        if (!check_sample(out_.families[f], s))
            return;
        out_.families[f].samples.push_back(std::move(s));
    }

    bool parse_labels(std::string_view line, std::size_t& i, parsed_sample& s) {
        for (;;) {
            while (i < line.size() && is_blank(line[i]))
                ++i;
            if (i < line.size() && line[i] == '}') {
                ++i;
                return true;
            }
            std::size_t j = i;
            while (j < line.size() && is_label_char(line[j]))
                ++j;
            const std::string_view lname = line.substr(i, j - i);
            if (lname.empty())
                return fail("expected a label name in " + quoted(s.name));
            if (!is_valid_label_name(lname))
                return fail("invalid label name " + quoted(lname) + " in " + quoted(s.name));
            if (s.label_value(lname))
                return fail("duplicate label " + quoted(lname) + " in " + quoted(s.name));
            i = j;
            while (i < line.size() && is_blank(line[i]))
                ++i;
            if (i >= line.size() || line[i] != '=')
                return fail("expected '=' after label " + quoted(lname));
            ++i;
            while (i < line.size() && is_blank(line[i]))
                ++i;
            if (i >= line.size() || line[i] != '"')
                return fail("expected '\"' to open the value of label " + quoted(lname));
            ++i;
            std::string value;
            for (;;) {
                if (i >= line.size())
                    return fail("unterminated value of label " + quoted(lname));
                const char c = line[i++];
                if (c == '"')
                    break;
                if (c != '\\') {
                    value += c;
                    continue;
                }
                const char e = i < line.size() ? line[i++] : '\0';
                if (e == '\\')
                    value += '\\';
                else if (e == '"')
                    value += '"';
                else if (e == 'n')
                    value += '\n';
                else
                    return fail("invalid escape in the value of label " + quoted(lname) + " (only \\\\, \\\" and \\n)");
            }
            s.labels.push_back(label{std::string(lname), std::move(value)});
            while (i < line.size() && is_blank(line[i]))
                ++i;
            if (i < line.size() && line[i] == ',') {
                ++i;
                continue;
            }
            if (i < line.size() && line[i] == '}') {
                ++i;
                return true;
            }
            return fail("expected ',' or '}' after label " + quoted(lname));
        }
    }

    // Checks one sample can belong to its family, before it is stored.
    bool check_sample(const parsed_family& fam, const parsed_sample& s) {
        const bool negative = s.value < 0 || (std::isinf(s.value) && s.value < 0);
        if (fam.type == metric_type::counter && negative)
            return fail("counter " + quoted(s.name) + " has a negative value");
        if (fam.type != metric_type::histogram)
            return true;
        if (s.name == fam.name)
            return fail("histogram " + quoted(fam.name) + " sample must be _bucket, _sum or _count");
        if (s.name.ends_with("_bucket")) {
            const auto le = s.label_value("le");
            if (!le)
                return fail("histogram bucket " + quoted(s.name) + " has no \"le\" label");
            const auto bound = parse_float(*le);
            if (!bound || std::isnan(*bound))
                return fail("histogram bucket " + quoted(s.name) + " has an invalid le " + quoted(*le));
        }
        if ((s.name.ends_with("_bucket") || s.name.ends_with("_count")) && (negative || std::isnan(s.value)))
            return fail("histogram " + quoted(s.name) + " has a negative or NaN count");
        return true;
    }

    // Histogram consistency once the family is complete, per label set (without le).
    bool close(std::size_t f) {
        state_[f].closed = true;
        const parsed_family& fam = out_.families[f];
        if (fam.type != metric_type::histogram)
            return true;
        struct group {
            std::optional<double> last_le;
            double last_count = 0;
            std::optional<double> inf;
            const parsed_sample* sum = nullptr;
            const parsed_sample* count = nullptr;
            std::size_t last_line = 0;
        };
        std::map<std::string, group> groups;
        std::vector<std::string> order;
        for (const auto& s : fam.samples) {
            // The label set without le, in name order, as one string key.
            std::vector<const label*> ls;
            for (const auto& l : s.labels)
                if (l.name != "le")
                    ls.push_back(&l);
            std::sort(ls.begin(), ls.end(), [](const label* a, const label* b) { return a->name < b->name; });
            std::string key;
            for (const label* l : ls) {
                key += l->name;
                key += '\0';
                key += l->value;
                key += '\0';
            }
            auto [it, inserted] = groups.try_emplace(key);
            if (inserted)
                order.push_back(key);
            group& g = it->second;
            g.last_line = s.line;
            if (s.name.ends_with("_bucket")) {
                const double le = *parse_float(*s.label_value("le"));
                if (g.last_le && le <= *g.last_le)
                    return fail(s.line, "histogram " + quoted(fam.name) + " buckets are not in ascending le order");
                if (g.last_le && s.value < g.last_count)
                    return fail(s.line, "histogram " + quoted(fam.name) + " buckets are not cumulative");
                g.last_le = le;
                g.last_count = s.value;
                if (std::isinf(le))
                    g.inf = s.value;
            } else if (s.name.ends_with("_sum")) {
                g.sum = &s;
            } else {
                g.count = &s;
            }
        }
        for (const auto& key : order) {
            const group& g = groups[key];
            if (!g.inf)
                return fail(g.last_line, "histogram " + quoted(fam.name) + " has no le=\"+Inf\" bucket");
            if (g.count == nullptr)
                return fail(g.last_line, "histogram " + quoted(fam.name) + " has no _count");
            if (g.count->value != *g.inf)
                return fail(g.count->line, "histogram " + quoted(fam.name) + " _count differs from its +Inf bucket");
            if (g.sum == nullptr)
                return fail(g.last_line, "histogram " + quoted(fam.name) + " has no _sum");
        }
        return true;
    }
};

} // namespace

std::optional<std::string_view> parsed_sample::label_value(std::string_view label_name) const {
    for (const auto& l : labels)
        if (l.name == label_name)
            return std::string_view(l.value);
    return std::nullopt;
}

const parsed_family* exposition::find(std::string_view name) const {
    for (const auto& f : families)
        if (f.name == name)
            return &f;
    return nullptr;
}

std::optional<double> exposition::value(std::string_view sample_name, std::initializer_list<label> ls) const {
    for (const auto& f : families) {
        for (const auto& s : f.samples) {
            if (s.name != sample_name || s.labels.size() != ls.size())
                continue;
            const bool same = std::all_of(ls.begin(), ls.end(), [&](const label& l) {
                const auto v = s.label_value(l.name);
                return v && *v == l.value;
            });
            if (same)
                return s.value;
        }
    }
    return std::nullopt;
}

std::string exposition_error::str() const { return "line " + std::to_string(line) + ": " + message; }

std::optional<exposition_error> parse_exposition(std::string_view text, exposition& out) {
    out = exposition{};
    return parser(out).run(text);
}

} // namespace genesis::gateway::ops
