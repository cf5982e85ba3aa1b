// The rows of the kind table, one per file in ir/src/kinds/. kinds.cpp orders them by
// MatchKind / TargetKind and checks that none is missing.
#pragma once

#include "iptc/ir/kinds.hpp"

namespace iptc::ir::kinds {

// Matches (match_*.cpp)
extern const MatchDef kTcp, kUdp, kIcmp, kMultiport, kConntrack, kState, kComment, kMark, kMac,
    kLimit, kAddrtype, kIprange, kOwner, kPkttype, kLength, kStatistic, kConnmark, kSet, kRecent,
    kHashlimit, kConnlimit, kSctp, kPolicy, kRpfilter, kPhysdev, kTcpmssMatch, kTime;
// Matches, coverage group 2 (-m tos is kTosMatch: kTos is the TOS target's row)
extern const MatchDef kString, kU32, kDscp, kTosMatch, kTtl, kEcn, kHelper, kDevgroup, kCgroup,
    kSocket, kQuota, kConnbytes, kEsp, kAh, kCpu, kCluster, kIpvs;

// Targets (target_*.cpp)
extern const TargetDef kReject, kLog, kMarkTarget, kConnmarkTarget, kSnat, kDnat, kMasquerade,
    kRedirect, kNotrack, kCt, kTcpmss, kNflog, kTos, kChecksum, kTtlTarget, kDscpTarget, kClassify,
    kTrace, kAudit, kNfqueue, kSetTarget, kSecmark, kConnsecmark, kLed, kTee, kUlog, kSynproxy,
    kTproxy, kNetmap;

}  // namespace iptc::ir::kinds
