#include "genesis/db/resilience_state.hpp"

#include "genesis/db/error.hpp"

#include <algorithm>
#include <charconv>

namespace genesis::db {
namespace {

bool writable(std::string_view name) { return !name.empty() && name.find_first_of("\t\n") == std::string_view::npos; }

template <class T>
void put(std::string& out, T v) {
    out += std::to_string(v);
}

template <class T>
bool get(std::string_view s, T& v) {
    const auto* end = s.data() + s.size();
    auto r = std::from_chars(s.data(), end, v);
    return r.ec == std::errc{} && r.ptr == end;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const auto p = s.find(sep, start);
        out.push_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
        if (p == std::string_view::npos)
            return out;
        start = p + 1;
    }
}

error_code bad(std::string* why, std::string_view sec, std::size_t line, std::string_view what) {
    if (why)
        *why = std::string(sec) + " line " + std::to_string(line) + ": malformed " + std::string(what);
    return make_error_code(db_errc::bad_row);
}

} // namespace

std::vector<section> encode_resilience_state(const resilience_state& s) {
    std::string b;
    for (const auto& n : s.breakers) {
        if (!writable(n.name))
            continue;
        b += n.name;
        b += '\t';
        put(b, static_cast<unsigned>(n.state.state));
        b += '\t';
        put(b, n.state.failure_count);
        b += '\t';
        put(b, n.state.degradation_level);
        b += '\t';
        put(b, n.state.eternal_successes);
        b += '\t';
        put(b, n.state.open_remaining.count());
        b += '\n';
    }
    std::string p;
    for (const auto& w : s.windows) {
        if (!writable(w.endpoint) || !writable(w.operation))
            continue;
        p += w.endpoint;
        p += '\t';
        p += w.operation;
        p += '\t';
        bool first = true;
        for (const auto& smp : w.samples) {
            if (!first)
                p += ',';
            first = false;
            put(p, smp.latency.count());
            p += smp.ok ? ":1" : ":0";
        }
        p += '\n';
    }
    return {section::of_text(std::string(breakers_section), b), section::of_text(std::string(predictor_section), p)};
}

result<resilience_state> decode_resilience_state(const std::vector<section>& sections, std::string* why) {
    resilience_state out;
    for (const auto& sec : sections) {
        const bool breakers = sec.name == breakers_section;
        if (!breakers && sec.name != predictor_section)
            continue;
        std::size_t line_no = 0;
        for (auto line : split(sec.text(), '\n')) {
            ++line_no;
            if (line.empty())
                continue;
            const auto f = split(line, '\t');
            if (breakers) {
                named_breaker_state n;
                unsigned state = 0;
                std::int64_t remaining = 0;
                if (f.size() != 6 || f[0].empty() || !get(f[1], state) || state > 3 ||
                    !get(f[2], n.state.failure_count) || !get(f[3], n.state.degradation_level) ||
                    !get(f[4], n.state.eternal_successes) || !get(f[5], remaining) || remaining < 0)
                    return bad(why, sec.name, line_no, "breaker");
                n.name = std::string(f[0]);
                n.state.state = static_cast<resilience::breaker_state>(state);
                n.state.open_remaining = nanos{remaining};
                out.breakers.push_back(std::move(n));
            } else {
                if (f.size() != 3 || f[0].empty() || f[1].empty())
                    return bad(why, sec.name, line_no, "predictor window");
                resilience::predictor::window w{std::string(f[0]), std::string(f[1]), {}};
                if (!f[2].empty())
                    for (auto item : split(f[2], ',')) {
                        const auto colon = item.find(':');
                        std::int64_t ns = 0;
                        if (colon == std::string_view::npos || !get(item.substr(0, colon), ns) || ns < 0 ||
                            (item.substr(colon + 1) != "1" && item.substr(colon + 1) != "0"))
                            return bad(why, sec.name, line_no, "predictor sample");
                        w.samples.push_back({nanos{ns}, item.substr(colon + 1) == "1"});
                    }
                out.windows.push_back(std::move(w));
            }
        }
    }
    return out;
}

} // namespace genesis::db
