// Target payloads: one plain struct per extension target (`-j NAME` where NAME is not a chain
// or a standard verdict), holding what the kernel's target receives, in host byte order. As
// with matches, TargetKind, TargetData and the kind table share one order.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace iptc::ir {

// ---- REJECT (ipt_reject_info) -------------------------------------------------------------
struct RejectTarget {
  enum class With : uint8_t {
    NetUnreachable, HostUnreachable, ProtUnreachable, PortUnreachable, EchoReply,
    NetProhibited, HostProhibited, TcpReset, AdminProhibited,
  };
  With with = With::PortUnreachable;
  friend bool operator==(const RejectTarget&, const RejectTarget&) = default;
};

// ---- LOG (xt_log_info) --------------------------------------------------------------------
struct LogTarget {
  enum : uint8_t {
    kTcpSeq = 0x01, kTcpOpt = 0x02, kIpOpt = 0x04, kUid = 0x08, kMacDecode = 0x20,
  };
  uint8_t level = 4;  ///< syslog level, default warning
  uint8_t logflags = 0;
  std::string prefix;  ///< at most 29 bytes
  friend bool operator==(const LogTarget&, const LogTarget&) = default;
};

// ---- MARK (xt_mark_tginfo2): new = (old & ~mask) ^ mark -----------------------------------
struct MarkTarget {
  uint32_t mark = 0;
  uint32_t mask = 0;
  friend bool operator==(const MarkTarget&, const MarkTarget&) = default;
};

// ---- CONNMARK (xt_connmark_tginfo2; iptables 1.8.9 always uses revision 2) ----------------
// connmark_tg_shift, with S the shift by shift_bits in shift_dir:
// Set: ct = S((ct & ~ctmask) ^ ctmark); Save: ct = (ct & ~ctmask) ^ S(nf & nfmask);
// Restore: nf = (nf & ~nfmask) ^ S(ct & ctmask).
struct ConnmarkTarget {
  enum class Mode : uint8_t { Set, Save, Restore };
  enum class ShiftDir : uint8_t { Left, Right };
  Mode mode = Mode::Set;
  uint32_t ctmark = 0, ctmask = ~0u, nfmask = ~0u;
  ShiftDir shift_dir = ShiftDir::Left;
  uint8_t shift_bits = 0;
  friend bool operator==(const ConnmarkTarget&, const ConnmarkTarget&) = default;
};

// ---- SNAT / DNAT / MASQUERADE / REDIRECT (nf_nat_range2) ----------------------------------
struct NatRange {
  enum : uint32_t {
    kMapIps = 1, kProtoSpecified = 2, kProtoRandom = 4, kPersistent = 8,
    kProtoRandomFully = 16, kProtoOffset = 32, kNetmap = 64,
  };
  uint32_t flags = 0;
  uint32_t min_addr = 0, max_addr = 0;
  uint16_t min_port = 0, max_port = 0;
  /// --to-destination a:p-q/base (DNAT revision 2). SNAT and MASQUERADE (revision 0 structs)
  /// accept the syntax but keep only the kProtoOffset flag, so their base is always 0.
  uint16_t base_port = 0;
  friend bool operator==(const NatRange&, const NatRange&) = default;
};
struct SnatTarget {
  NatRange range;
  friend bool operator==(const SnatTarget&, const SnatTarget&) = default;
};
struct DnatTarget {
  NatRange range;
  friend bool operator==(const DnatTarget&, const DnatTarget&) = default;
};
struct MasqueradeTarget {
  NatRange range;  ///< only ports and flags are used
  friend bool operator==(const MasqueradeTarget&, const MasqueradeTarget&) = default;
};
struct RedirectTarget {
  NatRange range;  ///< only ports and flags are used
  friend bool operator==(const RedirectTarget&, const RedirectTarget&) = default;
};

// ---- NOTRACK (an alias: the kernel holds CT revision 2 with flags notrack|alias, which
// iptables lists back as -j NOTRACK) ------------------------------------------------------------
struct NotrackTarget {
  friend bool operator==(const NotrackTarget&, const NotrackTarget&) = default;
};

// ---- CT (xt_ct_target_info_v1, revision 2) -------------------------------------------------
struct CtTarget {
  enum : uint16_t { kNotrack = 1, kNotrackAlias = 2, kZoneDirOrig = 4, kZoneDirRepl = 8,
                    kZoneMark = 16 };
  uint16_t flags = 0;
  uint16_t zone = 0;
  uint32_t ct_events = 0;   ///< bit IPCT_* per --ctevents name
  uint32_t exp_events = 0;  ///< bit IPEXP_* per --expevents name
  std::string helper;   ///< at most 15 bytes
  std::string timeout;  ///< at most 31 bytes
  friend bool operator==(const CtTarget&, const CtTarget&) = default;
};

// ---- TCPMSS (xt_tcpmss_info) --------------------------------------------------------------
struct TcpmssTarget {
  static constexpr uint16_t kClampPmtu = 0xffff;
  uint16_t mss = kClampPmtu;
  friend bool operator==(const TcpmssTarget&, const TcpmssTarget&) = default;
};

// ---- NFLOG (xt_nflog_info as iptables-nft keeps it: a native nft log expression) ----------
struct NflogTarget {
  enum : uint16_t { kCopyLen = 1 };
  uint32_t len = 0;  ///< snap length when kCopyLen; --nflog-range never reaches the kernel
  uint16_t group = 0;
  uint16_t threshold = 0;  ///< XT_NFLOG_DEFAULT_THRESHOLD is 0
  uint16_t flags = 0;
  std::string prefix;  ///< at most 127 bytes (nft log prefix; the xt struct would keep 63)
  friend bool operator==(const NflogTarget&, const NflogTarget&) = default;
};

// ---- TOS (xt_tos_target_info): new = (old & ~mask) ^ value --------------------------------
struct TosTarget {
  uint8_t value = 0;
  uint8_t mask = 0;
  friend bool operator==(const TosTarget&, const TosTarget&) = default;
};

// ---- CHECKSUM (xt_CHECKSUM_info): fill in a CHECKSUM_PARTIAL packet's checksum -----------
struct ChecksumTarget {
  enum : uint8_t { kFill = 1 };  ///< XT_CHECKSUM_OP_FILL
  uint8_t operation = 0;
  friend bool operator==(const ChecksumTarget&, const ChecksumTarget&) = default;
};

// ---- TTL (ipt_TTL_info) --------------------------------------------------------------------
// Set: ttl = value; Inc: min(ttl + value, 255); Dec: max(ttl - value, 0) (ttl_tg, xt_HL.c).
struct TtlTarget {
  enum class Mode : uint8_t { Set, Inc, Dec };  ///< IPT_TTL_SET, IPT_TTL_INC, IPT_TTL_DEC
  Mode mode = Mode::Set;
  uint8_t ttl = 0;
  friend bool operator==(const TtlTarget&, const TtlTarget&) = default;
};

// ---- DSCP (xt_DSCP_info): the upper six bits of the TOS byte; ECN bits are kept ------------
struct DscpTarget {
  uint8_t dscp = 0;  ///< 0-63
  friend bool operator==(const DscpTarget&, const DscpTarget&) = default;
};

// ---- CLASSIFY (xt_classify_target_info): skb->priority = priority ---------------------------
struct ClassifyTarget {
  uint32_t priority = 0;  ///< TC_H_MAKE(major << 16, minor)
  friend bool operator==(const ClassifyTarget&, const ClassifyTarget&) = default;
};

// ---- TRACE (no payload; iptables-nft sends nft "meta nftrace set 1") -----------------------
struct TraceTarget {
  friend bool operator==(const TraceTarget&, const TraceTarget&) = default;
};

// ---- AUDIT (xt_audit_info): an audit record; the type is only checked, never logged --------
struct AuditTarget {
  enum class Type : uint8_t { Accept, Drop, Reject };  ///< XT_AUDIT_TYPE_*
  Type type = Type::Accept;
  friend bool operator==(const AuditTarget&, const AuditTarget&) = default;
};

// ---- NFQUEUE (xt_NFQ_info_v3; iptables 1.8.9 uses revision 3 on this kernel) --------------
// The verdict is NF_QUEUE to queue queuenum, or with queues_total > 1 to one of
// queuenum .. queuenum + queues_total - 1 chosen by flow hash (or by CPU with kCpuFanout).
struct NfqueueTarget {
  enum : uint16_t { kBypass = 1, kCpuFanout = 2 };  ///< NFQ_FLAG_BYPASS, NFQ_FLAG_CPU_FANOUT
  uint16_t queuenum = 0;
  uint16_t queues_total = 1;
  uint16_t flags = 0;
  friend bool operator==(const NfqueueTarget&, const NfqueueTarget&) = default;
};

// ---- SET (xt_set_info_target_v3) -----------------------------------------------------------
struct SetTargetRef {
  std::string name;       ///< ipset name; empty: not used (IPSET_INVALID_ID)
  uint8_t dim = 0;        ///< number of src/dst directions
  uint8_t dir_flags = 0;  ///< bit i set: dimension i+1 is "src"
  friend bool operator==(const SetTargetRef&, const SetTargetRef&) = default;
};
struct SetTarget {
  // IPSET_FLAG_EXIST, IPSET_FLAG_MAP_SKBMARK, _SKBPRIO, _SKBQUEUE.
  enum : uint32_t { kExist = 1, kMapMark = 1 << 8, kMapPrio = 1 << 9, kMapQueue = 1 << 10 };
  static constexpr uint32_t kNoTimeout = UINT32_MAX;  ///< the set's default timeout
  SetTargetRef add_set, del_set, map_set;
  uint32_t flags = 0;
  uint32_t timeout = kNoTimeout;  ///< seconds, for add_set
  friend bool operator==(const SetTarget&, const SetTarget&) = default;
};

// ---- SECMARK (xt_secmark_target_info_v1): skb->secmark = the LSM id of the context ---------
struct SecmarkTarget {
  uint8_t mode = 1;     ///< SECMARK_MODE_SEL
  std::string selctx;   ///< at most 255 bytes
  friend bool operator==(const SecmarkTarget&, const SecmarkTarget&) = default;
};

// ---- CONNSECMARK (xt_connsecmark_target_info) ----------------------------------------------
struct ConnsecmarkTarget {
  enum class Mode : uint8_t { Save = 1, Restore = 2 };  ///< CONNSECMARK_SAVE, _RESTORE
  Mode mode = Mode::Save;
  friend bool operator==(const ConnsecmarkTarget&, const ConnsecmarkTarget&) = default;
};

// ---- LED (xt_led_info) ---------------------------------------------------------------------
struct LedTarget {
  static constexpr uint32_t kInfinite = UINT32_MAX;  ///< --led-delay inf
  std::string id;       ///< trigger name without the "netfilter-" prefix, at most 16 bytes
  uint8_t always_blink = 0;
  uint32_t delay = 0;   ///< milliseconds
  friend bool operator==(const LedTarget&, const LedTarget&) = default;
};

// ---- TEE (xt_tee_tginfo, revision 1): a copy of the packet is routed to gw ----------------
struct TeeTarget {
  uint32_t gw = 0;   ///< host order
  std::string oif;   ///< at most 15 bytes; empty: any
  friend bool operator==(const TeeTarget&, const TeeTarget&) = default;
};

// ---- ULOG (ipt_ulog_info; the kernel module is gone since Linux 3.17) ----------------------
struct UlogTarget {
  uint32_t nl_group = 1;     ///< bit mask, ULOG_DEFAULT_NLGROUP
  uint64_t copy_range = 0;
  uint64_t qthreshold = 1;   ///< ULOG_DEFAULT_QTHRESHOLD
  std::string prefix;        ///< at most 31 bytes
  friend bool operator==(const UlogTarget&, const UlogTarget&) = default;
};

// ---- SYNPROXY (xt_synproxy_info) -----------------------------------------------------------
struct SynproxyTarget {
  // XT_SYNPROXY_OPT_*
  enum : uint8_t { kMss = 0x01, kWscale = 0x02, kSackPerm = 0x04, kTimestamp = 0x08, kEcn = 0x10 };
  uint8_t options = 0;
  uint8_t wscale = 0;
  uint16_t mss = 0;
  friend bool operator==(const SynproxyTarget&, const SynproxyTarget&) = default;
};

// ---- TPROXY (xt_tproxy_target_info_v1) -----------------------------------------------------
// Steers the packet to a local socket at laddr:lport (0: the packet's own address/port) and
// sets mark = (mark & ~mark_mask) ^ mark_value.
struct TproxyTarget {
  uint32_t mark_mask = 0, mark_value = 0;
  uint32_t laddr = 0;  ///< host order
  uint16_t lport = 0;  ///< host order
  friend bool operator==(const TproxyTarget&, const TproxyTarget&) = default;
};

// ---- NETMAP (nf_nat_ipv4_multi_range_compat, one range with NF_NAT_RANGE_MAP_IPS) -----------
// new = (addr & ~netmask) | (min_ip & netmask), netmask = ~(min_ip ^ max_ip); the destination
// in PREROUTING/OUTPUT, the source in POSTROUTING/INPUT.
struct NetmapTarget {
  uint32_t min_ip = 0, max_ip = 0;  ///< host order
  friend bool operator==(const NetmapTarget&, const NetmapTarget&) = default;
};

/// Every extension target kind, in one order shared by TargetKind, TargetData and the table.
enum class TargetKind : uint8_t {
  Reject, Log, Mark, Connmark, Snat, Dnat, Masquerade, Redirect, Notrack, Ct, Tcpmss, Nflog, Tos,
  Checksum, Ttl, Dscp, Classify, Trace, Audit, Nfqueue, Set, Secmark, Connsecmark, Led, Tee, Ulog,
  Synproxy, Tproxy, Netmap,
};
inline constexpr size_t kTargetKindCount = 29;

using TargetData =
    std::variant<RejectTarget, LogTarget, MarkTarget, ConnmarkTarget, SnatTarget, DnatTarget,
                 MasqueradeTarget, RedirectTarget, NotrackTarget, CtTarget, TcpmssTarget,
                 NflogTarget, TosTarget, ChecksumTarget, TtlTarget, DscpTarget, ClassifyTarget,
                 TraceTarget, AuditTarget, NfqueueTarget, SetTarget, SecmarkTarget,
                 ConnsecmarkTarget, LedTarget, TeeTarget, UlogTarget, SynproxyTarget, TproxyTarget,
                 NetmapTarget>;
static_assert(std::variant_size_v<TargetData> == kTargetKindCount);

}  // namespace iptc::ir
