// Connection tracking, after net/netfilter/nf_conntrack_core.c and the protocol trackers
// nf_conntrack_proto_tcp.c, _udp.c, _icmp.c (and _generic for everything else).
//
// The idea: every packet is classified by its tuple (addresses, protocol, ports or ICMP
// id/type/code). nf_conntrack_in() (ConntrackTable::in) looks the tuple up in a hash of
// confirmed entries, where each entry is hashed twice, under its original and its reply tuple;
// a hit in the reply direction makes the packet ESTABLISHED_REPLY, a hit in the original
// direction ESTABLISHED once a reply was seen (IPS_SEEN_REPLY), NEW before. A miss allocates a
// new, *unconfirmed* entry that lives only as long as the packet does: it joins the table when
// the packet leaves POSTROUTING or is accepted in INPUT (nf_confirm, ConntrackTable::confirm),
// so a packet dropped on the way leaves nothing behind. ICMP errors are matched by the header
// they embed (nf_conntrack_icmpv4_error): if its inverted tuple belongs to a tracked flow the
// error is RELATED (or RELATED_REPLY) to that flow's entry; otherwise the error is INVALID.
// The protocol tracker then judges the packet against the entry's state (for TCP the state
// table and the window checks of tcp_in_window) and refreshes the entry's timeout; a packet the
// tracker rejects is INVALID (no entry attached) but still accepted, as the kernel does.
// Packets NOTRACK'ed in the raw table (ctinfo IP_CT_UNTRACKED without an entry) are skipped.
//
// The table is bounded like nf_conntrack_max: allocating beyond it first tries early_drop()
// (delete every non-assured entry in the new tuple's bucket and the 7 following buckets), and
// drops the packet if that frees nothing. The clock is the caller's (seconds, a double):
// entries whose timeout passed are gone, as if the kernel's garbage collector had run.
//
// Exact to the kernel: the TCP state table and window tracking (tcp_loose = 1,
// tcp_be_liberal = 0, tcp_max_retrans = 3 by default), all default timeouts, UDP
// unreplied/replied/stream timeouts and ASSURED, ICMP echo id matching and the valid_new
// check, RELATED ICMP errors in both directions, the checksum check at PREROUTING
// (nf_conntrack_checksum = 1), confirmation, reopening of closed TCP connections (-NF_REPEAT).
// Not modelled: the hash function (the kernel's is a randomly keyed siphash, so which entries
// early_drop() finds differs; ours is seeded by ConntrackOptions::seed), zones, expectations
// and helpers (FTP, SIP, ...; nothing is RELATED through an expectation), SCTP/DCCP/GRE state
// machines (tracked with the generic tracker), insertion clashes between CPUs.
//
// Use: one packet in flight at a time. in() at PREROUTING or OUTPUT; the same CtRef travels
// with the packet (including a locally generated packet looping back through lo, whose entry
// is already attached, exactly as the kernel keeps skb->_nfct); confirm() at the end of INPUT
// and POSTROUTING; end_packet() when the packet and everything it spawned (a REJECT reply)
// are done: that frees unconfirmed entries (a dropped first packet) and killed entries.
// in(), confirm() and end_packet() never throw; in() allocates only for a new entry.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "iptc/runtime/rng.hpp"

namespace iptc::runtime {

/// Netfilter hooks in NF_INET_* order (the same order as ir::Hook).
enum class Hook : uint8_t { Prerouting, Input, Forward, Output, Postrouting };

/// enum ip_conntrack_info, with the kernel's values.
enum class CtInfo : uint8_t {
  Established = 0,
  Related = 1,
  New = 2,
  EstablishedReply = 3,
  RelatedReply = 4,
  Untracked = 7,
};

enum class CtDir : uint8_t { Original = 0, Reply = 1 };

/// CTINFO2DIR.
constexpr CtDir ctinfo_dir(CtInfo i) {
  return (i == CtInfo::EstablishedReply || i == CtInfo::RelatedReply) ? CtDir::Reply
                                                                      : CtDir::Original;
}

/// The state -m state / -m conntrack --ctstate sees.
enum class CtState : uint8_t { Invalid, New, Established, Related, Untracked };

/// enum ip_conntrack_status bits (IPS_*), with the kernel's bit numbers.
namespace ips {
inline constexpr uint32_t kExpected = 1u << 0;
inline constexpr uint32_t kSeenReply = 1u << 1;
inline constexpr uint32_t kAssured = 1u << 2;
inline constexpr uint32_t kConfirmed = 1u << 3;
inline constexpr uint32_t kSrcNat = 1u << 4;
inline constexpr uint32_t kDstNat = 1u << 5;
inline constexpr uint32_t kSeqAdjust = 1u << 6;
inline constexpr uint32_t kSrcNatDone = 1u << 7;
inline constexpr uint32_t kDstNatDone = 1u << 8;
inline constexpr uint32_t kDying = 1u << 9;
inline constexpr uint32_t kFixedTimeout = 1u << 10;
inline constexpr uint32_t kTemplate = 1u << 11;
inline constexpr uint32_t kNatClash = 1u << 12;
inline constexpr uint32_t kHelper = 1u << 13;
inline constexpr uint32_t kOffload = 1u << 14;
inline constexpr uint32_t kHwOffload = 1u << 15;
inline constexpr uint32_t kNatMask = kSrcNat | kDstNat;
inline constexpr uint32_t kNatDoneMask = kSrcNatDone | kDstNatDone;
}  // namespace ips

/// struct nf_conntrack_tuple for IPv4. Host byte order. For ICMP, sport is the echo id and
/// dport holds type << 8 | code (the kernel's dst.u.icmp.type/code bytes).
struct Tuple {
  uint32_t src = 0, dst = 0;
  uint16_t sport = 0, dport = 0;
  uint8_t proto = 0;

  [[nodiscard]] uint8_t icmp_type() const { return static_cast<uint8_t>(dport >> 8); }
  [[nodiscard]] uint8_t icmp_code() const { return static_cast<uint8_t>(dport); }
  friend bool operator==(const Tuple&, const Tuple&) = default;
};

/// nf_ct_invert_tuple; false for ICMP types without an inverse (only echo, timestamp, info and
/// address requests/replies have one).
bool invert_tuple(const Tuple& orig, Tuple& inverse);

/// Protocols whose tuple carries ports (nf_ct_get_tuple: TCP, UDP, UDPLITE, SCTP; DCCP
/// tracking is gone from current kernels, so DCCP is tracked by addresses only).
constexpr bool proto_has_ports(uint8_t p) { return p == 6 || p == 17 || p == 136 || p == 132; }

enum class TcpState : uint8_t {
  None, SynSent, SynRecv, Established, FinWait, CloseWait, LastAck, TimeWait, Close, SynSent2,
};
inline constexpr size_t kTcpStateCount = 10;
const char* tcp_state_name(TcpState s);

/// struct ip_ct_tcp_state flags (IP_CT_TCP_FLAG_*).
namespace tcpctflag {
inline constexpr uint8_t kWindowScale = 0x01;
inline constexpr uint8_t kSackPerm = 0x02;
inline constexpr uint8_t kCloseInit = 0x04;
inline constexpr uint8_t kBeLiberal = 0x08;
inline constexpr uint8_t kDataUnacknowledged = 0x10;
inline constexpr uint8_t kMaxackSet = 0x20;
inline constexpr uint8_t kExpChallengeAck = 0x40;
inline constexpr uint8_t kSimultaneousOpen = 0x80;
}  // namespace tcpctflag

/// struct ip_ct_tcp_state: what is known of one direction's sequence space.
struct TcpSeen {
  uint32_t td_end = 0, td_maxend = 0, td_maxwin = 0, td_maxack = 0;
  uint8_t td_scale = 0;
  uint8_t flags = 0;
};

/// struct ip_ct_tcp.
struct TcpTrack {
  TcpState state = TcpState::None;
  TcpSeen seen[2];
  uint8_t last_dir = 0, retrans = 0, last_index = 0, last_wscale = 0, last_flags = 0;
  uint32_t last_seq = 0, last_ack = 0, last_end = 0;
  uint16_t last_win = 0;
};

/// struct nf_conn: one tracked connection.
struct Conn {
  Tuple tuple[2];  ///< [CtDir::Original], [CtDir::Reply]; the reply tuple carries NAT
  uint32_t status = 0;  ///< ips::
  uint32_t mark = 0;
  uint32_t secmark = 0;
  std::array<uint8_t, 16> labels{};  ///< connlabel bits
  /// Absolute expiry (seconds) once confirmed; before confirmation the relative timeout, which
  /// confirmation turns absolute, exactly as ct->timeout behaves in the kernel.
  double timeout = 0;
  TcpTrack tcp;
  double udp_stream_ts = 0;  ///< ct->proto.udp.stream_ts
  int masq_index = 0;        ///< nf_conn_nat.masq_index: MASQUERADE's egress ifindex
  uint64_t packets[2] = {0, 0}, bytes[2] = {0, 0};  ///< per direction (nf_conn_acct)
  uint64_t id = 0;           ///< creation order

  [[nodiscard]] uint8_t proto() const { return tuple[0].proto; }
  [[nodiscard]] const Tuple& orig() const { return tuple[0]; }
  [[nodiscard]] const Tuple& reply() const { return tuple[1]; }
  [[nodiscard]] bool confirmed() const { return (status & ips::kConfirmed) != 0; }
  [[nodiscard]] bool assured() const { return (status & ips::kAssured) != 0; }
  [[nodiscard]] bool dying() const { return (status & ips::kDying) != 0; }

  // Bookkeeping of the table (not part of the kernel's nf_conn).
  uint32_t slot_ = 0;
};

/// What skb->_nfct holds: the entry and ctinfo, or nothing (INVALID), or the untracked mark.
struct CtRef {
  Conn* ct = nullptr;
  CtInfo info = CtInfo::Established;

  [[nodiscard]] bool untracked() const { return ct == nullptr && info == CtInfo::Untracked; }
  /// NOTRACK / CT --notrack in the raw table: nf_ct_set(skb, NULL, IP_CT_UNTRACKED).
  void set_untracked() {
    ct = nullptr;
    info = CtInfo::Untracked;
  }
  void reset() {
    ct = nullptr;
    info = CtInfo::Established;
  }
};

/// The state -m state / -m conntrack see for a packet.
CtState ct_state(const CtRef& r);
const char* ct_state_name(CtState s);

/// Default timeouts of current kernels, in seconds.
struct CtTimeouts {
  /// Indexed by TcpState (None unused), then [10] = RETRANS, [11] = UNACK.
  std::array<double, 12> tcp = {0,   120, 60, 432000, 120, 60,
                                30,  120, 10, 120,    300, 300};
  double udp_unreplied = 30, udp_replied = 120;
  double icmp = 30;
  double generic = 600;
};
inline constexpr size_t kTcpTimeoutRetrans = 10, kTcpTimeoutUnack = 11;

struct ConntrackOptions {
  uint32_t max = 65536;      ///< nf_conntrack_max; 0 = unbounded
  uint32_t buckets = 0;      ///< nf_conntrack_buckets; 0 = same as max (1024 when max is 0)
  uint64_t seed = 1;         ///< hash key and the NAT random draws
  bool tcp_loose = true;     ///< nf_conntrack_tcp_loose
  bool tcp_be_liberal = false;
  uint8_t tcp_max_retrans = 3;
  bool tcp_ignore_invalid_rst = false;
  bool checksum = true;      ///< nf_conntrack_checksum: verify at PREROUTING
  CtTimeouts timeouts;
};

/// Why in() classified a packet as it did (for traces and tests).
enum class CtVerdictReason : uint8_t {
  None, Tracked, Untracked, NoTransport, BadIcmp, IcmpErrorUnrelated, BadChecksum,
  Truncated, TcpInvalidFlags, TcpInvalidNew, TcpInvalidState, TcpOutOfWindow, TcpIgnored,
  IcmpInvalidNew, NoInverse, TableFull,
};
const char* ct_reason_name(CtVerdictReason r);

class ConntrackTable {
 public:
  explicit ConntrackTable(ConntrackOptions opts = {});
  ~ConntrackTable();
  ConntrackTable(const ConntrackTable&) = delete;
  ConntrackTable& operator=(const ConntrackTable&) = delete;
  /// Entries are owned through pointers, so a moved table keeps every Conn at its address
  /// (what an engine that replaces its rule set relies on).
  ConntrackTable(ConntrackTable&&) noexcept;
  ConntrackTable& operator=(ConntrackTable&&) noexcept;

  [[nodiscard]] const ConntrackOptions& options() const { return opts_; }
  [[nodiscard]] double now() const { return now_; }
  /// Moves the clock (never backwards); entries that expire are removed lazily.
  void set_now(double t);
  void advance(double seconds) { set_now(now_ + seconds); }

  /// nf_conntrack_in at Prerouting or Output for the packet in `pkt`. `ref` is the packet's
  /// skb->_nfct: if it already holds an entry or the untracked mark, nothing happens. Returns
  /// false when the kernel would drop the packet (table full, or a TCP reopen that cannot kill
  /// the old entry); otherwise true, with `ref` holding the entry and ctinfo, or empty when
  /// the packet is INVALID. `reason` (optional) says why.
  bool in(std::span<const uint8_t> pkt, Hook hook, CtRef& ref,
          CtVerdictReason* reason = nullptr);

  /// nf_confirm at the end of Input or Postrouting: inserts an unconfirmed entry into the
  /// table. Returns false when the kernel would drop the packet (an identical entry appeared
  /// meanwhile; cannot happen with one packet in flight).
  bool confirm(CtRef& ref);

  /// The packet is gone: frees the unconfirmed entries created for it and killed entries.
  void end_packet();

  /// nf_ct_delete / conntrack -D: the entry leaves the table now (the packet that holds it
  /// keeps using it until end_packet()).
  bool kill(Conn& ct);
  /// conntrack -F.
  void flush();

  /// Entries counted against nf_conntrack_max (confirmed ones and unconfirmed ones in flight).
  [[nodiscard]] size_t count() const { return count_; }
  /// nf_conntrack_find_get: the confirmed, live entry having `t` as its original or reply tuple.
  Conn* find(const Tuple& t, CtDir* dir = nullptr);
  /// nf_conntrack_tuple_taken: is `t` some other live entry's tuple (in either direction)?
  bool tuple_taken(const Tuple& t, const Conn& ignored);
  /// Seconds until a confirmed entry expires (nf_ct_expires; 0 once expired).
  [[nodiscard]] double expires_in(const Conn& ct) const;
  /// Confirmed live entries, oldest first.
  [[nodiscard]] std::vector<const Conn*> entries() const;

  /// nf_conntrack_alter_reply: NAT changed the reply tuple of an unconfirmed entry.
  void alter_reply(Conn& ct, const Tuple& reply);
  /// The NAT by-source index (nf_nat_bysource): entries with IPS_SRC_NAT_DONE by original
  /// source (address, port, protocol), newest first, as find_appropriate_src walks them.
  void bysource_add(Conn& ct);
  template <class F>
  void for_each_bysource(const Tuple& orig, F&& f) const {
    for (auto it = bysource_.rbegin(); it != bysource_.rend(); ++it) {
      const Conn* c = *it;
      if (c->dying()) continue;  // the kernel frees killed entries at once
      const Tuple& o = c->tuple[0];
      if (o.proto == orig.proto && o.src == orig.src && o.sport == orig.sport && f(*c)) return;
    }
  }

  /// The generator for NAT draws (get_random_u16) and the hash key.
  Rng& rng() { return rng_; }

  /// The kernel's nf_ct_refresh: sets the timeout (relative while unconfirmed).
  void refresh(Conn& ct, double extra);

 private:
  struct Node {
    Conn* ct;
    uint8_t dir;
  };
  uint32_t bucket_of(const Tuple& t) const;
  Conn* lookup(const Tuple& t, CtDir* dir);
  Conn* alloc(const Tuple& orig, const Tuple& reply, uint32_t bucket, bool& full);
  void destroy(Conn* ct);
  void unhash(Conn* ct);
  void hash_insert(Conn* ct);
  bool early_drop(uint32_t bucket);
  void expire_due();
  bool is_expired(const Conn& ct) const { return ct.confirmed() && ct.timeout <= now_; }

  ConntrackOptions opts_;
  Rng rng_;
  uint64_t hash_key_[2] = {0, 0};
  double now_ = 0;
  double next_expiry_ = 0;
  uint64_t next_id_ = 1;
  size_t count_ = 0;
  std::vector<std::vector<Node>> buckets_;
  std::vector<std::unique_ptr<Conn>> conns_;  ///< every allocated entry; Conn::slot_ indexes it
  std::vector<Conn*> unconfirmed_;
  std::vector<Conn*> dead_;                   ///< killed while a packet may still hold them
  std::vector<Conn*> bysource_;               ///< oldest first
};

}  // namespace iptc::runtime
