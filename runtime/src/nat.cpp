// NAT bindings, ported from net/netfilter/nf_nat_core.c (nf_nat_setup_info, get_unique_tuple,
// find_appropriate_src, find_best_ips_proto, nf_nat_l4proto_unique_tuple, nf_nat_used_tuple*,
// nf_nat_alloc_null_binding, nf_nat_packet, nf_nat_inet_fn), nf_nat_proto.c
// (nf_nat_manip_pkt, nf_nat_icmp_reply_translation, nf_nat_ipv4_fn), nf_nat_masquerade.c
// (nf_nat_masquerade_ipv4) and nf_nat_redirect.c (nf_nat_redirect_ipv4). The packet rewriting
// itself is manip_packet (packet.cpp).
#include "iptc/runtime/nat.hpp"

#include <utility>

#include "iptc/runtime/checksum.hpp"

namespace iptc::runtime {
namespace {

constexpr uint32_t kNatMaxAttempts = 128;
constexpr uint32_t kNatHarderThresh = kNatMaxAttempts / 4;

constexpr uint32_t bswap32(uint32_t x) {
  return (x >> 24) | ((x >> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24);
}

Tuple inverted(const Tuple& t) {
  Tuple r;
  invert_tuple(t, r);
  return r;
}

/// nf_nat_used_tuple: would a connection with this (original-direction) tuple collide with an
/// existing entry's reply?
bool used_tuple(ConntrackTable& table, const Tuple& t, const Conn& ignored) {
  return table.tuple_taken(inverted(t), ignored);
}

bool allow_clash(const Conn& ct) {
  return ct.proto() == kProtoUdp || ct.proto() == kProtoUdplite;
}

/// nf_nat_used_tuple_new: also tolerate the rare reverse collision of two un-NATed entries.
bool used_tuple_new(ConntrackTable& table, const Tuple& t, const Conn& ignored) {
  constexpr uint32_t kUsesNat = ips::kNatMask | ips::kSeqAdjust;
  if (!used_tuple(table, t, ignored)) return false;
  if (!allow_clash(ignored)) return true;
  if (ignored.status & kUsesNat) return true;
  CtDir dir{};
  Conn* ct = table.find(t, &dir);
  if (ct == nullptr) {
    ct = table.find(inverted(t), &dir);
    if (ct == nullptr) return false;  // clashing entry went away
  }
  if (dir != CtDir::Reply) return true;
  if (ct->status & kUsesNat) return true;
  if (ct->tuple[0] == ignored.tuple[1] && ct->tuple[1] == ignored.tuple[0]) return false;
  return true;
}

bool nat_may_kill(const Conn& ct, uint32_t flags) {
  if (static_cast<uint8_t>(ct.tcp.state) < static_cast<uint8_t>(TcpState::TimeWait)) return false;
  if (flags & (ips::kFixedTimeout | ips::kDying)) return false;
  return (flags & ips::kSrcNat) == ips::kSrcNat;
}

bool seq_has_advanced(const Conn& old_ct, const Conn& new_ct) {
  return static_cast<int32_t>(new_ct.tcp.seen[0].td_end - old_ct.tcp.seen[0].td_end) > 0;
}

/// nf_nat_used_tuple_harder: in the last attempts for a TCP SYN, evict a colliding SNATed
/// entry in TIME_WAIT or later whose sequence numbers the new connection has passed.
bool used_tuple_harder(ConntrackTable& table, const Tuple& t, Conn& ignored,
                       uint32_t attempts_left) {
  const Tuple reply = inverted(t);
  if (attempts_left > kNatHarderThresh || t.proto != kProtoTcp ||
      ignored.tcp.state != TcpState::SynSent)
    return table.tuple_taken(reply, ignored);
  CtDir dir{};
  Conn* ct = table.find(reply, &dir);
  if (ct == nullptr) return false;
  if (dir == CtDir::Original) return true;
  if (ct == &ignored) return true;
  const uint32_t flags = ct->status;
  if (!nat_may_kill(*ct, flags)) return true;
  if (!seq_has_advanced(*ct, ignored)) return true;
  if (table.kill(*ct)) return (flags & (ips::kOffload | ips::kHwOffload)) != 0;
  return true;
}

bool addr_in_range(const Tuple& t, const NatRange& r) {
  return t.src >= r.min_addr && t.src <= r.max_addr;
}

/// l4proto_in_range: is the manipulable part of the tuple within [min, max]?
bool l4proto_in_range(const Tuple& t, ManipType m, uint16_t min, uint16_t max) {
  switch (t.proto) {
    case kProtoIcmp:
      return t.sport >= min && t.sport <= max;
    case kProtoGre: case kProtoTcp: case kProtoUdp: case kProtoUdplite: case kProtoSctp: {
      const uint16_t port = m == ManipType::Src ? t.sport : t.dport;
      return port >= min && port <= max;
    }
    default:
      return true;
  }
}

/// nf_in_range: would source-mapping to this tuple meet the range?
bool in_range(const Tuple& t, const NatRange& r) {
  if ((r.flags & natflag::kMapIps) && !addr_in_range(t, r)) return false;
  if (!(r.flags & natflag::kProtoSpecified)) return true;
  return l4proto_in_range(t, ManipType::Src, r.min_proto, r.max_proto);
}

/// find_appropriate_src: reuse the mapping an existing connection from the same source got.
bool find_appropriate_src(ConntrackTable& table, const Tuple& orig, Tuple& result,
                          const NatRange& r) {
  bool found = false;
  table.for_each_bysource(orig, [&](const Conn& ct) {
    Tuple cand = inverted(ct.tuple[1]);
    cand.dst = orig.dst;
    cand.dport = orig.dport;
    cand.proto = orig.proto;
    if (in_range(cand, r)) {
      result = cand;
      found = true;
      return true;
    }
    return false;
  });
  return found;
}

/// find_best_ips_proto: the address by a hash of source and destination (jhash2 over the
/// addresses as the kernel lays them out in memory, so the choice matches the kernel's).
void find_best_ips_proto(Tuple& t, const NatRange& r, ManipType m) {
  if (!(r.flags & natflag::kMapIps)) return;
  uint32_t& var = m == ManipType::Src ? t.src : t.dst;
  if (r.min_addr == r.max_addr) {
    var = r.min_addr;
    return;
  }
  // union nf_inet_addr is 4 words; an IPv4 address fills the first, in network byte order,
  // read by the little-endian CPU as a u32. The zone id is 0.
  const uint32_t words[4] = {bswap32(t.src), 0, 0, 0};
  const uint32_t initval = (r.flags & natflag::kPersistent) ? 0 : bswap32(t.dst);
  const uint32_t j = jhash2(words, 4, initval);
  const uint32_t dist = r.max_addr - r.min_addr + 1;
  var = r.min_addr + reciprocal_scale(j, dist);
}

/// nf_nat_l4proto_unique_tuple.
void l4proto_unique_tuple(ConntrackTable& table, Tuple& t, const NatRange& r, ManipType m,
                          Conn& ct) {
  uint32_t range_size = 0, min = 0;
  uint16_t* keyptr = nullptr;
  switch (t.proto) {
    case kProtoIcmp:
      keyptr = &t.sport;  // the id, the same in both directions
      if (!(r.flags & natflag::kProtoSpecified)) {
        min = 0;
        range_size = 65536;
      } else {
        min = r.min_proto;
        range_size = uint32_t{r.max_proto} - r.min_proto + 1;
      }
      break;
    case kProtoGre:
      return;  // only PPTP (a master connection) has keys to change
    case kProtoUdp: case kProtoUdplite: case kProtoTcp: case kProtoSctp:
      keyptr = m == ManipType::Src ? &t.sport : &t.dport;
      if (!(r.flags & natflag::kProtoSpecified)) {
        if (m == ManipType::Dst) return;  // a destination port is never changed by default
        if (*keyptr < 1024) {
          // Loose convention: >> 512 is credential passing.
          if (*keyptr < 512) {
            min = 1;
            range_size = 511 - min + 1;
          } else {
            min = 600;
            range_size = 1023 - min + 1;
          }
        } else {
          min = 1024;
          range_size = 65535 - 1024 + 1;
        }
      } else {
        uint32_t lo = r.min_proto, hi = r.max_proto;
        if (hi < lo) std::swap(lo, hi);
        min = lo;
        range_size = hi - lo + 1;
      }
      break;
    default:
      return;
  }
  uint16_t off;
  if (r.flags & natflag::kProtoOffset)
    off = static_cast<uint16_t>(*keyptr - r.base_proto);
  else if ((r.flags & natflag::kProtoRandomAll) || m != ManipType::Dst)
    off = table.rng().next_u16();
  else
    off = 0;
  uint32_t attempts = range_size > kNatMaxAttempts ? kNatMaxAttempts : range_size;
  for (;;) {
    for (uint32_t i = 0; i < attempts; ++i, ++off) {
      *keyptr = static_cast<uint16_t>(min + off % range_size);
      if (!used_tuple_harder(table, t, ct, attempts - i)) return;
    }
    if (attempts >= range_size || attempts < 16) return;
    attempts /= 2;
    off = table.rng().next_u16();
  }
}

/// get_unique_tuple.
void get_unique_tuple(ConntrackTable& table, Tuple& out, const Tuple& orig, const NatRange& r,
                      Conn& ct, ManipType m) {
  // 1) Source NAT: keep the original tuple when it is in range and unique, else reuse the
  //    mapping of an existing connection from the same source.
  if (m == ManipType::Src && !(r.flags & natflag::kProtoRandomAll)) {
    if (in_range(orig, r)) {
      if (!used_tuple_new(table, orig, ct)) {
        out = orig;
        return;
      }
    } else if (find_appropriate_src(table, orig, out, r)) {
      if (!used_tuple(table, out, ct)) return;
    }
  }
  // 2) The address within the range.
  out = orig;
  find_best_ips_proto(out, r, m);
  // 3) The per-protocol part, only if not already in range and unique.
  if (!(r.flags & natflag::kProtoRandomAll)) {
    if (r.flags & natflag::kProtoSpecified) {
      if (!(r.flags & natflag::kProtoOffset) &&
          l4proto_in_range(out, m, r.min_proto, r.max_proto) &&
          (r.min_proto == r.max_proto || !used_tuple(table, out, ct)))
        return;
    } else if (!used_tuple(table, out, ct)) {
      return;
    }
  }
  l4proto_unique_tuple(table, out, r, m, ct);
}

/// nf_nat_manip_pkt / nf_nat_ipv4_manip_pkt with a target tuple: the address and, for ICMP the
/// id (icmp_manip_pkt always takes src.u.icmp.id), else the port of the manip's side.
bool manip_to(std::span<uint8_t> pkt, uint16_t ip_off, const Tuple& target, ManipType m) {
  const uint32_t addr = m == ManipType::Src ? target.src : target.dst;
  uint16_t port = m == ManipType::Src ? target.sport : target.dport;
  if (pkt.size() > size_t{ip_off} + 9 && pkt[ip_off + 9] == kProtoIcmp) port = target.sport;
  return manip_packet(pkt, ip_off, m, addr, port);
}

uint32_t statusbit_for(ManipType m, CtDir dir) {
  uint32_t bit = m == ManipType::Src ? ips::kSrcNat : ips::kDstNat;
  if (dir == CtDir::Reply) bit ^= ips::kNatMask;
  return bit;
}

}  // namespace

bool nat_initialized(const Conn& ct, ManipType m) {
  return (ct.status & (m == ManipType::Src ? ips::kSrcNatDone : ips::kDstNatDone)) != 0;
}

Verdict nat_setup_info(ConntrackTable& table, Conn& ct, const NatRange& range, ManipType m) {
  if (ct.confirmed()) return Verdict::Accept;
  if (nat_initialized(ct, m)) return Verdict::Drop;  // WARN_ON in the kernel
  // What we've got looks like the inverse of the reply (prior manips included).
  const Tuple curr = inverted(ct.tuple[1]);
  Tuple nt;
  get_unique_tuple(table, nt, curr, range, ct, m);
  if (!(nt == curr)) {
    table.alter_reply(ct, inverted(nt));
    ct.status |= m == ManipType::Src ? ips::kSrcNat : ips::kDstNat;
  }
  if (m == ManipType::Src) table.bysource_add(ct);
  ct.status |= m == ManipType::Src ? ips::kSrcNatDone : ips::kDstNatDone;
  return Verdict::Accept;
}

Verdict nat_alloc_null_binding(ConntrackTable& table, Conn& ct, Hook hook) {
  const ManipType m = hook_to_manip(hook);
  // Force the range to this IP; let the protocol decide the rest. The reply tuple is used in
  // case it was already mangled (a local packet).
  const uint32_t ip = m == ManipType::Src ? ct.tuple[1].dst : ct.tuple[1].src;
  NatRange r;
  r.flags = natflag::kMapIps;
  r.min_addr = r.max_addr = ip;
  return nat_setup_info(table, ct, r, m);
}

Verdict nat_snat(ConntrackTable& table, const CtRef& ref, const NatRange& range) {
  if (ref.ct == nullptr) return Verdict::Accept;
  return nat_setup_info(table, *ref.ct, range, ManipType::Src);
}

Verdict nat_dnat(ConntrackTable& table, const CtRef& ref, const NatRange& range) {
  if (ref.ct == nullptr) return Verdict::Accept;
  return nat_setup_info(table, *ref.ct, range, ManipType::Dst);
}

Verdict nat_masquerade(ConntrackTable& table, const CtRef& ref, const NatRange& range,
                       const HostModel& host, std::string_view out_iface, uint32_t next_hop) {
  Conn* ct = ref.ct;
  if (ct == nullptr) return Verdict::Accept;
  // Source 0.0.0.0: a local packet probably not meant to be masqueraded.
  if (ct->tuple[0].src == 0) return Verdict::Accept;
  const auto newsrc = host.select_source(out_iface, next_hop);
  if (!newsrc) return Verdict::Drop;  // "... ate my IP address"
  if (!ct->confirmed()) ct->masq_index = host.ifindex(out_iface);
  NatRange r;
  r.flags = range.flags | natflag::kMapIps;
  r.min_addr = r.max_addr = *newsrc;
  r.min_proto = range.min_proto;
  r.max_proto = range.max_proto;
  return nat_setup_info(table, *ct, r, ManipType::Src);
}

Verdict nat_redirect(ConntrackTable& table, const CtRef& ref, const NatRange& range, Hook hook,
                     const HostModel& host, std::string_view in_iface) {
  Conn* ct = ref.ct;
  if (ct == nullptr) return Verdict::Accept;
  uint32_t newdst = 0;
  if (hook == Hook::Output) {
    newdst = 0x7f000001;  // local packets go to loopback
  } else {
    newdst = host.primary_address(in_iface).value_or(0);
    if (newdst == 0) return Verdict::Drop;
  }
  NatRange r;
  r.flags = range.flags | natflag::kMapIps;
  r.min_addr = r.max_addr = newdst;
  r.min_proto = range.min_proto;
  r.max_proto = range.max_proto;
  return nat_setup_info(table, *ct, r, ManipType::Dst);
}

Verdict nat_packet(const Conn& ct, CtInfo info, Hook hook, std::span<uint8_t> pkt) {
  const ManipType m = hook_to_manip(hook);
  const CtDir dir = ctinfo_dir(info);
  if (!(ct.status & statusbit_for(m, dir))) return Verdict::Accept;
  // We are aiming to look like the inverse of the other direction.
  const Tuple target = inverted(ct.tuple[dir == CtDir::Original ? 1 : 0]);
  return manip_to(pkt, 0, target, m) ? Verdict::Accept : Verdict::Drop;
}

bool nat_icmp_reply_translation(const Conn& ct, CtInfo info, Hook hook, std::span<uint8_t> pkt) {
  const CtDir dir = ctinfo_dir(info);
  const ManipType manip = hook_to_manip(hook);
  if (pkt.size() < 20) return false;
  const size_t hdrlen = size_t{pkt[0] & 0x0fu} * 4;
  if (pkt.size() < hdrlen + 8 + 20) return false;
  // nf_ip_checksum of the ICMP message.
  if (csum_fold(csum_partial(pkt.subspan(hdrlen))) != 0) return false;
  if (pkt[hdrlen] == icmptype::kRedirect) {
    if ((ct.status & ips::kNatDoneMask) != ips::kNatDoneMask) return false;
    if (ct.status & ips::kNatMask) return false;
  }
  if (!(ct.status & statusbit_for(manip, dir))) return true;
  const Tuple& other = ct.tuple[dir == CtDir::Original ? 1 : 0];
  // The embedded packet travelled the other way: give it the other direction's tuple with
  // the opposite manip.
  const ManipType inner_manip = manip == ManipType::Src ? ManipType::Dst : ManipType::Src;
  if (!manip_to(pkt, static_cast<uint16_t>(hdrlen + 8), other, inner_manip)) return false;
  recompute_icmp_checksum(pkt);
  // Change the outer header to look like the reply to an incoming packet.
  Tuple target = inverted(other);
  target.proto = kProtoIcmp;
  return manip_to(pkt, 0, target, manip);
}

NatStep nat_hook_begin(const CtRef& ref, Hook hook, std::span<const uint8_t> pkt) {
  if (ref.ct == nullptr) return NatStep::Accept;
  const bool icmp = pkt.size() >= 20 && pkt[9] == kProtoIcmp;
  switch (ref.info) {
    case CtInfo::Related:
    case CtInfo::RelatedReply:
      if (icmp) return NatStep::IcmpRelated;
      [[fallthrough]];
    case CtInfo::New:
      return nat_initialized(*ref.ct, hook_to_manip(hook)) ? NatStep::Apply : NatStep::RunRules;
    case CtInfo::Established:
    case CtInfo::EstablishedReply:
    case CtInfo::Untracked:
      return NatStep::Apply;
  }
  return NatStep::Apply;
}

Verdict nat_hook_finish(ConntrackTable& table, const CtRef& ref, Hook hook, NatStep step,
                        std::span<uint8_t> pkt, int out_ifindex) {
  Conn* ct = ref.ct;
  switch (step) {
    case NatStep::Accept:
      return Verdict::Accept;
    case NatStep::IcmpRelated:
      return nat_icmp_reply_translation(*ct, ref.info, hook, pkt) ? Verdict::Accept
                                                                  : Verdict::Drop;
    case NatStep::RunRules:
      if (!nat_initialized(*ct, hook_to_manip(hook))) {
        const Verdict v = nat_alloc_null_binding(table, *ct, hook);
        if (v != Verdict::Accept) return v;
      }
      break;
    case NatStep::Apply:
      // nf_nat_oif_changed: a masqueraded connection leaving by another interface dies.
      if (ct->masq_index != 0 && hook == Hook::Postrouting &&
          ctinfo_dir(ref.info) == CtDir::Original && ct->masq_index != out_ifindex) {
        const int d = static_cast<int>(ctinfo_dir(ref.info));
        ct->packets[d] += 1;
        ct->bytes[d] += pkt.size();
        table.kill(*ct);
        return Verdict::Drop;
      }
      break;
  }
  return nat_packet(*ct, ref.info, hook, pkt);
}

}  // namespace iptc::runtime
