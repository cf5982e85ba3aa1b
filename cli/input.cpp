// Input reading and diagnostic printing for the verbs.
#include "input.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

namespace iptc::cli {

void add_input_options(CLI::App& cmd, InputOptions& opts) {
  cmd.add_option("--input", opts.syntax, "Input syntax: auto (detect), save or script")
      ->check(CLI::IsMember({"auto", "save", "script"}))
      ->capture_default_str();
  cmd.add_option("--color", opts.color, "Colour diagnostics: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd.add_flag("-v,--verbose", opts.verbose, "Also print notes (e.g. each skipped script command)");
  cmd.add_option("--script-arg", opts.script_args,
                 "A positional parameter for a command script ($1, $2, ...; repeat for more), "
                 "as in 'firewall.sh start'");
}

std::optional<uint32_t> read_input(ir::SourceManager& sm, const std::string& path) {
  std::ostringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return sm.add("<stdin>", ss.str());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "iptc: error: cannot read '{}': {}\n", path, std::strerror(errno));
    return std::nullopt;
  }
  ss << in.rdbuf();
  return sm.add(path, ss.str());
}

frontend::ParseOptions parse_options(const InputOptions& opts) {
  frontend::ParseOptions p;
  p.script_args = opts.script_args;
  if (opts.syntax == "save") p.syntax = frontend::InputSyntax::Save;
  else if (opts.syntax == "script") p.syntax = frontend::InputSyntax::Script;
  return p;
}

void print_diagnostics(const ir::Diagnostics& diags, const ir::SourceManager& sm,
                       const InputOptions& opts) {
  ir::RenderOptions r;
  r.color = opts.color == "always" || (opts.color == "auto" && isatty(STDERR_FILENO));
  std::string text;
  size_t notes = 0;
  for (const auto& d : diags.all()) {
    if (d.severity == ir::Severity::Note && !opts.verbose) {
      ++notes;
      continue;
    }
    text += ir::render(d, sm, r);
  }
  if (notes)
    text += fmt::format("iptc: {} note{} not shown (skipped script commands and the like); -v shows them\n",
                        notes, notes == 1 ? "" : "s");
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace iptc::cli
