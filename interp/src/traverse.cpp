// Chain traversal of one table at one hook, after ipt_do_table (net/ipv4/netfilter/
// ip_tables.c) and nft_do_chain (net/netfilter/nf_tables_core.c), which agree on everything a
// rule set can express: rules in order; a rule matches when its ipt_ip part and then each
// match in written order match (short-circuit); a matching rule's counter counts the packet;
// ACCEPT ends this table at this hook, DROP ends the packet, QUEUE hands it to user space;
// `-j CHAIN` pushes a return point, `-g CHAIN` replaces the current frame; RETURN (or falling
// off a user chain) pops, and with nothing to pop ends at the built-in chain's policy, which
// counts the packet too. A match that "hotdrops" drops the packet at once, uncounted.
// A packet marked by TRACE (skb->nf_trace) gets one trace line per rule hit, as ip_tables'
// trace_packet writes them: "TABLE:CHAIN:rule:N", and for the entry at the end of a chain
// "return" (user chain) or "policy" (built-in chain), numbered after the last rule.
#include <cassert>

#include <fmt/format.h>

#include "interp_internal.hpp"

namespace iptc::interp::detail {

namespace {

void count(ir::Counters& c, const Pkt& p) {
  c.packets += 1;
  c.bytes += p.len();
}

/// ip_tables' trace_packet / get_chainname_rulenum. `rule_no` counts from 1; the tail entry of
/// a chain is rules + 1. An unconditional rule with a standard verdict looks like a chain's
/// tail to get_chainname_rulenum, so it is named "policy" or "return" as well.
void trace_line(EvalCtx& c, const ir::Chain& chain, size_t rule_no, bool tail) {
  if (!c.pkt.nf_trace) return;
  if (!tail && rule_no <= chain.rules.size()) {
    const ir::Rule& r = chain.rules[rule_no - 1];
    const bool standard = r.target.type == ir::TargetType::Accept ||
                          r.target.type == ir::TargetType::Drop ||
                          r.target.type == ir::TargetType::Queue ||
                          r.target.type == ir::TargetType::Return;
    tail = standard && r.matches.empty() && r.ip == ir::IpHeaderMatch{};
  }
  std::string_view comment = !tail ? "rule" : chain.builtin() ? "policy" : "return";
  LogRecord rec;
  rec.kind = "TRACE";
  rec.prefix = fmt::format("{}:{}:{}:{}", ir::table_name(c.table), chain.name, comment, rule_no);
  rec.table = c.table;
  rec.chain = chain.name;
  rec.rule = static_cast<uint32_t>(rule_no);
  c.tr.logs.push_back(std::move(rec));
  c.tr.events.push_back({TraceEvent::Kind::Log, c.hook, c.tr.logs.size() - 1});
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
  if (c.st.opts.compiled) return run_compiled(c);
  std::vector<Frame> stack;  // return points of -j
  Frame cur{base, 0};
  auto policy = [&]() {
    count(c.st.policy_counters[base], c.pkt);
    c.tr.policy.push_back({c.table, base->name, base->policy});
    c.tr.events.push_back({TraceEvent::Kind::Policy, c.hook, c.tr.policy.size() - 1});
    trace_line(c, *base, base->rules.size() + 1, true);
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
      trace_line(c, *cur.chain, cur.chain->rules.size() + 1, true);
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
    trace_line(c, *cur.chain, c.rule_no, false);
    auto decided = [&](TargetVerdict v) {
      c.tr.verdict_rule = mr;
      c.tr.verdict_policy.reset();
      return v;
    };
    switch (r.target.type) {
      case ir::TargetType::None: break;
      case ir::TargetType::Accept: return decided(TargetVerdict::Accept);
      case ir::TargetType::Drop: return decided(TargetVerdict::Drop);
      case ir::TargetType::Queue:
        c.tr.queue_num = 0;  // the standard QUEUE verdict is queue 0
        return decided(TargetVerdict::Queue);
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
