// Random rule sets and packets for the differential tests (rulegen.hpp). Rules are drawn per
// chain from the kinds legal there: -i only where an input device exists (PREROUTING, INPUT,
// FORWARD), -o only where an output device does, owner only in OUTPUT/POSTROUTING, mac only
// before routing out, NAT targets only in their nat chains, CT/NOTRACK in raw, TCPMSS with the
// SYN test it requires. User chains are reached from built-in chains of their own table and
// jump only to later user chains (no loops); they use neither -i/-o nor hook-bound kinds.
#include "rulegen.hpp"

#include <random>
#include <vector>

#include "lib/common.hpp"

namespace iptc::difftest {

namespace {

using kernel_test::format_ipv4;

struct Rng {
  std::mt19937_64 g;
  explicit Rng(uint64_t seed) : g(seed * 0x9e3779b97f4a7c15ull + 7) {}
  uint32_t below(uint32_t n) { return n ? static_cast<uint32_t>(g() % n) : 0; }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(g) < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(static_cast<uint32_t>(v.size()))]; }
};

struct Gen {
  Rng rng;
  const kernel_test::Host& h;
  std::vector<uint32_t> addrs;
  std::vector<std::pair<uint32_t, unsigned>> prefixes;
  std::vector<std::string> ports = {"22", "53", "80", "443", "123", "1000:2000", "8080",
                                    "0:1023", "1024:65535", "25", "5000:5010", "40000"};

  Gen(uint64_t seed, const kernel_test::Host& host) : rng(seed), h(host) {
    for (const auto& i : h.ifaces)
      for (const auto& [a, l] : i.addrs) {
        uint32_t net = a & kernel_test::prefix_mask(l);
        prefixes.push_back({net, l});
        prefixes.push_back({net + 128, 25});
        addrs.push_back(a);
        addrs.push_back(net + 10);
        addrs.push_back(net + 200);
      }
    for (uint32_t a : {0x08080800u, 0xc6336400u, 0xcb007100u}) prefixes.push_back({a, 24});
    addrs.push_back(0x08080808u);
    addrs.push_back(0xc6336405u);
    addrs.push_back(0xcb007101u);
  }

  std::string neg(double p = 0.2) { return rng.chance(p) ? "! " : ""; }
  std::string addr() { return format_ipv4(rng.pick(addrs)); }
  std::string pfx() {
    if (rng.chance(0.3)) return addr() + "/32";
    auto [a, l] = rng.pick(prefixes);
    return format_ipv4(a) + "/" + std::to_string(l);
  }
  std::string iface() {
    if (rng.chance(0.1)) return rng.chance(0.5) ? "lan+" : "+";
    return rng.pick(h.ifaces).name;
  }
  std::string hex(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%x", v);
    return b;
  }

  /// Criteria for a rule in chain `c` of table `t`; `proto` receives the -p given.
  std::string criteria(const std::string& t, const std::string& c, bool user, std::string& proto) {
    std::string r;
    bool in_ok = !user && c != "OUTPUT" && c != "POSTROUTING";
    bool out_ok = !user && c != "PREROUTING" && c != "INPUT";
    bool owner_ok = !user && (c == "OUTPUT" || c == "POSTROUTING");
    bool mac_ok = !user && (c == "PREROUTING" || c == "INPUT" || c == "FORWARD");
    if (rng.chance(0.3)) r += " " + neg() + "-s " + pfx();
    if (rng.chance(0.3)) r += " " + neg() + "-d " + pfx();
    if (in_ok && rng.chance(0.25)) r += " " + neg() + "-i " + iface();
    if (out_ok && rng.chance(0.25)) r += " " + neg() + "-o " + iface();
    int pr = static_cast<int>(rng.below(12));
    proto = pr < 4 ? "tcp" : pr < 7 ? "udp" : pr < 9 ? "icmp" : pr < 10 ? "sctp" : "";
    if (!proto.empty()) r += " " + neg(0.05) + "-p " + proto;
    bool inv_proto = r.find("! -p") != std::string::npos;
    if (inv_proto) proto = "";
    if (rng.chance(0.04)) r += " " + neg(0.5) + "-f";
    if (proto == "tcp") {
      std::string m = " -m tcp";
      if (rng.chance(0.5)) m += " " + neg() + "--dport " + rng.pick(ports);
      if (rng.chance(0.25)) m += " " + neg() + "--sport " + rng.pick(ports);
      if (rng.chance(0.2)) m += " " + neg() + "--tcp-flags " + rng.pick(std::vector<std::string>{"SYN,ACK,FIN,RST SYN", "ALL NONE", "SYN,ACK SYN,ACK", "FIN,SYN,RST,PSH,ACK,URG NONE", "ACK ACK"});
      else if (rng.chance(0.1)) m += " " + neg() + "--syn";
      if (rng.chance(0.08)) m += " " + neg() + "--tcp-option " + rng.pick(std::vector<std::string>{"2", "4", "8"});
      if (m != " -m tcp") r += m;
      if (rng.chance(0.15)) r += " -m multiport " + neg() + rng.pick(std::vector<std::string>{"--dports 22,53,80,443,5000:5010", "--sports 40000:40100,1234", "--ports 80,443", "--dports 1:1023"});
    } else if (proto == "udp") {
      std::string m = " -m udp";
      if (rng.chance(0.5)) m += " " + neg() + "--dport " + rng.pick(ports);
      if (rng.chance(0.25)) m += " " + neg() + "--sport " + rng.pick(ports);
      if (m != " -m udp") r += m;
      if (rng.chance(0.15)) r += " -m multiport " + neg() + rng.pick(std::vector<std::string>{"--dports 53,123,5000:5010", "--ports 53"});
    } else if (proto == "icmp") {
      if (rng.chance(0.6))
        r += " -m icmp " + neg() + "--icmp-type " + rng.pick(std::vector<std::string>{"8", "0", "3", "3/3", "11", "any", "echo-request", "port-unreachable", "5/1"});
    } else if (proto == "sctp") {
      // sctp has ports, but iptc has no -m sctp: only the protocol is tested.
    }
    int nm = static_cast<int>(rng.below(3));
    for (int k = 0; k < nm; ++k) r += extra(t, owner_ok, mac_ok);
    return r;
  }

  std::string extra(const std::string& t, bool owner_ok, bool mac_ok) {
    (void)t;
    switch (rng.below(20)) {
      case 0: return " -m conntrack " + neg() + "--ctstate " + rng.pick(std::vector<std::string>{"NEW", "ESTABLISHED", "RELATED,ESTABLISHED", "INVALID", "NEW,ESTABLISHED", "UNTRACKED", "SNAT", "DNAT", "NEW,DNAT"});
      case 1: {
        std::string m = " -m conntrack";
        switch (rng.below(7)) {
          case 0: m += " " + neg() + "--ctorigsrc " + pfx(); break;
          case 1: m += " " + neg() + "--ctorigdst " + pfx(); break;
          case 2: m += " " + neg() + "--ctreplsrc " + pfx(); break;
          case 3: m += " " + neg() + "--ctstatus " + rng.pick(std::vector<std::string>{"ASSURED", "SEEN_REPLY", "CONFIRMED", "EXPECTED,ASSURED"}); break;
          case 4: m += " --ctdir " + rng.pick(std::vector<std::string>{"ORIGINAL", "REPLY"}); break;
          case 5: m += " " + neg() + "--ctproto " + rng.pick(std::vector<std::string>{"tcp", "udp", "icmp"}); break;
          default: m += " --ctproto tcp " + neg() + "--ctorigdstport " + rng.pick(std::vector<std::string>{"80", "22", "1000:2000"}); break;
        }
        if (rng.chance(0.3)) m += " --ctstate NEW,ESTABLISHED";
        return m;
      }
      case 2: return " -m state " + neg() + "--state " + rng.pick(std::vector<std::string>{"NEW", "ESTABLISHED", "RELATED,ESTABLISHED", "INVALID", "UNTRACKED"});
      case 3: return " -m length " + neg() + "--length " + rng.pick(std::vector<std::string>{"0:100", "40", "100:1500", "28:60", "60:"});
      case 4: return " -m iprange " + neg() + (rng.chance(0.5) ? "--src-range " : "--dst-range ") + addr() + "-" + format_ipv4(rng.pick(addrs) + rng.below(40));
      case 5: return " -m mark " + neg() + "--mark " + rng.pick(std::vector<std::string>{"0x1", "0x2/0xf", "0x0", "0x3/0x3"});
      case 6: return " -m comment --comment \"rule " + std::to_string(rng.below(1000)) + "\"";
      case 7: return " -m addrtype " + std::string(rng.chance(0.5) ? "--dst-type " : "--src-type ") + neg() + rng.pick(std::vector<std::string>{"LOCAL", "UNICAST", "BROADCAST", "MULTICAST", "LOCAL,BROADCAST"});
      case 8: return " -m pkttype " + neg() + "--pkt-type " + rng.pick(std::vector<std::string>{"unicast", "broadcast", "multicast"});
      case 9: return " -m connmark " + neg() + "--mark " + rng.pick(std::vector<std::string>{"0x1", "0x0", "0x1/0x1", "0x2/0x2"});
      case 10: return " -m limit --limit " + rng.pick(std::vector<std::string>{"1/hour", "2/min", "10/sec", "3/second"}) + " --limit-burst " + std::to_string(1 + rng.below(5));
      case 11: return " -m statistic --mode nth " + neg() + "--every " + std::to_string(2 + rng.below(3)) + " --packet " + std::to_string(rng.below(2));
      case 12: return " -m statistic --mode random " + neg() + "--probability " + rng.pick(std::vector<std::string>{"0.5", "0.25", "0.9"});
      case 13: return mac_ok ? " -m mac " + neg() + "--mac-source " + rng.pick(std::vector<std::string>{"02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03"}) : "";
      case 14: return owner_ok ? " -m owner " + neg() + rng.pick(std::vector<std::string>{"--uid-owner 0", "--uid-owner 1000", "--gid-owner 0-10", "--socket-exists"}) : "";
      case 15: return " -m set " + neg() + "--match-set " + rng.pick(std::vector<std::string>{"blocklist src", "allow dst", "pairs src,dst"});
      case 16: return " -m mark " + neg() + "--mark " + hex(rng.below(4));
      default: return "";
    }
  }

  std::string target(const std::string& t, const std::string& c, bool user, const std::string& proto,
                     std::string& crit) {
    std::vector<std::string> ts = {"ACCEPT", "DROP", "RETURN", "LOG --log-prefix \"p" + std::to_string(rng.below(9)) + " \"",
                                   "NFLOG --nflog-group 2", "MARK --set-xmark " + hex(rng.below(4)) + "/0x3", ""};
    if (rng.chance(0.05)) ts.push_back("QUEUE");
    if (t == "filter" || t == "security") {
      ts.push_back("REJECT");
      ts.push_back("REJECT --reject-with icmp-host-prohibited");
      if (proto == "tcp") ts.push_back("REJECT --reject-with tcp-reset");
      ts.push_back("CONNMARK --set-mark 0x1");
    } else if (t == "nat") {
      ts = {"ACCEPT", "RETURN", ""};
      if (!user && (c == "PREROUTING" || c == "OUTPUT")) {
        if (proto == "tcp" || proto == "udp") {
          ts.push_back("DNAT --to-destination " + addr() + ":" + std::to_string(8000 + rng.below(100)));
          ts.push_back("REDIRECT --to-ports " + std::to_string(3000 + rng.below(100)));
        }
        ts.push_back("DNAT --to-destination " + addr());
      }
      if (!user && (c == "POSTROUTING" || c == "INPUT")) {
        ts.push_back("SNAT --to-source " + format_ipv4(rng.pick(h.ifaces).addrs[0].first));
        if (c == "POSTROUTING") {
          ts.push_back("MASQUERADE");
          if (proto == "tcp" || proto == "udp") ts.push_back("MASQUERADE --to-ports 20000-20100");
        }
      }
    } else if (t == "mangle") {
      for (const char* s : {"MARK --set-mark 0x1", "MARK --and-mark 0x2", "MARK --or-mark 0x4",
                            "CONNMARK --save-mark", "CONNMARK --restore-mark",
                            "CONNMARK --set-xmark 0x1/0x3", "TOS --set-tos 0x10", "TOS --or-tos 0x08"})
        ts.push_back(s);
      if (!user && proto == "tcp" && (c == "FORWARD" || c == "POSTROUTING" || c == "OUTPUT")) {
        crit += " -m tcp --tcp-flags SYN,RST SYN";
        ts.push_back(rng.chance(0.5) ? "TCPMSS --set-mss 1300" : "TCPMSS --clamp-mss-to-pmtu");
      }
    } else if (t == "raw") {
      for (const char* s : {"NOTRACK", "CT --notrack", "CT --zone 3", "CT --helper ftp"}) ts.push_back(s);
    }
    return rng.pick(ts);
  }
};

const std::vector<std::string>& chains_of(const std::string& t) {
  static const std::vector<std::string> raw = {"PREROUTING", "OUTPUT"};
  static const std::vector<std::string> mangle = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};
  static const std::vector<std::string> nat = {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"};
  static const std::vector<std::string> filter = {"INPUT", "FORWARD", "OUTPUT"};
  if (t == "raw") return raw;
  if (t == "mangle") return mangle;
  if (t == "nat") return nat;
  return filter;
}

}  // namespace

std::string random_rules(uint64_t seed, const kernel_test::Host& host) {
  Gen g(seed, host);
  Rng& rng = g.rng;
  std::string out = "# random rule set " + std::to_string(seed) + "\n";
  for (const char* tp : {"raw", "mangle", "security", "nat", "filter"}) {
    std::string t = tp;
    double p = t == "filter" ? 0.95 : t == "nat" ? 0.6 : t == "security" ? 0.15 : 0.45;
    if (!rng.chance(p)) continue;
    out += "*" + t + "\n";
    for (const auto& c : chains_of(t))
      out += ":" + c + " " + (t != "nat" && rng.chance(0.3) ? "DROP" : "ACCEPT") + " [0:0]\n";
    int nuser = t == "nat" || t == "raw" ? static_cast<int>(rng.below(2)) : static_cast<int>(rng.below(4));
    for (int i = 0; i < nuser; ++i) out += ":u" + std::to_string(i) + " - [0:0]\n";
    std::vector<std::string> chains = chains_of(t);
    for (int i = 0; i < nuser; ++i) chains.push_back("u" + std::to_string(i));
    for (const auto& c : chains) {
      bool user = c[0] == 'u';
      int uidx = user ? std::stoi(c.substr(1)) : -1;
      int n = static_cast<int>(rng.below(user ? 6 : 10));
      for (int k = 0; k < n; ++k) {
        std::string proto;
        std::string crit = g.criteria(t, c, user, proto);
        std::string tg = g.target(t, c, user, proto, crit);
        // Jumps only forward among user chains (no loops).
        std::vector<int> later;
        for (int j = uidx + 1; j < nuser; ++j) later.push_back(j);
        if (!later.empty() && rng.chance(0.35)) {
          int j = later[rng.below(static_cast<uint32_t>(later.size()))];
          out += "-A " + c + crit + (rng.chance(0.3) ? " -g u" : " -j u") + std::to_string(j) + "\n";
          continue;
        }
        out += "-A " + c + crit + (tg.empty() ? "" : " -j " + tg) + "\n";
      }
    }
    out += "COMMIT\n";
  }
  return out;
}

std::string random_packets(uint64_t seed, const kernel_test::Host& host, size_t n) {
  Gen g(seed ^ 0xabcdef, host);
  Rng& rng = g.rng;
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (rng.chance(0.01)) {
      out += "flush\n";
      continue;
    }
    if (rng.chance(0.02)) {
      out += "sleep " + std::to_string(rng.below(3)) + "." + std::to_string(rng.below(10)) + "\n";
      continue;
    }
    std::string l;
    bool local = rng.chance(0.25);
    if (!local) l += "in=" + rng.pick(host.ifaces).name + " src=" + g.addr() + " dst=" + g.addr();
    else l += "dst=" + g.addr();
    int pr = static_cast<int>(rng.below(10));
    if (pr < 4) {
      l += " proto=tcp sport=" + std::to_string(rng.chance(0.5) ? 40000 + rng.below(5) : rng.below(2000)) +
           " dport=" + std::to_string(rng.pick(std::vector<uint32_t>{22, 80, 443, 53, 1500, 8080, 5005, 25}));
      l += " flags=" + rng.pick(std::vector<std::string>{"S", "SA", "A", "PA", "FA", "R", "none", "SF", "SAFRPU"});
    } else if (pr < 7) {
      l += " proto=udp sport=" + std::to_string(rng.chance(0.5) ? 40000 + rng.below(5) : rng.below(2000)) +
           " dport=" + std::to_string(rng.pick(std::vector<uint32_t>{53, 123, 5001, 9999}));
    } else if (pr < 9) {
      uint32_t type = rng.pick(std::vector<uint32_t>{8, 0, 3, 11, 5, 13});
      l += " proto=icmp type=" + std::to_string(type) + " code=" + std::to_string(rng.below(type == 3 ? 5 : 2));
    } else {
      l += " proto=" + rng.pick(std::vector<std::string>{"47", "132", "50"});
    }
    if (rng.chance(0.1)) l += " mark=" + std::to_string(rng.below(4));
    if (rng.chance(0.05)) l += " tos=" + std::to_string(rng.pick(std::vector<uint32_t>{0, 8, 16}));
    if (rng.chance(0.05)) l += " ttl=" + std::to_string(rng.pick(std::vector<uint32_t>{1, 2, 64}));
    if (rng.chance(0.08)) l += " len=" + std::to_string(rng.pick(std::vector<uint32_t>{28, 40, 60, 100, 576, 1500}));
    if (rng.chance(0.03)) l += " fragoff=" + std::to_string(rng.pick(std::vector<uint32_t>{8, 16, 1480}));
    if (rng.chance(0.03)) l += " mf=1";
    if (rng.chance(0.03)) l += " df=1";
    if (!local && rng.chance(0.05)) l += " mac=02:00:00:00:00:0" + std::to_string(1 + rng.below(3));
    if (!local && rng.chance(0.05)) l += " pkttype=" + rng.pick(std::vector<std::string>{"broadcast", "multicast", "host"});
    if (local && rng.chance(0.2)) l += " uid=" + std::to_string(rng.pick(std::vector<uint32_t>{0, 1000, 5}));
    if (local && rng.chance(0.1)) l += " gid=" + std::to_string(rng.below(20));
    out += l + "\n";
  }
  return out;
}

}  // namespace iptc::difftest
