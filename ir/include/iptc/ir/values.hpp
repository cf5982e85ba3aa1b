// Value parsers and printers with libxtables' exact rules (xtables.c, xtoptions.c): numbers in
// C notation (strtoul base 0, leading blanks allowed, no sign), dotted quads with auto-completed
// network addresses ("10.1" is 10.1.0.0), masks as prefix lengths or dotted quads, ports by
// number or service name, protocols by number or name. iptc does no DNS: host names are errors.
// Service, protocol and network names come from a built-in copy of Debian's netbase tables,
// so results do not depend on the machine's /etc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iptc/ir/matches.hpp"

namespace iptc::ir {

/// xtables_strtoul: base 0 (0x.., 0..), leading blanks, no '-', whole string, within [min,max]
/// (max == 0 means no upper bound).
std::optional<uint64_t> parse_uint(std::string_view s, uint64_t min, uint64_t max);
/// As parse_uint but stops at the first character that is not part of the number; returns the
/// value and the rest (xtables_strtoul with an end pointer).
std::optional<std::pair<uint64_t, std::string_view>> parse_uint_prefix(std::string_view s,
                                                                        uint64_t min,
                                                                        uint64_t max);

/// sscanf("%llu"): leading blanks, an optional sign (a '-' negates modulo 2^64), then decimal
/// digits up to the first non-digit. Returns the value and sets *used to the bytes consumed.
std::optional<uint64_t> scan_ull(std::string_view s, size_t* used = nullptr);

/// __numeric_to_ipaddr: dotted quad; with allow_short, "10" and "10.1" auto-complete.
std::optional<uint32_t> parse_ipv4_numeric(std::string_view s, bool allow_short = true);

struct AddrParseResult {
  std::vector<Ipv4Net> nets;  ///< one per comma-separated item (masked)
  std::string error;          ///< non-empty on failure
  std::string hint;
};
/// xtables_ipparse_multiple: "a[/m][,b[/m]...]"; names resolve through the built-in
/// /etc/networks copy only.
AddrParseResult parse_ipv4_multiple(std::string_view s);
/// xtables_ipparse_any: one "host[/mask]".
AddrParseResult parse_ipv4_any(std::string_view s);
/// parse_ipmask: "24" or "255.255.255.0"; nullopt when invalid.
std::optional<uint32_t> parse_ipv4_mask(std::string_view s);

/// "a.b.c.d".
std::string ipv4_to_string(uint32_t addr);
/// iptables-save's "/N" or "/a.b.c.d" (non-contiguous) mask suffix, without the slash.
std::string mask_to_string(uint32_t mask);
/// Prefix length of a contiguous mask, or -1.
int mask_to_prefix(uint32_t mask);
inline uint32_t prefix_to_mask(int bits) {
  return bits <= 0 ? 0u : (bits >= 32 ? 0xffffffffu : ~0u << (32 - bits));
}

/// xtables_parse_port: number 0..65535 or a service name for `proto` ("tcp", "udp", ...).
std::optional<uint16_t> parse_port(std::string_view s, std::string_view proto);
/// getservbyname over the built-in table; proto may be empty for "any".
std::optional<uint16_t> service_port(std::string_view name, std::string_view proto);

/// xtables_parse_protocol: number 0..255, one of iptables' own names, or a netbase name.
std::optional<uint8_t> parse_protocol(std::string_view s);
/// proto_to_name: iptables' own names first, then netbase; nullopt when unnamed.
std::optional<std::string_view> protocol_name(uint8_t proto);
/// The name iptables uses to load a protocol's match module ("tcp" for 6), as find_proto does.
std::optional<std::string_view> protocol_match_name(uint8_t proto);

/// getnetbyname over the built-in /etc/networks copy.
std::optional<uint32_t> network_by_name(std::string_view name);

/// XTTYPE_ETHERMAC (xtopt_parse_ethermac): six ":"-separated parts of at most two characters,
/// each read by strtoul base 16 ("aa:bb:cc:dd:ee:ff", but also "0:1:2:3:4:5" or ":::::").
std::optional<std::array<uint8_t, 6>> parse_mac(std::string_view s);

/// Candidates within edit distance 2, for "did you mean" hints.
std::string closest(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace iptc::ir
