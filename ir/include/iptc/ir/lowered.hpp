// The lowered form: the rule set as the backend compiles it, between ir::Ruleset and LLVM.
// Per (table, hook) that exists, the chains reachable from the built-in chain, each a list of
// rules whose criteria are explicit tests on fields of the ABI packet (runtime/include/iptc/
// runtime/abi.h: struct iptc_pkt) — masked ranges, interface names with '+' wildcards, MAC,
// port lists — or "ask the slow path for match k of rule r" for a match the code does not
// evaluate natively, and one action (verdict, jump, goto, return, mark set, slow-path target).
// Criteria run in order and stop at the first that fails; a failing criterion either skips
// the rule or drops the packet at once (the kernel's hotdrop).
//
// Plain data, no logic: lower() (ir/src/lower.cpp) makes it, the optimizer's passes (ir/) may
// rewrite it, the backend turns it into code. Counter slots (ir::slot_map) tie every lowered
// rule back to its ir::Rule (table, chain, rule number, source line) for counters and traces.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "iptc/ir/ruleset.hpp"

namespace iptc::ir {

// ---- counter slots ------------------------------------------------------------------------

/// One counter slot: a rule, or a built-in chain's policy.
struct Slot {
  TableKind table;
  uint32_t chain = 0;  ///< index in Table::chains()
  uint32_t rule = 0;   ///< index in Chain::rules; unused for a policy
  bool policy = false;
  uint32_t line = 0;   ///< the rule's (or chain's) source line; 0 when unknown
};

/// Every rule of the rule set (tables in TableKind order, chains in table order, rules in
/// chain order), then every built-in chain's policy in the same order. The numbering is part
/// of the compiled ABI (abi.h): a compiled rule set and whoever serves its callbacks compute
/// it from the same Ruleset.
struct SlotMap {
  std::vector<Slot> slots;
  uint32_t rule_count = 0;  ///< slots [0, rule_count) are rules
  /// First slot of each chain's rules, per table (indexed by chain index), and the policy
  /// slot of each built-in chain (~0u for user chains).
  std::array<std::vector<uint32_t>, kTableCount> first_rule, policy_slot;

  [[nodiscard]] uint32_t rule_slot(TableKind t, uint32_t chain, uint32_t rule) const {
    return first_rule[static_cast<size_t>(t)][chain] + rule;
  }
  [[nodiscard]] const Rule& rule(const Ruleset& rs, uint32_t slot) const;
  [[nodiscard]] const Chain& chain(const Ruleset& rs, uint32_t slot) const;
};

SlotMap slot_map(const Ruleset& rs);

/// A 64-bit digest of the rule set's canonical text (FNV-1a of print_save): tells whether a
/// compiled artifact belongs to a rule set.
uint64_t fingerprint(const Ruleset& rs);

// ---- criteria -----------------------------------------------------------------------------

/// Fields of struct iptc_pkt that tests read.
enum class Field : uint8_t {
  Src, Dst, Mark, Len, CtStatus, CtMark, Uid, Gid, InIfindex, OutIfindex,  // 32 bits
  TotLen, FragOff, Sport, Dport, L4Avail, CtState,                          // 16 bits
  Proto, Tos, Ttl, TcpFlags, IcmpType, IcmpCode, Pkttype, Flags,            // 8 bits
  IcmpTypeCode,  ///< icmp_type << 8 | icmp_code: one test for "type T, codes lo..hi"
};
inline constexpr size_t kFieldCount = 25;
std::string_view field_name(Field f);

/// What a failing criterion does.
enum class OnFail : uint8_t { Skip, Hotdrop };

/// ((field & mask) in [lo, hi]) != invert. Covers address/prefix (lo == hi), ranges, flag
/// tests (mask, lo == hi == cmp) and "any bit of mask" (lo 1, hi ~0).
struct FieldTest {
  Field field;
  uint32_t mask = ~0u;
  uint32_t lo = 0, hi = ~0u;
  bool invert = false;
  OnFail on_fail = OnFail::Skip;
  friend bool operator==(const FieldTest&, const FieldTest&) = default;
};

/// An interface name test (ip_packet_match): `name` NUL-padded to 16 bytes; `len` bytes are
/// compared: the name plus its NUL for an exact name, the prefix before '+' for a wildcard
/// ("+" alone: 0 bytes, every packet, even without a device).
struct IfaceTest {
  bool out = false;
  std::array<char, 16> name{};
  uint8_t len = 0;
  bool invert = false;
  friend bool operator==(const IfaceTest&, const IfaceTest&) = default;
};

/// Source MAC equality (xt_mac): no match without a MAC header (IPTC_PKT_HAS_MAC clear),
/// whatever `invert` says.
struct MacTest {
  std::array<uint8_t, 6> addr{};
  bool invert = false;
  friend bool operator==(const MacTest&, const MacTest&) = default;
};

/// Any of the port ranges (xt_multiport after its fragment and header guards).
struct PortListTest {
  enum class Dir : uint8_t { Source, Destination, Either };
  Dir dir = Dir::Destination;
  std::vector<PortRange> ranges;
  bool invert = false;
  friend bool operator==(const PortListTest&, const PortListTest&) = default;
};

/// Match `match_index` of the rule, evaluated by the iptc_ctx's match callback.
struct SlowMatch {
  uint32_t match_index = 0;
  friend bool operator==(const SlowMatch&, const SlowMatch&) = default;
};

using Criterion = std::variant<FieldTest, IfaceTest, MacTest, PortListTest, SlowMatch>;

// ---- actions ------------------------------------------------------------------------------

enum class ActionKind : uint8_t {
  Continue,  ///< no target: count and go on
  Accept, Drop, Queue, Return,
  Jump, Goto,  ///< `chain` indexes LoweredHook::chains
  SetMark,     ///< MARK: mark = (mark & ~mask) ^ value
  SlowTarget,  ///< the iptc_ctx's target callback
};

struct Action {
  ActionKind kind = ActionKind::Continue;
  uint32_t chain = 0;
  uint32_t value = 0, mask = 0;
  friend bool operator==(const Action&, const Action&) = default;
};

struct LoweredRule {
  uint32_t slot = 0;  ///< counter slot (SlotMap): the ir::Rule it came from
  std::vector<Criterion> criteria;
  Action action;
};

struct LoweredChain {
  uint32_t ir_chain = 0;  ///< index in Table::chains()
  std::string name;
  std::vector<LoweredRule> rules;
  /// The built-in chain (chains[0] of a hook): its end is the policy; else an implicit RETURN.
  bool builtin = false;
  Policy policy = Policy::Accept;
  uint32_t policy_slot = 0;
};

/// One table at one hook: chains[0] is the built-in chain, then the user chains it reaches.
struct LoweredHook {
  TableKind table;
  Hook hook;
  std::vector<LoweredChain> chains;
  uint32_t max_depth = 0;  ///< longest chain of jumps from chains[0] (the return stack bound)
  [[nodiscard]] size_t rule_count() const;
};

/// Which kernel front end the rule set was loaded by (interp::Frontend): iptables-nft's
/// native tcp/udp encodings never hotdrop; iptables-legacy's xt_tcpudp does.
enum class LowerFrontend : uint8_t { Nft, Legacy };

struct LowerOptions {
  LowerFrontend frontend = LowerFrontend::Nft;
  /// Evaluate every match through the slow path (a debugging aid and a test of the
  /// callbacks).
  bool all_slow = false;
};

struct LoweredRuleset {
  std::vector<LoweredHook> hooks;  ///< (table, hook) pairs that exist, tables in TableKind order
  SlotMap slots;
  uint64_t fingerprint = 0;
  /// Statistics: matches evaluated natively and through the slow path, slow targets.
  size_t native_matches = 0, slow_matches = 0, slow_targets = 0;
};

/// Lowers a verified rule set. Built-in chains iptables-nft never registered (Chain::
/// registered false) get no hook.
LoweredRuleset lower(const Ruleset& rs, const LowerOptions& opts = {});

/// "iptc_filter_input": the symbol of a (table, hook) function.
std::string hook_symbol(TableKind t, Hook h);

/// Text dump for tests and `iptc compile --dump-lowered`.
std::string dump(const LoweredRuleset& l);

}  // namespace iptc::ir
