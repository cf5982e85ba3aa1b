// One table's built-in chain at one hook, for packets prepared in advance: the classification
// question alone ("which rule of filter/FORWARD decides this header?"), without the hook walk
// around it (routing, conntrack, NAT, the other tables). It runs the engine's own traversal
// and match code, so its answers are the engine's; only the walk through the host is left
// out. Benchmarks use it to time the reference interpreter against classifiers that answer
// only that question (ClassBench, DPDK's rte_acl), and to check that they agree.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "iptc/interp/engine.hpp"
#include "iptc/interp/packets.hpp"
#include "iptc/interp/trace.hpp"
#include "iptc/ir/ruleset.hpp"

namespace iptc::interp {

class ChainRunner {
 public:
  /// `rs` must outlive the runner and not change. Connections are not tracked (no conntrack
  /// state for any packet), whatever `opts.conntrack_always` says: a chain alone has no hook
  /// walk to track them in.
  ChainRunner(const ir::Ruleset& rs, ir::TableKind table, ir::Hook hook, EngineOptions opts = {});
  ~ChainRunner();
  ChainRunner(const ChainRunner&) = delete;
  ChainRunner& operator=(const ChainRunner&) = delete;

  /// Builds the packet once (raw bytes and their parse), arriving on `in` and leaving by `out`
  /// as the hook's devices ("" for none); returns its index for run(). TCP sequence numbers
  /// are the packet's own (`seq`/`ack`, 0 when not given).
  size_t prepare(const PacketSpec& p, std::string_view in, std::string_view out);
  [[nodiscard]] size_t prepared() const;

  struct Decision {
    Verdict verdict = Verdict::Accept;
    /// The 1-based number of the rule of the built-in chain, or of the user chain it jumped
    /// to, that decided; 0 when the policy decided (or a hotdrop).
    uint32_t rule = 0;
    /// true when a rule of the built-in chain itself decided (not one of a user chain).
    bool in_base_chain = false;
  };
  /// Runs prepared packet `i` through the chain. Each run starts from the prepared packet
  /// (targets that rewrite it change a scratch copy); stateful matches and counters keep
  /// their state across runs, as in the engine.
  Decision run(size_t i);
  /// The same, with the whole trace (matched rules, policy, logs).
  TraceResult trace(size_t i);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace iptc::interp
