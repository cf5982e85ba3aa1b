// The ipset store: the sets a rule set's `-m set` matches and `-j SET` targets refer to, with
// the kernel's membership semantics (net/netfilter/ipset/: ip_set_core.c ip_set_test/add/del,
// ip_set_hash_gen.h mtype_test/mtype_test_cidrs/mtype_add/mtype_del, the per-type kadt
// functions, ip_set_bitmap_gen.h, ip_set_list_set.c, ip_set_getport.c), and a reader for the
// text `ipset save` writes (also the same lines as `ipset ...` commands, as the corpus writes
// them; `ipset restore` semantics: a duplicate entry or an unknown set is an error).
//
// Supported types (IPv4, family inet): hash:ip (netmask), hash:net, hash:ip,port,
// hash:net,port, hash:ip,port,ip, hash:net,iface, bitmap:port (range) and list:set; create
// options timeout, counters, comment, skbinfo, forceadd, hashsize, maxelem, bucketsize,
// initval, size; entry options timeout, nomatch, packets, bytes, comment, skbmark, skbprio,
// skbqueue. Time is the caller's clock in seconds (the interpreter's packets-file clock): an
// entry added at t with timeout T is a member up to and including t + T (the kernel's
// time_is_before_jiffies), timeout 0 is permanent.
//
// The store never sees a packet struct of the interpreter: IpsetPacket carries what the kadt
// functions read from an skb (addresses, the transport header bytes, the devices, skb->len).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "iptc/runtime/packet.hpp"

namespace iptc::runtime {

enum class IpsetType : uint8_t {
  HashIp, HashNet, HashIpPort, HashNetPort, HashIpPortIp, HashNetIface, BitmapPort, ListSet,
};

/// "hash:ip", ... as ipset spells it.
std::string_view ipset_type_name(IpsetType t);
/// The type's dimension (ip_set_type.dimension): how many src/dst flags a match must give.
uint8_t ipset_type_dimension(IpsetType t);
/// IPSET_TYPE_NOMATCH: entries may carry `nomatch` and --return-nomatch applies.
bool ipset_type_has_nomatch(IpsetType t);

/// One stored element. Fields a type does not use stay zero.
struct IpsetEntry {
  uint32_t ip = 0;       ///< first dimension address (network address for net types)
  uint8_t cidr = 32;     ///< prefix length of `ip` (net types), 32 otherwise
  uint8_t proto = 0;     ///< port types: the protocol (tcp when not written)
  uint16_t port = 0;     ///< port types: the port, ICMP type << 8 | code; bitmap:port: the port
  uint32_t ip2 = 0;      ///< hash:ip,port,ip: the third dimension
  std::string iface;     ///< hash:net,iface
  bool physdev = false;  ///< hash:net,iface "physdev:" (bridge ports; never set by iptc's packets)
  uint32_t member = 0;   ///< list:set: index of the member set in the store
  bool nomatch = false;
  /// Absolute expiry on the caller's clock; +inf for permanent entries (or sets without
  /// timeout support).
  double expires = std::numeric_limits<double>::infinity();
  uint64_t packets = 0, bytes = 0;  ///< counters extension
  std::string comment;
};

struct IpsetDef {
  std::string name;
  IpsetType type = IpsetType::HashIp;
  bool with_timeout = false;  ///< created with `timeout N`
  uint32_t timeout = 0;       ///< the default timeout of entries (seconds; 0 = permanent)
  bool counters = false, comment = false, skbinfo = false, forceadd = false;
  uint8_t netmask = 32;                  ///< hash:ip
  uint16_t first_port = 0, last_port = 0;  ///< bitmap:port range
  uint32_t maxelem = 65536;              ///< hash types
  uint32_t size = 8;                     ///< list:set
};

/// What a set's kadt function reads from the packet.
struct IpsetPacket {
  const PacketView* v = nullptr;
  std::span<const uint8_t> bytes;  ///< the packet buffer v was parsed from
  std::string_view in, out;        ///< devices at this hook ("" = none)
  uint32_t len = 0;                ///< skb->len, for the counters extension
};

/// ip_set_adt_opt as xt_set builds it.
struct IpsetAdtOpt {
  enum CounterOp : uint8_t { kNone, kEq, kNe, kLt, kGt };  ///< IPSET_COUNTER_*
  // cmdflags (IPSET_FLAG_*)
  static constexpr uint32_t kExist = 1u << 0, kReturnNomatch = 1u << 7,
                            kSkipCounterUpdate = 1u << 8, kSkipSubcounterUpdate = 1u << 9,
                            kMatchCounters = 1u << 10;
  static constexpr uint32_t kNoTimeout = std::numeric_limits<uint32_t>::max();
  uint8_t dim = 0;
  uint8_t src_mask = 0;  ///< bit i: dimension i+1 reads the source (IPSET_DIM_ONE_SRC << i)
  uint32_t cmdflags = 0;
  uint32_t timeout = kNoTimeout;  ///< SET --timeout (seconds), kNoTimeout: the set's default
  CounterOp packets_op = kNone, bytes_op = kNone;
  uint64_t packets = 0, bytes = 0;
};

/// A parse error of the text format: 1-based line and column (0: the whole line), the length
/// of the offending word, a message and a hint.
struct IpsetParseError {
  uint32_t line = 0;
  uint32_t col = 0;
  uint32_t len = 0;
  std::string message;
  std::string hint;
};

class IpsetStore {
 public:
  /// Reads `ipset save` text (or `ipset create/add ...` lines); '#' comments and blank lines
  /// are skipped. Every error is reported (the parser goes on with the next line); returns
  /// false when there was any.
  bool parse(std::string_view text, std::vector<IpsetParseError>& errs);

  /// Index of the set called `name`, or -1.
  [[nodiscard]] int find(std::string_view name) const;
  [[nodiscard]] size_t size() const { return sets_.size(); }
  [[nodiscard]] const IpsetDef& def(int id) const { return sets_[size_t(id)].def; }
  /// The live entries (not expired at `now`), in insertion order.
  [[nodiscard]] std::vector<const IpsetEntry*> entries(int id, double now) const;

  /// ip_set_test: is the packet a member (xt_set's match_set before its '!')? Updates the
  /// counters of the entry it finds, as the kernel does.
  bool test(int id, const IpsetPacket& p, IpsetAdtOpt& opt, double now);
  /// ip_set_add / ip_set_del from a packet (the SET target); 0 or a negative IPSET_ERR-like
  /// code, as the kernel returns (the target ignores it).
  int add(int id, const IpsetPacket& p, const IpsetAdtOpt& opt, double now);
  int del(int id, const IpsetPacket& p, const IpsetAdtOpt& opt, double now);

  /// Creates an empty set (no entries); false when the name exists.
  bool create(IpsetDef d);
  /// Adds an element as `ipset add` does (uadt: one element; ranges are expanded by the
  /// parser). Returns false when it is already a member (IPSET_ERR_EXIST) or the set is full.
  bool add_entry(int id, IpsetEntry e, double now, std::string* why = nullptr);

 private:
  struct Set {
    IpsetDef def;
    std::vector<IpsetEntry> entries;  ///< insertion order (hash bucket order, list order)
  };
  enum Adt : uint8_t { kTest, kAdd, kDel };
  int kadt(int id, const IpsetPacket& p, Adt adt, IpsetAdtOpt& opt, double now);
  int adt_elem(Set& s, const IpsetEntry& key, Adt adt, IpsetAdtOpt& opt, const IpsetPacket& p,
               double now);
  int test_cidrs(Set& s, IpsetEntry key, IpsetAdtOpt& opt, const IpsetPacket& p, double now);
  bool match_extensions(const Set& s, IpsetEntry& e, IpsetAdtOpt& opt, uint32_t flags,
                        const IpsetPacket* p, double now);
  [[nodiscard]] std::vector<uint8_t> net_cidrs(const Set& s) const;

  std::vector<Set> sets_;
};

}  // namespace iptc::runtime
