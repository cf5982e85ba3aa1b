// What the four NAT targets share (extensions/libxt_NAT.c): the port and address syntax of
// --to-source / --to-destination / --to-ports and the save text of a NAT range. Private to
// ir/src/kinds.
#pragma once

#include <string_view>

#include "iptc/ir/kinds.hpp"

namespace iptc::ir::kinds {

/// The protocols for which libxt_NAT accepts ports: tcp, udp, sctp, dccp and icmp, taken from
/// the rule's -p as parsed so far (a later -p does not count; '!' is ignored).
bool nat_ports_allowed(const OptionCall& c);

/// parse_ports: "port" (number or any-protocol service name), "lo-hi" (numbers only, lo <= hi),
/// "lo-hi/base" (base 1-65535 or a service name). Sets kProtoSpecified, the ports, and for a
/// base kProtoOffset and base_port. Reports through c.
bool parse_nat_ports(const OptionCall& c, std::string_view arg, NatRange& r);

/// parse_to for IPv4: "[addr[-addr]][:ports]". Sets kMapIps and the addresses when an address
/// is given; ports as parse_nat_ports. Reports through c.
bool parse_nat_to(const OptionCall& c, NatRange& r);

/// __NAT_print's save form: " OPT a[-b][:lo[-hi][/base]]" when there is something to print
/// (skip_colon drops the ':' before ports-only text, for --to-ports), then " --random",
/// " --random-fully", " --persistent" as flagged.
void save_nat_range(SaveWriter& w, const NatRange& r, std::string_view opt, bool skip_colon);

/// The flag options every NAT target shares (ids as in libxt_NAT.c).
enum : uint8_t { kNatToDest = 0, kNatToSrc, kNatToPorts, kNatRandom, kNatRandomFully, kNatPersistent };
/// Applies --random / --random-fully / --persistent; false for other ids.
bool parse_nat_flag(uint8_t id, NatRange& r);

}  // namespace iptc::ir::kinds
