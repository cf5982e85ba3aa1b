// The verbs of the iptc program, one file each.
#pragma once

#include <CLI/CLI.hpp>

namespace iptc::cli {

/// Registers a verb on the app; the returned callback runs it and gives the exit code.
using Runner = std::function<int()>;
Runner add_check(CLI::App& app);
Runner add_fmt(CLI::App& app);
Runner add_trace(CLI::App& app);

}  // namespace iptc::cli
