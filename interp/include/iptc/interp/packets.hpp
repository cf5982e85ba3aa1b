// Packet lines (DESIGN.md "Packet lines"): the text format for `iptc trace --packets FILE`,
// tests and benchmarks. One packet a line, key=value, '#' comments, `flush` empties
// conntrack, `sleep SECONDS` advances the clock. parse_packet_lines fills in every default
// the contract defines except one: automatic TCP sequence numbers. Those follow connections
// (a reply addressed to a NATed tuple belongs to the connection it was NATed from), and only
// the engine knows the NAT bindings, so the parser marks them (seq_auto / ack_auto) and
// Engine::process numbers them with TcpNumbering just before the packet enters the host.
//
// Keys beyond DESIGN.md's list (documented there too): `mac=aa:bb:cc:dd:ee:ff` (the source
// MAC address of an arriving frame, for -m mac; default 02:00:00:00:00:0N for the N-th
// interface of the host model, the convention of the kernel-differential harness), `uid=N` and
// `gid=N` (the owner of the socket that sends a locally generated packet, for -m owner;
// default 0 and 0: root, as a raw socket of the test harness), `pkttype=host|broadcast|
// multicast|otherhost` (the link-layer class of an arriving frame, for -m pkttype; default
// derived from the destination address as the sender's ARP would: broadcast for
// 255.255.255.255 and the subnet broadcast of the arriving interface, multicast for
// 224.0.0.0/4, else host), `mss=N` (a TCP MSS option, for -m tcpmss), `chunks=TYPE[:FLAGS],..`
// (SCTP chunks, for -m sctp), `physin=PORT` and `physout=PORT` (bridge ports, for -m physdev).
//
// Keys for the matches that read what a header line cannot say (DESIGN.md, same block):
// `payload=HEX` (bytes after the transport header, for -m string / -m u32), `spi=N` (the SPI
// of an ESP or AH header, which proto=esp|ah packets always carry), `cpu=N` (the CPU that
// processes the packet, for -m cpu), `cgroup=PATH` and `classid=N` (the cgroup2 path and the
// net_cls classid of the socket that sends a locally generated packet, for -m cgroup).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "iptc/runtime/host.hpp"

namespace iptc::interp {

struct PacketSpec {
  uint32_t line = 0;  ///< line in the packets file
  std::string text;   ///< the line as written
  std::optional<std::string> in;  ///< arriving interface; absent: generated locally
  uint32_t src = 0, dst = 0;      ///< host byte order (src chosen by routing when absent)
  bool src_given = false;
  uint8_t proto = 1;
  uint16_t sport = 40000, dport = 80;
  uint8_t tcp_flags = 0x02;  ///< FIN 1, SYN 2, RST 4, PSH 8, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80
  uint32_t seq = 0, ack = 0;
  uint16_t win = 64240;
  uint8_t icmp_type = 8, icmp_code = 0;
  uint16_t echo_id = 19279, echo_seq = 1;
  // ICMP errors (types 3, 4, 5, 11, 12) embed the packet they are about.
  uint32_t inner_src = 0, inner_dst = 0;
  uint8_t inner_proto = 17;
  uint8_t ttl = 64, tos = 0;
  std::optional<uint16_t> id;   ///< IP id (automatic when absent)
  std::optional<uint16_t> len;  ///< total IP length (payload zero-padded; shorter cuts headers)
  bool df = false, mf = false;
  uint16_t fragoff = 0;  ///< bytes; a fragment with an offset has no transport header
  uint32_t mark = 0;
  // Extensions (see the file comment).
  bool seq_auto = false, ack_auto = false;  ///< numbered by the engine (TcpNumbering)
  std::array<uint8_t, 6> mac{};  ///< source MAC of an arriving frame (when mac_given)
  bool mac_given = false;         ///< else the engine uses 02:00:00:00:00:0N (N-th interface)
  uint32_t uid = 0, gid = 0;  ///< socket owner of a locally generated packet
  /// PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3; nullopt: derived (file comment).
  std::optional<uint8_t> pkttype;
  /// TCP MSS option (`mss=N`): the header carries the 4-byte option kind 2 (doff 6).
  std::optional<uint16_t> mss;
  /// SCTP chunks after the common header (`chunks=TYPE[:FLAGS],...`): each 4 bytes, type,
  /// flags, length 4. Without the key an SCTP packet has no chunk at all.
  std::vector<std::pair<uint8_t, uint8_t>> chunks;
  /// Bridge ports (`physin=`, `physout=`): the packet crossed a bridge with br_netfilter
  /// (skb->nf_bridge exists) and came in through / goes out of that port. Only -m physdev
  /// reads them; iptc does not model bridging itself.
  std::string physin, physout;
  // Coverage group 2 (see the file comment).
  std::vector<uint8_t> payload;  ///< after the transport header (ESP/AH: after theirs)
  uint32_t spi = 1;              ///< ESP/AH security parameter index
  uint32_t cpu = 0;              ///< smp_processor_id() while the packet is processed
  std::string cgroup = "/";      ///< cgroup2 path of the sending socket (local packets)
  uint32_t classid = 0;          ///< net_cls classid of the sending socket (local packets)

  [[nodiscard]] bool local() const { return !in.has_value(); }
  /// ICMP types that embed the packet they are about (3, 4, 5, 11, 12).
  [[nodiscard]] bool icmp_error() const {
    return proto == 1 && (icmp_type == 3 || icmp_type == 4 || icmp_type == 5 ||
                          icmp_type == 11 || icmp_type == 12);
  }
  /// Protocols whose first four transport bytes are source and destination ports.
  [[nodiscard]] bool has_ports() const { return proto_has_ports(proto); }
  static bool proto_has_ports(uint8_t p) {
    return p == 6 || p == 17 || p == 33 || p == 132 || p == 136;
  }
  /// Transport header size this model writes (no options): tcp 20, udp/udplite 8, icmp 8
  /// (+ 28 embedded bytes for errors), sctp 12, dccp 16, esp 8, ah 12; 0 for a fragment
  /// with an offset.
  [[nodiscard]] uint16_t l4_header_len() const;
  /// Total IP length: `len` or the header sizes plus the payload.
  [[nodiscard]] uint16_t total_len() const { return len ? *len : min_len(); }
  [[nodiscard]] uint16_t min_len() const {
    return static_cast<uint16_t>(20 + l4_header_len() + payload.size());
  }
  /// TCP payload bytes (what sequence numbers count besides SYN and FIN).
  [[nodiscard]] uint32_t tcp_data_len() const {
    uint16_t t = total_len(), h = static_cast<uint16_t>(20 + l4_header_len());
    return t > h ? static_cast<uint32_t>(t - h) : 0;
  }
};

/// Automatic TCP numbering (DESIGN.md): per connection, the initiator starts at 1000000 and
/// the responder at 2000000; `ack` is what the other side sends next (0 without ACK); SYN and
/// FIN count one byte each, data its length. The caller says which connection and direction a
/// packet belongs to; explicit seq/ack keep their value and move the numbering along.
class TcpNumbering {
 public:
  /// Fills seq/ack where p.seq_auto / p.ack_auto, then advances connection `conn`'s counters.
  void assign(PacketSpec& p, uint64_t conn, bool reply);
  void clear() { conns_.clear(); }

 private:
  struct Next {
    uint32_t next[2] = {1000000, 2000000};
  };
  std::unordered_map<uint64_t, Next> conns_;
};

struct PacketLine {
  enum class Kind : uint8_t { Packet, Flush, Sleep };
  Kind kind = Kind::Packet;
  PacketSpec packet;
  double sleep_seconds = 0;
  uint32_t line = 0;
};

struct PacketParseError {
  uint32_t line = 0;
  uint32_t col = 0;
  std::string message;
  std::string hint;
};

/// Parses a whole packets file. Defaults that depend on routing (the source address of a
/// locally generated packet) use `host`. Returns false and fills errors (one per bad line).
bool parse_packet_lines(std::string_view text, const runtime::HostModel& host,
                        std::vector<PacketLine>& out, std::vector<PacketParseError>& errors);

}  // namespace iptc::interp
