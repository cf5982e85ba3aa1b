// Building the IPv4 packets the harness injects and reading the ones it captures.
//
// Built packets have correct IP, TCP, UDP and ICMP checksums (conntrack verifies them in
// PREROUTING and would call a wrong one INVALID). TCP headers carry no options; payloads are
// zero bytes up to `len`. An ICMP error embeds the packet it is about: a 20-byte IP header and
// the first 8 bytes of its transport header (ports and TCP sequence number, or UDP length and
// checksum, or ICMP echo id/sequence), as RFC 792 and the kernel's icmp_send produce it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "packet_lines.hpp"

namespace iptc::kernel_test {

struct WireFields {
  uint32_t src = 0;
  uint32_t seq = 0, ack = 0;
  uint16_t id = 0;
};

/// The IPv4 packet of `p` (which must have its src resolved into `w.src`).
std::vector<uint8_t> build_ipv4(const Packet& p, const WireFields& w);

/// An Ethernet frame around an IPv4 packet (padded to the 60-byte minimum).
std::vector<uint8_t> build_ethernet(const uint8_t dst[6], const uint8_t src[6],
                                    uint16_t ethertype, const std::vector<uint8_t>& payload);

/// An ARP request (RFC 5227 probe when sender_ip is 0) or reply.
std::vector<uint8_t> build_arp(uint16_t op, const uint8_t sha[6], uint32_t spa,
                               const uint8_t tha[6], uint32_t tpa, const uint8_t eth_dst[6]);

struct InnerView {
  uint32_t src = 0, dst = 0;
  uint8_t proto = 0;
  std::optional<uint16_t> sport, dport;
};

/// What the harness reads back from a captured IPv4 packet.
struct PacketView {
  uint32_t src = 0, dst = 0;
  uint8_t proto = 0, ttl = 0, tos = 0;
  uint16_t tot_len = 0, id = 0, frag = 0;  ///< frag: flags and offset field as on the wire
  std::optional<uint16_t> sport, dport;    ///< TCP/UDP/SCTP/DCCP/UDPLITE
  std::optional<uint8_t> tcp_flags;
  std::optional<uint32_t> seq, ack;
  std::optional<uint8_t> icmp_type, icmp_code;
  std::optional<uint16_t> echo_id;
  std::optional<InnerView> inner;  ///< ICMP errors
};

bool parse_ipv4_packet(const uint8_t* p, size_t n, PacketView& out);

/// True for protocols whose first 4 bytes are source and destination ports.
bool proto_has_ports(uint8_t proto);

using Mac = std::array<uint8_t, 6>;
std::string format_mac(const uint8_t m[6]);

}  // namespace iptc::kernel_test
