// Direct netlink queries of the firewall namespace: nf_tables rule and chain counters,
// conntrack entries (dump and flush) and route lookups.
//
// Why not `iptables-save -c` and `conntrack -L` after every packet: each costs a fork, an exec
// and (for iptables-save) the loading of every xtables extension, 25-40 ms a call, which
// would cap the suite at a few thousand packets. The same answers come straight from the
// kernel in well under a millisecond through NETLINK_NETFILTER (nf_tables GETRULE/GETCHAIN
// dumps, ctnetlink) and NETLINK_ROUTE (RTM_GETROUTE). iptables-nft adds exactly one `counter`
// expression to every rule, after its matches and before its target (iptables/nft-ipv4.c), so
// a rule's nft counter is the iptables rule counter; a base chain's own counters count the
// packets its policy decided. The rules of a chain are dumped in chain order, which is the
// order `iptables-save` lists them in.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace iptc::kernel_test {

/// Packet counters of every rule and base-chain policy of the IPv4 nf_tables tables.
struct CounterSnapshot {
  /// (table, chain) -> per-rule packet counters in chain order.
  std::map<std::pair<std::string, std::string>, std::vector<uint64_t>> rules;
  /// (table, chain) -> policy packet counter, for base chains.
  std::map<std::pair<std::string, std::string>, uint64_t> policies;
};

struct CtTuple {
  uint32_t src = 0, dst = 0;  ///< host byte order
  uint8_t proto = 0;
  uint16_t sport = 0, dport = 0;  ///< ports, or for ICMP: sport = id, dport = type<<8|code
  bool operator==(const CtTuple&) const = default;
};

struct CtEntry {
  CtTuple orig, reply;
  uint32_t status = 0;  ///< IPS_* bits
  uint32_t mark = 0;
  uint32_t timeout = 0;
  int tcp_state = -1;  ///< TCP_CONNTRACK_*, -1 when not TCP
  uint64_t id = 0;
};

/// One NETLINK_* socket opened in the namespace the caller is in at open() time.
class NlSocket {
 public:
  NlSocket() = default;
  ~NlSocket();
  NlSocket(NlSocket&& o) noexcept : fd_(o.fd_), seq_(o.seq_) { o.fd_ = -1; }
  NlSocket& operator=(NlSocket&& o) noexcept;
  NlSocket(const NlSocket&) = delete;
  NlSocket& operator=(const NlSocket&) = delete;

  bool open(int protocol, std::string& err);
  [[nodiscard]] bool valid() const { return fd_ >= 0; }

  /// Sends `msg` (an nlmsghdr with its payload; seq is filled in) and collects every reply
  /// message (payload-carrying ones, not DONE) until the dump or ACK ends.
  bool transact(std::vector<uint8_t> msg, std::vector<std::vector<uint8_t>>& replies,
                std::string& err);

 private:
  int fd_ = -1;
  uint32_t seq_ = 1;
};

/// All rule and policy counters of the IPv4 (NFPROTO_IPV4) nf_tables tables.
bool read_counters(NlSocket& nft, CounterSnapshot& out, std::string& err);
/// All IPv4 conntrack entries. Slow: the kernel walks its whole (global) hash table, 10-40 ms.
bool read_conntrack(NlSocket& ct, std::vector<CtEntry>& out, std::string& err);
/// The entry holding `t` in either direction (a hash lookup, as conntrack does for a packet).
/// found is false when there is none.
bool get_conntrack(NlSocket& ct, const CtTuple& t, CtEntry& out, bool& found, std::string& err);
/// Empties the IPv4 conntrack table (a `flush` packet line).
bool flush_conntrack(NlSocket& ct, std::string& err);

struct RouteAnswer {
  int type = 0;  ///< RTN_* (RTN_LOCAL, RTN_UNICAST, RTN_BROADCAST, ...)
  int oif = 0;
  uint32_t prefsrc = 0;
  uint32_t gateway = 0;
};

/// RTM_GETROUTE for dst (and src/iif when given, as for an arriving packet). Fails when the
/// kernel has no route (the error text says why).
bool route_get(NlSocket& rt, uint32_t dst, std::optional<uint32_t> src, int iif,
               RouteAnswer& out, std::string& err);

}  // namespace iptc::kernel_test
