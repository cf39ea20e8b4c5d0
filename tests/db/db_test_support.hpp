// Shared helpers of the db tests: a temp directory per test, raw SQLite access, sample rows.
#pragma once

#include "genesis/db/database.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace genesis::db::test {

/// A fresh directory under the system temp dir, removed afterwards.
class temp_dir {
    std::filesystem::path path_;

public:
    temp_dir() {
        static std::atomic<int> counter{0};
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = "genesis-db-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
        if (info)
            name += std::string("-") + info->name();
        path_ = std::filesystem::temp_directory_path() / name;
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(std::string_view name) const { return path_ / name; }
};

/// Runs SQL on a file through its own connection (the test's view of the file).
inline void raw_exec(const std::filesystem::path& file, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
}

/// The first column of the first row of a query as int64 (-1 on error or no row).
inline std::int64_t raw_int(const std::filesystem::path& file, const std::string& sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_stmt* s = nullptr;
    std::int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

/// Overwrites n bytes at offset with a pattern (simulated media corruption).
inline void scribble(const std::filesystem::path& file, std::uintmax_t offset, std::size_t n) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good());
    f.seekp(static_cast<std::streamoff>(offset));
    const std::string junk(n, '\xA5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    ASSERT_TRUE(f.good());
}

inline order_intent sample_intent(std::string_view client_id, std::int64_t price_raw = 6'712'345'000'000) {
    order_intent in;
    in.strategy_id = 7;
    in.venue = venue_id::truncating("sim");
    in.sym = symbol::truncating("BTCUSDT");
    in.client_id = client_order_id::truncating(client_id);
    in.order_side = side::buy;
    in.type = order_type::limit;
    in.tif = time_in_force::gtc;
    in.price = decimal::from_raw(price_raw);
    in.quantity = decimal::from_raw(1'500'000); // 0.015
    in.created = {1'700'000'000'000'000'000};
    return in;
}

inline order_transition sample_transition(std::string_view client_id, order_status status, std::int64_t cum_raw = 0) {
    order_transition t;
    t.venue = venue_id::truncating("sim");
    t.sym = symbol::truncating("BTCUSDT");
    t.client_id = client_order_id::truncating(client_id);
    t.order_id = 4242;
    t.status = status;
    t.exec_type = status == order_status::new_ ? execution_type::new_ : execution_type::trade;
    t.cumulative_quantity = decimal::from_raw(cum_raw);
    t.time = {1'700'000'000'100'000'000};
    return t;
}

inline fill_record sample_fill(std::uint64_t trade_id, std::string_view client_id = "c-1") {
    fill_record f;
    f.venue = venue_id::truncating("sim");
    f.sym = symbol::truncating("BTCUSDT");
    f.trade_id = trade_id;
    f.client_id = client_order_id::truncating(client_id);
    f.order_id = 4242;
    f.order_side = side::buy;
    f.price = decimal::from_raw(6'712'345'000'000);
    f.quantity = decimal::from_raw(500'000);
    f.commission = decimal::from_raw(1'000);
    f.commission_asset = asset::truncating("BNB");
    f.time = {1'700'000'000'200'000'000};
    return f;
}

inline std::vector<std::byte> bytes_of(std::string_view s) {
    std::vector<std::byte> out;
    for (char c : s)
        out.push_back(static_cast<std::byte>(c));
    return out;
}

} // namespace genesis::db::test
