#include <genesis/log/system.hpp>

#include <genesis/log/logger.hpp>
#include <genesis/log/memory_sink.hpp>
#include <genesis/log/redactor.hpp>

#include <gtest/gtest.h>

#include <spdlog/sinks/sink.h>
#include <thread>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
namespace glog = genesis::log;

constexpr auto deadline = 10s;

const std::string api_key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const std::string api_secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

// Parses one flat JSON object whose values are strings; nullopt if it is not valid JSON.
std::optional<std::map<std::string, std::string>> parse_flat_object(std::string_view s) {
    std::size_t i = 0;
    const auto skip_ws = [&] {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
            ++i;
    };
    const auto parse_string = [&]() -> std::optional<std::string> {
        if (i >= s.size() || s[i] != '"')
            return std::nullopt;
        ++i;
        std::string out;
        while (i < s.size() && s[i] != '"') {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c < 0x20)
                return std::nullopt;
            if (c != '\\') {
                out.push_back(s[i++]);
                continue;
            }
            if (++i >= s.size())
                return std::nullopt;
            switch (s[i]) {
            case '"': out.push_back('"'); break;
            case '\\': out.push_back('\\'); break;
            case '/': out.push_back('/'); break;
            case 'b': out.push_back('\b'); break;
            case 'f': out.push_back('\f'); break;
            case 'n': out.push_back('\n'); break;
            case 'r': out.push_back('\r'); break;
            case 't': out.push_back('\t'); break;
            case 'u': {
                if (i + 4 >= s.size())
                    return std::nullopt;
                const unsigned cp = std::stoul(std::string(s.substr(i + 1, 4)), nullptr, 16);
                i += 4;
                if (cp < 0x80) {
                    out.push_back(static_cast<char>(cp));
                } else if (cp < 0x800) {
                    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
                    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
                } else {
                    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
                    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
                    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
                }
                break;
            }
            default: return std::nullopt;
            }
            ++i;
        }
        if (i >= s.size())
            return std::nullopt;
        ++i;
        return out;
    };
    std::map<std::string, std::string> obj;
    skip_ws();
    if (i >= s.size() || s[i++] != '{')
        return std::nullopt;
    for (;;) {
        skip_ws();
        auto key = parse_string();
        if (!key)
            return std::nullopt;
        skip_ws();
        if (i >= s.size() || s[i++] != ':')
            return std::nullopt;
        skip_ws();
        auto value = parse_string();
        if (!value)
            return std::nullopt;
        obj[*key] = *value;
        skip_ws();
        if (i < s.size() && s[i] == ',') {
            ++i;
            continue;
        }
        if (i < s.size() && s[i] == '}') {
            ++i;
            break;
        }
        return std::nullopt;
    }
    skip_ws();
    if (i != s.size())
        return std::nullopt;
    return obj;
}

// Blocks the log worker inside its first record until opened, so queue overflow is exact.
class gate_sink final : public spdlog::sinks::sink {
    std::mutex mutex_;
    std::condition_variable cv_;
    bool entered_ = false;
    bool open_ = false;

public:
    void log(const spdlog::details::log_msg&) override {
        std::unique_lock lock(mutex_);
        entered_ = true;
        cv_.notify_all();
        cv_.wait(lock, [&] { return open_; });
    }
    void flush() override {}
    void set_pattern(const std::string&) override {}
    void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

    bool wait_entered() {
        std::unique_lock lock(mutex_);
        return cv_.wait_for(lock, deadline, [&] { return entered_; });
    }
    void open() {
        {
            std::lock_guard lock(mutex_);
            open_ = true;
        }
        cv_.notify_all();
    }
};

class LogTest : public ::testing::Test {
protected:
    std::shared_ptr<glog::memory_sink> sink_ = std::make_shared<glog::memory_sink>();

    std::unique_ptr<glog::system> make(glog::format fmt, std::string level = "trace") {
        glog::options opts;
        opts.fmt = fmt;
        opts.level = std::move(level);
        auto sys = std::make_unique<glog::system>(opts);
        sys->add_sink(sink_);
        return sys;
    }

    // Logs through the real async logger in each format; returns the lines written.
    std::vector<std::string> capture(glog::format fmt, const std::function<void(spdlog::logger&)>& body) {
        sink_->clear();
        auto sys = make(fmt);
        sys->add_secret(api_key);
        sys->add_secret(api_secret);
        body(*sys->get("rest"));
        EXPECT_TRUE(sys->sync(deadline));
        return sink_->lines();
    }

    void expect_redacted(const std::function<void(spdlog::logger&)>& body, std::initializer_list<std::string> hidden) {
        for (const auto fmt : {glog::format::text, glog::format::json}) {
            const auto lines = capture(fmt, body);
            ASSERT_FALSE(lines.empty());
            for (const auto& line : lines) {
                for (const auto& h : hidden)
                    EXPECT_EQ(line.find(h), std::string::npos) << line;
                EXPECT_NE(line.find("***"), std::string::npos) << line;
                if (fmt == glog::format::json) {
                    EXPECT_TRUE(parse_flat_object(line)) << line;
                }
            }
        }
    }
};

TEST_F(LogTest, redactRegisteredValues) {
    expect_redacted(
        [](spdlog::logger& l) {
            l.info("loaded key {} and secret {}", api_key, api_secret);
            l.warn("key again {}!", api_key);
        },
        {api_key, api_secret});
}

TEST_F(LogTest, redactSignatureQuery) {
    expect_redacted(
        [](spdlog::logger& l) {
            l.info("GET /api/v3/order?symbol=BTCUSDT&timestamp=1499827319559&signature={}&recvWindow=5000",
                   "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
        },
        {"c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"});
}

TEST_F(LogTest, redactSignatureJson) {
    expect_redacted([](spdlog::logger& l) { l.info(R"(ws request {{"id":1,"signature":"abc123def456","x":2}})"); },
                    {"abc123def456"});
}

TEST_F(LogTest, redactApiKeyHeader) {
    expect_redacted(
        [](spdlog::logger& l) { l.debug("headers:\r\nHost: api.binance.com\r\nX-MBX-APIKEY: hdrkey987654\r\n"); },
        {"hdrkey987654"});
}

TEST_F(LogTest, redactApiKeyJson) {
    expect_redacted([](spdlog::logger& l) { l.info(R"(params {{"apiKey":"jsonkey55555","timestamp":1}})"); },
                    {"jsonkey55555"});
}

TEST_F(LogTest, redactApiKeyAndSecretQuery) {
    expect_redacted([](spdlog::logger& l) { l.info("login apiKey=querykey777&secret=querysecret888 ok"); },
                    {"querykey777", "querysecret888"});
}

TEST_F(LogTest, passNormalTextUnchanged) {
    const std::string msg = "order 42 filled qty=0.5 px=30000.10 exchange=binance latency_us=120 sig ok";
    auto lines = capture(glog::format::text, [&](spdlog::logger& l) { l.info("{}", msg); });
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(lines[0].ends_with("[info] [rest] " + msg)) << lines[0];

    lines = capture(glog::format::json, [&](spdlog::logger& l) { l.info("{}", msg); });
    ASSERT_EQ(lines.size(), 1u);
    const auto obj = parse_flat_object(lines[0]);
    ASSERT_TRUE(obj) << lines[0];
    EXPECT_EQ(obj->at("msg"), msg);
}

TEST_F(LogTest, jsonOneEscapedObjectPerLine) {
    const std::string tricky = "quote \" backslash \\ newline \n tab \t ctl \x01 utf8 \xc3\xa9 {\"k\":\"v\"}";
    const auto lines = capture(glog::format::json, [&](spdlog::logger& l) {
        l.info("{}", tricky);
        l.error("bad byte \xff end");
    });
    ASSERT_EQ(lines.size(), 2u);
    const auto first = parse_flat_object(lines[0]);
    ASSERT_TRUE(first) << lines[0];
    EXPECT_EQ(first->at("msg"), tricky);
    EXPECT_EQ(first->at("level"), "info");
    EXPECT_EQ(first->at("logger"), "rest");
    EXPECT_EQ(first->at("ts").size(), std::string("2024-01-01T00:00:00.000000Z").size());
    EXPECT_EQ(first->size(), 4u);
    const auto second = parse_flat_object(lines[1]);
    ASSERT_TRUE(second) << lines[1];
    EXPECT_EQ(second->at("msg"), "bad byte \xef\xbf\xbd end");
    EXPECT_EQ(second->at("level"), "error");
}

TEST_F(LogTest, levelsFilter) {
    auto sys = make(glog::format::text, "warn");
    auto log = sys->get("risk");
    log->info("hidden info");
    log->debug("hidden debug");
    log->warn("shown warn");
    sys->set_level("debug");
    log->debug("shown debug");
    log->trace("hidden trace");
    ASSERT_TRUE(sys->sync(deadline));
    const auto lines = sink_->lines();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_NE(lines[0].find("[warning] [risk] shown warn"), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find("[debug] [risk] shown debug"), std::string::npos) << lines[1];
    EXPECT_THROW(sys->set_level("loud"), std::invalid_argument);
    EXPECT_FALSE(glog::is_valid_level("loud"));
    EXPECT_TRUE(glog::is_valid_level("warn"));
}

// With the worker held inside record 0 and a queue of 8, records 1..n overflow exactly.
void check_overflow(glog::overflow policy) {
    constexpr std::size_t capacity = 8;
    constexpr int n = 1000;
    glog::options opts;
    opts.level = "info";
    opts.queue_size = capacity;
    opts.on_overflow = policy;
    auto mem = std::make_shared<glog::memory_sink>();
    auto gate = std::make_shared<gate_sink>();
    glog::system sys(opts);
    sys.add_sink(mem);
    sys.add_sink(gate);
    auto log = sys.get("ws.binance");

    log->info("m{}", 0);
    ASSERT_TRUE(gate->wait_entered());
    auto producer = std::async(std::launch::async, [&] {
        for (int i = 1; i <= n; ++i)
            log->info("m{}", i);
    });
    const bool returned = producer.wait_for(deadline) == std::future_status::ready;
    gate->open();
    ASSERT_TRUE(returned) << "logging blocked on a full queue";
    EXPECT_EQ(sys.dropped(), static_cast<std::size_t>(n) - capacity);
    ASSERT_TRUE(sys.sync(deadline));

    std::vector<std::string> expected{"m0"};
    const int first = policy == glog::overflow::overrun_oldest ? n - static_cast<int>(capacity) + 1 : 1;
    for (int i = first; i < first + static_cast<int>(capacity); ++i)
        expected.push_back("m" + std::to_string(i));
    const auto lines = mem->lines();
    ASSERT_EQ(lines.size(), expected.size());
    for (std::size_t i = 0; i < lines.size(); ++i)
        EXPECT_TRUE(lines[i].ends_with(" " + expected[i])) << lines[i];
}

TEST_F(LogTest, overflowOverrunOldestNeverBlocks) { check_overflow(glog::overflow::overrun_oldest); }

TEST_F(LogTest, overflowDiscardNewNeverBlocks) { check_overflow(glog::overflow::discard_new); }

TEST_F(LogTest, loggerOutlivesSystem) {
    glog::logger_ptr log;
    {
        auto sys = make(glog::format::text);
        log = sys->get("db");
        log->info("before");
        EXPECT_EQ(sys->get("db"), log);
    }
    // The worker is gone: this is dropped, never a crash or a block.
    log->info("after");
    log->flush();
    const auto lines = sink_->lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(lines[0].ends_with("before"));
}

TEST_F(LogTest, fileAppendedAndRedacted) {
    const std::string path = ::testing::TempDir() + "genesis_log_test.log";
    std::remove(path.c_str());
    for (int run = 0; run < 2; ++run) {
        glog::options opts;
        opts.file = path;
        opts.fmt = glog::format::json;
        glog::system sys(opts);
        sys.add_secret(api_secret);
        sys.get("rest")->info("run {} secret {}", run, api_secret);
    }
    std::ifstream in(path);
    std::string line;
    int count = 0;
    while (std::getline(in, line)) {
        EXPECT_EQ(line.find(api_secret), std::string::npos);
        EXPECT_TRUE(parse_flat_object(line)) << line;
        ++count;
    }
    EXPECT_EQ(count, 2);
    std::remove(path.c_str());
}

TEST_F(LogTest, fileFlushedPeriodicallyWithoutSync) {
    // A process killed with SIGKILL never runs shutdown(): the periodic flush is what is left.
    const std::string path = ::testing::TempDir() + "genesis_log_flush_test.log";
    std::remove(path.c_str());
    glog::options opts;
    opts.file = path;
    opts.flush_interval = std::chrono::milliseconds{50};
    glog::system sys(opts);
    sys.get("oms")->info("placed order 7");
    // Bounded wait on the file itself (no sync(), no shutdown()).
    bool seen = false;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (!seen && std::chrono::steady_clock::now() < until) {
        std::ifstream in(path);
        std::string text((std::istreambuf_iterator<char>(in)), {});
        seen = text.find("placed order 7") != std::string::npos;
        if (!seen)
            std::this_thread::yield();
    }
    EXPECT_TRUE(seen);
    sys.shutdown();
    std::remove(path.c_str());
}

TEST_F(LogTest, redactorUnit) {
    glog::redactor r;
    r.add_secret("p\"ss/word\\x");
    EXPECT_FALSE(r.may_contain_secret("order 1 filled at 100.5"));
    EXPECT_EQ(r.redacted(R"(k={"a":"p\"ss/word\\x"})"), R"(k={"a":"***"})");
    EXPECT_EQ(r.redacted("SIGNATURE=ABCDEF01&x=1"), "SIGNATURE=***&x=1");
    EXPECT_EQ(r.redacted(R"({\"apiKey\":\"abc\"})"), R"({\"apiKey\":\"***\"})");
    EXPECT_EQ(r.redacted(R"("secretKey" : "s3cr3t", "n":1)"), R"("secretKey" : "***", "n":1)");
    EXPECT_EQ(r.redacted("signature=***"), "signature=***");
    EXPECT_EQ(r.redacted("no secrets here"), "no secrets here");
    r.add_secret("");
    EXPECT_EQ(r.redacted("abc"), "abc");
}

} // namespace
