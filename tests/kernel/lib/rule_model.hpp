// What the case generators understand of a rule: its criteria as ranges (addresses, ports,
// lengths), interfaces, protocol, states, and the NAT its target sets up. Read from the
// kernel's canonical iptables-save spelling (one option spelling per criterion), so a small
// reader is enough; criteria it does not know are kept by name and simply not aimed at.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "save_listing.hpp"

namespace iptc::kernel_test {

struct URange {
  uint32_t lo = 0, hi = 0;
  [[nodiscard]] bool contains(uint32_t v) const { return v >= lo && v <= hi; }
};

/// A criterion over one value: match inside `ranges` (any of them), or outside all of them
/// when inverted.
struct Crit {
  std::vector<URange> ranges;
  bool inv = false;
  [[nodiscard]] bool set() const { return !ranges.empty(); }
  [[nodiscard]] bool matches(uint32_t v) const;
};

struct IfaceCrit {
  std::string name;  ///< may end in '+' (prefix wildcard)
  bool inv = false;
  [[nodiscard]] bool set() const { return !name.empty(); }
  [[nodiscard]] bool matches(const std::string& ifname) const;
};

struct RuleSpec {
  Crit src, dst;           ///< -s/-d and -m iprange, merged
  IfaceCrit iif, oif;
  std::optional<uint8_t> proto;
  bool proto_inv = false;
  bool frag = false;
  Crit sport, dport;       ///< tcp/udp/sctp --sport/--dport and multiport --sports/--dports
  Crit ports;              ///< multiport --ports (either)
  std::optional<std::pair<uint8_t, uint8_t>> tcp_flags;  ///< mask, compare
  bool tcp_flags_inv = false;
  std::optional<int> icmp_type, icmp_code;
  bool icmp_inv = false;
  std::set<std::string> states;  ///< NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED
  bool states_inv = false;
  Crit length;
  std::optional<uint32_t> mark, mark_mask;
  std::string pkttype, src_type, dst_type;
  std::vector<std::string> matches;  ///< -m names, in order
  std::string target;
  TargetClass cls = TargetClass::kContinue;
  std::string jump;  ///< chain for -j/-g to a user chain
  // NAT targets
  std::optional<uint32_t> nat_addr;
  std::optional<uint16_t> nat_port_lo, nat_port_hi;
};

/// Reads the words of a canonical rule (SavedRule::words).
RuleSpec read_rule(const SavedRule& r);

/// True when iptables' interface criterion `pattern` ("eth+", "eth0") names `ifname`.
bool iface_pattern_matches(const std::string& pattern, const std::string& ifname);

}  // namespace iptc::kernel_test
