// TWAP: works total_qty over duration_ms in `slices` children, one per slice on the timer. A child
// still open when the next slice is due is canceled and its unfilled rest carried into the next
// child; after the last slice the rest is resent until exactly total_qty has filled. Sees only api.h.
//
// Reloads and restarts: the state blob keeps the time elapsed on the schedule (elapsed_ns) and the
// slices sent, never a reading of the host's monotonic clock (its origin changes with every restart
// of the machine or the gateway). A restored run resumes the schedule from the new now at the
// elapsed time it saved: the time it was not running does not count, so after an outage the
// remaining slices go out at their usual pace (the run ends that much later), not all at once. A
// version 1 blob (which held start_ns) has its next slice due one interval after the restart.
#include <genesis/strategy/api.h>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace gs = genesis::strategy;

__extension__ typedef __int128 i128;

constexpr std::int64_t one = GENESIS_FIXED_ONE;

// Largest multiple of step at or below v (v >= 0, step > 0).
std::int64_t round_down(std::int64_t v, std::int64_t step) { return v - v % step; }

struct child {
    std::string id;
    std::int64_t quantity = 0;
    std::int64_t filled = 0;
    bool canceling = false;
};

class twap {
    gs::host_ref host_;
    std::string symbol_;
    int side_;
    std::int64_t total_;
    std::int64_t duration_ns_;
    std::int64_t slices_;
    bool market_;
    std::int64_t offset_;
    std::int64_t step_;

    // Progress, kept across reloads and restarts (see save_state).
    std::int64_t elapsed_ns_ = 0; // schedule time already worked when this instance starts
    std::int64_t start_ns_ = 0;   // the host clock at schedule time 0, for this instance
    std::int64_t slices_sent_ = 0;
    std::int64_t filled_ = 0;
    std::uint64_t children_sent_ = 0;
    std::uint64_t rejections_ = 0;
    bool done_ = false;
    std::vector<child> children_;

    // The touch on our side, for limit children (0: no valid book yet).
    std::int64_t touch_ = 0;

    // Cumulative quantity the first n slices should have worked.
    std::int64_t target(std::int64_t n) const {
        if (n >= slices_)
            return total_;
        return round_down(static_cast<std::int64_t>(static_cast<i128>(total_) * n / slices_), step_);
    }

    // Filled plus what open children may still fill.
    std::int64_t committed() const {
        std::int64_t c = filled_;
        for (const auto& ch : children_)
            c += ch.quantity - ch.filled;
        return c;
    }

    void cancel_open() {
        for (auto& ch : children_) {
            if (ch.canceling)
                continue;
            genesis_order_result r{};
            if (host_.cancel(ch.id, r) == GENESIS_OK)
                ch.canceling = true;
        }
    }

    void send(std::int64_t qty) {
        genesis_order_request req{gs::str(symbol_), side_, market_ ? GENESIS_MARKET : GENESIS_LIMIT,
                                  GENESIS_GTC,      0,     qty};
        if (!market_)
            req.price = side_ == GENESIS_BUY ? touch_ + offset_ : touch_ - offset_;
        genesis_order_result r{};
        if (host_.place(req, r) != GENESIS_OK) {
            ++rejections_;
            host_.log(GENESIS_LOG_WARN, "child refused: " + std::string(r.reason, r.reason_size));
            return;
        }
        ++children_sent_;
        children_.push_back({std::string(r.client_order_id, r.client_order_id_size), qty, 0, false});
    }

public:
    twap(gs::host_ref host, const gs::params& p)
            : host_(host), symbol_(p.text("symbol")), total_(p.fixed("total_qty")),
              duration_ns_(p.fixed("duration_ms") / one * 1'000'000), slices_(p.fixed("slices") / one),
              market_(p.text("order_type", "market") == "market"), offset_(p.fixed("price_offset", 0)),
              step_(p.fixed("step_size", 1)) {
        const std::string side = p.text("side");
        if (side != "buy" && side != "sell")
            throw std::invalid_argument("side must be buy or sell, not '" + side + "'");
        side_ = side == "buy" ? GENESIS_BUY : GENESIS_SELL;
        const std::string type = p.text("order_type", "market");
        if (type != "market" && type != "limit")
            throw std::invalid_argument("order_type must be market or limit, not '" + type + "'");
        if (total_ <= 0 || slices_ <= 0 || duration_ns_ <= 0 || step_ <= 0)
            throw std::invalid_argument("total_qty, slices, duration_ms and step_size must be positive");
        if (total_ % step_ != 0)
            throw std::invalid_argument("total_qty is not a multiple of step_size");
    }

    void start() {
        // A restored run goes on from the elapsed time it saved, counted from now.
        start_ns_ = host_.now() - elapsed_ns_;
    }

    void on_book(const genesis_book& b) {
        if (gs::view(b.symbol) != symbol_)
            return;
        const bool usable = b.valid != 0 && (side_ == GENESIS_BUY ? b.bid_count : b.ask_count) > 0;
        touch_ = usable ? (side_ == GENESIS_BUY ? b.bids[0].price : b.asks[0].price) : 0;
    }

    // Slice k is due at start + k * duration / slices (k = 0 .. slices-1).
    void on_timer(std::int64_t now_ns) {
        if (done_)
            return;
        const std::int64_t interval = duration_ns_ / slices_;
        std::int64_t due = now_ns < start_ns_ ? 0 : (now_ns - start_ns_) / (interval > 0 ? interval : 1) + 1;
        if (due > slices_)
            due = slices_;
        if (!market_ && touch_ == 0)
            return; // no price to work at: the slice waits for a valid book
        if (due > slices_sent_) {
            // The previous child had its slice: cancel it, its rest is carried once the cancel lands.
            cancel_open();
            slices_sent_ = due;
        } else if (slices_sent_ < slices_ || !children_.empty()) {
            return;
        }
        const std::int64_t qty = round_down(target(slices_sent_) - committed(), step_);
        if (qty > 0)
            send(qty);
    }

    void on_execution(const genesis_execution& e) {
        const std::string_view id = gs::view(e.client_order_id);
        for (auto it = children_.begin(); it != children_.end(); ++it) {
            if (it->id != id && it->id != gs::view(e.orig_client_order_id))
                continue;
            // Filled by what the cumulative quantity grew since we last saw the child: a repeated
            // report adds nothing, and a RESTATED one after a restart brings what was missed.
            if (const std::int64_t more = e.cumulative_quantity - it->filled; more > 0) {
                it->filled = e.cumulative_quantity;
                filled_ += more;
            }
            // Restated: the gateway's own state after reconciliation. A cancel the saved state had
            // asked for that did not happen is asked again when due; one in flight is not repeated.
            if (e.exec_type == GENESIS_EXEC_RESTATED)
                it->canceling = e.status == GENESIS_STATUS_PENDING_CANCEL;
            if (e.status == GENESIS_STATUS_REJECTED)
                ++rejections_;
            if (is_final(e.status))
                children_.erase(it);
            if (filled_ >= total_ && !done_) {
                done_ = true;
                cancel_open();
                host_.log(GENESIS_LOG_INFO, "done: " + std::to_string(children_sent_) + " children");
            }
            // Progress moved: checkpoint it so that a reload or restart resumes here.
            host_.save_state(save_state());
            return;
        }
        // A restated child the saved state does not know was sent after that state was saved:
        // its fills count, and while it works it is part of what is committed.
        if (e.exec_type != GENESIS_EXEC_RESTATED || gs::view(e.symbol) != symbol_)
            return;
        filled_ += e.cumulative_quantity;
        ++children_sent_;
        if (!is_final(e.status))
            children_.push_back(
                {std::string(id), e.quantity, e.cumulative_quantity, e.status == GENESIS_STATUS_PENDING_CANCEL});
        if (filled_ >= total_ && !done_) {
            done_ = true;
            cancel_open();
        }
        host_.save_state(save_state());
    }

    static bool is_final(int status) {
        return status == GENESIS_STATUS_FILLED || status == GENESIS_STATUS_CANCELED ||
               status == GENESIS_STATUS_REJECTED || status == GENESIS_STATUS_EXPIRED ||
               status == GENESIS_STATUS_EXPIRED_IN_MATCH;
    }

    void stop() { cancel_open(); }

    // Text lines "key=value"; children as "child=id,qty,filled,canceling".
    std::string save_state() const {
        std::ostringstream out;
        out << "version=2\nelapsed_ns=" << host_.now() - start_ns_ << "\nslices_sent=" << slices_sent_
            << "\nfilled=" << filled_ << "\nchildren_sent=" << children_sent_ << "\nrejections=" << rejections_
            << "\ndone=" << (done_ ? 1 : 0) << '\n';
        for (const auto& ch : children_)
            out << "child=" << ch.id << ',' << ch.quantity << ',' << ch.filled << ',' << (ch.canceling ? 1 : 0) << '\n';
        return out.str();
    }

    void restore_state(std::string_view blob) {
        std::istringstream in{std::string(blob)};
        std::string line;
        bool has_elapsed = false;
        while (std::getline(in, line)) {
            const auto eq = line.find('=');
            if (eq == std::string::npos)
                continue;
            const std::string key = line.substr(0, eq);
            const std::string value = line.substr(eq + 1);
            if (key == "elapsed_ns") {
                elapsed_ns_ = std::max<std::int64_t>(0, std::stoll(value));
                has_elapsed = true;
            } else if (key == "slices_sent")
                slices_sent_ = std::stoll(value);
            else if (key == "filled")
                filled_ = std::stoll(value);
            else if (key == "children_sent")
                children_sent_ = std::stoull(value);
            else if (key == "rejections")
                rejections_ = std::stoull(value);
            else if (key == "done")
                done_ = value == "1";
            else if (key == "child") {
                child ch;
                char sep = 0;
                int canceling = 0;
                std::istringstream f{value};
                std::getline(f, ch.id, ',');
                f >> ch.quantity >> sep >> ch.filled >> sep >> canceling;
                if (!f)
                    throw std::invalid_argument("malformed child line in the state blob: " + value);
                ch.canceling = canceling != 0;
                children_.push_back(ch);
            }
        }
        // A version 1 blob's start_ns is a reading of another clock: place the schedule by the
        // slices sent instead (slice k is due at k intervals).
        if (!has_elapsed && slices_sent_ > 0)
            elapsed_ns_ = (slices_sent_ - 1) * (duration_ns_ / slices_);
    }
};

} // namespace

GENESIS_STRATEGY_DEFINE(twap, "twap")
