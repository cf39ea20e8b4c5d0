// A C++ strategy that fills the raw table itself (no GENESIS_STRATEGY_DEFINE adapter) and lets
// exceptions escape its callbacks: from create, restore_state (an exception type of its own), start
// or on_book (std::runtime_error; param throw_on=create|restore|start|book) or from on_trade (an
// int, throw_on=trade). The host's own try/catch must disable it, never crash.
#include <genesis/strategy/api.h>

#include <stdexcept>
#include <string>

namespace {

struct raw_thrower {
    std::string throw_on;
};

// An exception type of this file: its vtable and what() are gone once the host unloads the file.
struct raw_error : std::runtime_error {
    using std::runtime_error::runtime_error;
    const char* what() const noexcept override { return std::runtime_error::what(); }
};

bool throws_on(void* instance, const char* what) { return static_cast<raw_thrower*>(instance)->throw_on == what; }

int create(const genesis_host*, const genesis_param* p, size_t n, void** instance, genesis_error*) {
    const std::string throw_on = genesis::strategy::params(p, n).text("throw_on", "never");
    if (throw_on == "create")
        throw raw_error("raw boom in create");
    *instance = new raw_thrower{throw_on};
    return GENESIS_OK;
}

void destroy(void* instance) { delete static_cast<raw_thrower*>(instance); }

int restore_state(void* instance, const void*, size_t, genesis_error*) {
    if (throws_on(instance, "restore"))
        throw raw_error("raw boom in restore_state");
    return GENESIS_OK;
}

int start(void* instance, genesis_error*) {
    if (throws_on(instance, "start"))
        throw std::runtime_error("raw boom in start");
    return GENESIS_OK;
}

int on_book(void* instance, const genesis_book*, genesis_error*) {
    if (throws_on(instance, "book"))
        throw std::runtime_error("raw boom in on_book");
    return GENESIS_OK;
}

int on_trade(void* instance, const genesis_trade*, genesis_error*) {
    if (throws_on(instance, "trade"))
        throw 42; // not a std::exception: no message to report
    return GENESIS_OK;
}

const genesis_strategy table = {GENESIS_STRATEGY_ABI_VERSION,
                                "raw_thrower",
                                &create,
                                &destroy,
                                &restore_state,
                                &start,
                                &on_book,
                                &on_trade,
                                nullptr,
                                nullptr,
                                nullptr,
                                nullptr};

} // namespace

extern "C" GENESIS_STRATEGY_EXPORT const genesis_strategy* genesis_strategy_entry(void) { return &table; }
