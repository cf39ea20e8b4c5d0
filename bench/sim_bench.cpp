// genesis-sim-bench: capacity of genesis-sim on this machine, printed as a table (not Google
// Benchmark). The sim runs in a child process (this program re-executed with --serve), so the
// sim's I/O thread and the client's I/O thread compete for the machine's cores like two separate
// programs would. Two tests, loopback only, each bounded in time:
//   throughput   one TLS WebSocket client on a combined stream of every high-rate stream of both
//                symbols; messages/s and MB/s over a fixed window, median of N runs.
//   connections  N concurrent TLS WebSocket connections, one stream each; handshake rate, sim RSS,
//                how many still receive data after a hold, and how many answer a ping.
#include "genesis/sim/server/sim_server.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using ws_stream = websocket::stream<ssl::stream<beast::tcp_stream>>;
using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

inline constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

struct options {
    std::string mode = "all"; // all, throughput, connections
    double duration_s = 10;   // throughput window
    double warmup_s = 2;
    int runs = 3;
    double agent_rate = 20'000; // agent actions per second and symbol (throughput)
    int agent_interval_ms = 5;  // how often the sim runs the agents
    int connections = 5000;
    int parallel = 32; // handshakes in flight
    double hold_s = 10;
    bool serve = false;             // child mode: run the sim
    bool trace = false;             // throughput: messages per 100 ms on stderr
    bool coalesce = true;           // the sim gathers queued frames into one TLS write (--no-coalesce: one per frame)
    int max_queued_frames = 10'000; // the sim's slow-consumer limit
};

void usage() {
    std::cerr << "usage: genesis-sim-bench [throughput|connections|all] [--duration S] [--warmup S] [--runs N]\n"
                 "                         [--agent-rate R] [--agent-interval-ms MS] [--connections N]\n"
                 "                         [--parallel N] [--hold S] [--trace] [--no-coalesce]\n"
                 "                         [--max-queued-frames N]\n";
}

std::optional<options> parse_args(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto num = [&](double& out) {
            if (i + 1 >= argc)
                return false;
            char* end = nullptr;
            out = std::strtod(argv[++i], &end);
            return end != nullptr && *end == '\0';
        };
        double v = 0;
        if (a == "throughput" || a == "connections" || a == "all")
            o.mode = std::string(a);
        else if (a == "--serve")
            o.serve = true;
        else if (a == "--trace")
            o.trace = true;
        else if (a == "--no-coalesce")
            o.coalesce = false;
        else if (a == "--max-queued-frames" && num(v))
            o.max_queued_frames = std::max(1, static_cast<int>(v));
        else if (a == "--duration" && num(v))
            o.duration_s = v;
        else if (a == "--warmup" && num(v))
            o.warmup_s = v;
        else if (a == "--runs" && num(v))
            o.runs = std::max(1, static_cast<int>(v));
        else if (a == "--agent-rate" && num(v))
            o.agent_rate = v;
        else if (a == "--agent-interval-ms" && num(v))
            o.agent_interval_ms = std::max(1, static_cast<int>(v));
        else if (a == "--connections" && num(v))
            o.connections = std::max(1, static_cast<int>(v));
        else if (a == "--parallel" && num(v))
            o.parallel = std::max(1, static_cast<int>(v));
        else if (a == "--hold" && num(v))
            o.hold_s = v;
        else
            return std::nullopt;
    }
    return o;
}

// --- the sim, in the child ------------------------------------------------------------------

// Runs the sim with the agents at the requested rate until SIGTERM; prints the ready line.
int serve(const options& o) {
    using namespace genesis::sim;
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    exchange_config ex = default_config();
    for (auto& m : ex.agents.markets)
        m.orders_per_second = o.agent_rate;
    // After a stall (this machine is shared) the agents catch up on at most 4 intervals; a
    // longer catch-up would queue a burst past the sim's 10,000-frame slow-consumer limit.
    ex.agents.max_actions_per_advance =
        std::max<std::size_t>(1, static_cast<std::size_t>(o.agent_rate * 4 * o.agent_interval_ms / 1000));
    server::server_config sc = server::default_server_config();
    sc.agent_interval = std::chrono::milliseconds(o.agent_interval_ms);
    sc.ws.coalesce_writes = o.coalesce;
    sc.ws.max_queued_frames = static_cast<std::size_t>(o.max_queued_frames);
    // 5,000 connections from one IP at once: Binance's 300 attempts per 5 minutes would refuse them.
    sc.ws.max_connection_attempts = 0;
    // Warnings (a dropped slow consumer) go to stderr; the child is not on a trading path.
    auto log = spdlog::stderr_logger_mt("sim");
    log->set_level(spdlog::level::warn);
    server::sim_server sim(std::move(sc), std::move(ex), log);
    if (auto r = sim.start(); !r) {
        std::cerr << "genesis-sim-bench: sim cannot start: " << r.error().message() << "\n";
        return 1;
    }
    std::cout << sim.ready_json() << std::endl;
    int sig = 0;
    sigwait(&signals, &sig);
    sim.stop();
    return 0;
}

// --- the child process, seen from the parent ------------------------------------------------

std::string json_field(const std::string& json, std::string_view key) {
    const std::string k = "\"" + std::string(key) + "\":";
    auto p = json.find(k);
    if (p == std::string::npos)
        return {};
    p += k.size();
    if (json[p] == '"') {
        const auto e = json.find('"', p + 1);
        return json.substr(p + 1, e - p - 1);
    }
    const auto e = json.find_first_of(",}", p);
    return json.substr(p, e - p);
}

struct sim_child {
    pid_t pid = -1;
    std::string host;
    std::string port;
    std::string ca_file;

    ~sim_child() { stop(); }
    void stop() {
        if (pid <= 0)
            return;
        kill(pid, SIGTERM);
        int status = 0;
        waitpid(pid, &status, 0);
        pid = -1;
    }
};

// Re-executes this program with --serve and waits (bounded) for its ready line.
bool start_child(const options& o, sim_child& c) {
    int fds[2];
    if (pipe(fds) != 0)
        return false;
    const std::string rate = std::to_string(o.agent_rate);
    const std::string interval = std::to_string(o.agent_interval_ms);
    const pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        const std::string queued = std::to_string(o.max_queued_frames);
        std::vector<const char*> args = {
            "genesis-sim-bench",   "--serve",        "--agent-rate",        rate.c_str(),
            "--agent-interval-ms", interval.c_str(), "--max-queued-frames", queued.c_str()};
        if (!o.coalesce)
            args.push_back("--no-coalesce");
        args.push_back(nullptr);
        execv("/proc/self/exe", const_cast<char* const*>(args.data()));
        _exit(127);
    }
    close(fds[1]);
    c.pid = pid;
    std::string line;
    const auto deadline = clock_type::now() + 30s;
    char ch = 0;
    while (clock_type::now() < deadline) {
        pollfd p{fds[0], POLLIN, 0};
        if (poll(&p, 1, 1000) <= 0)
            continue;
        if (read(fds[0], &ch, 1) != 1)
            break;
        if (ch == '\n')
            break;
        line += ch;
    }
    close(fds[0]);
    const std::string url = json_field(line, "ws_streams"); // wss://127.0.0.1:PORT
    const auto colon = url.rfind(':');
    if (url.size() < 7 || colon == std::string::npos)
        return false;
    c.host = url.substr(6, colon - 6);
    c.port = url.substr(colon + 1);
    c.ca_file = json_field(line, "ca_file");
    return true;
}

// Resident set size (VmRSS) and its peak (VmHWM) of a process, in MiB.
std::pair<double, double> rss_mib(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    double rss = 0, hwm = 0;
    while (std::getline(f, line)) {
        if (line.starts_with("VmRSS:"))
            rss = std::atof(line.c_str() + 6) / 1024.0;
        else if (line.starts_with("VmHWM:"))
            hwm = std::atof(line.c_str() + 6) / 1024.0;
    }
    return {rss, hwm};
}

// CPU seconds (user + system) a process has used so far.
double cpu_seconds(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto rp = s.rfind(')');
    if (rp == std::string::npos)
        return 0;
    std::istringstream in(s.substr(rp + 2));
    std::string field;
    double utime = 0, stime = 0;
    // Fields after the command: state is field 3; utime and stime are fields 14 and 15.
    for (int i = 3; i <= 15 && in >> field; ++i) {
        if (i == 14)
            utime = std::atof(field.c_str());
        if (i == 15)
            stime = std::atof(field.c_str());
    }
    return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double self_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double seconds_since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

double median(std::vector<double> v) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// --- client side ----------------------------------------------------------------------------

// Connects, verifies the sim's certificate against its CA and upgrades to target.
net::awaitable<error_code> open_ws(ssl::context& ctx, const sim_child& sim, const tcp::endpoint& ep,
                                   const std::string& target, std::unique_ptr<ws_stream>& out) {
    auto ws = std::make_unique<ws_stream>(co_await net::this_coro::executor, ctx);
    auto& low = beast::get_lowest_layer(*ws);
    // Connect and TLS under one deadline; the sim's own handshake timeout is 10 s.
    low.expires_after(30s);
    if (auto [ec] = co_await low.async_connect(ep, use_tuple); ec)
        co_return ec;
    // Verify the certificate for the address we dialled (no SNI for an IP address).
    ws->next_layer().set_verify_callback(ssl::host_name_verification(sim.host));
    if (auto [ec] = co_await ws->next_layer().async_handshake(ssl::stream_base::client, use_tuple); ec)
        co_return ec;
    low.expires_never();
    ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    if (auto [ec] = co_await ws->async_handshake(sim.host + ":" + sim.port, target, use_tuple); ec)
        co_return ec;
    out = std::move(ws);
    co_return error_code{};
}

void setup_tls(ssl::context& ctx, const std::string& ca_file) {
    ctx.set_verify_mode(ssl::verify_peer);
    ctx.load_verify_file(ca_file);
}

// --- throughput -----------------------------------------------------------------------------

struct flow {
    std::uint64_t msgs = 0;
    std::uint64_t bytes = 0;
    bool counting = false;
    bool done = false;
    bool trace = false; // print messages per 100 ms
    error_code ec;      // why the reader stopped (before the window ended)
};

net::awaitable<void> read_flow(ws_stream& ws, flow& f) {
    beast::flat_buffer buffer;
    const auto start = clock_type::now();
    std::int64_t slot = 0;
    std::uint64_t in_slot = 0;
    for (;;) {
        auto [ec, n] = co_await ws.async_read(buffer, use_tuple);
        if (ec) {
            if (!f.done)
                f.ec = ec;
            co_return;
        }
        if (f.trace) {
            // A timeline shows bursts (the sim drops a client more than 10,000 frames behind).
            const auto s =
                std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start).count() / 100;
            if (s != slot) {
                std::fprintf(stderr, "t=%.1fs %llu msgs\n", static_cast<double>(slot) / 10,
                             static_cast<unsigned long long>(in_slot));
                slot = s;
                in_slot = 0;
            }
            ++in_slot;
        }
        if (f.counting) {
            ++f.msgs;
            f.bytes += n;
        }
        buffer.consume(n);
    }
}

struct throughput_result {
    double msgs_per_s = 0;
    double mb_per_s = 0;
    double sim_cpu = 0; // share of one core during the window
    double client_cpu = 0;
    std::string error;
};

const std::vector<std::string>& throughput_streams() {
    static const std::vector<std::string> s = [] {
        std::vector<std::string> v;
        for (std::string sym : {"btcusdt", "ethusdt"})
            for (std::string suffix : {"@trade", "@aggTrade", "@bookTicker", "@depth@100ms", "@depth20@100ms"})
                v.push_back(sym + suffix);
        return v;
    }();
    return s;
}

net::awaitable<void> throughput_once(ssl::context& ctx, const sim_child& sim, const tcp::endpoint& ep, const options& o,
                                     throughput_result& r) {
    std::string target = "/stream?streams=";
    for (std::size_t i = 0; i < throughput_streams().size(); ++i)
        target += (i == 0 ? "" : "/") + throughput_streams()[i];
    std::unique_ptr<ws_stream> ws;
    if (auto ec = co_await open_ws(ctx, sim, ep, target, ws); ec) {
        r.error = "connect: " + ec.message();
        co_return;
    }
    flow f;
    f.trace = o.trace;
    net::co_spawn(co_await net::this_coro::executor, read_flow(*ws, f), net::detached);
    net::steady_timer t(co_await net::this_coro::executor);
    // Warm up (the agents' books fill, the TLS record sizes settle), then count over the window.
    t.expires_after(std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.warmup_s)));
    co_await t.async_wait(use_tuple);
    const double sim_cpu0 = cpu_seconds(sim.pid);
    const double self_cpu0 = self_cpu_seconds();
    const auto t0 = clock_type::now();
    f.counting = true;
    t.expires_after(std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.duration_s)));
    co_await t.async_wait(use_tuple);
    f.counting = false;
    f.done = true;
    const double secs = seconds_since(t0);
    r.msgs_per_s = static_cast<double>(f.msgs) / secs;
    r.mb_per_s = static_cast<double>(f.bytes) / 1e6 / secs;
    r.sim_cpu = (cpu_seconds(sim.pid) - sim_cpu0) / secs;
    r.client_cpu = (self_cpu_seconds() - self_cpu0) / secs;
    if (f.ec)
        r.error = "stream ended: " + f.ec.message();
    error_code ignored;
    beast::get_lowest_layer(*ws).socket().close(ignored);
    // Let the reader see the close before ws goes away.
    t.expires_after(50ms);
    co_await t.async_wait(use_tuple);
}

int run_throughput(const options& o, const sim_child& sim, const tcp::endpoint& ep) {
    std::cout << "\n# throughput: 1 client, combined stream of " << throughput_streams().size()
              << " streams (trade, aggTrade, bookTicker, depth@100ms, depth20@100ms on BTCUSDT and ETHUSDT)\n"
              << "# agents: " << o.agent_rate << " actions/s per symbol, run every " << o.agent_interval_ms
              << " ms; window " << o.duration_s << " s after " << o.warmup_s << " s warm-up\n"
              << "# sim writes: " << (o.coalesce ? "coalesced (queued frames share one TLS write)" : "one per frame")
              << ", slow-consumer limit " << o.max_queued_frames << " frames\n\n";
    std::printf("| run | msgs/s | MB/s | sim CPU | client CPU | note |\n|---:|---:|---:|---:|---:|---|\n");
    std::vector<double> rates, mbs, scpu, ccpu;
    int failures = 0;
    for (int i = 0; i < o.runs; ++i) {
        net::io_context ioc(1);
        ssl::context ctx(ssl::context::tls_client);
        setup_tls(ctx, sim.ca_file);
        throughput_result r;
        net::co_spawn(ioc, throughput_once(ctx, sim, ep, o, r), net::detached);
        ioc.run();
        std::printf("| %d | %.0f | %.2f | %.0f%% | %.0f%% | %s |\n", i + 1, r.msgs_per_s, r.mb_per_s, r.sim_cpu * 100,
                    r.client_cpu * 100, r.error.empty() ? "" : r.error.c_str());
        std::fflush(stdout);
        if (!r.error.empty())
            ++failures;
        rates.push_back(r.msgs_per_s);
        mbs.push_back(r.mb_per_s);
        scpu.push_back(r.sim_cpu);
        ccpu.push_back(r.client_cpu);
    }
    std::printf("| **median** | **%.0f** | **%.2f** | %.0f%% | %.0f%% | |\n", median(rates), median(mbs),
                median(scpu) * 100, median(ccpu) * 100);
    return failures == 0 ? 0 : 1;
}

// --- connections ----------------------------------------------------------------------------

struct connection {
    std::unique_ptr<ws_stream> ws;
    std::uint64_t frames = 0;
    bool open = false;
    bool pong = false;
};

struct fleet {
    std::vector<connection> conns;
    std::size_t next = 0;
    int workers_done = 0;
    std::vector<double> handshake_ms;
    std::map<std::string, int> failures;
    bool closing = false;
};

net::awaitable<void> read_connection(connection& c, fleet& f) {
    beast::flat_buffer buffer;
    for (;;) {
        auto [ec, n] = co_await c.ws->async_read(buffer, use_tuple);
        if (ec) {
            c.open = false;
            if (!f.closing)
                ++f.failures["closed while held: " + ec.message()];
            co_return;
        }
        ++c.frames;
        buffer.consume(n);
    }
}

net::awaitable<void> connector(ssl::context& ctx, const sim_child& sim, const tcp::endpoint& ep, fleet& f) {
    while (f.next < f.conns.size()) {
        const std::size_t i = f.next++;
        connection& c = f.conns[i];
        // Half the connections on each symbol's 1 s partial book: one frame per second each.
        const std::string target = i % 2 == 0 ? "/ws/btcusdt@depth5" : "/ws/ethusdt@depth5";
        const auto t0 = clock_type::now();
        if (auto ec = co_await open_ws(ctx, sim, ep, target, c.ws); ec) {
            ++f.failures["connect: " + ec.message()];
            continue;
        }
        f.handshake_ms.push_back(seconds_since(t0) * 1e3);
        c.open = true;
        c.ws->control_callback([&c](websocket::frame_type kind, beast::string_view) {
            if (kind == websocket::frame_type::pong)
                c.pong = true;
        });
        net::co_spawn(co_await net::this_coro::executor, read_connection(c, f), net::detached);
    }
    ++f.workers_done;
}

net::awaitable<void> ping_one(connection& c) {
    if (auto [ec] = co_await c.ws->async_ping({}, use_tuple); ec)
        c.open = false;
}

std::size_t count_if_conn(const fleet& f, auto pred) {
    return static_cast<std::size_t>(std::count_if(f.conns.begin(), f.conns.end(), pred));
}

net::awaitable<void> connections_run(ssl::context& ctx, const sim_child& sim, const tcp::endpoint& ep, const options& o,
                                     fleet& f) {
    const auto ex = co_await net::this_coro::executor;
    net::steady_timer t(ex);
    const auto [rss0, hwm0] = rss_mib(sim.pid);
    const double sim_cpu0 = cpu_seconds(sim.pid);
    const double self_cpu0 = self_cpu_seconds();
    const auto t0 = clock_type::now();
    for (int i = 0; i < o.parallel; ++i)
        net::co_spawn(ex, connector(ctx, sim, ep, f), net::detached);
    while (f.workers_done < o.parallel) {
        t.expires_after(20ms);
        co_await t.async_wait(use_tuple);
    }
    const double connect_s = seconds_since(t0);
    const double sim_cpu_connect = (cpu_seconds(sim.pid) - sim_cpu0) / connect_s;
    const double self_cpu_connect = (self_cpu_seconds() - self_cpu0) / connect_s;
    const auto [rss1, hwm1] = rss_mib(sim.pid);
    const std::size_t established = f.handshake_ms.size();

    // Hold: every connection should keep receiving its 1 s partial book.
    for (auto& c : f.conns)
        c.frames = 0;
    const double sim_cpu1 = cpu_seconds(sim.pid);
    t.expires_after(std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.hold_s)));
    co_await t.async_wait(use_tuple);
    const double sim_cpu_hold = (cpu_seconds(sim.pid) - sim_cpu1) / o.hold_s;
    const std::size_t still_open = count_if_conn(f, [](const connection& c) { return c.open; });
    const std::size_t with_data = count_if_conn(f, [](const connection& c) { return c.open && c.frames > 0; });
    std::uint64_t frames = 0;
    for (const auto& c : f.conns)
        frames += c.frames;
    const auto [rss2, hwm2] = rss_mib(sim.pid);

    // Ping every open connection; the reader answers nothing itself, it sees the pongs.
    const auto tp = clock_type::now();
    for (auto& c : f.conns)
        if (c.open)
            net::co_spawn(ex, ping_one(c), net::detached);
    while (count_if_conn(f, [](const connection& c) { return c.pong; }) < still_open && seconds_since(tp) < 10) {
        t.expires_after(20ms);
        co_await t.async_wait(use_tuple);
    }
    const double ping_s = seconds_since(tp);
    const std::size_t pongs = count_if_conn(f, [](const connection& c) { return c.pong; });

    std::printf("| metric | value |\n|---|---:|\n");
    std::printf("| connections requested / established | %d / %zu |\n", o.connections, established);
    std::printf("| time to establish all | %.2f s |\n", connect_s);
    std::printf("| handshake rate (TCP + TLS 1.3 + WS upgrade) | %.0f /s |\n",
                static_cast<double>(established) / connect_s);
    std::printf("| handshake latency p50 / p99 (%d in flight) | %.1f / %.1f ms |\n", o.parallel,
                percentile(f.handshake_ms, 0.5), percentile(f.handshake_ms, 0.99));
    std::printf("| CPU while connecting: sim / client | %.0f%% / %.0f%% |\n", sim_cpu_connect * 100,
                self_cpu_connect * 100);
    std::printf("| sim RSS idle -> all connected -> after hold | %.1f -> %.1f -> %.1f MiB |\n", rss0, rss1, rss2);
    std::printf("| sim RSS per connection | %.1f KiB |\n",
                established == 0 ? 0.0 : (rss2 - rss0) * 1024 / static_cast<double>(established));
    std::printf("| open after %.0f s hold | %zu |\n", o.hold_s, still_open);
    std::printf("| received data during hold | %zu (%.0f frames/s in total) |\n", with_data,
                static_cast<double>(frames) / o.hold_s);
    std::printf("| sim CPU during hold | %.0f%% |\n", sim_cpu_hold * 100);
    std::printf("| answered a ping (pong) | %zu in %.2f s |\n", pongs, ping_s);
    int failed = 0;
    for (const auto& [why, n] : f.failures) {
        std::printf("| failure: %s | %d |\n", why.c_str(), n);
        failed += n;
    }
    if (failed == 0)
        std::printf("| failures | 0 |\n");
    std::fflush(stdout);

    f.closing = true;
    for (auto& c : f.conns)
        if (c.ws) {
            error_code ignored;
            beast::get_lowest_layer(*c.ws).socket().close(ignored);
        }
}

int run_connections(const options& o, const sim_child& sim, const tcp::endpoint& ep) {
    std::cout << "\n# connections: " << o.connections << " TLS WebSocket connections, each on one <sym>@depth5 "
              << "(1 frame/s), " << o.parallel << " handshakes in flight, hold " << o.hold_s << " s\n\n";
    net::io_context ioc(1);
    ssl::context ctx(ssl::context::tls_client);
    setup_tls(ctx, sim.ca_file);
    fleet f;
    f.conns.resize(static_cast<std::size_t>(o.connections));
    net::co_spawn(ioc, connections_run(ctx, sim, ep, o, f), net::detached);
    ioc.run();
    const bool ok = f.handshake_ms.size() == f.conns.size() &&
                    std::all_of(f.conns.begin(), f.conns.end(), [](const connection& c) { return c.pong; });
    return ok ? 0 : 1;
}

void print_machine() {
    std::ifstream f("/proc/cpuinfo");
    std::string line, model;
    while (std::getline(f, line))
        if (line.starts_with("model name")) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    std::cout << "# machine: " << sysconf(_SC_NPROCESSORS_ONLN) << " CPUs, " << model << "; load average " << load[0]
              << " " << load[1] << " " << load[2] << "\n";
}

} // namespace

int main(int argc, char** argv) {
    auto o = parse_args(argc, argv);
    if (!o) {
        usage();
        return 2;
    }
    if (o->serve)
        return serve(*o);

    // Both processes need a descriptor per connection (the child inherits the limit).
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    if (o->mode != "throughput" && lim.rlim_cur < static_cast<rlim_t>(o->connections) + 100)
        std::cerr << "genesis-sim-bench: RLIMIT_NOFILE is only " << lim.rlim_cur << "\n";
    // A connection the sim drops must not kill the client with SIGPIPE.
    signal(SIGPIPE, SIG_IGN);

    print_machine();
    int rc = 0;
    if (o->mode == "all" || o->mode == "throughput") {
        sim_child sim;
        if (!start_child(*o, sim)) {
            std::cerr << "genesis-sim-bench: the sim did not start\n";
            return 1;
        }
        const tcp::endpoint ep(net::ip::make_address(sim.host), static_cast<std::uint16_t>(std::stoi(sim.port)));
        rc |= run_throughput(*o, sim, ep);
    }
    if (o->mode == "all" || o->mode == "connections") {
        // A fresh sim at the default agent rate (5 actions/s per symbol): the load is the fan-out.
        options co = *o;
        co.agent_rate = 5;
        co.agent_interval_ms = 50;
        sim_child sim;
        if (!start_child(co, sim)) {
            std::cerr << "genesis-sim-bench: the sim did not start\n";
            return 1;
        }
        const tcp::endpoint ep(net::ip::make_address(sim.host), static_cast<std::uint16_t>(std::stoi(sim.port)));
        rc |= run_connections(*o, sim, ep);
    }
    return rc;
}
