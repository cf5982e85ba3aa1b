// One table at one hook through compiled code (EngineOptions::compiled), in place of
// traverse.cpp's chain walk: the packet in flight becomes the ABI's struct iptc_pkt, the hook
// function decides, and the engine serves its slow-path callbacks with its own eval_match and
// run_target, so matches and targets the code does not evaluate natively keep the
// interpreter's exact semantics and state. The trace is rebuilt from what the compiled code
// reports: its trace buffer of matched slots (flushed before each target callback, so rule
// and log events keep their order), its result (verdict and deciding slot) and the counters
// it wrote in this engine's shard.
#include <algorithm>
#include <cassert>
#include <cstring>

#include "interp_internal.hpp"
#include "iptc/runtime/checksum.hpp"

namespace iptc::interp::detail {

namespace {

void copy_name(char (&dst)[IPTC_IFNAMSIZ], const std::string& name) {
  std::memset(dst, 0, sizeof dst);
  std::memcpy(dst, name.data(), std::min<size_t>(name.size(), IPTC_IFNAMSIZ - 1));
}

/// struct iptc_pkt from the packet in flight (abi.h documents every field).
void fill(iptc_pkt& o, const Pkt& p, const State& st) {
  std::memset(&o, 0, sizeof o);
  const runtime::PacketView& v = p.v;
  o.src = v.src;
  o.dst = v.dst;
  o.mark = p.mark;
  o.len = p.len();
  o.ct_state = conntrack_statebit(p.ct);
  if (const runtime::Conn* ct = p.ct.ct) {
    o.flags |= IPTC_PKT_CT;
    o.ct_status = ct->status;
    o.ct_mark = ct->mark;
    if (ct->status & runtime::ips::kSrcNat) o.ct_state |= IPTC_CT_SNAT;
    if (ct->status & runtime::ips::kDstNat) o.ct_state |= IPTC_CT_DNAT;
  }
  if (p.local) {
    o.flags |= IPTC_PKT_LOCAL;
    o.uid = p.uid;
    o.gid = p.gid;
  }
  if (p.has_mac) {
    o.flags |= IPTC_PKT_HAS_MAC;
    std::memcpy(o.mac, p.mac.data(), 6);
  }
  o.in_ifindex = p.in.empty() ? 0 : static_cast<uint32_t>(st.host.ifindex(p.in));
  o.out_ifindex = p.out.empty() ? 0 : static_cast<uint32_t>(st.host.ifindex(p.out));
  copy_name(o.in, p.in);
  copy_name(o.out, p.out);
  o.tot_len = v.total_len;
  o.frag_off = v.frag_off;
  o.proto = v.proto;
  o.tos = v.tos;
  o.ttl = v.ttl;
  o.pkttype = p.pkttype;
  if (v.ip_ok && v.frag_off == 0 && v.l4.off != 0) {
    // The transport header's first bytes as skb_header_pointer would give them, for whatever
    // protocol: the matches guard on l4_avail and the protocol themselves.
    const uint8_t* th = p.buf.bytes.data() + v.l4.off;
    uint16_t avail = v.l4.avail;
    o.l4_avail = avail;
    if (avail >= 1) o.icmp_type = th[0];
    if (avail >= 2) {
      o.icmp_code = th[1];
      o.sport = runtime::load16(th);
    }
    if (avail >= 4) o.dport = runtime::load16(th + 2);
    if (avail >= 14) o.tcp_flags = th[13];
  }
  o.data = p.buf.bytes.data();
  o.data_len = static_cast<uint32_t>(p.buf.bytes.size());
}

/// The callbacks' state: the evaluation context and how much of the trace buffer is
/// already in the trace.
struct Bridge {
  EvalCtx* c;
  uint32_t flushed = 0;
};

Bridge& bridge(iptc_ctx* x) { return *static_cast<Bridge*>(x->user); }

MatchedRule matched_rule(const EvalCtx& c, uint32_t slot) {
  const ir::Slot& s = c.st.slots.slots[slot];
  const ir::Chain& ch = c.st.slots.chain(c.st.rs, slot);
  return MatchedRule{c.table, ch.name, s.rule + 1, &ch.rules[s.rule], &ch};
}

void flush(Bridge& b, const iptc_ctx& x) {
  EvalCtx& c = *b.c;
  uint32_t n = std::min(x.matched_len, x.matched_cap);
  for (; b.flushed < n; ++b.flushed) {
    c.tr.matched.push_back(matched_rule(c, x.matched[b.flushed]));
    c.tr.events.push_back({TraceEvent::Kind::Rule, c.hook, c.tr.matched.size() - 1});
  }
}

/// Points the context at the rule of a slot (what log records and hotdrop reasons name).
const ir::Rule& enter_rule(EvalCtx& c, uint32_t slot) {
  const ir::Slot& s = c.st.slots.slots[slot];
  const ir::Chain& ch = c.st.slots.chain(c.st.rs, slot);
  c.chain = &ch;
  c.rule_no = s.rule + 1;
  return ch.rules[s.rule];
}

int match_cb(iptc_ctx* x, iptc_pkt* ip, uint32_t slot, uint32_t match_index) {
  EvalCtx& c = *bridge(x).c;
  c.pkt.mark = ip->mark;  // a MARK earlier in this table wrote only the ABI packet
  const ir::Rule& r = enter_rule(c, slot);
  assert(match_index < r.matches.size());
  bool m = eval_match(r.matches[match_index], c);
  if (c.hotdrop) return IPTC_MATCH_HOTDROP;
  return m ? IPTC_MATCH_YES : IPTC_MATCH_NO;
}

uint32_t target_cb(iptc_ctx* x, iptc_pkt* ip, uint32_t slot) {
  Bridge& b = bridge(x);
  EvalCtx& c = *b.c;
  flush(b, *x);
  c.pkt.mark = ip->mark;
  const ir::Rule& r = enter_rule(c, slot);
  TargetVerdict v = run_target(r.target, c);
  fill(*ip, c.pkt, c.st);  // the target may have changed the packet, its mark or conntrack
  switch (v) {
    case TargetVerdict::Continue: return IPTC_CONTINUE;
    case TargetVerdict::Accept: return IPTC_ACCEPT;
    case TargetVerdict::Drop: return IPTC_DROP;
    case TargetVerdict::Reject: return IPTC_REJECT;
    case TargetVerdict::Queue: return IPTC_QUEUE;
  }
  return IPTC_DROP;
}

}  // namespace

TargetVerdict run_compiled(EvalCtx& c) {
  State& st = c.st;
  iptc_hook_fn fn = st.hook_fns[static_cast<size_t>(c.table)][static_cast<size_t>(c.hook)];
  assert(fn && "a registered built-in chain without a compiled hook function");
  if (!fn) return TargetVerdict::Accept;
  iptc_pkt ip;
  fill(ip, c.pkt, st);
  Bridge b{&c};
  iptc_ctx x{};
  x.counters = st.shard.data();
  x.matched = st.matched_buf.data();
  x.matched_cap = static_cast<uint32_t>(st.matched_buf.size());
  x.match = match_cb;
  x.target = target_cb;
  x.user = &b;
  uint32_t res = fn(&ip, &x);
  flush(b, x);
  assert(x.matched_len <= x.matched_cap && "trace buffer overflow");
  c.pkt.mark = ip.mark;

  uint32_t verdict = IPTC_RESULT_VERDICT(res);
  if (verdict == IPTC_HOTDROP) {
    c.hotdrop = true;
    c.tr.verdict_rule.reset();
    c.tr.verdict_policy.reset();
    c.tr.kernel_reason = "a match dropped the packet it could not examine (hotdrop)";
    return TargetVerdict::Drop;
  }
  assert(IPTC_RESULT_HAS_SLOT(res) && "a verdict without its deciding slot");
  uint32_t slot = IPTC_RESULT_SLOT(res);
  if (slot >= st.slots.rule_count) {
    const ir::Chain& base = st.slots.chain(st.rs, slot);
    c.tr.policy.push_back({c.table, base.name, base.policy});
    c.tr.events.push_back({TraceEvent::Kind::Policy, c.hook, c.tr.policy.size() - 1});
    c.tr.verdict_policy = c.tr.policy.back();
    c.tr.verdict_rule.reset();
  } else {
    c.tr.verdict_rule = matched_rule(c, slot);
    c.tr.verdict_policy.reset();
  }
  switch (verdict) {
    case IPTC_ACCEPT: return TargetVerdict::Accept;
    case IPTC_DROP: return TargetVerdict::Drop;
    case IPTC_QUEUE: return TargetVerdict::Queue;
    case IPTC_REJECT: return TargetVerdict::Reject;
    default: break;  // not a kind enum: the ABI's verdict numbers
  }
  assert(false && "unknown verdict from compiled code");
  return TargetVerdict::Drop;
}

}  // namespace iptc::interp::detail
