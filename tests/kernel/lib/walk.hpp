// Turning counter deltas into a packet's story: which rules matched in which order, which
// policies decided, where the verdict fell, and which hooks the packet went through.
//
// Counters say how often each rule matched, not in which order, so the walk replays
// netfilter's traversal over the listing: hooks in path order, the tables of each hook by
// priority (DESIGN.md), each built-in chain rule by rule; a rule whose counter went up is
// taken as matched (one count consumed per visit), and its target decides what comes next
// (jump/goto descend, RETURN pops, ACCEPT ends the table, DROP/REJECT/QUEUE end the packet,
// non-terminating targets continue). A table that saw the packet always ends in a matched
// terminating rule or its policy, whose counter then went up; a table whose counters did not
// move never saw the packet. Counts left over after the walk mean the replay does not explain
// what the kernel did, and the packet is reported as "unexplained" rather than guessed.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "netlink.hpp"
#include "save_listing.hpp"

namespace iptc::kernel_test {

enum class Hook : uint8_t { kPrerouting, kInput, kForward, kOutput, kPostrouting };
const char* hook_name(Hook h);
/// Tables at a hook in priority order (raw -300, mangle -150, nat DNAT -100, filter 0,
/// security 50, nat SNAT 100).
const std::vector<std::string>& tables_at(Hook h);

struct MatchedEntry {
  std::string table, chain;
  uint32_t rule = 0;
  std::string text, target;
  uint32_t line = 0;
  uint64_t count = 1;  ///< the rule's counter delta (a rule visited twice counts 2)
};

struct PolicyEntry {
  std::string table, chain, policy;
};

struct WalkResult {
  std::vector<Hook> hooks;  ///< hooks the packet reached, in order
  std::vector<MatchedEntry> matched;
  std::vector<PolicyEntry> policies;
  /// "ACCEPT" when every table that saw the packet let it through, else DROP / REJECT /
  /// QUEUE / SYNPROXY.
  std::string verdict = "ACCEPT";
  std::optional<Hook> verdict_hook;
  std::string verdict_table, verdict_chain;
  uint32_t verdict_rule = 0;  ///< 0: the policy (or a hotdrop)
  /// The packet vanished inside a table: no rule counted a terminating decision and the
  /// policy did not count either. That is a match's hotdrop (xt_sctp, xt_tcp on a truncated
  /// header, ...): NF_DROP from the middle of the chain. verdict is then DROP.
  bool hotdrop = false;
  std::string hotdrop_after;  ///< "chain#rule" of the last rule that counted in that table
  std::optional<std::string> ctstate;  ///< from the hidden conntrack-state probes
  uint64_t kernel_sent = 0;            ///< kernel-generated packets the hidden rule dropped
  std::string unexplained;             ///< non-empty when the counters do not fit a walk
  bool passed_filter = false;          ///< a hidden "passed" probe (security table) counted it
  /// Rules the packet was evaluated against (matched or not), for telling which answers
  /// depend on chance (-m statistic --mode random).
  std::vector<const SavedRule*> evaluated;
};

struct WalkInput {
  const Listing* listing = nullptr;
  const std::set<std::string>* user_tables = nullptr;  ///< tables reported to the user
  const CounterSnapshot* before = nullptr;
  const CounterSnapshot* after = nullptr;
  std::vector<Hook> hook_order;  ///< hooks in the order this kind of packet meets them
};

WalkResult walk_counters(const WalkInput& in);

}  // namespace iptc::kernel_test
