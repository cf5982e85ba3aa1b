// ClassBench filter sets and header traces (benchmarks/data/classbench/README.md), and their
// conversion to what iptc reads: a filter set becomes an iptables-save file with one
// filter/FORWARD rule per filter, in order (first match wins, as ClassBench's priority is
// line order), and a trace becomes packet lines (DESIGN.md "Packet lines").
//
// The conversion, as the backend issue asks: `-s`, `-d`, `-p`, `--sport`, `--dport` (a range
// as A:B, a single port as A), a wildcard field omitted (a /0 prefix, the full port range
// 0:65535, protocol mask 0x00), the TCP-flag column ignored, every rule `-j ACCEPT` and the
// chain's policy DROP. The deciding rule is the rule number in FORWARD (filter index + 1):
// the interpreter reports it as the trace's verdict rule, and in the kernel it is the one
// rule whose packet counter rises (ACCEPT ends the chain), so no per-rule target is needed.
// iptables takes port options only with a protocol that has ports (`-p tcp|udp`); a filter
// with a port range but any protocol (or one without ports, such as icmp or gre) cannot be
// written, and the converter refuses it with the line number. None of the vendored sets has
// one: in every set, every any-protocol filter and every non-TCP/UDP filter has 0:65535 for
// both ports (checked on all 8 files; the classbench unit test checks it again).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace iptc::bench {

struct Filter {
  uint32_t src = 0, dst = 0;          ///< host byte order, host bits cleared
  uint8_t src_len = 0, dst_len = 0;   ///< prefix lengths
  uint16_t sport_lo = 0, sport_hi = 65535;
  uint16_t dport_lo = 0, dport_hi = 65535;
  uint8_t proto = 0;
  bool proto_any = true;              ///< mask 0x00 (else 0xFF: exactly `proto`)
  uint32_t line = 0;                  ///< 1-based line in the filter file
};

/// One trace header (the flags and generating-filter columns are not kept).
struct Header {
  uint32_t src = 0, dst = 0;  ///< host byte order
  uint16_t sport = 0, dport = 0;
  uint8_t proto = 0;
};

/// Parses a filter set. Returns false and sets `error` ("line N: ...") on a malformed line or
/// a protocol mask other than 0x00 and 0xFF.
bool parse_filters(std::string_view text, std::vector<Filter>& out, std::string& error);
/// Parses a header trace.
bool parse_trace(std::string_view text, std::vector<Header>& out, std::string& error);
/// Reads a whole file; false when it cannot be opened.
bool read_file(const std::string& path, std::string& out);

/// Whether the protocol carries ports iptables can match with `-p P --sport/--dport`
/// (tcp, udp; also sctp, dccp, udplite, which ClassBench never uses).
bool proto_has_ports(uint8_t proto);

/// The filter set as an iptables-save file (see the file comment). Returns false and sets
/// `error` for a filter iptables cannot express (ports without a protocol that has them).
bool to_iptables_save(std::span<const Filter> filters, std::string& out, std::string& error);
/// The trace as packet lines arriving on `in` (`in=eth0 src=.. dst=.. proto=N sport= dport=`,
/// ports only for protocols that have them). With the default host model, headers whose
/// addresses routing would refuse (martians, local or multicast destinations) do not reach
/// FORWARD in `iptc trace`; the benchmarks run the chain alone (interp::ChainRunner).
std::string to_packet_lines(std::span<const Header> headers, std::string_view in = "eth0");

/// Whether a filter matches a header, with the converted rule's meaning (ports compared only
/// when the filter names a protocol with ports; they are the full range otherwise).
bool matches(const Filter& f, const Header& h);
/// The first matching filter, 1-based (the FORWARD rule number); 0 when none matches.
uint32_t first_match(std::span<const Filter> filters, const Header& h);

}  // namespace iptc::bench
