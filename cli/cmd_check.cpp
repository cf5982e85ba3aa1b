// `iptc check FILE...`: accepts exactly what iptables-restore accepts. Exit 0 when every file
// loads, 1 with diagnostics when one does not.
#include <fmt/format.h>

#include "commands.hpp"
#include "input.hpp"
#include "ipsets.hpp"
#include "iptc/frontend/frontend.hpp"

namespace iptc::cli {

namespace {
struct CheckOptions {
  std::vector<std::string> files;
  std::string ipset;
  InputOptions input;
  bool counters = false;
  bool quiet = false;
};
}  // namespace

Runner add_check(CLI::App& app) {
  auto opts = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Check rule sets: exit 0 where iptables-restore would load them, 1 otherwise");
  cmd->add_option("files", opts->files, "Rule sets (iptables-save files; - for stdin)")
      ->required();
  cmd->add_flag("--counters", opts->counters,
                "Check counters as iptables-restore --counters does");
  cmd->add_flag("-q,--quiet", opts->quiet, "Print nothing for files that pass");
  cmd->add_option("--ipset", opts->ipset,
                  "Ipsets (`ipset save` output): every set a rule names must exist in it");
  add_input_options(*cmd, opts->input);
  return [cmd, opts]() -> int {
    if (!*cmd) return -1;
    int rc = 0;
    for (const auto& path : opts->files) {
      ir::SourceManager sm;
      auto id = read_input(sm, path);
      if (!id) {
        rc = 1;
        continue;
      }
      ir::Diagnostics diags;
      ir::Ruleset rs;
      frontend::ParseOptions po = parse_options(opts->input);
      po.counters = opts->counters;
      bool ok = frontend::load(sm, *id, po, rs, diags);
      if (ok && !opts->ipset.empty()) {
        // libxt_set.h get_set_byname: iptables refuses a rule naming a missing set.
        auto sets = load_ipsets(sm, opts->ipset, diags);
        ok = sets && check_set_refs(rs, *sets, diags);
      }
      print_diagnostics(diags, sm, opts->input);
      if (!ok) {
        rc = 1;
        fmt::print(stderr, "{}: {} error{}\n", sm.file(*id).name(), diags.error_count(),
                   diags.error_count() == 1 ? "" : "s");
        continue;
      }
      if (!opts->quiet) {
        size_t tables = 0, chains = 0, rules = 0;
        for (const auto& t : rs.tables) {
          if (!t) continue;
          ++tables;
          chains += t->chains().size();
          for (const auto& c : t->chains()) rules += c.rules.size();
        }
        fmt::print("{}: ok ({} rule{} in {} chain{} of {} table{})\n", sm.file(*id).name(), rules,
                   rules == 1 ? "" : "s", chains, chains == 1 ? "" : "s", tables,
                   tables == 1 ? "" : "s");
      }
    }
    return rc;
  };
}

}  // namespace iptc::cli
