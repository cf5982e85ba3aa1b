// The frontend: reads an iptables-save file or a script of iptables commands into an
// ir::Ruleset, with a diagnostic (file:line:col, source line, caret, hint) for every problem.
// The input syntax is detected from the content unless given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iptc/ir/diag.hpp"
#include "iptc/ir/ruleset.hpp"
#include "iptc/ir/source.hpp"

namespace iptc::frontend {

enum class InputSyntax : uint8_t { Auto, Save, Script };

struct ParseOptions {
  InputSyntax syntax = InputSyntax::Auto;
  /// As `iptables-restore --counters`: keep the [packets:bytes] of chains and rules.
  bool counters = false;
  /// Positional parameters of a command script ($1, $2, ...), as in `firewall.sh start`.
  std::vector<std::string> script_args;
};

/// What evaluating a command script did (scripts run command by command, so a failing
/// command leaves the others in place, unlike an iptables-restore file, which is atomic).
struct ScriptReport {
  bool parsed = false;               ///< the script parsed, so the rule set is its final state
  size_t iptables_commands = 0;
  size_t failed_commands = 0;        ///< iptables commands the kernel would refuse
  size_t skipped_commands = 0;       ///< non-iptables commands
  bool stopped_by_errexit = false;   ///< `set -e` ended the script at a failure
  std::optional<ir::SourceLoc> first_failure;
  /// Every iptables command evaluated, as its argv after expansion (program name first).
  std::vector<std::vector<std::string>> commands;
};

/// What a parse produced, besides the rule set and the diagnostics.
struct ParseReport {
  InputSyntax syntax = InputSyntax::Save;
  ScriptReport script;  ///< for scripts
};

/// Guesses the syntax: a file whose first meaningful line is `*table`, `:chain`, a rule line
/// or COMMIT is a save file; one whose commands start with iptables (or a shell construct) is
/// a script.
InputSyntax detect_syntax(std::string_view text);

/// Parses file `file_id` of `sm` into `out`. Returns true when the input is accepted (no error
/// diagnostics were added). Does not run the verifier; see ir::verify.
bool parse(ir::SourceManager& sm, uint32_t file_id, const ParseOptions& opts,
           ir::Ruleset& out, ir::Diagnostics& diags, ParseReport* report = nullptr);

/// parse() followed by ir::verify(): exactly what iptables-restore would accept.
bool load(ir::SourceManager& sm, uint32_t file_id, const ParseOptions& opts,
          ir::Ruleset& out, ir::Diagnostics& diags, ParseReport* report = nullptr);

}  // namespace iptc::frontend
