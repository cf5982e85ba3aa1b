// Helpers shared by the runtime unit tests: dotted-quad addresses and builders for the packets
// the tests push through conntrack and NAT.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "iptc/runtime/packet.hpp"

namespace rt_test {

inline uint32_t ip(const char* s) {
  unsigned a, b, c, d;
  if (std::sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4) return 0;
  return (a << 24) | (b << 16) | (c << 8) | d;
}

inline std::string ip_str(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

inline iptc::runtime::Packet tcp(const char* src, uint16_t sport, const char* dst, uint16_t dport,
                                 uint8_t flags, uint32_t seq, uint32_t ack, uint16_t payload = 0,
                                 uint16_t win = 64240, std::vector<uint8_t> opts = {}) {
  iptc::runtime::PacketFields f;
  f.src = ip(src);
  f.dst = ip(dst);
  f.proto = iptc::runtime::kProtoTcp;
  f.sport = sport;
  f.dport = dport;
  f.tcp_flags = flags;
  f.seq = seq;
  f.ack_seq = ack;
  f.window = win;
  f.tcp_options = std::move(opts);
  f.payload.assign(payload, 0);
  return iptc::runtime::build_packet(f);
}

inline iptc::runtime::Packet udp(const char* src, uint16_t sport, const char* dst, uint16_t dport,
                                 uint16_t payload = 4) {
  iptc::runtime::PacketFields f;
  f.src = ip(src);
  f.dst = ip(dst);
  f.proto = iptc::runtime::kProtoUdp;
  f.sport = sport;
  f.dport = dport;
  f.payload.assign(payload, 0xab);
  return iptc::runtime::build_packet(f);
}

inline iptc::runtime::Packet icmp(const char* src, const char* dst, uint8_t type, uint16_t id,
                                  uint16_t seq = 1) {
  iptc::runtime::PacketFields f;
  f.src = ip(src);
  f.dst = ip(dst);
  f.proto = iptc::runtime::kProtoIcmp;
  f.icmp_type = type;
  f.icmp_id = id;
  f.icmp_seq = seq;
  f.payload.assign(8, 0x11);
  return iptc::runtime::build_packet(f);
}

/// An ICMP error from `src` to `dst` embedding `inner`.
inline iptc::runtime::Packet icmp_error(const char* src, const char* dst, uint8_t type,
                                        uint8_t code, const iptc::runtime::Packet& inner,
                                        uint16_t max_inner = 548) {
  return iptc::runtime::build_icmp_error(ip(src), ip(dst), type, code, inner.bytes, max_inner);
}

/// Every checksum of the packet verifies (IP header, transport, and for an ICMP error the
/// embedded IP header).
inline bool checksums_ok(const iptc::runtime::Packet& p) {
  using namespace iptc::runtime;
  if (!ip_header_checksum_ok(p.bytes)) return false;
  const PacketView v = parse_packet(p.bytes);
  if (!transport_checksum_ok(p.bytes, v)) return false;
  if (v.inner_ok) {
    std::span<const uint8_t> inner(p.bytes.data() + v.inner_off, p.bytes.size() - v.inner_off);
    if (!ip_header_checksum_ok(inner)) return false;
  }
  return true;
}

}  // namespace rt_test
