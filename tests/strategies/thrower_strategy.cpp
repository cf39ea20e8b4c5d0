// A strategy that throws from on_book (param throw_on=book) or from start (throw_on=start): the
// adapter must turn the exception into an error status and the host disable this strategy only.
#include <genesis/strategy/api.h>

#include <stdexcept>
#include <string>

namespace {

class thrower {
    std::string throw_on_;

public:
    thrower(genesis::strategy::host_ref, const genesis::strategy::params& p) : throw_on_(p.text("throw_on", "book")) {
        if (throw_on_ == "create")
            throw std::invalid_argument("boom in create");
    }
    void start() {
        if (throw_on_ == "start")
            throw std::runtime_error("boom in start");
    }
    void on_book(const genesis_book&) {
        if (throw_on_ == "book")
            throw std::runtime_error("boom in on_book");
    }
};

} // namespace

GENESIS_STRATEGY_DEFINE(thrower, "thrower")
