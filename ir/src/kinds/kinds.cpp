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
    &kinds::kConnmark, &kinds::kSet,
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
    &kinds::kTos,
};

// iptables 1.8.9 extensions (extensions/libxt_*, libipt_*) that iptc does not model yet.
constexpr std::string_view kForeignMatches[] = {
    "bpf", "connlabel", "connlimit", "dccp", "hashlimit", "ipcomp", "nfacct", "osf", "physdev",
    "policy", "rateest", "realm", "recent", "rpfilter", "sctp", "tcpmss", "time", "icmp6",
    "ipv6header", "frag", "hbh", "dst", "rt", "mh", "eui64", "hl", "srh", "among", "ipv6-icmp",
    "icmpv6",
};
constexpr std::string_view kForeignTargets[] = {
    "AUDIT", "CHECKSUM", "CLASSIFY", "CONNSECMARK", "DSCP", "HMARK", "IDLETIMER", "LED",
    "NETMAP", "NFQUEUE", "RATEEST", "SECMARK", "SET", "SYNPROXY", "TCPOPTSTRIP", "TEE",
    "TPROXY", "TRACE", "TTL", "CONNMARK6", "ECN", "HL", "MASQUERADE6", "ULOG",
};

}  // namespace

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
