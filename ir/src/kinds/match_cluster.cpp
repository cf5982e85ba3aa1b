// -m cluster (extensions/libxt_cluster.c, guided parser; kernel xt_cluster.c):
// --cluster-total-nodes N (1-32, mandatory), [!] --cluster-local-node N (1-32, stored as the
// mask 1 << (N-1)) or [!] --cluster-local-nodemask M (libxtables bounds it to 1-32 as well),
// one of the two, and --cluster-hash-seed S (uint32, mandatory); each once. cluster_check
// refuses a node mask of 1 << total or more (the kernel would too). Saved as
// "--cluster-local-nodemask 0x%08x --cluster-total-nodes N --cluster-hash-seed 0x%08x".
#include <bit>

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kTotal, kNode, kNodemask, kSeed };
constexpr uint32_t kNodesMax = 32;  // XT_CLUSTER_NODES_MAX

constexpr OptionDef kOptions[] = {
    {"cluster-total-nodes", kTotal, ArgKind::Required, optflag::kMandatory},
    {"cluster-local-node", kNode, ArgKind::Required, optflag::kInvert, 1u << kNodemask},
    {"cluster-local-nodemask", kNodemask, ArgKind::Required, optflag::kInvert, 1u << kNode},
    {"cluster-hash-seed", kSeed, ArgKind::Required, optflag::kMandatory},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<ClusterMatch>(d);
  bool seed = c.opt->id == kSeed;
  if (c.opt->id == kNodemask) {
    // libxt_cluster.c bounds the mask like a node number, so iptables-save's own listing of
    // a rule for node 6 or above ("--cluster-local-nodemask 0x00000020") cannot be restored.
    auto v = parse_uint(c.arg, 1, kNodesMax);
    if (!v) {
      bool mask = parse_uint(c.arg, 0, UINT32_MAX).has_value();
      return c.fail(fmt::format("cluster: --cluster-local-nodemask '{}' is outside 1-32", c.arg),
                    mask ? "iptables accepts masks up to 32 only (even in its own iptables-save output); "
                           "write --cluster-local-node N for a single node"
                         : "write a number from 1 to 32");
    }
    m.node_mask = static_cast<uint32_t>(*v);
    if (c.invert) m.invert = true;
    return true;
  }
  auto v = uint_option(c, seed ? 0 : 1, seed ? UINT32_MAX : kNodesMax);
  if (!v) return false;
  switch (c.opt->id) {
    case kTotal: m.total_nodes = *v; return true;
    case kNode: m.node_mask = 1u << (*v - 1); break;
    case kSeed: m.hash_seed = *v; return true;
    default: return false;
  }
  if (c.invert) m.invert = true;
  return true;
}

bool finish(const FinishCall& c, MatchData& d) {
  const auto& m = std::get<ClusterMatch>(d);
  if (!(c.seen & ((1u << kNode) | (1u << kNodemask))))
    return c.fail("cluster: --cluster-local-node or --cluster-local-nodemask is required",
                  "e.g. --cluster-total-nodes 2 --cluster-local-node 1 --cluster-hash-seed 0xdeadbeef");
  if (m.node_mask >= (uint64_t{1} << m.total_nodes)) {
    if (c.seen & (1u << kNode))
      return c.fail(fmt::format("cluster: --cluster-local-node {} is beyond --cluster-total-nodes {}",
                                std::countr_zero(m.node_mask) + 1, m.total_nodes),
                    "nodes are numbered from 1 to the total");
    return c.fail(
        fmt::format("cluster: --cluster-local-nodemask 0x{:x} names nodes beyond --cluster-total-nodes {}",
                    m.node_mask, m.total_nodes),
        "bit i of the mask is node i+1");
  }
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<ClusterMatch>(d);
  w.bang(m.invert).raw(
      fmt::format(" --cluster-local-nodemask 0x{:08x} --cluster-total-nodes {} --cluster-hash-seed 0x{:08x}",
                  m.node_mask, m.total_nodes, m.hash_seed));
}

}  // namespace

const MatchDef kCluster = {
    .kind = MatchKind::Cluster,
    .name = "cluster",
    .options = kOptions,
    .init = [] { return MatchData{ClusterMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
