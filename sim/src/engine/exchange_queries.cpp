// Read-only side of genesis::sim::exchange: order and account queries, market data, ground truth.
#include "genesis/sim/exchange.hpp"

#include "exchange_impl.hpp"

#include <algorithm>

namespace genesis::sim {
namespace {

// The part of a sorted-by-id sequence a "fromId + limit" query returns: ids >= from, at most limit;
// without from, the latest limit.
template <class T, class Id>
std::vector<T> page(const std::vector<T>& all, std::optional<std::uint64_t> from, std::size_t limit, Id id_of) {
    if (limit == 0)
        return {};
    auto first = all.begin();
    if (from) {
        first =
            std::lower_bound(all.begin(), all.end(), *from, [&](const T& v, std::uint64_t f) { return id_of(v) < f; });
        const auto n = std::min<std::size_t>(limit, static_cast<std::size_t>(all.end() - first));
        return {first, first + static_cast<std::ptrdiff_t>(n)};
    }
    const auto n = std::min(limit, all.size());
    return {all.end() - static_cast<std::ptrdiff_t>(n), all.end()};
}

} // namespace

result<order_record> exchange::query_order(account_id acc, const symbol& sym, std::optional<std::uint64_t> order_id,
                                           const client_order_id& orig_client_id) const {
    if (!impl_->find_account(acc))
        return make_error_code(sim_errc::invalid_api_key);
    const market* m = impl_->find_market(sym);
    if (!m)
        return make_error_code(sim_errc::invalid_symbol);
    if (!order_id && orig_client_id.empty())
        return make_error_code(sim_errc::missing_order_id);
    std::uint64_t id = 0;
    if (order_id) {
        id = *order_id;
    } else if (auto it = m->latest_by_client.find({acc, orig_client_id}); it != m->latest_by_client.end()) {
        id = it->second;
    } else if (auto open = m->open_by_client.find({acc, orig_client_id}); open != m->open_by_client.end()) {
        id = open->second;
    }
    const auto it = m->orders.find(id);
    if (it == m->orders.end() || it->second.rec.account != acc)
        return make_error_code(sim_errc::no_such_order);
    if (order_id && !orig_client_id.empty() && it->second.rec.client_id != orig_client_id)
        return make_error_code(sim_errc::no_such_order);
    return it->second.rec;
}

result<std::vector<order_record>> exchange::open_orders(account_id acc, std::optional<symbol> sym) const {
    if (!impl_->find_account(acc))
        return make_error_code(sim_errc::invalid_api_key);
    std::vector<const market*> ms;
    if (sym) {
        const market* m = impl_->find_market(*sym);
        if (!m)
            return make_error_code(sim_errc::invalid_symbol);
        ms.push_back(m);
    } else {
        for (const auto& [name, idx] : impl_->market_index)
            ms.push_back(&impl_->markets[idx]);
    }
    std::vector<order_record> out;
    for (const market* m : ms) {
        const auto it = m->open_by_account.find(acc);
        if (it == m->open_by_account.end())
            continue;
        for (const std::uint64_t id : it->second)
            out.push_back(m->orders.at(id).rec);
    }
    return out;
}

result<std::vector<order_record>> exchange::all_orders(account_id acc, const symbol& sym,
                                                       std::optional<std::uint64_t> from_order_id,
                                                       std::size_t limit) const {
    if (!impl_->find_account(acc))
        return make_error_code(sim_errc::invalid_api_key);
    const market* m = impl_->find_market(sym);
    if (!m)
        return make_error_code(sim_errc::invalid_symbol);
    const auto it = m->history_by_account.find(acc);
    if (it == m->history_by_account.end())
        return std::vector<order_record>{};
    const auto ids = page(it->second, from_order_id, limit, [](std::uint64_t v) { return v; });
    std::vector<order_record> out;
    out.reserve(ids.size());
    for (const std::uint64_t id : ids)
        out.push_back(m->orders.at(id).rec);
    return out;
}

result<std::vector<balance>> exchange::balances(account_id acc) const {
    const account* a = impl_->find_account(acc);
    if (!a)
        return make_error_code(sim_errc::invalid_api_key);
    return a->balances();
}

result<std::vector<account_trade>> exchange::my_trades(account_id acc, const symbol& sym,
                                                       std::optional<std::uint64_t> from_id, std::size_t limit) const {
    if (!impl_->find_account(acc))
        return make_error_code(sim_errc::invalid_api_key);
    const market* m = impl_->find_market(sym);
    if (!m)
        return make_error_code(sim_errc::invalid_symbol);
    const auto it = m->trades_by_account.find(acc);
    if (it == m->trades_by_account.end())
        return std::vector<account_trade>{};
    return page(it->second, from_id, limit, [](const account_trade& t) { return t.trade_id; });
}

result<book_snapshot> exchange::depth(const symbol& sym, std::size_t limit) const {
    const market* m = impl_->find_market(sym);
    if (!m)
        return make_error_code(sim_errc::invalid_symbol);
    book_snapshot s;
    s.venue = impl_->config.venue;
    s.sym = sym;
    m->book.snapshot(limit, s);
    s.exchange_time = impl_->now();
    return s;
}

result<top_of_book> exchange::book_ticker(const symbol& sym) const {
    const market* m = impl_->find_market(sym);
    if (!m)
        return make_error_code(sim_errc::invalid_symbol);
    top_of_book t;
    t.venue = impl_->config.venue;
    t.sym = sym;
    t.update_id = m->book.update_id();
    t.bid = m->book.best_bid().value_or(book_level{});
    t.ask = m->book.best_ask().value_or(book_level{});
    return t;
}

result<std::vector<trade>> exchange::recent_trades(const symbol& sym, std::size_t limit) const {
    const market* m = impl_->find_market(sym);
    if (!m)
        return make_error_code(sim_errc::invalid_symbol);
    const std::size_t n = std::min(limit, m->recent_trades.size());
    return std::vector<trade>(m->recent_trades.end() - static_cast<std::ptrdiff_t>(n), m->recent_trades.end());
}

result<std::vector<agg_trade>> exchange::agg_trades(const symbol& sym, std::optional<std::uint64_t> from_id,
                                                    std::size_t limit) const {
    const market* m = impl_->find_market(sym);
    if (!m)
        return make_error_code(sim_errc::invalid_symbol);
    const std::vector<agg_trade> all(m->recent_aggs.begin(), m->recent_aggs.end());
    return page(all, from_id, limit, [](const agg_trade& g) { return g.agg_id; });
}

result<ticker_stats> exchange::ticker(const symbol& sym) const {
    const market* m = impl_->find_market(sym);
    if (!m)
        return make_error_code(sim_errc::invalid_symbol);
    return m->ticker;
}

const engine_stats& exchange::stats() const noexcept { return impl_->stats; }

std::vector<order_record> exchange::order_records(std::optional<account_id> acc) const {
    std::vector<order_record> out;
    for (const auto& [idx, id] : impl_->acceptance) {
        const market& m = impl_->markets[idx];
        const auto it = m.orders.find(id);
        if (it == m.orders.end() || (acc && it->second.rec.account != *acc))
            continue;
        out.push_back(it->second.rec);
    }
    return out;
}

std::vector<account_trade> exchange::fills(account_id acc) const {
    const auto it = impl_->fills.find(acc);
    return it == impl_->fills.end() ? std::vector<account_trade>{} : it->second;
}

const std::vector<exchange::rejection>& exchange::rejections() const noexcept { return impl_->rejections; }

} // namespace genesis::sim
