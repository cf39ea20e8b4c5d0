// Thread names and CPU affinity: what `top -H`, perf and /proc/PID/task show, and which CPUs a
// latency-critical thread may run on ([threads] in the gateway's config).
#pragma once

#include <genesis/core/error.hpp>

#include <span>
#include <string>
#include <vector>

namespace genesis {

/// Names the calling thread. Linux keeps 15 characters; longer names are cut.
void name_this_thread(const char* name) noexcept;

/// Restricts the calling thread to `cpus`; empty leaves its affinity as it is. An id outside
/// [0, CPU_SETSIZE) is invalid_argument; a CPU the process may not use gives the system's error.
[[nodiscard]] error_code pin_this_thread(std::span<const unsigned> cpus) noexcept;

/// The CPUs this process may run on, ascending: the calling thread's mask, so call it from a thread
/// that has not been pinned (at start-up, from main).
[[nodiscard]] std::vector<unsigned> allowed_cpus();

/// The CPUs the calling thread may run on, ascending.
[[nodiscard]] std::vector<unsigned> this_thread_cpus();

/// "0-2,5": a CPU list as Linux writes it (Cpus_allowed_list in /proc/PID/task/TID/status).
[[nodiscard]] std::string cpu_list_text(std::span<const unsigned> cpus);

} // namespace genesis
