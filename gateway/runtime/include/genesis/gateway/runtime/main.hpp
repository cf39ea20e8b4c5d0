// The genesis-gateway command line, as a function (main.cpp calls it; tests may too).
#pragma once

namespace genesis::gateway::runtime {

/// `genesis-gateway run --config FILE [--live]` | `genesis-gateway replay ...` | `--help`.
int gateway_main(int argc, char** argv);

} // namespace genesis::gateway::runtime
