// Stateless matches on headers and packet metadata, each following its kernel source:
//   sctp      net/netfilter/xt_sctp.c: ports of the common header, then a walk over the
//             chunks (--chunk-types any/all/only with per-chunk flag tests); a header or chunk
//             header that is not there (or a chunk of length 0) drops the packet (hotdrop)
//   policy    net/netfilter/xt_policy.c: a packet line has no IPsec: no secpath on input and
//             no xfrm bundle on output, so the match is true exactly for --pol none
//   rpfilter  net/ipv4/netfilter/ipt_rpfilter.c: a reverse route lookup of the source in the
//             host model (local table first); no policy routing, so --validmark changes
//             nothing
//   physdev   net/netfilter/xt_physdev.c: bridge ports from the packet keys physin=/physout=
//   tcpmss    net/netfilter/xt_tcpmss.c: the MSS option of the TCP header
//   time      net/netfilter/xt_time.c: the wall clock (EngineOptions::epoch plus the packets
//             file's clock), UTC or shifted by sys_tz (--kerneltz)
#include <cstring>

#include "interp_internal.hpp"
#include "iptc/runtime/checksum.hpp"

namespace iptc::interp::detail {

// ---- sctp --------------------------------------------------------------------------------

namespace {

bool chunkmap_is_set(const std::array<uint32_t, 8>& map, uint8_t type) {
  return (map[type / 32] >> (type % 32)) & 1u;
}

/// match_flags: the first flag test naming the chunk type decides; none: any flags.
bool sctp_match_flags(const ir::SctpMatch& info, uint8_t type, uint8_t flags) {
  for (const auto& f : info.flag_info)
    if (f.chunktype == type) return (flags & f.flag_mask) == f.flag;
  return true;
}

bool sctp_match_packet(const Pkt& p, size_t offset, const ir::SctpMatch& info, bool& hotdrop) {
  using S = ir::SctpMatch;
  std::array<uint32_t, 8> copy = info.chunkmap;
  const size_t len = p.buf.bytes.size();  // skb->len
  do {
    if (offset + 4 > len) {
      hotdrop = true;
      return false;
    }
    const uint8_t* ch = p.buf.bytes.data() + offset;
    uint8_t type = ch[0], flags = ch[1];
    uint16_t clen = runtime::load16(ch + 2);
    if (clen == 0) {
      hotdrop = true;
      return false;
    }
    offset += (size_t{clen} + 3) & ~size_t{3};  // SCTP_PAD4
    if (chunkmap_is_set(info.chunkmap, type)) {
      switch (info.chunk_match_type) {
        case S::kMatchAny:
          if (sctp_match_flags(info, type, flags)) return true;
          break;
        case S::kMatchAll:
          if (sctp_match_flags(info, type, flags)) copy[type / 32] &= ~(1u << (type % 32));
          break;
        case S::kMatchOnly:
          if (!sctp_match_flags(info, type, flags)) return false;
          break;
        default: break;
      }
    } else if (info.chunk_match_type == S::kMatchOnly) {
      return false;
    }
  } while (offset < len);
  switch (info.chunk_match_type) {
    case S::kMatchAll:
      for (uint32_t w : copy)
        if (w) return false;
      return true;
    case S::kMatchOnly: return true;
    default: return false;
  }
}

}  // namespace

bool match_sctp(const ir::SctpMatch& info, EvalCtx& c) {
  using S = ir::SctpMatch;
  const Pkt& p = c.pkt;
  if (c.fragoff() != 0) return false;
  const size_t thoff = p.v.ihl;
  if (!p.v.ip_ok || thoff + 12 > p.buf.bytes.size()) {
    c.hotdrop = true;
    return false;
  }
  const uint8_t* sh = p.buf.bytes.data() + thoff;
  uint16_t sport = runtime::load16(sh), dport = runtime::load16(sh + 2);
  // SCCHECK(cond, option): the option is absent, or its test (inverted when asked) holds.
  auto check = [&](uint32_t option, auto&& cond) {
    return !(info.flags & option) || (bool(info.invflags & option) != cond());
  };
  return check(S::kSrcPorts, [&] { return sport >= info.spts.lo && sport <= info.spts.hi; }) &&
         check(S::kDestPorts, [&] { return dport >= info.dpts.lo && dport <= info.dpts.hi; }) &&
         check(S::kChunkTypes, [&] { return sctp_match_packet(p, thoff + 12, info, c.hotdrop); });
}

// ---- policy ------------------------------------------------------------------------------

bool match_policy(const ir::PolicyMatch& info, EvalCtx&) {
  // match_policy_in / _out return -1 without a secpath or an xfrm dst, which no packet line
  // has: then only --pol none matches.
  return (info.flags & ir::PolicyMatch::kNone) != 0;
}

// ---- rpfilter ----------------------------------------------------------------------------

bool match_rpfilter(const ir::RpfilterMatch& info, EvalCtx& c) {
  using R = ir::RpfilterMatch;
  const Pkt& p = c.pkt;
  const bool invert = info.flags & R::kInvert;
  // rpfilter_is_loopback: PACKET_LOOPBACK or an arrival on lo.
  if (p.looped || p.in == "lo") return !invert;
  const uint32_t saddr = p.v.src, daddr = p.v.dst;
  auto zeronet = [](uint32_t a) { return (a >> 24) == 0; };
  auto local_multicast = [](uint32_t a) { return (a & 0xffffff00u) == 0xe0000000u; };
  if (zeronet(saddr) && (daddr == 0xffffffffu || local_multicast(daddr))) return !invert;

  // fib_lookup(saddr): the local table first (interface addresses, their subnet broadcasts,
  // 127/8), then the main table, whose routes are all unicast routes (also for a multicast
  // or zeronet source, which ip_route_input drops later as martian).
  const runtime::HostModel& host = c.st.host;
  runtime::RouteResult r = host.route(saddr);
  bool ok = false;
  if (r.local) {
    if (r.type == runtime::AddrType::Local && (info.flags & R::kAcceptLocal)) {
      // The local route's device: the interface holding the address (lo for 127/8).
      std::string dev = "lo";
      for (const auto& i : host.interfaces())
        for (const auto& a : i.addrs)
          if (a.addr == saddr && dev == "lo") dev = i.name;
      ok = dev == p.in || (info.flags & R::kLoose);
    }
  } else if (!r.unreachable) {
    ok = r.iface == p.in || (info.flags & R::kLoose);
  }
  return ok != invert;
}

// ---- physdev -----------------------------------------------------------------------------

namespace {

/// ifname_compare_aligned with the mask xtables_parse_interface builds: a trailing '+'
/// compares only the prefix before it; otherwise the name including its terminating NUL.
bool physdev_name_matches(const std::string& dev, const std::string& pattern) {
  if (!pattern.empty() && pattern.back() == '+')
    return dev.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0 &&
           dev.size() >= pattern.size() - 1;
  return dev == pattern;
}

}  // namespace

bool match_physdev(const ir::PhysdevMatch& info, EvalCtx& c) {
  using P = ir::PhysdevMatch;
  const Pkt& p = c.pkt;
  auto asked = [&](uint8_t op) { return (info.bitmask & op) != 0; };
  auto inv = [&](uint8_t op) { return (info.invert & op) != 0; };
  if (!p.bridged) {
    // No bridge info: true only when every option used is inverted.
    for (uint8_t op : {P::kBridged, P::kIsIn, P::kIsOut, P::kIn, P::kOut})
      if (asked(op) && !inv(op)) return false;
    return true;
  }
  // physoutdev is set by the bridge's forwarding path, seen from FORWARD on.
  bool out_known = c.hook == ir::Hook::Forward || c.hook == ir::Hook::Postrouting;
  const std::string* outdev = out_known && !p.physout.empty() ? &p.physout : nullptr;
  const std::string* indev = !p.physin.empty() ? &p.physin : nullptr;
  if (asked(P::kBridged) && ((outdev != nullptr) != !inv(P::kBridged))) return false;
  if ((asked(P::kIsIn) && ((indev == nullptr) != inv(P::kIsIn))) ||
      (asked(P::kIsOut) && ((outdev == nullptr) != inv(P::kIsOut))))
    return false;
  if (asked(P::kIn) && indev) {
    bool same = physdev_name_matches(*indev, info.physindev);
    if (same == inv(P::kIn)) return false;
  }
  if (!asked(P::kOut)) return true;
  if (!outdev) return false;
  return physdev_name_matches(*outdev, info.physoutdev) != inv(P::kOut);
}

// ---- tcpmss ------------------------------------------------------------------------------

bool match_tcpmss(const ir::TcpmssMatch& info, EvalCtx& c) {
  const Pkt& p = c.pkt;
  const auto& b = p.buf.bytes;
  const size_t protoff = p.v.ihl;  // par->thoff (also in a fragment)
  if (!p.v.ip_ok || protoff + 20 > b.size()) {
    c.hotdrop = true;
    return false;
  }
  unsigned doff = (b[protoff + 12] >> 4) * 4u;
  if (doff < 20) {
    c.hotdrop = true;
    return false;
  }
  unsigned optlen = doff - 20;
  if (optlen == 0) return info.invert;
  if (protoff + 20 + optlen > b.size()) {
    c.hotdrop = true;
    return false;
  }
  const uint8_t* op = b.data() + protoff + 20;
  for (unsigned i = 0; i < optlen;) {
    if (op[i] == 2 && optlen - i >= 4 && op[i + 1] == 4) {
      uint16_t mss = static_cast<uint16_t>(op[i + 2] << 8 | op[i + 3]);
      return (mss >= info.mss_min && mss <= info.mss_max) != info.invert;
    }
    if (op[i] < 2) {
      ++i;
    } else {
      // op[i+1] past the options reads the kernel's stack copy; 0 there ends the walk alike.
      uint8_t l = i + 1 < optlen ? op[i + 1] : 0;
      i += l ? l : 1;
    }
  }
  return info.invert;
}

// ---- time --------------------------------------------------------------------------------

namespace {

bool is_leap(unsigned y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

/// localtime_3's year search: days since the epoch of January 1st of each year 1970..2039,
/// searched from 2039 down (a later date counts as 2039, as in the kernel).
unsigned year_start_days(unsigned year) {
  unsigned d = 0;
  for (unsigned y = 1970; y < year; ++y) d += is_leap(y) ? 366 : 365;
  return d;
}

}  // namespace

bool match_time(const ir::TimeMatch& info, EvalCtx& c) {
  using T = ir::TimeMatch;
  // ktime_get_real_seconds
  int64_t stamp = c.st.epoch + static_cast<int64_t>(std::floor(c.st.now() + 1e-9));
  if (info.flags & T::kLocalTz) stamp -= 60 * int64_t{c.st.opts.tz_minuteswest};
  if (stamp < int64_t{info.date_start} || stamp > int64_t{info.date_stop}) return false;
  auto packet_time = static_cast<uint32_t>(static_cast<uint64_t>(stamp) % 86400);
  if (info.daytime_start < info.daytime_stop) {
    if (packet_time < info.daytime_start || packet_time > info.daytime_stop) return false;
  } else {
    if (packet_time < info.daytime_start && packet_time > info.daytime_stop) return false;
    // --contiguous: the early part of a window crossing midnight belongs to the day before.
    if ((info.flags & T::kContiguous) && packet_time <= info.daytime_stop) stamp -= 86400;
  }
  auto dse = static_cast<unsigned>(static_cast<uint64_t>(stamp) / 86400);
  unsigned weekday = (4 + dse - 1) % 7 + 1;  // 1970-01-01 was a Thursday
  if (!(info.weekdays_match & (1u << weekday))) return false;
  if (info.monthdays_match != 0xfffffffeu) {
    unsigned year = 2039;
    while (year > 1970 && year_start_days(year) > dse) --year;
    unsigned w = dse - year_start_days(year);
    static constexpr uint16_t kSinceYear[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    static constexpr uint16_t kSinceLeap[] = {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335};
    const uint16_t* tab = is_leap(year) ? kSinceLeap : kSinceYear;
    unsigned i = 11;
    while (i > 0 && tab[i] > w) --i;
    unsigned monthday = w - tab[i] + 1;
    if (monthday > 31 || !(info.monthdays_match & (1u << monthday))) return false;
  }
  return true;
}

}  // namespace iptc::interp::detail
