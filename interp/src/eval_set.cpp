// -m set and -j SET (net/netfilter/xt_set.c, set_match_v4 and set_target_v3, the revisions
// iptables 1.8.9 uses): the rule's options become the kernel's ip_set_adt_opt and the runtime's
// ipset store answers as ip_set_test / ip_set_add / ip_set_del would. A set the store does not
// hold (no --ipset file) is empty: never a member, nothing to add to.
#include "interp_internal.hpp"

namespace iptc::interp::detail {

namespace {

runtime::IpsetAdtOpt::CounterOp counter_op(ir::SetMatch::CounterOp op) {
  using O = ir::SetMatch::CounterOp;
  switch (op) {
    case O::None: return runtime::IpsetAdtOpt::kNone;
    case O::Eq: return runtime::IpsetAdtOpt::kEq;
    case O::Ne: return runtime::IpsetAdtOpt::kNe;
    case O::Lt: return runtime::IpsetAdtOpt::kLt;
    case O::Gt: return runtime::IpsetAdtOpt::kGt;
  }
  return runtime::IpsetAdtOpt::kNone;
}

runtime::IpsetPacket set_packet(const EvalCtx& c) {
  runtime::IpsetPacket p;
  p.v = &c.pkt.v;
  p.bytes = c.pkt.buf.bytes;
  p.in = c.pkt.in;
  p.out = c.pkt.out;
  p.len = c.pkt.len();
  return p;
}

}  // namespace

bool match_set(const ir::SetMatch& s, EvalCtx& c) {
  int id = c.st.ipsets.find(s.name);
  if (id < 0) return s.invert;
  runtime::IpsetAdtOpt o;
  o.dim = s.dim;
  o.src_mask = s.dir_flags;
  if (s.flags & ir::SetMatch::kReturnNomatch) o.cmdflags |= runtime::IpsetAdtOpt::kReturnNomatch;
  if (s.flags & ir::SetMatch::kSkipCounterUpdate) o.cmdflags |= runtime::IpsetAdtOpt::kSkipCounterUpdate;
  if (s.flags & ir::SetMatch::kSkipSubcounterUpdate)
    o.cmdflags |= runtime::IpsetAdtOpt::kSkipSubcounterUpdate;
  o.packets_op = counter_op(s.packets_op);
  o.packets = s.packets;
  o.bytes_op = counter_op(s.bytes_op);
  o.bytes = s.bytes;
  if (o.packets_op != runtime::IpsetAdtOpt::kNone || o.bytes_op != runtime::IpsetAdtOpt::kNone)
    o.cmdflags |= runtime::IpsetAdtOpt::kMatchCounters;
  // match_set(): the membership, inverted by '!'.
  return c.st.ipsets.test(id, set_packet(c), o, c.st.now()) != s.invert;
}

void run_set_target(const ir::SetTarget& t, EvalCtx& c) {
  // set_target_v3: add, then del (each only when named); results are ignored. --map-set
  // (mangle only) needs skbinfo, which iptc's sets do not keep: not modelled.
  auto opt = [](const ir::SetTargetRef& r) {
    runtime::IpsetAdtOpt o;
    o.dim = r.dim;
    o.src_mask = r.dir_flags;
    return o;
  };
  const runtime::IpsetPacket p = set_packet(c);
  if (int id = t.add_set.name.empty() ? -1 : c.st.ipsets.find(t.add_set.name); id >= 0) {
    runtime::IpsetAdtOpt o = opt(t.add_set);
    if (t.flags & ir::SetTarget::kExist) o.cmdflags |= runtime::IpsetAdtOpt::kExist;
    o.timeout = t.timeout;
    // "Normalize to fit into jiffies"
    if (o.timeout != runtime::IpsetAdtOpt::kNoTimeout && o.timeout > UINT32_MAX / 1000)
      o.timeout = UINT32_MAX / 1000;
    c.st.ipsets.add(id, p, o, c.st.now());
  }
  if (int id = t.del_set.name.empty() ? -1 : c.st.ipsets.find(t.del_set.name); id >= 0)
    c.st.ipsets.del(id, p, opt(t.del_set), c.st.now());
}

}  // namespace iptc::interp::detail
