// The RuleBuilder applies parsed commands to a Ruleset with the semantics of iptables 1.8.9
// on the nf_tables backend: -A -I -D -R -C -F -Z -N -X -E -P, chain lines and table resets of
// iptables-restore, and the errors each of them raises (a missing chain, a rule that does not
// exist, an insert past the end, ...). Both input syntaxes feed it, so a save file and a script
// that mean the same thing build the same Ruleset.
#pragma once

#include <array>
#include <string_view>

#include "command.hpp"
#include "iptc/ir/diag.hpp"
#include "iptc/ir/ruleset.hpp"

namespace iptc::frontend {

class RuleBuilder {
 public:
  /// restore: the commands come from an iptables-restore file, one nf_tables transaction that
  /// starts with an empty cache, where -F without a chain does nothing and -E and -R fail.
  RuleBuilder(ir::Ruleset& rs, ir::Diagnostics& diags, bool restore = false)
      : rs_(rs), diags_(diags), restore_(restore) {}

  /// `*TABLE` in iptables-restore: the table starts over (absent until touched).
  void reset_table(ir::TableKind t);
  /// `:NAME POLICY [p:b]`: sets a built-in chain's policy (and counters when given) or
  /// creates a user chain, flushing it if it exists. Returns false after a diagnostic.
  bool chain_line(ir::TableKind t, const Word& name, const Word* policy,
                  const ir::Counters* counters);
  /// Executes one command. Returns false after a diagnostic.
  bool apply(const ParsedCommand& cmd);

  [[nodiscard]] ir::Ruleset& ruleset() { return rs_; }

 private:
  bool apply_command(const ParsedCommand& cmd);
  bool fail(const Word* w, ir::SourceLoc fallback, std::string msg, std::string hint = {});
  ir::Chain* chain_for(ir::Table& t, const ParsedCommand& cmd, bool must_exist);
  /// The table, created with its built-in chains not yet registered (Chain::registered).
  ir::Table& table(ir::TableKind tk, ir::SourceLoc loc);
  bool check_jump(ir::Table& t, const ir::Rule& r);

  /// iptables-nft creates a table's base chains one by one, when a command first needs
  /// them (-A/-I into it, -P, -F CHAIN, a chain line); iptables-save lists the missing ones
  /// anyway, but -Z CHAIN fails on a base chain that does not exist yet.
  [[nodiscard]] bool created(ir::TableKind t, std::string_view chain) const;

  ir::Ruleset& rs_;
  ir::Diagnostics& diags_;
  bool restore_ = false;
};

}  // namespace iptc::frontend
