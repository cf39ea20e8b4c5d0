// genesis-resilience-bench: the resilience benchmark of issue 8. The parent process runs each
// (scenario, configuration) in a child process of its own (a fresh genesis-sim, OMS and journal
// each time, the same seeds for every configuration), collects their figures, and writes the
// markdown report, a CSV of every figure, gnuplot data and plots. --quick runs a short subset and
// exits non-zero when an invariant fails (the integration test). See bench/README.md.
#include "bench_resilience.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using genesis::bench::run_spec;

const std::array<std::string, 3> configs{"none", "classic", "genesis"};

struct run_out {
    run_spec spec;
    std::map<std::string, std::string> kv;
    double child_cpu_s = 0;
    long maxrss_kb = 0;
    bool ok = false;

    double num(const std::string& k) const {
        auto it = kv.find(k);
        return it == kv.end() ? 0.0 : std::atof(it->second.c_str());
    }
    std::vector<double> list(const std::string& k) const {
        std::vector<double> v;
        auto it = kv.find(k);
        if (it == kv.end() || it->second == "-")
            return v;
        std::stringstream ss(it->second);
        std::string x;
        while (std::getline(ss, x, ','))
            v.push_back(std::atof(x.c_str()));
        return v;
    }
};

// Wilson score interval (95 %) for k successes out of n.
std::pair<double, double> wilson(double k, double n) {
    if (n <= 0)
        return {0, 0};
    const double z = 1.959964, p = k / n, z2 = z * z;
    const double c = (p + z2 / (2 * n)) / (1 + z2 / n);
    const double h = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
    return {std::max(0.0, c - h), std::min(1.0, c + h)};
}

std::string fmt(double v, int digits = 2) {
    if (std::isnan(v))
        return "n/a";
    char b[64];
    std::snprintf(b, sizeof b, "%.*f", digits, v);
    return b;
}

std::string pct(double k, double n) {
    if (n <= 0)
        return "n/a";
    const auto [lo, hi] = wilson(k, n);
    // Four decimals only when the sample can support them (>= 30,000 operations).
    const int d = n >= 30000 ? 3 : 2;
    return fmt(100 * k / n, d) + " % [" + fmt(100 * lo, d) + ", " + fmt(100 * hi, d) +
           "] (n=" + std::to_string(static_cast<long long>(n)) + ")";
}

double quantile(std::vector<double> v, double q) {
    if (v.empty())
        return std::nan("");
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

std::string shell(const std::string& cmd) {
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char b[512];
        while (std::fgets(b, sizeof b, p))
            out += b;
        pclose(p);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}

// Runs one spec in a child process (pinned and memory-capped when constrained).
run_out run_one(const run_spec& s, const std::string& self, double timeout_s) {
    run_out r;
    r.spec = s;
    int fd[2];
    if (pipe(fd) != 0)
        return r;
    std::vector<std::string> args{self,
                                  "--child",
                                  s.scenario,
                                  std::to_string(s.param),
                                  s.config,
                                  std::to_string(s.seed),
                                  std::to_string(s.duration_s),
                                  std::to_string(s.rate),
                                  std::to_string(s.burst),
                                  std::to_string(s.place_share),
                                  s.constrained ? "1" : "0",
                                  std::to_string(s.sample_s),
                                  std::to_string(s.events_per_ms),
                                  std::to_string(s.pool_cap)};
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        if (s.constrained) {
            // One core (as taskset -c 0) and 2 GiB of address space (as ulimit -v).
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(0, &set);
            if (sched_setaffinity(0, sizeof set, &set) != 0)
                std::perror("sched_setaffinity");
            rlimit lim{2048ul << 20, 2048ul << 20};
            if (setrlimit(RLIMIT_AS, &lim) != 0)
                std::perror("setrlimit");
        }
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(self.c_str(), argv.data());
        std::perror("execv");
        _exit(127);
    }
    close(fd[1]);
    std::string text;
    const auto start = std::chrono::steady_clock::now();
    bool killed = false;
    for (;;) {
        pollfd p{fd[0], POLLIN, 0};
        const int pr = poll(&p, 1, 1000);
        if (pr > 0) {
            char b[4096];
            const ssize_t n = read(fd[0], b, sizeof b);
            if (n <= 0)
                break;
            text.append(b, static_cast<std::size_t>(n));
        }
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout_s) {
            kill(pid, SIGKILL);
            killed = true;
            break;
        }
    }
    close(fd[0]);
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);
    r.child_cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    r.maxrss_kb = ru.ru_maxrss;
    std::stringstream ss(text);
    std::string line;
    while (std::getline(ss, line)) {
        const auto sp = line.find(' ');
        if (sp != std::string::npos)
            r.kv[line.substr(0, sp)] = line.substr(sp + 1);
    }
    r.ok = !killed && WIFEXITED(status) && WEXITSTATUS(status) == 0 && r.kv.count("ops");
    if (!r.ok)
        std::fprintf(stderr, "run %s(%g)/%s failed (status %d%s)\n", s.scenario.c_str(), s.param, s.config.c_str(),
                     status, killed ? ", killed on timeout" : "");
    return r;
}

std::vector<run_spec> plan(bool quick, std::uint64_t seed, double scale, const std::string& only, long long pool_cap) {
    std::vector<run_spec> out;
    auto add = [&](run_spec s, bool genesis_only = false) {
        if (!only.empty() && s.scenario != only)
            return;
        s.duration_s *= scale;
        s.pool_cap = pool_cap;
        for (const auto& c : configs) {
            if (genesis_only && c != "genesis")
                continue;
            s.config = c;
            s.seed = seed;
            out.push_back(s);
        }
    };
    auto mk = [](std::string sc, double param, double dur, double rate) {
        run_spec s;
        s.scenario = std::move(sc);
        s.param = param;
        s.duration_s = dur;
        s.rate = rate;
        return s;
    };
    if (quick) {
        add(mk("mass_failure", 0.8, 5, 150));
        auto lost = mk("lost_ack", 0, 4, 100);
        lost.place_share = 0.6;
        add(lost);
        auto conc = mk("concurrent", 0, 1, 0);
        conc.burst = 1000;
        add(conc, true);
        return out;
    }
    auto conc = mk("concurrent", 0, 1, 0);
    conc.burst = 5000;
    conc.place_share = 0.1;
    add(conc);
    for (double sh : {0.0, 0.2, 0.4, 0.6, 0.8})
        add(mk("mass_failure", sh, 10, 150));
    for (double sh : {0.2, 0.4, 0.6, 0.8})
        add(mk("latency", sh, 10, 150));
    auto cons = mk("constrained", 0.6, 10, 150);
    cons.constrained = true;
    add(cons);
    add(mk("flapping", 0, 12, 150));
    auto lost = mk("lost_ack", 0, 10, 100);
    lost.place_share = 0.6;
    add(lost);
    auto lng = mk("long", 0, 90, 200);
    lng.sample_s = 1;
    lng.events_per_ms = 36;
    add(lng);
    return out;
}

std::string label(const run_spec& s) {
    return s.param > 0 || s.scenario == "mass_failure" ? s.scenario + "(" + fmt(s.param, 1) + ")" : s.scenario;
}

struct pooled {
    double ops = 0, live = 0, p0_enq = 0, p0_proc = 0, all_enq = 0, all_proc = 0, drops = 0;
    double lat_fault_n = 0, lat_fault_live = 0, calls = 0, attempts = 0, hedges = 0, extras = 0, wasted = 0;
    double dups = 0, lost = 0, lost_live = 0, fallback = 0, stale = 0, cpu = 0, rss = 0, events = 0;
    std::vector<double> rec_live, rec_closed;
    double unrecovered = 0, unclosed = 0;
};

pooled pool(const std::vector<run_out>& runs, const std::string& config) {
    pooled p;
    for (const auto& r : runs) {
        if (!r.ok || r.spec.config != config)
            continue;
        p.ops += r.num("ops");
        p.live += r.num("live");
        p.fallback += r.num("fallback");
        p.stale += r.num("stale");
        p.p0_enq += r.num("P0_enqueued");
        p.p0_proc += r.num("P0_processed");
        for (int l = 0; l < 5; ++l) {
            p.all_enq += r.num("P" + std::to_string(l) + "_enqueued");
            p.all_proc += r.num("P" + std::to_string(l) + "_processed");
            p.drops += r.num("P" + std::to_string(l) + "_dropped");
        }
        if (r.spec.scenario == "latency") {
            p.lat_fault_n += r.num("fault_ops");
            p.lat_fault_live += r.num("fault_live");
        }
        p.calls += r.num("calls");
        p.attempts += r.num("attempts");
        p.hedges += r.num("hedges");
        p.extras += r.num("parallel_extras");
        p.wasted += r.num("wasted_attempts");
        p.dups += r.num("duplicate_orders");
        p.lost += r.num("lost_fills");
        p.lost_live += r.num("lost_fills_live");
        p.cpu += r.num("cpu_client_s");
        p.rss = std::max(p.rss, r.num("peak_rss_kb"));
        for (double x : r.list("recovery_live_ms"))
            p.rec_live.push_back(x);
        for (double x : r.list("recovery_closed_ms"))
            p.rec_closed.push_back(x);
        p.unrecovered += r.num("unrecovered");
        p.unclosed += r.num("unclosed");
    }
    p.events = p.ops + p.all_enq;
    return p;
}

double mean(const std::vector<double>& v) {
    if (v.empty())
        return std::nan("");
    double s = 0;
    for (double x : v)
        s += x;
    return s / static_cast<double>(v.size());
}

const run_out* find_run(const std::vector<run_out>& runs, const std::string& sc, double param, const std::string& c) {
    for (const auto& r : runs)
        if (r.ok && r.spec.scenario == sc && std::abs(r.spec.param - param) < 1e-9 && r.spec.config == c)
            return &r;
    return nullptr;
}

void write_report(const std::vector<run_out>& runs, const std::string& dir, bool quick, const std::string& cmdline,
                  const std::string& started, double wall_s) {
    namespace fs = std::filesystem;
    fs::create_directories(dir);
    const std::string base = dir + "/resilience" + (quick ? "-quick" : "");

    // CSV: every figure of every run, then the pooled figures.
    std::ofstream csv(base + ".csv");
    csv << "scenario,param,config,seed,metric,value\n";
    for (const auto& r : runs) {
        for (const auto& [k, v] : r.kv)
            if (k != "curve" && k.find("recovery_") != 0)
                csv << r.spec.scenario << ',' << r.spec.param << ',' << r.spec.config << ',' << r.spec.seed << ',' << k
                    << ',' << v << '\n';
        csv << r.spec.scenario << ',' << r.spec.param << ',' << r.spec.config << ',' << r.spec.seed
            << ",child_cpu_s_incl_sim," << r.child_cpu_s << '\n';
    }

    std::array<pooled, 3> P;
    for (std::size_t c = 0; c < 3; ++c)
        P[c] = pool(runs, configs[c]);
    auto row = [&](std::ofstream& md, const std::string& name, auto f) {
        md << "| " << name;
        for (std::size_t c = 0; c < 3; ++c)
            md << " | " << f(P[c], c);
        md << " |\n";
    };
    for (std::size_t c = 0; c < 3; ++c) {
        const auto& p = P[c];
        const auto [lo, hi] = wilson(p.live, p.ops);
        csv << "ALL,0," << configs[c] << ",0,global_success," << p.live / std::max(1.0, p.ops) << '\n';
        csv << "ALL,0," << configs[c] << ",0,global_success_ci_lo," << lo << '\n';
        csv << "ALL,0," << configs[c] << ",0,global_success_ci_hi," << hi << '\n';
        csv << "ALL,0," << configs[c] << ",0,p0_processing," << p.p0_proc / std::max(1.0, p.p0_enq) << '\n';
        csv << "ALL,0," << configs[c] << ",0,latency_recovery," << p.lat_fault_live / std::max(1.0, p.lat_fault_n)
            << '\n';
        csv << "ALL,0," << configs[c] << ",0,recovery_live_mean_ms," << mean(p.rec_live) << '\n';
        csv << "ALL,0," << configs[c] << ",0,recovery_live_p50_ms," << quantile(p.rec_live, 0.5) << '\n';
        csv << "ALL,0," << configs[c] << ",0,recovery_live_p99_ms," << quantile(p.rec_live, 0.99) << '\n';
        csv << "ALL,0," << configs[c] << ",0,recovery_live_max_ms," << quantile(p.rec_live, 1.0) << '\n';
        csv << "ALL,0," << configs[c] << ",0,recovery_closed_p50_ms," << quantile(p.rec_closed, 0.5) << '\n';
        csv << "ALL,0," << configs[c] << ",0,unrecovered," << p.unrecovered << '\n';
        csv << "ALL,0," << configs[c] << ",0,events," << p.events << '\n';
        csv << "ALL,0," << configs[c] << ",0,duplicate_orders," << p.dups << '\n';
        csv << "ALL,0," << configs[c] << ",0,lost_fills," << p.lost << '\n';
        csv << "ALL,0," << configs[c] << ",0,lost_fills_live," << p.lost_live << '\n';
        csv << "ALL,0," << configs[c] << ",0,attempts_per_call," << p.attempts / std::max(1.0, p.calls) << '\n';
        csv << "ALL,0," << configs[c] << ",0,hedges," << p.hedges << '\n';
        csv << "ALL,0," << configs[c] << ",0,wasted_attempts," << p.wasted << '\n';
        csv << "ALL,0," << configs[c] << ",0,client_cpu_s," << p.cpu << '\n';
        csv << "ALL,0," << configs[c] << ",0,peak_rss_kb," << p.rss << '\n';
    }

    std::ofstream md(base + ".md");
    md << "# Resilience benchmark results" << (quick ? " (quick mode)" : "") << "\n\n";
    md << "Generated by `genesis-resilience-bench` (bench/resilience/), " << started << ", wall time " << fmt(wall_s, 0)
       << " s.\n\nCommand: `" << cmdline << "`\n\n";
    md << "Machine: " << shell("nproc") << " CPUs (`nproc`), "
       << shell("lscpu | sed -n 's/^Model name: *//p' | head -1") << ", kernel " << shell("uname -r")
       << ", load average at the end " << shell("cut -d' ' -f1-3 /proc/loadavg")
       << " (the machine is shared with other builds: figures are noisy lower bounds).\n\n";
    md << "Definitions: bench/README.md, section \"Resilience benchmark (issue 8)\". Rates are live "
          "successes over operations with a 95 % Wilson interval; nothing here is a fallback or stale "
          "value (the venue has none: fallback and stale counts are 0).\n\n";
    md << "## Summary (every run of each configuration pooled)\n\n";
    md << "| figure | none | classic | genesis |\n|---|---|---|---|\n";
    row(md, "global success (live / operations)", [](const pooled& p, std::size_t) { return pct(p.live, p.ops); });
    row(md, "event processing P0 (processed / enqueued)",
        [](const pooled& p, std::size_t) { return pct(p.p0_proc, p.p0_enq); });
    row(md, "event processing P0-P4",
        [](const pooled& p, std::size_t) { return pct(p.all_proc, p.all_enq) + ", " + fmt(p.drops, 0) + " dropped"; });
    row(md, "latency recovery (latency runs: live within deadline)",
        [](const pooled& p, std::size_t) { return pct(p.lat_fault_live, p.lat_fault_n); });
    row(md, "combined score = (global + P0 + latency recovery) / 3", [](const pooled& p, std::size_t) {
        const double g = p.live / std::max(1.0, p.ops), e = p.p0_proc / std::max(1.0, p.p0_enq),
                     l = p.lat_fault_live / std::max(1.0, p.lat_fault_n);
        return fmt(100 * (g + e + l) / 3, 2) + " %";
    });
    row(md, "mean recovery time (fault removed to first live success)", [](const pooled& p, std::size_t) {
        return fmt(mean(p.rec_live), 1) + " ms (n=" + std::to_string(p.rec_live.size()) + ", " + fmt(p.unrecovered, 0) +
               " never)";
    });
    row(md, "recovery p50 / p99 / max", [](const pooled& p, std::size_t) {
        return fmt(quantile(p.rec_live, 0.5), 1) + " / " + fmt(quantile(p.rec_live, 0.99), 1) + " / " +
               fmt(quantile(p.rec_live, 1.0), 1) + " ms";
    });
    row(md, "recovery to breaker CLOSED p50 / max", [](const pooled& p, std::size_t c) {
        if (c == 0)
            return std::string("n/a (no breaker)");
        return fmt(quantile(p.rec_closed, 0.5), 1) + " / " + fmt(quantile(p.rec_closed, 1.0), 1) + " ms (" +
               fmt(p.unclosed, 0) + " never)";
    });
    row(md, "attempts per executor call",
        [](const pooled& p, std::size_t) { return fmt(p.attempts / std::max(1.0, p.calls), 3); });
    row(md, "hedges / parallel extras / wasted attempts", [](const pooled& p, std::size_t) {
        return fmt(p.hedges, 0) + " / " + fmt(p.extras, 0) + " / " + fmt(p.wasted, 0);
    });
    row(md, "duplicate orders / lost fills",
        [](const pooled& p, std::size_t) { return fmt(p.dups, 0) + " / " + fmt(p.lost, 0); });
    row(md, "client CPU s (relative to none)", [&](const pooled& p, std::size_t) {
        return fmt(p.cpu, 1) + " (" + fmt(p.cpu / std::max(1e-9, P[0].cpu), 2) + "x)";
    });
    row(md, "peak RSS incl. embedded sim (relative to none)", [&](const pooled& p, std::size_t) {
        return fmt(p.rss / 1024, 0) + " MiB (" + fmt(p.rss / std::max(1.0, P[0].rss), 2) + "x)";
    });
    row(md, "events (operations + P0-P4 events)", [](const pooled& p, std::size_t) { return fmt(p.events, 0); });

    md << "\n## Per run\n\n";
    md << "| scenario | config | ops | success | during fault | p50 / p99 / p99.9 / max ms | attempts/call | "
          "hedges | dup / lost (live) | recovery p50 ms | client CPU s | RSS MiB |\n";
    md << "|---|---|---:|---|---|---|---:|---:|---|---:|---:|---:|\n";
    for (const auto& r : runs) {
        if (!r.ok) {
            md << "| " << label(r.spec) << " | " << r.spec.config << " | FAILED |||||||||\n";
            continue;
        }
        md << "| " << label(r.spec) << " | " << r.spec.config << " | " << fmt(r.num("ops"), 0) << " | "
           << pct(r.num("live"), r.num("ops")) << " | " << pct(r.num("fault_live"), r.num("fault_ops")) << " | "
           << r.kv.at("lat_p50_ms") << " / " << r.kv.at("lat_p99_ms") << " / " << r.kv.at("lat_p999_ms") << " / "
           << r.kv.at("lat_max_ms") << " | " << fmt(r.num("attempts") / std::max(1.0, r.num("calls")), 3) << " | "
           << fmt(r.num("hedges"), 0) << " | " << fmt(r.num("duplicate_orders"), 0) << " / "
           << fmt(r.num("lost_fills"), 0) << " (" << fmt(r.num("lost_fills_live"), 0) << ") | "
           << fmt(quantile(r.list("recovery_live_ms"), 0.5), 1) << " | " << fmt(r.num("cpu_client_s"), 2) << " | "
           << fmt(r.num("peak_rss_kb") / 1024, 0) << " |\n";
    }

    // Plot data and gnuplot.
    std::ofstream f1(base + "-failing.dat"), f2(base + "-latency.dat"), f3(base + "-long.dat");
    f1 << "# share_failing none classic genesis (success % of operations issued during the fault)\n";
    for (double sh : {0.0, 0.2, 0.4, 0.6, 0.8}) {
        std::string line = fmt(sh * 100, 0);
        bool any = false;
        for (const auto& c : configs) {
            const auto* r = find_run(runs, "mass_failure", sh, c);
            const double n = r ? (sh > 0 ? r->num("fault_ops") : r->num("ops")) : 0;
            const double k = r ? (sh > 0 ? r->num("fault_live") : r->num("live")) : 0;
            line += " " + (n > 0 ? fmt(100 * k / n, 3) : std::string("NaN"));
            any |= r != nullptr;
        }
        if (any)
            f1 << line << '\n';
    }
    f2 << "# share_slowed none classic genesis (p99 latency ms of live successes)\n";
    for (double sh : {0.2, 0.4, 0.6, 0.8}) {
        std::string line = fmt(sh * 100, 0);
        bool any = false;
        for (const auto& c : configs) {
            const auto* r = find_run(runs, "latency", sh, c);
            line += " " + (r ? r->kv.at("lat_p99_ms") : std::string("NaN"));
            any |= r != nullptr;
        }
        if (any)
            f2 << line << '\n';
    }
    f3 << "# second none classic genesis (success % per 1 s window of the long run)\n";
    std::array<std::vector<std::pair<double, double>>, 3> curves;
    for (std::size_t c = 0; c < 3; ++c) {
        const auto* r = find_run(runs, "long", 0, configs[c]);
        if (!r || !r->kv.count("curve"))
            continue;
        std::stringstream ss(r->kv.at("curve"));
        std::string w;
        while (std::getline(ss, w, ';')) {
            const auto colon = w.find(':');
            curves[c].push_back({std::atof(w.substr(0, colon).c_str()), std::atof(w.substr(colon + 1).c_str())});
        }
    }
    const std::size_t len = std::max({curves[0].size(), curves[1].size(), curves[2].size()});
    for (std::size_t i = 0; i + 1 < len; ++i) { // the last window is partial
        f3 << i;
        for (std::size_t c = 0; c < 3; ++c)
            f3 << ' '
               << (i < curves[c].size() && curves[c][i].first > 0
                       ? fmt(100 * curves[c][i].second / curves[c][i].first, 2)
                       : std::string("NaN"));
        f3 << '\n';
    }
    f1.close();
    f2.close();
    f3.close();
    std::ofstream gp(base + ".gp");
    const std::string b = fs::path(base).filename().string();
    gp << "set terminal pngcairo size 900,540 noenhanced\nset grid\nset key bottom left\n"
       << "set style data linespoints\n"
       << "set output '" << b
       << "-failing.png'\nset title 'Success rate during the fault vs share of failing "
          "endpoints (errors, resets, stalls)'\nset xlabel 'failing endpoints (%)'\nset ylabel 'live success "
          "(%)'\nset yrange [0:105]\n"
       << "plot '" << b << "-failing.dat' u 1:2 t 'none', '' u 1:3 t 'classic', '' u 1:4 t 'genesis'\n"
       << "set output '" << b
       << "-latency.png'\nset title 'p99 latency vs share of endpoints slowed by U(0.5 s, "
          "3 s)'\nset xlabel 'slowed endpoints (%)'\nset ylabel 'p99 latency of live successes (ms)'\n"
          "set yrange [0:*]\nset key top left\n"
       << "plot '" << b << "-latency.dat' u 1:2 t 'none', '' u 1:3 t 'classic', '' u 1:4 t 'genesis'\n"
       << "set output '" << b
       << "-long.png'\nset title 'Long run: success per 1 s window (10 s fault cycle)'\n"
          "set xlabel 'time (s)'\nset ylabel 'live success (%)'\nset yrange [0:105]\nset style data lines\n"
          "set key bottom left\n"
       << "plot '" << b << "-long.dat' u 1:2 t 'none', '' u 1:3 t 'classic', '' u 1:4 t 'genesis'\n";
    gp.close();
    if (quick) {
        md << "\nNo plots in quick mode.\n";
    } else if (shell("command -v gnuplot").empty()) {
        md << "\ngnuplot not found: plots not drawn (apt-get install -y gnuplot-nox).\n";
    } else {
        const std::string cmd = "cd '" + dir + "' && gnuplot '" + b + ".gp' 2>&1";
        const auto err = shell(cmd);
        if (!err.empty())
            std::fprintf(stderr, "gnuplot: %s\n", err.c_str());
        md << "\nPlots: `" << b << "-failing.png`, `" << b << "-latency.png`, `" << b << "-long.png` (data in the "
           << "`.dat` files, script `" << b << ".gp`).\n";
    }
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> a(argv + 1, argv + argc);
    if (!a.empty() && a[0] == "--child") {
        if (a.size() < 13) {
            std::fprintf(stderr, "--child needs 12 fields\n");
            return 2;
        }
        run_spec s;
        s.scenario = a[1];
        s.param = std::atof(a[2].c_str());
        s.config = a[3];
        s.seed = std::strtoull(a[4].c_str(), nullptr, 10);
        s.duration_s = std::atof(a[5].c_str());
        s.rate = std::atof(a[6].c_str());
        s.burst = std::strtoull(a[7].c_str(), nullptr, 10);
        s.place_share = std::atof(a[8].c_str());
        s.constrained = a[9] == "1";
        s.sample_s = std::atof(a[10].c_str());
        s.events_per_ms = std::strtoull(a[11].c_str(), nullptr, 10);
        s.pool_cap = std::strtoll(a[12].c_str(), nullptr, 10);
        // Room for 5,000 concurrent connections on each side of loopback.
        rlimit nofile{};
        if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
            nofile.rlim_cur = nofile.rlim_max;
            setrlimit(RLIMIT_NOFILE, &nofile);
        }
        return genesis::bench::run_child(s);
    }
    bool quick = false;
    std::string out = "bench/results", only;
    std::uint64_t seed = 1;
    double scale = 1;
    long long pool_cap = -1;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] == "--quick")
            quick = true;
        else if (a[i] == "--out" && i + 1 < a.size())
            out = a[++i];
        else if (a[i] == "--seed" && i + 1 < a.size())
            seed = std::strtoull(a[++i].c_str(), nullptr, 10);
        else if (a[i] == "--scale" && i + 1 < a.size())
            scale = std::atof(a[++i].c_str());
        else if (a[i] == "--only" && i + 1 < a.size())
            only = a[++i];
        else if (a[i] == "--pool-cap" && i + 1 < a.size())
            pool_cap = std::strtoll(a[++i].c_str(), nullptr, 10);
        else {
            std::fprintf(
                stderr,
                "usage: genesis-resilience-bench [--quick] [--out DIR] [--seed N] [--scale X] "
                "[--only SCENARIO] [--pool-cap N]\n  scenarios: concurrent mass_failure latency constrained flapping "
                "lost_ack long\n");
            return 2;
        }
    }
    std::string cmdline = "genesis-resilience-bench";
    for (const auto& x : a)
        cmdline += " " + x;
    char self[4096];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 2;
    self[n] = 0;
    const std::time_t now = std::time(nullptr);
    char started[64];
    std::strftime(started, sizeof started, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
    const auto t0 = std::chrono::steady_clock::now();

    std::vector<run_out> runs;
    for (const auto& s : plan(quick, seed, scale, only, pool_cap)) {
        std::fprintf(stderr, "[%s] %s / %s ...\n", started, label(s).c_str(), s.config.c_str());
        auto r = run_one(s, self, s.duration_s + 150);
        if (r.ok)
            std::fprintf(stderr, "  ops %s live %s dup %s lost %s p99 %s ms attempts %s hedges %s\n",
                         r.kv["ops"].c_str(), r.kv["live"].c_str(), r.kv["duplicate_orders"].c_str(),
                         r.kv["lost_fills"].c_str(), r.kv["lat_p99_ms"].c_str(), r.kv["attempts"].c_str(),
                         r.kv["hedges"].c_str());
        runs.push_back(std::move(r));
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    write_report(runs, out, quick, cmdline, started, wall);

    // The invariants (what --quick asserts).
    int failures = 0;
    auto check = [&](bool ok, const std::string& what) {
        if (!ok) {
            std::fprintf(stderr, "INVARIANT FAILED: %s\n", what.c_str());
            ++failures;
        }
    };
    for (const auto& r : runs) {
        const std::string l = label(r.spec) + "/" + r.spec.config;
        check(r.ok, l + ": run completed");
        if (!r.ok)
            continue;
        check(r.num("duplicate_orders") == 0, l + ": zero duplicate orders");
        check(r.num("unknown_to_oms") == 0, l + ": every sim order known to the OMS");
        check(r.num("lost_fills") == 0, l + ": zero lost fills");
        check(r.num("P0_processed") == r.num("P0_enqueued"), l + ": every P0 event processed");
    }
    for (const auto& r : runs) {
        if (!r.ok || r.spec.scenario != "mass_failure" || r.spec.config != "genesis" || r.spec.param < 0.79)
            continue;
        const auto* none = find_run(runs, "mass_failure", r.spec.param, "none");
        if (none)
            check(r.num("live") / r.num("ops") >= none->num("live") / none->num("ops"),
                  "mass_failure(0.8): genesis success >= none");
    }
    std::fprintf(stderr, "%s: %zu runs, %d invariant failures, %.0f s; report in %s\n", quick ? "quick" : "full",
                 runs.size(), failures, wall, out.c_str());
    return failures == 0 ? 0 : 1;
}
