// The resilience benchmark (issue 8): shared definitions of the orchestrator (main.cpp) and of
// one run in a child process (run_child.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace genesis::bench {

/// REST listeners of the sim ("rest0".."rest4"): one endpoint is 20 % of them.
inline constexpr std::size_t endpoint_count = 5;
/// Deadline of a read (depth snapshot, order query), also its per-attempt timeout.
inline constexpr double read_deadline_ms = 1000;
/// Deadline of a placement, also its per-attempt timeout (then the outcome is unknown).
inline constexpr double place_deadline_ms = 2000;

/// One run: a scenario with its parameter, a configuration, a seed and the load.
struct run_spec {
    /// concurrent, mass_failure, latency, constrained, flapping, lost_ack, long
    std::string scenario;
    /// Share of endpoints failing (mass_failure, constrained) or slowed (latency).
    double param = 0;
    /// none, classic, genesis
    std::string config;
    std::uint64_t seed = 1;
    double duration_s = 6;
    /// Operations per second (open loop, Poisson arrivals).
    double rate = 150;
    /// concurrent: this many operations leave at the same instant instead.
    std::size_t burst = 0;
    /// Share of operations that are order placements (the rest: half depth, half order query).
    double place_share = 0.3;
    /// Pinned to CPU 0 with an address-space limit (applied by the parent before exec).
    bool constrained = false;
    /// Sampling window of the degradation curve (long), seconds.
    double sample_s = 0;
    /// Synthetic P2/P3/P4 events pushed per millisecond, in the ratio 1:4:1 (multiples of 6).
    std::size_t events_per_ms = 6;
    /// rest::pool_options::max_connections_per_host of every client (-1: the library default).
    long long pool_cap = -1;
};

/// Runs one spec in this process and prints "key value" lines on stdout; exits the process.
int run_child(const run_spec& s);

} // namespace genesis::bench
