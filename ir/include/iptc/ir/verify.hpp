// The verifier: what the kernel refuses when iptables-restore commits a rule set, checked on
// the IR with a diagnostic at the user's line. It covers the jump graph (loops, depth), and
// each match's and target's table, hook and protocol constraints, including hooks reached
// only through user chains, which nf_tables validates from every base chain.
#pragma once

#include <array>

#include "iptc/ir/diag.hpp"
#include "iptc/ir/ruleset.hpp"

namespace iptc::ir {

/// Returns true when the kernel would accept the rule set. Reports every problem found.
bool verify(const Ruleset& rs, Diagnostics& diags);

/// For each chain of a table (by index in Table::chains()), the hooks from which it can be
/// reached through jumps and gotos. Built-in chains have their own hook.
std::vector<HookMask> reachable_hooks(const Table& t);

}  // namespace iptc::ir
