// The host model: parsing the `--host` text format and answering routing questions as the
// kernel's fib would for the same interfaces, addresses and routes. The tables are derived the
// way net/ipv4/fib_frontend.c fib_add_ifaddr() fills them (a local route per address, a
// broadcast route per primary subnet shorter than /31, a connected route per primary subnet,
// lo's 127/8 as local), lookups follow fib_lookup (local table, then main, longest prefix),
// input routing follows ip_route_input_slow's martian and broadcast rules with rp_filter off,
// and source selection follows inet_select_addr (net/ipv4/devinet.c) and fib_result_prefsrc.
#include "iptc/runtime/host.hpp"

#include <algorithm>
#include <charconv>

namespace iptc::runtime {
namespace {

constexpr uint8_t kScopeUniverse = 0;
constexpr uint8_t kScopeLink = 253;
constexpr uint8_t kScopeHost = 254;

constexpr uint32_t mask_of(uint8_t prefix) {
  return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
}
constexpr bool in_subnet(uint32_t a, uint32_t net, uint8_t prefix) {
  return ((a ^ net) & mask_of(prefix)) == 0;
}
constexpr bool is_loopback(uint32_t a) { return (a >> 24) == 127; }
// ipv4_is_zeronet is `addr == 0` since Linux 5.3 ("ipv4: Allow 0.0.0.0/8 as a valid address
// range"): 0.1.2.3 routes like any unicast address.
constexpr bool is_zeronet(uint32_t a) { return a == 0; }
constexpr bool is_multicast(uint32_t a) { return (a >> 28) == 0xe; }
constexpr bool is_lbcast(uint32_t a) { return a == 0xffffffffU; }

/// The scope the kernel gives an address: host for 127/8 (iproute2 and the kernel both do),
/// universe otherwise.
uint8_t addr_scope(uint32_t a) { return is_loopback(a) ? kScopeHost : kScopeUniverse; }

std::optional<uint32_t> parse_ipv4(std::string_view s) {
  uint32_t out = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return std::nullopt;
    size_t j = i;
    unsigned v = 0;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9' && j - i < 4) v = v * 10 + unsigned(s[j++] - '0');
    if (j - i > 3 || v > 255 || (j - i > 1 && s[i] == '0')) return std::nullopt;
    out = (out << 8) | v;
    ++parts;
    i = j;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return out;
}

struct Cidr {
  uint32_t addr;
  uint8_t prefix;
};

std::optional<Cidr> parse_cidr(std::string_view s, bool require_len, std::string& why) {
  const size_t slash = s.find('/');
  const auto a = parse_ipv4(s.substr(0, slash));
  if (!a) {
    why = "invalid IPv4 address '" + std::string(s.substr(0, slash)) + "'";
    return std::nullopt;
  }
  uint8_t prefix = 32;
  if (slash != std::string_view::npos) {
    const std::string_view p = s.substr(slash + 1);
    unsigned v = 0;
    const auto r = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || r.ec != std::errc() || r.ptr != p.data() + p.size() || v > 32) {
      why = "invalid prefix length '" + std::string(p) + "' (expected 0-32)";
      return std::nullopt;
    }
    prefix = static_cast<uint8_t>(v);
  } else if (require_len) {
    why = "expected ADDRESS/LENGTH, got '" + std::string(s) + "'";
    return std::nullopt;
  }
  return Cidr{*a, prefix};
}

}  // namespace

// ---- construction ----------------------------------------------------------------------------

HostModel HostModel::default_model() {
  HostModel h;
  h.add_interface(Interface{"eth0", {IfAddr{0xc0a80101, 24, false}}, 0});
  h.add_interface(Interface{"eth1", {IfAddr{0x0a000001, 24, false}}, 0});
  h.add_route(Route{0, 0, "eth1", std::nullopt, false});
  return h;
}

void HostModel::add_interface(Interface i) {
  if (ifaces_.empty() && i.name != "lo") {
    // lo always exists first, with ifindex 1 and 127.0.0.1/8, as in every network namespace.
    Interface lo;
    lo.name = "lo";
    lo.index = 1;
    lo.addrs.push_back(IfAddr{0x7f000001, 8, false});
    ifaces_.push_back(lo);
  }
  Interface* target = nullptr;
  for (auto& e : ifaces_)
    if (e.name == i.name) target = &e;
  if (target == nullptr) {
    Interface n;
    n.name = i.name;
    n.index = static_cast<int>(ifaces_.size()) + 1;
    if (n.name == "lo" && ifaces_.empty()) n.addrs.push_back(IfAddr{0x7f000001, 8, false});
    ifaces_.push_back(n);
    target = &ifaces_.back();
  }
  for (const IfAddr& a : i.addrs) {
    bool dup = false, secondary = false;
    for (const IfAddr& e : target->addrs) {
      if (e.addr == a.addr && e.prefix == a.prefix) dup = true;
      // __inet_insert_ifa: same mask and same subnet as an existing address -> secondary.
      if (e.prefix == a.prefix && in_subnet(a.addr, e.addr, a.prefix)) secondary = true;
    }
    if (dup) continue;
    IfAddr n = a;
    n.secondary = secondary;
    target->addrs.push_back(n);
  }
  rebuild();
}

void HostModel::add_route(Route r) {
  routes_.push_back(std::move(r));
  rebuild();
}

const Interface* HostModel::find(std::string_view name) const {
  for (const auto& i : ifaces_)
    if (i.name == name) return &i;
  return nullptr;
}

int HostModel::ifindex(std::string_view iface) const {
  const Interface* i = find(iface);
  return i ? i->index : 0;
}

uint32_t HostModel::group(std::string_view iface) const {
  const Interface* i = find(iface);
  return i ? i->group : 0;
}

std::optional<HostModel> HostModel::parse(std::string_view text, HostParseError& err) {
  HostModel h;
  h.add_interface(Interface{"lo", {}, 0});
  struct PendingRoute {
    Route r;
    uint32_t line, col_iface, col_gw;
  };
  std::vector<PendingRoute> pending;
  uint32_t lineno = 0;
  size_t pos = 0;
  auto fail = [&](uint32_t line, uint32_t col, std::string msg) {
    err.line = line;
    err.col = col;
    err.message = std::move(msg);
    return std::nullopt;
  };
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    ++lineno;
    pos = eol + 1;
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    struct Word {
      std::string_view s;
      uint32_t col;
    };
    std::vector<Word> w;
    for (size_t i = 0; i < line.size();) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
      if (j > i) w.push_back({line.substr(i, j - i), static_cast<uint32_t>(i + 1)});
      i = j;
    }
    if (w.empty()) {
      if (eol == text.size()) break;
      continue;
    }
    if (w[0].s == "iface") {
      if (w.size() < 2) return fail(lineno, 0, "expected an interface name after 'iface'");
      if (w[1].s.size() >= 16)
        return fail(lineno, w[1].col, "interface name '" + std::string(w[1].s) + "' is longer than 15 characters");
      if (w[1].s != "lo" && h.find(w[1].s) != nullptr)
        return fail(lineno, w[1].col, "interface '" + std::string(w[1].s) + "' is declared twice");
      Interface i;
      i.name = std::string(w[1].s);
      for (size_t k = 2; k < w.size(); ++k) {
        std::string why;
        const auto c = parse_cidr(w[k].s, true, why);
        if (!c) return fail(lineno, w[k].col, why);
        for (const IfAddr& e : i.addrs)
          if (e.addr == c->addr)
            return fail(lineno, w[k].col, "address '" + std::string(w[k].s) + "' is given twice");
        i.addrs.push_back(IfAddr{c->addr, c->prefix, false});
      }
      h.add_interface(std::move(i));
    } else if (w[0].s == "route") {
      if (w.size() != 3 && w.size() != 5)
        return fail(lineno, 0, "expected 'route CIDR|default IFACE [via GATEWAY]'");
      Route r;
      if (w[1].s == "default") {
        r.dst = 0;
        r.prefix = 0;
      } else {
        std::string why;
        const auto c = parse_cidr(w[1].s, false, why);
        if (!c) return fail(lineno, w[1].col, why);
        if ((c->addr & ~mask_of(c->prefix)) != 0)
          return fail(lineno, w[1].col,
                      "invalid prefix '" + std::string(w[1].s) + "': host bits are set");
        r.dst = c->addr;
        r.prefix = c->prefix;
      }
      r.iface = std::string(w[2].s);
      uint32_t col_gw = 0;
      if (w.size() == 5) {
        if (w[3].s != "via") return fail(lineno, w[3].col, "expected 'via' after the interface");
        const auto g = parse_ipv4(w[4].s);
        if (!g) return fail(lineno, w[4].col, "invalid gateway address '" + std::string(w[4].s) + "'");
        r.via = *g;
        col_gw = w[4].col;
      }
      pending.push_back({std::move(r), lineno, w[2].col, col_gw});
    } else if (w[0].s == "group") {
      // `ip link set IFACE group N`: the interface must be declared before (lo always is).
      if (w.size() != 3) return fail(lineno, 0, "expected 'group IFACE NUMBER'");
      Interface* i = nullptr;
      for (auto& e : h.ifaces_)
        if (e.name == w[1].s) i = &e;
      if (!i)
        return fail(lineno, w[1].col, "unknown interface '" + std::string(w[1].s) + "' (declare it with 'iface' first)");
      uint32_t g = 0;
      auto [ptr, ec] = std::from_chars(w[2].s.data(), w[2].s.data() + w[2].s.size(), g);
      if (ec != std::errc() || ptr != w[2].s.data() + w[2].s.size())
        return fail(lineno, w[2].col, "invalid device group '" + std::string(w[2].s) + "' (a number 0-4294967295)");
      i->group = g;
    } else {
      return fail(lineno, w[0].col, "unknown item '" + std::string(w[0].s) + "' (expected 'iface', 'route' or 'group')");
    }
    if (eol == text.size()) break;
  }
  for (auto& p : pending) {
    const Interface* i = h.find(p.r.iface);
    if (i == nullptr) return fail(p.line, p.col_iface, "unknown interface '" + p.r.iface + "'");
    if (p.r.via) {
      // The kernel refuses a gateway that is not on a subnet of the device (fib_check_nh).
      bool onlink = false;
      for (const IfAddr& a : i->addrs)
        if (in_subnet(*p.r.via, a.addr, a.prefix)) onlink = true;
      if (!onlink)
        return fail(p.line, p.col_gw, "gateway is not on a subnet of interface '" + p.r.iface + "'");
    }
    h.add_route(std::move(p.r));
  }
  return h;
}

// ---- lookups ---------------------------------------------------------------------------------

namespace {

/// The interface's addresses in in_dev->ifa_list order (__inet_insert_ifa: a primary goes
/// after the last primary whose scope is not smaller, secondaries go to the end).
std::vector<IfAddr> ifa_list(const Interface& i) {
  std::vector<IfAddr> list;
  for (const IfAddr& a : i.addrs) {
    if (a.secondary) {
      list.push_back(a);
      continue;
    }
    size_t insert_at = 0;
    for (size_t k = 0; k < list.size(); ++k)
      if (!list[k].secondary && addr_scope(a.addr) <= addr_scope(list[k].addr)) insert_at = k + 1;
    list.insert(list.begin() + static_cast<std::ptrdiff_t>(insert_at), a);
  }
  return list;
}

const IfAddr* primary_of(const Interface& i, const IfAddr& a) {
  if (!a.secondary) return &a;
  for (const IfAddr& e : i.addrs)
    if (!e.secondary && e.prefix == a.prefix && in_subnet(a.addr, e.addr, e.prefix)) return &e;
  return &a;
}

}  // namespace

void HostModel::rebuild() {
  local_.clear();
  main_.clear();
  ifa_lists_.clear();
  for (uint32_t k = 0; k < ifaces_.size(); ++k) {
    const Interface& i = ifaces_[k];
    ifa_lists_.push_back(ifa_list(i));
    const bool loopback = i.name == "lo";
    for (const IfAddr& a : i.addrs) {
      // fib_add_ifaddr: a local route per address (its preferred source is the primary).
      const IfAddr* prim = primary_of(i, a);
      local_.push_back({a.addr, 32, AddrType::Local, k, std::nullopt, prim->addr, kScopeHost});
      if (a.secondary) continue;
      const uint32_t prefix = a.addr & mask_of(a.prefix);
      if (is_zeronet(prefix) || (prefix == a.addr && a.prefix == 32)) continue;
      // The subnet: local for lo, a connected route otherwise; its broadcast below /31.
      if (loopback)
        local_.push_back({prefix, a.prefix, AddrType::Local, k, std::nullopt, a.addr, kScopeHost});
      else
        main_.push_back({prefix, a.prefix, AddrType::Unicast, k, std::nullopt, a.addr, kScopeLink});
      if (a.prefix < 31)
        local_.push_back({prefix | ~mask_of(a.prefix), 32, AddrType::Broadcast, k, std::nullopt,
                          a.addr, kScopeLink});
    }
  }
  for (const Route& r : routes_) {
    uint32_t dev = 0;
    bool found = false;
    for (uint32_t k = 0; k < ifaces_.size(); ++k)
      if (ifaces_[k].name == r.iface) {
        dev = k;
        found = true;
      }
    if (!found) continue;
    // iproute2 gives a route without gateway link scope, one with a gateway universe scope.
    main_.push_back({r.dst, r.prefix, AddrType::Unicast, dev, r.via, 0,
                     r.via ? kScopeUniverse : kScopeLink});
  }
}

const HostModel::FibEntry* HostModel::lookup(const std::vector<FibEntry>& t, uint32_t dst) const {
  const FibEntry* best = nullptr;
  for (const FibEntry& f : t)
    if (in_subnet(dst, f.dst, f.prefix) && (best == nullptr || f.prefix > best->prefix)) best = &f;
  return best;
}

uint32_t HostModel::select_addr(const Interface* dev, uint32_t dst, uint8_t scope) const {
  // inet_select_addr(dev, dst, scope).
  uint32_t addr = 0;
  if (dev != nullptr) {
    for (const IfAddr& a : ifa_lists_[static_cast<size_t>(dev - ifaces_.data())]) {
      if (a.secondary) continue;
      if (addr_scope(a.addr) > scope) continue;
      if (dst == 0 || in_subnet(dst, a.addr, a.prefix)) return a.addr;
      if (addr == 0) addr = a.addr;
    }
  }
  if (addr != 0) return addr;
  // No address on the device: the first primary address of any device (lo first) whose scope
  // is not link and fits.
  for (const auto& list : ifa_lists_)
    for (const IfAddr& a : list) {
      if (a.secondary) continue;
      const uint8_t sc = addr_scope(a.addr);
      if (sc != kScopeLink && sc <= scope) return a.addr;
    }
  return 0;
}

bool HostModel::is_local(uint32_t addr) const {
  if (is_lbcast(addr) || is_loopback(addr)) return true;
  const FibEntry* f = lookup(local_, addr);
  return f != nullptr && (f->type == AddrType::Local || f->type == AddrType::Broadcast);
}

RouteResult HostModel::route(uint32_t dst) const {
  RouteResult r;
  if (const FibEntry* f = lookup(local_, dst)) {
    const Interface& dev = ifaces_[f->dev];
    r.type = f->type;
    r.local = true;
    r.iface = f->type == AddrType::Local ? "lo" : dev.name;
    r.ifindex = f->type == AddrType::Local ? 1 : dev.index;
    r.prefsrc = f->prefsrc;
    if (f->type == AddrType::Local && r.prefsrc == 0) r.prefsrc = dst;
    return r;
  }
  const FibEntry* f = lookup(main_, dst);
  if (f == nullptr) {
    r.unreachable = true;
    r.type = AddrType::Unreachable;
    return r;
  }
  const Interface& dev = ifaces_[f->dev];
  r.type = is_lbcast(dst) ? AddrType::Broadcast
                          : (is_multicast(dst) ? AddrType::Multicast : AddrType::Unicast);
  r.iface = dev.name;
  r.ifindex = dev.index;
  // __mkroute_output: broadcast and multicast routes carry no nexthop gateway.
  if (r.type == AddrType::Unicast) r.gateway = f->gw;
  // fib_result_prefsrc: the route's preferred source, else inet_select_addr on the nexthop
  // device towards the gateway at the route's scope.
  r.prefsrc = f->prefsrc != 0 ? f->prefsrc : select_addr(&dev, f->gw.value_or(0), f->scope);
  return r;
}

RouteResult HostModel::route_output(uint32_t dst) const { return route(dst); }

RouteResult HostModel::route_input(uint32_t dst, uint32_t src, std::string_view in_iface) const {
  RouteResult r;
  const Interface* in = find(in_iface);
  auto martian = [&] {
    r.martian = true;
    r.local = false;
    return r;
  };
  if (in_iface == "lo") {
    // Looped-back packets keep their output route; only a rewritten destination reroutes.
    return route(dst);
  }
  // fib_validate_source with rp_filter and accept_local off: a source that is one of our own
  // addresses is a martian (checked for local, broadcast and forwarded packets alike).
  bool src_ours = false;
  for (const FibEntry& f : local_)
    if (f.type == AddrType::Local && f.prefix == 32 && f.dst == src) src_ours = true;
  if (is_multicast(src) || is_lbcast(src)) return martian();
  if (is_lbcast(dst) || (src == 0 && dst == 0)) {
    if (src != 0 && src_ours) return martian();
    r.local = true;
    r.type = AddrType::Broadcast;
    r.iface = std::string(in_iface);
    r.ifindex = in ? in->index : 0;
    return r;
  }
  if (is_zeronet(src) || is_zeronet(dst)) return martian();
  if (is_loopback(dst) || is_loopback(src)) return martian();
  if (is_multicast(dst)) {
    // ip_check_mc_rcu: only groups the interface joined; every interface is in all-hosts.
    if (dst == 0xe0000001) {
      r.local = true;
      r.type = AddrType::Multicast;
      r.iface = std::string(in_iface);
      r.ifindex = in ? in->index : 0;
      return r;
    }
    return martian();
  }
  if (src_ours) return martian();
  RouteResult out = route(dst);
  // fib_validate_source skips its full check only while the route leaves by another device
  // (or send_redirects is off, which it is not by default). Forwarding back out the arrival
  // device runs __fib_validate_source: a fib lookup of the source must give a unicast route
  // (or none at all, with rp_filter off); a subnet broadcast address of ours is a martian.
  if (!out.local && !out.unreachable && out.iface == in_iface)
    if (const FibEntry* f = lookup(local_, src); f != nullptr && f->type != AddrType::Unicast)
      return martian();
  return out;
}

std::optional<uint32_t> HostModel::select_source(std::string_view iface, uint32_t dst) const {
  const uint32_t a = select_addr(find(iface), dst, kScopeUniverse);
  if (a == 0) return std::nullopt;
  return a;
}

std::optional<uint32_t> HostModel::primary_address(std::string_view iface) const {
  const Interface* dev = find(iface);
  if (dev == nullptr) return std::nullopt;
  const auto& list = ifa_lists_[static_cast<size_t>(dev - ifaces_.data())];
  if (list.empty()) return std::nullopt;
  return list.front().addr;
}

AddrType HostModel::addr_type(uint32_t addr, std::string_view dev) const {
  if (is_zeronet(addr) || is_lbcast(addr)) return AddrType::Broadcast;
  if (is_multicast(addr)) return AddrType::Multicast;
  const FibEntry* f = lookup(local_, addr);
  if (f == nullptr) return AddrType::Unicast;
  if (!dev.empty() && ifaces_[f->dev].name != dev) return AddrType::Unicast;
  return f->type;
}

}  // namespace iptc::runtime
