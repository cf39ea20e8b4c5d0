#include "runtime_test_support.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace genesis::test {

child::~child() { reset(); }

void child::reset() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
    if (out_fd_ >= 0)
        ::close(out_fd_);
    out_fd_ = -1;
    if (pid_fd_ >= 0)
        ::close(pid_fd_);
    pid_fd_ = -1;
    buf_.clear();
    lines_.clear();
    status_ = -1;
}

bool child::alive() {
    if (pid_ <= 0)
        return false;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return false;
    }
    return true;
}

bool child::start(const std::vector<std::string>& argv_s, const std::filesystem::path& err_file) {
    reset();
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return false;
    std::vector<std::string> copy = argv_s;
    std::vector<char*> argv;
    for (auto& a : copy)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const pid_t pid = ::fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        ::dup2(fds[1], STDOUT_FILENO);
        if (err >= 0)
            ::dup2(err, STDERR_FILENO);
        ::close_range(3, ~0U, 0);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    if (err >= 0)
        ::close(err);
    pid_ = pid;
    out_fd_ = fds[0];
    pid_fd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); // -1 on kernels before 5.3: pause() then just waits
    return true;
}

void child::pause(std::chrono::milliseconds timeout, bool drain) {
    if (drain) {
        (void)wait_line([](const std::string&) { return false; }, timeout);
        return;
    }
    pollfd p{pid_fd_, POLLIN, 0};
    (void)::poll(&p, 1, static_cast<int>(timeout.count()));
}

std::optional<std::string> child::wait_line(const std::function<bool(const std::string&)>& pred,
                                            std::chrono::milliseconds timeout) {
    return wait_line(pred, std::chrono::steady_clock::now() + timeout);
}

void child::drain_until(std::chrono::steady_clock::time_point until) {
    using namespace std::chrono_literals;
    while (std::chrono::steady_clock::now() < until && alive())
        (void)wait_line([](const std::string&) { return false; },
                        std::min(until, std::chrono::steady_clock::now() + 20ms));
}

std::optional<std::string> child::wait_line(const std::function<bool(const std::string&)>& pred,
                                            std::chrono::steady_clock::time_point deadline) {
    std::size_t checked = 0;
    while (true) {
        for (; checked < lines_.size(); ++checked)
            if (pred(lines_[checked]))
                return lines_[checked++];
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || out_fd_ < 0)
            return std::nullopt;
        pollfd p{out_fd_, POLLIN, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left.count()));
        if (n <= 0)
            continue;
        char chunk[4096];
        const auto got = ::read(out_fd_, chunk, sizeof chunk);
        if (got <= 0) {
            ::close(out_fd_);
            out_fd_ = -1;
            continue;
        }
        buf_.append(chunk, static_cast<std::size_t>(got));
        for (auto nl = buf_.find('\n'); nl != std::string::npos; nl = buf_.find('\n')) {
            lines_.push_back(buf_.substr(0, nl));
            buf_.erase(0, nl + 1);
        }
    }
}

void child::signal(int sig) {
    if (pid_ > 0)
        ::kill(pid_, sig);
}

std::optional<int> child::wait_exit(std::chrono::milliseconds timeout, bool drain) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (alive()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return std::nullopt;
        pause(std::chrono::milliseconds{20}, drain);
    }
    return status_;
}

std::optional<http_answer> http_request(unsigned short port, const std::string& method, const std::string& target,
                                        const std::string& bearer, std::chrono::milliseconds timeout) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return std::nullopt;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return std::nullopt;
    }
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!bearer.empty())
        req += "Authorization: Bearer " + bearer + "\r\n";
    if (method == "POST")
        req += "Content-Length: 0\r\n";
    req += "\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
        ::close(fd);
        return std::nullopt;
    }
    std::string raw;
    char chunk[8192];
    while (true) {
        const auto n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0)
            break;
        raw.append(chunk, static_cast<std::size_t>(n));
    }
    ::close(fd);
    const auto sp = raw.find(' ');
    const auto hdr_end = raw.find("\r\n\r\n");
    if (sp == std::string::npos || hdr_end == std::string::npos)
        return std::nullopt;
    http_answer out;
    out.status = static_cast<unsigned>(std::atoi(raw.c_str() + sp + 1));
    std::string body = raw.substr(hdr_end + 4);
    // De-chunk a chunked body.
    const std::string headers = raw.substr(0, hdr_end);
    if (headers.find("chunked") != std::string::npos) {
        std::string plain;
        std::size_t pos = 0;
        while (pos < body.size()) {
            const auto eol = body.find("\r\n", pos);
            if (eol == std::string::npos)
                break;
            const auto len = std::stoul(body.substr(pos, eol - pos), nullptr, 16);
            if (len == 0)
                break;
            plain += body.substr(eol + 2, len);
            pos = eol + 2 + len + 2;
        }
        body = std::move(plain);
    }
    out.body = std::move(body);
    return out;
}

std::filesystem::path build_dir() { return GENESIS_BUILD_DIR; }

// ---- gateway_fixture ----

void gateway_fixture::make_test_dir(std::string_view prefix) {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (auto& c : name)
        if (c == '/')
            c = '_';
    dir =
        std::filesystem::temp_directory_path() / (std::string(prefix) + "-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
}

void gateway_fixture::end_test(bool failed) {
    gw.reset();
    if (failed && std::getenv("GENESIS_KEEP_TEST_DIR"))
        return;
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

std::string gateway_fixture::read_file(const std::filesystem::path& f) {
    std::ifstream in(f);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::string gateway_fixture::tail_log(std::size_t n) const {
    auto s = read_file(dir / "gateway.log");
    s = s.size() > n ? s.substr(s.size() - n) : s;
    // The gateway's stderr holds what a sanitizer said before it stopped the process.
    if (const auto err = read_file(dir / "stderr.txt"); !err.empty())
        s += "\n--- gateway stderr ---\n" + (err.size() > n ? err.substr(err.size() - n) : err);
    return s;
}

void gateway_fixture::start_gateway(const std::filesystem::path& config, std::vector<std::string> prefix,
                                    const std::vector<std::string>& args) {
    // Each test target defines the executable it was built with; others find it in the build dir.
#ifdef GENESIS_GATEWAY_EXE
    const std::string exe = GENESIS_GATEWAY_EXE;
#else
    const std::string exe = (build_dir() / "gateway" / "genesis-gateway").string();
#endif
    prefix.insert(prefix.end(), {exe, "run", "--config", config.string()});
    prefix.insert(prefix.end(), args.begin(), args.end());
    ASSERT_TRUE(gw.start(prefix, dir / "stderr.txt"));
    auto line = gw.wait_line([](const std::string& l) { return l.find("\"event\":\"trading\"") != std::string::npos; },
                             std::chrono::seconds{60});
    ASSERT_TRUE(line) << "no trading line; stderr: " << read_file(dir / "stderr.txt") << "\nlog tail: " << tail_log();
    const auto p = line->find("\"ops_port\":");
    ASSERT_NE(p, std::string::npos) << *line;
    ops_port = static_cast<unsigned short>(std::stoul(line->substr(p + 11)));
    ASSERT_NE(ops_port, 0) << *line;
}

std::optional<simdjson::dom::element> gateway_fixture::status() {
    auto r = http_request(ops_port, "GET", "/status");
    if (!r || r->status != 200)
        return std::nullopt;
    status_text = r->body;
    simdjson::dom::element e;
    if (parser_.parse(status_text).get(e))
        return std::nullopt;
    return e;
}

bool gateway_fixture::wait_status(const std::function<bool(simdjson::dom::element)>& pred,
                                  std::chrono::milliseconds timeout, bool drain) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (auto s = status(); s && pred(*s))
            return true;
        // A gateway that exited (a sanitizer report, a crash) will not answer: stop waiting.
        if (!gw.alive())
            return false;
        // Wait on the gateway's output (or its exit) instead of sleeping blindly.
        gw.pause(std::chrono::milliseconds{100}, drain);
    }
    return false;
}

bool gateway_fixture::wait_log(std::string_view text, std::chrono::milliseconds timeout, std::size_t from, bool drain) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        // Exited: its log is whole (flushed at exit), so this look is the last.
        const bool exited = !gw.alive();
        if (read_file(dir / "gateway.log").find(text, from) != std::string::npos)
            return true;
        if (exited)
            return false;
        gw.pause(std::chrono::milliseconds{100}, drain);
    }
    return false;
}

std::string gateway_fixture::log_line(std::string_view text, std::size_t from) const {
    const auto log = read_file(dir / "gateway.log");
    const auto at = log.find(text, from);
    return at == std::string::npos ? std::string{} : log.substr(at, log.find('\n', at) - at);
}

std::optional<gateway_fixture::component> gateway_fixture::component_of(simdjson::dom::element status,
                                                                        std::string_view name) {
    simdjson::dom::array arr;
    if (status["components"].get_array().get(arr))
        return std::nullopt;
    for (auto c : arr) {
        std::string_view n, health, reason;
        if (!c["name"].get_string().get(n) && n == name && !c["health"].get_string().get(health) &&
            !c["reason"].get_string().get(reason))
            return component{std::string(health), std::string(reason)};
    }
    return std::nullopt;
}

std::uint64_t gateway_fixture::uint_at(simdjson::dom::element e, const char* a, const char* b) {
    std::uint64_t v = 0;
    return e[a][b].get_uint64().get(v) ? 0 : v;
}

std::string market_maker_toml(const std::string& name, const std::string& so_path, const std::string& extra) {
    return "[strategies." + name + "]\npath = \"" + so_path + "\"\ntimer_ms = 100\n" + extra + "[strategies." + name +
           ".params]\nsymbol = \"BTCUSDT\"\nquote_qty = \"0.001\"\nspread_bps = \"2\"\nskew_bps = \"1\"\n"
           "max_inventory = \"0.01\"\nrequote_bps = \"1\"\nstale_ms = \"2000\"\ntick_size = \"0.01\"\n"
           "step_size = \"0.00001\"\n";
}

std::string json_string_field(const std::string& line, const std::string& key) {
    const std::string k = "\"" + key + "\":\"";
    const auto p = line.find(k);
    if (p == std::string::npos)
        return {};
    const auto start = p + k.size();
    const auto end = line.find('"', start);
    return end == std::string::npos ? std::string{} : line.substr(start, end - start);
}

} // namespace genesis::test
