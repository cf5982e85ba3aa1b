// Case generators (see gen.hpp for what each produces and why).
#include "gen.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "common.hpp"
#include "rule_model.hpp"
#include "walk.hpp"

namespace iptc::kernel_test {

namespace {

// ---------------------------------------------------------------- small tools

/// splitmix64: a tiny deterministic generator (the same stream on every platform).
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x1234567) {}
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return n ? uint32_t(next() % n) : 0; }
  bool chance(double p) { return double(next() % 1000000) < p * 1000000; }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[below(uint32_t(v.size()))]; }
};

bool martian(uint32_t a) {
  uint8_t top = uint8_t(a >> 24);
  return top == 0 || top == 127 || top >= 224;
}

/// The host's routing as DESIGN.md describes it (longest prefix; connected subnets; local
/// addresses), for choosing addresses that take the path a rule needs.
struct Router {
  const Host& h;
  struct R {
    uint32_t net;
    uint8_t len;
    std::string iface;
  };
  std::vector<R> routes;
  std::set<uint32_t> local;
  std::set<uint32_t> bcast;

  explicit Router(const Host& host) : h(host) {
    for (const auto& i : h.ifaces)
      for (const auto& [a, len] : i.addrs) {
        local.insert(a);
        routes.push_back({a & prefix_mask(len), len, i.name});
        if (len <= 30) bcast.insert((a & prefix_mask(len)) | ~prefix_mask(len));
      }
    for (const auto& r : h.routes) routes.push_back({r.dst, r.len, r.iface});
  }
  [[nodiscard]] bool is_local(uint32_t a) const {
    return local.count(a) || bcast.count(a) || (a >> 24) == 127 || a == 0xffffffffu;
  }
  [[nodiscard]] std::string route(uint32_t dst) const {
    int best = -1;
    std::string out;
    for (const auto& r : routes)
      if ((dst & prefix_mask(r.len)) == r.net && int(r.len) > best) {
        best = r.len;
        out = r.iface;
      }
    return out;
  }
  [[nodiscard]] const HostIface* iface(const std::string& n) const { return h.find(n); }
};

/// One packet line being built.
struct Pl {
  std::string in;  ///< "" for locally generated
  std::optional<uint32_t> src;
  uint32_t dst = 0;
  uint8_t proto = 6;
  uint16_t sport = 0, dport = 0;
  uint8_t flags = kTcpSyn;
  uint32_t seq = 1, ack = 0;
  bool auto_seq = false;
  uint8_t type = 8, code = 0;
  std::optional<uint16_t> echo_id;
  std::optional<uint32_t> inner_src, inner_dst;
  uint8_t inner_proto = 17;
  std::optional<uint32_t> len;
  std::optional<uint8_t> tos;

  [[nodiscard]] std::string text() const {
    std::string s;
    if (!in.empty()) s += "in=" + in + " ";
    if (src) s += "src=" + format_ipv4(*src) + " ";
    s += "dst=" + format_ipv4(dst);
    static const std::map<uint8_t, std::string> kNames = {{6, "tcp"}, {17, "udp"}, {1, "icmp"}};
    auto it = kNames.find(proto);
    s += " proto=" + (it != kNames.end() ? it->second : std::to_string(proto));
    if (proto == 6 || proto == 17 || proto == 132 || proto == 33 || proto == 136)
      s += " sport=" + std::to_string(sport) + " dport=" + std::to_string(dport);
    if (proto == 6) {
      s += " flags=" + tcp_flags_text(flags);
      if (!auto_seq) s += " seq=" + std::to_string(seq) + " ack=" + std::to_string(ack);
    }
    if (proto == 1) {
      s += " type=" + std::to_string(type) + " code=" + std::to_string(code);
      if (is_icmp_error(type)) {
        s += " sport=" + std::to_string(sport) + " dport=" + std::to_string(dport);
        if (inner_proto != 17) s += " inner_proto=" + std::to_string(inner_proto);
        if (inner_src) s += " inner_src=" + format_ipv4(*inner_src);
        if (inner_dst) s += " inner_dst=" + format_ipv4(*inner_dst);
      } else if (echo_id) {
        s += " echo_id=" + std::to_string(*echo_id);
      }
    }
    if (len) s += " len=" + std::to_string(*len);
    if (tos) s += " tos=" + std::to_string(*tos);
    return s;
  }
};

/// Where a built-in chain's packets come from.
std::vector<Hook> hooks_of_chain(const std::string& chain) {
  if (chain == "PREROUTING") return {Hook::kPrerouting};
  if (chain == "INPUT") return {Hook::kInput};
  if (chain == "FORWARD") return {Hook::kForward};
  if (chain == "OUTPUT") return {Hook::kOutput};
  if (chain == "POSTROUTING") return {Hook::kPostrouting};
  return {};
}

// ---------------------------------------------------------------- value choice

/// A value satisfying every criterion in `cs` (preferring `pref` and "nice" values), or
/// nullopt when none of the candidates does.
std::optional<uint32_t> satisfy(const std::vector<const Crit*>& cs, uint32_t max,
                                std::vector<uint32_t> pref,
                                const std::function<bool(uint32_t)>& nice) {
  for (const Crit* c : cs) {
    if (!c->set()) continue;
    for (const auto& r : c->ranges) {
      if (!c->inv) {
        pref.push_back(r.lo + (r.hi - r.lo) / 2);
        pref.push_back(r.lo + std::min<uint32_t>(10, r.hi - r.lo));
        pref.push_back(r.lo);
        pref.push_back(r.hi);
      } else {
        if (r.lo > 0) pref.push_back(r.lo - 1);
        if (r.hi < max) pref.push_back(r.hi + 1);
      }
    }
  }
  auto ok = [&](uint32_t v) {
    for (const Crit* c : cs)
      if (!c->matches(v)) return false;
    return true;
  };
  for (uint32_t v : pref)
    if (v <= max && ok(v) && nice(v)) return v;
  for (uint32_t v : pref)
    if (v <= max && ok(v)) return v;
  return std::nullopt;
}

// ---------------------------------------------------------------- host generation

struct IfInfo {
  std::string name;
  int uses = 0;
  int out_nat = 0;  ///< MASQUERADE/SNAT rules naming it as -o
  std::map<std::pair<uint32_t, uint8_t>, int> subnets;  ///< candidate subnets and votes
  std::optional<uint32_t> snat_addr;
};

std::string concrete_name(const std::string& pattern) {
  // Linux device names cannot hold ':' or '/' (an alias such as eth0:1 is no device, so a
  // rule naming it never matches) and never a blank.
  for (char ch : pattern)
    if (ch == ':' || ch == '/' || ch == ' ' || ch == '\t') return "";
  if (!pattern.empty() && pattern.back() == '+') {
    std::string base = pattern.substr(0, pattern.size() - 1);
    if (base.empty()) return "";
    return (base.size() > 13 ? base.substr(0, 13) : base) + "0";
  }
  return pattern.size() > 15 ? pattern.substr(0, 15) : pattern;
}

uint8_t range_prefix_len(const URange& r) {
  uint32_t span = r.hi - r.lo;
  uint8_t len = 32;
  while (len > 0 && (span >> (32 - len)) != 0) --len;
  return len;
}

}  // namespace

std::string host_text(const Host& h, const std::string& comment) {
  std::string t = "# " + comment + "\n";
  for (const auto& i : h.ifaces) {
    t += "iface " + i.name;
    for (const auto& [a, l] : i.addrs) t += " " + format_ipv4(a) + "/" + std::to_string(l);
    t += "\n";
  }
  for (const auto& r : h.routes) {
    t += "route " + (r.len == 0 && r.dst == 0 ? std::string("default")
                                              : format_ipv4(r.dst) + "/" + std::to_string(r.len));
    t += " " + r.iface;
    if (r.via) t += " via " + format_ipv4(*r.via);
    t += "\n";
  }
  return t;
}

GenHostResult generate_host(const Listing& rules, const std::string& title) {
  std::map<std::string, IfInfo> ifs;
  std::vector<std::string> order;
  auto touch = [&](const std::string& pattern) -> IfInfo* {
    std::string n = concrete_name(pattern);
    if (n.empty() || n == "lo") return nullptr;
    // A wildcard is covered by any concrete interface it names already.
    if (pattern.back() == '+')
      for (const auto& o : order)
        if (iface_pattern_matches(pattern, o)) return &ifs[o];
    if (!ifs.count(n)) {
      ifs[n].name = n;
      order.push_back(n);
    }
    return &ifs[n];
  };
  std::vector<std::pair<std::string, RuleSpec>> specs;  // chain, spec
  std::vector<uint32_t> input_locals, dnat_publics;
  std::vector<std::pair<std::pair<uint32_t, uint8_t>, std::string>> fwd_routes;
  std::set<std::string> not_uplink;
  for (const auto& t : rules.tables)
    for (const auto& c : t.chains)
      for (const auto& r : c.rules) {
        RuleSpec s = read_rule(r);
        // Concrete names first, so wildcards attach to them.
        for (const IfaceCrit* ic : {&s.iif, &s.oif})
          if (ic->set() && ic->name.back() != '+') touch(ic->name);
        specs.emplace_back(t.name + "/" + c.name, std::move(s));
      }
  for (const auto& [where, s] : specs) {
    IfInfo* in = s.iif.set() ? touch(s.iif.name) : nullptr;
    IfInfo* out = s.oif.set() ? touch(s.oif.name) : nullptr;
    if (in) ++in->uses;
    if (out) ++out->uses;
    auto vote = [&](IfInfo* i, const Crit& c) {
      if (!i || c.inv || c.ranges.size() != 1) return;
      uint8_t len = range_prefix_len(c.ranges[0]);
      if (len < 8 || len > 30 || martian(c.ranges[0].lo)) return;
      ++i->subnets[{c.ranges[0].lo, len}];
    };
    if (!s.iif.inv) vote(in, s.src);
    if (!s.oif.inv) vote(out, s.dst);
    bool nat_out = s.target == "MASQUERADE" || s.target == "SNAT";
    if (nat_out && out && !s.oif.inv) {
      ++out->out_nat;
      if (s.nat_addr && !out->snat_addr) out->snat_addr = s.nat_addr;
    }
    // `-s NET ! -o X -j MASQUERADE` (Docker, libvirt): NET lives behind X, and the uplink is
    // some other interface.
    if (nat_out && out && s.oif.inv) {
      vote(out, s.src);
      not_uplink.insert(out->name);
    }
    if (where == "filter/INPUT" && s.dst.set() && !s.dst.inv &&
        s.dst.ranges[0].lo == s.dst.ranges[0].hi && !martian(s.dst.ranges[0].lo))
      input_locals.push_back(s.dst.ranges[0].lo);
    if (s.target == "DNAT" && s.dst.set() && !s.dst.inv && s.dst.ranges[0].lo == s.dst.ranges[0].hi &&
        !martian(s.dst.ranges[0].lo))
      dnat_publics.push_back(s.dst.ranges[0].lo);
    if ((where == "filter/FORWARD" || where == "nat/POSTROUTING" || where == "mangle/FORWARD") &&
        out && !s.oif.inv && s.dst.set() && !s.dst.inv && s.dst.ranges.size() == 1) {
      uint8_t len = range_prefix_len(s.dst.ranges[0]);
      if (len >= 8 && !martian(s.dst.ranges[0].lo))
        fwd_routes.push_back({{s.dst.ranges[0].lo, len}, out->name});
    }
  }
  // At least two interfaces, so that forwarding happens.
  for (const char* extra : {"eth0", "eth1"}) {
    if (order.size() >= 2) break;
    if (!ifs.count(extra)) {
      ifs[extra].name = extra;
      order.push_back(extra);
    }
  }
  // Too many interfaces: keep the most used (the host model gets one veth each).
  if (order.size() > 12) {
    std::stable_sort(order.begin(), order.end(),
                     [&](const std::string& a, const std::string& b) { return ifs[a].uses > ifs[b].uses; });
    order.resize(12);
  }
  // The uplink: where the rule set masquerades to, else a conventional name, else the first.
  std::string uplink;
  int best = 0;
  for (const auto& n : order)
    if (ifs[n].out_nat > best) {
      best = ifs[n].out_nat;
      uplink = n;
    }
  if (uplink.empty())
    for (const char* conv : {"eth0", "wan", "ppp0", "wlan0", "enp0s3", "eno1", "ens3", "eth1"})
      if (ifs.count(conv) && !not_uplink.count(conv) &&
          std::find(order.begin(), order.end(), conv) != order.end()) {
        uplink = conv;
        break;
      }
  if (uplink.empty())
    for (const auto& n : order)
      if (!not_uplink.count(n)) {
        uplink = n;
        break;
      }
  if (uplink.empty()) {
    // Every interface the rules name is an inside one (bridges, tunnels): add the uplink.
    uplink = ifs.count("eth0") ? "wan0" : "eth0";
    ifs[uplink].name = uplink;
    order.push_back(uplink);
  }
  // Addresses: the rules' own subnets where they tie one to an interface, else a /24 of
  // 192.168.100+k.0; never two overlapping subnets.
  Host h;
  std::vector<std::pair<uint32_t, uint8_t>> taken;
  auto overlaps = [&](uint32_t net, uint8_t len) {
    for (const auto& [n2, l2] : taken) {
      uint8_t l = std::min(len, l2);
      if ((net & prefix_mask(l)) == (n2 & prefix_mask(l))) return true;
    }
    return false;
  };
  int next_pool = 100;
  for (const auto& n : order) {
    const IfInfo& info = ifs[n];
    HostIface hi;
    hi.name = n;
    std::optional<std::pair<uint32_t, uint8_t>> chosen;
    if (n == uplink && info.snat_addr && !martian(*info.snat_addr)) {
      uint32_t net = *info.snat_addr & prefix_mask(24);
      if (!overlaps(net, 24)) {
        hi.addrs.push_back({*info.snat_addr, 24});
        taken.push_back({net, 24});
        chosen = std::make_pair(net, uint8_t(24));
      }
    }
    if (!chosen) {
      std::vector<std::pair<std::pair<uint32_t, uint8_t>, int>> cands(info.subnets.begin(),
                                                                       info.subnets.end());
      std::stable_sort(cands.begin(), cands.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      for (const auto& [sn, votes] : cands) {
        (void)votes;
        if (overlaps(sn.first, sn.second)) continue;
        hi.addrs.push_back({sn.first + 1, sn.second});
        taken.push_back(sn);
        chosen = sn;
        break;
      }
    }
    while (!chosen && next_pool < 250) {
      uint32_t net = (192u << 24) | (168u << 16) | (uint32_t(next_pool++) << 8);
      if (overlaps(net, 24)) continue;
      hi.addrs.push_back({net + 1, 24});
      taken.push_back({net, 24});
      chosen = std::make_pair(net, uint8_t(24));
    }
    h.ifaces.push_back(std::move(hi));
  }
  // Addresses the rules treat as the firewall's own (INPUT -d A, DNAT -d A): /32s on the
  // uplink.
  HostIface* up = nullptr;
  for (auto& i : h.ifaces)
    if (i.name == uplink) up = &i;
  std::set<uint32_t> added;
  int n32 = 0;
  for (const auto& list : {dnat_publics, input_locals})
    for (uint32_t a : list) {
      if (n32 >= 8 || added.count(a)) continue;
      bool covered = false;
      for (const auto& [net, len] : taken)
        if ((a & prefix_mask(len)) == net) covered = true;
      added.insert(a);
      if (covered) continue;
      up->addrs.push_back({a, 32});
      ++n32;
    }
  h.routes.push_back({0, 0, uplink, std::nullopt});
  int nroutes = 0;
  std::set<std::pair<uint32_t, uint8_t>> seen;
  for (const auto& [sn, ifn] : fwd_routes) {
    if (nroutes >= 20 || ifn == uplink || seen.count(sn)) continue;
    if (std::find(order.begin(), order.end(), ifn) == order.end()) continue;
    bool same = false;
    for (const auto& t : taken)
      if (t == sn) same = true;
    if (same) continue;
    seen.insert(sn);
    h.routes.push_back({sn.first, sn.second, ifn, std::nullopt});
    ++nroutes;
  }
  return {h, host_text(h, "host model for " + title + " (generated by kgen from its rules)")};
}

// ---------------------------------------------------------------- packet generation

namespace {

/// A rule reached from a built-in chain, with the rules whose jumps lead to it.
struct Target {
  std::string table, chain;
  uint32_t number = 0;  ///< user-visible rule number
  Hook hook;
  std::vector<RuleSpec> path;  ///< jump rules then the rule itself
  std::string text;
};

struct PacketGen {
  const Listing& rules;
  const Host& host;
  Router router;
  Rng rng;
  GenPacketsOptions opts;
  std::vector<std::string> out;
  size_t npackets = 0;
  uint32_t next_port = 20000;
  uint32_t next_seq = 1000;
  std::vector<uint32_t> public_pool;
  std::vector<uint16_t> port_pool = {22, 25, 53, 80, 123, 443, 993, 1194, 3306, 8080, 51820};

  PacketGen(const Listing& l, const Host& h, const GenPacketsOptions& o)
      : rules(l), host(h), router(h), rng(o.seed), opts(o) {
    for (uint32_t a : {0x08080808u, 0x5db8d822u /*93.184.216.34*/, 0xcb007101u /*203.0.113.1*/,
                       0xc6336401u /*198.51.100.1*/, 0x68100101u /*104.16.1.1*/,
                       0x2d210201u /*45.33.2.1*/, 0xb9c76f01u /*185.199.111.1*/})
      public_pool.push_back(a);
    // Ports the rules name are the interesting ones.
    std::set<uint16_t> ports(port_pool.begin(), port_pool.end());
    for (const auto& t : rules.tables)
      for (const auto& c : t.chains)
        for (const auto& r : c.rules) {
          RuleSpec s = read_rule(r);
          for (const Crit* pc : {&s.dport, &s.ports})
            for (const auto& pr : pc->ranges)
              if (ports.size() < 40) ports.insert(uint16_t(pr.lo));
        }
    port_pool.assign(ports.begin(), ports.end());
  }

  uint16_t eph() {
    uint16_t p = uint16_t(next_port++);
    if (next_port > 60999) next_port = 20000;
    return p;
  }
  uint32_t isn() {
    next_seq = next_seq * 1103515245u + 12345u;
    return next_seq;
  }
  void comment(const std::string& c) { out.push_back("# " + c); }
  void emit(const Pl& p) {
    out.push_back(p.text());
    ++npackets;
  }
  [[nodiscard]] bool full() const { return npackets >= opts.max_packets; }

  const HostIface* ifc(const std::string& n) const { return host.find(n); }
  uint32_t primary(const std::string& n) const {
    const HostIface* i = ifc(n);
    return i ? i->addrs.front().first : 0;
  }
  /// A neighbour's address on an interface's subnet (not fw's own).
  uint32_t neighbour(const std::string& n) {
    const HostIface* i = ifc(n);
    if (!i) return public_pool.front();
    auto [a, len] = i->addrs.front();
    if (len >= 31) return public_pool[rng.below(uint32_t(public_pool.size()))] + rng.below(200);
    uint32_t net = a & prefix_mask(len);
    uint32_t size = ~prefix_mask(len);
    for (int tries = 0; tries < 20; ++tries) {
      uint32_t c = net + 2 + rng.below(std::min<uint32_t>(size - 2, 250));
      if (!router.is_local(c)) return c;
    }
    return net + 2;
  }
  /// An address the host routes out of interface n (a neighbour, or far away via it).
  uint32_t beyond(const std::string& n) {
    bool has_default = false;
    for (const auto& r : host.routes)
      if (r.iface == n && r.len == 0) has_default = true;
    if (has_default && rng.chance(0.7)) {
      for (int tries = 0; tries < 20; ++tries) {
        uint32_t c = public_pool[rng.below(uint32_t(public_pool.size()))] + rng.below(250);
        if (router.route(c) == n && !router.is_local(c)) return c;
      }
    }
    for (const auto& r : host.routes)
      if (r.iface == n && r.len >= 8 && rng.chance(0.5)) return r.dst + 1 + rng.below(200);
    return neighbour(n);
  }
  std::string other_iface(const std::string& not_this) {
    std::vector<std::string> c;
    for (const auto& i : host.ifaces)
      if (i.name != not_this) c.push_back(i.name);
    return c.empty() ? not_this : rng.pick(c);
  }
  std::vector<std::string> ifaces_matching(const std::vector<const IfaceCrit*>& cs) {
    std::vector<std::string> out;
    for (const auto& i : host.ifaces) {
      bool ok = true;
      for (const IfaceCrit* c : cs) ok = ok && c->matches(i.name);
      if (ok) out.push_back(i.name);
    }
    return out;
  }

  // ---- predicted NAT, for addressing replies ----

  /// The source address a reply must be sent to when a packet from `src` leaves by `oif`.
  std::pair<uint32_t, std::optional<uint16_t>> predict_snat(uint32_t src, const std::string& oif,
                                                            uint8_t proto) {
    const SavedTable* nat = rules.find("nat");
    const SavedChain* post = nat ? nat->find("POSTROUTING") : nullptr;
    if (!post) return {src, std::nullopt};
    for (const auto& r : post->rules) {
      if (r.hidden) continue;
      RuleSpec s = read_rule(r);
      if (!s.src.matches(src) || !s.oif.matches(oif)) continue;
      if (s.proto && ((*s.proto == proto) == s.proto_inv)) continue;
      if (!s.states.empty() || !s.dst.ranges.empty() || s.matches.size() > 1) continue;
      if (s.target == "MASQUERADE") {
        std::optional<uint16_t> port;
        if (s.nat_port_lo && s.nat_port_lo == s.nat_port_hi) port = s.nat_port_lo;
        return {primary(oif), port};
      }
      if (s.target == "SNAT" && s.nat_addr) {
        std::optional<uint16_t> port;
        if (s.nat_port_lo && s.nat_port_lo == s.nat_port_hi) port = s.nat_port_lo;
        return {*s.nat_addr, port};
      }
      if (s.cls == TargetClass::kAccept || s.cls == TargetClass::kReturn) break;
    }
    return {src, std::nullopt};
  }

  // ---- flows ----

  /// A TCP connection: `a` (arriving on ain, or local when ain is empty) to `b` (arriving
  /// on bin, or local), with the reply addressed to what NAT makes of a.
  void tcp_flow(const std::string& ain, uint32_t a, const std::string& bin, uint32_t b,
                uint16_t dport, const std::string& why) {
    bool autonum = rng.chance(opts.auto_numbered_flows);
    comment("flow: tcp " + why + (autonum ? " (automatic numbering)" : ""));
    uint16_t sport = eph();
    uint8_t proto = 6;
    std::string oif = bin.empty() ? "" : bin;
    auto [ra, rport] = ain.empty() || bin.empty() ? std::make_pair(a, std::optional<uint16_t>())
                                                   : predict_snat(a, bin, proto);
    uint16_t rsport = rport.value_or(sport);
    uint32_t is = isn() % 4000000000u, ir = isn() % 4000000000u;
    // One segment of the flow: the initiator's direction, or the reply to its (SNATed) tuple.
    auto segment = [&](bool reply, uint8_t flags, uint32_t seq, uint32_t ack,
                       std::optional<uint32_t> len) {
      Pl p;
      p.in = reply ? bin : ain;
      p.src = reply ? b : a;
      p.dst = reply ? ra : b;
      p.sport = reply ? dport : sport;
      p.dport = reply ? rsport : dport;
      p.flags = flags;
      p.seq = seq;
      p.ack = ack;
      p.len = len;
      p.auto_seq = autonum;
      emit(p);
    };
    auto fwd = [&](uint8_t flags, uint32_t seq, uint32_t ack, std::optional<uint32_t> len) {
      segment(false, flags, seq, ack, len);
    };
    auto rev = [&](uint8_t flags, uint32_t seq, uint32_t ack, std::optional<uint32_t> len) {
      segment(true, flags, seq, ack, len);
    };
    (void)oif;
    fwd(kTcpSyn, is, 0, std::nullopt);
    rev(kTcpSyn | kTcpAck, ir, is + 1, std::nullopt);
    fwd(kTcpAck, is + 1, ir + 1, std::nullopt);
    fwd(kTcpPsh | kTcpAck, is + 1, ir + 1, 140);
    rev(kTcpPsh | kTcpAck, ir + 1, is + 101, 240);
    fwd(kTcpFin | kTcpAck, is + 101, ir + 201, std::nullopt);
    rev(kTcpFin | kTcpAck, ir + 201, is + 102, std::nullopt);
    fwd(kTcpAck, is + 102, ir + 202, std::nullopt);
  }

  void udp_flow(const std::string& ain, uint32_t a, const std::string& bin, uint32_t b,
                uint16_t dport, bool icmp_error, const std::string& why) {
    comment("flow: udp " + why);
    uint16_t sport = eph();
    auto [ra, rport] = ain.empty() || bin.empty() ? std::make_pair(a, std::optional<uint16_t>())
                                                   : predict_snat(a, bin, 17);
    uint16_t rsport = rport.value_or(sport);
    Pl p;
    p.in = ain;
    p.src = a;
    p.dst = b;
    p.proto = 17;
    p.sport = sport;
    p.dport = dport;
    emit(p);
    Pl r;
    r.in = bin;
    r.src = b;
    r.dst = ra;
    r.proto = 17;
    r.sport = dport;
    r.dport = rsport;
    emit(r);
    emit(p);
    if (icmp_error) {
      Pl e;
      e.in = bin;
      e.src = b;
      e.dst = ra;
      e.proto = 1;
      e.type = 3;
      e.code = 3;
      e.sport = rsport;
      e.dport = dport;
      e.inner_src = ra;
      e.inner_dst = b;
      emit(e);
    }
  }

  void ping_flow(const std::string& ain, uint32_t a, const std::string& bin, uint32_t b,
                 const std::string& why) {
    comment("flow: ping " + why);
    uint16_t id = uint16_t(1000 + rng.below(60000));
    auto [ra, rport] = ain.empty() || bin.empty() ? std::make_pair(a, std::optional<uint16_t>())
                                                   : predict_snat(a, bin, 1);
    (void)rport;
    Pl p;
    p.in = ain;
    p.src = a;
    p.dst = b;
    p.proto = 1;
    p.type = 8;
    p.echo_id = id;
    emit(p);
    Pl r;
    r.in = bin;
    r.src = b;
    r.dst = ra;
    r.proto = 1;
    r.type = 0;
    r.echo_id = id;
    emit(r);
  }

  void flows(size_t budget) {
    size_t start = npackets;
    const auto& ifs = host.ifaces;
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& x : ifs)
      for (const auto& y : ifs)
        if (x.name != y.name) pairs.push_back({x.name, y.name});
    // Shuffle deterministically, then walk the pairs round-robin over the flow kinds.
    for (size_t i = pairs.size(); i > 1; --i) std::swap(pairs[i - 1], pairs[rng.below(uint32_t(i))]);
    size_t k = 0;
    for (int round = 0; round < 6 && npackets - start < budget && !full(); ++round) {
      // to and from the firewall itself
      for (const auto& i : ifs) {
        if (npackets - start >= budget || full()) break;
        uint16_t port = rng.pick(port_pool);
        switch (round % 3) {
          case 0: tcp_flow(i.name, neighbour(i.name), "", primary(i.name), port, "to the firewall via " + i.name); break;
          case 1: udp_flow("", primary(i.name), i.name, beyond(i.name), port, false, "from the firewall via " + i.name); break;
          default: ping_flow(i.name, beyond(i.name), "", primary(i.name), "to the firewall via " + i.name); break;
        }
      }
      for (size_t j = 0; j < pairs.size() && npackets - start < budget && !full(); ++j, ++k) {
        const auto& [x, y] = pairs[(j + size_t(round)) % pairs.size()];
        uint16_t port = rng.pick(port_pool);
        switch ((k + size_t(round)) % 4) {
          case 0:
          case 1: tcp_flow(x, neighbour(x), y, beyond(y), port, "forwarded " + x + " -> " + y); break;
          case 2: udp_flow(x, neighbour(x), y, beyond(y), port, true, "forwarded " + x + " -> " + y + " with an ICMP error about it"); break;
          default: ping_flow(x, neighbour(x), y, beyond(y), "forwarded " + x + " -> " + y); break;
        }
      }
      if (round == 0) dnat_flows();
      if (round == 1) {
        std::string i = rng.pick(ifs).name;
        tcp_flow("", primary(i), i, beyond(i), rng.pick(port_pool), "from the firewall via " + i);
      }
    }
  }

  /// Connections through every DNAT rule of nat PREROUTING, answered by the new destination.
  void dnat_flows() {
    const SavedTable* nat = rules.find("nat");
    if (!nat) return;
    int n = 0;
    for (const auto& c : nat->chains)
      for (const auto& r : c.rules) {
        if (n >= 12 || full()) return;
        RuleSpec s = read_rule(r);
        if (s.target != "DNAT" && s.target != "REDIRECT") continue;
        std::vector<const IfaceCrit*> ic = {&s.iif};
        auto cands = ifaces_matching(ic);
        if (cands.empty()) continue;
        std::string in = rng.pick(cands);
        uint32_t dst = primary(in);
        if (s.dst.set() && !s.dst.inv) dst = s.dst.ranges[0].lo;
        uint16_t dport = 80;
        if (s.dport.set() && !s.dport.inv) dport = uint16_t(s.dport.ranges[0].lo);
        uint8_t proto = s.proto && !s.proto_inv ? *s.proto : 6;
        if (proto != 6 && proto != 17) continue;
        uint32_t client = beyond(in);
        if (!s.src.matches(client) && s.src.set() && !s.src.inv) client = s.src.ranges[0].lo + 1;
        ++n;
        if (s.target == "REDIRECT" || !s.nat_addr || router.is_local(*s.nat_addr)) {
          if (proto == 6) tcp_flow(in, client, "", dst, dport, "through " + c.name + " " + s.target + " (rule " + std::to_string(r.number) + ")");
          else udp_flow(in, client, "", dst, dport, false, "through " + c.name + " " + s.target);
          continue;
        }
        // The server answers from its own address: write the flow by hand.
        std::string sin = router.route(*s.nat_addr);
        if (sin.empty()) continue;
        uint16_t sport = eph();
        uint16_t sp = s.nat_port_lo.value_or(dport);
        comment("flow: through DNAT (" + c.name + " rule " + std::to_string(r.number) + "), answered by the new destination");
        Pl p;
        p.in = in;
        p.src = client;
        p.dst = dst;
        p.proto = proto;
        p.sport = sport;
        p.dport = dport;
        Pl q;
        q.in = sin;
        q.src = *s.nat_addr;
        q.dst = client;
        q.proto = proto;
        q.sport = sp;
        q.dport = sport;
        if (proto == 6) {
          uint32_t is = isn(), ir = isn();
          p.seq = is;
          q.flags = kTcpSyn | kTcpAck;
          q.seq = ir;
          q.ack = is + 1;
          emit(p);
          emit(q);
          p.flags = kTcpAck;
          p.seq = is + 1;
          p.ack = ir + 1;
          emit(p);
        } else {
          emit(p);
          emit(q);
        }
      }
  }

  // ---- packets aimed at rules ----

  std::vector<Target> targets() {
    std::vector<Target> out;
    for (const auto& t : rules.tables) {
      for (const std::string& bc : builtin_chains(t.name)) {
        const SavedChain* c = t.find(bc);
        if (!c) continue;
        auto hooks = hooks_of_chain(bc);
        if (hooks.empty()) continue;
        // Depth-first through jumps, each user chain once per built-in chain.
        std::set<std::string> visited;
        std::function<void(const SavedChain&, std::vector<RuleSpec>&, int)> dfs =
            [&](const SavedChain& ch, std::vector<RuleSpec>& path, int depth) {
              if (depth > 8) return;
              for (const auto& r : ch.rules) {
                if (r.hidden) continue;
                RuleSpec s = read_rule(r);
                path.push_back(s);
                Target tg;
                tg.table = t.name;
                tg.chain = ch.name;
                tg.number = r.number;
                tg.hook = hooks[0];
                tg.path = path;
                tg.text = r.text;
                out.push_back(std::move(tg));
                if ((s.cls == TargetClass::kJump || s.cls == TargetClass::kGoto) &&
                    !visited.count(s.jump)) {
                  visited.insert(s.jump);
                  if (const SavedChain* sub = t.find(s.jump)) dfs(*sub, path, depth + 1);
                }
                path.pop_back();
              }
            };
        std::vector<RuleSpec> path;
        dfs(*c, path, 0);
      }
    }
    return out;
  }

  /// Which edge of the aimed-at rule a variant probes.
  struct Variant {
    std::string name;
    std::function<void(Pl&)> tweak;  ///< applied after the packet satisfies the path
  };

  /// A packet satisfying every rule of the path (as far as the generator understands
  /// them), on the path of `hook`. Returns false when the criteria cannot be met together.
  bool realize(const std::vector<RuleSpec>& path, Hook hook, Pl& p, std::string& oif_out) {
    std::vector<const Crit*> srcs, dsts, sports, dports, lens;
    std::vector<const IfaceCrit*> iifs, oifs;
    std::optional<uint8_t> proto;
    std::set<uint8_t> not_proto;
    std::set<std::string> states;
    bool states_set = false;
    const RuleSpec* tcpf = nullptr;
    const RuleSpec* icmp = nullptr;
    for (const auto& s : path) {
      srcs.push_back(&s.src);
      dsts.push_back(&s.dst);
      sports.push_back(&s.sport);
      dports.push_back(&s.dport);
      lens.push_back(&s.length);
      iifs.push_back(&s.iif);
      oifs.push_back(&s.oif);
      if (s.proto) {
        if (!s.proto_inv && *s.proto != 0) {
          if (proto && *proto != *s.proto) return false;
          proto = *s.proto;
        } else if (s.proto_inv) {
          not_proto.insert(*s.proto);
        }
      }
      if (s.ports.set()) dports.push_back(&s.ports);
      if (!s.states.empty()) {
        std::set<std::string> st;
        for (const char* k : {"NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"})
          if (s.states.count(k) != s.states_inv) st.insert(k);
        if (!states_set) states = st;
        else {
          std::set<std::string> both;
          for (const auto& x : st)
            if (states.count(x)) both.insert(x);
          states = both;
        }
        states_set = true;
      }
      if (s.tcp_flags) tcpf = &s;
      if (s.icmp_type) icmp = &s;
    }
    // Protocol.
    if (!proto) {
      bool ports = false;
      for (const Crit* c : sports) ports = ports || c->set();
      for (const Crit* c : dports) ports = ports || c->set();
      std::vector<uint8_t> cands = ports ? std::vector<uint8_t>{6, 17}
                                         : std::vector<uint8_t>{6, 17, 1, 6};
      if (tcpf) cands = {6};
      if (icmp) cands = {1};
      std::vector<uint8_t> ok;
      for (uint8_t c : cands)
        if (!not_proto.count(c)) ok.push_back(c);
      if (ok.empty()) ok = {47};
      proto = rng.pick(ok);
    }
    p.proto = *proto;
    // Interfaces.
    bool arrives = hook != Hook::kOutput &&
                   !(hook == Hook::kPostrouting && rng.chance(0.3));
    auto in_cands = ifaces_matching(iifs);
    auto out_cands = ifaces_matching(oifs);
    if (arrives && in_cands.empty()) return false;
    if ((hook == Hook::kForward || hook == Hook::kPostrouting || hook == Hook::kOutput) &&
        out_cands.empty())
      return false;
    std::string in = arrives ? rng.pick(in_cands) : "";
    std::string oif;
    if (hook == Hook::kForward || hook == Hook::kPostrouting || hook == Hook::kOutput) {
      std::vector<std::string> o2;
      for (const auto& o : out_cands)
        if (o != in || out_cands.size() == 1) o2.push_back(o);
      oif = rng.pick(o2);
    }
    bool to_local = hook == Hook::kInput || (hook == Hook::kPrerouting && rng.chance(0.5));
    // Addresses.
    auto nice_src = [&](uint32_t v) { return !martian(v) && !router.is_local(v); };
    std::vector<uint32_t> src_pref;
    if (!in.empty()) {
      src_pref.push_back(in == "" ? 0 : neighbour(in));
      src_pref.push_back(beyond(in));
    } else {
      src_pref.push_back(primary(oif.empty() ? host.ifaces.front().name : oif));
    }
    auto src = satisfy(srcs, 0xffffffffu, src_pref, in.empty() ? std::function<bool(uint32_t)>(
                                                                     [](uint32_t) { return true; })
                                                               : nice_src);
    if (!src) return false;
    std::vector<uint32_t> dst_pref;
    if (to_local) {
      if (!in.empty()) dst_pref.push_back(primary(in));
      for (const auto& i : host.ifaces)
        for (const auto& [a, l] : i.addrs) dst_pref.push_back(a);
    } else if (!oif.empty()) {
      dst_pref.push_back(beyond(oif));
      dst_pref.push_back(neighbour(oif));
    } else {
      std::string o = in.empty() ? host.ifaces.front().name : other_iface(in);
      dst_pref.push_back(beyond(o));
    }
    auto dst_nice = [&](uint32_t v) {
      if (martian(v)) return false;
      if (to_local) return router.is_local(v);
      if (!oif.empty()) return router.route(v) == oif && !router.is_local(v);
      return !router.is_local(v);
    };
    auto dst = satisfy(dsts, 0xffffffffu, dst_pref, dst_nice);
    if (!dst) return false;
    p.in = in;
    p.src = *src;
    if (in.empty() && rng.chance(0.5) && !srcs.empty()) {
      bool constrained = false;
      for (const Crit* c : srcs) constrained = constrained || c->set();
      if (!constrained) p.src.reset();  // let the kernel pick it
    }
    p.dst = *dst;
    // Ports, flags, ICMP type.
    if (p.proto == 6 || p.proto == 17 || p.proto == 132) {
      auto sp = satisfy(sports, 65535, {eph(), 40000, 1024}, [](uint32_t v) { return v >= 1024; });
      auto dp = satisfy(dports, 65535, {rng.pick(port_pool), 80, 53}, [](uint32_t) { return true; });
      if (!sp || !dp) return false;
      p.sport = uint16_t(*sp);
      p.dport = uint16_t(*dp);
    }
    if (p.proto == 6) {
      p.flags = kTcpSyn;
      p.seq = isn();
      p.ack = 0;
      if (tcpf) {
        auto [mask, cmp] = *tcpf->tcp_flags;
        uint8_t f = uint8_t((kTcpSyn & ~mask) | cmp);
        if (tcpf->tcp_flags_inv) f = uint8_t(f ^ (mask & (kTcpSyn | kTcpAck | kTcpFin)));
        p.flags = f;
        if (f & kTcpAck) p.ack = isn();
      }
    }
    if (p.proto == 1) {
      p.type = 8;
      p.code = 0;
      p.echo_id = uint16_t(rng.below(65000) + 1);
      if (icmp && icmp->icmp_type && !icmp->icmp_inv) {
        p.type = uint8_t(*icmp->icmp_type);
        p.code = uint8_t(icmp->icmp_code.value_or(0));
      } else if (icmp && icmp->icmp_inv) {
        p.type = icmp->icmp_type == 8 ? 0 : 8;
      }
      if (is_icmp_error(p.type)) {
        p.sport = eph();
        p.dport = 53;
      }
    }
    // Length.
    bool len_set = false;
    for (const Crit* c : lens) len_set = len_set || c->set();
    if (len_set) {
      uint32_t base = p.proto == 6 ? 40 : p.proto == 17 ? 28 : 28;
      auto l = satisfy(lens, 65535, {base, base + 100}, [&](uint32_t v) { return v >= base && v <= 1500; });
      if (l && *l >= 20) p.len = *l;
    }
    oif_out = oif;
    (void)states;
    return true;
  }

  /// States: packets that put the conntrack entry where the aimed-at rule wants it.
  void with_state(const RuleSpec& last, Pl p) {
    bool want_est = !last.states.empty() && !last.states_inv && !last.states.count("NEW") &&
                    (last.states.count("ESTABLISHED") || last.states.count("RELATED"));
    bool want_inv = !last.states.empty() && !last.states_inv && last.states.count("INVALID") &&
                    !last.states.count("NEW") && !last.states.count("ESTABLISHED");
    if (want_inv && p.proto == 6) {
      p.flags = kTcpSyn | kTcpAck;
      p.ack = isn();
      emit(p);
      return;
    }
    if (!want_est) {
      emit(p);
      return;
    }
    // The reverse packet first (it opens the flow), then p as its answer. The opener goes
    // to p's source from where p's destination is: fw itself when that is local.
    if (!p.src) {
      emit(p);  // the kernel picks p's source: there is no reverse tuple to aim at
      return;
    }
    Pl a;
    a.proto = p.proto;
    a.in = router.is_local(p.dst) ? "" : router.route(p.dst);
    a.src = p.dst;
    a.dst = *p.src;
    a.sport = p.dport;
    a.dport = p.sport;
    if (last.states.count("RELATED") && !last.states.count("ESTABLISHED")) {
      // An ICMP error about a UDP flow a -> b, sent by b: RELATED.
      a.proto = 17;
      emit(a);
      Pl e = p;
      e.proto = 1;
      e.type = 3;
      e.code = 3;
      e.sport = a.sport;
      e.dport = a.dport;
      e.inner_src = a.src;
      e.inner_dst = a.dst;
      emit(e);
      return;
    }
    if (p.proto == 6) {
      a.flags = kTcpSyn;
      a.seq = isn();
      a.ack = 0;
      p.flags = kTcpSyn | kTcpAck;
      p.seq = isn();
      p.ack = a.seq + 1;
    } else if (p.proto == 1) {
      a.type = 8;
      a.code = 0;
      a.echo_id = p.echo_id;
      p.type = 0;
    }
    emit(a);
    emit(p);
  }

  void aim(const Target& t) {
    const RuleSpec& last = t.path.back();
    std::vector<Variant> vars = {{"match", [](Pl&) {}}};
    auto add_addr = [&](const char* nm, const Crit& c, bool is_src) {
      if (!c.set() || c.ranges.size() != 1) return;
      const URange r = c.ranges[0];
      auto set = [is_src](Pl& p, uint32_t v) {
        if (is_src) p.src = v;
        else p.dst = v;
      };
      std::string n = nm;
      if (r.hi != r.lo) {
        vars.push_back({n + "-first", [=](Pl& p) { set(p, r.lo); }});
        vars.push_back({n + "-last", [=](Pl& p) { set(p, r.hi); }});
      }
      if (r.lo > 0) vars.push_back({n + "-out-lo", [=](Pl& p) { set(p, r.lo - 1); }});
      if (r.hi < 0xffffffffu) vars.push_back({n + "-out-hi", [=](Pl& p) { set(p, r.hi + 1); }});
    };
    add_addr("src", last.src, true);
    add_addr("dst", last.dst, false);
    auto add_port = [&](const char* nm, const Crit& c, bool is_src) {
      for (size_t k = 0; k < c.ranges.size() && k < 2; ++k) {
        const URange r = c.ranges[k];
        auto set = [is_src](Pl& p, uint32_t v) {
          if (is_src) p.sport = uint16_t(v);
          else p.dport = uint16_t(v);
        };
        std::string n = nm;
        if (r.hi != r.lo) vars.push_back({n + "-hi", [=](Pl& p) { set(p, r.hi); }});
        if (r.lo > 0) vars.push_back({n + "-out-lo", [=](Pl& p) { set(p, r.lo - 1); }});
        if (r.hi < 65535) vars.push_back({n + "-out-hi", [=](Pl& p) { set(p, r.hi + 1); }});
      }
    };
    add_port("sport", last.sport, true);
    add_port("dport", last.dport, false);
    add_port("dport", last.ports, false);
    if (last.iif.set() && host.ifaces.size() > 1)
      vars.push_back({"iif-other", [this, n = last.iif](Pl& p) {
                        if (p.in.empty()) return;
                        for (const auto& i : host.ifaces)
                          if (!n.matches(i.name)) {
                            p.in = i.name;
                            return;
                          }
                      }});
    if (last.proto && !last.proto_inv && (*last.proto == 6 || *last.proto == 17))
      vars.push_back({"proto-other", [](Pl& p) {
                        p.proto = p.proto == 6 ? 17 : 6;
                        p.flags = kTcpSyn;
                      }});
    if (last.length.set() && last.length.ranges.size() == 1) {
      URange r = last.length.ranges[0];
      for (uint32_t v : {r.lo, r.hi, r.lo - 1, r.hi + 1})
        if (v >= 28 && v <= 65535)
          vars.push_back({"len-" + std::to_string(v), [v](Pl& p) { p.len = v; }});
    }
    if (last.icmp_type)
      vars.push_back({"icmp-other", [](Pl& p) {
                        if (p.proto == 1) p.type = p.type == 8 ? 13 : 8;
                      }});
    if (last.tcp_flags)
      vars.push_back({"flags-other", [](Pl& p) {
                        if (p.proto == 6) p.flags = p.flags == kTcpSyn ? uint8_t(kTcpAck) : uint8_t(kTcpSyn);
                      }});
    size_t limit = std::min(opts.per_rule, vars.size());
    for (size_t v = 0; v < limit && !full(); ++v) {
      Pl p;
      std::string oif;
      if (!realize(t.path, t.hook, p, oif)) {
        if (v == 0) comment(t.table + " " + t.chain + " #" + std::to_string(t.number) +
                            ": criteria the generator cannot meet together");
        return;
      }
      vars[v].tweak(p);
      if (p.proto != 6) p.flags = kTcpSyn;
      comment(t.table + " " + t.chain + " #" + std::to_string(t.number) + " (" +
              hook_name(t.hook) + ", " + vars[v].name + "): " + t.text);
      with_state(last, p);
    }
  }

  void background(size_t n) {
    comment("background");
    for (size_t k = 0; k < n && !full(); ++k) {
      Pl p;
      const auto& i = rng.pick(host.ifaces).name;
      int kind = int(rng.below(4));
      p.proto = rng.pick(std::vector<uint8_t>{6, 6, 17, 17, 1});
      if (kind == 3) {
        p.in = "";
        p.dst = beyond(i);
      } else {
        p.in = i;
        p.src = rng.chance(0.5) ? neighbour(i) : beyond(i);
        p.dst = kind == 0 ? primary(rng.pick(host.ifaces).name) : beyond(other_iface(i));
      }
      p.sport = eph();
      p.dport = rng.pick(port_pool);
      static const uint8_t kFlags[] = {kTcpSyn, kTcpSyn, kTcpAck, kTcpSyn | kTcpAck, kTcpRst,
                                       kTcpFin | kTcpAck, kTcpPsh | kTcpAck, 0};
      p.flags = kFlags[rng.below(8)];
      p.seq = isn();
      p.ack = (p.flags & kTcpAck) ? isn() : 0;
      p.type = rng.pick(std::vector<uint8_t>{8, 8, 0, 3, 11, 13});
      p.code = p.type == 3 ? uint8_t(rng.below(4)) : 0;
      p.echo_id = uint16_t(rng.below(65000) + 1);
      if (is_icmp_error(p.type)) {
        p.sport = eph();
        p.dport = 53;
      }
      if (rng.chance(0.1)) p.len = 40 + rng.below(1400);
      emit(p);
    }
  }
};

}  // namespace

std::string generate_packets(const Listing& rules, const Host& host,
                             const GenPacketsOptions& opts, const std::string& title) {
  PacketGen g(rules, host, opts);
  auto tgs = g.targets();
  size_t nrules = tgs.size();
  size_t budget = std::clamp<size_t>(nrules * 6 + 120, opts.min_packets, opts.max_packets);
  g.opts.max_packets = budget;
  g.out.push_back("# packets for " + title + ": " + std::to_string(nrules) +
                  " rule visits, seed " + std::to_string(opts.seed) + " (generated by kgen)");
  // 1. Flows first (a quarter of the budget): they set up the connections later packets meet.
  g.flows(budget / 4);
  // 2. Rules, sampled evenly when there are more than the budget allows.
  size_t left = budget > g.npackets + budget / 8 ? budget - g.npackets - budget / 8 : 0;
  size_t per = std::max<size_t>(1, std::min(opts.per_rule, nrules ? left / nrules : 1));
  g.opts.per_rule = std::max<size_t>(per, 2);
  size_t stride = 1;
  if (nrules * g.opts.per_rule > left && left > 0)
    stride = (nrules * g.opts.per_rule + left - 1) / left;
  for (size_t i = 0; i < nrules && !g.full(); i += stride) {
    if (g.npackets + budget / 8 >= budget) break;
    g.aim(tgs[i]);
  }
  // 3. Background traffic fills the rest.
  if (!g.full()) g.background(budget - g.npackets);
  std::string text;
  for (const auto& l : g.out) text += l + "\n";
  return text;
}

// ---------------------------------------------------------------- random rule sets

GenHostResult generate_random_host(uint64_t seed) {
  Rng rng(seed ^ 0x5157);
  Host h;
  uint32_t lan = (192u << 24) | (168u << 16) | (uint32_t(rng.below(200) + 1) << 8);
  uint32_t dmz = (172u << 24) | (uint32_t(16 + rng.below(16)) << 16) | (uint32_t(rng.below(250)) << 8);
  uint32_t wan = (10u << 24) | (uint32_t(rng.below(250)) << 16) | (uint32_t(rng.below(250)) << 8);
  h.ifaces.push_back({"lan0", {{lan + 1, 24}}});
  h.ifaces.push_back({"wan0", {{wan + 1, 24}}});
  if (rng.chance(0.7)) h.ifaces.push_back({"dmz0", {{dmz + 1, 24}}});
  if (rng.chance(0.3)) h.ifaces.back().addrs.push_back({dmz + 200, 24});
  if (rng.chance(0.3)) h.ifaces.push_back({"vpn0", {{0x0a080001u, 16}}});
  h.routes.push_back({0, 0, "wan0", rng.chance(0.5) ? std::optional<uint32_t>(wan + 254) : std::nullopt});
  if (rng.chance(0.4)) h.routes.push_back({0xc6336400u, 24, "lan0", std::nullopt});
  return {h, host_text(h, "random host, seed " + std::to_string(seed))};
}

namespace {

struct RandRules {
  Rng rng;
  const Host& h;
  std::vector<std::pair<uint32_t, uint8_t>> prefixes;
  std::vector<uint32_t> addrs;
  std::vector<std::string> ports = {"22", "53", "80", "443", "123", "1000:2000", "8080",
                                    "0:1023", "1024:65535", "25", "3306", "5000:5010"};

  RandRules(uint64_t seed, const Host& host) : rng(seed), h(host) {
    for (const auto& i : h.ifaces)
      for (const auto& [a, l] : i.addrs) {
        prefixes.push_back({a & prefix_mask(l), l});
        prefixes.push_back({(a & prefix_mask(l)) + 128, 25});
        prefixes.push_back({(a & prefix_mask(l)) + 64, 26});
        addrs.push_back(a);
        addrs.push_back((a & prefix_mask(l)) + 10);
        addrs.push_back((a & prefix_mask(l)) + 200);
      }
    for (uint32_t a : {0x08080800u, 0x5db8d800u, 0xcb007100u, 0xc6336400u})
      prefixes.push_back({a, 24});
    addrs.push_back(0x08080808u);
    addrs.push_back(0xc6336405u);
  }
  std::string pfx() {
    auto [a, l] = rng.pick(prefixes);
    if (rng.chance(0.3)) return format_ipv4(rng.pick(addrs)) + "/32";
    return format_ipv4(a) + "/" + std::to_string(l);
  }
  std::string iface() { return rng.pick(h.ifaces).name; }
  std::string neg() { return rng.chance(0.15) ? "! " : ""; }

  /// Criteria legal at this chain's hooks (in: may use -i; out: may use -o).
  std::string criteria(bool in_ok, bool out_ok, std::string& proto, bool mangle_like) {
    std::string r;
    proto.clear();
    if (rng.chance(0.35)) r += " " + neg() + "-s " + pfx();
    if (rng.chance(0.35)) r += " " + neg() + "-d " + pfx();
    if (in_ok && rng.chance(0.3)) r += " " + neg() + "-i " + (rng.chance(0.1) ? std::string("lan+") : iface());
    if (out_ok && rng.chance(0.3)) r += " " + neg() + "-o " + iface();
    int pr = int(rng.below(10));
    if (pr < 4) proto = "tcp";
    else if (pr < 6) proto = "udp";
    else if (pr < 7) proto = "icmp";
    if (!proto.empty()) r += " -p " + proto;
    if (proto == "tcp" || proto == "udp") {
      if (rng.chance(0.5)) r += " -m " + proto + " " + neg() + "--dport " + rng.pick(ports);
      else if (rng.chance(0.3)) r += " -m " + proto + " " + neg() + "--sport " + rng.pick(ports);
      else if (rng.chance(0.3)) r += " -m multiport " + neg() + "--dports 22,53,80,443,5000:5010";
      if (proto == "tcp" && rng.chance(0.2)) r += " -m tcp " + neg() + "--tcp-flags SYN,ACK,FIN,RST SYN";
    }
    if (proto == "icmp" && rng.chance(0.6))
      r += " -m icmp " + neg() + "--icmp-type " + rng.pick(std::vector<std::string>{"8", "0", "3", "3/3", "11"});
    int m = int(rng.below(14));
    switch (m) {
      case 0: r += " -m conntrack " + neg() + "--ctstate " + rng.pick(std::vector<std::string>{"NEW", "ESTABLISHED", "RELATED,ESTABLISHED", "INVALID", "NEW,ESTABLISHED"}); break;
      case 1: r += " -m state --state " + rng.pick(std::vector<std::string>{"NEW", "ESTABLISHED", "RELATED,ESTABLISHED", "INVALID"}); break;
      case 2: r += " -m length " + neg() + "--length " + rng.pick(std::vector<std::string>{"0:100", "40", "100:1500", "28:60"}); break;
      case 3: r += " -m iprange " + neg() + "--src-range " + format_ipv4(rng.pick(addrs)) + "-" + format_ipv4(rng.pick(addrs) + 20); break;
      case 4: r += " -m mark " + neg() + "--mark " + rng.pick(std::vector<std::string>{"0x1", "0x2/0xf", "0x0"}); break;
      case 5: r += " -m comment --comment \"random rule\""; break;
      case 6: r += " -m addrtype --dst-type " + rng.pick(std::vector<std::string>{"LOCAL", "UNICAST", "BROADCAST"}); break;
      case 7: r += " -m pkttype --pkt-type " + rng.pick(std::vector<std::string>{"unicast", "broadcast", "multicast"}); break;
      case 8: if (mangle_like) r += " -m connmark --mark " + rng.pick(std::vector<std::string>{"0x1", "0x0"}); break;
      case 9: r += " -m limit --limit " + rng.pick(std::vector<std::string>{"1/hour", "2/min"}) + " --limit-burst " + std::to_string(1 + rng.below(5)); break;
      case 10: r += " -m statistic --mode nth --every " + std::to_string(2 + rng.below(3)) + " --packet 0"; break;
      default: break;
    }
    return r;
  }
};

}  // namespace

std::string generate_random_rules(uint64_t seed, const Host& host) {
  RandRules g(seed, host);
  Rng& rng = g.rng;
  std::string out = "# random rule set, seed " + std::to_string(seed) + " (generated by kgen)\n";
  struct TableDef {
    std::string name;
    double p;
  };
  for (const TableDef& td : {TableDef{"raw", 0.25}, TableDef{"mangle", 0.4}, TableDef{"nat", 0.6},
                             TableDef{"filter", 1.0}}) {
    if (!rng.chance(td.p)) continue;
    const std::string& t = td.name;
    out += "*" + t + "\n";
    const auto& builtins = builtin_chains(t);
    for (const auto& c : builtins) {
      std::string pol = t == "filter" && rng.chance(0.4) ? "DROP" : "ACCEPT";
      out += ":" + c + " " + pol + " [0:0]\n";
    }
    int nuser = t == "filter" ? int(rng.below(4)) : t == "nat" || t == "mangle" ? int(rng.below(2)) : 0;
    std::vector<std::string> user;
    for (int i = 0; i < nuser; ++i) {
      user.push_back("u" + std::to_string(i));
      out += ":" + user.back() + " - [0:0]\n";
    }
    // Rules: built-in chains may jump to any user chain; user chain i only to j > i (no loops).
    auto chains = builtins;
    chains.insert(chains.end(), user.begin(), user.end());
    for (const auto& c : chains) {
      bool is_user = c[0] == 'u';
      int uidx = is_user ? std::stoi(c.substr(1)) : -1;
      bool in_ok = c != "OUTPUT" && c != "POSTROUTING";
      bool out_ok = c != "PREROUTING" && c != "INPUT";
      if (is_user) in_ok = out_ok = false;  // a user chain may be reached from any hook
      int n = int(rng.below(is_user ? 6 : 9));
      for (int k = 0; k < n; ++k) {
        std::string proto;
        std::string crit = g.criteria(in_ok, out_ok, proto, t == "mangle");
        std::vector<std::string> targets;
        if (t == "filter") {
          targets = {"ACCEPT", "DROP", "REJECT", "LOG --log-prefix \"r \"", "NFLOG --nflog-group 2", "RETURN"};
          if (proto == "tcp") targets.push_back("REJECT --reject-with tcp-reset");
          targets.push_back("REJECT --reject-with icmp-host-prohibited");
        } else if (t == "nat") {
          targets = {"ACCEPT", "RETURN"};
          if (c == "PREROUTING" || c == "OUTPUT") {
            std::string to = format_ipv4(g.rng.pick(g.addrs));
            if (proto == "tcp" || proto == "udp") {
              targets.push_back("DNAT --to-destination " + to + ":" + std::to_string(8000 + rng.below(100)));
              targets.push_back("REDIRECT --to-ports " + std::to_string(3000 + rng.below(100)));
            }
            targets.push_back("DNAT --to-destination " + to);
          }
          if (c == "POSTROUTING" || c == "INPUT") {
            targets.push_back("SNAT --to-source " + format_ipv4(host.ifaces[rng.below(uint32_t(host.ifaces.size()))].addrs[0].first));
            if (c == "POSTROUTING") targets.push_back("MASQUERADE");
          }
        } else if (t == "mangle") {
          targets = {"MARK --set-mark 0x1", "MARK --set-xmark 0x2/0xf", "CONNMARK --save-mark",
                     "CONNMARK --restore-mark", "CONNMARK --set-mark 0x1", "TOS --set-tos 0x10",
                     "ACCEPT", "DROP", "RETURN"};
          if (proto == "tcp" && (c == "FORWARD" || c == "POSTROUTING" || c == "OUTPUT")) {
            // TCPMSS needs the rule to test for SYN.
            crit += " -m tcp --tcp-flags SYN,RST SYN";
            targets.push_back("TCPMSS --set-mss 1300");
          }
        } else {
          targets = {"NOTRACK", "CT --notrack", "ACCEPT", "DROP"};
        }
        // Jumps to later user chains.
        for (const auto& u : user) {
          int j = std::stoi(u.substr(1));
          if (j > uidx) {
            targets.push_back(u);
            if (rng.chance(0.3)) targets.push_back("GOTO " + u);
          }
        }
        std::string tg = rng.pick(targets);
        // nat rules must not be reached from a hook where their target is illegal: keep
        // user chains of nat free of DNAT/SNAT, and REDIRECT/DNAT out of INPUT/POSTROUTING.
        if (t == "nat" && is_user) tg = rng.chance(0.5) ? "RETURN" : "ACCEPT";
        if (tg.rfind("GOTO ", 0) == 0) out += "-A " + c + crit + " -g " + tg.substr(5) + "\n";
        else out += "-A " + c + crit + " -j " + tg + "\n";
      }
    }
    out += "COMMIT\n";
  }
  return out;
}

}  // namespace iptc::kernel_test
