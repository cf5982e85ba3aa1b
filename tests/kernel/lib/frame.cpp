// Packet building and parsing for the harness (see frame.hpp).
#include "frame.hpp"

#include <cstdio>
#include <cstring>

namespace iptc::kernel_test {

namespace {

void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
  b[at] = uint8_t(v >> 8);
  b[at + 1] = uint8_t(v);
}
void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  b[at] = uint8_t(v >> 24);
  b[at + 1] = uint8_t(v >> 16);
  b[at + 2] = uint8_t(v >> 8);
  b[at + 3] = uint8_t(v);
}
uint16_t get16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
uint32_t get32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}

uint32_t sum_bytes(const uint8_t* p, size_t n, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += uint32_t(p[i] << 8 | p[i + 1]);
  if (n & 1) sum += uint32_t(p[n - 1] << 8);
  return sum;
}
uint16_t fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return uint16_t(~sum);
}

/// A 20-byte IPv4 header with its checksum.
void write_ip_header(std::vector<uint8_t>& b, size_t at, uint8_t tos, uint16_t tot_len,
                     uint16_t id, uint16_t frag_field, uint8_t ttl, uint8_t proto, uint32_t src,
                     uint32_t dst) {
  b[at] = 0x45;
  b[at + 1] = tos;
  put16(b, at + 2, tot_len);
  put16(b, at + 4, id);
  put16(b, at + 6, frag_field);
  b[at + 8] = ttl;
  b[at + 9] = proto;
  put16(b, at + 10, 0);
  put32(b, at + 12, src);
  put32(b, at + 16, dst);
  put16(b, at + 10, fold(sum_bytes(b.data() + at, 20)));
}

/// The embedded packet of an ICMP error: IP header plus 8 bytes of its transport header.
std::vector<uint8_t> inner_packet(const Packet& p, uint32_t outer_src, uint32_t seq) {
  uint32_t isrc = p.inner_src.value_or(p.dst);
  uint32_t idst = p.inner_dst.value_or(outer_src);
  std::vector<uint8_t> b(28, 0);
  uint16_t orig_len = p.inner_proto == 6 ? 40 : 28;
  write_ip_header(b, 0, 0, orig_len, 0, 0x4000, 64, p.inner_proto, isrc, idst);
  switch (p.inner_proto) {
    case 6:
      put16(b, 20, p.sport);
      put16(b, 22, p.dport);
      put32(b, 24, seq);
      break;
    case 1:
      b[20] = 8;
      b[21] = 0;
      put16(b, 24, p.echo_id);
      put16(b, 26, p.echo_seq);
      put16(b, 22, fold(sum_bytes(b.data() + 20, 8)));
      break;
    default:
      if (proto_has_ports(p.inner_proto)) {
        put16(b, 20, p.sport);
        put16(b, 22, p.dport);
        if (p.inner_proto == 17) put16(b, 24, 8);
      }
      break;
  }
  return b;
}

}  // namespace

bool proto_has_ports(uint8_t proto) {
  return proto == 6 || proto == 17 || proto == 132 || proto == 33 || proto == 136;
}

std::vector<uint8_t> build_ipv4(const Packet& p, const WireFields& w) {
  // 1. The transport part at its natural size.
  std::vector<uint8_t> l4;
  if (!p.has_l4()) {
    l4.assign(8, 0);
  } else if (p.proto == 6) {
    l4.assign(p.mss ? 24 : 20, 0);
    put16(l4, 0, p.sport);
    put16(l4, 2, p.dport);
    put32(l4, 4, w.seq);
    put32(l4, 8, w.ack);
    l4[12] = uint8_t((p.mss ? 6 : 5) << 4);
    if (p.mss) {
      l4[20] = 2;  // MSS option
      l4[21] = 4;
      put16(l4, 22, *p.mss);
    }
    l4[13] = p.flags;
    put16(l4, 14, p.win);
  } else if (p.proto == 17 || p.proto == 136) {
    l4.assign(8, 0);
    put16(l4, 0, p.sport);
    put16(l4, 2, p.dport);
  } else if (p.proto == 1) {
    l4.assign(8, 0);
    l4[0] = p.type;
    l4[1] = p.code;
    if (p.is_icmp_err()) {
      auto in = inner_packet(p, w.src, p.seq.value_or(0));
      l4.insert(l4.end(), in.begin(), in.end());
    } else {
      put16(l4, 4, p.echo_id);
      put16(l4, 6, p.echo_seq);
    }
  } else if (p.proto == 132 || p.proto == 33) {
    l4.assign(12, 0);
    put16(l4, 0, p.sport);
    put16(l4, 2, p.dport);
    for (auto [type, flags] : p.chunks) l4.insert(l4.end(), {type, flags, 0, 4});
  } else if (p.proto == 50) {
    // ESP (RFC 4303): SPI, sequence number.
    l4.assign(8, 0);
    put32(l4, 0, p.spi);
    put32(l4, 4, 1);
  } else if (p.proto == 51) {
    // AH (RFC 4302): no next header (59), length 3 words - 2, reserved, SPI, sequence.
    l4.assign(12, 0);
    l4[0] = 59;
    l4[1] = 1;
    put32(l4, 4, p.spi);
    put32(l4, 8, 1);
  }
  // Payload bytes follow the transport header (a later fragment: the IP header).
  if (!p.payload.empty()) {
    if (!p.has_l4()) l4.clear();
    if (!p.is_icmp_err()) l4.insert(l4.end(), p.payload.begin(), p.payload.end());
  }
  // 2. Total length: `len` pads with zeros or truncates.
  size_t total = p.len ? *p.len : 20 + l4.size();
  std::vector<uint8_t> b(total, 0);
  size_t l4n = total - 20;
  std::memcpy(b.data() + 20, l4.data(), std::min(l4n, l4.size()));
  uint16_t frag = uint16_t((p.df ? 0x4000 : 0) | (p.mf ? 0x2000 : 0) | (p.fragoff / 8));
  write_ip_header(b, 0, p.tos, uint16_t(total), w.id, frag, p.ttl, p.proto, w.src, p.dst);
  // 3. Transport checksums over what is really there (a truncated header keeps a checksum
  // of its bytes; the kernel sees the truncation first).
  uint8_t* t = b.data() + 20;
  if (p.has_l4() && !p.mf) {
    auto pseudo = [&](uint32_t sum) {
      sum += (w.src >> 16) + (w.src & 0xffff) + (p.dst >> 16) + (p.dst & 0xffff);
      sum += p.proto;
      sum += uint32_t(l4n);
      return sum;
    };
    if (p.proto == 6 && l4n >= 18) {
      t[16] = t[17] = 0;
      uint16_t c = fold(sum_bytes(t, l4n, pseudo(0)));
      t[16] = uint8_t(c >> 8);
      t[17] = uint8_t(c);
    } else if ((p.proto == 17 || p.proto == 136) && l4n >= 8) {
      put16(b, 24, uint16_t(p.proto == 17 ? l4n : 0));
      t[6] = t[7] = 0;
      uint16_t c = fold(sum_bytes(t, l4n, pseudo(0)));
      if (c == 0) c = 0xffff;
      t[6] = uint8_t(c >> 8);
      t[7] = uint8_t(c);
    } else if (p.proto == 1 && l4n >= 4) {
      t[2] = t[3] = 0;
      uint16_t c = fold(sum_bytes(t, l4n));
      t[2] = uint8_t(c >> 8);
      t[3] = uint8_t(c);
    }
  }
  return b;
}

std::vector<uint8_t> build_ethernet(const uint8_t dst[6], const uint8_t src[6],
                                    uint16_t ethertype, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> f(14 + payload.size());
  std::memcpy(f.data(), dst, 6);
  std::memcpy(f.data() + 6, src, 6);
  f[12] = uint8_t(ethertype >> 8);
  f[13] = uint8_t(ethertype);
  std::memcpy(f.data() + 14, payload.data(), payload.size());
  if (f.size() < 60) f.resize(60, 0);
  return f;
}

std::vector<uint8_t> build_arp(uint16_t op, const uint8_t sha[6], uint32_t spa,
                               const uint8_t tha[6], uint32_t tpa, const uint8_t eth_dst[6]) {
  std::vector<uint8_t> a(28, 0);
  put16(a, 0, 1);       // Ethernet
  put16(a, 2, 0x0800);  // IPv4
  a[4] = 6;
  a[5] = 4;
  put16(a, 6, op);
  std::memcpy(a.data() + 8, sha, 6);
  put32(a, 14, spa);
  std::memcpy(a.data() + 18, tha, 6);
  put32(a, 24, tpa);
  return build_ethernet(eth_dst, sha, 0x0806, a);
}

bool parse_ipv4_packet(const uint8_t* p, size_t n, PacketView& out) {
  out = {};
  if (n < 20 || (p[0] >> 4) != 4) return false;
  size_t ihl = size_t(p[0] & 15) * 4;
  if (ihl < 20 || ihl > n) return false;
  out.tos = p[1];
  out.tot_len = get16(p + 2);
  out.id = get16(p + 4);
  out.frag = get16(p + 6);
  out.ttl = p[8];
  out.proto = p[9];
  out.src = get32(p + 12);
  out.dst = get32(p + 16);
  size_t end = std::min<size_t>(n, out.tot_len >= ihl ? out.tot_len : n);
  if ((out.frag & 0x1fff) != 0) return true;  // no transport header in a later fragment
  const uint8_t* t = p + ihl;
  size_t tn = end - ihl;
  if (proto_has_ports(out.proto) && tn >= 4) {
    out.sport = get16(t);
    out.dport = get16(t + 2);
  }
  if (out.proto == 6 && tn >= 14) {
    out.seq = get32(t + 4);
    out.ack = get32(t + 8);
    out.tcp_flags = t[13];
  }
  if (out.proto == 1 && tn >= 4) {
    out.icmp_type = t[0];
    out.icmp_code = t[1];
    if (is_icmp_error(t[0])) {
      if (tn >= 8 + 20) {
        const uint8_t* ip = t + 8;
        InnerView in;
        in.src = get32(ip + 12);
        in.dst = get32(ip + 16);
        in.proto = ip[9];
        size_t iihl = size_t(ip[0] & 15) * 4;
        if (iihl >= 20 && tn >= 8 + iihl + 4) {
          const uint8_t* it = ip + iihl;
          if (proto_has_ports(in.proto)) {
            in.sport = get16(it);
            in.dport = get16(it + 2);
          } else if (in.proto == 1 && tn >= 8 + iihl + 8) {
            in.sport = get16(it + 4);  // the echo id, as conntrack uses it
          }
        }
        out.inner = in;
      }
    } else if (tn >= 8) {
      out.echo_id = get16(t + 4);
    }
  }
  return true;
}

std::string format_mac(const uint8_t m[6]) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                m[5]);
  return buf;
}

}  // namespace iptc::kernel_test
