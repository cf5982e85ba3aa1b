// Reading an `iptables-save` listing: tables, chains with their policies, and rules in order
// with their targets, so the harness can number rules as `iptables -L --line-numbers` does
// and replay a packet's walk from the counters. The listing is the kernel's own (taken after
// the load), so the rule order is exactly the kernel's; generators use the same reader on
// canonical corpus files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iptc::kernel_test {

/// What a rule's target does to the walk through a chain.
enum class TargetClass : uint8_t {
  kContinue,     ///< no target or a non-terminating one (LOG, MARK, CT, ...)
  kAccept,       ///< ACCEPT and the NAT targets (NF_ACCEPT)
  kDrop,
  kReject,
  kQueue,        ///< QUEUE, NFQUEUE (no listener in the namespace: the packet is dropped)
  kQueueBypass,  ///< NFQUEUE --queue-bypass without a listener: accepted by this table
  kReturn,
  kJump,
  kGoto,
  kSynproxy,     ///< steals or drops
  kUnknown,      ///< a target the harness does not know: treated as non-terminating
};

struct SavedRule {
  std::string text;        ///< the whole "-A CHAIN ..." line
  std::vector<std::string> words;  ///< tokens after "-A CHAIN", quotes removed
  std::string target;      ///< "ACCEPT", "DNAT", a chain name, or "" for none
  std::string target_chain;  ///< for kJump / kGoto
  TargetClass cls = TargetClass::kContinue;
  bool hidden = false;     ///< one of the harness's own probe rules
  uint32_t line = 0;       ///< line in the listing
  uint32_t number = 0;     ///< 1-based position among the user's rules of the chain
};

struct SavedChain {
  std::string name;
  bool builtin = false;
  std::string policy;  ///< ACCEPT/DROP for built-in chains, "-" for user chains
  std::vector<SavedRule> rules;
};

struct SavedTable {
  std::string name;
  std::vector<SavedChain> chains;
  [[nodiscard]] const SavedChain* find(std::string_view chain) const;
  SavedChain* find(std::string_view chain);
};

struct Listing {
  std::vector<SavedTable> tables;
  [[nodiscard]] const SavedTable* find(std::string_view table) const;
  SavedTable* find(std::string_view table);
};

/// The comment marking the harness's hidden probe rules.
inline constexpr std::string_view kHiddenTag = "iptc-kh";

bool parse_listing(std::string_view text, Listing& out, std::string& err);

/// Splits an iptables-save rule line into words, removing double quotes and backslash escapes
/// as iptables-restore does.
std::vector<std::string> tokenize_rule(std::string_view line);

/// Classifies a target by its name and options (chain names are resolved by the caller).
TargetClass classify_target(std::string_view name, const std::vector<std::string>& opts);

/// Built-in chains of a table, in the order iptables-save prints them.
const std::vector<std::string>& builtin_chains(std::string_view table);

}  // namespace iptc::kernel_test
