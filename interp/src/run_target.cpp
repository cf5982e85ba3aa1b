// Extension targets (`-j NAME` with a payload) and their effects, each after its kernel
// source: REJECT (net/ipv4/netfilter/ipt_REJECT.c: the reply is recorded, not sent, and the
// packet dropped), LOG (xt_LOG.c) and NFLOG (xt_NFLOG.c / nft_log): recorded in the trace,
// MARK (xt_mark.c mark_tg), CONNMARK (xt_connmark.c connmark_tg_shift), NOTRACK and CT
// (xt_CT.c: untracked, or a template whose zone/helper is recorded but not modelled),
// TCPMSS (xt_TCPMSS.c tcpmss_mangle_packet), TOS (xt_DSCP.c tos_tg), and SNAT, DNAT,
// MASQUERADE, REDIRECT (xt_nat.c, xt_MASQUERADE.c, xt_REDIRECT.c) through the runtime's NAT.
// Standard verdicts, jumps and RETURN are the traversal's business (traverse.cpp).
#include <fmt/format.h>

#include "interp_internal.hpp"
#include "iptc/runtime/checksum.hpp"
#include "iptc/runtime/nat.hpp"

namespace iptc::interp::detail {

namespace {

runtime::NatRange nat_range(const ir::NatRange& r) {
  runtime::NatRange o;
  o.flags = r.flags;
  o.min_addr = r.min_addr;
  o.max_addr = r.max_addr;
  o.min_proto = r.min_port;
  o.max_proto = r.max_port;
  o.base_proto = r.base_port;
  return o;
}

TargetVerdict from_runtime(runtime::Verdict v) {
  return v == runtime::Verdict::Accept ? TargetVerdict::Accept : TargetVerdict::Drop;
}

std::string_view reject_name(ir::RejectTarget::With w) {
  using W = ir::RejectTarget::With;
  switch (w) {
    case W::NetUnreachable: return "icmp-net-unreachable";
    case W::HostUnreachable: return "icmp-host-unreachable";
    case W::ProtUnreachable: return "icmp-proto-unreachable";
    case W::PortUnreachable: return "icmp-port-unreachable";
    case W::EchoReply: return "icmp-echo-reply";
    case W::NetProhibited: return "icmp-net-prohibited";
    case W::HostProhibited: return "icmp-host-prohibited";
    case W::TcpReset: return "tcp-reset";
    case W::AdminProhibited: return "icmp-admin-prohibited";
  }
  return "?";
}

void log_record(EvalCtx& c, std::string kind, std::string prefix) {
  LogRecord r;
  r.kind = std::move(kind);
  r.prefix = std::move(prefix);
  r.table = c.table;
  r.chain = c.chain ? c.chain->name : std::string();
  r.rule = c.rule_no;
  c.tr.logs.push_back(std::move(r));
  c.tr.events.push_back({TraceEvent::Kind::Log, c.hook, c.tr.logs.size() - 1});
}

/// Recomputes the IPv4 header checksum and the TCP checksum from scratch (after TCPMSS grew
/// the header; the kernel's incremental updates give the same bytes for a correct packet).
void fix_tcp_checksums(Pkt& p) {
  auto& b = p.buf.bytes;
  uint16_t ihl = static_cast<uint16_t>((b[0] & 0x0f) * 4);
  b[10] = b[11] = 0;
  runtime::store16(&b[10], runtime::csum_fold(runtime::csum_partial({b.data(), ihl})));
  uint16_t l4 = ihl;
  auto tcp_len = static_cast<uint16_t>(b.size() - l4);
  b[l4 + 16] = b[l4 + 17] = 0;
  uint32_t sum = runtime::csum_pseudo(runtime::load32(&b[12]), runtime::load32(&b[16]), 6, tcp_len);
  runtime::store16(&b[l4 + 16], runtime::csum_fold(runtime::csum_partial({b.data() + l4, tcp_len}, sum)));
}

TargetVerdict tcpmss(const ir::TcpmssTarget& t, EvalCtx& c) {
  Pkt& p = c.pkt;
  if (c.fragoff() != 0) return TargetVerdict::Continue;
  if (!p.v.tcp_ok) return TargetVerdict::Drop;
  unsigned tcphoff = p.v.l4.off;
  int len = static_cast<int>(p.len()) - static_cast<int>(tcphoff);
  int tcp_hdrlen = p.v.doff;
  if (len < tcp_hdrlen || tcp_hdrlen < 20) return TargetVerdict::Drop;
  uint16_t newmss = t.mss;
  if (t.mss == ir::TcpmssTarget::kClampPmtu) {
    // min(dst_mtu, reverse route MTU) - 40: every interface of the host model has MTU 1500.
    newmss = 1500 - 40;
  }
  auto& b = p.buf.bytes;
  uint8_t* tcph = b.data() + tcphoff;
  for (int i = 20; i <= tcp_hdrlen - 4; ++i) {
    if (tcph[i] == 2 && tcph[i + 1] == 4) {
      uint16_t oldmss = runtime::load16(tcph + i + 2);
      // "Never increase MSS, even when setting it".
      if (oldmss <= newmss) return TargetVerdict::Continue;
      runtime::store16(tcph + i + 2, newmss);
      runtime::proto_csum_replace2(tcph + 16, oldmss, newmss, false);
      p.reparse();
      log_record(c, "TCPMSS", fmt::format("mss {} -> {}", oldmss, newmss));
      return TargetVerdict::Continue;
    }
  }
  // No MSS option: add one, unless data follows the header or the header is full.
  if (len > tcp_hdrlen || tcp_hdrlen >= 60) return TargetVerdict::Continue;
  newmss = std::min<uint16_t>(newmss, 536);  // RFC 1122's default send MSS
  uint8_t opt[4] = {2, 4, static_cast<uint8_t>(newmss >> 8), static_cast<uint8_t>(newmss)};
  b.insert(b.begin() + tcphoff + 20, opt, opt + 4);
  tcph = b.data() + tcphoff;
  tcph[12] = static_cast<uint8_t>(tcph[12] + (1 << 4));  // doff += 1
  runtime::store16(&b[2], static_cast<uint16_t>(runtime::load16(&b[2]) + 4));
  fix_tcp_checksums(p);
  p.reparse();
  log_record(c, "TCPMSS", fmt::format("mss option {} added", newmss));
  return TargetVerdict::Continue;
}

uint32_t shifted(uint32_t v, const ir::ConnmarkTarget& t) {
  return t.shift_dir == ir::ConnmarkTarget::ShiftDir::Right ? v >> t.shift_bits
                                                             : v << t.shift_bits;
}

TargetVerdict connmark(const ir::ConnmarkTarget& t, EvalCtx& c) {
  runtime::Conn* ct = c.pkt.ct.ct;
  if (!ct) return TargetVerdict::Continue;
  using M = ir::ConnmarkTarget::Mode;
  switch (t.mode) {
    case M::Set: ct->mark = shifted((ct->mark & ~t.ctmask) ^ t.ctmark, t); break;
    case M::Save: ct->mark = (ct->mark & ~t.ctmask) ^ shifted(c.pkt.mark & t.nfmask, t); break;
    case M::Restore: c.pkt.mark = (c.pkt.mark & ~t.nfmask) ^ shifted(ct->mark & t.ctmask, t); break;
  }
  return TargetVerdict::Continue;
}

TargetVerdict ct_target(const ir::CtTarget& t, EvalCtx& c) {
  // xt_ct_target: a packet that already has a conntrack (a local packet looping back through
  // lo) is left alone.
  if (c.pkt.ct.ct || c.pkt.ct.untracked()) return TargetVerdict::Continue;
  if (t.flags & ir::CtTarget::kNotrack) {
    c.pkt.ct.set_untracked();
    return TargetVerdict::Continue;
  }
  std::string what;
  if (!t.helper.empty()) what += fmt::format("helper {} ", t.helper);
  if (t.zone || (t.flags & (ir::CtTarget::kZoneDirOrig | ir::CtTarget::kZoneDirRepl |
                            ir::CtTarget::kZoneMark)))
    what += fmt::format("zone {} ", t.zone);
  if (!t.timeout.empty()) what += fmt::format("timeout {} ", t.timeout);
  if (t.ct_events || t.exp_events) what += "events ";
  if (!what.empty()) what.pop_back();
  log_record(c, "CT", what.empty() ? std::string("template") : what + " (not modelled)");
  return TargetVerdict::Continue;
}

}  // namespace

TargetVerdict run_target(const ir::Target& t, EvalCtx& c) {
  Pkt& p = c.pkt;
  switch (t.kind()) {
    case ir::TargetKind::Reject:
      c.tr.reject_with = std::string(reject_name(std::get<ir::RejectTarget>(t.data).with));
      return TargetVerdict::Reject;
    case ir::TargetKind::Log:
      log_record(c, "LOG", std::get<ir::LogTarget>(t.data).prefix);
      return TargetVerdict::Continue;
    case ir::TargetKind::Mark: {
      const auto& m = std::get<ir::MarkTarget>(t.data);
      p.mark = (p.mark & ~m.mask) ^ m.mark;
      return TargetVerdict::Continue;
    }
    case ir::TargetKind::Connmark: return connmark(std::get<ir::ConnmarkTarget>(t.data), c);
    case ir::TargetKind::Snat:
      return from_runtime(runtime::nat_snat(c.st.conntrack, p.ct,
                                            nat_range(std::get<ir::SnatTarget>(t.data).range)));
    case ir::TargetKind::Dnat:
      return from_runtime(runtime::nat_dnat(c.st.conntrack, p.ct,
                                            nat_range(std::get<ir::DnatTarget>(t.data).range)));
    case ir::TargetKind::Masquerade:
      return from_runtime(runtime::nat_masquerade(
          c.st.conntrack, p.ct, nat_range(std::get<ir::MasqueradeTarget>(t.data).range),
          c.st.host, p.out, p.route.next_hop(p.v.dst)));
    case ir::TargetKind::Redirect:
      return from_runtime(runtime::nat_redirect(
          c.st.conntrack, p.ct, nat_range(std::get<ir::RedirectTarget>(t.data).range),
          static_cast<runtime::Hook>(c.hook), c.st.host, p.in));
    case ir::TargetKind::Notrack:
      if (!p.ct.ct && !p.ct.untracked()) p.ct.set_untracked();
      return TargetVerdict::Continue;
    case ir::TargetKind::Ct: return ct_target(std::get<ir::CtTarget>(t.data), c);
    case ir::TargetKind::Tcpmss: return tcpmss(std::get<ir::TcpmssTarget>(t.data), c);
    case ir::TargetKind::Nflog:
      log_record(c, "NFLOG", std::get<ir::NflogTarget>(t.data).prefix);
      return TargetVerdict::Continue;
    case ir::TargetKind::Tos: {
      const auto& s = std::get<ir::TosTarget>(t.data);
      uint8_t orig = p.v.tos;
      auto nv = static_cast<uint8_t>((orig & ~s.mask) ^ s.value);
      if (orig != nv) {
        runtime::change_dsfield(p.buf.bytes, 0, nv);
        p.reparse();
      }
      return TargetVerdict::Continue;
    }
  }
  return TargetVerdict::Continue;
}

}  // namespace iptc::interp::detail
