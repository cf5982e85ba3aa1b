// `iptc fmt FILE`: prints the rule set exactly as the kernel's iptables-save would after
// iptables-restore of FILE (the "# Generated" comment lines aside).
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "input.hpp"
#include "ipsets.hpp"
#include "iptc/frontend/frontend.hpp"
#include "iptc/ir/printer.hpp"

namespace iptc::cli {

namespace {
struct FmtOptions {
  std::string file;
  std::string ipset;
  InputOptions input;
  bool counters = false;
};
}  // namespace

Runner add_fmt(CLI::App& app) {
  auto opts = std::make_shared<FmtOptions>();
  CLI::App* cmd = app.add_subcommand(
      "fmt", "Print a rule set in canonical iptables-save form (as the kernel would list it)");
  cmd->add_option("file", opts->file, "Rule set (iptables-save file; - for stdin)")->required();
  cmd->add_flag("-c,--counters", opts->counters,
                "Keep and print packet and byte counters (iptables-restore/save --counters)");
  cmd->add_option("--ipset", opts->ipset,
                  "Ipsets (`ipset save` output): every set a rule names must exist in it");
  add_input_options(*cmd, opts->input);
  return [cmd, opts]() -> int {
    if (!*cmd) return -1;
    ir::SourceManager sm;
    auto id = read_input(sm, opts->file);
    if (!id) return 1;
    ir::Diagnostics diags;
    ir::Ruleset rs;
    frontend::ParseOptions po = parse_options(opts->input);
    po.counters = opts->counters;
    frontend::ParseReport report;
    bool ok = frontend::load(sm, *id, po, rs, diags, &report);
    print_diagnostics(diags, sm, opts->input);
    // A save file loads atomically: on error nothing is loaded. A script runs command by
    // command: its final state exists even when some commands failed (they are reported).
    bool script = report.syntax == frontend::InputSyntax::Script && report.script.parsed;
    if (!ok && !script) return 1;
    if (!opts->ipset.empty()) {
      // iptables-restore refuses a rule naming a missing set (the whole file).
      ir::Diagnostics sdiags;
      auto sets = load_ipsets(sm, opts->ipset, sdiags);
      bool sok = sets && check_set_refs(rs, *sets, sdiags);
      print_diagnostics(sdiags, sm, opts->input);
      if (!sok) return 1;
    }
    std::string out = ir::print_save(rs, ir::PrintOptions{opts->counters});
    std::fwrite(out.data(), 1, out.size(), stdout);
    return ok ? 0 : 1;
  };
}

}  // namespace iptc::cli
