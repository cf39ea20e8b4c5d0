#include "snapshot.hpp"

#include "genesis/gateway/oms/error.hpp"

#include <charconv>
#include <string>
#include <string_view>

namespace genesis::gateway::detail {
namespace {

void put(std::string& out, std::string_view field) {
    out += field;
    out += '\t';
}
void put_int(std::string& out, std::int64_t v) { put(out, std::to_string(v)); }
void put_u(std::string& out, std::uint64_t v) { put(out, std::to_string(v)); }
void put_opt(std::string& out, const std::optional<decimal>& d) {
    if (d)
        put_int(out, d->raw());
    else
        put(out, "-");
}
void end_line(std::string& out) {
    if (!out.empty() && out.back() == '\t')
        out.back() = '\n';
    else
        out += '\n';
}

std::vector<std::string_view> split(std::string_view line, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const auto p = line.find(sep, start);
        out.push_back(line.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
        if (p == std::string_view::npos)
            return out;
        start = p + 1;
    }
}

template <class I>
bool get_int(std::string_view s, I& v) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc{} && end == s.data() + s.size();
}
bool get_dec(std::string_view s, decimal& d) {
    std::int64_t raw = 0;
    if (!get_int(s, raw))
        return false;
    d = decimal::from_raw(raw);
    return true;
}
bool get_opt(std::string_view s, std::optional<decimal>& d) {
    if (s == "-") {
        d.reset();
        return true;
    }
    decimal v;
    if (!get_dec(s, v))
        return false;
    d = v;
    return true;
}
template <class E>
bool get_enum(std::string_view s, E& e) {
    auto r = parse_enum<E>(s);
    if (!r)
        return false;
    e = *r;
    return true;
}
template <std::size_t N>
bool get_fixed(std::string_view s, fixed_string<N>& f) {
    auto r = fixed_string<N>::make(s);
    if (!r)
        return false;
    f = *r;
    return true;
}

bool decode_order(std::string_view line, tracked_order& o) {
    const auto f = split(line, '\t');
    if (f.size() != 18)
        return false;
    auto& in = o.intent;
    int adopted = 0;
    const bool ok = get_fixed(f[0], in.client_id) && (o.instance = std::string(f[1]), true) &&
                    get_fixed(f[2], in.venue) && get_fixed(f[3], in.sym) && get_enum(f[4], in.order_side) &&
                    get_enum(f[5], in.type) && get_enum(f[6], in.tif) && get_opt(f[7], in.price) &&
                    get_opt(f[8], in.quantity) && get_opt(f[9], in.quote_quantity) && get_opt(f[10], in.stop_price) &&
                    get_int(f[11], in.strategy_id) && get_enum(f[12], o.status) && get_int(f[13], o.order_id) &&
                    get_dec(f[14], o.cumulative_quantity) && get_dec(f[15], o.cumulative_quote) &&
                    get_int(f[16], adopted) && get_int(f[17], in.created.ns);
    o.adopted = adopted != 0;
    o.intent.client_id = in.client_id;
    return ok;
}

} // namespace

std::vector<db::section> encode_snapshot(const oms_snapshot& s) {
    std::string orders;
    for (const auto& o : s.orders) {
        const auto& in = o.intent;
        put(orders, in.client_id.view());
        put(orders, o.instance);
        put(orders, in.venue.view());
        put(orders, in.sym.view());
        put(orders, to_string(in.order_side));
        put(orders, to_string(in.type));
        put(orders, to_string(in.tif));
        put_opt(orders, in.price);
        put_opt(orders, in.quantity);
        put_opt(orders, in.quote_quantity);
        put_opt(orders, in.stop_price);
        put_u(orders, in.strategy_id);
        put(orders, to_string(o.status));
        put_u(orders, o.order_id);
        put_int(orders, o.cumulative_quantity.raw());
        put_int(orders, o.cumulative_quote.raw());
        put_int(orders, o.adopted ? 1 : 0);
        put_int(orders, in.created.ns);
        end_line(orders);
    }
    std::string positions;
    for (const auto& p : s.positions) {
        put(positions, p.sym.view());
        put_int(positions, p.quantity.raw());
        put_int(positions, p.average_cost.raw());
        put_int(positions, p.realized_pnl.raw());
        end_line(positions);
    }
    std::string balances;
    for (const auto& [a, v] : s.balances) {
        put(balances, a.view());
        put_int(balances, v.raw());
        end_line(balances);
    }
    std::string fills;
    for (const auto& [sym, ids] : s.fill_ids) {
        put(fills, sym.view());
        std::string list;
        for (auto id : ids) {
            if (!list.empty())
                list += ',';
            list += std::to_string(id);
        }
        put(fills, list);
        end_line(fills);
    }
    return {
        db::section::of_text(std::string(balances_section), balances),
        db::section::of_text(std::string(fill_ids_section), fills),
        db::section::of_text(std::string(orders_section), orders),
        db::section::of_text(std::string(positions_section), positions),
    };
}

result<oms_snapshot> decode_snapshot(const std::vector<db::section>& sections) {
    oms_snapshot s;
    const auto bad = make_error_code(oms_errc::bad_checkpoint);
    for (const auto& sec : sections) {
        for (auto line : split(sec.text(), '\n')) {
            if (line.empty())
                continue;
            const auto f = split(line, '\t');
            if (sec.name == orders_section) {
                tracked_order o;
                if (!decode_order(line, o))
                    return bad;
                s.orders.push_back(std::move(o));
            } else if (sec.name == positions_section) {
                position p;
                if (f.size() != 4 || !get_fixed(f[0], p.sym) || !get_dec(f[1], p.quantity) ||
                    !get_dec(f[2], p.average_cost) || !get_dec(f[3], p.realized_pnl))
                    return bad;
                s.positions.push_back(p);
            } else if (sec.name == balances_section) {
                asset a;
                decimal v;
                if (f.size() != 2 || !get_fixed(f[0], a) || !get_dec(f[1], v))
                    return bad;
                s.balances[a] = v;
            } else if (sec.name == fill_ids_section) {
                symbol sym;
                if (f.size() != 2 || !get_fixed(f[0], sym))
                    return bad;
                auto& ids = s.fill_ids[sym];
                for (auto part : split(f[1], ',')) {
                    std::uint64_t id = 0;
                    if (part.empty())
                        continue;
                    if (!get_int(part, id))
                        return bad;
                    ids.insert(id);
                }
            }
        }
    }
    return s;
}

} // namespace genesis::gateway::detail
