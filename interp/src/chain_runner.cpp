// ChainRunner: the engine's run_table on packets built once. Why a scratch copy per run: a
// target such as MARK or TOS rewrites the packet, and the next run of the same prepared packet
// must see it as it was; assigning into one scratch Pkt reuses its buffers, so a run does not
// allocate for the packet (the trace it writes still does, as the engine's does).
#include "iptc/interp/chain_runner.hpp"

#include <vector>

#include "interp_internal.hpp"

namespace iptc::interp {

namespace {

EngineOptions without_conntrack(EngineOptions o) {
  o.conntrack_always = false;
  return o;
}

}  // namespace

struct ChainRunner::Impl {
  Impl(const ir::Ruleset& rs, ir::TableKind t, ir::Hook h, EngineOptions opts)
      : st(rs, runtime::HostModel::default_model(), without_conntrack(opts)), table(t), hook(h) {}

  detail::State st;
  ir::TableKind table;
  ir::Hook hook;
  std::vector<detail::Pkt> packets;
  detail::Pkt scratch;
  TraceResult tr;
  uint16_t next_ip_id = 1;

  Verdict walk(size_t i, TraceResult& out) {
    scratch = packets[i];
    const ir::Table* tb = st.rs.table(table);
    if (!tb || !tb->builtin(hook) || !tb->builtin(hook)->registered) return Verdict::Accept;
    detail::EvalCtx c{st, scratch, table, hook, out};
    switch (detail::run_table(*tb, c)) {
      case detail::TargetVerdict::Accept:
      case detail::TargetVerdict::Continue: return Verdict::Accept;
      case detail::TargetVerdict::Drop: return Verdict::Drop;
      case detail::TargetVerdict::Reject: return Verdict::Reject;
      case detail::TargetVerdict::Queue: return Verdict::Queue;
    }
    return Verdict::Drop;
  }
};

ChainRunner::ChainRunner(const ir::Ruleset& rs, ir::TableKind table, ir::Hook hook,
                         EngineOptions opts)
    : impl_(std::make_unique<Impl>(rs, table, hook, opts)) {}
ChainRunner::~ChainRunner() = default;

size_t ChainRunner::prepare(const PacketSpec& p, std::string_view in, std::string_view out) {
  detail::Pkt pkt = detail::build_pkt(p, p.id ? *p.id : impl_->next_ip_id++);
  pkt.in = std::string(in);
  pkt.out = std::string(out);
  pkt.has_mac = !in.empty() && in != "lo";
  impl_->packets.push_back(std::move(pkt));
  return impl_->packets.size() - 1;
}

size_t ChainRunner::prepared() const { return impl_->packets.size(); }

ChainRunner::Decision ChainRunner::run(size_t i) {
  TraceResult& tr = impl_->tr;
  // Reuse the vectors' capacity from run to run.
  tr.matched.clear();
  tr.policy.clear();
  tr.events.clear();
  tr.logs.clear();
  tr.verdict_rule.reset();
  tr.verdict_policy.reset();
  Decision d;
  d.verdict = impl_->walk(i, tr);
  if (tr.verdict_rule) {
    d.rule = tr.verdict_rule->rule;
    d.in_base_chain = tr.verdict_rule->ir_chain && tr.verdict_rule->ir_chain->builtin();
  }
  return d;
}

TraceResult ChainRunner::trace(size_t i) {
  TraceResult tr;
  tr.verdict = impl_->walk(i, tr);
  tr.hooks.push_back(impl_->hook);
  return tr;
}

}  // namespace iptc::interp
