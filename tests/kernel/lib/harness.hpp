// The kernel harness: asks the real Linux kernel what it does with each packet line.
//
// Topology. A namespace `fw` gets exactly the host model's interfaces, addresses and routes:
// one veth per interface, whose peer end lives in a second namespace `nb` that plays the
// neighbours on every link. The neighbours' own IP stack is silenced (no addresses, an
// all-DROP filter), so the only frames on a link are the ones the harness injects (with
// spoofed sources, through AF_PACKET) and what fw sends. fw forwards, has rp_filter off and
// keeps every other sysctl at the kernel's default. MTUs are 65535 (the host model has no
// MTU, so nothing is fragmented on the way). The harness itself answers fw's ARP requests
// for next hops, so any destination on a link is reachable.
//
// Probes. After the rule set is loaded, hidden rules (marked with the comment "iptc-kh:...")
// are inserted, and renumbered away in every report:
//  - raw OUTPUT #1 drops packets without a user-space socket owner, i.e. those the kernel
//    sends itself (REJECT replies, TCP RSTs, ICMP errors, echo replies): they never touch the
//    counters or conntrack, and their count is reported as kernel_sent;
//  - mangle PREROUTING and OUTPUT #1..5 count the conntrack state (NEW, ESTABLISHED, RELATED,
//    INVALID, UNTRACKED) after raw and conntrack; mangle INPUT/FORWARD/POSTROUTING #1 count
//    that a hook ran; security INPUT/FORWARD/OUTPUT #1 count that filter let the packet pass.
// The probes make conntrack active in fw even when the rule set does not use it, as on any
// host with a stateful rule; in particular fragments are reassembled before raw.
//
// Per packet. The packet is built (checksums, TCP numbering per DESIGN.md, following NAT
// through conntrack's reply tuples), injected from the peer of its `in=` interface or sent
// from fw with a raw socket, and then a barrier makes sure the kernel finished with it: an
// ARP probe to fw on the same link, whose reply comes back only after every frame queued
// before it was processed (the harness pins itself to one CPU, where the backlog is FIFO).
// Then the counters (nf_tables, by netlink), conntrack and the captured frames give the
// report: path, hooks, matched rules in walk order, policies, verdict, egress, ctstate.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "netlink.hpp"
#include "netns.hpp"
#include "packet_lines.hpp"
#include "save_listing.hpp"

namespace iptc::kernel_test {

struct HarnessOptions {
  double max_sleep_s = 30;        ///< `sleep` lines are capped at this
  double barrier_timeout_s = 1.0; ///< how long to wait for the ARP barrier's reply
  bool verbose = false;
  int cpu = -1;  ///< CPU to pin to (-1: the one the harness starts on)
};

class Harness {
 public:
  explicit Harness(HarnessOptions opts = {});
  ~Harness();
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  /// Builds the namespaces and links of `host`.
  bool setup(const Host& host, std::string& err);
  /// Creates the ipsets (ipset restore text, may be empty) and loads the rules with
  /// iptables-restore. On failure err holds the kernel's (iptables-restore's) message.
  bool load(const std::string& rules_text, const std::string& ipsets_text, std::string& err);
  /// Runs one packets-file entry; returns its report (null for flush and sleep lines).
  nlohmann::ordered_json run_line(const PacketLine& pl);

  /// The kernel's iptables-save listing of the user's rule set (hidden rules removed).
  [[nodiscard]] std::string user_listing() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Checks that this process can drive the kernel (root, ip, iptables-restore, iptables-save,
/// conntrack). Returns "" when it can, else the reason to skip.
std::string kernel_harness_unavailable();

}  // namespace iptc::kernel_test
