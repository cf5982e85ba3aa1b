// Chain traversal of one table at one hook, after ipt_do_table (net/ipv4/netfilter/
// ip_tables.c) and nft_do_chain (net/netfilter/nf_tables_core.c), which agree on everything a
// rule set can express: rules in order; a rule matches when its ipt_ip part and then each
// match in written order match (short-circuit); a matching rule's counter counts the packet;
// ACCEPT ends this table at this hook, DROP ends the packet, QUEUE hands it to user space;
// `-j CHAIN` pushes a return point, `-g CHAIN` replaces the current frame; RETURN (or falling
// off a user chain) pops, and with nothing to pop ends at the built-in chain's policy, which
// counts the packet too. A match that "hotdrops" drops the packet at once, uncounted.
#include <cassert>

#include "interp_internal.hpp"

namespace iptc::interp::detail {

namespace {

void count(ir::Counters& c, const Pkt& p) {
  c.packets += 1;
  c.bytes += p.len();
}

struct Frame {
  const ir::Chain* chain;
  size_t next;  ///< index of the rule to evaluate next
};

}  // namespace

TargetVerdict run_table(const ir::Table& table, EvalCtx& c) {
  const ir::Chain* base = table.builtin(c.hook);
  // A built-in chain iptables-nft never created is not on the hook at all.
  if (!base || !base->registered) return TargetVerdict::Accept;
  std::vector<Frame> stack;  // return points of -j
  Frame cur{base, 0};
  auto policy = [&]() {
    count(c.st.policy_counters[base], c.pkt);
    c.tr.policy.push_back({c.table, base->name, base->policy});
    c.tr.events.push_back({TraceEvent::Kind::Policy, c.hook, c.tr.policy.size() - 1});
    c.tr.verdict_policy = c.tr.policy.back();
    c.tr.verdict_rule.reset();
    return base->policy == ir::Policy::Accept ? TargetVerdict::Accept : TargetVerdict::Drop;
  };
  // A bound for rule sets that jump in circles (the verifier rejects them; a hand-built IR
  // might not have been verified).
  for (size_t steps = 0; steps < 100000000; ++steps) {
    if (cur.next >= cur.chain->rules.size()) {
      // End of a chain: the built-in chain's policy, or an implicit RETURN.
      if (stack.empty()) return policy();
      cur = stack.back();
      stack.pop_back();
      continue;
    }
    const ir::Rule& r = cur.chain->rules[cur.next];
    c.chain = cur.chain;
    c.rule_no = static_cast<uint32_t>(cur.next + 1);
    ++cur.next;
    if (!eval_ip_part(r.ip, c.pkt)) continue;
    bool all = true;
    for (const ir::Match& m : r.matches) {
      if (!eval_match(m, c)) {
        all = false;
        break;
      }
    }
    if (c.hotdrop) {
      c.tr.verdict_rule.reset();
      c.tr.verdict_policy.reset();
      c.tr.kernel_reason = "a match dropped the packet it could not examine (hotdrop)";
      return TargetVerdict::Drop;
    }
    if (!all) continue;
    count(c.st.rule_counters[&r], c.pkt);
    MatchedRule mr{c.table, cur.chain->name, c.rule_no, &r, cur.chain};
    c.tr.matched.push_back(mr);
    c.tr.events.push_back({TraceEvent::Kind::Rule, c.hook, c.tr.matched.size() - 1});
    auto decided = [&](TargetVerdict v) {
      c.tr.verdict_rule = mr;
      c.tr.verdict_policy.reset();
      return v;
    };
    switch (r.target.type) {
      case ir::TargetType::None: break;
      case ir::TargetType::Accept: return decided(TargetVerdict::Accept);
      case ir::TargetType::Drop: return decided(TargetVerdict::Drop);
      case ir::TargetType::Queue: return decided(TargetVerdict::Queue);
      case ir::TargetType::Return:
        if (stack.empty()) return policy();
        cur = stack.back();
        stack.pop_back();
        break;
      case ir::TargetType::Jump:
      case ir::TargetType::Goto: {
        const ir::Chain* to = table.find(r.target.chain);
        assert(to && "jump to a chain the verifier should have found");
        if (!to) break;
        if (r.target.type == ir::TargetType::Jump) stack.push_back(cur);
        cur = Frame{to, 0};
        break;
      }
      case ir::TargetType::Extension: {
        TargetVerdict v = run_target(r.target, c);
        if (v != TargetVerdict::Continue) return decided(v);
        break;
      }
    }
  }
  assert(false && "traversal did not end");
  return TargetVerdict::Drop;
}

}  // namespace iptc::interp::detail
