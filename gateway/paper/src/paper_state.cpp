// The paper account as text (the checkpoint's "paper" section): one record per line, fields
// separated by single spaces. Client ids, symbols and assets never hold spaces.
//
//   paper 1 <next_order_id> <next_trade_id> <next_seq>
//   balance <asset> <free> <locked>
//   order <sym> <order_id> <seq> <client_id> <side> <type> <tif> <status> <price> <qty> <cum> <cum_quote>
//         <queue_ahead> <locked> <created_ns> <updated_ns>
//   trade <sym> <trade_id> <order_id> <client_id> <side> <price> <qty> <commission> <commission_asset>
//         <maker 0|1> <time_ns>
#include "genesis/gateway/paper/fill_simulator.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <variant>

namespace genesis::gateway::paper {

namespace {

std::vector<std::string_view> split(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        const auto j = line.find(' ', i);
        out.push_back(line.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
        if (j == std::string_view::npos)
            break;
        i = j + 1;
    }
    return out;
}

template <class T>
bool number(std::string_view s, T& out) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

bool dec(std::string_view s, decimal& out) {
    auto d = decimal::parse(s);
    if (!d)
        return false;
    out = *d;
    return true;
}

template <class F>
bool fixed(std::string_view s, F& out) {
    auto f = F::make(s);
    if (!f || s.empty())
        return false;
    out = *f;
    return true;
}

template <class E>
bool named(std::string_view s, E& out) {
    auto e = parse_enum<E>(s);
    if (!e)
        return false;
    out = *e;
    return true;
}

} // namespace

std::string fill_simulator::save_state() const {
    std::ostringstream s;
    s << "paper 1 " << next_order_id_ << ' ' << next_trade_id_ << ' ' << next_seq_ << '\n';
    for (const auto& [a, f] : balances_)
        s << "balance " << a.view() << ' ' << f.free.to_string() << ' ' << f.locked.to_string() << '\n';
    // Working orders only: a final one is never queried again after a restart but by the OMS's
    // reconciliation, which then finds it final in its own journal.
    for (const auto& [sym, sb] : symbols_)
        for (const auto& cid : sb.working) {
            const auto& o = orders_.at(cid);
            s << "order " << o.sym.view() << ' ' << o.order_id << ' ' << o.seq << ' ' << o.client_id.view() << ' '
              << to_string(o.order_side) << ' ' << to_string(o.type) << ' ' << to_string(o.tif) << ' '
              << to_string(o.status) << ' ' << o.price.to_string() << ' ' << o.quantity.to_string() << ' '
              << o.cumulative_quantity.to_string() << ' ' << o.cumulative_quote.to_string() << ' '
              << o.queue_ahead.to_string() << ' ' << o.locked.to_string() << ' ' << o.created.ns << ' ' << o.updated.ns
              << '\n';
        }
    for (const auto& [sym, sb] : symbols_)
        for (const auto& f : sb.trades)
            s << "trade " << f.sym.view() << ' ' << f.trade_id << ' ' << f.order_id << ' ' << f.client_id.view() << ' '
              << to_string(f.order_side) << ' ' << f.price.to_string() << ' ' << f.quantity.to_string() << ' '
              << f.commission.to_string() << ' ' << f.commission_asset.view() << ' ' << (f.is_maker ? 1 : 0) << ' '
              << f.time.ns << '\n';
    return s.str();
}

result<void> fill_simulator::restore_state(std::string_view text) {
    const auto bad = make_error_code(core_errc::invalid_argument);
    std::map<asset, funds> bals;
    std::map<client_order_id, paper_order> ords;
    std::map<symbol, std::deque<db::fill_record>> trades;
    std::uint64_t next_order = 0, next_trade = 0, next_seq = 0;
    bool header = false;
    std::size_t i = 0;
    while (i < text.size()) {
        auto j = text.find('\n', i);
        if (j == std::string_view::npos)
            j = text.size();
        const auto line = text.substr(i, j - i);
        i = j + 1;
        if (line.empty())
            continue;
        const auto f = split(line);
        if (f[0] == "paper") {
            if (f.size() != 5 || f[1] != "1" || !number(f[2], next_order) || !number(f[3], next_trade) ||
                !number(f[4], next_seq))
                return bad;
            header = true;
        } else if (f[0] == "balance") {
            asset a;
            funds b;
            if (f.size() != 4 || !fixed(f[1], a) || !dec(f[2], b.free) || !dec(f[3], b.locked))
                return bad;
            bals[a] = b;
        } else if (f[0] == "order") {
            paper_order o;
            if (f.size() != 17 || !fixed(f[1], o.sym) || !number(f[2], o.order_id) || !number(f[3], o.seq) ||
                !fixed(f[4], o.client_id) || !named(f[5], o.order_side) || !named(f[6], o.type) ||
                !named(f[7], o.tif) || !named(f[8], o.status) || !dec(f[9], o.price) || !dec(f[10], o.quantity) ||
                !dec(f[11], o.cumulative_quantity) || !dec(f[12], o.cumulative_quote) || !dec(f[13], o.queue_ahead) ||
                !dec(f[14], o.locked) || !number(f[15], o.created.ns) || !number(f[16], o.updated.ns))
                return bad;
            ords[o.client_id] = o;
        } else if (f[0] == "trade") {
            db::fill_record t;
            int maker = 0;
            if (f.size() != 12 || !fixed(f[1], t.sym) || !number(f[2], t.trade_id) || !number(f[3], t.order_id) ||
                !fixed(f[4], t.client_id) || !named(f[5], t.order_side) || !dec(f[6], t.price) ||
                !dec(f[7], t.quantity) || !dec(f[8], t.commission) || !fixed(f[9], t.commission_asset) ||
                !number(f[10], maker) || !number(f[11], t.time.ns))
                return bad;
            t.venue = venue_;
            t.is_maker = maker != 0;
            trades[t.sym].push_back(t);
        } else {
            return bad;
        }
    }
    if (!header)
        return bad;
    // Orders of symbols not traded now are left out (what they lock stays locked).
    std::erase_if(ords, [this](const auto& kv) { return !symbols_.contains(kv.second.sym); });
    balances_ = std::move(bals);
    for (auto& [sym, sb] : symbols_) {
        (void)balances_[sb.rules.base];
        (void)balances_[sb.rules.quote];
        sb.working.clear();
        sb.trades = std::move(trades[sym]);
    }
    orders_ = std::move(ords);
    finals_.clear();
    for (const auto& [cid, o] : orders_)
        symbols_[o.sym].working.insert(cid);
    next_order_id_ = next_order;
    next_trade_id_ = next_trade;
    next_seq_ = next_seq;
    return {};
}

void fill_simulator::catch_up(const std::vector<db::journal_entry>& rows) {
    const auto add = [](decimal& x, decimal d) {
        if (auto r = x.add(d))
            x = *r;
    };
    const auto sub = [](decimal& x, decimal d) {
        if (auto r = x.sub(d))
            x = *r;
    };
    std::vector<asset> touched;
    std::map<client_order_id, order_intent> intents;
    // PENDING_CANCEL is journaled in the call that cancels the paper order at once; a kill before
    // its CANCELED was journaled leaves only the request. The fills journaled after it are booked
    // first, then whatever of the order is still working is cancelled, as the call did.
    std::vector<std::pair<client_order_id, time_point>> cancelled;
    for (const auto& e : rows) {
        if (const auto* ir = std::get_if<db::intent_row>(&e)) {
            intents[ir->intent.client_id] = ir->intent;
        } else if (const auto* tr = std::get_if<db::transition_row>(&e)) {
            const auto& t = tr->transition;
            next_order_id_ = std::max(next_order_id_, t.order_id + 1);
            // An order accepted after the checkpoint: it rests again, behind everything displayed
            // at its price (queue_ahead shrinks to the level at the next book update).
            if (t.status == order_status::new_ && t.order_id != 0 && !orders_.contains(t.client_id)) {
                const auto in = intents.find(t.client_id);
                const auto sit = symbols_.find(t.sym);
                if (in != intents.end() && sit != symbols_.end() && in->second.price && in->second.quantity &&
                    (in->second.type == order_type::limit || in->second.type == order_type::limit_maker)) {
                    paper_order o;
                    o.order_id = t.order_id;
                    o.seq = next_seq_++;
                    o.client_id = t.client_id;
                    o.sym = t.sym;
                    o.order_side = in->second.order_side;
                    o.type = in->second.type;
                    o.tif = in->second.tif;
                    o.price = *in->second.price;
                    o.quantity = *in->second.quantity;
                    o.queue_ahead = decimal::max();
                    o.created = t.time;
                    o.updated = t.time;
                    auto need =
                        o.order_side == side::buy ? o.price.mul(o.quantity, rounding::up) : result<decimal>(o.quantity);
                    o.locked = need ? *need : decimal{};
                    auto& f = balances_[o.order_side == side::buy ? sit->second.rules.quote : sit->second.rules.base];
                    sub(f.free, o.locked);
                    add(f.locked, o.locked);
                    sit->second.working.insert(o.client_id);
                    orders_[o.client_id] = o;
                }
                continue;
            }
            if (t.status == order_status::pending_cancel) {
                cancelled.emplace_back(t.client_id, t.time);
                continue;
            }
            auto it = orders_.find(t.client_id);
            // A fill ends an order through its fill rows; a cancel or an expiry ends it here.
            if (it == orders_.end() || !is_final(t.status) || t.status == order_status::filled ||
                !(it->second.status == order_status::new_ || it->second.status == order_status::partially_filled))
                continue;
            it->second.status = t.status;
            it->second.updated = t.time;
            unlock_rest(it->second, touched);
            remember_final(it->second);
        } else if (const auto* fr = std::get_if<db::fill_row>(&e)) {
            const auto& f = fr->fill;
            auto sit = symbols_.find(f.sym);
            if (sit == symbols_.end() || f.trade_id < next_trade_id_)
                continue; // not ours to book, or already in the restored account
            next_trade_id_ = f.trade_id + 1;
            const auto& rules = sit->second.rules;
            const bool buy = f.order_side == side::buy;
            auto n = f.price.mul(f.quantity, buy ? rounding::up : rounding::down);
            const decimal notional = n ? *n : decimal{};
            auto it = orders_.find(f.client_id);
            paper_order* o =
                it != orders_.end() && it->second.order_id == f.order_id &&
                        (it->second.status == order_status::new_ || it->second.status == order_status::partially_filled)
                    ? &it->second
                    : nullptr;
            // What the order paid with: from its lock when the restored account knows it, else free.
            auto& paid = balances_[buy ? rules.quote : rules.base];
            const decimal cost = buy ? notional : f.quantity;
            if (o) {
                decimal release = cost;
                if (buy && o->type != order_type::market) {
                    auto at_limit = o->price.mul(f.quantity, rounding::up);
                    release = at_limit ? *at_limit : cost;
                }
                release = std::min(release, o->locked);
                sub(paid.locked, release);
                sub(o->locked, release);
                add(paid.free, release);
                add(o->cumulative_quantity, f.quantity);
                add(o->cumulative_quote, notional);
                o->status =
                    o->cumulative_quantity >= o->quantity ? order_status::filled : order_status::partially_filled;
                o->updated = f.time;
            }
            sub(paid.free, cost);
            add(balances_[buy ? rules.base : rules.quote].free, buy ? f.quantity : notional);
            if (!f.commission_asset.empty())
                sub(balances_[f.commission_asset].free, f.commission);
            auto& hist = sit->second.trades;
            hist.push_back(f);
            while (hist.size() > std::max<std::size_t>(cfg_.trade_history, 1))
                hist.pop_front();
            if (o && o->status == order_status::filled) {
                unlock_rest(*o, touched);
                remember_final(*o);
            }
        }
    }
    for (const auto& [id, at] : cancelled) {
        auto it = orders_.find(id);
        if (it == orders_.end() || !is_working(it->second.status))
            continue;
        it->second.status = order_status::canceled;
        it->second.updated = at;
        unlock_rest(it->second, touched);
        remember_final(it->second);
    }
}

} // namespace genesis::gateway::paper
