// `--ipset FILE` for the verbs: reading an ipsets file (`ipset save` text) into the runtime's
// store with file:line:col diagnostics, and checking a rule set's set references against it as
// iptables and the kernel do when the rules are loaded (libxt_set.h get_set_byname: the set
// must exist; ip_set_test: a match with fewer directions than the set's dimension never
// matches, which the kernel accepts silently and iptc warns about).
#pragma once

#include <optional>
#include <string>

#include "iptc/ir/diag.hpp"
#include "iptc/ir/ruleset.hpp"
#include "iptc/ir/source.hpp"
#include "iptc/runtime/ipset.hpp"

namespace iptc::cli {

/// Reads and parses the file; on error adds diagnostics and returns nullopt.
std::optional<runtime::IpsetStore> load_ipsets(ir::SourceManager& sm, const std::string& path,
                                               ir::Diagnostics& diags);

/// Errors for sets the rules name that the store lacks; warnings for never-matching
/// dimensions. Returns false when there was an error.
bool check_set_refs(const ir::Ruleset& rs, const runtime::IpsetStore& sets,
                    ir::Diagnostics& diags);

/// Whether any rule uses -m set or -j SET.
bool uses_sets(const ir::Ruleset& rs);

}  // namespace iptc::cli
