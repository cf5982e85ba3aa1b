// The harness's own reading of the two text contracts of DESIGN.md it shares with `iptc
// trace`: packet lines (--packets) and the host model (--host). It is written again here, on
// purpose, instead of using iptc's parser: the harness is the oracle and must not inherit
// iptc's mistakes. Defaults follow DESIGN.md "Packet lines"; what needs the kernel (the source
// address of a locally generated packet, TCP numbering through NAT) is left to the harness.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iptc::kernel_test {

struct HostIface {
  std::string name;
  std::vector<std::pair<uint32_t, uint8_t>> addrs;  ///< in order; the first is primary
  std::optional<uint32_t> group;                    ///< `group NAME N` (ip link set group)
};

struct HostRoute {
  uint32_t dst = 0;
  uint8_t len = 0;  ///< 0 with dst 0 is "default"
  std::string iface;
  std::optional<uint32_t> via;
};

struct Host {
  std::vector<HostIface> ifaces;
  std::optional<uint32_t> lo_group;  ///< `group lo N`
  std::vector<HostRoute> routes;
  [[nodiscard]] const HostIface* find(std::string_view name) const;
};

/// DESIGN.md's default: eth0 192.168.1.1/24, eth1 10.0.0.1/24, default route via eth1.
Host default_host();
/// Parses the host model text; on error returns false with "line N: message" in err.
bool parse_host(std::string_view text, Host& out, std::string& err);

constexpr uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpPsh = 0x08,
                  kTcpAck = 0x10, kTcpUrg = 0x20, kTcpEce = 0x40, kTcpCwr = 0x80;

/// ICMP types whose body embeds the packet they are about.
constexpr bool is_icmp_error(uint8_t type) {
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

struct Packet {
  std::optional<std::string> in;  ///< arriving interface; absent: generated locally
  std::optional<uint32_t> src;    ///< absent only for local packets: the kernel picks it
  uint32_t dst = 0;
  uint8_t proto = 1;
  uint16_t sport = 40000, dport = 80;
  uint8_t flags = kTcpSyn;
  std::optional<uint32_t> seq, ack;
  uint16_t win = 64240;
  uint8_t type = 8, code = 0;
  uint16_t echo_id = 19279, echo_seq = 1;
  std::optional<uint32_t> inner_src, inner_dst;  ///< default: outer dst / outer src
  uint8_t inner_proto = 17;
  uint8_t ttl = 64, tos = 0;
  std::optional<uint16_t> id;
  std::optional<uint32_t> len;  ///< total IP length
  bool df = false, mf = false;
  uint16_t fragoff = 0;  ///< bytes
  std::optional<uint32_t> mark;
  std::optional<uint16_t> mss;  ///< a TCP MSS option (kind 2, length 4; doff 6)
  std::vector<std::pair<uint8_t, uint8_t>> chunks;  ///< SCTP chunks: type, flags (4 bytes each)
  // Coverage group 2 keys (DESIGN.md): bytes after the transport header, the SPI of the ESP
  // or AH header proto 50/51 packets carry, the CPU that sends (and so processes) the packet.
  std::vector<uint8_t> payload;
  uint32_t spi = 1;
  uint32_t cpu = 0;

  /// Whether the transport header is present (a fragment with an offset has none).
  [[nodiscard]] bool has_l4() const { return fragoff == 0; }
  [[nodiscard]] bool is_icmp_err() const { return proto == 1 && is_icmp_error(type); }
};

struct PacketLine {
  enum class Kind : uint8_t { Packet, Flush, Sleep, Error };
  Kind kind = Kind::Packet;
  uint32_t line = 0;     ///< 1-based line number in the file
  std::string text;      ///< the line without its comment
  double sleep_s = 0;
  std::string error;     ///< Kind::Error: why the line could not be read
  Packet pkt;
};

/// Reads a packets file: one entry per packet, flush or sleep line (comments and blank lines
/// are skipped); a bad line becomes an Error entry so the others still run.
std::vector<PacketLine> parse_packet_lines(std::string_view text);

/// Protocol number of a name or number ("tcp", "sctp", "47"), as /etc/protocols knows them.
std::optional<uint8_t> protocol_number(std::string_view name);
/// Letters of TCP flags in the packet-line spelling ("SA", "none").
std::string tcp_flags_text(uint8_t flags);

}  // namespace iptc::kernel_test
