// Packet lines (DESIGN.md "Packet lines"): the text format for `iptc trace --packets FILE`,
// tests and benchmarks. One packet a line, key=value, '#' comments, `flush` empties
// conntrack, `sleep SECONDS` advances the clock. parse_packet_lines fills in every default
// the contract defines, including per-connection TCP sequence numbering, so the engine gets
// complete packets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
  std::optional<uint16_t> len;  ///< total IP length (payload zero-padded)
  bool df = false, mf = false;
  uint16_t fragoff = 0;  ///< bytes; a fragment with an offset has no transport header
  uint32_t mark = 0;
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
