// Match evaluation: every `-m` kind (and the rule's ipt_ip part) with the kernel's semantics,
// one function per kind, each following its kernel source:
//   ipt_ip part    net/ipv4/netfilter/ip_tables.c ip_packet_match; iptables-nft's meta
//                  iifname/oifname, payload and l4proto expressions (iptables/nft-ipv4.c)
//   tcp, udp       net/netfilter/xt_tcpudp.c (xtables) or nft_payload.c (native encoding)
//   icmp           net/ipv4/netfilter/ip_tables.c icmp_match
//   multiport      xt_multiport.c (revision 1)      conntrack  xt_conntrack.c (revision 3)
//   state          xt_conntrack.c (iptables' alias)  comment    xt_comment.c
//   mark           xt_mark.c / nft_meta             mac        xt_mac.c
//   limit          nft_limit.c (iptables-nft) or xt_limit.c (iptables-legacy)
//   addrtype       xt_addrtype.c (revision 1, inet_dev_addr_type on the local table)
//   iprange        xt_iprange.c                     owner      xt_owner.c
//   pkttype        xt_pkttype.c                     length     xt_length.c
//   statistic      xt_statistic.c                   connmark   xt_connmark.c
//   set            xt_set.c, in eval_set.cpp (the ipsets of --ipset)
// recent, hashlimit, connlimit: eval_match_state.cpp; sctp, policy, rpfilter, physdev,
// tcpmss, time: eval_match_misc.cpp.
//   string, u32, dscp, tos, ttl, ecn, helper, devgroup, cgroup, socket, quota, connbytes,
//   esp, ah, cpu, cluster, ipvs: eval_match_group2.cpp
// A match returns whether it matched; "hotdrop" (the kernel's par->hotdrop: drop the packet
// at once) is set on the context. Stateful matches (limit, statistic) change their state only
// here, i.e. exactly when the kernel evaluates them.
#include <cmath>

#include "interp_internal.hpp"
#include "iptc/ir/nft_canon.hpp"
#include "iptc/runtime/checksum.hpp"

namespace iptc::interp::detail {

namespace {

bool port_in(const ir::PortRange& r, uint16_t port) { return port >= r.lo && port <= r.hi; }

bool ifname_match(const std::string& pattern, const std::string& name) {
  if (!pattern.empty() && pattern.back() == '+')
    return name.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0 &&
           name.size() >= pattern.size() - 1;
  return name == pattern;
}

/// Is the transport header readable for a match: not a fragment with an offset, and at
/// least `need` bytes of it present (skb_header_pointer).
bool l4_present(const Pkt& p, uint16_t need) {
  return p.v.ip_ok && p.v.frag_off == 0 && p.v.l4.off != 0 && p.v.l4.avail >= need;
}

// ---- tcp / udp ---------------------------------------------------------------------------

/// tcp_find_option (xt_tcpudp.c).
bool tcp_find_option(const Pkt& p, uint8_t option, bool invert, bool& hotdrop) {
  unsigned optlen = p.v.doff > 20 ? p.v.doff - 20u : 0u;
  if (optlen == 0) return invert;
  unsigned start = p.v.l4.off + 20u;
  if (start + optlen > p.buf.bytes.size()) {
    hotdrop = true;
    return false;
  }
  const uint8_t* op = p.buf.bytes.data() + start;
  for (unsigned i = 0; i < optlen;) {
    if (op[i] == option) return !invert;
    if (op[i] < 2) {
      ++i;
    } else {
      // `i += op[i+1] ? : 1`; reading op[i+1] past optlen reads the kernel's stack buffer,
      // which at worst ends the loop the same way.
      uint8_t l = i + 1 < optlen ? op[i + 1] : 0;
      i += l ? l : 1;
    }
  }
  return invert;
}

bool match_tcp(const ir::Match& m, const ir::TcpMatch& t, EvalCtx& c) {
  const Pkt& p = c.pkt;
  bool native = c.st.opts.frontend == Frontend::Nft && ir::nft_is_native(m);
  if (native) {
    // nft_payload on the transport header (iptables/nft.c add_nft_tcp): the flags byte at
    // offset 13 when --tcp-flags is given, the ports in the first 4 bytes. A fragment with an
    // offset, or a load beyond the end of the packet, breaks the rule (no match, no drop).
    bool dst_loaded = t.dport.lo != 0 || t.dport.hi != 0xffff;
    uint16_t need = t.flg_mask ? 14 : (dst_loaded ? 4 : 2);
    if (!l4_present(p, need)) return false;
  } else {
    if (c.fragoff() != 0) {
      // "Don't allow a fragment of TCP 8 bytes in" (xt_tcpudp.c).
      if (c.fragoff() == 1) c.hotdrop = true;
      return false;
    }
    if (!l4_present(p, 20)) {
      c.hotdrop = true;
      return false;
    }
  }
  // Ports straight from the bytes: a truncated header may carry only the source port.
  const uint8_t* th = p.buf.bytes.data() + p.v.l4.off;
  uint16_t sport = runtime::load16(th);
  uint16_t dport = p.v.l4.avail >= 4 ? runtime::load16(th + 2) : 0;
  if (port_in(t.sport, sport) == bool(t.invflags & ir::TcpMatch::kInvSrcPort)) return false;
  if (port_in(t.dport, dport) == bool(t.invflags & ir::TcpMatch::kInvDstPort)) return false;
  uint8_t flags = p.v.l4.avail >= 14 ? th[13] : 0;
  if (((flags & t.flg_mask) == t.flg_cmp) == bool(t.invflags & ir::TcpMatch::kInvFlags))
    return false;
  if (t.option) {
    if (p.v.doff < 20) {
      c.hotdrop = true;
      return false;
    }
    if (!tcp_find_option(p, t.option, t.invflags & ir::TcpMatch::kInvOption, c.hotdrop))
      return false;
  }
  return true;
}

bool match_udp(const ir::Match& m, const ir::UdpMatch& u, EvalCtx& c) {
  const Pkt& p = c.pkt;
  bool native = c.st.opts.frontend == Frontend::Nft && ir::nft_is_native(m);
  if (native) {
    bool dst_loaded = u.dport.lo != 0 || u.dport.hi != 0xffff;
    if (!l4_present(p, dst_loaded ? 4 : 2)) return false;
  } else {
    if (c.fragoff() != 0) return false;
    if (!l4_present(p, 8)) {
      c.hotdrop = true;
      return false;
    }
  }
  const uint8_t* uh = p.buf.bytes.data() + p.v.l4.off;
  uint16_t sport = runtime::load16(uh);
  uint16_t dport = p.v.l4.avail >= 4 ? runtime::load16(uh + 2) : 0;
  if (port_in(u.sport, sport) == bool(u.invflags & ir::UdpMatch::kInvSrcPort)) return false;
  if (port_in(u.dport, dport) == bool(u.invflags & ir::UdpMatch::kInvDstPort)) return false;
  return true;
}

// ---- icmp --------------------------------------------------------------------------------

bool match_icmp(const ir::IcmpMatch& i, EvalCtx& c) {
  const Pkt& p = c.pkt;
  if (c.fragoff() != 0) return false;
  if (!l4_present(p, 2)) {
    // "We've been asked to examine this packet, and we can't. Hence, no choice but to drop."
    c.hotdrop = true;
    return false;
  }
  uint8_t type = p.buf.bytes[p.v.l4.off], code = p.buf.bytes[p.v.l4.off + 1];
  bool m = i.type == 0xff || (type == i.type && code >= i.code_lo && code <= i.code_hi);
  return m != i.invert;
}

// ---- multiport ---------------------------------------------------------------------------

bool match_multiport(const ir::MultiportMatch& mp, EvalCtx& c) {
  const Pkt& p = c.pkt;
  if (c.fragoff() != 0) return false;
  if (!l4_present(p, 4)) {
    c.hotdrop = true;
    return false;
  }
  const uint8_t* h = p.buf.bytes.data() + p.v.l4.off;
  uint16_t src = runtime::load16(h), dst = runtime::load16(h + 2);
  using D = ir::MultiportMatch::Dir;
  for (const auto& r : mp.ports) {
    bool hit = false;
    switch (mp.dir) {
      case D::Source: hit = port_in(r, src); break;
      case D::Destination: hit = port_in(r, dst); break;
      case D::Either: hit = port_in(r, dst) || port_in(r, src); break;
    }
    if (hit) return !mp.invert;
  }
  return mp.invert;
}

// ---- conntrack / state / connmark --------------------------------------------------------

bool addr_cmp(uint32_t kaddr, const ir::Ipv4Net& n) { return ((kaddr ^ n.addr) & n.mask) == 0; }

bool match_conntrack(const ir::ConntrackMatch& i, EvalCtx& c) {
  using C = ir::ConntrackMatch;
  const runtime::CtRef& ref = c.pkt.ct;
  const runtime::Conn* ct = ref.ct;
  auto inv = [&](uint16_t flag) { return (i.invert_flags & flag) != 0; };
  uint16_t statebit = conntrack_statebit(ref);
  if (i.match_flags & C::kState) {
    if (ct) {
      if (ct->status & runtime::ips::kSrcNat) statebit |= C::kStSnat;
      if (ct->status & runtime::ips::kDstNat) statebit |= C::kStDnat;
    }
    if (((i.state_mask & statebit) != 0) == inv(C::kState)) return false;
  }
  if (!ct) return (i.match_flags & C::kState) != 0;
  if ((i.match_flags & C::kDirection) &&
      ((runtime::ctinfo_dir(ref.info) == runtime::CtDir::Original) == inv(C::kDirection)))
    return false;
  const runtime::Tuple& o = ct->orig();
  const runtime::Tuple& r = ct->reply();
  if ((i.match_flags & C::kOrigSrc) && addr_cmp(o.src, i.origsrc) == inv(C::kOrigSrc)) return false;
  if ((i.match_flags & C::kOrigDst) && addr_cmp(o.dst, i.origdst) == inv(C::kOrigDst)) return false;
  if ((i.match_flags & C::kReplSrc) && addr_cmp(r.src, i.replsrc) == inv(C::kReplSrc)) return false;
  if ((i.match_flags & C::kReplDst) && addr_cmp(r.dst, i.repldst) == inv(C::kReplDst)) return false;
  // ct_proto_port_check_v3: ports are tuple->src.u.all / dst.u.all (ICMP: id, type<<8|code).
  if ((i.match_flags & C::kProto) && ((ct->proto() == i.l4proto) == inv(C::kProto))) return false;
  auto port = [&](uint16_t flag, const ir::PortRange& pr, uint16_t v) {
    return !(i.match_flags & flag) || (port_in(pr, v) != inv(flag));
  };
  if (!port(C::kOrigSrcPort, i.origsrc_port, o.sport)) return false;
  if (!port(C::kOrigDstPort, i.origdst_port, o.dport)) return false;
  if (!port(C::kReplSrcPort, i.replsrc_port, r.sport)) return false;
  if (!port(C::kReplDstPort, i.repldst_port, r.dport)) return false;
  if ((i.match_flags & C::kStatus) && (((i.status_mask & ct->status) != 0) == inv(C::kStatus)))
    return false;
  if (i.match_flags & C::kExpires) {
    // nf_ct_expires(ct) / HZ: whole seconds left. An unconfirmed entry (a connection's first
    // packet) still holds its relative timeout in ct->timeout, so nf_ct_expires computes
    // (s32)(timeout - jiffies), which is negative (0) on any host up for more than a moment.
    uint64_t expires = 0;
    if (ct->confirmed())
      expires = static_cast<uint64_t>(std::floor(c.st.conntrack.expires_in(*ct)));
    if ((expires >= i.expires_min && expires <= i.expires_max) == inv(C::kExpires)) return false;
  }
  return true;
}

bool match_state(const ir::StateMatch& s, EvalCtx& c) {
  // iptables 1.8.9 loads `-m state` as the conntrack match (revision 3, XT_CONNTRACK_STATE
  // with XT_CONNTRACK_STATE_ALIAS): only the state test, and an inverted test is a flag.
  uint16_t statebit = conntrack_statebit(c.pkt.ct);
  return ((s.state_mask & statebit) != 0) != s.invert;
}

bool match_connmark(const ir::ConnmarkMatch& m, EvalCtx& c) {
  const runtime::Conn* ct = c.pkt.ct.ct;
  if (!ct) return false;
  return ((ct->mark & m.mask) == m.mark) != m.invert;
}

// ---- mark / mac / pkttype / length -------------------------------------------------------

bool match_mark(const ir::MarkMatch& m, EvalCtx& c) {
  return ((c.pkt.mark & m.mask) == m.mark) != m.invert;
}

bool match_mac(const ir::MacMatch& m, EvalCtx& c) {
  // skb->dev must be an Ethernet device with a MAC header in front of the data: never true
  // for locally generated packets or for those that came back in through lo.
  if (!c.pkt.has_mac) return false;
  return (c.pkt.mac == m.addr) != m.invert;
}

bool match_pkttype(const ir::PkttypeMatch& m, EvalCtx& c) {
  return (c.pkt.pkttype == m.pkttype) != m.invert;
}

bool match_length(const ir::LengthMatch& m, EvalCtx& c) {
  uint16_t len = c.pkt.v.total_len;  // ntohs(ip_hdr(skb)->tot_len)
  return (len >= m.min && len <= m.max) != m.invert;
}

// ---- limit -------------------------------------------------------------------------------

/// add_nft_limit (iptables/nft.c): the nf_tables rate and unit iptables-nft sends for avg.
void nft_rate_unit(uint32_t avg, uint64_t& rate, uint64_t& unit) {
  static constexpr uint64_t kMult[] = {
      uint64_t{ir::LimitMatch::kScale} * 24 * 60 * 60, uint64_t{ir::LimitMatch::kScale} * 60 * 60,
      uint64_t{ir::LimitMatch::kScale} * 60, uint64_t{ir::LimitMatch::kScale}};
  size_t i = 1;
  for (; i < 4; ++i)
    if (avg > kMult[i] || kMult[i] / avg < kMult[i] % avg) break;
  rate = kMult[i - 1] / avg;
  unit = kMult[i - 1] / ir::LimitMatch::kScale;
}

bool match_limit_nft(const ir::Match& m, const ir::LimitMatch& l, EvalCtx& c) {
  LimitState& s = c.st.limits[&m];
  if (!s.init) {
    // nft_limit_init / nft_limit_pkts_init, at load time (clock 0).
    uint64_t rate = l.nft_rate, unit = l.nft_unit;
    if (rate == 0 || unit == 0) {
      // Not canonicalised (an IR built by hand): derive them as iptables-nft would.
      if (l.avg == 0) return true;  // never produced by the parser ("rate too fast")
      nft_rate_unit(l.avg, rate, unit);
    }
    if (rate == 0) return true;
    uint64_t nsecs = unit * 1000000000ull;
    uint32_t burst = l.burst ? l.burst : 5;
    s.cost = nsecs / rate;
    s.tokens = s.tokens_max = s.cost * burst;
    s.last_ns = 0;
    s.init = true;
  }
  auto now = static_cast<uint64_t>(std::llround(c.st.now() * 1e9));
  // nft_limit_eval: true (over the limit) breaks the rule.
  uint64_t tokens = s.tokens + (now - s.last_ns);
  if (tokens > s.tokens_max) tokens = s.tokens_max;
  s.last_ns = now;
  if (tokens >= s.cost) {
    s.tokens = tokens - s.cost;
    return true;
  }
  s.tokens = tokens;
  return false;
}

bool match_limit_xt(const ir::Match& m, const ir::LimitMatch& l, EvalCtx& c) {
  // xt_limit.c with CONFIG_HZ = opts.hz: credits per jiffy is the largest power of two below
  // 0xFFFFFFFF / (HZ * 60 * 60 * 24).
  const uint32_t hz = c.st.opts.hz;
  uint32_t max_cpj = 0xFFFFFFFFu / (hz * 60 * 60 * 24);
  uint32_t cpj = 1;
  while (cpj * 2 <= max_cpj && cpj * 2 != 0) cpj *= 2;
  if (max_cpj == 0) cpj = 0;
  auto user2credits = [&](uint32_t user) -> uint32_t {
    if (user > 0xFFFFFFFFu / (hz * cpj)) return (user / ir::LimitMatch::kScale) * hz * cpj;
    return (user * hz * cpj) / ir::LimitMatch::kScale;
  };
  LimitState& s = c.st.limits[&m];
  if (!s.init) {
    s.prev_jiffies = 0;
    s.credit = user2credits(l.avg * l.burst);  // u32 product, as the kernel computes it
    s.credit_cap = s.credit;
    s.xcost = user2credits(l.avg);
    s.init = true;
  }
  auto now = static_cast<uint64_t>(std::floor(c.st.now() * hz));
  if (s.credit < s.xcost && s.prev_jiffies == now) return false;
  uint32_t increase = static_cast<uint32_t>((now - s.prev_jiffies) * cpj);
  s.prev_jiffies = now;
  uint32_t credit = s.credit + increase;
  if (credit > s.credit_cap) credit = s.credit_cap;
  bool ret = credit >= s.xcost;
  if (ret) credit -= s.xcost;
  s.credit = credit;
  return ret;
}

// ---- addrtype / iprange / owner ----------------------------------------------------------

bool match_addrtype(const ir::AddrtypeMatch& a, EvalCtx& c) {
  using A = ir::AddrtypeMatch;
  std::string_view dev;
  if (a.flags & A::kLimitIfaceIn) dev = c.pkt.in;
  else if (a.flags & A::kLimitIfaceOut) dev = c.pkt.out;
  auto type_matches = [&](uint32_t addr, uint16_t mask) {
    auto t = static_cast<unsigned>(c.st.host.addr_type(addr, dev));
    return (mask & (1u << t)) != 0;
  };
  bool ret = true;
  if (a.source) ret = type_matches(c.pkt.v.src, a.source) != bool(a.flags & A::kInvSource);
  if (ret && a.dest) ret = type_matches(c.pkt.v.dst, a.dest) != bool(a.flags & A::kInvDest);
  return ret;
}

bool match_iprange(const ir::IprangeMatch& r, EvalCtx& c) {
  using R = ir::IprangeMatch;
  if (r.flags & R::kSrc) {
    bool m = c.pkt.v.src < r.src_min || c.pkt.v.src > r.src_max;
    if (m != bool(r.flags & R::kSrcInv)) return false;
  }
  if (r.flags & R::kDst) {
    bool m = c.pkt.v.dst < r.dst_min || c.pkt.v.dst > r.dst_max;
    if (m != bool(r.flags & R::kDstInv)) return false;
  }
  return true;
}

bool match_owner(const ir::OwnerMatch& o, EvalCtx& c) {
  using O = ir::OwnerMatch;
  // A trace packet generated locally has a socket with a file owned by uid/gid (packet keys
  // uid= and gid=, default root); forwarded packets and replies have none.
  if (!c.pkt.local) return (o.match ^ o.invert) == 0;
  if (o.match & o.invert & O::kSocket) return false;
  if (o.match & O::kUid) {
    bool in = c.pkt.uid >= o.uid_min && c.pkt.uid <= o.uid_max;
    if (in != !(o.invert & O::kUid)) return false;
  }
  if (o.match & O::kGid) {
    // No supplementary groups are modelled: only the fsgid can match.
    bool in = c.pkt.gid >= o.gid_min && c.pkt.gid <= o.gid_max;
    if (in != !(o.invert & O::kGid)) return false;
  }
  return true;
}

// ---- statistic ---------------------------------------------------------------------

bool match_statistic(const ir::Match& m, const ir::StatisticMatch& s, EvalCtx& c) {
  bool ret = s.invert;
  switch (s.mode) {
    case ir::StatisticMatch::Mode::Random:
      if ((c.st.rng.next_u32() & 0x7FFFFFFFu) < s.probability) ret = !ret;
      break;
    case ir::StatisticMatch::Mode::Nth: {
      // statistic_mt_check: count starts at every - packet (libxt_statistic's u.nth.count).
      auto [it, fresh] = c.st.nth.try_emplace(&m, s.every - s.packet);
      uint32_t oval = it->second;
      uint32_t nval = oval == s.every ? 0 : oval + 1;
      it->second = nval;
      if (nval == 0) ret = !ret;
      break;
    }
  }
  return ret;
}

}  // namespace

/// XT_CONNTRACK_STATE_BIT(ctinfo) and friends: the state bit of the packet's conntrack.
uint16_t conntrack_statebit(const runtime::CtRef& r) {
  if (r.ct) return static_cast<uint16_t>(1u << (static_cast<unsigned>(r.info) % 3 + 1));
  if (r.info == runtime::CtInfo::Untracked) return ir::ConntrackMatch::kStUntracked;
  return ir::ConntrackMatch::kStInvalid;
}

bool eval_ip_part(const ir::IpHeaderMatch& ip, const Pkt& p) {
  if (((p.v.src & ip.src.mask) == ip.src.addr) == ip.inv_src) return false;
  if (((p.v.dst & ip.dst.mask) == ip.dst.addr) == ip.inv_dst) return false;
  if (!ip.iniface.empty() && ifname_match(ip.iniface, p.in) == ip.inv_in) return false;
  if (!ip.outiface.empty() && ifname_match(ip.outiface, p.out) == ip.inv_out) return false;
  if (ip.proto != 0 && (p.v.proto == ip.proto) == ip.inv_proto) return false;
  if (ip.frag && (p.v.frag_off != 0) == ip.inv_frag) return false;
  return true;
}

bool eval_match(const ir::Match& m, EvalCtx& c) {
  switch (m.kind()) {
    case ir::MatchKind::Tcp: return match_tcp(m, std::get<ir::TcpMatch>(m.data), c);
    case ir::MatchKind::Udp: return match_udp(m, std::get<ir::UdpMatch>(m.data), c);
    case ir::MatchKind::Icmp: return match_icmp(std::get<ir::IcmpMatch>(m.data), c);
    case ir::MatchKind::Multiport: return match_multiport(std::get<ir::MultiportMatch>(m.data), c);
    case ir::MatchKind::Conntrack: return match_conntrack(std::get<ir::ConntrackMatch>(m.data), c);
    case ir::MatchKind::State: return match_state(std::get<ir::StateMatch>(m.data), c);
    case ir::MatchKind::Comment: return true;
    case ir::MatchKind::Mark: return match_mark(std::get<ir::MarkMatch>(m.data), c);
    case ir::MatchKind::Mac: return match_mac(std::get<ir::MacMatch>(m.data), c);
    case ir::MatchKind::Limit: {
      const auto& l = std::get<ir::LimitMatch>(m.data);
      return c.st.opts.frontend == Frontend::Nft ? match_limit_nft(m, l, c)
                                                 : match_limit_xt(m, l, c);
    }
    case ir::MatchKind::Addrtype: return match_addrtype(std::get<ir::AddrtypeMatch>(m.data), c);
    case ir::MatchKind::Iprange: return match_iprange(std::get<ir::IprangeMatch>(m.data), c);
    case ir::MatchKind::Owner: return match_owner(std::get<ir::OwnerMatch>(m.data), c);
    case ir::MatchKind::Pkttype: return match_pkttype(std::get<ir::PkttypeMatch>(m.data), c);
    case ir::MatchKind::Length: return match_length(std::get<ir::LengthMatch>(m.data), c);
    case ir::MatchKind::Statistic:
      return match_statistic(m, std::get<ir::StatisticMatch>(m.data), c);
    case ir::MatchKind::Connmark: return match_connmark(std::get<ir::ConnmarkMatch>(m.data), c);
    case ir::MatchKind::Set: return match_set(std::get<ir::SetMatch>(m.data), c);
    case ir::MatchKind::Recent: return match_recent(std::get<ir::RecentMatch>(m.data), c);
    case ir::MatchKind::Hashlimit:
      return match_hashlimit(std::get<ir::HashlimitMatch>(m.data), c);
    case ir::MatchKind::Connlimit:
      return match_connlimit(m, std::get<ir::ConnlimitMatch>(m.data), c);
    case ir::MatchKind::Sctp: return match_sctp(std::get<ir::SctpMatch>(m.data), c);
    case ir::MatchKind::Policy: return match_policy(std::get<ir::PolicyMatch>(m.data), c);
    case ir::MatchKind::Rpfilter: return match_rpfilter(std::get<ir::RpfilterMatch>(m.data), c);
    case ir::MatchKind::Physdev: return match_physdev(std::get<ir::PhysdevMatch>(m.data), c);
    case ir::MatchKind::Tcpmss: return match_tcpmss(std::get<ir::TcpmssMatch>(m.data), c);
    case ir::MatchKind::Time: return match_time(std::get<ir::TimeMatch>(m.data), c);
    // coverage group 2 (eval_match_group2.cpp)
    case ir::MatchKind::String:
    case ir::MatchKind::U32:
    case ir::MatchKind::Dscp:
    case ir::MatchKind::Tos:
    case ir::MatchKind::Ttl:
    case ir::MatchKind::Ecn:
    case ir::MatchKind::Helper:
    case ir::MatchKind::Devgroup:
    case ir::MatchKind::Cgroup:
    case ir::MatchKind::Socket:
    case ir::MatchKind::Quota:
    case ir::MatchKind::Connbytes:
    case ir::MatchKind::Esp:
    case ir::MatchKind::Ah:
    case ir::MatchKind::Cpu:
    case ir::MatchKind::Cluster:
    case ir::MatchKind::Ipvs: return eval_match_group2(m, c);
  }
  return false;
}

}  // namespace iptc::interp::detail
