// Sessions against genesis-sim in-process: real TLS on loopback, the sim's CA, short timeouts.
// Every wait is on an event with a bounded deadline; nothing sleeps.
#include "genesis/ws/session.hpp"

#include "genesis/log/memory_sink.hpp"
#include "genesis/log/system.hpp"
#include "genesis/sim/server/sim_server.hpp"
#include "genesis/sim/server/tls_identity.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace genesis::ws {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;
namespace sim = genesis::sim::server;

struct received {
    std::string text;
    std::uint64_t connection = 0;
    time_point at;
};

// What a session reported, readable from the test thread.
struct recorder {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<received> frames;
    std::vector<ws_event> events;
    std::vector<ws_connection_end> ends;
    std::size_t ends_before_close = 0; // connection ends reported before the `closed` event

    session_handlers handlers() {
        return {[this](const ws_frame& f) {
                    std::lock_guard lock(mutex);
                    frames.push_back({std::string(f.text), f.connection, f.received});
                    cv.notify_all();
                },
                [this](const ws_event& e) {
                    std::lock_guard lock(mutex);
                    events.push_back(e);
                    cv.notify_all();
                },
                [this](const ws_connection_end& e) {
                    std::lock_guard lock(mutex);
                    ends.push_back(e);
                    ends_before_close += closed() ? 0 : 1;
                    cv.notify_all();
                }};
    }

    // Waits until pred() (called under the lock) holds, at most `timeout`.
    template <class Pred>
    bool wait(Pred pred, std::chrono::milliseconds timeout = 5s) {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, timeout, pred);
    }
    // For conditions on session stats, which change without a callback: re-check on each
    // callback and at least every 20 ms.
    template <class Pred>
    bool poll(Pred pred, std::chrono::milliseconds timeout = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::unique_lock lock(mutex);
        while (!pred()) {
            if (std::chrono::steady_clock::now() >= deadline)
                return false;
            cv.wait_for(lock, 20ms);
        }
        return true;
    }
    bool has_event(session_state s, ws_errc reason) const {
        for (const auto& e : events)
            if (e.state == s && e.reason == make_error_code(reason))
                return true;
        return false;
    }
    bool closed() const { return !events.empty() && events.back().state == session_state::closed; }
};

// U and u of a depth update (raw or wrapped in a combined-stream envelope).
std::optional<std::pair<std::uint64_t, std::uint64_t>> depth_ids(const std::string& text) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(text).get(root) != simdjson::SUCCESS)
        return std::nullopt;
    simdjson::dom::element data = root;
    if (simdjson::dom::element d; root["data"].get(d) == simdjson::SUCCESS)
        data = d;
    std::uint64_t first = 0, last = 0;
    if (data["U"].get(first) != simdjson::SUCCESS || data["u"].get(last) != simdjson::SUCCESS)
        return std::nullopt;
    return std::pair{first, last};
}

bool is_depth_snapshot(const std::string& text) { return text.find("\"lastUpdateId\"") != std::string::npos; }

class SessionTest : public ::testing::Test {
protected:
    sim::server_config cfg = sim::default_server_config();
    std::unique_ptr<sim::sim_server> srv;
    net::io_context ioc;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
    std::future<void> io_done;
    std::vector<std::pair<std::unique_ptr<session>, std::shared_ptr<recorder>>> sessions;

    SessionTest() {
        cfg.ws.ping_interval = 200ms;
        cfg.agent_interval = 20ms;
        cfg.handshake_timeout = 2s;
        cfg.limits.key = "connection";
    }

    void start_sim() {
        srv = std::make_unique<sim::sim_server>(cfg);
        auto r = srv->start();
        ASSERT_FALSE(r.has_error()) << r.error().message();
        // The session's I/O thread.
        work.emplace(ioc.get_executor());
        io_done = std::async(std::launch::async, [this] { ioc.run(); });
    }

    session_config base(const std::string& target, std::vector<std::string> streams = {}) {
        session_config c;
        c.name = "test";
        c.url = srv->urls().ws_streams + target;
        c.ca_file = srv->ca_file();
        c.streams = std::move(streams);
        c.connect_timeout = 2s;
        c.handshake_timeout = 2s;
        c.close_timeout = 500ms;
        c.keepalive_idle = 5s;
        c.rotate_after = 0s;
        c.backoff = {10ms, 200ms, 2.0};
        return c;
    }

    std::pair<session*, recorder*> make(session_config c, std::shared_ptr<reconnect_budget> budget = nullptr) {
        auto rec = std::make_shared<recorder>();
        auto s = std::make_unique<session>(ioc, std::move(c), rec->handlers(), real_clock::instance(), nullptr,
                                           std::move(budget));
        auto r = s->start();
        EXPECT_FALSE(r.has_error()) << r.error().message();
        sessions.emplace_back(std::move(s), rec);
        return {sessions.back().first.get(), rec.get()};
    }

    // Stops every session and checks that each reports `closed` within a bounded time, then that
    // the io_context runs out of work by itself (no timer or socket left behind).
    void TearDown() override {
        for (auto& [s, rec] : sessions) {
            s->stop();
            EXPECT_TRUE(rec->wait([&] { return rec->closed(); }, 3s)) << "session did not close";
        }
        work.reset();
        if (io_done.valid()) {
            EXPECT_EQ(io_done.wait_for(3s), std::future_status::ready) << "io_context still has work";
            ioc.stop();
            io_done.wait();
        }
        sessions.clear();
        if (srv)
            srv->stop();
    }

    static std::size_t depth_frames(const recorder& rec, std::uint64_t conn = 0) {
        std::size_t n = 0;
        for (const auto& f : rec.frames)
            if ((conn == 0 || f.connection == conn) && (depth_ids(f.text) || is_depth_snapshot(f.text)))
                ++n;
        return n;
    }
    // Connections that delivered at least one market data frame.
    static std::set<std::uint64_t> delivering(const recorder& rec) {
        std::set<std::uint64_t> out;
        for (const auto& f : rec.frames)
            if (depth_ids(f.text) || is_depth_snapshot(f.text))
                out.insert(f.connection);
        return out;
    }
};

TEST_F(SessionTest, startConnectsAndReceivesStreamFrames) {
    start_sim();
    auto [s, rec] = make(base("/ws", {"btcusdt@depth5@100ms"}));
    ASSERT_TRUE(rec->wait([&] { return depth_frames(*rec) >= 3; }));
    {
        std::lock_guard lock(rec->mutex);
        ASSERT_GE(rec->events.size(), 2u);
        EXPECT_EQ(rec->events[0].state, session_state::connecting);
        EXPECT_EQ(rec->events[1].state, session_state::open);
        EXPECT_FALSE(rec->events[1].reason);
        // The subscription was sent as a message and acknowledged.
        EXPECT_EQ(rec->frames.front().text, R"({"result":null,"id":1})");
        for (std::size_t i = 1; i < rec->frames.size(); ++i)
            EXPECT_LE(rec->frames[i - 1].at, rec->frames[i].at);
    }
    EXPECT_EQ(s->state(), session_state::open);
    const auto st = s->stats();
    EXPECT_GE(st.frames, 4u);
    EXPECT_GT(st.bytes, 100u);
    EXPECT_EQ(st.connects, 1u);
    EXPECT_EQ(st.reconnects, 0u);
    // A graceful stop is quick and ends with `closed`.
    const auto t0 = std::chrono::steady_clock::now();
    s->stop();
    ASSERT_TRUE(rec->wait([&] { return rec->closed(); }, 2s));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s);
    EXPECT_TRUE(rec->has_event(session_state::closed, ws_errc::stopped));
}

TEST_F(SessionTest, startUrlModeUsesCombinedStreamsAndSubscribeAddsMore) {
    start_sim();
    auto c = base("/stream", {"btcusdt@depth5@100ms"});
    c.mode = subscribe_mode::url;
    auto [s, rec] = make(c);
    ASSERT_TRUE(rec->wait([&] { return depth_frames(*rec) >= 2; }));
    {
        std::lock_guard lock(rec->mutex);
        EXPECT_NE(rec->frames.front().text.find(R"("stream":"btcusdt@depth5@100ms")"), std::string::npos);
    }
    s->subscribe({"ethusdt@depth5@100ms"});
    EXPECT_TRUE(rec->wait([&] {
        return std::any_of(rec->frames.begin(), rec->frames.end(), [](const received& f) {
            return f.text.find(R"("stream":"ethusdt@depth5@100ms")") != std::string::npos;
        });
    }));
    // The server's pings are answered (Beast) and counted.
    EXPECT_TRUE(rec->poll([&] { return s->stats().control_frames >= 1; }, 3s));
}

TEST_F(SessionTest, startRejectsBadConfiguration) {
    start_sim();
    auto bad_url = base("/ws");
    bad_url.url = "https://127.0.0.1/ws";
    recorder rec;
    session a(ioc, bad_url, rec.handlers());
    EXPECT_EQ(a.start().error(), make_error_code(ws_errc::invalid_url));
    auto plain = base("/ws");
    plain.url = "ws://127.0.0.1:1/ws";
    session b(ioc, plain, rec.handlers());
    EXPECT_EQ(b.start().error(), make_error_code(ws_errc::invalid_url));
    auto no_ca = base("/ws");
    no_ca.ca_file = ::testing::TempDir() + "no-such-ca.pem";
    session c(ioc, no_ca, rec.handlers());
    const auto err = c.start().error();
    EXPECT_EQ(err, make_error_code(ws_errc::ca_file_invalid));
    EXPECT_EQ(err, ws_condition::configuration);
    auto [ok, ok_rec] = make(base("/ws", {"btcusdt@depth5@100ms"}));
    EXPECT_EQ(ok->start().error(), make_error_code(ws_errc::already_started));
    // A session that never started still ends with `closed` (rec must outlive that callback).
    a.stop();
    b.stop();
    c.stop();
    EXPECT_TRUE(rec.wait([&] {
        return std::count_if(rec.events.begin(), rec.events.end(),
                             [](const ws_event& e) { return e.state == session_state::closed; }) == 3;
    }));
}

TEST_F(SessionTest, logsNeverContainTheUrlTarget) {
    start_sim();
    log::options opts;
    opts.level = "debug";
    log::system logs(opts);
    auto sink = std::make_shared<log::memory_sink>();
    logs.add_sink(sink);
    // A listenKey in the path is a secret. The sim refuses it (unknown key, invalid stream name).
    const std::string key = "Xq7pL2vR9sT4uW6yZ8aB1cD3eF5gH7iJ9kL1mN3oP5qR7sT9uV1wX3yZ5aB7cD9e";
    auto c = base("/ws/" + key);
    auto rec = std::make_shared<recorder>();
    auto s = std::make_unique<session>(ioc, c, rec->handlers(), real_clock::instance(), logs.get("ws.test"));
    ASSERT_FALSE(s->start().has_error());
    sessions.emplace_back(std::move(s), rec);
    ASSERT_TRUE(rec->wait([&] { return rec->has_event(session_state::degraded, ws_errc::ws_handshake_failed); }));
    sessions.back().first->stop();
    ASSERT_TRUE(rec->wait([&] { return rec->closed(); }, 3s));
    ASSERT_TRUE(logs.sync(2s));
    const std::string text = sink->text();
    EXPECT_NE(text.find("WebSocket upgrade refused"), std::string::npos) << text;
    EXPECT_NE(text.find("/ws/***"), std::string::npos) << text;
    EXPECT_EQ(text.find(key), std::string::npos) << text;
}

TEST_F(SessionTest, startRefusesACertificateFromAnotherCa) {
    start_sim();
    auto other = sim::make_tls_identity();
    ASSERT_TRUE(other.has_value());
    const std::string path = ::testing::TempDir() + "ws-test-other-ca.pem";
    ASSERT_FALSE(sim::write_text_file(path, other->ca_cert_pem).has_error());
    auto c = base("/ws", {"btcusdt@depth5@100ms"});
    c.ca_file = path;
    auto [s, rec] = make(c);
    ASSERT_TRUE(rec->wait([&] { return rec->has_event(session_state::degraded, ws_errc::certificate_rejected); }));
    EXPECT_GE(s->stats().errors_of(ws_errc::certificate_rejected), 1u);
    EXPECT_EQ(s->stats().frames, 0u);
    EXPECT_EQ(s->stats().connects, 0u);
}

TEST_F(SessionTest, startRefusesACertificateForAnotherHostName) {
    start_sim();
    auto wrong = base("/ws", {"btcusdt@depth5@100ms"});
    wrong.verify_host = "exchange.example.com";
    auto [s, rec] = make(wrong);
    ASSERT_TRUE(rec->wait([&] { return rec->has_event(session_state::degraded, ws_errc::certificate_rejected); }));
    EXPECT_EQ(s->stats().frames, 0u);
    // The certificate names "localhost": verifying that name (with SNI) succeeds.
    auto right = base("/ws", {"btcusdt@depth5@100ms"});
    right.verify_host = "localhost";
    auto [s2, rec2] = make(right);
    EXPECT_TRUE(rec2->wait([&] { return depth_frames(*rec2) >= 1; }));
}

TEST_F(SessionTest, sendTellsWhetherTheMessageWasWrittenOrNeverSent) {
    start_sim();
    auto [s, rec] = make(base("/ws"));
    std::mutex m;
    std::vector<std::pair<int, send_outcome>> outcomes;
    auto note = [&](int n) {
        return [&, n](send_outcome o, std::uint64_t) {
            std::lock_guard lock(m);
            outcomes.emplace_back(n, o);
            rec->cv.notify_all();
        };
    };
    auto told = [&](std::size_t n) {
        return rec->poll([&] {
            std::lock_guard lock(m);
            return outcomes.size() >= n;
        });
    };
    // Posted right behind start(): the connection cannot be open yet, so nothing is written.
    s->send(R"({"method":"LIST_SUBSCRIPTIONS","id":1})", note(1));
    ASSERT_TRUE(told(1));
    ASSERT_TRUE(rec->wait([&] { return !rec->events.empty() && rec->events.back().state == session_state::open; }));
    s->send(R"({"method":"LIST_SUBSCRIPTIONS","id":2})", note(2));
    ASSERT_TRUE(told(2));
    // The written one reached the sim: its answer comes back.
    ASSERT_TRUE(rec->wait([&] {
        return std::any_of(rec->frames.begin(), rec->frames.end(),
                           [](const received& f) { return f.text.find("\"id\":2") != std::string::npos; });
    }));
    s->stop();
    ASSERT_TRUE(rec->wait([&] { return rec->closed(); }, 3s));
    s->send(R"({"method":"LIST_SUBSCRIPTIONS","id":3})", note(3));
    ASSERT_TRUE(told(3));
    std::lock_guard lock(m);
    ASSERT_EQ(outcomes.size(), 3u);
    EXPECT_EQ(outcomes[0], std::pair(1, send_outcome::not_sent));
    EXPECT_EQ(outcomes[1], std::pair(2, send_outcome::written));
    EXPECT_EQ(outcomes[2], std::pair(3, send_outcome::not_sent));
    EXPECT_GE(s->stats().errors_of(ws_errc::not_connected), 1u);
}

TEST_F(SessionTest, reconnectRestoresSubscriptionsAfterServerDisconnect) {
    // The sim drops every stream connection 400 ms after it opens, without a close handshake.
    sim::fault_rule r;
    r.kind = sim::fault_kind::ws_disconnect;
    r.listener = "streams";
    r.interval = 400ms;
    cfg.faults.rules.push_back(r);
    start_sim();
    // Connect to bare /ws: frames only flow if the session re-sends SUBSCRIBE on each connection.
    auto [s, rec] = make(base("/ws", {"btcusdt@depth5@100ms"}));
    ASSERT_TRUE(rec->wait([&] { return delivering(*rec).size() >= 3; }, 8s));
    const auto st = s->stats();
    EXPECT_GE(st.reconnects, 2u);
    EXPECT_GE(st.connects, 3u);
    std::lock_guard lock(rec->mutex);
    std::size_t lost = 0;
    for (const auto& e : rec->events)
        if (e.state == session_state::degraded) {
            ++lost;
            EXPECT_EQ(e.reason, ws_condition::connection) << e.reason.message();
        }
    EXPECT_GE(lost, 2u);
}

TEST_F(SessionTest, watchdogTripsWhenTheStreamStalls) {
    start_sim();
    auto c = base("/ws", {"btcusdt@depth5@100ms"});
    c.idle_watchdog = 400ms;
    auto [s, rec] = make(c);
    ASSERT_TRUE(rec->wait([&] { return depth_frames(*rec) >= 2; }));
    // Stall the stream: its frames (and the pings queued behind them) are held for 10 s, while
    // the TCP connection stays up.
    sim::fault_config f;
    sim::fault_rule r;
    r.kind = sim::fault_kind::latency;
    r.listener = "streams";
    r.target = "btcusdt@depth5@100ms";
    r.latency_min = r.latency_max = 10s;
    f.rules.push_back(r);
    srv->set_faults(f);
    ASSERT_TRUE(rec->wait([&] { return rec->has_event(session_state::degraded, ws_errc::idle_timeout); }, 5s));
    EXPECT_GE(s->stats().watchdog_trips, 1u);
    EXPECT_GE(s->stats().errors_of(ws_errc::idle_timeout), 1u);
    // It reconnects by itself and the stream resumes once the stall is lifted.
    srv->set_faults({});
    EXPECT_TRUE(rec->wait([&] { return delivering(*rec).size() >= 2; }, 5s));
}

TEST_F(SessionTest, rotationDeliversAcrossTheSwitchWithoutAGap) {
    // The sim closes connections after 2 s (its stand-in for Binance's 24 h); the session rotates
    // every 600 ms, well before that.
    cfg.ws.connection_lifetime = 2s;
    start_sim();
    auto c = base("/ws", {"btcusdt@depth@100ms"});
    c.rotate_after = 600ms;
    c.rotation_overlap = 1s;
    auto [s, rec] = make(c);
    ASSERT_TRUE(rec->poll([&] { return s->stats().rotations >= 2 && delivering(*rec).size() >= 3; }, 8s));
    const auto st = s->stats();
    EXPECT_EQ(st.reconnects, 0u);
    EXPECT_EQ(st.errors_of(ws_errc::closed_by_peer), 0u);
    std::lock_guard lock(rec->mutex);
    for (const auto& e : rec->events)
        EXPECT_NE(e.state, session_state::degraded) << e.reason.message();
    EXPECT_TRUE(rec->has_event(session_state::open, ws_errc::rotated));
    // Dedup by the final update id u, as a book consumer does; the diffs must chain with no gap.
    std::map<std::uint64_t, std::uint64_t> by_last; // u -> U
    std::size_t duplicates = 0;
    for (const auto& f : rec->frames) {
        auto ids = depth_ids(f.text);
        if (ids && !by_last.emplace(ids->second, ids->first).second)
            ++duplicates;
    }
    ASSERT_GE(by_last.size(), 5u);
    std::uint64_t prev = 0;
    for (const auto& [u, first] : by_last) {
        if (prev != 0) {
            EXPECT_EQ(first, prev + 1) << "gap before U=" << first;
        }
        prev = u;
    }
    // Both connections delivered during each overlap: the consumer saw (and dropped) duplicates.
    EXPECT_GE(duplicates, 1u);
    RecordProperty("duplicates", static_cast<int>(duplicates));
}

TEST_F(SessionTest, aRetiredConnectionLostDuringItsLingerIsReportedAtOnce) {
    // The sim closes connections 3 s after they open; the session rotates at 400 ms and reads a
    // retired connection for 20 s, so the sim closes each retired one during its linger.
    cfg.ws.connection_lifetime = 3s;
    start_sim();
    auto c = base("/ws", {"btcusdt@depth@100ms"});
    c.rotate_after = 400ms;
    c.rotation_overlap = 1s;
    c.retire_linger = 20s;
    auto [s, rec] = make(c);
    const auto first_end = [&]() -> const ws_connection_end* {
        for (const auto& e : rec->ends)
            if (e.connection == 1)
                return &e;
        return nullptr;
    };
    // Connection 1 is retired at ~0.4 s and closed by the sim at ~3 s: reported then, not at the
    // end of its linger (~20 s).
    ASSERT_TRUE(rec->wait([&] { return first_end() != nullptr; }, 8s)) << "the retired connection's end was not told";
    {
        std::lock_guard lock(rec->mutex);
        const auto* e = first_end();
        EXPECT_TRUE(e->retired);
        EXPECT_EQ(e->reason, make_error_code(ws_errc::closed_by_peer)) << e->reason.message();
        // No state change: the session stayed open through it.
        for (const auto& ev : rec->events)
            EXPECT_NE(ev.state, session_state::degraded) << ev.reason.message();
    }
    EXPECT_GE(s->stats().rotations, 1u);
    // At stop every open connection's end is told (closed by us), before the final `closed`.
    s->stop();
    ASSERT_TRUE(rec->wait([&] { return rec->closed(); }, 3s));
    std::lock_guard lock(rec->mutex);
    EXPECT_EQ(rec->ends_before_close, rec->ends.size());
    ASSERT_FALSE(rec->ends.empty());
    EXPECT_EQ(rec->ends.back().reason, make_error_code(ws_errc::stopped)) << rec->ends.back().reason.message();
    std::set<std::uint64_t> ended;
    for (const auto& e : rec->ends)
        EXPECT_TRUE(ended.insert(e.connection).second) << "connection " << e.connection << " ended twice";
}

TEST_F(SessionTest, budgetSharedByAVenueCapsReconnects) {
    sim::fault_rule r;
    r.kind = sim::fault_kind::ws_disconnect;
    r.listener = "streams";
    r.interval = 300ms;
    cfg.faults.rules.push_back(r);
    start_sim();
    // Two sessions of one venue share 2 reconnects per minute.
    auto budget = std::make_shared<reconnect_budget>(2, std::chrono::minutes(1));
    auto [a, rec_a] = make(base("/ws", {"btcusdt@depth5@100ms"}), budget);
    auto [b, rec_b] = make(base("/ws", {"ethusdt@depth5@100ms"}), budget);
    ASSERT_TRUE(rec_a->poll([&] { return a->stats().budget_waits + b->stats().budget_waits >= 2; }, 8s));
    EXPECT_EQ(a->stats().reconnects + b->stats().reconnects, 2u);
    EXPECT_EQ(budget->used(real_clock::instance().now()), 2u);
    EXPECT_TRUE(rec_a->has_event(session_state::degraded, ws_errc::budget_exhausted) ||
                rec_b->has_event(session_state::degraded, ws_errc::budget_exhausted));
}

} // namespace
} // namespace genesis::ws
