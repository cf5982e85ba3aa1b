// iptables-nft stores some matches not as xtables matches but as native nf_tables expressions
// (nft.c add_match: tcp, udp, mark, limit; add_action: the NFLOG target) and rebuilds them when
// it lists the rules (nft-shared.c). Two consequences, kept apart here:
//  - nft_canonicalize: what the kernel really holds can differ from what was written (an
//    inverted full port range is dropped; a limit rate is re-encoded as packets per unit, and
//    listing derives another period from it; a limit burst of 0 becomes 5). Applied when a
//    rule is added, so the IR means what the kernel will do.
//  - nft_save_view: listing merges all native tcp (and udp) matches of a rule into the first,
//    later fields overwriting earlier ones. Only the printer and rule comparison (-D, -C)
//    use this view; the IR keeps every match, because the kernel evaluates every one.
#pragma once

#include <vector>

#include "iptc/ir/ruleset.hpp"

namespace iptc::ir {

/// True when iptables-nft encodes this match natively (no xtables match in the kernel, so no
/// xt_check_match protocol or hook checks apply).
bool nft_is_native(const Match& m);

void nft_canonicalize(Rule& r);

// ---- Targets (add_action: iptables-nft 1.8.9 encodes only NFLOG natively) -------------------

/// True when iptables-nft sends this target as a native expression, not an xtables target
/// (so no xt_check_target table, hook or protocol check applies): NFLOG, as an nft log.
bool nft_target_is_native(const Target& t);

/// What the kernel holds of a native target: for NFLOG, the length of --nflog-range is never
/// sent (add_log sends a snap length only with --nflog-size). Called by nft_canonicalize.
void nft_canonicalize_target(Target& t);

/// The matches as iptables-save lists them.
std::vector<Match> nft_save_view(const std::vector<Match>& matches);

}  // namespace iptc::ir
