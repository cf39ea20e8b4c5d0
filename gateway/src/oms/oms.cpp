// The running OMS: the order path, execution reports, lookups of unknown placements, fills.
#include "genesis/gateway/oms/oms.hpp"

#include "snapshot.hpp"

#include <genesis/log/logger.hpp>

#include <stdexcept>

namespace genesis::gateway {

std::string_view to_string(oms_state s) noexcept {
    switch (s) {
    case oms_state::idle: return "idle";
    case oms_state::recovering: return "recovering";
    case oms_state::trading: return "trading";
    case oms_state::halted: return "halted";
    }
    return "?";
}

std::string_view to_string(recon_kind k) noexcept {
    switch (k) {
    case recon_kind::adopted_order: return "adopted_order";
    case recon_kind::order_mismatch: return "order_mismatch";
    case recon_kind::order_not_found: return "order_not_found";
    case recon_kind::never_placed: return "never_placed";
    case recon_kind::foreign_order: return "foreign_order";
    case recon_kind::missed_fill: return "missed_fill";
    case recon_kind::balance_mismatch: return "balance_mismatch";
    }
    return "?";
}

namespace {

const genesis::clock& require_clock(const oms_deps& d) {
    if (!d.clk || !d.db || !d.venue || !d.post)
        throw std::invalid_argument("oms: clock, database, venue and post are required");
    return *d.clk;
}

} // namespace

oms::oms(oms_config config, oms_deps deps)
        : config_(std::move(config)), clock_(require_clock(deps)), db_(*deps.db), venue_(*deps.venue),
          post_(std::move(deps.post)), log_(std::move(deps.log)), on_update_(std::move(deps.on_update)),
          ids_(config_.ids,
               deps.reserve ? std::move(deps.reserve) : client_id_source::reserver([this](std::uint64_t n, auto done) {
                   reserve_async(n, std::move(done));
               })) {
    if (!valid_instance_id(config_.ids.instance))
        throw std::invalid_argument("oms: [gateway] instance_id must be 1-8 characters [A-Za-z0-9]");
    ledger_.set_assets(config_.symbols);
}

oms::~oms() {
    // Every journal completion captures this: let the queued rows commit and their completions
    // run before the members go (they post to the processing thread, which checks anchor_).
    (void)db_.flush();
    anchor_.reset();
    if (refill_thread_.joinable())
        refill_thread_.join();
}

void oms::reserve_async(std::uint64_t size, std::function<void(result<db::id_block>)> done) {
    // reserve_block commits with synchronous=FULL: run it off the processing thread.
    if (refill_thread_.joinable())
        refill_thread_.join(); // the previous refill already posted its result
    auto cb = on_thread<db::id_block>(std::move(done));
    refill_thread_ =
        std::thread([this, size, cb = std::move(cb)] { cb(db_.reserve_block(config_.ids.instance, size)); });
}

void oms::record(recon_kind kind, const symbol& sym, const client_order_id& id, std::string detail) {
    ++stats_.recon[static_cast<std::size_t>(kind)];
    if (log_)
        log_->warn("reconciliation {} symbol={} client_id={}: {}", to_string(kind), sym.view(), id.view(), detail);
    events_.push_back({kind, sym, id, std::move(detail), clock_.wall()});
    while (events_.size() > config_.event_retention)
        events_.pop_front();
}

oms_health oms::health() const {
    oms_health h;
    h.state = state_;
    h.db_healthy = db_.healthy();
    h.open_orders = working_.size();
    h.flagged_orders = flagged_.size();
    h.unknown_orders = unresolved_.size();
    if (!h.db_healthy)
        h.reason = "journal: " + db_.health().reason + "; database unhealthy: new orders refused, cancels allowed";
    else if (state_ == oms_state::idle)
        h.reason = "not started";
    else if (state_ == oms_state::recovering)
        h.reason = "recovering: waiting for reconciliation with the venue";
    else if (state_ == oms_state::halted)
        h.reason = halt_reason_;
    return h;
}

const tracked_order* oms::find(const client_order_id& id) const {
    const auto it = orders_.find(id);
    return it == orders_.end() ? nullptr : &it->second;
}

// ---- order path ----

result<client_order_id> oms::submit(order_intent intent) {
    if (state_ != oms_state::trading || !db_.healthy()) {
        ++stats_.refused;
        const auto h = health();
        if (log_)
            log_->warn("intent refused: {}", h.reason);
        return make_error_code(h.db_healthy ? oms_errc::not_trading : oms_errc::db_unhealthy);
    }
    if (intent.venue.empty())
        intent.venue = config_.venue;
    const bool has_qty = (intent.quantity && intent.quantity->is_positive()) ||
                         (intent.quote_quantity && intent.quote_quantity->is_positive());
    const bool price_ok = !has_limit_price(intent.type) || (intent.price && intent.price->is_positive());
    if (intent.venue != config_.venue || intent.sym.empty() || !has_qty || !price_ok) {
        ++stats_.refused;
        return make_error_code(oms_errc::invalid_intent);
    }
    auto id = ids_.next();
    if (!id) {
        ++stats_.refused;
        if (log_)
            log_->error("intent refused: no client order id left (refill pending={})", ids_.refill_pending());
        return id.error();
    }
    intent.client_id = *id;
    if (intent.created.ns == 0)
        intent.created = clock_.wall();

    tracked_order o;
    o.intent = intent;
    o.instance = config_.ids.instance;
    o.status = order_status::pending_new;
    o.sent_at = clock_.now();
    o.updated = clock_.wall();
    auto& stored = orders_.emplace(*id, std::move(o)).first->second;
    index(stored);

    // Journal first: the intent is queued on the DB thread before the venue sees the request;
    // the next group commit makes it durable (no flush on this path).
    journal_intent(stored);
    journal_transition(stored, nullptr);
    ++stats_.submitted;
    // Debug, not info: the journal holds every intent, and at info this line (the async logger's
    // enqueue and the wake of its thread) added ~90 us to the gateway's mean tick-to-order.
    if (log_)
        log_->debug("place client_id={} symbol={} side={} type={}", id->view(), intent.sym.view(),
                    to_string(intent.order_side), to_string(intent.type));
    const auto cid = *id;
    venue_.place(
        intent, on_thread<execution_report>([this, cid](result<execution_report> r) { on_placed(cid, std::move(r)); }));
    return *id;
}

void oms::journal_intent(const tracked_order& o) {
    // [this] only: a closure this small lives inside the std::function (no allocation per row);
    // ~oms() flushes the database first, so no completion outlives the OMS.
    db_.append_intent(o.instance.empty() ? config_.ids.instance : o.instance, o.intent,
                      [this](result<std::uint64_t> r) {
                          if (!r)
                              journal_failed("intent", r.error());
                      });
}

void oms::journal_failed(const char* what, error_code ec) {
    // On the db thread: count and log it on the processing thread.
    post_([this, weak = std::weak_ptr<int>(anchor_), what, ec] {
        if (!weak.lock())
            return;
        ++stats_.journal_errors;
        if (log_)
            log_->error("journal {} failed: {}", what, ec.message());
    });
}

void oms::journal_transition(const tracked_order& o, const execution_report* r) {
    db::order_transition t;
    if (r) {
        t = db::order_transition::from(*r);
        t.client_id = o.intent.client_id;
        t.status = o.status;
    } else {
        t.venue = o.intent.venue;
        t.sym = o.intent.sym;
        t.client_id = o.intent.client_id;
        t.order_id = o.order_id;
        t.status = o.status;
        t.exec_type = execution_type::new_;
        t.cumulative_quantity = o.cumulative_quantity;
        t.cumulative_quote = o.cumulative_quote;
        t.reason = o.reason;
        t.time = clock_.wall();
    }
    db_.append_transition(t, [this](result<std::uint64_t> res) {
        if (!res)
            journal_failed("transition", res.error());
    });
}

void oms::index(tracked_order& o) {
    const auto& id = o.intent.client_id;
    if (!is_final(o.status)) {
        working_.insert(id);
        return;
    }
    working_.erase(id);
    if (o.retained)
        return; // already in finals_
    o.retained = true;
    finals_.push_back(id);
    while (finals_.size() > config_.final_order_retention) {
        const auto old = finals_.front();
        finals_.pop_front();
        const auto it = orders_.find(old);
        if (it == orders_.end() || !is_final(it->second.status) || it->second.lookup_in_flight ||
            verifying_.contains(old))
            continue;
        orders_.erase(it);
        forgotten_.insert(old);
        forgotten_order_.push_back(old);
        while (forgotten_order_.size() > 4 * config_.final_order_retention + 1) {
            forgotten_.erase(forgotten_order_.front());
            forgotten_order_.pop_front();
        }
    }
}

void oms::rebuild_index() {
    working_.clear();
    flagged_.clear();
    finals_.clear();
    for (auto& [id, o] : orders_) {
        o.retained = is_final(o.status);
        if (!o.retained)
            working_.insert(id);
        else
            finals_.push_back(id);
        if (o.flagged)
            flagged_.insert(id);
    }
}

void oms::set_status(tracked_order& o, order_status s, std::string reason) {
    o.status = s;
    o.reason = std::move(reason);
    o.updated = clock_.wall();
    index(o);
    if (s != order_status::unknown)
        unresolved_.erase(o.intent.client_id);
    journal_transition(o, nullptr);
}

void oms::notify(const tracked_order& o, const execution_report* r) {
    if (!on_update_)
        return;
    if (!r)
        return on_update_(state_report(o));
    execution_report e = *r;
    e.venue = o.intent.venue;
    e.sym = o.intent.sym;
    e.client_id = o.intent.client_id;
    e.orig_client_id = {};
    e.status = o.status;
    e.cumulative_quantity = o.cumulative_quantity;
    e.cumulative_quote = o.cumulative_quote;
    on_update_(e);
}

void oms::on_placed(const client_order_id& id, result<execution_report> r) {
    auto it = orders_.find(id);
    if (it == orders_.end())
        return;
    auto& o = it->second;
    if (r) {
        auto rep = *r;
        rep.client_id = id;
        const bool changed = apply_report(rep, false);
        // A refusal in the answer never comes on the user stream.
        if (rep.status == order_status::rejected) {
            ++stats_.rejected;
            if (changed)
                notify(it->second, &rep);
        }
        return;
    }
    if (o.status != order_status::pending_new)
        return; // the user data stream was faster
    if (classify_placement_error(r.error()) == placement_failure::not_sent) {
        ++stats_.rejected;
        o.never_sent = true;
        if (log_)
            log_->warn("place client_id={} not sent: {}", id.view(), r.error().message());
        set_status(o, order_status::rejected, "not sent: " + r.error().message());
        notify(o, nullptr);
        return;
    }
    // The answer was lost: never resend; look the order up by its client order id first.
    ++stats_.unknown_outcomes;
    mark_unknown(o, "placement outcome unknown: " + r.error().message());
}

tracked_order& oms::adopt(const execution_report& r, const parsed_client_id& owner) {
    tracked_order o;
    auto& in = o.intent;
    in.venue = r.venue.empty() ? config_.venue : r.venue;
    in.sym = r.sym;
    in.client_id = r.client_id;
    in.order_side = r.order_side;
    in.type = r.type;
    in.tif = r.tif;
    if (!r.price.is_zero())
        in.price = r.price;
    if (!r.quantity.is_zero())
        in.quantity = r.quantity;
    if (!r.stop_price.is_zero())
        in.stop_price = r.stop_price;
    in.created = r.order_creation_time.ns ? r.order_creation_time : clock_.wall();
    o.instance = owner.instance;
    o.adopted = true;
    o.status = order_status::pending_new;
    o.order_id = r.order_id;
    o.updated = clock_.wall();
    auto& stored = orders_.emplace(r.client_id, std::move(o)).first->second;
    index(stored);
    // Journal the adopted intent, so that a replay knows the order.
    journal_intent(stored);
    record(recon_kind::adopted_order, r.sym, r.client_id,
           "order " + std::to_string(r.order_id) + " on the venue, intent never journaled");
    return stored;
}

bool oms::apply_report(const execution_report& r, bool exchange_wins) {
    // A trade already applied is a repeated (or stale) report: nothing in it is new.
    if (r.exec_type == execution_type::trade && r.trade_id) {
        if (const auto f = fill_ids_.find(r.sym); f != fill_ids_.end() && f->second.contains(*r.trade_id)) {
            ++stats_.duplicate_fills;
            return false;
        }
    }
    // A cancel's report names the canceled order in orig_client_id.
    auto it = r.orig_client_id.empty() ? orders_.end() : orders_.find(r.orig_client_id);
    if (it == orders_.end())
        it = orders_.find(r.client_id);
    if (it == orders_.end() && (forgotten_.contains(r.client_id) || forgotten_.contains(r.orig_client_id))) {
        ++stats_.stale_reports; // final long ago and forgotten (final_order_retention)
        return false;
    }
    if (it == orders_.end()) {
        const auto owner = parse_client_id(r.client_id.view());
        if (!owner || owner->instance != config_.ids.instance) {
            ++stats_.foreign_reports;
            return false;
        }
        it = orders_.find(adopt(r, *owner).intent.client_id);
    }
    auto& o = it->second;
    const auto check = check_update(o, r.status, r.cumulative_quantity);
    bool changed = false;
    // Two channels report the same order (the placement's answer and the user stream): the
    // stream's NEW often arrives after the answer said FILLED. A report that is not newer than the
    // state we hold, carries no more fill and would move the order backwards is such a stale
    // copy; the venue moves an order forward only, so it is ignored, not flagged.
    if (check.verdict == transition_verdict::invalid && r.transaction_time.ns != 0 && o.venue_time.ns != 0 &&
        r.transaction_time <= o.venue_time && r.cumulative_quantity <= o.cumulative_quantity &&
        (check.problem == anomaly_kind::status_backwards || check.problem == anomaly_kind::after_final ||
         check.problem == anomaly_kind::cumulative_decrease)) {
        ++stats_.stale_reports;
        if (log_)
            log_->debug("stale report ignored client_id={} {} cum {} (we have {} cum {})", o.intent.client_id.view(),
                        to_string(r.status), r.cumulative_quantity.to_string(), to_string(o.status),
                        o.cumulative_quantity.to_string());
        return false;
    }
    if (check.verdict == transition_verdict::invalid) {
        ++stats_.invalid_transitions;
        o.flagged = true;
        flagged_.insert(o.intent.client_id);
        o.anomalies.push_back(
            {*check.problem, o.status, r.status, o.cumulative_quantity, r.cumulative_quantity, clock_.wall()});
        if (log_)
            log_->error("impossible update refused client_id={} {} -> {} cum {} -> {} ({})", o.intent.client_id.view(),
                        to_string(o.status), to_string(r.status), o.cumulative_quantity.to_string(),
                        r.cumulative_quantity.to_string(), to_string(*check.problem));
        if (!exchange_wins) {
            // Ask the venue for the truth (it wins); a real trade comes back through my_trades.
            do_verify(o);
            return false;
        }
        record(recon_kind::order_mismatch, o.intent.sym, o.intent.client_id,
               std::string("venue says ") + std::string(to_string(r.status)) + " cum " +
                   r.cumulative_quantity.to_string() + ", we had " + std::string(to_string(o.status)) + " cum " +
                   o.cumulative_quantity.to_string());
        changed = true;
    } else if (check.verdict == transition_verdict::apply) {
        changed = true;
        if (exchange_wins && (r.status != o.status || r.cumulative_quantity != o.cumulative_quantity) &&
            o.status != order_status::unknown && o.status != order_status::pending_new && !o.adopted)
            record(recon_kind::order_mismatch, o.intent.sym, o.intent.client_id,
                   std::string("venue says ") + std::string(to_string(r.status)) + " cum " +
                       r.cumulative_quantity.to_string() + ", we had " + std::string(to_string(o.status)) + " cum " +
                       o.cumulative_quantity.to_string());
    }
    if (changed) {
        const bool more_filled = r.cumulative_quantity > o.cumulative_quantity;
        o.status = r.status;
        if (r.order_id)
            o.order_id = r.order_id;
        o.cumulative_quantity = r.cumulative_quantity;
        o.cumulative_quote = r.cumulative_quote;
        o.reason = r.reject_reason == "NONE" ? std::string{} : r.reject_reason;
        o.updated = clock_.wall();
        if (r.transaction_time > o.venue_time)
            o.venue_time = r.transaction_time;
        index(o);
        if (o.status != order_status::unknown)
            unresolved_.erase(o.intent.client_id);
        journal_transition(o, &r);
        // A change learnt from a query: the user stream may never report it.
        if (exchange_wins)
            notify(o, &r);
        // A filled quantity without its trade (order answers, lookups) is fetched from my_trades.
        if (more_filled && !(r.exec_type == execution_type::trade && r.trade_id) && !recon_fetches_trades())
            do_sync_trades(o.intent.sym);
    }
    if (r.exec_type == execution_type::trade && r.trade_id && check.verdict != transition_verdict::invalid) {
        auto f = db::fill_record::from(r);
        if (f) {
            f->client_id = o.intent.client_id;
            apply_fill(*f, false);
        }
    }
    return changed;
}

void oms::apply_fill(const db::fill_record& f, bool reconciling) {
    auto& ids = fill_ids_[f.sym];
    if (!ids.insert(f.trade_id).second) {
        ++stats_.duplicate_fills;
        return;
    }
    if (auto r = ledger_.apply_fill(f); !r) {
        ++stats_.ledger_errors;
        if (log_)
            log_->error("fill {} {} not applied to the ledger: {}", f.sym.view(), f.trade_id, r.error().message());
    }
    ++stats_.fills;
    if (reconciling)
        record(recon_kind::missed_fill, f.sym, f.client_id,
               "trade " + std::to_string(f.trade_id) + " " + f.quantity.to_string() + " @ " + f.price.to_string());
    db_.append_fill(f, [this, post = post_, weak = std::weak_ptr<int>(anchor_), sym = f.sym,
                        tid = f.trade_id](result<db::fill_outcome> r) {
        if (r && !r->duplicate)
            return;
        post([this, weak, sym, tid, r] {
            if (!weak.lock())
                return;
            if (!r) {
                ++stats_.journal_errors;
                if (log_)
                    log_->error("journal fill {} {} failed: {}", sym.view(), tid, r.error().message());
            } else if (log_) {
                log_->warn("fill {} {} was already journaled before this session's memory of it", sym.view(), tid);
            }
        });
    });
}

result<void> oms::cancel(const client_order_id& id) {
    auto it = orders_.find(id);
    if (it == orders_.end())
        return make_error_code(oms_errc::unknown_order);
    auto& o = it->second;
    if (!is_working(o.status))
        return make_error_code(oms_errc::not_cancelable);
    // A cancel only reduces risk: it goes out even when the journal cannot be written (its
    // outcome is then recovered from the venue by reconciliation after a restart).
    if (!db_.healthy() && log_)
        log_->warn("cancel client_id={} sent although the journal is failing: {}", id.view(), db_.health().reason);
    cancel_intent c;
    c.venue = o.intent.venue;
    c.sym = o.intent.sym;
    c.orig_client_id = id;
    if (o.order_id)
        c.order_id = o.order_id;
    c.created = clock_.wall();
    set_status(o, order_status::pending_cancel, {});
    venue_.cancel(
        c, on_thread<execution_report>([this, id](result<execution_report> r) { on_cancel_answer(id, std::move(r)); }));
    return {};
}

void oms::on_cancel_answer(const client_order_id& id, result<execution_report> r) {
    auto it = orders_.find(id);
    if (it == orders_.end())
        return;
    if (r) {
        auto rep = *r;
        rep.orig_client_id = id;
        apply_report(rep, false);
        return;
    }
    if (log_)
        log_->warn("cancel client_id={} failed: {}", id.view(), r.error().message());
    // Refused or lost: the order's real state decides (the venue wins).
    do_verify(it->second);
}

void oms::on_execution_report(const execution_report& r) { apply_report(r, false); }

void oms::on_account_update(const account_update& u) {
    for (const auto& d : ledger_.compare(u.balances)) {
        // An asset we hold no balance of yet (a fresh state's first account answer): nothing to
        // disagree with, the venue's is taken.
        if (!d.ours) {
            if (log_)
                log_->info("balance {}: {} (first seen)", d.name.view(), d.exchange.to_string());
            continue;
        }
        record(recon_kind::balance_mismatch, {}, {},
               std::string(d.name.view()) + ": ours " + d.ours->to_string() + ", venue " + d.exchange.to_string());
    }
    for (const auto& b : u.balances) {
        if (auto total = b.free.add(b.locked))
            ledger_.set_balance(b.name, *total);
        db_.append_balance(u.venue, b, u.event_time.ns ? u.event_time : clock_.wall());
    }
}

// ---- unknown outcomes ----

void oms::mark_unknown(tracked_order& o, std::string reason) {
    if (log_)
        log_->warn("client_id={} UNKNOWN: {}; looking it up before anything else is sent", o.intent.client_id.view(),
                   reason);
    o.lookups = 0;
    o.not_found = 0;
    o.unknown_since = clock_.now();
    o.next_lookup = clock_.now();
    set_status(o, order_status::unknown, std::move(reason));
    unresolved_.insert(o.intent.client_id);
    do_lookup(o);
}

void oms::do_lookup(tracked_order& o) {
    if (o.lookup_in_flight)
        return;
    o.lookup_in_flight = true;
    ++stats_.lookups;
    const auto id = o.intent.client_id;
    venue_.query(o.intent.sym, id,
                 on_thread<std::optional<execution_report>>(
                     [this, id](result<std::optional<execution_report>> r) { on_lookup(id, std::move(r)); }));
}

void oms::on_lookup(const client_order_id& id, result<std::optional<execution_report>> r) {
    auto it = orders_.find(id);
    if (it == orders_.end())
        return;
    auto& o = it->second;
    o.lookup_in_flight = false;
    if (o.status != order_status::unknown) {
        // Resolved meanwhile (user data stream); a found answer may still carry news.
        if (r && *r)
            apply_report(**r, true);
        return;
    }
    const auto now = clock_.now();
    if (!r) {
        // No answer: proves nothing. Try again later.
        ++stats_.lookup_failures;
        o.next_lookup = now + config_.lookup_interval;
        return;
    }
    ++o.lookups;
    if (*r) {
        ++stats_.resolved_found;
        if (log_)
            log_->info("client_id={} found on the venue: {} order_id={}", id.view(), to_string((*r)->status),
                       (*r)->order_id);
        auto rep = **r;
        rep.client_id = id;
        apply_report(rep, true);
        if (recon_)
            maybe_finish_reconcile();
        return;
    }
    ++o.not_found;
    // Binance may take a moment to make a new order visible: "does not exist" counts only when
    // it is repeated and the placement is old enough.
    const bool old_enough = now - o.sent_at >= config_.lookup_min_age;
    if (o.not_found >= config_.lookup_min_not_found && old_enough) {
        ++stats_.resolved_not_found;
        o.never_sent = true;
        const auto why = "never placed: order does not exist after " + std::to_string(o.not_found) + " lookups";
        if (recon_)
            record(recon_kind::never_placed, o.intent.sym, id, why);
        else if (log_)
            log_->warn("client_id={} {}", id.view(), why);
        set_status(o, order_status::rejected, why);
        notify(o, nullptr);
        if (recon_)
            maybe_finish_reconcile();
        return;
    }
    o.next_lookup = now + config_.lookup_interval;
}

void oms::do_verify(tracked_order& o) {
    const auto id = o.intent.client_id;
    if (!verifying_.insert(id).second)
        return;
    ++stats_.lookups;
    venue_.query(o.intent.sym, id,
                 on_thread<std::optional<execution_report>>([this, id](result<std::optional<execution_report>> r) {
                     verifying_.erase(id);
                     auto it = orders_.find(id);
                     if (it == orders_.end())
                         return;
                     if (!r) {
                         ++stats_.lookup_failures;
                         return;
                     }
                     if (*r) {
                         auto rep = **r;
                         rep.client_id = id;
                         rep.orig_client_id = {};
                         apply_report(rep, true);
                     }
                 }));
}

void oms::do_sync_trades(const symbol& sym) {
    if (!trade_syncs_.insert(sym).second) {
        trade_sync_again_.insert(sym); // the one in flight may have been answered before this fill
        return;
    }
    fetch_trades(sym, trades_from(sym), false);
}

// A sync starts after the last complete fetch of this process (trade ids only grow: nothing at or
// below it can appear later); the first one after a start, from the oldest trade id still
// remembered, so that nothing since the checkpoint is skipped.
std::uint64_t oms::trades_from(const symbol& sym) const {
    if (const auto it = synced_through_.find(sym); it != synced_through_.end())
        return it->second + 1;
    const auto it = fill_ids_.find(sym);
    return it == fill_ids_.end() || it->second.empty() ? 0 : *it->second.begin();
}

std::uint64_t oms::apply_trades(const symbol& sym, const std::vector<db::fill_record>& trades) {
    // Only trades of our orders count; a trade id seen before is a duplicate.
    std::unordered_map<std::uint64_t, const tracked_order*> by_order_id;
    for (const auto& [id, o] : orders_)
        if (o.order_id && o.intent.sym == sym)
            by_order_id[o.order_id] = &o;
    std::uint64_t unmatched = 0;
    const auto& known = fill_ids_[sym];
    for (auto f : trades) {
        // Known first: a sync after a restart fetches trades of orders that ended before the
        // checkpoint (which no longer holds them); they are ours and applied, not unknown orders.
        if (known.contains(f.trade_id)) {
            ++stats_.duplicate_fills;
            continue;
        }
        const auto it = by_order_id.find(f.order_id);
        if (it == by_order_id.end()) {
            if (unmatched == 0 || f.trade_id < unmatched)
                unmatched = f.trade_id;
            if (f.order_id != 0 && recon_) // looked up by reconciliation (lookup_unmatched)
                unmatched_orders_[sym].insert(f.order_id);
            continue;
        }
        f.client_id = it->second->intent.client_id;
        f.order_side = it->second->intent.order_side;
        if (f.venue.empty())
            f.venue = it->second->intent.venue;
        apply_fill(f, recon_ != nullptr);
    }
    return unmatched;
}

bool oms::lookup_unmatched(const symbol& sym, std::function<void()> then) {
    std::vector<std::uint64_t> ids;
    if (auto it = unmatched_orders_.find(sym); it != unmatched_orders_.end()) {
        for (const auto oid : it->second)
            if (order_id_lookups_.insert(oid).second)
                ids.push_back(oid);
        unmatched_orders_.erase(it);
    }
    if (ids.empty())
        return false;
    auto left = std::make_shared<std::size_t>(ids.size());
    auto done = std::make_shared<std::function<void()>>(std::move(then));
    for (const auto oid : ids) {
        ++stats_.lookups;
        venue_.query_order_id(sym, oid,
                              on_thread<std::optional<execution_report>>(
                                  [this, oid, left, done](result<std::optional<execution_report>> r) {
                                      if (!r) {
                                          // Not asked again in this process (a loop on a venue that cannot answer); its
                                          // trades stay unsynced from there on, so the next start looks it up again.
                                          ++stats_.lookup_failures;
                                          if (log_)
                                              log_->warn("trade of unknown order {}: lookup by order id failed: {}",
                                                         oid, r.error().message());
                                      } else if (*r && !(*r)->client_id.empty()) {
                                          // Ours (parse_client_id): adopted with its intent journaled; a foreign one is
                                          // counted.
                                          if (log_)
                                              log_->warn("trade of unknown order {} ({}): looked up, {}", oid,
                                                         (*r)->client_id.view(), to_string((*r)->status));
                                          auto rep = **r;
                                          rep.orig_client_id = {};
                                          apply_report(rep, true);
                                      }
                                      if (--*left == 0)
                                          (*done)();
                                  }));
    }
    return true;
}

void oms::on_tick() {
    const bool healthy = db_.healthy();
    if (healthy != db_was_healthy_) {
        db_was_healthy_ = healthy;
        if (!healthy && log_)
            log_->error("journal failure, database unhealthy: refusing new orders (cancels allowed): {}",
                        db_.health().reason);
    }
    // Trade syncs that failed (or were asked for while one ran) go again.
    if (!recon_)
        for (const auto& sym : std::vector<symbol>(trade_sync_again_.begin(), trade_sync_again_.end()))
            if (!trade_syncs_.contains(sym)) {
                trade_sync_again_.erase(sym);
                do_sync_trades(sym);
            }
    const auto now = clock_.now();
    for (const auto& id : std::vector<client_order_id>(unresolved_.begin(), unresolved_.end())) {
        auto it = orders_.find(id);
        if (it == orders_.end())
            continue;
        auto& o = it->second;
        if (o.status == order_status::unknown && !o.lookup_in_flight && now >= o.next_lookup)
            do_lookup(o);
    }
}

// ---- checkpoints ----

std::vector<db::section> oms::checkpoint_sections(const std::function<bool(const client_order_id&)>& keep_final) const {
    detail::oms_snapshot s;
    for (const auto& [id, o] : orders_)
        if (!is_final(o.status) || (keep_final && keep_final(id)))
            s.orders.push_back(o);
    for (const auto& [sym, p] : ledger_.positions())
        s.positions.push_back(p);
    s.balances = ledger_.balances();
    for (const auto& [sym, ids] : fill_ids_) {
        auto& kept = s.fill_ids[sym];
        // The newest trade ids (ids grow per symbol on Binance).
        auto it = ids.end();
        for (std::size_t n = 0; n < config_.fill_id_retention && it != ids.begin(); ++n)
            kept.insert(*--it);
    }
    return detail::encode_snapshot(s);
}

void oms::write_checkpoint(db::completion<db::checkpoint_report> done) {
    if (!done)
        done = [](result<db::checkpoint_report>) {};
    db_.write_checkpoint(checkpoint_sections(), std::move(done));
}

} // namespace genesis::gateway
