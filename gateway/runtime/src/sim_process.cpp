#include "genesis/gateway/runtime/sim_process.hpp"

#include <simdjson.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace genesis::gateway::runtime {

std::optional<sim_endpoints> parse_sim_ready(std::string_view line) {
    simdjson::dom::parser parser;
    simdjson::dom::object o;
    simdjson::padded_string text(line);
    if (parser.parse(text).get_object().get(o))
        return std::nullopt;
    std::string_view event;
    if (o["event"].get_string().get(event) || event != "ready")
        return std::nullopt;
    sim_endpoints e;
    simdjson::dom::array rest;
    if (o["rest"].get_array().get(rest))
        return std::nullopt;
    for (auto v : rest) {
        std::string_view s;
        if (v.get_string().get(s))
            return std::nullopt;
        e.rest.emplace_back(s);
    }
    std::string_view ws, api, control, ca;
    if (o["ws_streams"].get_string().get(ws) || o["ws_api"].get_string().get(api) ||
        o["ca_file"].get_string().get(ca) || e.rest.empty())
        return std::nullopt;
    if (o["control"].get_string().get(control))
        control = {};
    e.ws_streams = ws;
    e.ws_api = api;
    e.control = control;
    e.ca_file = ca;
    return e;
}

sim_process::~sim_process() { stop(); }

bool sim_process::start(const std::filesystem::path& executable, const std::vector<std::string>& args,
                        std::chrono::milliseconds timeout, std::string& why, const std::filesystem::path& log_file) {
    if (::access(executable.c_str(), X_OK) != 0) {
        why =
            "genesis-sim not found or not executable: " + executable.string() + " (build it, or set [sim] executable)";
        return false;
    }
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        why = std::string("pipe: ") + std::strerror(errno);
        return false;
    }
    std::vector<std::string> argv_s{executable.string()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    // The sim's own log (stderr) goes to a file when one is given, not to the gateway's terminal.
    const int log_fd =
        log_file.empty() ? -1 : ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        why = std::string("fork: ") + std::strerror(errno);
        ::close(fds[0]);
        ::close(fds[1]);
        return false;
    }
    if (pid == 0) {
        // Child: only async-signal-safe calls until exec.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
            ::_exit(127);
        ::dup2(fds[1], STDOUT_FILENO);
        if (log_fd >= 0)
            ::dup2(log_fd, STDERR_FILENO);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    if (log_fd >= 0)
        ::close(log_fd);
    pid_ = pid;

    // Read until the ready line, bounded by the timeout.
    std::string buf;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool ok = false;
    while (!ok) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            why = "genesis-sim printed no ready line within " + std::to_string(timeout.count()) + " ms";
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            continue;
        char chunk[4096];
        const auto got = ::read(fds[0], chunk, sizeof chunk);
        if (got <= 0) {
            int status = 0;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
            why = "genesis-sim exited before it was ready (status " +
                  std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) + ")";
            break;
        }
        buf.append(chunk, static_cast<std::size_t>(got));
        for (auto nl = buf.find('\n'); nl != std::string::npos; nl = buf.find('\n')) {
            auto line = buf.substr(0, nl);
            buf.erase(0, nl + 1);
            if (auto e = parse_sim_ready(line)) {
                endpoints_ = std::move(*e);
                ok = true;
                break;
            }
        }
    }
    ::close(fds[0]);
    if (!ok)
        stop();
    return ok;
}

void sim_process::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0)
        return;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    int status = 0;
    while (true) {
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_ || (r < 0 && errno != EINTR))
            break;
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        // Polling the child's exit at 10 ms: shutdown only, never on a trading path.
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    pid_ = -1;
}

} // namespace genesis::gateway::runtime
