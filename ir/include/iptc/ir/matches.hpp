// Match payloads: one plain struct per `-m` kind, holding exactly what the kernel's match
// receives (the fields of its xt_*_info struct, in host byte order). Parsers fill them, the
// printer prints them the way iptables-save does, and the interpreter and backend evaluate them.
// The MatchKind enum and the MatchData variant list the kinds in the same order; the kind table
// (kinds.hpp) holds each kind's one row.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace iptc::ir {

/// Inclusive port interval; {0, 65535} matches every port.
struct PortRange {
  uint16_t lo = 0;
  uint16_t hi = 0xffff;
  friend bool operator==(const PortRange&, const PortRange&) = default;
};

/// An IPv4 address and mask in host byte order (addr is already masked).
struct Ipv4Net {
  uint32_t addr = 0;
  uint32_t mask = 0;
  friend bool operator==(const Ipv4Net&, const Ipv4Net&) = default;
};

// ---- tcp (xt_tcp) -------------------------------------------------------------------------
struct TcpMatch {
  enum : uint8_t { kInvSrcPort = 0x01, kInvDstPort = 0x02, kInvFlags = 0x04, kInvOption = 0x08 };
  PortRange sport;
  PortRange dport;
  uint8_t option = 0;    ///< --tcp-option N (0: none)
  uint8_t flg_mask = 0;  ///< --tcp-flags MASK COMP
  uint8_t flg_cmp = 0;
  uint8_t invflags = 0;
  friend bool operator==(const TcpMatch&, const TcpMatch&) = default;
};

// ---- udp (xt_udp) -------------------------------------------------------------------------
struct UdpMatch {
  enum : uint8_t { kInvSrcPort = 0x01, kInvDstPort = 0x02 };
  PortRange sport;
  PortRange dport;
  uint8_t invflags = 0;
  friend bool operator==(const UdpMatch&, const UdpMatch&) = default;
};

// ---- icmp (ipt_icmp) ----------------------------------------------------------------------
struct IcmpMatch {
  uint8_t type = 0xff;  ///< 0xff with codes 0..255 is "any"
  uint8_t code_lo = 0;
  uint8_t code_hi = 0xff;
  bool invert = false;
  friend bool operator==(const IcmpMatch&, const IcmpMatch&) = default;
};

// ---- multiport (xt_multiport_v1) ----------------------------------------------------------
struct MultiportMatch {
  enum class Dir : uint8_t { Source, Destination, Either };
  Dir dir = Dir::Destination;
  /// Up to 15 port slots, as in the kernel struct: {p, p} is one port (one slot), lo < hi a
  /// range (two slots, pflags set).
  std::vector<PortRange> ports;
  bool invert = false;
  friend bool operator==(const MultiportMatch&, const MultiportMatch&) = default;
};

// ---- conntrack (xt_conntrack_mtinfo3) -----------------------------------------------------
/// Unlike Ipv4Net elsewhere, the four addresses are kept as written (not masked): the kernel
/// compares ((addr ^ packet) & mask) and iptables-save prints the unmasked address. Port
/// ranges are inclusive, lo > hi never matches; a field counts only when its match_flags bit
/// is set.
struct ConntrackMatch {
  // match_flags / invert_flags bits (XT_CONNTRACK_*)
  enum : uint16_t {
    kState = 1 << 0, kProto = 1 << 1, kOrigSrc = 1 << 2, kOrigDst = 1 << 3, kReplSrc = 1 << 4,
    kReplDst = 1 << 5, kStatus = 1 << 6, kExpires = 1 << 7, kOrigSrcPort = 1 << 8,
    kOrigDstPort = 1 << 9, kReplSrcPort = 1 << 10, kReplDstPort = 1 << 11,
    kDirection = 1 << 12, kStateAlias = 1 << 13,
  };
  // state_mask bits (XT_CONNTRACK_STATE_BIT): INVALID 1, ESTABLISHED 2, RELATED 4, NEW 8,
  // SNAT 0x40 (bit IP_CT_NUMBER+1), DNAT 0x80, UNTRACKED 0x100.
  enum : uint16_t {
    kStInvalid = 1 << 0, kStEstablished = 1 << 1, kStRelated = 1 << 2, kStNew = 1 << 3,
    kStSnat = 1 << 6, kStDnat = 1 << 7, kStUntracked = 1 << 8,
  };
  // status_mask bits (IPS_*): EXPECTED 1, SEEN_REPLY 2, ASSURED 4, CONFIRMED 8.
  enum : uint16_t { kStatusExpected = 1, kStatusSeenReply = 2, kStatusAssured = 4,
                    kStatusConfirmed = 8 };
  Ipv4Net origsrc, origdst, replsrc, repldst;
  uint32_t expires_min = 0, expires_max = 0;
  uint16_t l4proto = 0;
  PortRange origsrc_port{0, 0}, origdst_port{0, 0}, replsrc_port{0, 0}, repldst_port{0, 0};
  uint16_t match_flags = 0, invert_flags = 0;
  uint16_t state_mask = 0, status_mask = 0;
  friend bool operator==(const ConntrackMatch&, const ConntrackMatch&) = default;
};

// ---- state (conntrack revision 3 with XT_CONNTRACK_STATE_ALIAS) --------------------------
/// `-m state` is an alias: iptables 1.8.9 loads the kernel's conntrack match (revision 3) with
/// only the state test, so the bits and the inversion are those of ConntrackMatch, and an
/// inverted state is a flag, not a complemented mask.
struct StateMatch {
  /// ConntrackMatch::kSt* bits: INVALID, ESTABLISHED, RELATED, NEW, UNTRACKED.
  uint16_t state_mask = 0;
  bool invert = false;
  friend bool operator==(const StateMatch&, const StateMatch&) = default;
};

// ---- comment (xt_comment) -----------------------------------------------------------------
struct CommentMatch {
  std::string comment;  ///< at most 255 bytes
  friend bool operator==(const CommentMatch&, const CommentMatch&) = default;
};

// ---- mark (xt_mark_mtinfo1) ---------------------------------------------------------------
struct MarkMatch {
  uint32_t mark = 0;
  uint32_t mask = 0xffffffff;
  bool invert = false;
  friend bool operator==(const MarkMatch&, const MarkMatch&) = default;
};

// ---- mac (xt_mac_info) --------------------------------------------------------------------
struct MacMatch {
  std::array<uint8_t, 6> addr{};
  bool invert = false;
  friend bool operator==(const MacMatch&, const MacMatch&) = default;
};

// ---- limit (xt_rateinfo) ------------------------------------------------------------------
struct LimitMatch {
  static constexpr uint32_t kScale = 10000;  ///< XT_LIMIT_SCALE
  uint32_t avg = kScale * 60 * 60 / 3;       ///< period between packets, in 1/kScale seconds
  uint32_t burst = 5;
  /// iptables-nft never loads xt_limit: nft.c add_nft_limit turns the match into an nf_tables
  /// limit expression of `nft_rate` packets per `nft_unit` seconds (token cost
  /// nft_unit * 1e9 / nft_rate ns, bucket burst * cost). nft_canonicalize sets them and sets
  /// avg/burst to what listing shows; 0 before (a rule not yet added to a table).
  uint64_t nft_rate = 0;
  uint64_t nft_unit = 0;
  /// The rule asked for burst 0, which the kernel's nft limit turns into 5 (burst then holds
  /// 5). iptables-restore compares -D/-C rules with the rules of its own transaction before
  /// the kernel sees them, so there "--limit-burst 0" and "--limit-burst 5" still differ.
  bool nft_burst_defaulted = false;
  friend bool operator==(const LimitMatch&, const LimitMatch&) = default;
};

// ---- addrtype (xt_addrtype_info_v1) -------------------------------------------------------
struct AddrtypeMatch {
  enum : uint32_t { kInvSource = 1, kInvDest = 2, kLimitIfaceIn = 4, kLimitIfaceOut = 8 };
  // type bits: 1 << RTN_*: UNSPEC 0, UNICAST 1, LOCAL 2, BROADCAST 3, ANYCAST 4, MULTICAST 5,
  // BLACKHOLE 6, UNREACHABLE 7, PROHIBIT 8, THROW 9, NAT 10, XRESOLVE 11
  uint16_t source = 0;
  uint16_t dest = 0;
  uint32_t flags = 0;
  friend bool operator==(const AddrtypeMatch&, const AddrtypeMatch&) = default;
};

// ---- iprange (xt_iprange_mtinfo) ----------------------------------------------------------
struct IprangeMatch {
  enum : uint8_t { kSrc = 1, kDst = 2, kSrcInv = 0x10, kDstInv = 0x20 };
  uint32_t src_min = 0, src_max = 0, dst_min = 0, dst_max = 0;
  uint8_t flags = 0;
  friend bool operator==(const IprangeMatch&, const IprangeMatch&) = default;
};

// ---- owner (xt_owner_match_info) ----------------------------------------------------------
struct OwnerMatch {
  enum : uint8_t { kUid = 1, kGid = 2, kSocket = 4, kSupplGroups = 8 };
  uint32_t uid_min = 0, uid_max = 0, gid_min = 0, gid_max = 0;
  uint8_t match = 0, invert = 0;
  friend bool operator==(const OwnerMatch&, const OwnerMatch&) = default;
};

// ---- pkttype (xt_pkttype_info) ------------------------------------------------------------
struct PkttypeMatch {
  uint8_t pkttype = 0;  ///< PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3
  bool invert = false;
  friend bool operator==(const PkttypeMatch&, const PkttypeMatch&) = default;
};

// ---- length (xt_length_info) --------------------------------------------------------------
struct LengthMatch {
  uint16_t min = 0, max = 0xffff;
  bool invert = false;
  friend bool operator==(const LengthMatch&, const LengthMatch&) = default;
};

// ---- statistic (xt_statistic_info) --------------------------------------------------------
struct StatisticMatch {
  enum class Mode : uint8_t { Random, Nth };
  Mode mode = Mode::Random;
  bool invert = false;
  uint32_t probability = 0;  ///< random: P * 2^31, as the kernel compares it
  uint32_t every = 0;        ///< nth: every - 1 as stored by the kernel
  uint32_t packet = 0;       ///< nth: initial counter
  friend bool operator==(const StatisticMatch&, const StatisticMatch&) = default;
};

// ---- connmark (xt_connmark_mtinfo1) -------------------------------------------------------
struct ConnmarkMatch {
  uint32_t mark = 0;
  uint32_t mask = 0xffffffff;
  bool invert = false;
  friend bool operator==(const ConnmarkMatch&, const ConnmarkMatch&) = default;
};

// ---- set (xt_set_info_match_v4) -----------------------------------------------------------
struct SetMatch {
  // flags (IPSET_FLAG_*)
  enum : uint32_t {
    kReturnNomatch = 1 << 7, kSkipCounterUpdate = 1 << 8, kSkipSubcounterUpdate = 1 << 9,
  };
  enum class CounterOp : uint8_t { None, Eq, Ne, Lt, Gt };
  std::string name;          ///< ipset name (a reference; contents come from --ipset)
  uint8_t dim = 0;           ///< number of src/dst directions given
  uint8_t dir_flags = 0;     ///< bit i set: dimension i+1 is "src" (IPSET_DIM_ONE_SRC << i)
  bool invert = false;       ///< IPSET_INV_MATCH
  uint32_t flags = 0;
  CounterOp packets_op = CounterOp::None;
  uint64_t packets = 0;
  CounterOp bytes_op = CounterOp::None;
  uint64_t bytes = 0;
  friend bool operator==(const SetMatch&, const SetMatch&) = default;
};

// ---- recent (xt_recent_mtinfo_v1) --------------------------------------------------------
/// A named list of recently seen addresses, shared by every rule (of any table) that names it
/// within one network namespace. The list is created by the first rule that names it and
/// keeps that rule's mask; a later rule's --mask is ignored for an existing list. Exactly one
/// of kSet, kCheck, kUpdate, kRemove is set; kTtl and kReap only with kCheck or kUpdate.
struct RecentMatch {
  // check_set bits (XT_RECENT_*)
  enum : uint8_t {
    kCheck = 1 << 0,   ///< --rcheck: is the address in the list (young and frequent enough)?
    kSet = 1 << 1,     ///< --set: add or refresh the address; always "matches"
    kUpdate = 1 << 2,  ///< --update: as --rcheck, and on a match add a time stamp
    kRemove = 1 << 3,  ///< --remove: matches when present, and removes the entry
    kTtl = 1 << 4,     ///< --rttl: the entry's TTL must equal the packet's
    kReap = 1 << 5,    ///< --reap: drop the list's oldest entry when older than --seconds
  };
  enum class Side : uint8_t { Source, Dest };  ///< XT_RECENT_SOURCE 0, XT_RECENT_DEST 1
  uint32_t seconds = 0;    ///< stamps older than this many seconds do not count (0: any age)
  uint32_t hit_count = 0;  ///< at least this many counted stamps are needed (0: one)
  uint8_t check_set = 0;
  bool invert = false;     ///< '!' before the command: the match result is negated
  std::string name = "DEFAULT";  ///< list name, 1 to 199 bytes
  Side side = Side::Source;      ///< --rsource / --rdest: the address looked up
  uint32_t mask = 0xffffffff;    ///< --mask (XT_RECENT rev 1), host order
  /// Bytes 4-15 of the kernel's union nf_inet_addr mask: all ones by default (recent_init),
  /// zero once --mask is given (XTTYPE_HOST copies a zero-padded address). They never affect
  /// IPv4 matching, but iptables -D/-C compare them: a rule written without --mask differs
  /// from one with "--mask 255.255.255.255".
  bool mask_tail_ones = true;
  friend bool operator==(const RecentMatch&, const RecentMatch&) = default;
};

// ---- hashlimit (xt_hashlimit_mtinfo3, struct hashlimit_cfg3) -----------------------------
/// A token bucket per flow key, in a table named `name` shared by every rule naming it
/// (per network namespace and family; the first rule fixes size, max, gc_interval, expire,
/// mode, masks and rates of the table, later rules only add their own mode bits kInvert,
/// kBytes and kRateMatch, see the evaluation notes).
struct HashlimitMatch {
  enum : uint32_t {
    kHashDstIp = 1 << 0,    ///< XT_HASHLIMIT_HASH_DIP: the key includes the destination
    kHashDstPort = 1 << 1,  ///< XT_HASHLIMIT_HASH_DPT
    kHashSrcIp = 1 << 2,    ///< XT_HASHLIMIT_HASH_SIP
    kHashSrcPort = 1 << 3,  ///< XT_HASHLIMIT_HASH_SPT
    kInvert = 1 << 4,       ///< --hashlimit-above (or '! --hashlimit-upto'): match over the limit
    kBytes = 1 << 5,        ///< the rate is in bytes per second
    kRateMatch = 1 << 6,    ///< --hashlimit-rate-match: measure the rate, do not consume
  };
  static constexpr uint64_t kScale = 1000000;  ///< XT_HASHLIMIT_SCALE_v2
  std::string name;   ///< 1 to 254 bytes, no '/', not "." or ".."
  /// Packets: the period between packets in 1/kScale s (kScale * unit / N), divided by the
  /// unit in seconds with kRateMatch. Bytes: the cost of one 16-byte chunk,
  /// UINT32_MAX / (bytes_per_second / 16 + 1).
  uint64_t avg = 0;
  /// Packets: bucket depth in packets (1..1000000). Bytes: how many times an empty bucket may
  /// be refilled at once (0: none).
  uint64_t burst = 5;
  uint32_t mode = 0;
  /// Hash buckets as written (0: from memory size). The kernel's checkentry cuts size and
  /// max to 1048576 in the rule it keeps (and lists); iptables-restore compares the rules of
  /// one transaction as sent, so the written value is kept here and the cut is applied by
  /// the printer and must be applied by evaluation.
  uint32_t size = 0;
  uint32_t max = 0;             ///< entries as written (0: 8 * size; below size: size)
  uint32_t gc_interval = 1000;  ///< ms between garbage collections
  uint32_t expire = 0;          ///< ms an idle entry lives
  uint32_t interval = 0;        ///< kRateMatch: measuring window in seconds
  uint8_t srcmask = 32, dstmask = 32;  ///< prefix lengths applied to the key's addresses
  /// Parser scratch (iptables' udata): the written rate's unit in seconds, 15 for a byte
  /// rate. The final check uses it for defaults and resets it to 0; never sent to the kernel.
  uint32_t mult = 0;
  friend bool operator==(const HashlimitMatch&, const HashlimitMatch&) = default;
};

// ---- connlimit (xt_connlimit_info, revision 1) -------------------------------------------
/// Counts the connections (conntrack entries not closed) whose original source (or with
/// kDaddr destination) address, masked, equals the packet's; state per rule.
struct ConnlimitMatch {
  enum : uint32_t { kInvert = 1, kDaddr = 2 };  ///< XT_CONNLIMIT_INVERT, XT_CONNLIMIT_DADDR
  uint32_t mask = 0xffffffff;  ///< host order
  /// Bytes 4-15 of the kernel's mask: all ones by default and for a mask that is no prefix,
  /// zero after "--connlimit-mask N" (XTTYPE_PLENMASK). Irrelevant to IPv4 matching, but
  /// compared by iptables -D/-C (the listed "--connlimit-mask 32" differs from no option).
  bool mask_tail_ones = true;
  uint32_t limit = 0;
  uint32_t flags = 0;  ///< kInvert: --connlimit-upto (match count <= limit), else count > limit
  friend bool operator==(const ConnlimitMatch&, const ConnlimitMatch&) = default;
};

// ---- sctp (xt_sctp_info) -----------------------------------------------------------------
struct SctpMatch {
  enum : uint32_t { kSrcPorts = 1, kDestPorts = 2, kChunkTypes = 4 };  ///< flags, invflags
  enum : uint32_t { kMatchAny = 1, kMatchAll = 2, kMatchOnly = 4 };    ///< chunk_match_type
  /// A flag test on one chunk type: (chunk flags & flag_mask) == flag. iptables writes the
  /// index of the chunk name in its own table as chunktype, which is the chunk type only for
  /// DATA..SHUTDOWN_COMPLETE (0-14); the kernel tests the value as a chunk type.
  struct FlagInfo {
    uint8_t chunktype = 0, flag = 0, flag_mask = 0;
    friend bool operator==(const FlagInfo&, const FlagInfo&) = default;
  };
  PortRange spts, dpts;  ///< inclusive, host order
  /// Bit t set: chunk type t takes part (types 0-255; "ALL" sets every bit).
  std::array<uint32_t, 8> chunkmap{};
  uint32_t chunk_match_type = 0;
  std::vector<FlagInfo> flag_info;  ///< at most 4 (XT_NUM_SCTP_FLAGS)
  uint32_t flags = 0, invflags = 0;
  friend bool operator==(const SctpMatch&, const SctpMatch&) = default;
};

// ---- policy (xt_policy_info) -------------------------------------------------------------
struct PolicyMatch {
  enum : uint16_t { kIn = 1, kOut = 2, kNone = 4, kStrict = 8 };  ///< XT_POLICY_MATCH_*
  enum : uint8_t { kTransport = 0, kTunnel = 1 };                 ///< XT_POLICY_MODE_*
  /// xt_policy_spec bits: which fields an element tests (match) and negates (invert).
  enum : uint8_t { kSaddr = 1, kDaddr = 2, kProto = 4, kMode = 8, kSpi = 16, kReqid = 32 };
  struct Elem {
    /// Tunnel end points as written (the kernel compares (addr ^ sa) & mask), host order.
    Ipv4Net saddr, daddr;
    /// Bytes 4-15 of smask/dmask: all ones when the address was written without a mask (or
    /// with one that is no prefix), zero with "/N" or when absent. Irrelevant to IPv4
    /// matching, but compared by iptables -D/-C ("1.2.3.4" differs from "1.2.3.4/32").
    bool smask_tail_ones = false, dmask_tail_ones = false;
    /// As iptables stores it: the number written, in host order, where the kernel expects
    /// network order. On a little-endian host the SA's SPI must be bswap32(spi) to match.
    uint32_t spi = 0;
    uint32_t reqid = 0;
    uint8_t proto = 0;  ///< 50 esp, 51 ah, 108 ipcomp
    uint8_t mode = kTransport;
    uint8_t match = 0, invert = 0;
    friend bool operator==(const Elem&, const Elem&) = default;
  };
  /// Elements in order (--next starts the next); only the first len count. An element
  /// written with --pol none is kept (as iptables keeps it) but not counted.
  std::array<Elem, 4> pol{};
  uint16_t flags = 0;
  uint16_t len = 0;
  friend bool operator==(const PolicyMatch&, const PolicyMatch&) = default;
};

// ---- rpfilter (xt_rpfilter_info) ---------------------------------------------------------
struct RpfilterMatch {
  enum : uint8_t { kLoose = 1, kValidMark = 2, kAcceptLocal = 4, kInvert = 8 };
  uint8_t flags = 0;
  friend bool operator==(const RpfilterMatch&, const RpfilterMatch&) = default;
};

// ---- physdev (xt_physdev_info) -----------------------------------------------------------
struct PhysdevMatch {
  enum : uint8_t { kIn = 1, kOut = 2, kBridged = 4, kIsIn = 8, kIsOut = 16 };  ///< XT_PHYSDEV_OP_*
  /// Bridge port names as written (at most 15 bytes): a trailing '+' matches every name with
  /// the prefix before it, an empty name every port, anything else the name exactly (the
  /// kernel's in_mask/out_mask, which xtables_parse_interface derives from the name).
  std::string physindev, physoutdev;
  uint8_t invert = 0, bitmask = 0;
  friend bool operator==(const PhysdevMatch&, const PhysdevMatch&) = default;
};

// ---- tcpmss (xt_tcpmss_match_info) -------------------------------------------------------
struct TcpmssMatch {
  uint16_t mss_min = 0, mss_max = 0;  ///< inclusive range of the SYN's MSS option
  bool invert = false;
  friend bool operator==(const TcpmssMatch&, const TcpmssMatch&) = default;
};

// ---- time (xt_time_info) -----------------------------------------------------------------
struct TimeMatch {
  enum : uint8_t { kLocalTz = 1, kContiguous = 2 };  ///< XT_TIME_LOCAL_TZ, XT_TIME_CONTIGUOUS
  uint32_t date_start = 0;           ///< seconds since the epoch, UTC (inclusive)
  uint32_t date_stop = 0x7fffffff;   ///< (inclusive)
  uint32_t daytime_start = 0;        ///< seconds since midnight
  uint32_t daytime_stop = 86399;
  uint32_t monthdays_match = 0xfffffffe;  ///< bit d: day d of the month (1-31)
  uint8_t weekdays_match = 0xfe;          ///< bit d: ISO weekday d (1 Monday .. 7 Sunday)
  uint8_t flags = 0;
  friend bool operator==(const TimeMatch&, const TimeMatch&) = default;
};

// ==== coverage group 2: string .. ipvs ====================================================
// (kept in one block after Set, in the same order as MatchKind and MatchData below)

// ---- string (xt_string_info, revision 1) --------------------------------------------------
/// skb_find_text over the packet from the IP header on: the pattern must lie wholly inside
/// bytes [from_offset, to_offset) of the packet (to_offset is also clipped to its length).
struct StringMatch {
  uint16_t from_offset = 0;
  uint16_t to_offset = 0xffff;
  /// textsearch algorithm as the kernel looks it up: "bm" or "kmp" (this kernel also has "fsm",
  /// whose pattern is an array of 4-byte ts_fsm_token). At most 15 bytes.
  std::string algo;
  std::string pattern;  ///< raw bytes, 1-128 (XT_STRING_MAX_PATTERN_SIZE)
  bool invert = false;  ///< XT_STRING_FLAG_INVERT
  bool icase = false;   ///< XT_STRING_FLAG_IGNORECASE: both sides compared after toupper()
  friend bool operator==(const StringMatch&, const StringMatch&) = default;
};

// ---- u32 (xt_u32) -------------------------------------------------------------------------
/// Tests joined by &&; the match holds when every test holds, then `invert` flips it. Each
/// test reads a big-endian 32-bit word at location[0], then applies the operators in order
/// (shifts as x86 does them, count modulo 32); '@' moves the base by the value so far and
/// reads the word at base + number. Any read beyond the packet fails the whole match.
struct U32Match {
  /// XT_U32_AND, XT_U32_LEFTSH, XT_U32_RIGHTSH, XT_U32_AT (kernel values 0-3).
  enum class Op : uint8_t { And, LeftShift, RightShift, At };
  struct Location {
    Op op = Op::And;  ///< how this number combines with the value so far (unused for the first)
    uint32_t number = 0;
    friend bool operator==(const Location&, const Location&) = default;
  };
  struct Range {
    uint32_t min = 0, max = 0;  ///< inclusive; min > max never matches
    friend bool operator==(const Range&, const Range&) = default;
  };
  struct Test {
    std::vector<Location> location;  ///< 1-10 (nnums)
    std::vector<Range> value;        ///< 1-10 (nvalues)
    friend bool operator==(const Test&, const Test&) = default;
  };
  std::vector<Test> tests;  ///< 1-10 (ntests)
  bool invert = false;
  friend bool operator==(const U32Match&, const U32Match&) = default;
};

// ---- dscp (xt_dscp_info) ------------------------------------------------------------------
struct DscpMatch {
  uint8_t dscp = 0;  ///< 0-63, compared with tos >> 2
  bool invert = false;
  friend bool operator==(const DscpMatch&, const DscpMatch&) = default;
};

// ---- tos (xt_tos_match_info, revision 1) --------------------------------------------------
/// Matches (tos & mask) == value; a value with bits outside the mask never matches.
struct TosMatch {
  uint8_t value = 0;
  uint8_t mask = 0xff;
  bool invert = false;
  friend bool operator==(const TosMatch&, const TosMatch&) = default;
};

// ---- ttl (ipt_ttl_info) -------------------------------------------------------------------
struct TtlMatch {
  enum class Mode : uint8_t { Eq, Ne, Lt, Gt };  ///< IPT_TTL_EQ..GT (kernel values 0-3)
  Mode mode = Mode::Eq;
  uint8_t ttl = 0;
  friend bool operator==(const TtlMatch&, const TtlMatch&) = default;
};

// ---- ecn (xt_ecn_info) --------------------------------------------------------------------
struct EcnMatch {
  /// operation / invert bits (XT_ECN_OP_MATCH_*).
  enum : uint8_t { kMatchIp = 0x01, kMatchEce = 0x10, kMatchCwr = 0x20 };
  uint8_t operation = 0;
  uint8_t invert = 0;
  uint8_t ip_ect = 0;  ///< 0-3, compared with tos & 3
  friend bool operator==(const EcnMatch&, const EcnMatch&) = default;
};

// ---- helper (xt_helper_info) --------------------------------------------------------------
struct HelperMatch {
  /// At most 29 bytes. The match holds when the packet's connection has a master whose
  /// helper's name is a prefix of `name` (strncmp over the helper name's length); an empty
  /// name accepts any helper. No connection, master or helper: no match (before invert).
  std::string name;
  bool invert = false;
  friend bool operator==(const HelperMatch&, const HelperMatch&) = default;
};

// ---- devgroup (xt_devgroup_info) ----------------------------------------------------------
struct DevgroupMatch {
  enum : uint32_t { kMatchSrc = 1, kInvertSrc = 2, kMatchDst = 4, kInvertDst = 8 };
  uint32_t flags = 0;
  uint32_t src_group = 0, src_mask = 0;  ///< input device: ((group ^ src_group) & src_mask) == 0
  uint32_t dst_group = 0, dst_mask = 0;  ///< output device
  friend bool operator==(const DevgroupMatch&, const DevgroupMatch&) = default;
};

// ---- cgroup (xt_cgroup_info_v2) -----------------------------------------------------------
/// The kernel wants exactly one of path and classid. The path is resolved in the host's
/// cgroup2 tree when the rule is loaded; the socket's cgroup must lie at or below it.
struct CgroupMatch {
  bool has_path = false, has_classid = false;
  bool invert_path = false, invert_classid = false;
  std::string path;      ///< at most 511 bytes
  uint32_t classid = 0;  ///< net_cls classid of the socket's cgroup
  friend bool operator==(const CgroupMatch&, const CgroupMatch&) = default;
};

// ---- socket (xt_socket_mtinfo3) -----------------------------------------------------------
struct SocketMatch {
  enum : uint8_t { kTransparent = 1, kNowildcard = 2, kRestoreSkmark = 4 };
  uint8_t flags = 0;
  friend bool operator==(const SocketMatch&, const SocketMatch&) = default;
};

// ---- quota (xt_quota_info) ----------------------------------------------------------------
/// A byte budget per rule (state: the remaining quota, starting at `quota`).
struct QuotaMatch {
  uint64_t quota = 0;
  bool invert = false;  ///< XT_QUOTA_INVERT
  friend bool operator==(const QuotaMatch&, const QuotaMatch&) = default;
};

// ---- connbytes (xt_connbytes_info) --------------------------------------------------------
/// Reads the connection's accounting counters (a packet without conntrack never matches).
/// from <= to: from <= counter <= to. from > to (an inverted range, stored swapped):
/// counter < to || counter > from.
struct ConnbytesMatch {
  enum class What : uint8_t { Packets, Bytes, AvgPkt };          ///< XT_CONNBYTES_PKTS..AVGPKT
  enum class Dir : uint8_t { Original, Reply, Both };            ///< XT_CONNBYTES_DIR_*
  uint64_t from = 0, to = 0;
  What what = What::Packets;
  Dir direction = Dir::Original;
  friend bool operator==(const ConnbytesMatch&, const ConnbytesMatch&) = default;
};

// ---- esp (xt_esp) and ah (ipt_ah) ---------------------------------------------------------
/// spi_min <= SPI <= spi_max (host order), then invert; a range with min > max never matches.
struct EspMatch {
  uint32_t spi_min = 0, spi_max = 0xffffffff;
  bool invert = false;  ///< XT_ESP_INV_SPI
  friend bool operator==(const EspMatch&, const EspMatch&) = default;
};
struct AhMatch {
  uint32_t spi_min = 0, spi_max = 0xffffffff;
  bool invert = false;  ///< IPT_AH_INV_SPI
  friend bool operator==(const AhMatch&, const AhMatch&) = default;
};

// ---- cpu (xt_cpu_info) --------------------------------------------------------------------
struct CpuMatch {
  uint32_t cpu = 0;  ///< compared with the number of the CPU processing the packet
  bool invert = false;
  friend bool operator==(const CpuMatch&, const CpuMatch&) = default;
};

// ---- cluster (xt_cluster_match_info) ------------------------------------------------------
struct ClusterMatch {
  uint32_t total_nodes = 0;  ///< 1-32
  uint32_t node_mask = 0;    ///< bit i: this host is node i+1; < 1 << total_nodes
  uint32_t hash_seed = 0;
  bool invert = false;  ///< XT_CLUSTER_F_INV
  friend bool operator==(const ClusterMatch&, const ClusterMatch&) = default;
};

// ---- ipvs (xt_ipvs_mtinfo) ----------------------------------------------------------------
struct IpvsMatch {
  /// bitmask / invert bits (XT_IPVS_*): a property counts only when its bitmask bit is set.
  enum : uint8_t {
    kIpvsProperty = 1 << 0, kProto = 1 << 1, kVaddr = 1 << 2, kVport = 1 << 3, kDir = 1 << 4,
    kMethod = 1 << 5, kVportctl = 1 << 6,
  };
  /// IP_VS_CONN_F_* forwarding methods.
  enum : uint32_t { kMasq = 0, kTunnel = 2, kDroute = 3 };
  Ipv4Net vaddr;  ///< as written, not masked: the kernel compares (addr ^ vaddr) & mask
  uint16_t vport = 0, vportctl = 0;  ///< host order
  uint8_t l4proto = 0;
  uint32_t fwd_method = 0;
  uint8_t bitmask = 0, invert = 0;  ///< invert of kDir: the REPLY direction
  friend bool operator==(const IpvsMatch&, const IpvsMatch&) = default;
};

/// Every match kind, in one order shared by MatchKind, MatchData and the kind table.
enum class MatchKind : uint8_t {
  Tcp, Udp, Icmp, Multiport, Conntrack, State, Comment, Mark, Mac, Limit, Addrtype, Iprange,
  Owner, Pkttype, Length, Statistic, Connmark, Set, Recent, Hashlimit, Connlimit, Sctp, Policy,
  Rpfilter, Physdev, Tcpmss, Time,
  // coverage group 2
  String, U32, Dscp, Tos, Ttl, Ecn, Helper, Devgroup, Cgroup, Socket, Quota, Connbytes, Esp, Ah,
  Cpu, Cluster, Ipvs,
};
inline constexpr size_t kMatchKindCount = 44;

using MatchData =
    std::variant<TcpMatch, UdpMatch, IcmpMatch, MultiportMatch, ConntrackMatch, StateMatch,
                 CommentMatch, MarkMatch, MacMatch, LimitMatch, AddrtypeMatch, IprangeMatch,
                 OwnerMatch, PkttypeMatch, LengthMatch, StatisticMatch, ConnmarkMatch, SetMatch,
                 RecentMatch, HashlimitMatch, ConnlimitMatch, SctpMatch, PolicyMatch,
                 RpfilterMatch, PhysdevMatch, TcpmssMatch, TimeMatch,
                 // coverage group 2
                 StringMatch, U32Match, DscpMatch, TosMatch, TtlMatch, EcnMatch, HelperMatch,
                 DevgroupMatch, CgroupMatch, SocketMatch, QuotaMatch, ConnbytesMatch, EspMatch,
                 AhMatch, CpuMatch, ClusterMatch, IpvsMatch>;
static_assert(std::variant_size_v<MatchData> == kMatchKindCount);

}  // namespace iptc::ir
