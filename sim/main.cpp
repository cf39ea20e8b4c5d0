// genesis-sim: a local exchange speaking Binance Spot's wire protocol over TLS on loopback.
// Prints one JSON line on stdout when ready (every listener's URL and the CA file); the test
// accounts' keys go to stderr. SIGTERM/SIGINT stop it cleanly (exit 0).
#include "genesis/log/system.hpp"
#include "genesis/sim/server/config_file.hpp"
#include "genesis/sim/server/sim_server.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <pthread.h>

namespace {

void usage() {
    std::cerr << "usage: genesis-sim [--config FILE] [--port N] [--rest-listeners N] [--stream-port N]\n"
                 "                   [--ws-api-port N] [--control-port N] [--ca-file PATH] [--no-agents]\n"
                 "                   [--log-level LEVEL]\n"
                 "Ports default to 0 (ephemeral); --port is the first REST port (others follow it).\n";
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
    if (s.empty() || s.size() > 5)
        return std::nullopt;
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(v);
}

} // namespace

int main(int argc, char** argv) {
    using namespace genesis::sim::server;
    sim_settings settings;
    std::optional<std::string> config_file;
    std::optional<std::uint16_t> port, stream_port, ws_api_port, control_port;
    std::optional<int> rest_listeners;
    std::optional<std::string> ca_file;
    bool no_agents = false;
    std::string log_level = "warn";

    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto next = [&]() -> std::optional<std::string_view> {
            if (i + 1 >= argc)
                return std::nullopt;
            return std::string_view(argv[++i]);
        };
        auto port_arg = [&](std::optional<std::uint16_t>& out) {
            auto v = next();
            out = v ? parse_port(*v) : std::nullopt;
            return out.has_value();
        };
        if (a == "--help" || a == "-h") {
            usage();
            return 0;
        } else if (a == "--config") {
            auto v = next();
            if (!v) {
                usage();
                return 2;
            }
            config_file = std::string(*v);
        } else if (a == "--port") {
            if (!port_arg(port)) {
                usage();
                return 2;
            }
        } else if (a == "--stream-port") {
            if (!port_arg(stream_port)) {
                usage();
                return 2;
            }
        } else if (a == "--ws-api-port") {
            if (!port_arg(ws_api_port)) {
                usage();
                return 2;
            }
        } else if (a == "--control-port") {
            if (!port_arg(control_port)) {
                usage();
                return 2;
            }
        } else if (a == "--rest-listeners") {
            auto v = next();
            const int n = v ? std::atoi(std::string(*v).c_str()) : 0;
            if (n < 1 || n > 16) {
                usage();
                return 2;
            }
            rest_listeners = n;
        } else if (a == "--ca-file") {
            auto v = next();
            if (!v) {
                usage();
                return 2;
            }
            ca_file = std::string(*v);
        } else if (a == "--no-agents") {
            no_agents = true;
        } else if (a == "--log-level") {
            auto v = next();
            if (!v) {
                usage();
                return 2;
            }
            log_level = std::string(*v);
        } else {
            std::cerr << "genesis-sim: unknown option " << a << "\n";
            usage();
            return 2;
        }
    }

    // Configuration errors are reported all at once and stop start-up.
    if (config_file) {
        auto errors = load_sim_config(*config_file, settings);
        if (!errors.empty()) {
            std::cerr << genesis::config::to_string(errors) << "\n";
            return 2;
        }
    }
    server_config& sc = settings.server;
    if (rest_listeners) {
        const std::uint16_t first = sc.rest.empty() ? 0 : sc.rest.front().port;
        sc.rest.clear();
        for (int i = 0; i < *rest_listeners; ++i)
            sc.rest.push_back({"rest" + std::to_string(i), static_cast<std::uint16_t>(first == 0 ? 0 : first + i)});
    }
    if (port)
        for (std::size_t i = 0; i < sc.rest.size(); ++i)
            sc.rest[i].port = static_cast<std::uint16_t>(*port == 0 ? 0 : *port + i);
    if (stream_port)
        sc.streams.port = *stream_port;
    if (ws_api_port)
        sc.ws_api.port = *ws_api_port;
    if (control_port)
        sc.control_port = *control_port;
    if (ca_file)
        sc.ca_file = *ca_file;
    if (no_agents)
        sc.agents_enabled = false;
    if (settings.ed25519_test_account)
        add_ed25519_test_account(settings.exchange);

    // Signals are taken synchronously by this thread: block them before any other thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    genesis::log::options lo;
    lo.level = log_level;
    std::unique_ptr<genesis::log::system> logs;
    try {
        logs = std::make_unique<genesis::log::system>(lo);
    } catch (const std::exception& e) {
        std::cerr << "genesis-sim: " << e.what() << "\n";
        return 2;
    }
    auto log = logs->get("sim");

    sim_server server(std::move(settings.server), settings.exchange, log);
    if (auto r = server.start(); !r) {
        std::cerr << "genesis-sim: cannot start: " << r.error().message() << "\n";
        return 1;
    }
    // The test accounts' keys (sim-only test keys) go to stderr, never into the ready line.
    for (const auto& a : settings.exchange.accounts) {
        if (a.api_key == ed25519_test_api_key)
            std::cerr << "genesis-sim: account " << a.name << " api_key=" << a.api_key << " ed25519_private_key=\n"
                      << ed25519_test_private_key_pem();
        else
            std::cerr << "genesis-sim: account " << a.name << " api_key=" << a.api_key << " secret_key=" << a.secret_key
                      << "\n";
    }
    std::cout << server.ready_json() << std::endl;

    int sig = 0;
    sigwait(&signals, &sig);
    server.stop();
    logs->shutdown();
    return 0;
}
