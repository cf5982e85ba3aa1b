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

}  // namespace iptc::interp::detail
