// gateway_app in mode paper: the fill simulator is the OMS's order_venue, fed on the processing
// thread by the same local books and trades the strategies see. Its execution reports and balance
// updates are queued at P0 exactly as the user data stream's would be. Nothing here can reach the
// exchange's order endpoints: the Binance venue runs market_data_only, the REST client has no
// credentials and the user data feed is never built.
#include "app_impl.hpp"

#include "genesis/db/resilience_state.hpp"
#include "genesis/log/logger.hpp"

#include <algorithm>

namespace genesis::gateway::runtime {

namespace {

constexpr std::string_view paper_section_name = "paper";

// The fill simulator's view of one local book.
class local_book_view final : public paper::book_view {
    const binance::local_book& book_;

    const binance::book_side& of(side s) const { return s == side::buy ? book_.bids() : book_.asks(); }

public:
    explicit local_book_view(const binance::local_book& b) : book_(b) {}
    bool valid() const override { return book_.is_valid(); }
    std::size_t depth(side s) const override { return of(s).size(); }
    book_level level(side s, std::size_t i) const override { return of(s).level(i); }
    decimal quantity_at(side s, decimal price) const override { return of(s).quantity_at(price); }
};

} // namespace

void gateway_app::impl::paper_create() {
    paper::paper_sink sink;
    sink.on_execution = [this](const execution_report& r) {
        gw_event ev;
        ev.v = r;
        push(resilience::priority::orders, std::move(ev));
    };
    sink.on_account = [this](const account_update& u) {
        gw_event ev;
        ev.v = u;
        push(resilience::priority::orders, std::move(ev));
    };
    paper_sim = std::make_unique<paper::fill_simulator>(cfg.paper, clk, std::move(sink), binance::venue_name);
    log->info("mode paper: orders are filled by the gateway's fill simulator (maker {} bps, taker {} bps); nothing "
              "is sent to the exchange",
              cfg.paper.maker_fee_bps.to_string(), cfg.paper.taker_fee_bps.to_string());
}

void gateway_app::impl::paper_add_symbol(symbol_state& st) {
    st.paper_book = std::make_unique<local_book_view>(*st.book);
    paper_sim->add_symbol(st.rules, st.paper_book.get());
}

// The paper account of the newest valid checkpoint (the OMS restores its own part from the same
// checkpoint): open paper orders, balances, trade history and ids survive a restart.
bool gateway_app::impl::paper_restore(std::string& why) {
    const auto& rep = startup_restore();
    if (!rep) {
        why = "paper account: checkpoint restore: " + rep.error().message();
        return false;
    }
    if (!rep->state) {
        log->info("paper account: no checkpoint, starting from [paper] balances");
        return true;
    }
    const auto& secs = rep->state->sections;
    auto it = std::find_if(secs.begin(), secs.end(), [](const db::section& s) { return s.name == paper_section_name; });
    if (it == secs.end()) {
        log->warn("paper account: checkpoint {} has no paper section, starting from [paper] balances", rep->state->seq);
        return true;
    }
    if (auto r = paper_sim->restore_state(it->text()); !r) {
        why = "paper account in checkpoint " + std::to_string(rep->state->seq) + ": " + r.error().message();
        return false;
    }
    // The OMS journaled every paper report after that checkpoint: replay them into the account, so
    // that it agrees with the OMS's own replay (a cancel or fill after the checkpoint is not lost).
    auto rows = db->replay(rep->state->journal_seq);
    if (!rows) {
        why = "paper account: journal replay: " + rows.error().message();
        return false;
    }
    paper_sim->catch_up(*rows);
    log->info("paper account restored from checkpoint {} and {} journal row(s) after it", rep->state->seq,
              rows->size());
    return true;
}

const result<db::restore_report>& gateway_app::impl::startup_restore() {
    if (!startup_checkpoint)
        startup_checkpoint.emplace(db->restore());
    return *startup_checkpoint;
}

std::vector<resilience::endpoint> gateway_app::impl::breakers() const {
    std::vector<resilience::endpoint> all;
    if (exec)
        all = exec->endpoints();
    if (orders_breaker)
        all.push_back({orders_breaker->name(), orders_breaker});
    return all;
}

std::vector<db::section> gateway_app::impl::checkpoint_sections() const {
    // The final orders a strategy's saved blob may not have the last word on stay in the
    // checkpoint, so that they are restated to it after a restart (the quotes a stop cancelled,
    // the orders placed after its last save).
    auto secs = orders->checkpoint_sections([this](const client_order_id& id) {
        const auto* o = host ? orders->find(id) : nullptr;
        return o && owed_restatement(id, host->view_of(o->intent.strategy_id));
    });
    if (exec) {
        db::resilience_state rs;
        for (const auto& ep : breakers())
            rs.breakers.push_back({ep.name, ep.breaker->persisted()});
        rs.windows = predictor.windows();
        for (auto& s : db::encode_resilience_state(rs))
            secs.push_back(std::move(s));
    }
    if (paper_sim) {
        secs.push_back(db::section::of_text(std::string(paper_section_name), paper_sim->save_state()));
    }
    std::sort(secs.begin(), secs.end(), [](const db::section& a, const db::section& b) { return a.name < b.name; });
    return secs;
}

void gateway_app::impl::resilience_restore() {
    // Older than this, what the breakers and latencies said describes another moment of the venue.
    constexpr auto max_age = std::chrono::minutes{10};
    const auto& rep = startup_restore();
    if (!rep || !rep->state)
        return;
    const auto& cp = *rep->state;
    std::string why;
    auto rs = db::decode_resilience_state(cp.sections, &why);
    if (!rs) {
        log->warn("resilience state in checkpoint {} not taken: {}", cp.seq, why);
        return;
    }
    if (rs->breakers.empty() && rs->windows.empty())
        return;
    const nanos age = clk.wall() - cp.created;
    if (age > max_age || age < nanos{0}) {
        log->info("resilience state in checkpoint {} not taken: written {} s ago", cp.seq,
                  std::chrono::duration_cast<std::chrono::seconds>(age).count());
        return;
    }
    std::string taken;
    for (const auto& ep : breakers()) {
        auto it = std::find_if(rs->breakers.begin(), rs->breakers.end(),
                               [&](const db::named_breaker_state& b) { return b.name == ep.name; });
        if (it == rs->breakers.end())
            continue;
        ep.breaker->restore(it->state, age);
        taken += (taken.empty() ? "" : ", ") + ep.name + " " + std::string(resilience::to_string(ep.breaker->state()));
    }
    std::size_t samples = 0;
    for (const auto& w : rs->windows)
        samples += w.samples.size();
    predictor.load(rs->windows);
    log->info("resilience state from checkpoint {} ({} ms old): breakers [{}], {} latency window(s) with {} sample(s)",
              cp.seq, std::chrono::duration_cast<std::chrono::milliseconds>(age).count(), taken, rs->windows.size(),
              samples);
}

} // namespace genesis::gateway::runtime
