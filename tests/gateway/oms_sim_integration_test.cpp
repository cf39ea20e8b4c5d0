// The OMS against genesis-sim in-process, through a REST-backed order_venue (http_client, Binance
// encoders and decoders, HMAC signing with the sim's test account), with a lost answer on
// POST /api/v3/order: the order must end up known exactly once.
#include "genesis/gateway/oms/oms.hpp"

#include "oms_test_support.hpp"

#include "genesis/binance/decoder.hpp"
#include "genesis/binance/encoder.hpp"
#include "genesis/resilience/timer.hpp"
#include "genesis/rest/http_client.hpp"
#include "genesis/sim/server/sim_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <thread>

namespace genesis::gateway {
namespace {

namespace net = boost::asio;
namespace sim = genesis::sim::server;
using namespace test;
using st = order_status;

// The Binance REST order_venue: one coroutine per call on the I/O thread; answers through the
// callback from there (the OMS posts them to its own thread).
class rest_order_venue final : public order_venue {
    net::io_context& ioc_;
    rest::http_client& client_;
    binance::decoder decoder_;
    venue_id venue_;

    static void strip_timestamp(binance::request_params& p) {
        std::erase_if(p, [](const binance::request_param& x) { return x.name == "timestamp"; });
    }

    static rest::request signed_request(rest::http_method m, std::string path, const binance::request_params& p) {
        rest::request r;
        r.method = m;
        r.path = std::move(path);
        if (m == rest::http_method::post)
            r.body = binance::rest_query(p);
        else
            r.query = binance::rest_query(p);
        r.is_signed = true;
        return r;
    }

    void run(net::awaitable<void> a) {
        // co_spawn on the I/O thread: the client and the decoder are used there only.
        auto p = std::make_shared<net::awaitable<void>>(std::move(a));
        net::post(ioc_, [this, p] { net::co_spawn(ioc_, std::move(*p), net::detached); });
    }

    // The venue's refusal in a 4xx body, if it is one.
    std::optional<binance::api_error> refusal(const rest::response& r) {
        binance::api_error e;
        if (r.status >= 400 && decoder_.decode_error(r.body, e))
            return e;
        return std::nullopt;
    }

    net::awaitable<void> do_place(order_intent in, venue_callback<execution_report> done) {
        binance::order_options opt;
        opt.resp_type = binance::response_type::result;
        auto params = binance::order_place_params(in, opt, 0);
        if (!params) {
            done(make_error_code(venue_errc::not_sent));
            co_return;
        }
        strip_timestamp(*params);
        auto req = signed_request(rest::http_method::post, "/api/v3/order", *params);
        req.idempotent = false; // never retried: a lost answer is outcome_unknown
        auto r = co_await client_.send(std::move(req));
        if (!r) {
            done(r.error());
            co_return;
        }
        if (auto e = refusal(*r)) {
            execution_report rep;
            rep.venue = venue_;
            rep.sym = in.sym;
            rep.client_id = in.client_id;
            rep.status = order_status::rejected;
            rep.exec_type = execution_type::rejected;
            rep.reject_reason = std::to_string(e->code) + " " + e->msg;
            done(rep);
            co_return;
        }
        binance::order_response out;
        if (!decoder_.decode_order(r->body, {}, out)) {
            done(make_error_code(venue_errc::bad_answer));
            co_return;
        }
        out.report.venue = venue_;
        done(out.report);
    }

    net::awaitable<void> do_query(symbol sym, client_order_id id,
                                  venue_callback<std::optional<execution_report>> done) {
        auto params = binance::order_query_params(sym, std::nullopt, id, std::nullopt, 0);
        if (!params) {
            done(params.error());
            co_return;
        }
        strip_timestamp(*params);
        auto r = co_await client_.send(signed_request(rest::http_method::get, "/api/v3/order", *params));
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
        if (!decoder_.decode_order(r->body, {}, out)) {
            done(make_error_code(venue_errc::bad_answer));
            co_return;
        }
        out.report.venue = venue_;
        done(std::optional<execution_report>{out.report});
    }

    net::awaitable<void> do_cancel(cancel_intent c, venue_callback<execution_report> done) {
        auto params = binance::order_cancel_params(c, std::nullopt, 0);
        if (!params) {
            done(params.error());
            co_return;
        }
        strip_timestamp(*params);
        auto r = co_await client_.send(signed_request(rest::http_method::del, "/api/v3/order", *params));
        if (!r) {
            done(r.error());
            co_return;
        }
        if (refusal(*r)) {
            done(make_error_code(venue_errc::cancel_refused));
            co_return;
        }
        binance::order_response out;
        if (!decoder_.decode_order(r->body, {}, out)) {
            done(make_error_code(venue_errc::bad_answer));
            co_return;
        }
        out.report.venue = venue_;
        done(out.report);
    }

    net::awaitable<void> do_open_orders(venue_callback<std::vector<execution_report>> done) {
        auto params = binance::open_orders_params(symbol{}, std::nullopt, 0);
        strip_timestamp(params);
        auto req = signed_request(rest::http_method::get, "/api/v3/openOrders", params);
        req.weight = 80;
        auto r = co_await client_.send(std::move(req));
        if (!r) {
            done(r.error());
            co_return;
        }
        std::vector<binance::order_response> orders;
        if (r->status != 200 || !decoder_.decode_orders(r->body, {}, orders)) {
            done(make_error_code(venue_errc::bad_answer));
            co_return;
        }
        std::vector<execution_report> out;
        for (auto& o : orders) {
            o.report.venue = venue_;
            out.push_back(o.report);
        }
        done(out);
    }

    static std::optional<decimal> dec_field(simdjson::dom::object o, const char* key) {
        std::string_view s;
        if (o[key].get_string().get(s))
            return std::nullopt;
        auto d = decimal::parse(s);
        return d ? std::optional<decimal>{*d} : std::nullopt;
    }

    net::awaitable<void> do_my_trades(symbol sym, std::uint64_t from,
                                      venue_callback<std::vector<db::fill_record>> done) {
        rest::request req;
        req.path = "/api/v3/myTrades";
        req.query = "symbol=" + sym.str() + (from ? "&fromId=" + std::to_string(from) : std::string{});
        req.is_signed = true;
        req.weight = 20;
        auto r = co_await client_.send(std::move(req));
        if (!r) {
            done(r.error());
            co_return;
        }
        simdjson::dom::parser parser;
        simdjson::dom::array arr;
        if (r->status != 200 || parser.parse(r->body).get_array().get(arr)) {
            done(make_error_code(venue_errc::bad_answer));
            co_return;
        }
        std::vector<db::fill_record> out;
        for (simdjson::dom::element e : arr) {
            simdjson::dom::object o;
            std::uint64_t id = 0, order_id = 0;
            bool buyer = false, maker = false;
            std::string_view commission_asset;
            auto price = e.get_object().get(o) ? std::nullopt : dec_field(o, "price");
            auto qty = price ? dec_field(o, "qty") : std::nullopt;
            auto commission = qty ? dec_field(o, "commission") : std::nullopt;
            if (!commission || o["id"].get_uint64().get(id) || o["orderId"].get_uint64().get(order_id) ||
                o["isBuyer"].get_bool().get(buyer) || o["isMaker"].get_bool().get(maker) ||
                o["commissionAsset"].get_string().get(commission_asset)) {
                done(make_error_code(venue_errc::bad_answer));
                co_return;
            }
            db::fill_record f;
            f.venue = venue_;
            f.sym = sym;
            f.trade_id = id;
            f.order_id = order_id;
            f.order_side = buyer ? side::buy : side::sell;
            f.price = *price;
            f.quantity = *qty;
            f.commission = *commission;
            f.commission_asset = asset::truncating(commission_asset);
            f.is_maker = maker;
            out.push_back(f);
        }
        done(out);
    }

    net::awaitable<void> do_account(venue_callback<std::vector<balance>> done) {
        rest::request req;
        req.path = "/api/v3/account";
        req.is_signed = true;
        req.weight = 20;
        auto r = co_await client_.send(std::move(req));
        if (!r) {
            done(r.error());
            co_return;
        }
        simdjson::dom::parser parser;
        simdjson::dom::array arr;
        if (r->status != 200 || parser.parse(r->body)["balances"].get_array().get(arr)) {
            done(make_error_code(venue_errc::bad_answer));
            co_return;
        }
        std::vector<balance> out;
        for (simdjson::dom::element e : arr) {
            simdjson::dom::object o;
            std::string_view name;
            if (e.get_object().get(o) || o["asset"].get_string().get(name)) {
                done(make_error_code(venue_errc::bad_answer));
                co_return;
            }
            auto free = dec_field(o, "free");
            auto locked = dec_field(o, "locked");
            if (!free || !locked) {
                done(make_error_code(venue_errc::bad_answer));
                co_return;
            }
            out.push_back({asset::truncating(name), *free, *locked});
        }
        done(out);
    }

public:
    std::atomic<int> placements{0};

    rest_order_venue(net::io_context& ioc, rest::http_client& client, venue_id venue)
            : ioc_(ioc), client_(client), venue_(venue) {}

    void place(const order_intent& intent, venue_callback<execution_report> done) override {
        ++placements;
        run(do_place(intent, std::move(done)));
    }
    void cancel(const cancel_intent& intent, venue_callback<execution_report> done) override {
        run(do_cancel(intent, std::move(done)));
    }
    void query(const symbol& sym, const client_order_id& id,
               venue_callback<std::optional<execution_report>> done) override {
        run(do_query(sym, id, std::move(done)));
    }
    void open_orders(venue_callback<std::vector<execution_report>> done) override {
        run(do_open_orders(std::move(done)));
    }
    void my_trades(const symbol& sym, std::uint64_t from, venue_callback<std::vector<db::fill_record>> done) override {
        run(do_my_trades(sym, from, std::move(done)));
    }
    void account(venue_callback<std::vector<balance>> done) override { run(do_account(std::move(done))); }
};

class OmsSimIntegrationTest : public ::testing::Test {
protected:
    temp_dir dir;
    manual_clock clk;
    task_queue queue;
    std::unique_ptr<sim::sim_server> srv;
    net::io_context ioc;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
    std::thread io_thread;
    resilience::steady_timer_service timers;
    std::optional<rest::http_client> client;
    std::unique_ptr<rest_order_venue> venue;
    std::unique_ptr<db::database> db;
    std::unique_ptr<oms> o;
    const venue_id sim_venue = venue_id::truncating("sim");

    void SetUp() override {
        auto cfg = sim::default_server_config(1);
        cfg.agents_enabled = false;
        srv = std::make_unique<sim::sim_server>(cfg);
        auto started = srv->start();
        ASSERT_FALSE(started.has_error()) << started.error().message();

        rest::http_client_options opt;
        opt.venue = "sim";
        opt.base_urls = srv->urls().rest;
        opt.tls.ca_file = srv->ca_file();
        opt.request_timeout = std::chrono::seconds{5};
        auto c = rest::http_client::create(ioc.get_executor(), real_clock::instance(), timers, opt);
        ASSERT_TRUE(c) << c.error().message();
        client.emplace(std::move(*c));
        auto s = rest::signer::hmac_sha256(rest::secret("sim-test-secret-key"));
        ASSERT_TRUE(s);
        client->set_credentials("sim-test-api-key", std::move(*s));
        work.emplace(ioc.get_executor());
        io_thread = std::thread([this] { ioc.run(); });
        venue = std::make_unique<rest_order_venue>(ioc, *client, sim_venue);

        db::db_config dc;
        dc.primary = dir / "primary.db";
        dc.clock = &clk;
        auto d = db::database::open(dc);
        ASSERT_TRUE(d) << d.error().message();
        db = std::move(*d);

        oms_config oc;
        oc.venue = sim_venue;
        oc.ids.instance = "itest";
        oc.symbols = {{btc, asset::truncating("BTC"), asset::truncating("USDT")}};
        oms_deps deps;
        deps.clk = &clk;
        deps.db = db.get();
        deps.venue = venue.get();
        deps.post = queue.poster();
        o = std::make_unique<oms>(oc, std::move(deps));
    }

    void TearDown() override {
        o.reset();
        queue.run_pending();
        work.reset();
        ioc.stop();
        if (io_thread.joinable())
            io_thread.join();
        client.reset();
        if (srv)
            srv->stop();
    }

    std::vector<genesis::sim::order_record> sim_orders(const client_order_id& id) {
        std::vector<genesis::sim::order_record> out;
        srv->with_exchange([&](genesis::sim::exchange& ex) {
            const auto acc = ex.find_account("sim-test-api-key");
            if (!acc)
                return;
            for (const auto& r : ex.order_records(*acc))
                if (r.client_id == id)
                    out.push_back(r);
        });
        return out;
    }
};

TEST_F(OmsSimIntegrationTest, placeLostAckIsLookedUpAndKnownExactlyOnce) {
    std::optional<result<void>> started;
    o->start([&](result<void> r) { started = r; });
    ASSERT_TRUE(queue.run_until([&] { return started.has_value(); }));
    ASSERT_TRUE(*started) << o->health().reason;
    ASSERT_TRUE(o->health().accepting());

    // The sim places the order, then answers 503: the answer is lost.
    sim::fault_rule lost;
    lost.kind = sim::fault_kind::lost_ack;
    lost.target = "/api/v3/order";
    lost.method = "POST";
    lost.status = 503;
    lost.max_count = 1;
    sim::fault_config faults;
    faults.rules = {lost};
    srv->set_faults(faults);

    auto intent = limit_intent(side::buy, "0.001", "50000");
    intent.venue = sim_venue;
    auto id = o->submit(intent);
    ASSERT_TRUE(id) << id.error().message();
    ASSERT_TRUE(queue.run_until([&] { return o->find(*id)->status != st::pending_new; }));
    // Resolved by a lookup: found on the venue, working, never sent twice.
    ASSERT_TRUE(queue.run_until([&] { return o->find(*id)->status == st::new_; })) << to_string(o->find(*id)->status);
    EXPECT_EQ(o->stats().unknown_outcomes, 1u);
    EXPECT_EQ(o->stats().resolved_found, 1u);
    EXPECT_EQ(venue->placements.load(), 1);
    auto truth = sim_orders(*id);
    ASSERT_EQ(truth.size(), 1u);
    EXPECT_EQ(o->find(*id)->order_id, truth[0].order_id);

    // It is an ordinary working order now: cancel it through the OMS.
    ASSERT_TRUE(o->cancel(*id));
    ASSERT_TRUE(queue.run_until([&] { return o->find(*id)->status == st::canceled; }));
    truth = sim_orders(*id);
    ASSERT_EQ(truth.size(), 1u);
    EXPECT_EQ(truth[0].status, st::canceled);
    EXPECT_EQ(o->stats().invalid_transitions, 0u);
}

TEST_F(OmsSimIntegrationTest, startAdoptsOurOpenOrderWhoseIntentWasNeverJournaled) {
    // A previous run of this instance placed an order and died before journaling it.
    const auto id = client_order_id::truncating("gn-itest-77");
    srv->with_exchange([&](genesis::sim::exchange& ex) {
        auto acc = ex.find_account("sim-test-api-key");
        ASSERT_TRUE(acc);
        genesis::sim::new_order_request req;
        req.sym = btc;
        req.client_id = id;
        req.order_side = side::buy;
        req.type = order_type::limit;
        req.tif = time_in_force::gtc;
        req.price = dec("40000");
        req.quantity = dec("0.001");
        ASSERT_TRUE(ex.new_order(*acc, req));
    });
    std::optional<result<void>> started;
    o->start([&](result<void> r) { started = r; });
    ASSERT_TRUE(queue.run_until([&] { return started.has_value(); }));
    ASSERT_TRUE(*started) << o->health().reason;
    const auto* adopted = o->find(id);
    ASSERT_NE(adopted, nullptr);
    EXPECT_TRUE(adopted->adopted);
    EXPECT_EQ(adopted->status, st::new_);
    EXPECT_EQ(o->stats().recon[static_cast<std::size_t>(recon_kind::adopted_order)], 1u);
    // The venue's balances were taken.
    EXPECT_TRUE(o->book().balance_of(asset::truncating("USDT")).has_value());
}

} // namespace
} // namespace genesis::gateway
