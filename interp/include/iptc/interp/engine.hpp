// The reference interpreter: decides packets exactly as Linux netfilter does, simply and
// slowly. It walks the hooks in DESIGN.md's order (tables by priority at each hook, conntrack
// at -200 and confirm at the end, NAT only for a connection's first packet, routing with the
// host model and re-routing after DNAT), evaluates every rule with the kernel's semantics for
// each match and target, keeps conntrack, NAT bindings and stateful-match state across
// packets, and reports everything as a TraceResult. Every compiled or optimised form of a rule
// set is checked against it.
#pragma once

#include <memory>
#include <vector>

#include "iptc/interp/packets.hpp"
#include "iptc/interp/trace.hpp"
#include "iptc/ir/ruleset.hpp"
#include "iptc/runtime/host.hpp"

namespace iptc::interp {

/// Which kernel front end loaded the rule set. iptables 1.8.9 on nf_tables (the default, and
/// what Debian 12's `iptables` is) encodes some matches as native nf_tables expressions whose
/// semantics differ in corner cases: tcp/udp port matches on fragments and truncated headers
/// (no match instead of xt_tcpudp's hotdrop) and -m limit (nft_limit's nanosecond token
/// bucket instead of xt_limit's jiffies and credits). Legacy is iptables-legacy (ip_tables).
enum class Frontend : uint8_t { Nft, Legacy };

struct EngineOptions {
  uint64_t seed = 1;               ///< statistic --mode random, NAT --random
  uint32_t conntrack_max = 65536;  ///< nf_conntrack_max
  Frontend frontend = Frontend::Nft;
  uint32_t hz = 250;               ///< CONFIG_HZ, for xt_limit's jiffies (Legacy only)
  /// The kernel tracks connections in a network namespace only once something asks for it
  /// (a nat table, or a conntrack, state, connmark, CONNMARK, CT or NOTRACK rule). true (the
  /// default): the host tracks connections anyway, as any host with a stateful rule or NAT
  /// anywhere (and the kernel-differential harness, whose probes are stateful) does; false:
  /// only when this rule set asks. With tracking, nf_defrag_ipv4 holds IP fragments for
  /// reassembly before raw PREROUTING / OUTPUT; iptc does not reassemble, so a fragment line
  /// ends there (KERNEL-DROP).
  bool conntrack_always = true;
};

class Engine {
 public:
  /// `rs` must outlive the engine and not change: its rules' addresses key the counters and
  /// the state of stateful matches.
  Engine(const ir::Ruleset& rs, runtime::HostModel host, EngineOptions opts = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Runs one packet through the host, updating conntrack and all stateful state.
  TraceResult process(const PacketSpec& p);
  /// Runs a parsed packets file in order (flush and sleep lines included).
  std::vector<TraceResult> run(const std::vector<PacketLine>& lines);
  /// Empties conntrack (a `flush` line).
  void flush_conntrack();
  /// Advances the clock (a `sleep` line); the clock starts at 0.
  void advance(double seconds);
  [[nodiscard]] double now() const;

  /// Per-rule counters, as `iptables-save -c` would show them after the packets so far
  /// (every rule whose criteria all matched counts the packet and its length then).
  [[nodiscard]] ir::Counters rule_counters(const ir::Rule& r) const;
  /// A built-in chain's policy counters (packets that reached its end or a RETURN in it).
  [[nodiscard]] ir::Counters policy_counters(const ir::Chain& c) const;
  /// A copy of the rule set with these counters filled in (for printing with counters).
  [[nodiscard]] ir::Ruleset with_counters() const;
  /// Whether connections are tracked: always with EngineOptions::conntrack_always, else when
  /// the rule set asks (a nat table, or a rule using conntrack, state, connmark, CONNMARK, CT
  /// or NOTRACK).
  [[nodiscard]] bool conntrack_enabled() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace iptc::interp
