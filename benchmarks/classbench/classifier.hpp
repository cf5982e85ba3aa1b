// The engines the ClassBench benchmark compares, behind one small interface: each is built
// from the same filter set (rte_acl from the filters, iptc's engines from the converted
// iptables-save rule set), takes the same trace headers once in its own input form
// (prepare, not timed), and then decides all of them (classify, timed), writing the deciding
// rule per header: the 1-based FORWARD rule number (= filter index + 1), or 0 when no rule
// matched and the policy (DROP) decided. Every engine's answers are checked against the
// others before anything is timed.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "classbench.hpp"
#include "iptc/ir/ruleset.hpp"

namespace iptc::bench {

class Classifier {
 public:
  virtual ~Classifier() = default;
  [[nodiscard]] virtual std::string name() const = 0;
  /// Converts the headers to the engine's input form (replacing earlier ones).
  virtual void prepare(std::span<const Header> headers) = 0;
  /// Decides every prepared header into out[i] (out.size() == headers prepared).
  virtual void classify(std::span<uint32_t> out) = 0;
};

/// The linear first-match scan over the ClassBench filters (classbench.hpp first_match): the
/// independent reference, and the cheapest honest baseline.
std::unique_ptr<Classifier> make_linear_classifier(std::span<const Filter> filters);

/// iptc's reference interpreter: filter/FORWARD of `rs` walked by interp::ChainRunner on
/// packets built once (arriving on eth0, leaving by eth1), one call per header.
std::unique_ptr<Classifier> make_interp_classifier(const ir::Ruleset& rs);

/// DPDK's rte_acl (benchmarks/classbench/acl_peer.cpp): IPv4 5-tuple fields, priority by
/// filter order, one category, bursts of up to kAclBurst headers per rte_acl_classify call.
/// nullptr with `why_not` set when the benchmarks were built without DPDK or the build fails.
inline constexpr size_t kAclBurst = 64;
bool acl_available();
std::unique_ptr<Classifier> make_acl_classifier(std::span<const Filter> filters,
                                                std::string* why_not);
/// rte_acl's memory for the last context built (bytes from DPDK's malloc heap), or 0.
size_t acl_last_memory();

/// THE JIT SLOT (benchmarks/classbench/jit_peer.cpp): the LLVM backend's compiled FORWARD hook
/// on the same rule set. nullptr with `why_not` set until the backend fills it in; the
/// benchmark then leaves the JIT out of its table.
std::unique_ptr<Classifier> make_jit_classifier(const ir::Ruleset& rs, std::string* why_not);

}  // namespace iptc::bench
