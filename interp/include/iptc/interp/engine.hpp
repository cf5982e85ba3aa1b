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

struct EngineOptions {
  uint64_t seed = 1;               ///< statistic --mode random, NAT --random
  uint32_t conntrack_max = 65536;  ///< nf_conntrack_max
};

class Engine {
 public:
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

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace iptc::interp
