#include "genesis/gateway/runtime/binance_venue.hpp"

#include "genesis/binance/decoder.hpp"
#include "genesis/binance/encoder.hpp"
#include "genesis/log/logger.hpp"
#include "genesis/resilience/executor.hpp"
#include "genesis/rest/http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <simdjson.h>

#include <algorithm>

namespace genesis::gateway::runtime {

namespace net = boost::asio;

namespace {

// The http client adds timestamp (from its server-time offset), recvWindow and the signature.
void strip_timestamp(binance::request_params& p) {
    std::erase_if(p, [](const binance::request_param& x) { return x.name == "timestamp"; });
}

rest::request make_request(rest::http_method m, std::string path, const binance::request_params& p, bool is_signed) {
    rest::request r;
    r.method = m;
    r.path = std::move(path);
    if (m == rest::http_method::post)
        r.body = binance::rest_query(p);
    else
        r.query = binance::rest_query(p);
    r.is_signed = is_signed;
    return r;
}

std::optional<decimal> dec_field(simdjson::dom::object o, const char* key) {
    std::string_view s;
    if (o[key].get_string().get(s))
        return std::nullopt;
    auto d = decimal::parse(s);
    return d ? std::optional<decimal>{*d} : std::nullopt;
}

net::awaitable<result<rest::response>> send_one(rest::http_client& c, rest::request req, std::size_t endpoint) {
    co_return co_await c.send(std::move(req), endpoint);
}

} // namespace

struct binance_venue::impl : std::enable_shared_from_this<impl> {
    net::io_context& ioc;
    rest::http_client& client;
    resilience::executor& exec;
    binance_venue_options opt;
    log::logger_ptr log;
    binance::decoder decoder; // I/O thread only
    rest_tap tap;
    std::atomic<std::uint64_t> placements{0}, cancels{0}, queries{0}, snapshots{0}, refused{0}, bad_answers{0};

    impl(net::io_context& io, rest::http_client& c, resilience::executor& e, binance_venue_options o, log::logger_ptr l)
            : ioc(io), client(c), exec(e), opt(std::move(o)), log(std::move(l)) {}

    // Runs a coroutine on the I/O thread: the client, executor and decoder live there.
    void run(net::awaitable<void> a) {
        auto p = std::make_shared<net::awaitable<void>>(std::move(a));
        net::post(ioc, [p, self = shared_from_this()] { net::co_spawn(self->ioc, std::move(*p), net::detached); });
    }

    // One call through the executor: idempotent calls may race several endpoints.
    net::awaitable<result<rest::response>> call(std::string operation, bool idempotent, rest::request req) {
        resilience::call_options co;
        co.operation = std::move(operation);
        co.idempotent = idempotent;
        co.hedge = idempotent;
        co.timeout = idempotent ? opt.query_timeout : opt.place_timeout;
        // A rate limit (our limiter's refusal, the venue's 429/418) is no fault of the endpoint.
        co.not_endpoint_failure = [](const error_code& e) { return e == rest::http_condition::rate_limit; };
        if (!idempotent)
            req.idempotent = false; // the client never resends it; a lost answer is outcome_unknown
        // The socket's deadline is the attempt's: order_timeout_ms for a placement.
        req.timeout = co.timeout;
        // Rate limits are waited for here, outside the attempts and their timeout: a 429 pause
        // longer than the timeout would time every attempt out, counted against the breakers. A
        // placement does not wait (stale at the end of a pause): refused, certainly not sent.
        req.may_wait = false;
        // Not a coroutine lambda: its captures would be read through a closure the executor may move.
        rest::http_client* c = &client;
        // A named attempt function: GCC 12 mishandles temporaries inside a co_await expression.
        resilience::attempt_fn<rest::response> fn = [c, req](std::size_t endpoint) {
            return send_one(*c, req, endpoint);
        };
        // The wait reserves nothing: calls that waited together may find the room taken by the
        // first ones, or a 429 may come meanwhile. Such a refusal (nothing was sent) waits again,
        // up to 3 times.
        for (int tries = 1;; ++tries) {
            if (idempotent)
                if (auto w = co_await client.wait_for_limits(req.weight); !w)
                    co_return w.error();
            auto options = co;
            auto attempt = fn;
            auto ex = co_await exec.run<rest::response>(std::move(options), std::move(attempt));
            if (!idempotent || ex.value || tries == 3 || ex.value.error() != rest::http_condition::rate_limit ||
                ex.value.error() == rest::http_errc::weight_over_limit)
                co_return std::move(ex.value);
        }
    }

    // The venue's refusal in a 4xx body, if it is one.
    std::optional<binance::api_error> refusal(const rest::response& r) {
        binance::api_error e;
        if (r.status >= 400 && decoder.decode_error(r.body, e)) {
            ++refused;
            return e;
        }
        return std::nullopt;
    }

    template <class T>
    void bad(const venue_callback<T>& done, std::string_view what, const rest::response& r) {
        ++bad_answers;
        if (log)
            log->warn("{}: undecodable answer (HTTP {}): {:.120}", what, r.status, r.body);
        done(make_error_code(venue_errc::bad_answer));
    }

    net::awaitable<void> do_place(order_intent in, venue_callback<execution_report> done) {
        binance::order_options o;
        o.resp_type = binance::response_type::result;
        auto params = binance::order_place_params(in, o, 0);
        if (!params) {
            done(make_error_code(venue_errc::not_sent));
            co_return;
        }
        strip_timestamp(*params);
        ++placements;
        auto req = make_request(rest::http_method::post, "/api/v3/order", *params, true);
        req.counts_as_order = true;
        if (in.tick.ns != 0 && opt.on_order_written)
            req.on_written = [cb = &opt.on_order_written, tick = in.tick] { (*cb)(tick); };
        auto r = co_await call("place_order", false, std::move(req));
        if (!r) {
            done(r.error());
            co_return;
        }
        if (auto e = refusal(*r)) {
            execution_report rep;
            rep.venue = opt.venue;
            rep.sym = in.sym;
            rep.client_id = in.client_id;
            rep.order_side = in.order_side;
            rep.type = in.type;
            rep.status = order_status::rejected;
            rep.exec_type = execution_type::rejected;
            rep.reject_reason = std::to_string(e->code) + " " + e->msg;
            done(rep);
            co_return;
        }
        binance::order_response out;
        if (r->status != 200 || !decoder.decode_order(r->body, {}, out)) {
            // A 2xx we cannot read may still be a placed order: unknown, never "not placed".
            bad(done, "place", *r);
            co_return;
        }
        out.report.venue = opt.venue;
        done(out.report);
    }

    // By client order id, or (order_id set) by the exchange's order id.
    net::awaitable<void> do_query(symbol sym, std::optional<std::uint64_t> order_id, client_order_id id,
                                  venue_callback<std::optional<execution_report>> done) {
        auto params = binance::order_query_params(sym, order_id, id, std::nullopt, 0);
        if (!params) {
            done(params.error());
            co_return;
        }
        strip_timestamp(*params);
        ++queries;
        auto r =
            co_await call("query_order", true, make_request(rest::http_method::get, "/api/v3/order", *params, true));
        if (!r) {
            done(r.error());
            co_return;
        }
        if (auto e = refusal(*r)) {
            if (e->code == -2013)
                done(std::optional<execution_report>{});
            else
                done(make_error_code(venue_errc::bad_answer));
            co_return;
        }
        binance::order_response out;
        if (!decoder.decode_order(r->body, {}, out)) {
            bad(done, "query", *r);
            co_return;
        }
        out.report.venue = opt.venue;
        done(std::optional<execution_report>{out.report});
    }

    net::awaitable<void> do_cancel(cancel_intent c, venue_callback<execution_report> done) {
        auto params = binance::order_cancel_params(c, std::nullopt, 0);
        if (!params) {
            done(params.error());
            co_return;
        }
        strip_timestamp(*params);
        ++cancels;
        auto r =
            co_await call("cancel_order", true, make_request(rest::http_method::del, "/api/v3/order", *params, true));
        if (!r) {
            done(r.error());
            co_return;
        }
        if (refusal(*r)) {
            done(make_error_code(venue_errc::cancel_refused));
            co_return;
        }
        binance::order_response out;
        if (!decoder.decode_order(r->body, {}, out)) {
            bad(done, "cancel", *r);
            co_return;
        }
        out.report.venue = opt.venue;
        done(out.report);
    }

    net::awaitable<void> do_open_orders(venue_callback<std::vector<execution_report>> done) {
        auto params = binance::open_orders_params(symbol{}, std::nullopt, 0);
        strip_timestamp(params);
        auto req = make_request(rest::http_method::get, "/api/v3/openOrders", params, true);
        req.weight = 80;
        auto r = co_await call("open_orders", true, std::move(req));
        if (!r) {
            done(r.error());
            co_return;
        }
        std::vector<binance::order_response> orders;
        if (r->status != 200 || !decoder.decode_orders(r->body, {}, orders)) {
            bad(done, "openOrders", *r);
            co_return;
        }
        std::vector<execution_report> out;
        out.reserve(orders.size());
        for (auto& o : orders) {
            o.report.venue = opt.venue;
            out.push_back(std::move(o.report));
        }
        done(std::move(out));
    }

    net::awaitable<void> do_my_trades(symbol sym, std::uint64_t from,
                                      venue_callback<std::vector<db::fill_record>> done) {
        rest::request req;
        req.path = "/api/v3/myTrades";
        req.query = "symbol=" + sym.str() + (from ? "&fromId=" + std::to_string(from) : std::string{}) + "&limit=1000";
        req.is_signed = true;
        req.weight = 20;
        auto r = co_await call("my_trades", true, std::move(req));
        if (!r) {
            done(r.error());
            co_return;
        }
        simdjson::dom::parser parser;
        simdjson::dom::array arr;
        if (r->status != 200 || parser.parse(r->body).get_array().get(arr)) {
            bad(done, "myTrades", *r);
            co_return;
        }
        std::vector<db::fill_record> out;
        for (simdjson::dom::element e : arr) {
            simdjson::dom::object o;
            std::uint64_t id = 0, order_id = 0, time_ms = 0;
            bool buyer = false, maker = false;
            std::string_view commission_asset;
            auto price = e.get_object().get(o) ? std::nullopt : dec_field(o, "price");
            auto qty = price ? dec_field(o, "qty") : std::nullopt;
            auto commission = qty ? dec_field(o, "commission") : std::nullopt;
            if (!commission || o["id"].get_uint64().get(id) || o["orderId"].get_uint64().get(order_id) ||
                o["isBuyer"].get_bool().get(buyer) || o["isMaker"].get_bool().get(maker) ||
                o["commissionAsset"].get_string().get(commission_asset)) {
                bad(done, "myTrades entry", *r);
                co_return;
            }
            if (o["time"].get_uint64().get(time_ms))
                time_ms = 0;
            db::fill_record f;
            f.venue = opt.venue;
            f.sym = sym;
            f.trade_id = id;
            f.order_id = order_id;
            f.order_side = buyer ? side::buy : side::sell;
            f.price = *price;
            f.quantity = *qty;
            f.commission = *commission;
            f.commission_asset = asset::truncating(commission_asset);
            f.is_maker = maker;
            f.time = time_point{static_cast<std::int64_t>(time_ms) * 1'000'000};
            out.push_back(f);
        }
        done(std::move(out));
    }

    net::awaitable<void> do_account(venue_callback<std::vector<balance>> done) {
        rest::request req;
        req.path = "/api/v3/account";
        req.is_signed = true;
        req.weight = 20;
        auto r = co_await call("account", true, std::move(req));
        if (!r) {
            done(r.error());
            co_return;
        }
        simdjson::dom::parser parser;
        simdjson::dom::array arr;
        if (r->status != 200 || parser.parse(r->body)["balances"].get_array().get(arr)) {
            bad(done, "account", *r);
            co_return;
        }
        std::vector<balance> out;
        for (simdjson::dom::element e : arr) {
            simdjson::dom::object o;
            std::string_view name;
            if (e.get_object().get(o) || o["asset"].get_string().get(name)) {
                bad(done, "account balance", *r);
                co_return;
            }
            auto free = dec_field(o, "free");
            auto locked = dec_field(o, "locked");
            if (!free || !locked) {
                bad(done, "account balance", *r);
                co_return;
            }
            out.push_back({asset::truncating(name), *free, *locked});
        }
        done(std::move(out));
    }

    net::awaitable<void> do_depth(symbol sym, venue_callback<book_snapshot> done) {
        rest::request req;
        req.path = "/api/v3/depth";
        req.query = "symbol=" + sym.str() + "&limit=" + std::to_string(opt.depth_limit);
        req.weight = opt.depth_limit <= 100 ? 5 : opt.depth_limit <= 500 ? 25 : opt.depth_limit <= 1000 ? 50 : 250;
        const std::string channel = req.path + "?" + req.query;
        ++snapshots;
        auto r = co_await call("depth", true, std::move(req));
        if (!r) {
            done(r.error());
            co_return;
        }
        if (tap && r->status == 200)
            tap(channel, r->body);
        book_snapshot s;
        if (r->status != 200 || !decoder.decode_depth_snapshot(r->body, sym, {}, s)) {
            bad(done, "depth", *r);
            co_return;
        }
        s.venue = opt.venue;
        done(std::move(s));
    }

    net::awaitable<void> do_exchange_info(venue_callback<binance::exchange_info> done) {
        rest::request req;
        req.path = "/api/v3/exchangeInfo";
        req.weight = 20;
        auto r = co_await call("exchange_info", true, std::move(req));
        if (!r) {
            done(r.error());
            co_return;
        }
        binance::exchange_info info;
        if (r->status != 200 || !decoder.decode_exchange_info(r->body, info)) {
            bad(done, "exchangeInfo", *r);
            co_return;
        }
        done(std::move(info));
    }
};

binance_venue::binance_venue(net::io_context& ioc, rest::http_client& client, resilience::executor& exec,
                             binance_venue_options options, log::logger_ptr log)
        : impl_(std::make_shared<impl>(ioc, client, exec, std::move(options), std::move(log))) {}

binance_venue::~binance_venue() = default;

void binance_venue::place(const order_intent& intent, venue_callback<execution_report> done) {
    if (impl_->opt.market_data_only)
        return done(make_error_code(venue_errc::not_sent));
    impl_->run(impl_->do_place(intent, std::move(done)));
}
void binance_venue::cancel(const cancel_intent& intent, venue_callback<execution_report> done) {
    if (impl_->opt.market_data_only)
        return done(make_error_code(venue_errc::not_sent));
    impl_->run(impl_->do_cancel(intent, std::move(done)));
}
void binance_venue::query(const symbol& sym, const client_order_id& id,
                          venue_callback<std::optional<execution_report>> done) {
    if (impl_->opt.market_data_only)
        return done(make_error_code(venue_errc::not_sent));
    impl_->run(impl_->do_query(sym, std::nullopt, id, std::move(done)));
}
void binance_venue::query_order_id(const symbol& sym, std::uint64_t order_id,
                                   venue_callback<std::optional<execution_report>> done) {
    if (impl_->opt.market_data_only)
        return done(make_error_code(venue_errc::not_sent));
    impl_->run(impl_->do_query(sym, order_id, client_order_id{}, std::move(done)));
}
void binance_venue::open_orders(venue_callback<std::vector<execution_report>> done) {
    if (impl_->opt.market_data_only)
        return done(make_error_code(venue_errc::not_sent));
    impl_->run(impl_->do_open_orders(std::move(done)));
}
void binance_venue::my_trades(const symbol& sym, std::uint64_t from,
                              venue_callback<std::vector<db::fill_record>> done) {
    if (impl_->opt.market_data_only)
        return done(make_error_code(venue_errc::not_sent));
    impl_->run(impl_->do_my_trades(sym, from, std::move(done)));
}
void binance_venue::account(venue_callback<std::vector<balance>> done) {
    if (impl_->opt.market_data_only)
        return done(make_error_code(venue_errc::not_sent));
    impl_->run(impl_->do_account(std::move(done)));
}
void binance_venue::depth_snapshot(const symbol& sym, venue_callback<book_snapshot> done) {
    impl_->run(impl_->do_depth(sym, std::move(done)));
}
void binance_venue::exchange_info(venue_callback<binance::exchange_info> done) {
    impl_->run(impl_->do_exchange_info(std::move(done)));
}
void binance_venue::set_tap(rest_tap tap) { impl_->tap = std::move(tap); }

binance_venue_stats binance_venue::stats() const noexcept {
    binance_venue_stats s;
    s.placements = impl_->placements.load();
    s.cancels = impl_->cancels.load();
    s.queries = impl_->queries.load();
    s.snapshots = impl_->snapshots.load();
    s.refused = impl_->refused.load();
    s.bad_answers = impl_->bad_answers.load();
    return s;
}

} // namespace genesis::gateway::runtime
