// A storage fault without libfiu: SQLite's own hook for replacing the system calls of its unix VFS
// (xSetSystemCall) routes pwrite/pwrite64 through a switch that, when armed, fails them with EIO,
// exactly as a failing disk would. SQLite then reports SQLITE_IOERR_WRITE on the write it was doing.
#pragma once

#include <sqlite3.h>

#include <atomic>
#include <cerrno>
#include <sys/types.h>

namespace genesis::db::test {

/// Installs the hook for its lifetime (one at a time, before any database is opened on this
/// process's default VFS); arm() makes every following write fail until disarm().
class write_fault {
    static inline std::atomic<bool> armed_{false};
    static inline sqlite3_syscall_ptr real_pwrite_ = nullptr;
    static inline sqlite3_syscall_ptr real_pwrite64_ = nullptr;
    static inline std::atomic<unsigned> failed_{0};
    sqlite3_vfs* vfs_ = sqlite3_vfs_find(nullptr);

    static ssize_t fake_pwrite(int fd, const void* buf, size_t n, off_t off) {
        if (armed_.load(std::memory_order_acquire)) {
            failed_.fetch_add(1, std::memory_order_relaxed);
            errno = EIO;
            return -1;
        }
        return reinterpret_cast<ssize_t (*)(int, const void*, size_t, off_t)>(real_pwrite_)(fd, buf, n, off);
    }
    static ssize_t fake_pwrite64(int fd, const void* buf, size_t n, off_t off) {
        if (armed_.load(std::memory_order_acquire)) {
            failed_.fetch_add(1, std::memory_order_relaxed);
            errno = EIO;
            return -1;
        }
        return reinterpret_cast<ssize_t (*)(int, const void*, size_t, off_t)>(real_pwrite64_)(fd, buf, n, off);
    }

public:
    write_fault() {
        armed_ = false;
        failed_ = 0;
        // Only the slots this SQLite build uses are replaced (the other one is null).
        real_pwrite_ = vfs_->xGetSystemCall(vfs_, "pwrite");
        real_pwrite64_ = vfs_->xGetSystemCall(vfs_, "pwrite64");
        if (real_pwrite_)
            vfs_->xSetSystemCall(vfs_, "pwrite", reinterpret_cast<sqlite3_syscall_ptr>(&fake_pwrite));
        if (real_pwrite64_)
            vfs_->xSetSystemCall(vfs_, "pwrite64", reinterpret_cast<sqlite3_syscall_ptr>(&fake_pwrite64));
    }
    ~write_fault() {
        armed_ = false;
        // A null pointer restores SQLite's default for that call.
        if (real_pwrite_)
            vfs_->xSetSystemCall(vfs_, "pwrite", nullptr);
        if (real_pwrite64_)
            vfs_->xSetSystemCall(vfs_, "pwrite64", nullptr);
    }
    write_fault(const write_fault&) = delete;
    write_fault& operator=(const write_fault&) = delete;

    /// True when SQLite's VFS let us replace its write call.
    [[nodiscard]] bool installed() const noexcept { return real_pwrite_ || real_pwrite64_; }
    void arm() noexcept { armed_.store(true, std::memory_order_release); }
    void disarm() noexcept { armed_.store(false, std::memory_order_release); }
    /// Writes failed so far.
    [[nodiscard]] unsigned failed() const noexcept { return failed_.load(std::memory_order_relaxed); }
};

} // namespace genesis::db::test
