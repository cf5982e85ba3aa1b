// The host model: the interfaces, addresses and routes of the machine a rule set runs on, and
// the routing decisions the kernel makes from them (local delivery or forwarding, the egress
// interface, the source address MASQUERADE and locally generated packets use). Text format
// (DESIGN.md, `--host FILE`), one item a line, '#' comments:
//   iface NAME ADDR/LEN [ADDR/LEN...]     addresses in order; each subnet is a connected route
//   route CIDR IFACE [via GW]             static route; longest prefix wins
//   route default IFACE [via GW]
//   group IFACE N                         the interface's device group (ip link set group;
//                                         default 0, for -m devgroup)
// The default model: eth0 192.168.1.1/24, eth1 10.0.0.1/24, default route via eth1.
//
// The kernel's view, which the lookups reproduce (net/ipv4/fib_frontend.c fib_add_ifaddr,
// net/ipv4/route.c, net/ipv4/devinet.c inet_select_addr): the interface lo (ifindex 1,
// 127.0.0.1/8, host scope) always exists; every address adds a local route to the local table,
// a primary address with a prefix shorter than /31 adds its subnet broadcast address as a
// broadcast route, and a primary address adds its subnet as a connected route to the main table
// (lo's subnet is local). A lookup consults the local table before the main table, longest
// prefix first; among equal prefixes the earlier route wins. Secondary addresses (in the subnet
// of an earlier address of the same interface) add only their local route.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iptc::runtime {

struct IfAddr {
  uint32_t addr = 0;  ///< host byte order
  uint8_t prefix = 32;
  bool secondary = false;  ///< in the subnet of an earlier address of the same interface
};

struct Interface {
  std::string name;
  std::vector<IfAddr> addrs;  ///< in the order added; the first is primary
  int index = 0;              ///< 1-based ifindex, lo is 1
  uint32_t group = 0;         ///< dev->group (INIT_NETDEV_GROUP 0 unless set)
};

struct Route {
  uint32_t dst = 0;
  uint8_t prefix = 0;
  std::string iface;
  std::optional<uint32_t> via;
  bool connected = false;  ///< derived from an interface address
};

/// Route type of an address as the kernel's fib would report it (RTN_*), for -m addrtype.
enum class AddrType : uint8_t { Unspec, Unicast, Local, Broadcast, Anycast, Multicast,
                                Blackhole, Unreachable, Prohibit, Throw, Nat, Xresolve };

struct RouteResult {
  bool local = false;       ///< delivered to this host
  std::string iface;        ///< egress interface (or "lo" for local delivery)
  std::optional<uint32_t> gateway;
  bool unreachable = false; ///< no route: the kernel drops (EHOSTUNREACH)
  AddrType type = AddrType::Unspec;  ///< route type (Local, Broadcast, Multicast, Unicast)
  int ifindex = 0;          ///< of iface
  uint32_t prefsrc = 0;     ///< source the kernel picks for an unbound local socket (0: none)
  bool martian = false;     ///< route_input: a martian source or destination, dropped
  /// The next hop: the gateway, or the destination itself on a direct route (rt_nexthop).
  [[nodiscard]] uint32_t next_hop(uint32_t dst) const { return gateway ? *gateway : dst; }
};

struct HostParseError {
  uint32_t line = 0;
  uint32_t col = 0;   ///< 1-based column of the offending word (0: the whole line)
  std::string message;
};

class HostModel {
 public:
  /// eth0 192.168.1.1/24, eth1 10.0.0.1/24, default route via eth1 (and lo 127.0.0.1/8).
  static HostModel default_model();
  /// Parses the text format; on error returns nullopt and fills err.
  static std::optional<HostModel> parse(std::string_view text, HostParseError& err);

  [[nodiscard]] const std::vector<Interface>& interfaces() const { return ifaces_; }
  [[nodiscard]] const Interface* find(std::string_view name) const;
  /// Any interface address, 127.0.0.0/8, a subnet broadcast address, 255.255.255.255.
  [[nodiscard]] bool is_local(uint32_t addr) const;
  /// fib lookup of a destination (as for a forwarded or locally generated packet).
  [[nodiscard]] RouteResult route(uint32_t dst) const;
  /// ip_route_input for a packet arriving on `in_iface`: martian checks (multicast, limited
  /// broadcast or zeronet source; loopback source or destination off lo; zeronet
  /// destination), local delivery for local, broadcast and 224.0.0.1 destinations, other
  /// multicast dropped, else forwarding as route() says.
  [[nodiscard]] RouteResult route_input(uint32_t dst, uint32_t src,
                                        std::string_view in_iface) const;
  /// ip_route_output_key for a locally generated packet: route() plus prefsrc, the source
  /// address an unbound socket gets (the route's preferred source, the destination itself
  /// for a local destination, else inet_select_addr on the egress interface).
  [[nodiscard]] RouteResult route_output(uint32_t dst) const;
  /// inet_select_addr: the source address for packets leaving `iface` towards `dst`.
  [[nodiscard]] std::optional<uint32_t> select_source(std::string_view iface, uint32_t dst) const;
  /// Route type of addr (optionally restricted to a device, as addrtype --limit-iface-*).
  [[nodiscard]] AddrType addr_type(uint32_t addr, std::string_view dev = {}) const;
  /// The first address of the interface's list (REDIRECT's target), if any.
  [[nodiscard]] std::optional<uint32_t> primary_address(std::string_view iface) const;
  /// ifindex of an interface, 0 when unknown.
  [[nodiscard]] int ifindex(std::string_view iface) const;
  /// Device group of an interface (-m devgroup), 0 when unknown or unset.
  [[nodiscard]] uint32_t group(std::string_view iface) const;
  [[nodiscard]] const std::vector<Route>& routes() const { return routes_; }

  void add_interface(Interface i);
  void add_route(Route r);

 private:
  /// A route of the derived fib tables (local table, then main table).
  struct FibEntry {
    uint32_t dst = 0;
    uint8_t prefix = 0;
    AddrType type = AddrType::Unicast;
    uint32_t dev = 0;  ///< index into ifaces_
    std::optional<uint32_t> gw;
    uint32_t prefsrc = 0;
    uint8_t scope = 0;
  };
  void rebuild();
  [[nodiscard]] const FibEntry* lookup(const std::vector<FibEntry>& table, uint32_t dst) const;
  [[nodiscard]] uint32_t select_addr(const Interface* dev, uint32_t dst, uint8_t scope) const;

  std::vector<Interface> ifaces_;
  std::vector<Route> routes_;
  // Derived on every change so that lookups neither allocate nor rescan.
  std::vector<FibEntry> local_, main_;
  std::vector<std::vector<IfAddr>> ifa_lists_;  ///< per interface, in_dev->ifa_list order
};

}  // namespace iptc::runtime
