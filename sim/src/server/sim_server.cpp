// The server's lifetime: TLS identity, listeners, accept loops, the agent and depth timers,
// the I/O thread and an orderly shutdown.
#include "genesis/sim/server/sim_server.hpp"

#include "genesis/sim/server/server_errors.hpp"
#include "genesis/sim/server/tls_identity.hpp"

#include "json_util.hpp"
#include "server_io.hpp"

#include <spdlog/logger.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

namespace genesis::sim::server {

server_config default_server_config(std::size_t rest_listeners) {
    server_config c;
    for (std::size_t i = 0; i < std::max<std::size_t>(1, rest_listeners); ++i)
        c.rest.push_back({"rest" + std::to_string(i), 0});
    return c;
}

namespace {

// Fixed seed of the Ed25519 test account: a published test key, never a secret.
constexpr unsigned char ed25519_test_seed[32] = {'g', 'e', 'n', 'e', 's', 'i', 's', '-', 's', 'i', 'm',
                                                 '-', 'e', 'd', '2', '5', '5', '1', '9', '-', 't', 'e',
                                                 's', 't', '-', 'k', 'e', 'y', '-', '0', '0', '1'};

struct listener {
    std::string name;
    tcp::acceptor acceptor;
    bool tls = true;
};

} // namespace

std::string ed25519_test_private_key_pem() {
    auto k = ed25519_from_seed(ed25519_test_seed);
    return k ? k->private_pem : std::string{};
}

void add_ed25519_test_account(exchange_config& cfg) {
    for (const auto& a : cfg.accounts)
        if (a.api_key == ed25519_test_api_key)
            return;
    auto k = ed25519_from_seed(ed25519_test_seed);
    if (!k)
        return;
    using namespace genesis::literals;
    account_config a;
    a.name = "test-ed25519";
    a.api_key = std::string(ed25519_test_api_key);
    a.secret_key = k->public_pem;
    a.balances = {{asset::truncating("USDT"), "100000"_d, {}},
                  {asset::truncating("BTC"), "1"_d, {}},
                  {asset::truncating("ETH"), "10"_d, {}}};
    cfg.accounts.push_back(std::move(a));
}

struct sim_server::impl {
    // Pure state first: destroyed last, after every I/O object and pending handler.
    server_state st;
    log::logger_ptr log;
    ssl::context tls{ssl::context::tls_server};
    server_urls urls;
    std::string ca_file;
    // The folder start() made for the CA file when none was configured: removed with the server.
    std::filesystem::path owned_ca_dir;
    std::string ca_pem;
    std::mutex mutex; // start/stop
    bool started = false;
    std::atomic<bool> running{false}; // the I/O thread was started
    bool stopped = false;
    std::promise<void> done;
    std::shared_future<void> done_future = done.get_future().share();

    std::unique_ptr<net::io_context> ioc = std::make_unique<net::io_context>(1);
    std::unique_ptr<server_io> io;
    std::vector<std::unique_ptr<listener>> listeners;
    std::unique_ptr<net::steady_timer> agent_timer;
    std::unique_ptr<net::steady_timer> fast_timer;
    std::unique_ptr<net::steady_timer> slow_timer;
    std::thread thread;

    impl(server_config cfg, exchange_config ex, log::logger_ptr l)
            : st(std::move(cfg), std::move(ex)), log(std::move(l)) {}

    ~impl() {
        shutdown();
        // I/O objects before the io_context, the io_context (and its pending coroutines) before
        // the state they reference.
        listeners.clear();
        agent_timer.reset();
        fast_timer.reset();
        slow_timer.reset();
        ioc.reset();
        io.reset();
        if (!owned_ca_dir.empty()) {
            std::error_code ec;
            std::filesystem::remove_all(owned_ca_dir, ec);
        }
    }

    result<void> bind(const std::string& name, std::uint16_t port, bool tls_listener) {
        boost::system::error_code ec;
        auto l = std::make_unique<listener>(listener{name, tcp::acceptor(*ioc), tls_listener});
        const tcp::endpoint ep(net::ip::make_address(st.cfg.host, ec), port);
        if (ec)
            return make_error_code(server_errc::bad_config);
        // Asio opens and accepts without SOCK_CLOEXEC: open the socket ourselves so that no
        // listener leaks into a child process (accept_loop does the same for accepted sockets).
        const int fd = ::socket(ep.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
        if (fd < 0)
            ec.assign(errno, boost::system::system_category());
        else
            l->acceptor.assign(ep.protocol(), fd, ec);
        if (!ec)
            l->acceptor.set_option(net::socket_base::reuse_address(true), ec);
        if (!ec)
            l->acceptor.bind(ep, ec);
        if (!ec)
            l->acceptor.listen(net::socket_base::max_listen_connections, ec);
        // accept4() in accept_loop must not block the I/O thread.
        if (!ec)
            l->acceptor.non_blocking(true, ec);
        if (ec) {
            if (log)
                log->error("sim: cannot listen on {}:{} ({}): {}", st.cfg.host, port, name, ec.message());
            return make_error_code(server_errc::bind_failed);
        }
        listeners.push_back(std::move(l));
        return {};
    }

    std::string url_of(const listener& l, std::string_view scheme) const {
        return std::string(scheme) + "://" + st.cfg.host + ":" + std::to_string(l.acceptor.local_endpoint().port());
    }

    net::awaitable<void> accept_loop(listener& l) {
        net::steady_timer backoff(*ioc);
        for (;;) {
            // Wait for a pending connection, then accept4() it close-on-exec and non-blocking in
            // one call (Asio's accept() would leave FD_CLOEXEC unset).
            auto [wec] = co_await l.acceptor.async_wait(tcp::acceptor::wait_read, use_tuple);
            if (io->stopping || !l.acceptor.is_open())
                co_return;
            if (wec)
                continue;
            const int fd = ::accept4(l.acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd < 0) {
                // Out of descriptors: the listener stays readable, so pause instead of spinning.
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    if (log)
                        log->warn("sim: accept on {} failed: {}", l.name, std::strerror(errno));
                    backoff.expires_after(std::chrono::milliseconds(50));
                    co_await backoff.async_wait(use_tuple);
                }
                continue; // EAGAIN (another wake-up took it), ECONNABORTED, EINTR
            }
            boost::system::error_code ec;
            tcp::socket sock(net::make_strand(*ioc));
            if (sock.assign(l.acceptor.local_endpoint(ec).protocol(), fd, ec); ec) {
                ::close(fd);
                continue;
            }
            sock.set_option(tcp::no_delay(true), ec);
            const auto ex = sock.get_executor();
            if (l.tls)
                net::co_spawn(ex, run_tls_connection(*io, l.name, std::move(sock)), net::detached);
            else
                net::co_spawn(ex, run_control_connection(*io, std::move(sock)), net::detached);
        }
    }

    net::awaitable<void> ticker(net::steady_timer& t, std::chrono::milliseconds period, int which) {
        auto next = std::chrono::steady_clock::now();
        for (;;) {
            next += period;
            t.expires_at(next);
            auto [ec] = co_await t.async_wait(use_tuple);
            if (ec || io->stopping)
                co_return;
            // A stalled loop does not try to catch up tick by tick.
            if (std::chrono::steady_clock::now() - next > period * 4)
                next = std::chrono::steady_clock::now();
            if (which == 0) {
                if (st.agents_enabled)
                    st.ex.advance_to(st.clk.wall());
            } else {
                st.hub.flush(which == 1);
            }
        }
    }

    result<void> start() {
        std::lock_guard lk(mutex);
        if (started)
            return make_error_code(server_errc::already_started);
        started = true;

        // A fresh CA and server certificate per run: nothing to install, nothing to leak.
        auto id = make_tls_identity({"localhost"}, {st.cfg.host == "127.0.0.1" ? st.cfg.host : "127.0.0.1"});
        if (!id)
            return id.error();
        ca_pem = id->ca_cert_pem;
        boost::system::error_code ec;
        tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                            ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                        ec);
        std::string chain = id->server_cert_pem + id->ca_cert_pem;
        tls.use_certificate_chain(net::buffer(chain), ec);
        if (!ec)
            tls.use_private_key(net::buffer(id->server_key_pem), ssl::context::pem, ec);
        if (ec)
            return make_error_code(server_errc::tls_failed);

        ca_file = st.cfg.ca_file;
        if (ca_file.empty()) {
            std::error_code fec;
            auto dir = std::filesystem::temp_directory_path(fec);
            if (fec)
                dir = "/tmp";
            static std::atomic<int> seq{0};
            owned_ca_dir = dir / ("genesis-sim-" + std::to_string(::getpid()) + "-" + std::to_string(seq++));
            ca_file = (owned_ca_dir / "ca.pem").string();
        }
        if (auto w = write_text_file(ca_file, ca_pem); !w)
            return w.error();

        io = std::make_unique<server_io>(server_io{st, *ioc, tls, log, false, 1, {}});

        std::vector<listener_config> rest = st.cfg.rest;
        if (rest.empty())
            rest.push_back({"rest0", 0});
        for (const auto& r : rest)
            if (auto b = bind(r.name, r.port, true); !b)
                return b;
        if (auto b = bind(st.cfg.streams.name, st.cfg.streams.port, true); !b)
            return b;
        if (auto b = bind(st.cfg.ws_api.name, st.cfg.ws_api.port, true); !b)
            return b;
        if (st.cfg.control_enabled)
            if (auto b = bind("control", st.cfg.control_port, false); !b)
                return b;

        for (std::size_t i = 0; i < rest.size(); ++i) {
            urls.rest.push_back(url_of(*listeners[i], "https"));
            urls.rest_names.push_back(listeners[i]->name);
        }
        urls.ws_streams = url_of(*listeners[rest.size()], "wss");
        urls.ws_api = url_of(*listeners[rest.size() + 1], "wss") + "/ws-api/v3";
        if (st.cfg.control_enabled)
            urls.control = url_of(*listeners[rest.size() + 2], "http");

        // Seed the agents' books now so that the first request already sees a market.
        if (st.agents_enabled)
            st.ex.advance_to(st.clk.wall());
        for (auto& l : listeners)
            net::co_spawn(*ioc, accept_loop(*l), net::detached);
        agent_timer = std::make_unique<net::steady_timer>(*ioc);
        fast_timer = std::make_unique<net::steady_timer>(*ioc);
        slow_timer = std::make_unique<net::steady_timer>(*ioc);
        net::co_spawn(*ioc, ticker(*agent_timer, st.cfg.agent_interval, 0), net::detached);
        net::co_spawn(*ioc, ticker(*fast_timer, st.cfg.depth_fast_interval, 1), net::detached);
        net::co_spawn(*ioc, ticker(*slow_timer, st.cfg.depth_slow_interval, 2), net::detached);

        running = true;
        thread = std::thread([this] {
            // Nothing may throw out of a handler; if something does, log it and keep serving.
            for (;;) {
                try {
                    ioc->run();
                    break;
                } catch (const std::exception& e) {
                    if (log)
                        log->error("sim: exception escaped a handler: {}", e.what());
                }
            }
            done.set_value();
        });
        if (log)
            log->info("sim: listening, rest {} streams {} ws-api {}", urls.rest.front(), urls.ws_streams, urls.ws_api);
        return {};
    }

    void shutdown() {
        std::lock_guard lk(mutex);
        if (!running || stopped)
            return;
        stopped = true;
        // Stop accepting, then abort every connection and timer; give them a bounded time.
        net::post(*ioc, [this] {
            io->stopping = true;
            boost::system::error_code ec;
            for (auto& l : listeners)
                l->acceptor.close(ec);
            agent_timer->cancel();
            fast_timer->cancel();
            slow_timer->cancel();
            auto closers = io->closers;
            for (auto& [cid, close] : closers)
                close();
        });
        if (done_future.wait_for(std::chrono::seconds(2)) != std::future_status::ready)
            ioc->stop();
        if (thread.joinable())
            thread.join();
    }
};

sim_server::sim_server(server_config cfg, exchange_config exchange, log::logger_ptr log)
        : impl_(std::make_unique<impl>(std::move(cfg), std::move(exchange), std::move(log))) {}

sim_server::~sim_server() = default;

result<void> sim_server::start() { return impl_->start(); }

void sim_server::stop() { impl_->shutdown(); }

void sim_server::wait() {
    if (impl_->running)
        impl_->done_future.wait();
}

const server_urls& sim_server::urls() const noexcept { return impl_->urls; }
const std::string& sim_server::ca_file() const noexcept { return impl_->ca_file; }
const std::string& sim_server::ca_pem() const noexcept { return impl_->ca_pem; }

std::string sim_server::ready_json() const {
    const server_urls& u = impl_->urls;
    std::string o = "{\"event\":\"ready\",\"rest\":[";
    for (std::size_t i = 0; i < u.rest.size(); ++i) {
        if (i != 0)
            o += ',';
        json_append_string(o, u.rest[i]);
    }
    o += "],\"rest_names\":[";
    for (std::size_t i = 0; i < u.rest_names.size(); ++i) {
        if (i != 0)
            o += ',';
        json_append_string(o, u.rest_names[i]);
    }
    o += "],\"ws_streams\":" + json_string(u.ws_streams);
    o += ",\"ws_api\":" + json_string(u.ws_api);
    o += ",\"control\":" + json_string(u.control);
    o += ",\"ca_file\":" + json_string(impl_->ca_file);
    o += ",\"pid\":" + std::to_string(::getpid()) + "}";
    return o;
}

namespace {

// Runs fn on the I/O thread and waits; runs it inline when the server is not running.
template <class F>
void on_io(net::io_context& ioc, const std::shared_future<void>& done, F&& fn) {
    if (done.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
        fn();
        return;
    }
    std::promise<void> p;
    auto f = p.get_future();
    net::post(ioc, [&] {
        fn();
        p.set_value();
    });
    // The I/O thread may stop before running it: never wait forever.
    while (f.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready)
        if (done.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
            return;
}

} // namespace

void sim_server::with_exchange(const std::function<void(exchange&)>& fn) {
    if (!impl_->running) {
        fn(impl_->st.ex);
        return;
    }
    on_io(*impl_->ioc, impl_->done_future, [&] { fn(impl_->st.ex); });
}

std::string sim_server::stats_json() {
    std::string out;
    if (!impl_->running)
        return server::stats_json(impl_->st);
    on_io(*impl_->ioc, impl_->done_future, [&] { out = server::stats_json(impl_->st); });
    return out;
}

fault_config sim_server::faults() {
    fault_config out;
    if (!impl_->running)
        return impl_->st.faults.config();
    on_io(*impl_->ioc, impl_->done_future, [&] { out = impl_->st.faults.config(); });
    return out;
}

void sim_server::set_faults(fault_config f) {
    if (!impl_->running) {
        impl_->st.set_faults(std::move(f));
        return;
    }
    on_io(*impl_->ioc, impl_->done_future, [&] { impl_->st.set_faults(std::move(f)); });
}

void sim_server::set_agents_enabled(bool on) {
    if (!impl_->running) {
        impl_->st.agents_enabled = on;
        return;
    }
    on_io(*impl_->ioc, impl_->done_future, [&] { impl_->st.agents_enabled = on; });
}

} // namespace genesis::sim::server
