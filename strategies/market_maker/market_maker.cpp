// Market maker: two-sided quotes around the mid, skewed against the inventory, requoted when the
// mid moves more than requote_bps, pulled when the book is invalid or stale. Sees only api.h.
#include <genesis/strategy/api.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace gs = genesis::strategy;

__extension__ typedef __int128 i128;

constexpr std::int64_t one = GENESIS_FIXED_ONE;

// Largest multiple of step at or below v (step > 0).
std::int64_t round_down(std::int64_t v, std::int64_t step) {
    const std::int64_t r = v % step;
    return r < 0 ? v - r - step : v - r;
}
// Smallest multiple of step at or above v (step > 0).
std::int64_t round_up(std::int64_t v, std::int64_t step) {
    const std::int64_t d = round_down(v, step);
    return d == v ? v : d + step;
}
// Fixed-point text for logs ("1.5", "-0.25").
std::string text(std::int64_t v) {
    const bool neg = v < 0;
    const std::uint64_t a = neg ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
    std::string s = std::to_string(a / one);
    std::string frac = std::to_string(a % one + one).substr(1);
    while (!frac.empty() && frac.back() == '0')
        frac.pop_back();
    if (!frac.empty())
        s += "." + frac;
    return neg ? "-" + s : s;
}

struct working_order {
    std::string id;
    int side = GENESIS_BUY;
    std::int64_t price = 0;
    std::int64_t quantity = 0;
    std::int64_t filled = 0;
    bool canceling = false;
};

class market_maker {
    gs::host_ref host_;
    std::string symbol_;
    std::int64_t quote_qty_;
    std::int64_t spread_bps_;
    std::int64_t skew_bps_;
    std::int64_t max_inventory_;
    std::int64_t requote_bps_;
    std::int64_t stale_ns_;
    std::int64_t tick_;
    std::int64_t step_;

    // State kept across reloads (see save_state).
    std::int64_t inventory_ = 0;
    std::int64_t quoted_mid_ = 0;
    std::int64_t quoted_inventory_ = 0; // the inventory the working quotes were skewed for
    std::uint64_t fills_ = 0;
    std::uint64_t quotes_placed_ = 0;
    std::uint64_t requotes_ = 0;
    std::uint64_t stale_pulls_ = 0;
    std::uint64_t rejections_ = 0;
    std::string last_reject_;
    std::vector<working_order> orders_;

    // Monotonic time of the last book change seen (0: none yet).
    std::int64_t book_changed_ns_ = 0;

    bool has_working(int side) const {
        for (const auto& o : orders_)
            if (o.side == side && !o.canceling)
                return true;
        return false;
    }

    void cancel_working() {
        for (auto& o : orders_) {
            if (o.canceling)
                continue;
            genesis_order_result r{};
            // A refused cancel (already final) is settled by the execution report that follows.
            if (host_.cancel(o.id, r) == GENESIS_OK)
                o.canceling = true;
            else
                host_.log(GENESIS_LOG_WARN, "cancel " + o.id + " refused: " + std::string(r.reason, r.reason_size));
        }
    }

    void place(int side, std::int64_t price) {
        const genesis_order_request req{gs::str(symbol_), side, GENESIS_LIMIT_MAKER, GENESIS_GTC, price, quote_qty_};
        genesis_order_result r{};
        if (host_.place(req, r) != GENESIS_OK) {
            ++rejections_;
            last_reject_.assign(r.reason, r.reason_size);
            host_.log(GENESIS_LOG_WARN, "quote refused: " + last_reject_);
            return;
        }
        ++quotes_placed_;
        orders_.push_back({std::string(r.client_order_id, r.client_order_id_size), side, price, quote_qty_, 0, false});
    }

    // Pulls every quote when the book cannot be trusted; true when it did.
    bool pull_if_stale(bool valid, std::int64_t now_ns) {
        if (valid && book_changed_ns_ != 0 && now_ns - book_changed_ns_ <= stale_ns_)
            return false;
        if (has_working(GENESIS_BUY) || has_working(GENESIS_SELL)) {
            ++stale_pulls_;
            cancel_working();
        }
        quoted_mid_ = 0;
        return true;
    }

    void requote(const genesis_book& b) {
        const std::int64_t best_bid = b.bids[0].price;
        const std::int64_t best_ask = b.asks[0].price;
        const std::int64_t mid = best_bid / 2 + best_ask / 2 + (best_bid % 2 + best_ask % 2) / 2;
        const bool want_bid = inventory_ + quote_qty_ <= max_inventory_;
        const bool want_ask = inventory_ - quote_qty_ >= -max_inventory_;
        const i128 moved = static_cast<i128>(mid > quoted_mid_ ? mid - quoted_mid_ : quoted_mid_ - mid);
        const bool beyond = quoted_mid_ == 0 || moved * 10'000 * one > static_cast<i128>(requote_bps_) * quoted_mid_;
        // Requote when the mid moved, a side is missing or unwanted, or a fill changed the skew.
        if (!beyond && inventory_ == quoted_inventory_ && want_bid == has_working(GENESIS_BUY) &&
            want_ask == has_working(GENESIS_SELL))
            return;
        if (has_working(GENESIS_BUY) || has_working(GENESIS_SELL))
            ++requotes_;
        cancel_working();
        // half spread = mid * spread_bps / 2 / 10^4; skew = mid * skew_bps * inventory / 10^4.
        const auto half = static_cast<std::int64_t>(static_cast<i128>(mid) * spread_bps_ / (20'000 * one));
        const auto skew =
            static_cast<std::int64_t>(static_cast<i128>(mid) * skew_bps_ / one * inventory_ / (10'000 * one));
        // Round outwards onto the tick, and never cross the book (a maker quote would be refused).
        std::int64_t bid = round_down(mid - half - skew, tick_);
        std::int64_t ask = round_up(mid + half - skew, tick_);
        if (bid >= best_ask)
            bid = round_down(best_ask - tick_, tick_);
        if (ask <= best_bid)
            ask = round_up(best_bid + tick_, tick_);
        if (want_bid && bid > 0)
            place(GENESIS_BUY, bid);
        if (want_ask)
            place(GENESIS_SELL, ask);
        quoted_mid_ = mid;
        quoted_inventory_ = inventory_;
        host_.log(GENESIS_LOG_DEBUG,
                  "quoted " + text(bid) + " / " + text(ask) + " mid " + text(mid) + " inventory " + text(inventory_));
    }

public:
    market_maker(gs::host_ref host, const gs::params& p)
            : host_(host), symbol_(p.text("symbol")), quote_qty_(p.fixed("quote_qty")),
              spread_bps_(p.fixed("spread_bps")), skew_bps_(p.fixed("skew_bps", 0)),
              max_inventory_(p.fixed("max_inventory")), requote_bps_(p.fixed("requote_bps", 0)),
              stale_ns_(p.fixed("stale_ms", 1000 * one) / one * 1'000'000), tick_(p.fixed("tick_size")),
              step_(p.fixed("step_size", 1)) {
        if (tick_ <= 0 || step_ <= 0)
            throw std::invalid_argument("tick_size and step_size must be positive");
        if (spread_bps_ <= 0 || max_inventory_ < 0)
            throw std::invalid_argument("spread_bps must be positive and max_inventory not negative");
        quote_qty_ = round_down(quote_qty_, step_);
        if (quote_qty_ <= 0)
            throw std::invalid_argument("quote_qty rounds to zero at step_size " + text(step_));
    }

    void on_book(const genesis_book& b) {
        if (gs::view(b.symbol) != symbol_)
            return;
        book_changed_ns_ = b.now_ns - b.age_ns;
        if (pull_if_stale(b.valid != 0 && b.bid_count > 0 && b.ask_count > 0, b.now_ns))
            return;
        requote(b);
    }

    // No book update for stale_ms also means stale: only the timer can see that.
    void on_timer(std::int64_t now_ns) { pull_if_stale(true, now_ns); }

    void on_execution(const genesis_execution& e) {
        const std::string_view id = gs::view(e.client_order_id);
        for (auto it = orders_.begin(); it != orders_.end(); ++it) {
            if (it->id != id && it->id != gs::view(e.orig_client_order_id))
                continue;
            // Filled by what the cumulative quantity grew since we last saw the order: a repeated
            // report adds nothing, and a RESTATED one after a restart brings what was missed.
            const std::int64_t more = e.cumulative_quantity - it->filled;
            if (more > 0) {
                inventory_ += it->side == GENESIS_BUY ? more : -more;
                it->filled = e.cumulative_quantity;
                ++fills_;
            }
            // Restated: the gateway's own state after reconciliation. A cancel the saved state had
            // asked for that did not happen is asked again when due; one in flight is not repeated.
            if (e.exec_type == GENESIS_EXEC_RESTATED)
                it->canceling = e.status == GENESIS_STATUS_PENDING_CANCEL;
            if (e.status == GENESIS_STATUS_REJECTED) {
                ++rejections_;
                last_reject_ = std::string(gs::view(e.reject_reason));
            }
            const bool final = is_final(e.status);
            if (final)
                orders_.erase(it);
            // A fill changes the inventory: checkpoint it at once (an ended order too).
            if (more > 0 || final)
                host_.save_state(save_state());
            return;
        }
        // A restated order the saved state does not know was placed after that state was saved:
        // each of its fills is new here, and while it works it is ours to follow and requote.
        if (e.exec_type != GENESIS_EXEC_RESTATED || gs::view(e.symbol) != symbol_)
            return;
        if (e.cumulative_quantity > 0) {
            inventory_ += e.side == GENESIS_BUY ? e.cumulative_quantity : -e.cumulative_quantity;
            ++fills_;
        }
        if (!is_final(e.status))
            orders_.push_back({std::string(id), e.side, e.price, e.quantity, e.cumulative_quantity,
                               e.status == GENESIS_STATUS_PENDING_CANCEL});
        host_.save_state(save_state());
    }

    static bool is_final(int status) {
        return status == GENESIS_STATUS_FILLED || status == GENESIS_STATUS_CANCELED ||
               status == GENESIS_STATUS_REJECTED || status == GENESIS_STATUS_EXPIRED ||
               status == GENESIS_STATUS_EXPIRED_IN_MATCH;
    }

    void stop() { cancel_working(); }

    // Text lines "key=value"; orders as "order=id,side,price,qty,filled,canceling".
    std::string save_state() const {
        std::ostringstream out;
        out << "version=1\ninventory=" << inventory_ << "\nquoted_mid=" << quoted_mid_
            << "\nquoted_inventory=" << quoted_inventory_ << "\nfills=" << fills_
            << "\nquotes_placed=" << quotes_placed_ << "\nrequotes=" << requotes_ << "\nstale_pulls=" << stale_pulls_
            << "\nrejections=" << rejections_ << "\nlast_reject=" << last_reject_ << '\n';
        for (const auto& o : orders_)
            out << "order=" << o.id << ',' << o.side << ',' << o.price << ',' << o.quantity << ',' << o.filled << ','
                << (o.canceling ? 1 : 0) << '\n';
        return out.str();
    }

    void restore_state(std::string_view blob) {
        std::istringstream in{std::string(blob)};
        std::string line;
        while (std::getline(in, line)) {
            const auto eq = line.find('=');
            if (eq == std::string::npos)
                continue;
            const std::string key = line.substr(0, eq);
            const std::string value = line.substr(eq + 1);
            if (key == "inventory")
                inventory_ = std::stoll(value);
            else if (key == "quoted_mid")
                quoted_mid_ = std::stoll(value);
            else if (key == "quoted_inventory")
                quoted_inventory_ = std::stoll(value);
            else if (key == "fills")
                fills_ = std::stoull(value);
            else if (key == "quotes_placed")
                quotes_placed_ = std::stoull(value);
            else if (key == "requotes")
                requotes_ = std::stoull(value);
            else if (key == "stale_pulls")
                stale_pulls_ = std::stoull(value);
            else if (key == "rejections")
                rejections_ = std::stoull(value);
            else if (key == "last_reject")
                last_reject_ = value;
            else if (key == "order") {
                working_order o;
                char sep = 0;
                std::istringstream f{value};
                std::getline(f, o.id, ',');
                int canceling = 0;
                f >> o.side >> sep >> o.price >> sep >> o.quantity >> sep >> o.filled >> sep >> canceling;
                if (!f)
                    throw std::invalid_argument("malformed order line in the state blob: " + value);
                o.canceling = canceling != 0;
                orders_.push_back(o);
            }
        }
    }
};

} // namespace

GENESIS_STRATEGY_DEFINE(market_maker, "market_maker")
