// genesis-gateway: `run --config FILE` runs the gateway; `replay --venue binance --input FILE`
// runs a recording through the decoders and books. Exit codes: 0 ok, 1 runtime failure, 2 usage
// or configuration error (the message names the file, line and key).
#include "genesis/gateway/runtime/main.hpp"

int main(int argc, char** argv) { return genesis::gateway::runtime::gateway_main(argc, argv); }
