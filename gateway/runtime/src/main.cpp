#include "genesis/gateway/runtime/main.hpp"

#include "genesis/config/error.hpp"
#include "genesis/config/loader.hpp"
#include "genesis/gateway/replay/replay.hpp"
#include "genesis/gateway/runtime/gateway_app.hpp"
#include "genesis/log/system.hpp"

#include <csignal>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace genesis::gateway::runtime {

namespace {

constexpr std::string_view usage = R"(usage:
  genesis-gateway run --config FILE [--live] [--clear-kill]
      Runs the gateway. Mode "sim" (default) starts genesis-sim on loopback itself.
      --live is required, together with [gateway] live_confirmed = true, for mode "live".
      --clear-kill releases a kill switch engaged before this start (it survives restarts).
  genesis-gateway replay --venue binance --input FILE
      Runs a recording through the decoders and books; JSON lines on stdout.
Exit status: 0 ok, 1 start-up failed, 2 bad command line or configuration,
  3 stopped with a failing database (the final state may not be saved; start again on a working disk),
  4 stop forced (over its hard limit, or a second SIGINT/SIGTERM).
)";

std::filesystem::path self_dir(const char* argv0) {
    std::error_code ec;
    auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec)
        p = std::filesystem::absolute(argv0);
    return p.parent_path();
}

int replay_command(int argc, char** argv) { return replay::replay_main(argc, argv, std::cout, std::cerr); }

int run_command(int argc, char** argv) {
    std::string file;
    bool live_flag = false, clear_kill = false;
    for (int i = 2; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--config" && i + 1 < argc) {
            file = argv[++i];
        } else if (a == "--live") {
            live_flag = true;
        } else if (a == "--clear-kill") {
            clear_kill = true;
        } else {
            std::cerr << "genesis-gateway run: unknown option " << a << "\n" << usage;
            return 2;
        }
    }
    if (file.empty()) {
        std::cerr << "genesis-gateway run: --config FILE is required\n" << usage;
        return 2;
    }
    runtime_config cfg;
    config::loader l;
    register_runtime_sections(l, cfg);
    register_component_sections(l, cfg);
    // The positions let the checks after parsing (finish_runtime_config, start-up) name the line.
    auto errors = l.parse_file(file, &cfg.positions);
    if (!errors.empty()) {
        for (const auto& e : errors)
            std::cerr << e.str() << "\n";
        return 2;
    }
    cfg.clear_kill = clear_kill;
    if (auto e = finish_runtime_config(cfg, file); !e.empty()) {
        std::cerr << e << "\n";
        return 2;
    }
    if (cfg.base.gateway.mode == config::run_mode::live && !live_flag) {
        std::cerr << cfg.where(file, "gateway.mode")
                  << " is \"live\" (real money): pass --live on the command line as well\n";
        return 2;
    }
    // SIGPIPE would kill us on a peer that went away; sockets report EPIPE instead.
    std::signal(SIGPIPE, SIG_IGN);
    // SIGINT/SIGTERM/SIGHUP are handled by the gateway's signal_set: block them in every thread
    // but let Asio's handler see them (it installs its own handlers).
    std::unique_ptr<log::system> logs;
    try {
        cfg.base.logging.cpus = cfg.threads.log;
        logs = std::make_unique<log::system>(cfg.base.logging);
    } catch (const std::exception& e) {
        std::cerr << cfg.where(file, "logging") << ": " << e.what() << "\n";
        return 2;
    }
    int rc = 0;
    {
        gateway_app app(std::move(cfg), file, self_dir(argv[0]).parent_path(), *logs);
        rc = app.run();
    }
    logs->shutdown();
    return rc;
}

} // namespace

int gateway_main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << usage;
        return 2;
    }
    const std::string_view cmd = argv[1];
    if (cmd == "run")
        return run_command(argc, argv);
    if (cmd == "replay")
        return replay_command(argc, argv);
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        std::cout << usage;
        return 0;
    }
    std::cerr << "genesis-gateway: unknown command " << cmd << "\n" << usage;
    return 2;
}

} // namespace genesis::gateway::runtime
