#include "genesis/core/thread.hpp"

#include <pthread.h>
#include <sched.h>

namespace genesis {

void name_this_thread(const char* name) noexcept {
    char cut[16] = {};
    for (std::size_t i = 0; i + 1 < sizeof cut && name[i] != '\0'; ++i)
        cut[i] = name[i];
    (void)pthread_setname_np(pthread_self(), cut);
}

error_code pin_this_thread(std::span<const unsigned> cpus) noexcept {
    if (cpus.empty())
        return {};
    cpu_set_t set;
    CPU_ZERO(&set);
    for (const unsigned c : cpus) {
        if (c >= CPU_SETSIZE)
            return make_error_code(core_errc::invalid_argument);
        CPU_SET(c, &set);
    }
    if (const int rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set); rc != 0)
        return {rc, boost::system::system_category()};
    return {};
}

std::vector<unsigned> this_thread_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    std::vector<unsigned> out;
    if (pthread_getaffinity_np(pthread_self(), sizeof set, &set) != 0)
        return out;
    for (unsigned c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set))
            out.push_back(c);
    return out;
}

std::vector<unsigned> allowed_cpus() { return this_thread_cpus(); }

std::string cpu_list_text(std::span<const unsigned> cpus) {
    std::string out;
    for (std::size_t i = 0; i < cpus.size();) {
        std::size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1)
            ++j;
        if (!out.empty())
            out += ',';
        out += std::to_string(cpus[i]);
        if (j > i)
            out += '-' + std::to_string(cpus[j]);
        i = j + 1;
    }
    return out;
}

} // namespace genesis
