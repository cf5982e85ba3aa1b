// Case generators of the kernel-differential suite.
//
//  - generate_host: a host model for a corpus rule set, as an operator of that firewall would
//    have it: every interface the rules name (wildcards instantiated), addresses taken from
//    the rules' own prefixes where they tie a subnet to an interface (-i X -s NET, -o X -d NET,
//    SNAT --to-source, DNAT'd public addresses), static routes for forwarded prefixes, and an
//    uplink carrying the default route.
//  - generate_packets: packet lines aimed at the rule set's boundaries. For every rule (sampled
//    evenly when there are too many) reachable from a built-in chain, a packet that satisfies
//    the criteria along its call path, and variants that sit on or just outside each of its
//    edges: first/last address of each prefix and one outside on either side, port range ends
//    and one beyond, the other interfaces, another protocol, the states it asks for (with the
//    packets that create them: a flow's first packet, an ICMP error about a flow). Then whole
//    flows with their replies (TCP handshake, data, close; UDP with an ICMP error about it;
//    pings) through each pair of interfaces, to and from the firewall, and through DNAT rules,
//    with replies addressed to the NAT address the rule set predicts; and background traffic.
//    Every TCP packet carries explicit seq/ack except in the flows marked "auto", which use
//    DESIGN.md's automatic numbering (NAT-following) on purpose.
//  - generate_random_rules / generate_random_host: random but loadable rule sets over the
//    match and target kinds the foundation supports, with the random host they are aimed at.
// Everything is deterministic in the seed.
#pragma once

#include <cstdint>
#include <string>

#include "packet_lines.hpp"
#include "save_listing.hpp"

namespace iptc::kernel_test {

struct GenHostResult {
  Host host;
  std::string text;
};

GenHostResult generate_host(const Listing& rules, const std::string& title);

struct GenPacketsOptions {
  uint64_t seed = 1;
  size_t max_packets = 600;
  size_t min_packets = 150;
  size_t per_rule = 8;   ///< packets aimed at one rule (match + boundary variants)
  double auto_numbered_flows = 0.0;  ///< share of TCP flows without seq/ack
};

/// Packet lines for a rule set on a host; `title` goes in the header comment.
std::string generate_packets(const Listing& rules, const Host& host,
                             const GenPacketsOptions& opts, const std::string& title);

GenHostResult generate_random_host(uint64_t seed);
/// A random rule set (iptables-restore text) for the host.
std::string generate_random_rules(uint64_t seed, const Host& host);

/// Text of a host model.
std::string host_text(const Host& h, const std::string& comment);

}  // namespace iptc::kernel_test
