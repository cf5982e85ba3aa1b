// Parsing, building and rewriting IPv4 packets. The rewrites mirror the kernel's field
// updates: nf_nat_ipv4_manip_pkt and the per-protocol manip functions of
// net/netfilter/nf_nat_proto.c (transport first, with the pseudo-header change, then the IP
// address with csum_replace4; a transport header cut short inside an ICMP error only gets its
// ports), ip_decrease_ttl and ipv4_change_dsfield (include/net/ip.h, include/net/dsfield.h).
#include "iptc/runtime/packet.hpp"

#include <algorithm>

#include "iptc/runtime/checksum.hpp"

namespace iptc::runtime {
namespace {

bool ports_proto(uint8_t p) {
  return p == kProtoTcp || p == kProtoUdp || p == kProtoUdplite || p == kProtoSctp || p == 33;
}

bool echo_like(uint8_t t) {
  switch (t) {
    case icmptype::kEcho: case icmptype::kEchoReply: case icmptype::kTimestamp:
    case icmptype::kTimestampReply: case icmptype::kInfoRequest: case icmptype::kInfoReply:
    case icmptype::kAddress: case icmptype::kAddressReply:
      return true;
    default:
      return false;
  }
}

void parse_l4(std::span<const uint8_t> b, uint8_t proto, uint16_t off, L4View& l4) {
  l4 = L4View{};
  if (off > b.size()) return;
  l4.off = off;
  l4.avail = static_cast<uint16_t>(b.size() - off);
  if (ports_proto(proto) && l4.avail >= 4) {
    l4.ports = true;
    l4.sport = load16(&b[off]);
    l4.dport = load16(&b[off + 2]);
  } else if (proto == kProtoIcmp && l4.avail >= 8) {
    l4.icmp = true;
    l4.icmp_type = b[off];
    l4.icmp_code = b[off + 1];
    l4.icmp_id = load16(&b[off + 4]);
    l4.icmp_seq = load16(&b[off + 6]);
  }
}

/// CRC32c (Castagnoli), reflected, as sctp_compute_cksum uses.
uint32_t crc32c(std::span<const uint8_t> b) {
  uint32_t crc = 0xffffffffU;
  for (uint8_t byte : b) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82f63b78U & (0U - (crc & 1U)));
  }
  return ~crc;
}

void sctp_fix_crc(std::span<uint8_t> b, uint16_t off) {
  b[off + 8] = b[off + 9] = b[off + 10] = b[off + 11] = 0;
  const uint32_t c = crc32c(b.subspan(off));
  // The CRC is stored little-endian (cpu_to_le32 of the reflected value).
  b[off + 8] = static_cast<uint8_t>(c);
  b[off + 9] = static_cast<uint8_t>(c >> 8);
  b[off + 10] = static_cast<uint8_t>(c >> 16);
  b[off + 11] = static_cast<uint8_t>(c >> 24);
}

uint16_t transport_checksum(std::span<const uint8_t> b, uint16_t off, uint32_t src, uint32_t dst,
                            uint8_t proto) {
  const uint16_t len = static_cast<uint16_t>(b.size() - off);
  return csum_fold(csum_partial(b.subspan(off), csum_pseudo(src, dst, proto, len)));
}

/// nf_csum_update + inet_proto_csum_replace for an address change, on the transport header at
/// `hdroff` of the IP header at `ip_off` (TCP only with its full header, UDP only when it has a
/// checksum, as the kernel's manip functions do).
void transport_addr_update(std::span<uint8_t> b, uint16_t ip_off, uint32_t from, uint32_t to) {
  const uint8_t ihl = static_cast<uint8_t>((b[ip_off] & 0x0f) * 4);
  const uint8_t proto = b[ip_off + 9];
  const uint16_t frag = static_cast<uint16_t>(load16(&b[ip_off + 6]) & 0x1fff);
  if (frag != 0) return;
  const size_t hdroff = size_t{ip_off} + ihl;
  if (proto == kProtoTcp) {
    if (b.size() < hdroff + 20) return;
    proto_csum_replace4(&b[hdroff + 16], from, to, true);
  } else if (proto == kProtoUdp || proto == kProtoUdplite) {
    if (b.size() < hdroff + 8) return;
    if (proto == kProtoUdp && load16(&b[hdroff + 6]) == 0) return;
    proto_csum_replace4(&b[hdroff + 6], from, to, true);
    if (load16(&b[hdroff + 6]) == 0) store16(&b[hdroff + 6], 0xffff);  // CSUM_MANGLED_0
  } else if (proto == kProtoSctp) {
    if (b.size() >= hdroff + 12) sctp_fix_crc(b, static_cast<uint16_t>(hdroff));
  }
}

}  // namespace

uint16_t PacketView::payload_off() const {
  if (!has_transport()) return 0;
  switch (proto) {
    case kProtoTcp: return tcp_ok ? static_cast<uint16_t>(l4.off + doff) : 0;
    case kProtoUdp: case kProtoUdplite: case kProtoIcmp:
      return l4.avail >= 8 ? static_cast<uint16_t>(l4.off + 8) : 0;
    default: return l4.off;
  }
}

PacketView parse_packet(std::span<const uint8_t> b) {
  PacketView v;
  v.len = static_cast<uint16_t>(std::min<size_t>(b.size(), 0xffff));
  if (b.size() < 20 || (b[0] >> 4) != 4) return v;
  v.ihl = static_cast<uint8_t>((b[0] & 0x0f) * 4);
  if (v.ihl < 20 || v.ihl > b.size()) return v;
  v.ip_ok = true;
  v.tos = b[1];
  v.total_len = load16(&b[2]);
  v.id = load16(&b[4]);
  const uint16_t fo = load16(&b[6]);
  v.rf = (fo & 0x8000) != 0;
  v.df = (fo & 0x4000) != 0;
  v.mf = (fo & 0x2000) != 0;
  v.frag_off = static_cast<uint16_t>((fo & 0x1fff) * 8);
  v.ttl = b[8];
  v.proto = b[9];
  v.src = load32(&b[12]);
  v.dst = load32(&b[16]);
  if (v.frag_off != 0) return v;
  parse_l4(b, v.proto, v.ihl, v.l4);
  const uint16_t off = v.l4.off;
  if (v.proto == kProtoTcp && v.l4.avail >= 20) {
    v.seq = load32(&b[off + 4]);
    v.ack_seq = load32(&b[off + 8]);
    v.doff = static_cast<uint8_t>((b[off + 12] >> 4) * 4);
    v.tcp_res = static_cast<uint8_t>(b[off + 12] & 0x0f);
    v.tcp_flags = b[off + 13];
    v.window = load16(&b[off + 14]);
    v.l4_check = load16(&b[off + 16]);
    v.urg_ptr = load16(&b[off + 18]);
    v.tcp_ok = v.doff >= 20;
  } else if ((v.proto == kProtoUdp || v.proto == kProtoUdplite) && v.l4.avail >= 8) {
    v.udp_len = load16(&b[off + 4]);
    v.l4_check = load16(&b[off + 6]);
  } else if (v.proto == kProtoIcmp && v.l4.icmp) {
    v.l4_check = load16(&b[off + 2]);
    if (icmptype::is_error(v.l4.icmp_type) && v.l4.avail >= 8 + 20) {
      const uint16_t io = static_cast<uint16_t>(off + 8);
      v.inner_off = io;
      v.inner_ihl = static_cast<uint8_t>((b[io] & 0x0f) * 4);
      v.inner_proto = b[io + 9];
      v.inner_frag_off = static_cast<uint16_t>((load16(&b[io + 6]) & 0x1fff) * 8);
      v.inner_src = load32(&b[io + 12]);
      v.inner_dst = load32(&b[io + 16]);
      v.inner_ok = true;
      if (v.inner_frag_off == 0 && v.inner_ihl >= 20)
        parse_l4(b, v.inner_proto, static_cast<uint16_t>(io + v.inner_ihl), v.inner_l4);
    }
  }
  return v;
}

Packet build_packet(const PacketFields& f) {
  std::vector<uint8_t> ipopt = f.ip_options;
  while (ipopt.size() % 4 != 0) ipopt.push_back(0);
  std::vector<uint8_t> tcpopt = f.tcp_options;
  while (tcpopt.size() % 4 != 0) tcpopt.push_back(0);
  const size_t ihl = 20 + ipopt.size();

  std::vector<uint8_t> l4;
  const bool first = f.frag_off == 0;
  if (first) {
    switch (f.proto) {
      case kProtoTcp: {
        l4.assign(20 + tcpopt.size(), 0);
        store16(&l4[0], f.sport);
        store16(&l4[2], f.dport);
        store32(&l4[4], f.seq);
        store32(&l4[8], f.ack_seq);
        l4[12] = static_cast<uint8_t>(((20 + tcpopt.size()) / 4) << 4);
        l4[13] = f.tcp_flags;
        store16(&l4[14], f.window);
        store16(&l4[18], f.urg_ptr);
        std::copy(tcpopt.begin(), tcpopt.end(), l4.begin() + 20);
        break;
      }
      case kProtoUdp: case kProtoUdplite:
        l4.assign(8, 0);
        store16(&l4[0], f.sport);
        store16(&l4[2], f.dport);
        break;
      case kProtoSctp: case 33:
        l4.assign(12, 0);
        store16(&l4[0], f.sport);
        store16(&l4[2], f.dport);
        break;
      case kProtoIcmp:
        l4.assign(8, 0);
        l4[0] = f.icmp_type;
        l4[1] = f.icmp_code;
        if (echo_like(f.icmp_type)) {
          store16(&l4[4], f.icmp_id);
          store16(&l4[6], f.icmp_seq);
        } else {
          store32(&l4[4], f.icmp_rest);
        }
        break;
      default:
        break;
    }
  }
  Packet p;
  std::vector<uint8_t>& b = p.bytes;
  b.assign(ihl, 0);
  b.insert(b.end(), l4.begin(), l4.end());
  b.insert(b.end(), f.payload.begin(), f.payload.end());
  if (f.total_len) b.resize(std::max<size_t>(*f.total_len, 1), 0);
  if (b.size() < ihl) b.resize(ihl, 0);
  b[0] = static_cast<uint8_t>(0x40 | (ihl / 4));
  b[1] = f.tos;
  store16(&b[2], f.total_len ? *f.total_len : static_cast<uint16_t>(b.size()));
  store16(&b[4], f.id);
  store16(&b[6], static_cast<uint16_t>((f.df ? 0x4000 : 0) | (f.mf ? 0x2000 : 0) |
                                       ((f.frag_off / 8) & 0x1fff)));
  b[8] = f.ttl;
  b[9] = f.proto;
  store32(&b[12], f.src);
  store32(&b[16], f.dst);
  std::copy(ipopt.begin(), ipopt.end(), b.begin() + 20);
  store16(&b[10], csum_fold(csum_partial(std::span<const uint8_t>(b).first(ihl))));
  if (!first || b.size() <= ihl) return p;
  const uint16_t off = static_cast<uint16_t>(ihl);
  std::span<uint8_t> s(b);
  switch (f.proto) {
    case kProtoTcp:
      if (b.size() >= off + 20u) store16(&b[off + 16], transport_checksum(s, off, f.src, f.dst, f.proto));
      break;
    case kProtoUdp: case kProtoUdplite:
      if (b.size() >= off + 8u) {
        store16(&b[off + 4], static_cast<uint16_t>(b.size() - off));
        if (f.udp_no_checksum && f.proto == kProtoUdp) break;
        uint16_t c = transport_checksum(s, off, f.src, f.dst, f.proto);
        store16(&b[off + 6], c == 0 ? 0xffff : c);
      }
      break;
    case kProtoSctp:
      if (b.size() >= off + 12u) sctp_fix_crc(s, off);
      break;
    case kProtoIcmp:
      if (b.size() >= off + 8u) recompute_icmp_checksum(s);
      break;
    default:
      break;
  }
  return p;
}

Packet build_icmp_error(uint32_t from, uint32_t to, uint8_t type, uint8_t code,
                        std::span<const uint8_t> inner, uint16_t max_inner, uint32_t rest,
                        uint8_t ttl) {
  PacketFields f;
  f.src = from;
  f.dst = to;
  f.proto = kProtoIcmp;
  f.ttl = ttl;
  f.icmp_type = type;
  f.icmp_code = code;
  f.icmp_rest = rest;
  const size_t n = std::min<size_t>(inner.size(), max_inner);
  f.payload.assign(inner.begin(), inner.begin() + static_cast<std::ptrdiff_t>(n));
  return build_packet(f);
}

bool ip_header_checksum_ok(std::span<const uint8_t> b) {
  if (b.size() < 20) return false;
  const size_t ihl = size_t{b[0] & 0x0fu} * 4;
  if (ihl < 20 || ihl > b.size()) return false;
  return csum_fold(csum_partial(b.first(ihl))) == 0;
}

bool transport_checksum_ok(std::span<const uint8_t> b, const PacketView& v) {
  if (!v.has_transport()) return true;
  const uint16_t off = v.l4.off;
  switch (v.proto) {
    case kProtoTcp:
    case kProtoUdplite:
      return csum_fold(csum_partial(b.subspan(off), csum_pseudo(v.src, v.dst, v.proto,
                                                                  static_cast<uint16_t>(b.size() - off)))) == 0;
    case kProtoUdp:
      if (v.l4.avail >= 8 && v.l4_check == 0) return true;
      return csum_fold(csum_partial(b.subspan(off), csum_pseudo(v.src, v.dst, v.proto,
                                                                  static_cast<uint16_t>(b.size() - off)))) == 0;
    case kProtoIcmp:
      return csum_fold(csum_partial(b.subspan(off))) == 0;
    default:
      return true;
  }
}

bool manip_packet(std::span<uint8_t> b, uint16_t ip_off, ManipType m, uint32_t addr,
                  uint16_t port_or_id) {
  if (b.size() < size_t{ip_off} + 20) return false;
  const uint8_t ihl = static_cast<uint8_t>((b[ip_off] & 0x0f) * 4);
  const uint8_t proto = b[ip_off + 9];
  const size_t hdroff = size_t{ip_off} + ihl;
  const uint32_t old_addr = load32(&b[ip_off + (m == ManipType::Src ? 12 : 16)]);
  // l4proto_manip_pkt
  switch (proto) {
    case kProtoTcp: {
      // TCP conntrack guarantees 8 bytes; only a full header has its checksum updated.
      const size_t hdrsize = b.size() >= hdroff + 20 ? 20 : 8;
      if (b.size() < hdroff + hdrsize) return false;
      uint8_t* portptr = &b[hdroff + (m == ManipType::Src ? 0 : 2)];
      const uint16_t oldport = load16(portptr);
      store16(portptr, port_or_id);
      if (hdrsize < 20) break;
      proto_csum_replace4(&b[hdroff + 16], old_addr, addr, true);
      proto_csum_replace2(&b[hdroff + 16], oldport, port_or_id, false);
      break;
    }
    case kProtoUdp: case kProtoUdplite: {
      if (b.size() < hdroff + 8) return false;
      uint8_t* portptr = &b[hdroff + (m == ManipType::Src ? 0 : 2)];
      const bool do_csum = proto == kProtoUdplite || load16(&b[hdroff + 6]) != 0;
      if (do_csum) {
        proto_csum_replace4(&b[hdroff + 6], old_addr, addr, true);
        proto_csum_replace2(&b[hdroff + 6], load16(portptr), port_or_id, false);
        if (load16(&b[hdroff + 6]) == 0) store16(&b[hdroff + 6], 0xffff);  // CSUM_MANGLED_0
      }
      store16(portptr, port_or_id);
      break;
    }
    case kProtoSctp: {
      const size_t hdrsize = b.size() >= hdroff + 12 ? 12 : 8;
      if (b.size() < hdroff + hdrsize) return false;
      store16(&b[hdroff + (m == ManipType::Src ? 0 : 2)], port_or_id);
      if (hdrsize == 12) sctp_fix_crc(b, static_cast<uint16_t>(hdroff));
      break;
    }
    case kProtoIcmp: {
      if (b.size() < hdroff + 8) return false;
      if (!echo_like(b[hdroff])) break;
      proto_csum_replace2(&b[hdroff + 2], load16(&b[hdroff + 4]), port_or_id, false);
      store16(&b[hdroff + 4], port_or_id);
      break;
    }
    default:
      break;  // unknown protocols pass unmodified (GRE keys are only NATed for PPTP)
  }
  const size_t aoff = size_t{ip_off} + (m == ManipType::Src ? 12 : 16);
  csum_replace4(&b[ip_off + 10], old_addr, addr);
  store32(&b[aoff], addr);
  return true;
}

void set_saddr(std::span<uint8_t> b, uint32_t addr) {
  if (b.size() < 20) return;
  const uint32_t old = load32(&b[12]);
  transport_addr_update(b, 0, old, addr);
  csum_replace4(&b[10], old, addr);
  store32(&b[12], addr);
}

void set_daddr(std::span<uint8_t> b, uint32_t addr) {
  if (b.size() < 20) return;
  const uint32_t old = load32(&b[16]);
  transport_addr_update(b, 0, old, addr);
  csum_replace4(&b[10], old, addr);
  store32(&b[16], addr);
}

namespace {
void set_port(std::span<uint8_t> b, uint16_t port, int which) {
  const PacketView v = parse_packet(b);
  if (!v.has_transport() || !v.l4.ports) return;
  const uint16_t off = v.l4.off;
  uint8_t* p = &b[off + which];
  const uint16_t old = load16(p);
  if (v.proto == kProtoTcp && v.l4.avail >= 20) {
    proto_csum_replace2(&b[off + 16], old, port, false);
  } else if ((v.proto == kProtoUdp || v.proto == kProtoUdplite) && v.l4.avail >= 8 &&
             (v.proto == kProtoUdplite || v.l4_check != 0)) {
    proto_csum_replace2(&b[off + 6], old, port, false);
    if (load16(&b[off + 6]) == 0) store16(&b[off + 6], 0xffff);
  }
  store16(p, port);
  if (v.proto == kProtoSctp && v.l4.avail >= 12) sctp_fix_crc(b, off);
}
}  // namespace

void set_sport(std::span<uint8_t> b, uint16_t port) { set_port(b, port, 0); }
void set_dport(std::span<uint8_t> b, uint16_t port) { set_port(b, port, 2); }

void set_ttl(std::span<uint8_t> b, uint8_t ttl) {
  if (b.size() < 20) return;
  csum_replace2(&b[10], static_cast<uint16_t>(b[8] << 8), static_cast<uint16_t>(ttl << 8));
  b[8] = ttl;
}

void decrease_ttl(std::span<uint8_t> b) {
  if (b.size() < 20) return;
  // ip_decrease_ttl works on the checksum as a little-endian u32: check += htons(0x0100);
  // check + (check >= 0xFFFF). Reproduced on the raw bytes for bit-exact results.
  uint32_t check = uint32_t{b[10]} | (uint32_t{b[11]} << 8);
  check += 0x0001;
  check = check + (check >= 0xffff ? 1 : 0);
  b[10] = static_cast<uint8_t>(check);
  b[11] = static_cast<uint8_t>(check >> 8);
  --b[8];
}

void change_dsfield(std::span<uint8_t> b, uint8_t mask, uint8_t value) {
  if (b.size() < 20) return;
  uint32_t check = load16(&b[10]);
  const uint8_t dsfield = static_cast<uint8_t>((b[1] & mask) | value);
  check += b[1];
  if ((check + 1) >> 16) check = (check + 1) & 0xffff;
  check -= dsfield;
  check += check >> 16;
  store16(&b[10], static_cast<uint16_t>(check));
  b[1] = dsfield;
}

void recompute_icmp_checksum(std::span<uint8_t> b) {
  if (b.size() < 20) return;
  const size_t ihl = size_t{b[0] & 0x0fu} * 4;
  if (b.size() < ihl + 4) return;
  b[ihl + 2] = b[ihl + 3] = 0;
  store16(&b[ihl + 2], csum_fold(csum_partial(b.subspan(ihl))));
}

}  // namespace iptc::runtime
