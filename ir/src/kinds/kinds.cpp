// The kind table: rows in enum order, lookups by iptables spelling, and the names of iptables
// extensions iptc does not model yet (so they get "not supported yet", not "unknown").
#include <array>
#include <cassert>
#include <string_view>

#include "registry.hpp"

namespace iptc::ir {

namespace {

const std::array<const MatchDef*, kMatchKindCount> kMatchRows = {
    &kinds::kTcp,     &kinds::kUdp,      &kinds::kIcmp,      &kinds::kMultiport,
    &kinds::kConntrack, &kinds::kState,  &kinds::kComment,   &kinds::kMark,
    &kinds::kMac,     &kinds::kLimit,    &kinds::kAddrtype,  &kinds::kIprange,
    &kinds::kOwner,   &kinds::kPkttype,  &kinds::kLength,    &kinds::kStatistic,
    &kinds::kConnmark, &kinds::kSet,     &kinds::kRecent,    &kinds::kHashlimit,
    &kinds::kConnlimit, &kinds::kSctp,   &kinds::kPolicy,    &kinds::kRpfilter,
    &kinds::kPhysdev, &kinds::kTcpmssMatch, &kinds::kTime,
    // coverage group 2
    &kinds::kString,  &kinds::kU32,      &kinds::kDscp,      &kinds::kTosMatch,
    &kinds::kTtl,     &kinds::kEcn,      &kinds::kHelper,    &kinds::kDevgroup,
    &kinds::kCgroup,  &kinds::kSocket,   &kinds::kQuota,     &kinds::kConnbytes,
    &kinds::kEsp,     &kinds::kAh,       &kinds::kCpu,       &kinds::kCluster,
    &kinds::kIpvs,
};

const std::array<const TargetDef*, kTargetKindCount> kTargetRows = {
    &kinds::kReject, &kinds::kLog,      &kinds::kMarkTarget, &kinds::kConnmarkTarget,
    &kinds::kSnat,   &kinds::kDnat,     &kinds::kMasquerade, &kinds::kRedirect,
    &kinds::kNotrack, &kinds::kCt,      &kinds::kTcpmss,     &kinds::kNflog,
    &kinds::kTos,    &kinds::kChecksum, &kinds::kTtlTarget,  &kinds::kDscpTarget,
    &kinds::kClassify, &kinds::kTrace,  &kinds::kAudit,      &kinds::kNfqueue,
    &kinds::kSetTarget, &kinds::kSecmark, &kinds::kConnsecmark, &kinds::kLed,
    &kinds::kTee,    &kinds::kUlog,     &kinds::kSynproxy,   &kinds::kTproxy,
    &kinds::kNetmap,
};

// iptables 1.8.9 extensions (extensions/libxt_*, libipt_*) that iptc does not model yet.
constexpr std::string_view kForeignMatches[] = {
    "bpf", "connlabel", "dccp", "ipcomp", "nfacct", "osf", "rateest", "realm", "icmp6",
    "ipv6header", "frag", "hbh", "dst", "rt", "mh", "eui64", "hl", "srh", "among", "ipv6-icmp",
    "icmpv6",
};
// Only names iptables (IPv4) loads an extension for: any other -j NAME is a chain jump, as
// in iptables (HL, for one, is IPv6-only, so "-j HL" jumps to a chain named HL).
constexpr std::string_view kForeignTargets[] = {
    "HMARK", "IDLETIMER", "RATEEST", "TCPOPTSTRIP", "ECN", "CLUSTERIP",
};

// Out-of-tree targets real rule sets still name (xtables-addons 3.x, patch-o-matic).
struct OutOfTree {
  std::string_view name, origin;
};
constexpr OutOfTree kOutOfTreeTargets[] = {
    {"TARPIT", "xtables-addons"},  {"DELUDE", "xtables-addons"},  {"CHAOS", "xtables-addons"},
    {"ECHO", "xtables-addons"},    {"IPMARK", "xtables-addons"},  {"LOGMARK", "xtables-addons"},
    {"SYSRQ", "xtables-addons"},   {"DHCPMAC", "xtables-addons"}, {"DNETMAP", "xtables-addons"},
    {"ACCOUNT", "xtables-addons"}, {"PROTO", "xtables-addons"},   {"STEAL", "xtables-addons"},
    {"RAWDNAT", "xtables-addons"}, {"RAWSNAT", "xtables-addons"}, {"IPV4OPTSSTRIP", "patch-o-matic"},
    {"ROUTE", "patch-o-matic"},    {"XOR", "patch-o-matic"},      {"IPP2P", "patch-o-matic"},
};

}  // namespace

std::optional<std::string_view> out_of_tree_target(std::string_view name) {
  for (const auto& t : kOutOfTreeTargets)
    if (t.name == name) return t.origin;
  return std::nullopt;
}

const MatchDef& match_def(MatchKind k) {
  const MatchDef* d = kMatchRows[static_cast<size_t>(k)];
  assert(d->kind == k && "kind table out of order");
  return *d;
}

const TargetDef& target_def(TargetKind k) {
  const TargetDef* d = kTargetRows[static_cast<size_t>(k)];
  assert(d->kind == k && "kind table out of order");
  return *d;
}

const MatchDef* find_match_def(std::string_view name) {
  for (const MatchDef* d : kMatchRows)
    if (d->name == name) return d;
  return nullptr;
}

const TargetDef* find_target_def(std::string_view name) {
  for (const TargetDef* d : kTargetRows)
    if (d->name == name) return d;
  return nullptr;
}

bool is_known_foreign_match(std::string_view name) {
  for (auto n : kForeignMatches)
    if (n == name) return true;
  return false;
}

bool is_known_foreign_target(std::string_view name) {
  for (auto n : kForeignTargets)
    if (n == name) return true;
  return false;
}

}  // namespace iptc::ir
