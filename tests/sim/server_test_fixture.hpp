// The fixture of the server integration tests: a sim_server on ephemeral ports with short
// keep-alive intervals, clients, signing helpers and JSON access.
#pragma once

#include "genesis/sim/server/sim_server.hpp"

#include "server_test_clients.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace genesis::sim::test {

using namespace genesis::sim::server;
using namespace std::chrono_literals;

// A parsed JSON document that owns its parser.
struct json {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    bool ok = false;
    // Text that does not parse leaves an empty object as root: a lookup in it is an error (an
    // exception, so a failed test), never a read of an unusable document.
    explicit json(const std::string& text) {
        ok = parser.parse(text).get(root) == simdjson::SUCCESS;
        if (!ok && parser.parse(simdjson::padded_string(std::string_view("{}"))).get(root) != simdjson::SUCCESS)
            root = {};
    }
    simdjson::dom::element operator[](std::string_view k) const { return root[k].value(); }
};

inline std::int64_t int_of(simdjson::dom::element e) {
    std::int64_t v = 0;
    if (e.get(v) == simdjson::SUCCESS)
        return v;
    std::uint64_t u = 0;
    if (e.get(u) == simdjson::SUCCESS)
        return static_cast<std::int64_t>(u);
    return -999'999;
}

inline std::string str_of(simdjson::dom::element e) {
    std::string_view s;
    return e.get(s) == simdjson::SUCCESS ? std::string(s) : std::string{};
}

class SimServerTest : public ::testing::Test {
protected:
    server_config cfg = default_server_config(2);
    exchange_config ex_cfg = default_config();
    std::unique_ptr<sim_server> srv;

    SimServerTest() {
        cfg.ws.ping_interval = 200ms;
        cfg.ws.pong_timeout = 3s;
        cfg.limits.key = "connection";
        cfg.agent_interval = 20ms;
        cfg.handshake_timeout = 2s;
        add_ed25519_test_account(ex_cfg);
    }

    void start() {
        srv = std::make_unique<sim_server>(cfg, ex_cfg);
        auto r = srv->start();
        ASSERT_FALSE(r.has_error()) << r.error().message();
    }

    https_client rest(std::size_t i = 0) { return https_client(srv->urls().rest.at(i), srv->ca_file()); }

    static std::string sign(const std::string& params, const std::string& secret = "sim-test-secret-key") {
        const std::string p = params + (params.empty() ? "" : "&") + "timestamp=" + std::to_string(now_ms());
        return p + "&signature=" + hmac_hex(secret, p);
    }

    static headers_t key_header(const std::string& key = "sim-test-api-key") { return {{"X-MBX-APIKEY", key}}; }

    std::unique_ptr<json> stats() {
        auto r = http_plain(srv->urls().control, "GET", "/sim/stats");
        EXPECT_EQ(r.status, 200);
        auto j = std::make_unique<json>(r.body);
        EXPECT_TRUE(j->ok) << r.body;
        return j;
    }

    std::int64_t fault_count(const std::string& kind) {
        auto s = stats();
        return int_of(s->root["faults"][kind].value());
    }

    void set_faults(const std::string& body) {
        auto r = http_plain(srv->urls().control, "POST", "/sim/faults", body);
        ASSERT_EQ(r.status, 200) << r.body;
    }

    // The best bid of BTCUSDT from REST.
    std::string best_bid(https_client& c) {
        auto r = c.request("GET", "/api/v3/ticker/bookTicker?symbol=BTCUSDT");
        json j(r.body);
        return str_of(j["bidPrice"]);
    }
};

// Book levels of a depth JSON side into a map price -> qty.
using side_map = std::map<std::string, std::string>;
inline void apply_side(side_map& m, simdjson::dom::array levels) {
    for (auto lvl : levels) {
        const std::string p = str_of(lvl.at(0).value());
        const std::string q = str_of(lvl.at(1).value());
        if (q.find_first_not_of("0.") == std::string::npos)
            m.erase(p);
        else
            m[p] = q;
    }
}

inline std::string ws_signed(const std::string& method, std::map<std::string, std::string> params,
                             const std::string& id, const std::string& secret = "sim-test-secret-key") {
    params["apiKey"] = "sim-test-api-key";
    params["timestamp"] = std::to_string(now_ms());
    std::string payload;
    for (const auto& [k, v] : params)
        payload += (payload.empty() ? "" : "&") + k + "=" + v;
    params["signature"] = hmac_hex(secret, payload);
    std::string o = "{\"id\":\"" + id + "\",\"method\":\"" + method + "\",\"params\":{";
    bool first = true;
    for (const auto& [k, v] : params) {
        o += (first ? "" : ",") + ("\"" + k + "\":\"" + v + "\"");
        first = false;
    }
    return o + "}}";
}

// Reads frames until one whose "id" is id (others go to `others`).
inline std::optional<std::string> reply_for(ws_client& ws, const std::string& id, std::vector<std::string>& others,
                                            std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto m =
            ws.next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
        if (!m)
            return std::nullopt;
        if (m->find("\"id\":\"" + id + "\"") != std::string::npos)
            return m;
        others.push_back(*m);
    }
    return std::nullopt;
}

} // namespace genesis::sim::test
