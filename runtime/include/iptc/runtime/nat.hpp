// NAT bindings after net/netfilter/nf_nat_core.c, nf_nat_proto.c, nf_nat_masquerade.c and
// nf_nat_redirect.c.
//
// The idea: a connection's NAT lives in its conntrack entry's reply tuple. When the first
// packet of a connection reaches a NAT hook (DST manip at PREROUTING/OUTPUT, SRC manip at
// POSTROUTING/INPUT), the nat table's chain runs once; SNAT/DNAT/MASQUERADE/REDIRECT call
// nf_nat_setup_info, which picks a new tuple (get_unique_tuple: keep the original when it is in
// range and unused, else reuse an existing mapping of the same source, else choose the address
// by hash as find_best_ips_proto does and the port as nf_nat_l4proto_unique_tuple does) and
// rewrites the entry's reply tuple so that replies are recognised. When no rule sets up the
// manip, a null binding marks it done without change. Every packet of the connection then
// gets nf_nat_packet at each NAT hook: it is rewritten to look like the inverse of the other
// direction's tuple, so originals are NATed and replies de-NATed; ICMP errors RELATED to the
// connection have both their outer header and the embedded header translated
// (nf_nat_icmp_reply_translation). Checksums are updated like the kernel's.
//
// Exact to the kernel: the order of the steps above, the null binding, address choice within a
// range (jhash2 of the addresses, the same arithmetic, so it matches the kernel exactly), the
// port range defaults (1-511, 600-1023, 1024-65535 by the original port), the attempt limits
// and halving rounds, PERSISTENT, PROTO_OFFSET, MASQUERADE's source (inet_select_addr on the
// egress interface towards the next hop) and its oif check, REDIRECT to the input interface's
// primary address or 127.0.0.1. Differs: the random draws (get_random_u16) come from a seeded
// generator; zones are not modelled; the TCP TIME_WAIT eviction of nf_nat_used_tuple_harder is
// implemented but GRE keys (PPTP) and helper sequence adjustment are not.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "iptc/runtime/conntrack.hpp"
#include "iptc/runtime/host.hpp"
#include "iptc/runtime/packet.hpp"

namespace iptc::runtime {

/// NF_NAT_RANGE_* flags.
namespace natflag {
inline constexpr uint32_t kMapIps = 1u << 0;
inline constexpr uint32_t kProtoSpecified = 1u << 1;
inline constexpr uint32_t kProtoRandom = 1u << 2;
inline constexpr uint32_t kPersistent = 1u << 3;
inline constexpr uint32_t kProtoRandomFully = 1u << 4;
inline constexpr uint32_t kProtoOffset = 1u << 5;
inline constexpr uint32_t kNetmap = 1u << 6;
inline constexpr uint32_t kProtoRandomAll = kProtoRandom | kProtoRandomFully;
}  // namespace natflag

/// struct nf_nat_range2 for IPv4, host byte order. For ICMP the proto range is the echo id.
struct NatRange {
  uint32_t flags = 0;
  uint32_t min_addr = 0, max_addr = 0;
  uint16_t min_proto = 0, max_proto = 0;
  uint16_t base_proto = 0;  ///< NF_NAT_RANGE_PROTO_OFFSET base
};

/// A runtime step's verdict (NF_ACCEPT / NF_DROP).
enum class Verdict : uint8_t { Accept, Drop };

/// HOOK2MANIP: SRC at POSTROUTING and INPUT, DST at PREROUTING and OUTPUT.
constexpr ManipType hook_to_manip(Hook h) {
  return (h == Hook::Postrouting || h == Hook::Input) ? ManipType::Src : ManipType::Dst;
}

/// nf_nat_initialized: has this manip been set up (by a rule or a null binding)?
bool nat_initialized(const Conn& ct, ManipType m);

/// nf_nat_setup_info. Only for unconfirmed entries (confirmed: no-op, Accept).
Verdict nat_setup_info(ConntrackTable& table, Conn& ct, const NatRange& range, ManipType m);
/// nf_nat_alloc_null_binding for the manip of `hook`.
Verdict nat_alloc_null_binding(ConntrackTable& table, Conn& ct, Hook hook);

/// SNAT / DNAT targets (xt_nat): nf_nat_setup_info with the rule's range for the hook's manip.
Verdict nat_snat(ConntrackTable& table, const CtRef& ref, const NatRange& range);
Verdict nat_dnat(ConntrackTable& table, const CtRef& ref, const NatRange& range);
/// MASQUERADE (nf_nat_masquerade_ipv4) at POSTROUTING: source = inet_select_addr(out_iface,
/// next_hop) where next_hop is the route's gateway, or the destination for a direct route.
/// Drops when the interface has no usable address. Records the egress interface.
Verdict nat_masquerade(ConntrackTable& table, const CtRef& ref, const NatRange& range,
                       const HostModel& host, std::string_view out_iface, uint32_t next_hop);
/// REDIRECT (nf_nat_redirect_ipv4) at PREROUTING (the input interface's primary address;
/// drop without one) or OUTPUT (127.0.0.1).
Verdict nat_redirect(ConntrackTable& table, const CtRef& ref, const NatRange& range, Hook hook,
                     const HostModel& host, std::string_view in_iface);

/// nf_nat_packet: applies the connection's binding for `hook` to the packet (NAT in the
/// original direction, de-NAT of replies). Drop when the headers are not there.
Verdict nat_packet(const Conn& ct, CtInfo info, Hook hook, std::span<uint8_t> pkt);
/// nf_nat_icmp_reply_translation for an ICMP error RELATED to `ct`: rewrites the embedded
/// header and the outer addresses. false = drop.
bool nat_icmp_reply_translation(const Conn& ct, CtInfo info, Hook hook,
                                std::span<uint8_t> pkt);

/// nf_nat_ipv4_fn is split around the nat table's chain (the chain belongs to the caller).
enum class NatStep : uint8_t {
  Accept,       ///< no entry (INVALID or UNTRACKED): NAT does nothing
  IcmpRelated,  ///< a RELATED ICMP error: call nat_hook_finish, no rules
  RunRules,     ///< first packet for this manip: run the nat chain, then nat_hook_finish
  Apply,        ///< binding already set up: call nat_hook_finish, no rules
};
NatStep nat_hook_begin(const CtRef& ref, Hook hook, std::span<const uint8_t> pkt);
/// Completes nf_nat_ipv4_fn after `step` (and after the chain, whose verdict was ACCEPT, for
/// RunRules): the null binding when no rule set the manip up, MASQUERADE's oif check (entry
/// killed, packet dropped when the egress interface changed), nf_nat_packet.
/// `out_ifindex` is the egress interface at POSTROUTING (0 elsewhere).
Verdict nat_hook_finish(ConntrackTable& table, const CtRef& ref, Hook hook, NatStep step,
                        std::span<uint8_t> pkt, int out_ifindex);

/// The whole nf_nat_ipv4_fn: `run_rules()` evaluates the nat chain of `hook` and returns its
/// Verdict; it is called exactly when the kernel traverses the nat table.
template <class RunRules>
Verdict nat_hook(ConntrackTable& table, const CtRef& ref, Hook hook, std::span<uint8_t> pkt,
                 int out_ifindex, RunRules&& run_rules) {
  const NatStep step = nat_hook_begin(ref, hook, pkt);
  if (step == NatStep::Accept) return Verdict::Accept;
  if (step == NatStep::RunRules) {
    const Verdict v = run_rules();
    if (v != Verdict::Accept) return v;
  }
  return nat_hook_finish(table, ref, hook, step, pkt, out_ifindex);
}

}  // namespace iptc::runtime
