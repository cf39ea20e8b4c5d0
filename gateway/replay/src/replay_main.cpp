// `genesis-gateway replay`: options, and the file loop around replayer.
#include "genesis/gateway/replay/replay.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>

namespace genesis::gateway::replay {

namespace {

constexpr std::string_view usage_text =
    "usage: genesis-gateway replay --venue binance --input FILE [--books-only]\n"
    "  Runs a recording (one JSON object per line: ts_ns, source, channel, payload) through the\n"
    "  venue's decoders and local books, with no network, and writes JSON lines to stdout: each\n"
    "  normalized event, one book per symbol, then a summary. FILE '-' reads standard input.\n"
    "  --books-only  print only the books and the summary\n";

int replay_stream(std::istream& in, const replay_options& options, std::ostream& out, std::ostream& err) {
    replayer r(out, err, options);
    std::string line;
    while (std::getline(in, line))
        r.on_line(line);
    if (in.bad()) {
        err << "replay: read error on " << options.input << "\n";
        return 1;
    }
    r.finish();
    return 0;
}

} // namespace

int run_replay(const replay_options& options, std::ostream& out, std::ostream& err) {
    if (options.venue != "binance") {
        err << "replay: unknown venue '" << options.venue << "' (supported: binance)\n";
        return 2;
    }
    if (options.input.empty()) {
        err << "replay: no --input file\n" << usage_text;
        return 2;
    }
    if (options.input == "-")
        return replay_stream(std::cin, options, out, err);
    std::error_code ec;
    if (std::filesystem::is_directory(options.input, ec)) {
        err << "replay: cannot read " << options.input << ": is a directory\n";
        return 1;
    }
    std::ifstream in(options.input, std::ios::binary);
    if (!in) {
        err << "replay: cannot open " << options.input << "\n";
        return 1;
    }
    return replay_stream(in, options, out, err);
}

int replay_main(int argc, char** argv, std::ostream& out, std::ostream& err) {
    replay_options options;
    bool have_venue = false;
    int i = 1;
    if (i < argc && std::string_view{argv[i]} == "replay")
        ++i;
    for (; i < argc; ++i) {
        const std::string_view arg{argv[i]};
        // Both "--opt value" and "--opt=value".
        const auto value_of = [&](std::string_view name, std::string& value) -> int {
            if (arg == name) {
                if (i + 1 >= argc) {
                    err << "replay: " << name << " needs a value\n" << usage_text;
                    return 2;
                }
                value = argv[++i];
                return 1;
            }
            if (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=') {
                value = std::string(arg.substr(name.size() + 1));
                return 1;
            }
            return 0;
        };
        if (arg == "-h" || arg == "--help") {
            out << usage_text;
            return 0;
        }
        if (arg == "--books-only") {
            options.events = false;
            continue;
        }
        int r = value_of("--venue", options.venue);
        if (r == 2)
            return 2;
        if (r == 1) {
            have_venue = true;
            continue;
        }
        r = value_of("--input", options.input);
        if (r == 2)
            return 2;
        if (r == 1)
            continue;
        err << "replay: unknown option '" << arg << "'\n" << usage_text;
        return 2;
    }
    if (!have_venue) {
        err << "replay: --venue is required\n" << usage_text;
        return 2;
    }
    if (options.input.empty()) {
        err << "replay: --input is required\n" << usage_text;
        return 2;
    }
    return run_replay(options, out, err);
}

} // namespace genesis::gateway::replay
