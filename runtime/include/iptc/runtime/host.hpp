// The host model: the interfaces, addresses and routes of the machine a rule set runs on, and
// the routing decisions the kernel makes from them (local delivery or forwarding, the egress
// interface, the source address MASQUERADE and locally generated packets use). Text format
// (DESIGN.md, `--host FILE`), one item a line, '#' comments:
//   iface NAME ADDR/LEN [ADDR/LEN...]     addresses in order; each subnet is a connected route
//   route CIDR IFACE [via GW]             static route; longest prefix wins
//   route default IFACE [via GW]
// The default model: eth0 192.168.1.1/24, eth1 10.0.0.1/24, default route via eth1.
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
};

struct HostParseError {
  uint32_t line = 0;
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
  /// inet_select_addr: the source address for packets leaving `iface` towards `dst`.
  [[nodiscard]] std::optional<uint32_t> select_source(std::string_view iface, uint32_t dst) const;
  /// Route type of addr (optionally restricted to a device, as addrtype --limit-iface-*).
  [[nodiscard]] AddrType addr_type(uint32_t addr, std::string_view dev = {}) const;

  void add_interface(Interface i);
  void add_route(Route r);

 private:
  std::vector<Interface> ifaces_;
  std::vector<Route> routes_;
};

}  // namespace iptc::runtime
