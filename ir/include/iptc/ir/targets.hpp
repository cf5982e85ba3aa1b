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

/// Every extension target kind, in one order shared by TargetKind, TargetData and the table.
enum class TargetKind : uint8_t {
  Reject, Log, Mark, Connmark, Snat, Dnat, Masquerade, Redirect, Notrack, Ct, Tcpmss, Nflog, Tos,
};
inline constexpr size_t kTargetKindCount = 13;

using TargetData =
    std::variant<RejectTarget, LogTarget, MarkTarget, ConnmarkTarget, SnatTarget, DnatTarget,
                 MasqueradeTarget, RedirectTarget, NotrackTarget, CtTarget, TcpmssTarget,
                 NflogTarget, TosTarget>;
static_assert(std::variant_size_v<TargetData> == kTargetKindCount);

}  // namespace iptc::ir
