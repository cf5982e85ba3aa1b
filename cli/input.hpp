// Shared by the verbs: reading inputs (files or "-" for stdin), the input-syntax option, and
// printing diagnostics (coloured on a terminal).
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "iptc/frontend/frontend.hpp"
#include "iptc/ir/diag.hpp"
#include "iptc/ir/ruleset.hpp"
#include "iptc/ir/source.hpp"

namespace iptc::cli {

struct InputOptions {
  std::string syntax = "auto";  ///< auto | save | script
  std::string color = "auto";   ///< auto | always | never
  bool verbose = false;         ///< print notes too
  std::vector<std::string> script_args;  ///< $1, $2, ... of a command script
};

void add_input_options(CLI::App& cmd, InputOptions& opts);

/// Reads a file (or stdin for "-") into sm; prints an error and returns nullopt on failure.
std::optional<uint32_t> read_input(ir::SourceManager& sm, const std::string& path);

frontend::ParseOptions parse_options(const InputOptions& opts);

/// Prints diagnostics to stderr, coloured when asked or when stderr is a terminal.
void print_diagnostics(const ir::Diagnostics& diags, const ir::SourceManager& sm,
                       const InputOptions& opts);

}  // namespace iptc::cli
