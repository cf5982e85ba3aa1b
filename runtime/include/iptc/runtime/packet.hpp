// Raw IPv4 packets: a byte buffer holding one datagram (IPv4 header with options, then a TCP,
// UDP or ICMP header and payload, or whatever else the protocol number says), a parsed view
// with every field the matches, conntrack and NAT read, a builder that writes valid packets
// with correct checksums, and rewrite helpers that update IP, TCP, UDP and ICMP checksums
// incrementally exactly as the kernel's csum helpers do (include/net/checksum.h,
// net/netfilter/nf_nat_proto.c for the NAT manipulations, including the header embedded in
// an ICMP error). Parsing follows the kernel's tolerance: fields a truncated packet does not
// carry are flagged absent rather than read (skb_header_pointer returning NULL).
// parse() and the rewrite helpers never allocate or throw; only build_packet() allocates.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace iptc::runtime {

inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoIgmp = 2;
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;
inline constexpr uint8_t kProtoGre = 47;
inline constexpr uint8_t kProtoEsp = 50;
inline constexpr uint8_t kProtoAh = 51;
inline constexpr uint8_t kProtoSctp = 132;
inline constexpr uint8_t kProtoUdplite = 136;

/// TCP flag bits as in the header's 13th byte.
namespace tcpflag {
inline constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10,
                         kUrg = 0x20, kEce = 0x40, kCwr = 0x80;
}

/// ICMP types the runtime cares about.
namespace icmptype {
inline constexpr uint8_t kEchoReply = 0, kDestUnreach = 3, kSourceQuench = 4, kRedirect = 5,
                         kEcho = 8, kTimeExceeded = 11, kParameterProb = 12, kTimestamp = 13,
                         kTimestampReply = 14, kInfoRequest = 15, kInfoReply = 16,
                         kAddress = 17, kAddressReply = 18;
/// icmp_is_err(): the types that carry the header of the packet they are about.
constexpr bool is_error(uint8_t t) {
  return t == kDestUnreach || t == kSourceQuench || t == kRedirect || t == kTimeExceeded ||
         t == kParameterProb;
}
}  // namespace icmptype

/// One IPv4 datagram. `bytes` starts at the IP header; its size is the packet length the
/// kernel sees (skb->len), which may exceed or fall short of the IP total length field.
struct Packet {
  std::vector<uint8_t> bytes;
};

/// The transport header of an embedded (ICMP error) or outer packet, as far as present.
struct L4View {
  uint16_t off = 0;      ///< offset of the transport header in the buffer; 0 = none
  uint16_t avail = 0;    ///< bytes from off to the end of the buffer
  bool ports = false;    ///< at least 4 bytes of a port-carrying header (TCP/UDP/UDPLITE/SCTP)
  uint16_t sport = 0, dport = 0;
  bool icmp = false;     ///< at least 8 bytes of an ICMP header
  uint8_t icmp_type = 0, icmp_code = 0;
  uint16_t icmp_id = 0, icmp_seq = 0;
  uint16_t gre_key = 0;  ///< GREv1 call id (PPTP); 0 otherwise
};

/// A parsed IPv4 packet. Offsets index Packet::bytes. Addresses and numbers are host order.
struct PacketView {
  bool ip_ok = false;      ///< a complete IPv4 header (version 4, ihl >= 5, within the buffer)
  uint8_t ihl = 0;         ///< header length in bytes
  uint8_t tos = 0, ttl = 0, proto = 0;
  uint16_t total_len = 0;  ///< the header field
  uint16_t id = 0;
  bool rf = false, df = false, mf = false;
  uint16_t frag_off = 0;   ///< in bytes (the field times 8)
  uint32_t src = 0, dst = 0;
  uint16_t len = 0;        ///< buffer length (skb->len)

  /// Transport header; absent for non-first fragments (frag_off != 0).
  L4View l4;
  // TCP (tcp_ok: the whole fixed 20-byte header is present and doff >= 5)
  bool tcp_ok = false;
  uint32_t seq = 0, ack_seq = 0;
  uint8_t doff = 0;        ///< data offset in bytes
  uint8_t tcp_flags = 0;   ///< FIN..CWR, as tcpflag::
  uint8_t tcp_res = 0;     ///< the 4 reserved bits (byte 12 low nibble)
  uint16_t window = 0, urg_ptr = 0, l4_check = 0;
  // UDP
  uint16_t udp_len = 0;

  /// For ICMP errors: the embedded IP header and what follows it.
  bool inner_ok = false;   ///< an embedded IPv4 header is present
  uint16_t inner_off = 0;  ///< offset of the embedded IP header
  uint8_t inner_ihl = 0, inner_proto = 0;
  uint16_t inner_frag_off = 0;
  uint32_t inner_src = 0, inner_dst = 0;
  L4View inner_l4;

  [[nodiscard]] bool is_fragment() const { return mf || frag_off != 0; }
  [[nodiscard]] bool has_transport() const { return ip_ok && frag_off == 0 && l4.off != 0; }
  /// Payload after the transport header (TCP: after doff), 0 when unknown.
  [[nodiscard]] uint16_t payload_off() const;
};

/// Parses without allocating. A buffer too short for an IPv4 header gives ip_ok = false.
PacketView parse_packet(std::span<const uint8_t> bytes);

/// What build_packet writes. Lengths and checksums are computed unless overridden.
struct PacketFields {
  uint32_t src = 0, dst = 0;  ///< host order
  uint8_t proto = kProtoTcp;
  uint8_t tos = 0, ttl = 64;
  uint16_t id = 0;
  bool df = false, mf = false;
  uint16_t frag_off = 0;               ///< bytes, must be a multiple of 8
  std::vector<uint8_t> ip_options;     ///< padded with EOL to a multiple of 4
  std::optional<uint16_t> total_len;   ///< total IP length; payload zero-padded (or cut) to fit

  uint16_t sport = 0, dport = 0;       ///< TCP/UDP/UDPLITE/SCTP
  uint32_t seq = 0, ack_seq = 0;       ///< TCP
  uint8_t tcp_flags = tcpflag::kSyn;
  uint16_t window = 64240, urg_ptr = 0;
  std::vector<uint8_t> tcp_options;    ///< padded with EOL to a multiple of 4

  uint8_t icmp_type = icmptype::kEcho, icmp_code = 0;
  uint16_t icmp_id = 0, icmp_seq = 0;  ///< echo-style types; the rest-of-header word otherwise
  uint32_t icmp_rest = 0;              ///< rest-of-header word for ICMP errors (e.g. MTU)

  /// Bytes after the transport header. For an ICMP error: the embedded packet.
  std::vector<uint8_t> payload;
  bool udp_no_checksum = false;        ///< write a zero UDP checksum
};

/// Writes a packet with correct IP and transport checksums. A fragment with frag_off != 0
/// carries `payload` only (no transport header), as on the wire.
Packet build_packet(const PacketFields& f);

/// Builds an ICMP error (type/code) from `from` to `to` about `inner`, embedding at most
/// `max_inner` bytes of it (the kernel's icmp_send embeds up to 576 - 28 bytes).
Packet build_icmp_error(uint32_t from, uint32_t to, uint8_t type, uint8_t code,
                        std::span<const uint8_t> inner, uint16_t max_inner = 548,
                        uint32_t rest = 0, uint8_t ttl = 64);

/// Full checksum verification as nf_ip_checksum / nf_checksum would do it.
bool ip_header_checksum_ok(std::span<const uint8_t> bytes);
bool transport_checksum_ok(std::span<const uint8_t> bytes, const PacketView& v);

// ---- rewrite helpers (incremental checksums, no allocation) -------------------------------

/// Which address/port a NAT manipulation rewrites (enum nf_nat_manip_type).
enum class ManipType : uint8_t { Src, Dst };

/// Rewrites, in the IP header at `ip_off`, the source or destination address and, for
/// TCP/UDP/UDPLITE/SCTP, the port (ICMP echo-style types: the id), fixing the IP checksum and
/// the transport checksum (pseudo header included) exactly as nf_nat_ipv4_manip_pkt does. A
/// header that is too short for its checksum field (the 8 bytes ICMP errors may carry) gets
/// only its ports rewritten, like the kernel. Returns false when the headers are not there.
bool manip_packet(std::span<uint8_t> bytes, uint16_t ip_off, ManipType m, uint32_t addr,
                  uint16_t port_or_id);

void set_saddr(std::span<uint8_t> bytes, uint32_t addr);  ///< + transport pseudo header
void set_daddr(std::span<uint8_t> bytes, uint32_t addr);  ///< + transport pseudo header
void set_sport(std::span<uint8_t> bytes, uint16_t port);
void set_dport(std::span<uint8_t> bytes, uint16_t port);
void set_ttl(std::span<uint8_t> bytes, uint8_t ttl);
/// ip_decrease_ttl: TTL - 1 with the kernel's incremental checksum trick.
void decrease_ttl(std::span<uint8_t> bytes);
/// ipv4_change_dsfield: tos = (tos & mask) | value.
void change_dsfield(std::span<uint8_t> bytes, uint8_t mask, uint8_t value);
/// Recomputes the ICMP checksum over the whole ICMP message (as after an inner rewrite).
void recompute_icmp_checksum(std::span<uint8_t> bytes);

}  // namespace iptc::runtime
