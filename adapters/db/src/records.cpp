#include "genesis/db/error.hpp"
#include "genesis/db/types.hpp"

namespace genesis::db {

order_transition order_transition::from(const execution_report& r) {
    order_transition t;
    t.venue = r.venue;
    t.sym = r.sym;
    t.client_id = r.client_id;
    t.order_id = r.order_id;
    t.status = r.status;
    t.exec_type = r.exec_type;
    t.cumulative_quantity = r.cumulative_quantity;
    t.cumulative_quote = r.cumulative_quote;
    t.last_quantity = r.last_quantity;
    t.last_price = r.last_price;
    // Binance sends "NONE" when there is no reject reason.
    if (r.reject_reason != "NONE")
        t.reason = r.reject_reason;
    t.time = r.transaction_time.ns != 0 ? r.transaction_time : r.event_time;
    return t;
}

result<fill_record> fill_record::from(const execution_report& r) {
    if (!r.trade_id)
        return make_error_code(db_errc::invalid_argument);
    fill_record f;
    f.venue = r.venue;
    f.sym = r.sym;
    f.trade_id = *r.trade_id;
    f.client_id = r.client_id;
    f.order_id = r.order_id;
    f.order_side = r.order_side;
    f.price = r.last_price;
    f.quantity = r.last_quantity;
    f.commission = r.commission;
    f.commission_asset = r.commission_asset;
    f.is_maker = r.is_maker;
    f.time = r.transaction_time.ns != 0 ? r.transaction_time : r.event_time;
    return f;
}

std::uint64_t seq_of(const journal_entry& e) noexcept {
    return std::visit([](const auto& row) { return row.seq; }, e);
}

} // namespace genesis::db
