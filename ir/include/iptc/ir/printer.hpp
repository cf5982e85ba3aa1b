// The canonical printer: a Ruleset in exactly the text `iptables-save` (iptables 1.8.9,
// nf_tables backend) prints after `iptables-restore` of the same input, minus the
// "# Generated/Completed" comment lines.
#pragma once

#include <string>

#include "iptc/ir/ruleset.hpp"

namespace iptc::ir {

struct PrintOptions {
  bool counters = false;  ///< `iptables-save -c`: "[p:b] -A ..." rule prefixes
};

std::string print_save(const Ruleset& rs, const PrintOptions& opts = {});
/// One rule without the "-A CHAIN" prefix (for diagnostics and traces): " -s 10.0.0.0/8 -j DROP".
std::string print_rule_spec(const Rule& r);
/// "-A CHAIN" plus the spec, as one save line (no newline).
std::string print_rule(const Chain& c, const Rule& r);

}  // namespace iptc::ir
