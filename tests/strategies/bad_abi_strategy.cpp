// A strategy built against another ABI version: the host must refuse it before calling anything.
#include <genesis/strategy/api.h>

#include <cstdlib>

namespace {

int create(const genesis_host*, const genesis_param*, size_t, void**, genesis_error*) { std::abort(); }
void destroy(void*) { std::abort(); }

const genesis_strategy table = {999u,    "bad_abi", &create, &destroy, nullptr, nullptr,
                                nullptr, nullptr,   nullptr, nullptr,  nullptr, nullptr};

} // namespace

extern "C" GENESIS_STRATEGY_EXPORT const genesis_strategy* genesis_strategy_entry(void) { return &table; }
