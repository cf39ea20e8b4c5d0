// Integration tests of genesis-sim's server over real TLS sockets on 127.0.0.1 (ephemeral ports).
#include "genesis/sim/server/sim_server.hpp"

#include "genesis/sim/server/server_errors.hpp"
#include "genesis/sim/server/tls_identity.hpp"
#include "server_test_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace genesis::sim::test {
namespace {

TEST_F(SimServerTest, startPrintsUrlsAndWritesCa) {
    start();
    EXPECT_EQ(srv->urls().rest.size(), 2u);
    EXPECT_TRUE(srv->urls().ws_api.ends_with("/ws-api/v3"));
    json ready(srv->ready_json());
    ASSERT_TRUE(ready.ok);
    EXPECT_EQ(str_of(ready["ca_file"]), srv->ca_file());
    EXPECT_TRUE(srv->ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    // Verifies against the CA both as "localhost" and as 127.0.0.1.
    https_client by_name(srv->urls().rest[0], srv->ca_file(), "localhost");
    EXPECT_EQ(by_name.request("GET", "/api/v3/ping").status, 200);
    https_client wrong_name(srv->urls().rest[0], srv->ca_file(), "example.com");
    EXPECT_TRUE(wrong_name.request("GET", "/api/v3/ping", {}, {}, 2s).ec);
}

TEST_F(SimServerTest, startFailsCleanlyOnBusyPort) {
    start();
    EXPECT_EQ(srv->start().error(), make_error_code(server_errc::already_started));
    server_config busy = cfg;
    busy.rest[0].port = static_cast<std::uint16_t>(std::stoi(split_url(srv->urls().rest[0]).second));
    sim_server other(busy, ex_cfg);
    auto r = other.start();
    ASSERT_TRUE(r.has_error());
    EXPECT_EQ(r.error(), make_error_code(server_errc::bind_failed));
    other.stop(); // no thread to join: returns at once
    other.wait();
}

TEST_F(SimServerTest, restPublicEndpoints) {
    start();
    for (std::size_t i = 0; i < 2; ++i) {
        auto c = rest(i);
        auto ping = c.request("GET", "/api/v3/ping");
        EXPECT_EQ(ping.status, 200);
        EXPECT_EQ(ping.body, "{}");
        EXPECT_FALSE(ping.header("x-mbx-used-weight-1m").empty());
    }
    auto c = rest();
    auto t = c.request("GET", "/api/v3/time");
    json tj(t.body);
    EXPECT_NEAR(static_cast<double>(int_of(tj["serverTime"])), static_cast<double>(now_ms()), 5000.0);

    auto info = c.request("GET", "/api/v3/exchangeInfo");
    ASSERT_EQ(info.status, 200);
    json ij(info.body);
    simdjson::dom::array syms;
    ASSERT_EQ(ij["symbols"].get(syms), simdjson::SUCCESS);
    EXPECT_EQ(syms.size(), 2u);

    auto depth = c.request("GET", "/api/v3/depth?symbol=BTCUSDT&limit=5");
    ASSERT_EQ(depth.status, 200) << depth.body;
    json dj(depth.body);
    EXPECT_GT(int_of(dj["lastUpdateId"]), 0);
    simdjson::dom::array bids;
    ASSERT_EQ(dj["bids"].get(bids), simdjson::SUCCESS);
    EXPECT_LE(bids.size(), 5u);
    EXPECT_EQ(depth.header("x-mbx-used-weight-1m"), "26"); // time 1 + exchangeInfo 20 + depth 5

    EXPECT_EQ(c.request("GET", "/api/v3/trades?symbol=ETHUSDT&limit=3").status, 200);
    auto bt = c.request("GET", "/api/v3/ticker/bookTicker?symbol=ETHUSDT");
    ASSERT_EQ(bt.status, 200);
    EXPECT_EQ(str_of(json(bt.body)["symbol"]), "ETHUSDT");

    auto bad = c.request("GET", "/api/v3/depth?symbol=NOPE");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(int_of(json(bad.body)["code"]), -1121);
    auto missing = c.request("GET", "/api/v3/depth");
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(int_of(json(missing.body)["code"]), -1102);
    EXPECT_EQ(c.request("GET", "/api/v3/nothing").status, 404);
}

TEST_F(SimServerTest, restSignedEndpointsCheckSignature) {
    start();
    auto c = rest();
    auto acc = c.request("GET", "/api/v3/account?" + sign("omitZeroBalances=true"), {}, key_header());
    ASSERT_EQ(acc.status, 200) << acc.body;
    json aj(acc.body);
    simdjson::dom::array balances;
    ASSERT_EQ(aj["balances"].get(balances), simdjson::SUCCESS);
    EXPECT_EQ(balances.size(), 3u);

    auto wrong = c.request("GET", "/api/v3/account?" + sign("", "not-the-secret"), {}, key_header());
    EXPECT_EQ(wrong.status, 400);
    EXPECT_EQ(int_of(json(wrong.body)["code"]), -1022);

    auto no_key = c.request("GET", "/api/v3/account?" + sign(""));
    EXPECT_EQ(int_of(json(no_key.body)["code"]), -2014);
    EXPECT_EQ(no_key.status, 401);
    auto bad_key = c.request("GET", "/api/v3/account?" + sign(""), {}, key_header("who-is-this"));
    EXPECT_EQ(int_of(json(bad_key.body)["code"]), -2015);

    auto stale = "timestamp=" + std::to_string(now_ms() - 60'000);
    auto old = c.request("GET", "/api/v3/account?" + stale + "&signature=" + hmac_hex("sim-test-secret-key", stale), {},
                         key_header());
    EXPECT_EQ(int_of(json(old.body)["code"]), -1021);

    auto open = c.request("GET", "/api/v3/openOrders?" + sign("symbol=BTCUSDT"), {}, key_header());
    EXPECT_EQ(open.status, 200);
    EXPECT_EQ(open.body, "[]");
    auto trades = c.request("GET", "/api/v3/myTrades?" + sign("symbol=BTCUSDT"), {}, key_header());
    EXPECT_EQ(trades.status, 200);
    EXPECT_EQ(trades.body, "[]");
}

TEST_F(SimServerTest, orderRoundTripInQueryAndBody) {
    start();
    auto c = rest();
    // A resting buy far below the market, parameters in the form body.
    auto placed = c.request("POST", "/api/v3/order",
                            sign("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000"
                                 "&newClientOrderId=rt-1"),
                            key_header());
    ASSERT_EQ(placed.status, 200) << placed.body;
    EXPECT_EQ(placed.header("x-mbx-order-count-10s"), "1");
    EXPECT_EQ(placed.header("x-mbx-order-count-1d"), "1");
    json pj(placed.body);
    const std::int64_t id = int_of(pj["orderId"]);
    EXPECT_EQ(str_of(pj["status"]), "NEW");
    EXPECT_EQ(str_of(pj["clientOrderId"]), "rt-1");

    auto q = c.request("GET", "/api/v3/order?" + sign("symbol=BTCUSDT&origClientOrderId=rt-1"), {}, key_header());
    ASSERT_EQ(q.status, 200) << q.body;
    EXPECT_EQ(int_of(json(q.body)["orderId"]), id);

    auto open = c.request("GET", "/api/v3/openOrders?" + sign(""), {}, key_header());
    ASSERT_EQ(open.status, 200);
    EXPECT_NE(open.body.find("\"rt-1\""), std::string::npos);

    auto dup = c.request("POST",
                         "/api/v3/order?" + sign("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&"
                                                 "price=50000&newClientOrderId=rt-1"),
                         {}, key_header());
    EXPECT_EQ(dup.status, 400);
    EXPECT_EQ(int_of(json(dup.body)["code"]), -2010);

    auto cancel =
        c.request("DELETE", "/api/v3/order?" + sign("symbol=BTCUSDT&orderId=" + std::to_string(id)), {}, key_header());
    ASSERT_EQ(cancel.status, 200) << cancel.body;
    EXPECT_EQ(str_of(json(cancel.body)["status"]), "CANCELED");
    auto again =
        c.request("DELETE", "/api/v3/order?" + sign("symbol=BTCUSDT&orderId=" + std::to_string(id)), {}, key_header());
    EXPECT_EQ(int_of(json(again.body)["code"]), -2011);

    // A marketable order fills against the agents' book and shows up in myTrades.
    auto market =
        c.request("POST", "/api/v3/order",
                  sign("symbol=ETHUSDT&side=BUY&type=MARKET&quantity=0.01&newOrderRespType=FULL"), key_header());
    ASSERT_EQ(market.status, 200) << market.body;
    EXPECT_EQ(str_of(json(market.body)["status"]), "FILLED");
    auto mine = c.request("GET", "/api/v3/myTrades?" + sign("symbol=ETHUSDT"), {}, key_header());
    ASSERT_EQ(mine.status, 200);
    json mj(mine.body);
    simdjson::dom::array fills;
    ASSERT_EQ(mj.root.get(fills), simdjson::SUCCESS);
    EXPECT_GE(fills.size(), 1u);

    auto none = c.request("DELETE", "/api/v3/openOrders?" + sign("symbol=BTCUSDT"), {}, key_header());
    EXPECT_EQ(int_of(json(none.body)["code"]), -2011);

    auto s = stats();
    EXPECT_EQ(int_of(s->root["accounts"].at(0)["orders"]["accepted"].value()), 2);
    EXPECT_EQ(int_of(s->root["accounts"].at(0)["orders"]["rejected"].value()), 1);
}

TEST_F(SimServerTest, depthDiffsChainFromSnapshotToTheSimsBook) {
    cfg.agent_interval = 5ms;
    start();
    ws_client ws(srv->urls().ws_streams, "/ws/btcusdt@depth@100ms", srv->ca_file());
    ASSERT_TRUE(ws.ok()) << ws.error().message();
    auto first = ws.next(3s);
    ASSERT_TRUE(first);
    json fj(*first);
    const std::int64_t first_U = int_of(fj["U"]);

    auto c = rest();
    auto snap = c.request("GET", "/api/v3/depth?symbol=BTCUSDT&limit=5000");
    json sj(snap.body);
    std::int64_t book_id = int_of(sj["lastUpdateId"]);
    ASSERT_GE(book_id, first_U - 1);
    side_map bids, asks;
    apply_side(bids, sj["bids"].get_array().value());
    apply_side(asks, sj["asks"].get_array().value());

    // Buffered and live events: skip the old ones, the first applied one must straddle the snapshot.
    std::vector<std::string> events{*first};
    bool straddled = false;
    std::int64_t prev_u = 0;
    std::int64_t target = -1;
    int applied = 0;
    const auto deadline = std::chrono::steady_clock::now() + 8s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (events.empty()) {
            auto e = ws.next(2s);
            ASSERT_TRUE(e) << "no depth event";
            events.push_back(*e);
        }
        json ej(events.front());
        events.erase(events.begin());
        ASSERT_EQ(str_of(ej["e"]), "depthUpdate");
        const std::int64_t U = int_of(ej["U"]), u = int_of(ej["u"]);
        if (u <= book_id)
            continue;
        if (!straddled) {
            ASSERT_LE(U, book_id + 1);
            straddled = true;
        } else {
            ASSERT_EQ(U, prev_u + 1) << "diffs must chain";
        }
        apply_side(bids, ej["b"].get_array().value());
        apply_side(asks, ej["a"].get_array().value());
        prev_u = u;
        book_id = u;
        ++applied;
        // After a few windows, freeze the market and catch up with the sim's own update id.
        if (applied == 5) {
            srv->set_agents_enabled(false);
            srv->with_exchange([&](exchange& ex) {
                target = static_cast<std::int64_t>(ex.depth(symbol::truncating("BTCUSDT"), 1)->last_update_id);
            });
        }
        if (target >= 0 && u == target)
            break;
    }
    ASSERT_EQ(prev_u, target);
    book_snapshot truth;
    srv->with_exchange([&](exchange& ex) { truth = *ex.depth(symbol::truncating("BTCUSDT"), 0); });
    ASSERT_EQ(static_cast<std::int64_t>(truth.last_update_id), prev_u);
    ASSERT_EQ(bids.size(), truth.bids.size());
    ASSERT_EQ(asks.size(), truth.asks.size());
    for (const auto& l : truth.bids)
        EXPECT_EQ(bids[l.price.to_string_fixed()], l.quantity.to_string_fixed());
    for (const auto& l : truth.asks)
        EXPECT_EQ(asks[l.price.to_string_fixed()], l.quantity.to_string_fixed());
}

TEST_F(SimServerTest, combinedStreamSubscribeAndList) {
    start();
    ws_client ws(srv->urls().ws_streams, "/stream?streams=btcusdt@trade", srv->ca_file());
    ASSERT_TRUE(ws.ok()) << ws.error().message();
    ASSERT_TRUE(ws.send(R"({"method":"SUBSCRIBE","params":["btcusdt@bookTicker","ethusdt@depth5"],"id":1})"));
    ASSERT_TRUE(ws.send(R"({"method":"LIST_SUBSCRIPTIONS","id":2})"));
    ASSERT_TRUE(ws.send(R"({"method":"SUBSCRIBE","params":["nope@trade"],"id":3})"));
    std::map<std::int64_t, std::string> replies;
    bool got_ticker = false, got_partial = false;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    // Move the best bid so a bookTicker event is certain.
    bool moved = false;
    while (std::chrono::steady_clock::now() < deadline && (replies.size() < 3 || !got_ticker || !got_partial)) {
        auto m = ws.next(1s);
        if (!m)
            continue;
        json j(*m);
        ASSERT_TRUE(j.ok) << *m;
        simdjson::dom::element id;
        if (j.root["id"].get(id) == simdjson::SUCCESS) {
            replies[int_of(id)] = *m;
            if (int_of(id) == 1 && !moved) {
                moved = true;
                srv->with_exchange([](exchange& ex) {
                    auto acc = ex.find_account("sim-test-api-key");
                    auto bb = ex.book_ticker(symbol::truncating("BTCUSDT"));
                    new_order_request r;
                    r.sym = symbol::truncating("BTCUSDT");
                    r.type = order_type::limit;
                    r.tif = time_in_force::gtc;
                    r.price = *bb->bid.price.add(decimal::from_raw(1'000'000));
                    r.quantity = decimal::from_raw(100'000);
                    (void)ex.new_order(*acc, r);
                });
            }
            continue;
        }
        const std::string stream = str_of(j["stream"]);
        if (stream == "btcusdt@bookTicker")
            got_ticker = true;
        if (stream == "ethusdt@depth5") {
            got_partial = true;
            EXPECT_GT(int_of(j["data"]["lastUpdateId"].value()), 0);
        }
    }
    ASSERT_EQ(replies.size(), 3u);
    EXPECT_EQ(replies[1], R"({"result":null,"id":1})");
    json list(replies[2]);
    simdjson::dom::array names;
    ASSERT_EQ(list["result"].get(names), simdjson::SUCCESS);
    std::vector<std::string> got;
    for (auto n : names)
        got.push_back(str_of(n));
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, (std::vector<std::string>{"btcusdt@bookTicker", "btcusdt@trade", "ethusdt@depth5"}));
    EXPECT_NE(replies[3].find("\"error\""), std::string::npos);
    EXPECT_TRUE(got_ticker);
    EXPECT_TRUE(got_partial);
}

TEST_F(SimServerTest, invalidStreamPathIsRefused) {
    start();
    ws_client bad(srv->urls().ws_streams, "/ws/NOTASYMBOL@trade", srv->ca_file(), 2s);
    EXPECT_FALSE(bad.ok());
    ws_client raw(srv->urls().ws_streams, "/ws/ethusdt@aggTrade", srv->ca_file());
    EXPECT_TRUE(raw.ok());
}

TEST_F(SimServerTest, wsApiOrderPlaceAndUserDataSubscription) {
    start();
    ws_client ws(srv->urls().ws_api.substr(0, srv->urls().ws_api.find("/ws-api")), "/ws-api/v3", srv->ca_file());
    ASSERT_TRUE(ws.ok()) << ws.error().message();
    std::vector<std::string> events;
    ASSERT_TRUE(ws.send(ws_signed("userDataStream.subscribe.signature", {}, "sub")));
    auto sub = reply_for(ws, "sub", events);
    ASSERT_TRUE(sub);
    json sj(*sub);
    EXPECT_EQ(int_of(sj["status"]), 200) << *sub;
    const std::int64_t sub_id = int_of(sj["result"]["subscriptionId"].value());

    ASSERT_TRUE(ws.send(ws_signed("order.place",
                                  {{"symbol", "BTCUSDT"},
                                   {"side", "BUY"},
                                   {"type", "LIMIT"},
                                   {"timeInForce", "GTC"},
                                   {"quantity", "0.001"},
                                   {"price", "50000"},
                                   {"newClientOrderId", "ws-1"}},
                                  "place")));
    auto placed = reply_for(ws, "place", events);
    ASSERT_TRUE(placed);
    json pj(*placed);
    EXPECT_EQ(int_of(pj["status"]), 200) << *placed;
    EXPECT_EQ(str_of(pj["result"]["clientOrderId"].value()), "ws-1");
    simdjson::dom::array limits;
    ASSERT_EQ(pj["rateLimits"].get(limits), simdjson::SUCCESS);
    EXPECT_EQ(limits.size(), 3u);

    // The executionReport arrives in the subscription envelope.
    bool seen = false;
    for (int i = 0; i < 20 && !seen; ++i) {
        std::string m;
        if (!events.empty()) {
            m = events.front();
            events.erase(events.begin());
        } else if (auto n = ws.next(2s)) {
            m = *n;
        } else {
            break;
        }
        json ej(m);
        if (str_of(ej["event"]["e"].value()) == "executionReport") {
            EXPECT_EQ(int_of(ej["subscriptionId"]), sub_id);
            EXPECT_EQ(str_of(ej["event"]["c"].value()), "ws-1");
            EXPECT_EQ(str_of(ej["event"]["X"].value()), "NEW");
            seen = true;
        }
    }
    EXPECT_TRUE(seen);

    ASSERT_TRUE(ws.send(ws_signed("order.status", {{"symbol", "BTCUSDT"}, {"origClientOrderId", "ws-1"}}, "st")));
    auto status = reply_for(ws, "st", events);
    ASSERT_TRUE(status);
    EXPECT_EQ(str_of(json(*status)["result"]["status"].value()), "NEW");

    ASSERT_TRUE(ws.send(ws_signed("account.status", {}, "acc", "wrong-secret")));
    auto bad = reply_for(ws, "acc", events);
    ASSERT_TRUE(bad);
    EXPECT_EQ(int_of(json(*bad)["error"]["code"].value()), -1022);

    ASSERT_TRUE(ws.send("{not json"));
    auto junk = ws.next(2s);
    ASSERT_TRUE(junk);
    EXPECT_EQ(int_of(json(*junk)["error"]["code"].value()), -1135);

    ASSERT_TRUE(ws.send(ws_signed("order.cancel", {{"symbol", "BTCUSDT"}, {"origClientOrderId", "ws-1"}}, "cx")));
    auto cx = reply_for(ws, "cx", events);
    ASSERT_TRUE(cx);
    EXPECT_EQ(str_of(json(*cx)["result"]["status"].value()), "CANCELED");
}

TEST_F(SimServerTest, wsApiEd25519LogonThenUnsignedRequests) {
    start();
    ws_client ws(srv->urls().ws_api.substr(0, srv->urls().ws_api.find("/ws-api")), "/ws-api/v3", srv->ca_file());
    ASSERT_TRUE(ws.ok());
    const std::string ts = std::to_string(now_ms());
    const std::string payload = "apiKey=" + std::string(ed25519_test_api_key) + "&timestamp=" + ts;
    const std::string sig = ed25519_sign_base64(ed25519_test_private_key_pem(), payload);
    ASSERT_FALSE(sig.empty());
    ws.send(R"({"id":"logon","method":"session.logon","params":{"apiKey":")" + std::string(ed25519_test_api_key) +
            R"(","timestamp":)" + ts + R"(,"signature":")" + sig + R"("}})");
    std::vector<std::string> others;
    auto logon = reply_for(ws, "logon", others);
    ASSERT_TRUE(logon);
    EXPECT_EQ(int_of(json(*logon)["status"]), 200) << *logon;

    ws.send(R"({"id":"sub","method":"userDataStream.subscribe"})");
    auto sub = reply_for(ws, "sub", others);
    ASSERT_TRUE(sub);
    EXPECT_EQ(int_of(json(*sub)["status"]), 200) << *sub;

    ws.send(R"({"id":"acc","method":"account.status","params":{"timestamp":)" + std::to_string(now_ms()) + "}}");
    auto acc = reply_for(ws, "acc", others);
    ASSERT_TRUE(acc);
    EXPECT_EQ(int_of(json(*acc)["status"]), 200) << *acc;
}

TEST_F(SimServerTest, listenKeyUserDataStream) {
    start();
    auto c = rest();
    auto lk = c.request("POST", "/api/v3/userDataStream", {}, key_header());
    ASSERT_EQ(lk.status, 200) << lk.body;
    const std::string key = str_of(json(lk.body)["listenKey"]);
    ASSERT_FALSE(key.empty());
    ws_client ws(srv->urls().ws_streams, "/ws/" + key, srv->ca_file());
    ASSERT_TRUE(ws.ok());
    EXPECT_EQ(c.request("PUT", "/api/v3/userDataStream?listenKey=" + key, {}, key_header()).status, 200);
    // ws_client has connected: the session is registered once the handshake completed.
    auto placed =
        c.request("POST", "/api/v3/order",
                  sign("symbol=ETHUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.01&price=9000"), key_header());
    ASSERT_EQ(placed.status, 200) << placed.body;
    bool report = false, position = false;
    for (int i = 0; i < 10 && !(report && position); ++i) {
        auto m = ws.next(2s);
        if (!m)
            break;
        json j(*m);
        report |= str_of(j["e"]) == "executionReport";
        position |= str_of(j["e"]) == "outboundAccountPosition";
    }
    EXPECT_TRUE(report);
    EXPECT_TRUE(position);
    EXPECT_EQ(c.request("DELETE", "/api/v3/userDataStream?listenKey=" + key, {}, key_header()).status, 200);
    auto gone = c.request("PUT", "/api/v3/userDataStream?listenKey=" + key, {}, key_header());
    EXPECT_EQ(int_of(json(gone.body)["code"]), -1125);
}

TEST_F(SimServerTest, rateLimit429ThenBan418) {
    cfg.limits.weight_per_minute = 5;
    cfg.limits.ban_after_violations = 2;
    cfg.limits.ban_duration = 60s;
    // Put the server's clock one second into a minute so the window cannot roll over mid-test.
    const std::int64_t now = now_ms();
    cfg.faults.clock_skew = std::chrono::milliseconds((now / 60'000 + 1) * 60'000 + 1000 - now);
    start();
    auto c = rest();
    for (int i = 1; i <= 5; ++i) {
        auto r = c.request("GET", "/api/v3/ping");
        ASSERT_EQ(r.status, 200);
        EXPECT_EQ(r.header("x-mbx-used-weight-1m"), std::to_string(i));
    }
    auto limited = c.request("GET", "/api/v3/ping");
    EXPECT_EQ(limited.status, 429);
    EXPECT_EQ(int_of(json(limited.body)["code"]), -1003);
    EXPECT_FALSE(limited.header("retry-after").empty());
    EXPECT_EQ(c.request("GET", "/api/v3/ping").status, 429); // first violation
    auto banned = c.request("GET", "/api/v3/ping");          // second: banned
    EXPECT_EQ(banned.status, 418);
    EXPECT_GE(std::stoll(banned.header("retry-after")), 59);
    EXPECT_EQ(c.request("GET", "/api/v3/time").status, 418);
    // Another connection is another client under key = "connection".
    auto other = rest(1);
    EXPECT_EQ(other.request("GET", "/api/v3/ping").status, 200);
    auto s = stats();
    EXPECT_EQ(int_of(s->root["rate_limits"]["bans"].value()), 1);
    EXPECT_EQ(int_of(s->root["rate_limits"]["rejected_418"].value()), 2);
}

TEST_F(SimServerTest, orderCountLimit) {
    cfg.limits.orders_per_10s = 2;
    const std::int64_t now = now_ms();
    cfg.faults.clock_skew = std::chrono::milliseconds((now / 10'000 + 1) * 10'000 + 500 - now);
    start();
    auto c = rest();
    // recvWindow covers the skew (the server runs up to 10 s ahead here).
    const std::string o =
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000&recvWindow=60000";
    EXPECT_EQ(c.request("POST", "/api/v3/order", sign(o), key_header()).status, 200);
    EXPECT_EQ(c.request("POST", "/api/v3/order", sign(o), key_header()).status, 200);
    auto third = c.request("POST", "/api/v3/order", sign(o), key_header());
    EXPECT_EQ(third.status, 429);
    EXPECT_EQ(int_of(json(third.body)["code"]), -1015);
}

} // namespace
} // namespace genesis::sim::test
