// The rule set as plain data: Ruleset -> Table -> Chain -> Rule {ip header part, matches,
// target, counters, source location}. It holds what the kernel would hold after
// `iptables-restore`: tables in the kernel's fixed order, built-in chains in hook order, rules in
// evaluation order. No logic beyond lookups lives here; parsing, printing, verification and
// every pass are free functions elsewhere.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "iptc/ir/matches.hpp"
#include "iptc/ir/source.hpp"
#include "iptc/ir/targets.hpp"

namespace iptc::ir {

/// Tables in the order iptables-save (nf_tables backend) prints them.
enum class TableKind : uint8_t { Mangle, Security, Raw, Filter, Nat };
inline constexpr size_t kTableCount = 5;

/// Netfilter hooks (NF_INET_*), in kernel numbering.
enum class Hook : uint8_t { Prerouting, Input, Forward, Output, Postrouting };
inline constexpr size_t kHookCount = 5;

using HookMask = uint8_t;
constexpr HookMask hook_bit(Hook h) { return static_cast<HookMask>(1u << static_cast<unsigned>(h)); }
inline constexpr HookMask kAllHooks = 0x1f;

std::string_view table_name(TableKind t);
std::optional<TableKind> table_from_name(std::string_view name);
std::string_view hook_name(Hook h);
std::optional<Hook> hook_from_name(std::string_view name);
/// Built-in chains of a table, in the order iptables-save lists them.
std::vector<Hook> table_hooks(TableKind t);
/// Priority of a table at a hook (NF_IP_PRI_*): raw -300, mangle -150, nat DNAT -100 /
/// SNAT 100, filter 0, security 50.
int table_priority(TableKind t, Hook h);

struct Counters {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  friend bool operator==(const Counters&, const Counters&) = default;
};

/// The fixed ipt_ip part of a rule: -s -d -i -o -p -f.
struct IpHeaderMatch {
  Ipv4Net src, dst;
  bool inv_src = false, inv_dst = false;
  /// Interface names as given ("eth0", "eth+"). Empty: any. A trailing '+' matches any name
  /// with that prefix; "+" alone matches every interface.
  std::string iniface, outiface;
  bool inv_in = false, inv_out = false;
  uint8_t proto = 0;  ///< 0: all
  bool inv_proto = false;
  bool frag = false;  ///< -f: only second and further fragments
  bool inv_frag = false;
  // Where each part was written, for diagnostics.
  SourceLoc src_loc, dst_loc, in_loc, out_loc, proto_loc, frag_loc;
  friend bool operator==(const IpHeaderMatch& a, const IpHeaderMatch& b) {
    return a.src == b.src && a.dst == b.dst && a.inv_src == b.inv_src && a.inv_dst == b.inv_dst &&
           a.iniface == b.iniface && a.outiface == b.outiface && a.inv_in == b.inv_in &&
           a.inv_out == b.inv_out && a.proto == b.proto && a.inv_proto == b.inv_proto &&
           a.frag == b.frag && a.inv_frag == b.inv_frag;
  }
};

struct Match {
  MatchData data;
  SourceLoc loc;  ///< the `-m` word, or the option that loaded the match implicitly
  [[nodiscard]] MatchKind kind() const { return static_cast<MatchKind>(data.index()); }
  friend bool operator==(const Match& a, const Match& b) { return a.data == b.data; }
};

enum class TargetType : uint8_t {
  None,       ///< no -j: the rule only counts
  Accept, Drop, Queue, Return,
  Jump,       ///< -j CHAIN
  Goto,       ///< -g CHAIN
  Extension,  ///< -j NAME with a TargetData payload
};

struct Target {
  TargetType type = TargetType::None;
  std::string chain;  ///< Jump / Goto
  TargetData data;    ///< Extension
  SourceLoc loc;      ///< the `-j` / `-g` word
  [[nodiscard]] TargetKind kind() const { return static_cast<TargetKind>(data.index()); }
  friend bool operator==(const Target& a, const Target& b) {
    if (a.type != b.type) return false;
    if (a.type == TargetType::Jump || a.type == TargetType::Goto) return a.chain == b.chain;
    if (a.type == TargetType::Extension) return a.data == b.data;
    return true;
  }
};

struct Rule {
  IpHeaderMatch ip;
  std::vector<Match> matches;  ///< in evaluation order
  Target target;
  Counters counters;
  SourceLoc loc;                ///< start of the rule's line (or command)
  std::vector<SourceLoc> origin;  ///< for rules made by passes: the user rules they came from
  /// Same criteria and target (what `iptables -D` with a rule spec compares); ignores
  /// counters and locations.
  [[nodiscard]] bool same_spec(const Rule& o) const {
    return ip == o.ip && matches == o.matches && target == o.target;
  }
};

enum class Policy : uint8_t { Accept, Drop };

struct Chain {
  std::string name;
  std::optional<Hook> hook;  ///< set for built-in chains
  Policy policy = Policy::Accept;
  Counters counters;  ///< policy counters of a built-in chain
  std::vector<Rule> rules;
  SourceLoc loc;  ///< where it was declared (":NAME" or -N), or first used
  /// Built-in chains: whether the kernel has it. iptables-nft (nft.c nft_xt_builtin_init)
  /// creates a built-in chain only when the input names it (a ":CHAIN POLICY" line, -P, -A,
  /// -I, -F CHAIN); one never named is not registered at its hook, so no packet traverses it
  /// or counts its policy, although iptables-save lists it. True for user chains and for rule
  /// sets built by hand; the frontend clears it for built-in chains nothing named.
  bool registered = true;
  [[nodiscard]] bool builtin() const { return hook.has_value(); }
};

/// A table: built-in chains in hook order, then user chains. User chains keep creation order
/// here; the printer sorts them as iptables-save does.
class Table {
 public:
  explicit Table(TableKind kind);

  [[nodiscard]] TableKind kind() const { return kind_; }
  [[nodiscard]] std::string_view name() const { return table_name(kind_); }
  [[nodiscard]] const std::vector<Chain>& chains() const { return chains_; }
  [[nodiscard]] std::vector<Chain>& chains() { return chains_; }

  [[nodiscard]] Chain* find(std::string_view name);
  [[nodiscard]] const Chain* find(std::string_view name) const;
  /// Adds a user chain; the name must not exist yet.
  Chain& add_user_chain(std::string name, SourceLoc loc);
  /// Removes a user chain by name (no reference checks: callers decide legality).
  void erase_chain(std::string_view name);
  /// Renames a user chain and every jump or goto to it.
  void rename_chain(std::string_view from, std::string to);
  /// Built-in chain of a hook, or nullptr when the table has no such chain.
  [[nodiscard]] Chain* builtin(Hook h);
  [[nodiscard]] const Chain* builtin(Hook h) const;

  SourceLoc loc;  ///< first `*name` line

 private:
  void reindex();
  TableKind kind_;
  std::vector<Chain> chains_;
  std::unordered_map<std::string, size_t> index_;
};

/// The whole rule set. A table is present once the input touched it (a chain line, a policy
/// or a rule), as with the kernel, where an untouched table is never created.
struct Ruleset {
  std::array<std::optional<Table>, kTableCount> tables;

  [[nodiscard]] Table* table(TableKind t) {
    auto& o = tables[static_cast<size_t>(t)];
    return o ? &*o : nullptr;
  }
  [[nodiscard]] const Table* table(TableKind t) const {
    const auto& o = tables[static_cast<size_t>(t)];
    return o ? &*o : nullptr;
  }
  /// The table, created with its built-in chains (policy ACCEPT) if absent.
  Table& ensure(TableKind t, SourceLoc loc = {});
};

}  // namespace iptc::ir
