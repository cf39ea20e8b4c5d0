// Recovery: checkpoint restore, journal replay, and reconciliation with the venue.
#include "genesis/gateway/oms/oms.hpp"

#include "snapshot.hpp"

#include <genesis/log/logger.hpp>

#include <algorithm>

namespace genesis::gateway {

struct oms::recon_run {
    std::function<void(result<void>)> done;
    std::size_t queries_pending = 0;
    bool trades_started = false;
    std::size_t trades_pending = 0;
    bool account_requested = false;
    bool account_done = false;
    // Orders we were cancelling that the venue still has open: cancelled again once trading.
    std::vector<client_order_id> cancel_again;
};

bool oms::recon_fetches_trades() const noexcept { return recon_ && !recon_->trades_started; }

void oms::start(std::function<void(result<void>)> done) {
    if (state_ != oms_state::idle) {
        // Once per OMS: a second recovery would reserve and replay again.
        if (done)
            done(make_error_code(oms_errc::not_trading));
        return;
    }
    state_ = oms_state::recovering;
    auto halt = [&](std::string why, error_code ec) {
        state_ = oms_state::halted;
        halt_reason_ = std::move(why);
        if (log_)
            log_->error("OMS halted: {}", halt_reason_);
        if (done)
            done(ec);
    };
    // The first id block is reserved synchronously (start-up, not the order path); later ones
    // are refilled in the background.
    if (auto b = db_.reserve_block(config_.ids.instance, config_.ids.block_size); b)
        ids_.add_block(*b);
    else
        return halt("cannot reserve client order ids: " + b.error().message(), b.error());
    std::uint64_t journal_seq = 0;
    if (auto r = restore_checkpoint(journal_seq); !r)
        return halt("checkpoint restore failed: " + r.error().message(), r.error());
    if (auto r = replay_journal(journal_seq); !r)
        return halt("journal replay failed: " + r.error().message(), r.error());
    rebuild_index();
    restored_ = true;
    begin_reconcile(std::move(done));
}

void oms::reconcile(std::function<void(result<void>)> done) {
    if (recon_) {
        if (done)
            done(make_error_code(oms_errc::not_trading));
        return;
    }
    begin_reconcile(std::move(done));
}

result<void> oms::restore_checkpoint(std::uint64_t& journal_seq) {
    auto rep = db_.restore();
    if (!rep)
        return rep.error();
    for (const auto& v : rep->replicas)
        if (log_)
            log_->info("restore replica {} {}: {}", v.index, v.path.string(), v.reason);
    if (!rep->state) {
        journal_seq = 0;
        return {};
    }
    auto snap = detail::decode_snapshot(rep->state->sections);
    if (!snap)
        return snap.error();
    journal_seq = rep->state->journal_seq;
    const auto now = clock_.now();
    for (auto& o : snap->orders) {
        // The previous process's monotonic times mean nothing here: ages count from now.
        o.sent_at = now;
        const auto id = o.intent.client_id;
        orders_[id] = std::move(o);
    }
    for (const auto& p : snap->positions)
        ledger_.set_position(p);
    for (const auto& [a, v] : snap->balances)
        ledger_.set_balance(a, v);
    fill_ids_ = std::move(snap->fill_ids);
    if (log_)
        log_->info("restored checkpoint {} (journal seq {}): {} open orders, {} positions", rep->state->seq,
                   journal_seq, orders_.size(), ledger_.positions().size());
    return {};
}

result<void> oms::replay_journal(std::uint64_t after_seq) {
    auto rows = db_.replay(after_seq);
    if (!rows)
        return rows.error();
    const auto now = clock_.now();
    for (const auto& e : *rows) {
        if (const auto* in = std::get_if<db::intent_row>(&e)) {
            if (orders_.contains(in->intent.client_id))
                continue;
            tracked_order o;
            o.intent = in->intent;
            o.instance = in->instance;
            o.status = order_status::pending_new;
            o.sent_at = now;
            orders_[in->intent.client_id] = std::move(o);
        } else if (const auto* tr = std::get_if<db::transition_row>(&e)) {
            const auto& t = tr->transition;
            auto it = orders_.find(t.client_id);
            if (it == orders_.end()) {
                // An order that was final at the checkpoint: nothing left to track.
                if (log_)
                    log_->debug("replay: transition of untracked order {}", t.client_id.view());
                continue;
            }
            // The journal holds what was applied (checked, or taken from the venue): take it as is.
            auto& o = it->second;
            o.status = t.status;
            if (t.order_id)
                o.order_id = t.order_id;
            o.cumulative_quantity = t.cumulative_quantity;
            o.cumulative_quote = t.cumulative_quote;
            o.reason = t.reason;
            o.updated = t.time;
        } else if (const auto* fr = std::get_if<db::fill_row>(&e)) {
            const auto& f = fr->fill;
            if (!fill_ids_[f.sym].insert(f.trade_id).second)
                continue;
            if (auto r = ledger_.apply_fill(f); !r)
                ++stats_.ledger_errors;
        } else if (const auto* br = std::get_if<db::balance_row>(&e)) {
            if (auto total = br->value.free.add(br->value.locked))
                ledger_.set_balance(br->value.name, *total);
        }
    }
    if (log_)
        log_->info("replayed {} journal rows after seq {}", rows->size(), after_seq);
    return {};
}

void oms::begin_reconcile(std::function<void(result<void>)> done) {
    state_ = oms_state::recovering;
    recon_ = std::make_shared<recon_run>();
    recon_->done = std::move(done);
    venue_.open_orders(on_thread<std::vector<execution_report>>([this](auto r) { on_open_orders(std::move(r)); }));
}

void oms::on_open_orders(result<std::vector<execution_report>> r) {
    if (!recon_)
        return;
    if (!r)
        return fail_reconcile("open orders: " + r.error().message());
    std::set<client_order_id> seen;
    for (const auto& rep : *r) {
        const auto owner = parse_client_id(rep.client_id.view());
        if (!owner || owner->instance != config_.ids.instance) {
            record(recon_kind::foreign_order, rep.sym, rep.client_id,
                   "open order " + std::to_string(rep.order_id) + " is not ours: left alone");
            continue;
        }
        seen.insert(rep.client_id);
        // A cancel we sent (or were sending) when the gateway stopped, which the venue has not
        // carried out: the order was meant to go.
        if (const auto it = orders_.find(rep.client_id);
            it != orders_.end() && it->second.status == order_status::pending_cancel && is_working(rep.status))
            recon_->cancel_again.push_back(rep.client_id);
        // The venue wins; an unknown one of ours is adopted.
        apply_report(rep, true);
    }
    // Every order of ours that is not final and not open: ask the venue about it.
    std::vector<client_order_id> to_check;
    for (const auto& [id, o] : orders_)
        if (!is_final(o.status) && !seen.contains(id))
            to_check.push_back(id);
    for (const auto& id : to_check) {
        auto& o = orders_.at(id);
        if (o.status == order_status::pending_new || o.status == order_status::unknown) {
            // Sent or maybe sent: the lookup rule decides (found, or never placed).
            mark_unknown(o, "recovery: placement not among the open orders");
            continue;
        }
        ++recon_->queries_pending;
        ++stats_.lookups;
        venue_.query(o.intent.sym, id, on_thread<std::optional<execution_report>>([this, id](auto res) {
                         on_recon_query(id, std::move(res));
                     }));
    }
    if (recon_ && recon_->queries_pending == 0)
        recon_trades();
}

void oms::on_recon_query(const client_order_id& id, result<std::optional<execution_report>> r) {
    if (!recon_)
        return;
    --recon_->queries_pending;
    if (!r)
        return fail_reconcile("query of " + id.str() + ": " + r.error().message());
    auto& o = orders_.at(id);
    if (*r) {
        auto rep = **r;
        rep.client_id = id;
        rep.orig_client_id = {};
        apply_report(rep, true);
    } else {
        record(recon_kind::order_not_found, o.intent.sym, id,
               std::string("venue does not know this ") + std::string(to_string(o.status)) + " order: set EXPIRED");
        o.flagged = true;
        flagged_.insert(id);
        set_status(o, order_status::expired, "venue does not know the order (reconciliation)");
        notify(o, nullptr);
    }
    if (recon_->queries_pending == 0)
        recon_trades();
}

// Defined here, next to the reconciliation whose trades_pending it counts down.
void oms::fetch_trades(const symbol& sym, std::uint64_t from, bool recon, std::uint64_t pin, std::uint64_t chain_last) {
    venue_.my_trades(
        sym, from,
        on_thread<std::vector<db::fill_record>>(
            [this, sym, recon, pin, chain_last](result<std::vector<db::fill_record>> r) mutable {
                if (!r) {
                    if (log_)
                        log_->warn("my_trades {} failed: {}", sym.view(), r.error().message());
                    if (recon) {
                        if (recon_ && recon_->trades_pending > 0)
                            --recon_->trades_pending;
                        if (recon_)
                            fail_reconcile("trades of " + sym.str() + ": " + r.error().message());
                        return;
                    }
                    trade_syncs_.erase(sym);
                    trade_sync_again_.insert(sym); // retried by on_tick
                    return;
                }
                if (const auto unmatched = apply_trades(sym, *r); unmatched != 0 && (pin == 0 || unmatched < pin))
                    pin = unmatched;
                std::uint64_t last = 0;
                for (const auto& f : *r)
                    last = std::max(last, f.trade_id);
                chain_last = std::max(chain_last, last);
                if (r->size() >= my_trades_page && last != 0) {
                    fetch_trades(sym, last + 1, recon, pin, chain_last); // a full page: there may be more
                    return;
                }
                // Reconciliation: trades of orders we do not know are looked up by order
                // id first (a placement whose intent died with a crash, filled before the
                // restart: no open order shows it), then fetched again from the first of
                // them, which now match. (Live, such a trade is one whose placement's
                // answer has not arrived yet: the pin below waits for it.)
                if (recon && pin != 0 &&
                    lookup_unmatched(sym, [this, sym, recon, pin] { fetch_trades(sym, pin, recon, 0, 0); }))
                    return;
                // Complete: every trade up to here is known, except from an unmatched one on (its
                // order's id comes with the placement's answer: the next sync starts there again).
                const std::uint64_t through = pin != 0 ? pin - 1 : chain_last;
                if (through != 0)
                    synced_through_[sym] = std::max(synced_through_[sym], through);
                if (recon) {
                    if (recon_ && recon_->trades_pending > 0)
                        --recon_->trades_pending;
                    if (recon_)
                        maybe_finish_reconcile();
                    return;
                }
                trade_syncs_.erase(sym);
                if (trade_sync_again_.erase(sym))
                    do_sync_trades(sym);
            }));
}

void oms::recon_trades() {
    recon_->trades_started = true;
    std::set<symbol> syms;
    for (const auto& [id, o] : orders_)
        if (o.order_id)
            syms.insert(o.intent.sym);
    for (const auto& s : config_.symbols)
        if (!fill_ids_[s.sym].empty())
            syms.insert(s.sym);
    recon_->trades_pending = syms.size();
    for (const auto& sym : syms)
        fetch_trades(sym, trades_from(sym), true);
    maybe_finish_reconcile();
}

void oms::maybe_finish_reconcile() {
    if (!recon_ || !recon_->trades_started || recon_->trades_pending > 0 || recon_->queries_pending > 0)
        return;
    if (!recon_->account_requested) {
        // Balances last: the missed fills above have moved them.
        recon_->account_requested = true;
        venue_.account(on_thread<std::vector<balance>>([this](auto res) { on_recon_account(std::move(res)); }));
        return;
    }
    if (!recon_->account_done || !unresolved_.empty())
        return;
    auto run = std::move(recon_);
    recon_.reset();
    ++stats_.reconciliations;
    state_ = oms_state::trading;
    halt_reason_.clear();
    if (log_)
        log_->info("reconciliation complete: trading ({} orders tracked)", orders_.size());
    // cancel() refuses one that has ended since (filled, or cancelled by the venue): nothing to do then.
    for (const auto& id : run->cancel_again)
        if (cancel(id) && log_)
            log_->warn("client_id={} was being cancelled when the gateway stopped and is still open on the venue: "
                       "cancel sent again",
                       id.view());
    if (run->done)
        run->done(result<void>{});
}

void oms::on_recon_account(result<std::vector<balance>> r) {
    if (!recon_)
        return;
    if (!r)
        return fail_reconcile("account: " + r.error().message());
    account_update u;
    u.venue = config_.venue;
    u.balances = std::move(*r);
    u.event_time = clock_.wall();
    on_account_update(u);
    recon_->account_done = true;
    maybe_finish_reconcile();
}

void oms::fail_reconcile(std::string reason) {
    auto run = std::move(recon_);
    recon_.reset();
    state_ = oms_state::halted;
    halt_reason_ = "reconciliation failed: " + reason + " (new intents refused; call reconcile() to retry)";
    if (log_)
        log_->error("{}", halt_reason_);
    if (run && run->done)
        run->done(make_error_code(oms_errc::venue_failure));
}

} // namespace genesis::gateway
