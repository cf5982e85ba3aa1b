// Generator and mutator of rule sets (see generator.hpp).
//
// Validity comes from the kernel's own constraints, written next to each template:
//  - the table a target is limited to (xt_target.table: REJECT filter, NAT targets nat, NOTRACK
//    and CT raw, TOS mangle);
//  - xt_match/xt_target.hooks, which nf_tables checks from every base chain that reaches the rule,
//    through user chains (mac, owner, REJECT, SNAT/DNAT/MASQUERADE/REDIRECT);
//  - hook checks inside checkentry (TCPMSS --clamp-mss-to-pmtu, addrtype --limit-iface-*), which
//    nf_tables runs only when the rule is created, i.e. with the hook of a base chain and with no
//    hook at all in a user chain (confirmed by loads: both load in a user chain reached from any
//    hook);
//  - the protocol (-p, not inverted) that tcp/udp/icmp/multiport and some options need;
//  - do_parse's rules: no -o in PREROUTING/INPUT, no -i in OUTPUT/POSTROUTING, no DROP in nat,
//    no '!' with an address list or a zero mask.
// Jumps form a DAG (a chain only jumps to chains declared after it), so there is no loop and the
// depth stays far below 16; a chain's reach (the hooks it is reached from) is computed before its
// rules are written so that its rules respect every hook that reaches it.
#include "generator.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>

#include <fmt/format.h>

#include "iptc/ir/kinds.hpp"
#include "test_support.hpp"

namespace iptc::test::gen {

uint64_t Rng::next() {
  uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

size_t Rng::below(size_t n) { return n ? static_cast<size_t>(next() % n) : 0; }

int64_t Rng::range(int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(below(static_cast<size_t>(hi - lo + 1)));
}

namespace {

// Hook bits (NF_INET_* order) and table bits.
enum : uint8_t { kPre = 1, kIn = 2, kFwd = 4, kOut = 8, kPost = 16, kAllHooks = 31 };
enum : uint8_t { kFilter = 1, kNat = 2, kMangle = 4, kRaw = 8, kSecurity = 16, kAllTables = 31 };
enum class Need : uint8_t { Any, Tcp, Udp, Icmp, TcpUdp };

struct Tmpl {
  const char* kind;
  bool target;
  const char* text;
  Need need = Need::Any;
  uint8_t xt_hooks = kAllHooks;    ///< checked from every base chain reaching the rule
  uint8_t base_hooks = kAllHooks;  ///< checked only in a base chain
  uint8_t tables = kAllTables;
  bool implicit = false;           ///< option of the protocol match, written right after -p
};

// The option spellings, per kind. Placeholders in braces are filled by expand().
const std::vector<Tmpl>& templates() {
  static const std::vector<Tmpl> t = {
      // -m tcp (libxt_tcp.c)
      {"tcp", false, "-m tcp --dport {tport}", Need::Tcp},
      {"tcp", false, "-m tcp --sport {tports}", Need::Tcp},
      {"tcp", false, "-m tcp ! --dport {tport}", Need::Tcp},
      {"tcp", false, "-m tcp --syn", Need::Tcp},
      {"tcp", false, "-m tcp ! --syn", Need::Tcp},
      {"tcp", false, "-m tcp --tcp-flags SYN,ACK,FIN,RST SYN", Need::Tcp},
      {"tcp", false, "-m tcp --tcp-flags ALL NONE", Need::Tcp},
      {"tcp", false, "-m tcp --tcp-option {n:1:255}", Need::Tcp},
      {"tcp", false, "-m tcp --dport {tports} ! --sport {tport}", Need::Tcp},
      {"tcp", false, "--dport {tport}", Need::Tcp, kAllHooks, kAllHooks, kAllTables, true},
      {"tcp", false, "--sport {tports}", Need::Tcp, kAllHooks, kAllHooks, kAllTables, true},
      {"tcp", false, "--syn", Need::Tcp, kAllHooks, kAllHooks, kAllTables, true},
      {"tcp", false, "! --tcp-flags SYN,RST SYN", Need::Tcp, kAllHooks, kAllHooks, kAllTables, true},
      {"tcp", false, "--destination-port {tport}", Need::Tcp, kAllHooks, kAllHooks, kAllTables, true},
      // -m udp (libxt_udp.c)
      {"udp", false, "-m udp --dport {uport}", Need::Udp},
      {"udp", false, "-m udp ! --sport {uports}", Need::Udp},
      {"udp", false, "-m udp --sport {uport} --dport {uports}", Need::Udp},
      {"udp", false, "--dport {uport}", Need::Udp, kAllHooks, kAllHooks, kAllTables, true},
      {"udp", false, "! --sport {uport}", Need::Udp, kAllHooks, kAllHooks, kAllTables, true},
      // -m icmp (libipt_icmp.c)
      {"icmp", false, "-m icmp --icmp-type {icmptype}", Need::Icmp},
      {"icmp", false, "-m icmp ! --icmp-type {icmptype}", Need::Icmp},
      {"icmp", false, "--icmp-type {icmptype}", Need::Icmp, kAllHooks, kAllHooks, kAllTables, true},
      // -m multiport (libxt_multiport.c): needs -p tcp/udp/udplite/sctp/dccp
      {"multiport", false, "-m multiport --dports {portlist}", Need::TcpUdp},
      {"multiport", false, "-m multiport ! --sports {portlist}", Need::TcpUdp},
      {"multiport", false, "-m multiport --ports {portlist}", Need::TcpUdp},
      {"multiport", false, "-m multiport --destination-ports {portlist}", Need::TcpUdp},
      // -m conntrack (libxt_conntrack.c)
      {"conntrack", false, "-m conntrack --ctstate {ctstate}"},
      {"conntrack", false, "-m conntrack ! --ctstate {ctstate}"},
      {"conntrack", false, "-m conntrack --ctproto {l4proto}"},
      {"conntrack", false, "-m conntrack --ctorigsrc {net}"},
      {"conntrack", false, "-m conntrack ! --ctorigdst {net}"},
      {"conntrack", false, "-m conntrack --ctreplsrc {ip} --ctrepldst {net}"},
      {"conntrack", false, "-m conntrack --ctstatus {ctstatus}"},
      {"conntrack", false, "-m conntrack --ctdir {ctdir}"},
      {"conntrack", false, "-m conntrack --ctexpire {n:0:100}:{n:100:1000}"},
      {"conntrack", false, "-m conntrack --ctproto tcp --ctorigdstport {gport}"},
      {"conntrack", false, "-m conntrack --ctstate {ctstate} --ctstatus {ctstatus}"},
      // -m state (libxt_state.c)
      {"state", false, "-m state --state {state}"},
      {"state", false, "-m state ! --state {state}"},
      // -m comment
      {"comment", false, "-m comment --comment {comment}"},
      // -m mark
      {"mark", false, "-m mark --mark {mark}"},
      {"mark", false, "-m mark ! --mark {mark}"},
      // -m mac: xt_mac.hooks = PREROUTING, INPUT, FORWARD
      {"mac", false, "-m mac --mac-source {mac}", Need::Any, kPre | kIn | kFwd},
      {"mac", false, "-m mac ! --mac-source {mac}", Need::Any, kPre | kIn | kFwd},
      // -m limit
      {"limit", false, "-m limit --limit {rate}"},
      {"limit", false, "-m limit --limit {rate} --limit-burst {n:1:100}"},
      {"limit", false, "-m limit --limit-burst {n:1:20}"},
      // -m addrtype (v1): --limit-iface-* are checked in checkentry only
      {"addrtype", false, "-m addrtype --src-type {addrtypes}"},
      {"addrtype", false, "-m addrtype ! --dst-type {addrtypes}"},
      {"addrtype", false, "-m addrtype --src-type {addrtypes} --dst-type {addrtypes}"},
      {"addrtype", false, "-m addrtype --dst-type {addrtypes} --limit-iface-in", Need::Any, kAllHooks,
       kPre | kIn | kFwd},
      {"addrtype", false, "-m addrtype --src-type {addrtypes} --limit-iface-out", Need::Any, kAllHooks,
       kFwd | kOut | kPost},
      // -m iprange
      {"iprange", false, "-m iprange --src-range {range}"},
      {"iprange", false, "-m iprange ! --dst-range {range}"},
      {"iprange", false, "-m iprange --src-range {range} --dst-range {range}"},
      // -m owner: xt_owner.hooks = OUTPUT, POSTROUTING
      {"owner", false, "-m owner --uid-owner {n:0:65535}", Need::Any, kOut | kPost},
      {"owner", false, "-m owner ! --gid-owner {n:0:1000}", Need::Any, kOut | kPost},
      {"owner", false, "-m owner --socket-exists", Need::Any, kOut | kPost},
      {"owner", false, "-m owner --uid-owner {n:0:100}-{n:200:3000}", Need::Any, kOut | kPost},
      // -m pkttype
      {"pkttype", false, "-m pkttype --pkt-type {pkttype}"},
      {"pkttype", false, "-m pkttype ! --pkt-type {pkttype}"},
      // -m length
      {"length", false, "-m length --length {n:0:1000}:{n:1000:65535}"},
      {"length", false, "-m length ! --length {n:20:1500}"},
      // -m statistic
      {"statistic", false, "-m statistic --mode random --probability {prob}"},
      {"statistic", false, "-m statistic --mode random ! --probability {prob}"},
      {"statistic", false, "-m statistic --mode nth --every {n:2:10} --packet 1"},
      // -m connmark
      {"connmark", false, "-m connmark --mark {mark}"},
      {"connmark", false, "-m connmark ! --mark {mark}"},
      // -m set (the sets of ipset_commands())
      {"set", false, "-m set --match-set {set} {setdir}"},
      {"set", false, "-m set ! --match-set {set} {setdir}"},

      // -j REJECT: ipt_REJECT table filter, hooks INPUT FORWARD OUTPUT; tcp-reset needs -p tcp
      {"REJECT", true, "-j REJECT", Need::Any, kIn | kFwd | kOut, kAllHooks, kFilter},
      {"REJECT", true, "-j REJECT --reject-with {rejectwith}", Need::Any, kIn | kFwd | kOut, kAllHooks, kFilter},
      {"REJECT", true, "-j REJECT --reject-with tcp-reset", Need::Tcp, kIn | kFwd | kOut, kAllHooks, kFilter},
      // -j LOG
      {"LOG", true, "-j LOG"},
      {"LOG", true, "-j LOG --log-prefix {prefix}"},
      {"LOG", true, "-j LOG --log-level {loglevel} --log-prefix {prefix}"},
      {"LOG", true, "-j LOG --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid"},
      // -j MARK
      {"MARK", true, "-j MARK --set-mark {mark}"},
      {"MARK", true, "-j MARK --set-xmark {mark}"},
      {"MARK", true, "-j MARK --and-mark {hex}"},
      {"MARK", true, "-j MARK --or-mark {hex}"},
      {"MARK", true, "-j MARK --xor-mark {hex}"},
      // -j CONNMARK
      {"CONNMARK", true, "-j CONNMARK --set-mark {mark}"},
      {"CONNMARK", true, "-j CONNMARK --set-xmark {mark}"},
      {"CONNMARK", true, "-j CONNMARK --save-mark"},
      {"CONNMARK", true, "-j CONNMARK --restore-mark"},
      {"CONNMARK", true, "-j CONNMARK --save-mark --nfmask {hex} --ctmask {hex}"},
      // NAT targets: table nat; SNAT POSTROUTING INPUT, DNAT PREROUTING OUTPUT, MASQUERADE
      // POSTROUTING, REDIRECT PREROUTING OUTPUT; ports need -p tcp/udp
      {"SNAT", true, "-j SNAT --to-source {natip}", Need::Any, kPost | kIn, kAllHooks, kNat},
      {"SNAT", true, "-j SNAT --to-source {natip} --random", Need::Any, kPost | kIn, kAllHooks, kNat},
      {"SNAT", true, "-j SNAT --to-source {natip}:{natports}", Need::TcpUdp, kPost | kIn, kAllHooks, kNat},
      {"SNAT", true, "-j SNAT --to-source {natip} --persistent", Need::Any, kPost | kIn, kAllHooks, kNat},
      {"DNAT", true, "-j DNAT --to-destination {natip}", Need::Any, kPre | kOut, kAllHooks, kNat},
      {"DNAT", true, "-j DNAT --to-destination {natip}:{n:1:65535}", Need::TcpUdp, kPre | kOut, kAllHooks, kNat},
      {"MASQUERADE", true, "-j MASQUERADE", Need::Any, kPost, kAllHooks, kNat},
      {"MASQUERADE", true, "-j MASQUERADE --random", Need::Any, kPost, kAllHooks, kNat},
      {"MASQUERADE", true, "-j MASQUERADE --to-ports {natports}", Need::TcpUdp, kPost, kAllHooks, kNat},
      {"REDIRECT", true, "-j REDIRECT", Need::Any, kPre | kOut, kAllHooks, kNat},
      {"REDIRECT", true, "-j REDIRECT --to-ports {n:1:65535}", Need::TcpUdp, kPre | kOut, kAllHooks, kNat},
      {"REDIRECT", true, "-j REDIRECT --to-ports {natports} --random", Need::TcpUdp, kPre | kOut, kAllHooks, kNat},
      // raw-only targets
      {"NOTRACK", true, "-j NOTRACK", Need::Any, kAllHooks, kAllHooks, kRaw},
      {"CT", true, "-j CT --notrack", Need::Any, kAllHooks, kAllHooks, kRaw},
      {"CT", true, "-j CT --zone {n:0:65535}", Need::Any, kAllHooks, kAllHooks, kRaw},
      {"CT", true, "-j CT --ctevents new,related", Need::Any, kAllHooks, kAllHooks, kRaw},
      // -j TCPMSS: -p tcp; --clamp-mss-to-pmtu checks its hook in checkentry only
      {"TCPMSS", true, "-j TCPMSS --set-mss {n:536:1460}", Need::Tcp},
      {"TCPMSS", true, "-j TCPMSS --clamp-mss-to-pmtu", Need::Tcp, kAllHooks, kFwd | kOut | kPost},
      // -j NFLOG (encoded natively by iptables-nft)
      {"NFLOG", true, "-j NFLOG"},
      {"NFLOG", true, "-j NFLOG --nflog-group {n:0:65535}"},
      {"NFLOG", true, "-j NFLOG --nflog-group {n:0:10} --nflog-prefix {nflogprefix} --nflog-threshold {n:1:20}"},
      {"NFLOG", true, "-j NFLOG --nflog-size {n:0:1500}"},
      // -j TOS: table mangle
      {"TOS", true, "-j TOS --set-tos {tos}", Need::Any, kAllHooks, kAllHooks, kMangle},
      {"TOS", true, "-j TOS --and-tos {hex8}", Need::Any, kAllHooks, kAllHooks, kMangle},
      {"TOS", true, "-j TOS --or-tos {hex8}", Need::Any, kAllHooks, kAllHooks, kMangle},
  };
  return t;
}

struct TableDef {
  const char* name;
  uint8_t bit;
  std::vector<std::pair<const char*, uint8_t>> chains;  // built-in chain, hook bit
};

const std::vector<TableDef>& table_defs() {
  static const std::vector<TableDef> t = {
      {"filter", kFilter, {{"INPUT", kIn}, {"FORWARD", kFwd}, {"OUTPUT", kOut}}},
      {"nat", kNat, {{"PREROUTING", kPre}, {"INPUT", kIn}, {"OUTPUT", kOut}, {"POSTROUTING", kPost}}},
      {"mangle", kMangle,
       {{"PREROUTING", kPre}, {"INPUT", kIn}, {"FORWARD", kFwd}, {"OUTPUT", kOut}, {"POSTROUTING", kPost}}},
      {"raw", kRaw, {{"PREROUTING", kPre}, {"OUTPUT", kOut}}},
      {"security", kSecurity, {{"INPUT", kIn}, {"FORWARD", kFwd}, {"OUTPUT", kOut}}},
  };
  return t;
}

template <typename T>
std::vector<T> subset(Rng& rng, const std::vector<T>& from) {
  std::vector<T> out;
  for (const auto& x : from)
    if (rng.chance(40)) out.push_back(x);
  if (out.empty()) out.push_back(rng.pick(from));
  return out;
}

std::string comma(const std::vector<std::string>& v) { return join(v, ","); }

std::string ip(Rng& rng) {
  return fmt::format("{}.{}.{}.{}", rng.range(1, 223), rng.range(0, 255), rng.range(0, 255), rng.range(1, 254));
}

std::string port_range(Rng& rng) {
  int64_t a = rng.range(0, 65535), b = rng.range(0, 65535);
  if (a > b) std::swap(a, b);
  switch (rng.below(4)) {
    case 0: return fmt::format(":{}", b);
    case 1: return fmt::format("{}:", a);
    default: return fmt::format("{}:{}", a, b);
  }
}

std::string hex(Rng& rng) { return fmt::format("0x{:x}", rng.next() & 0xffffffffu); }

/// Fills the placeholders of a template.
std::string expand(std::string_view t, Rng& rng) {
  std::string out;
  size_t i = 0;
  while (i < t.size()) {
    if (t[i] != '{') {
      out += t[i++];
      continue;
    }
    size_t close = t.find('}', i);
    std::string name(t.substr(i + 1, close - i - 1));
    i = close + 1;
    if (name.starts_with("n:")) {
      size_t c2 = name.find(':', 2);
      int64_t lo = std::stoll(name.substr(2, c2 - 2)), hi = std::stoll(name.substr(c2 + 1));
      out += std::to_string(rng.range(lo, hi));
    } else if (name == "tport") {
      static const std::vector<std::string> names = {"ssh", "http", "https", "smtp", "0x16", "022"};
      out += rng.chance(20) ? rng.pick(names) : std::to_string(rng.range(0, 65535));
    } else if (name == "uport") {
      static const std::vector<std::string> names = {"domain", "ntp", "snmp", "bootps"};
      out += rng.chance(20) ? rng.pick(names) : std::to_string(rng.range(0, 65535));
    } else if (name == "gport") {
      // XTTYPE_PORT: getaddrinfo, so decimal or a service name (no C notation).
      static const std::vector<std::string> names = {"ssh", "domain", "http"};
      out += rng.chance(20) ? rng.pick(names) : std::to_string(rng.range(0, 65535));
    } else if (name == "tports" || name == "uports") {
      out += port_range(rng);
    } else if (name == "portlist") {
      // At most 15 port slots; a range takes two.
      int slots = static_cast<int>(rng.range(1, 15));
      std::vector<std::string> items;
      while (slots > 0) {
        if (slots >= 2 && rng.chance(30)) {
          int64_t a = rng.range(0, 65535), b = rng.range(0, 65535);
          if (a > b) std::swap(a, b);
          items.push_back(fmt::format("{}:{}", a, b));
          slots -= 2;
        } else {
          items.push_back(std::to_string(rng.range(1, 65535)));
          slots -= 1;
        }
        if (rng.chance(30)) break;
      }
      out += comma(items);
    } else if (name == "ip") {
      out += ip(rng);
    } else if (name == "net") {
      out += fmt::format("{}/{}", ip(rng), rng.range(8, 32));
    } else if (name == "range") {
      uint32_t a = static_cast<uint32_t>(rng.next()), b = a + static_cast<uint32_t>(rng.below(1000));
      if (b < a) std::swap(a, b);
      auto s = [](uint32_t x) { return fmt::format("{}.{}.{}.{}", x >> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255); };
      out += s(a) + "-" + s(b);
    } else if (name == "mark") {
      switch (rng.below(3)) {
        case 0: out += std::to_string(rng.range(0, 100000)); break;
        case 1: out += hex(rng); break;
        default: out += hex(rng) + "/" + hex(rng); break;
      }
    } else if (name == "hex") {
      out += hex(rng);
    } else if (name == "hex8") {
      out += fmt::format("0x{:02x}", rng.below(256));
    } else if (name == "mac") {
      out += fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", rng.below(256), rng.below(256),
                         rng.below(256), rng.below(256), rng.below(256), rng.below(256));
    } else if (name == "icmptype") {
      static const std::vector<std::string> v = {"echo-request", "echo-reply", "8", "0", "3/1",
                                                 "destination-unreachable", "port-unreachable",
                                                 "time-exceeded", "any", "11/0", "parameter-problem"};
      out += rng.pick(v);
    } else if (name == "state") {
      out += comma(subset<std::string>(rng, {"NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"}));
    } else if (name == "ctstate") {
      out += comma(subset<std::string>(rng, {"NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED", "SNAT", "DNAT"}));
    } else if (name == "ctstatus") {
      out += comma(subset<std::string>(rng, {"NONE", "EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED"}));
    } else if (name == "ctdir") {
      out += rng.chance(50) ? "ORIGINAL" : "REPLY";
    } else if (name == "l4proto") {
      static const std::vector<std::string> v = {"tcp", "udp", "icmp", "47", "sctp"};
      out += rng.pick(v);
    } else if (name == "rate") {
      static const std::vector<std::string> unit = {"sec", "second", "s", "minute", "min", "m", "hour", "h", "day", "d"};
      out += fmt::format("{}/{}", rng.range(1, 100), rng.pick(unit));
    } else if (name == "addrtypes") {
      out += comma(subset<std::string>(rng, {"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
                                             "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"}));
    } else if (name == "pkttype") {
      static const std::vector<std::string> v = {"unicast", "broadcast", "multicast", "host"};
      out += rng.pick(v);
    } else if (name == "prob") {
      static const std::vector<std::string> v = {"0.5", "0.25", "0.1", "0.99", "0.0001", "1", "0"};
      out += rng.pick(v);
    } else if (name == "comment") {
      static const std::vector<std::string> v = {"web", "\"allow web\"", "\"a \\\"quoted\\\" word\"",
                                                 "\"tab\there\"", "kube-svc_1", "\"x:y/z\"", "\"\""};
      out += rng.pick(v);
    } else if (name == "prefix") {
      static const std::vector<std::string> v = {"\"IN-DROP: \"", "fw", "\"[UFW BLOCK] \"", "\"a\\\"b \""};
      out += rng.pick(v);
    } else if (name == "nflogprefix") {
      static const std::vector<std::string> v = {"nf", "\"nflog prefix \"", "\"x\""};
      out += rng.pick(v);
    } else if (name == "loglevel") {
      // xtopt_parse_sysloglevel's names (xtoptions.c), or a number.
      static const std::vector<std::string> v = {"0", "4", "7", "debug", "info", "warning", "error", "emerg", "panic"};
      out += rng.pick(v);
    } else if (name == "rejectwith") {
      static const std::vector<std::string> v = {"icmp-net-unreachable", "icmp-host-unreachable",
                                                 "icmp-port-unreachable", "icmp-proto-unreachable",
                                                 "icmp-net-prohibited", "icmp-host-prohibited",
                                                 "icmp-admin-prohibited"};
      out += rng.pick(v);
    } else if (name == "natip") {
      std::string a = fmt::format("10.{}.{}.{}", rng.range(0, 255), rng.range(0, 255), rng.range(1, 100));
      out += rng.chance(30) ? a + "-" + fmt::format("10.255.255.{}", rng.range(101, 254)) : a;
    } else if (name == "natports") {
      int64_t a = rng.range(1, 65535), b = rng.range(1, 65535);
      if (a > b) std::swap(a, b);
      out += fmt::format("{}-{}", a, b);
    } else if (name == "tos") {
      static const std::vector<std::string> v = {"0x10", "0x08/0xff", "Minimize-Delay", "0x04/0x0f", "Normal-Service"};
      out += rng.pick(v);
    } else if (name == "set") {
      out += rng.chance(50) ? "iptc_ip" : "iptc_net";
    } else if (name == "setdir") {
      out += rng.chance(50) ? "src" : "dst";
    } else {
      out += "{" + name + "}";  // a typo in a template shows up in the rule set
    }
  }
  return out;
}

bool proto_ok(Need need, const std::string& proto, bool inverted) {
  if (need == Need::Any) return true;
  if (inverted) return false;
  switch (need) {
    case Need::Any: return true;
    case Need::Tcp: return proto == "tcp";
    case Need::Udp: return proto == "udp";
    case Need::Icmp: return proto == "icmp";
    case Need::TcpUdp: return proto == "tcp" || proto == "udp";
  }
  return false;
}

/// A template fits a rule of this table, chain and protocol.
bool fits(const Tmpl& t, uint8_t table_bit, bool base, uint8_t reach, const std::string& proto, bool inv_proto) {
  if (!(t.tables & table_bit)) return false;
  if (!proto_ok(t.need, proto, inv_proto)) return false;
  if (reach & ~t.xt_hooks) return false;
  if (base && (reach & ~t.base_hooks)) return false;
  return true;
}

struct ChainPlan {
  std::string name;
  bool builtin = false;
  uint8_t hook = 0;
  std::string policy;
  uint8_t reach = 0;
  std::vector<std::pair<std::string, bool>> children;  // (child, goto)
};

}  // namespace

const std::vector<std::string>& all_kinds() {
  static const std::vector<std::string> k = {
      "tcp", "udp", "icmp", "multiport", "conntrack", "state", "comment", "mark", "mac", "limit",
      "addrtype", "iprange", "owner", "pkttype", "length", "statistic", "connmark", "set",
      "REJECT", "LOG", "MARK", "CONNMARK", "SNAT", "DNAT", "MASQUERADE", "REDIRECT", "NOTRACK",
      "CT", "TCPMSS", "NFLOG", "TOS"};
  return k;
}

std::set<std::string> kinds_from_env() {
  const char* env = std::getenv("IPTC_GEN_KINDS");
  std::string spec = env && *env ? env : "all";
  std::set<std::string> out;
  if (spec == "all") return {all_kinds().begin(), all_kinds().end()};
  if (spec == "implemented") {
    for (const auto& k : all_kinds()) {
      if (const auto* m = ir::find_match_def(k); m && !is_placeholder(m->kind)) out.insert(k);
      if (const auto* t = ir::find_target_def(k); t && !is_placeholder(t->kind)) out.insert(k);
    }
    return out;
  }
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t c = spec.find(',', pos);
    std::string k = spec.substr(pos, c == std::string::npos ? std::string::npos : c - pos);
    if (!k.empty()) out.insert(k);
    if (c == std::string::npos) break;
    pos = c + 1;
  }
  return out;
}

const std::vector<std::vector<std::string>>& ipset_commands() {
  static const std::vector<std::vector<std::string>> c = {
      {"ipset", "create", "iptc_ip", "hash:ip"},
      {"ipset", "create", "iptc_net", "hash:net"},
  };
  return c;
}

std::string RuleSet::text() const {
  std::string t;
  for (const auto& l : lines) t += l + "\n";
  return t;
}

uint8_t RuleSet::reach_of(size_t table, const std::string& chain) const {
  for (const auto& [c, r] : tables[table].reach)
    if (c == chain) return r;
  return 0;
}

std::string RuleSet::chain_of_line(int line) const {
  if (line < 1 || static_cast<size_t>(line) > lines.size()) return {};
  std::string l = lines[static_cast<size_t>(line - 1)];
  if (l.starts_with("[")) l = l.substr(l.find(']') + 2);
  if (!l.starts_with("-A ")) return {};
  size_t e = l.find(' ', 3);
  return l.substr(3, e == std::string::npos ? std::string::npos : e - 3);
}

RuleSet generate(Rng& rng, const std::set<std::string>& kinds) {
  RuleSet rs;
  std::vector<const Tmpl*> usable;
  for (const auto& t : templates())
    if (kinds.count(t.kind)) usable.push_back(&t);

  // 1. Tables: filter most often; one to three, in a random order (any order loads).
  std::vector<size_t> order;
  for (size_t i = 0; i < table_defs().size(); ++i) {
    int weight = i == 0 ? 85 : (i == 4 ? 10 : 45);
    if (rng.chance(weight)) order.push_back(i);
  }
  if (order.empty()) order.push_back(0);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  if (order.size() > 3) order.resize(3);

  if (rng.chance(30)) rs.lines.push_back("# generated by iptc's kernel agreement test");
  for (size_t ti : order) {
    const TableDef& td = table_defs()[ti];
    TableInfo info;
    info.name = td.name;

    // 2. Chains, jumps (a DAG: only to later user chains) and reach.
    std::vector<ChainPlan> chains;
    for (const auto& [n, hook] : td.chains) {
      ChainPlan c;
      c.name = n;
      c.builtin = true;
      c.hook = hook;
      c.reach = hook;
      c.policy = (td.bit == kNat || rng.chance(70)) ? "ACCEPT" : "DROP";
      chains.push_back(c);
    }
    size_t nbuiltin = chains.size();
    int nuser = static_cast<int>(rng.range(0, 4));
    static const std::vector<std::string> stems = {"svc", "LOGDROP", "in-zone", "Docker_USER", "f2b", "chk"};
    for (int u = 0; u < nuser; ++u) {
      ChainPlan c;
      c.name = fmt::format("{}{}", rng.pick(stems), u);
      chains.push_back(c);
    }
    for (size_t u = nbuiltin; u < chains.size(); ++u) {
      // Parents among built-in and earlier user chains; some chains stay unreachable.
      int parents = rng.chance(15) ? 0 : static_cast<int>(rng.range(1, 2));
      for (int p = 0; p < parents; ++p) {
        size_t from = rng.below(u);
        chains[from].children.emplace_back(chains[u].name, rng.chance(25));
      }
    }
    for (size_t c = 0; c < chains.size(); ++c)
      for (const auto& [child, go] : chains[c].children)
        for (auto& d : chains)
          if (d.name == child) d.reach |= chains[c].reach;
    for (const auto& c : chains) {
      info.reach.emplace_back(c.name, c.reach);
      (c.builtin ? info.builtin_chains : info.user_chains).push_back(c.name);
      for (const auto& [child, go] : c.children) info.edges.emplace_back(c.name, child);
    }

    // 3. Header and chain lines (sometimes only some: rules create the table too).
    rs.lines.push_back(std::string("*") + td.name);
    info.header_line = static_cast<int>(rs.lines.size());
    bool declare_builtins = rng.chance(85);
    for (const auto& c : chains) {
      if (c.builtin && declare_builtins) rs.lines.push_back(fmt::format(":{} {} [0:0]", c.name, c.policy));
      if (!c.builtin) rs.lines.push_back(fmt::format(":{} - [0:0]", c.name));
    }

    // 4. Rules.
    std::vector<std::pair<std::string, int>> rules;  // (line, chain index) before shuffling chains
    for (size_t ci = 0; ci < chains.size(); ++ci) {
      const ChainPlan& c = chains[ci];
      int n = static_cast<int>(rng.range(0, 4));
      std::vector<std::pair<std::string, bool>> jumps = c.children;
      int total = n + static_cast<int>(jumps.size());
      for (int r = 0; r < total; ++r) {
        // Protocol.
        std::string proto;
        bool inv_proto = false;
        switch (rng.below(10)) {
          case 0: case 1: case 2: proto = "tcp"; break;
          case 3: case 4: proto = "udp"; break;
          case 5: proto = "icmp"; break;
          case 6: proto = rng.chance(50) ? "47" : "sctp"; inv_proto = rng.chance(30); break;
          default: break;
        }
        // -s/-d: a list ("a,b" makes one rule per address) only when neither is inverted
        // (ipv4_post_parse: "! not allowed with multiple source or destination IP addresses").
        std::vector<std::string> ipparts;
        bool use_s = rng.chance(35), use_d = rng.chance(25);
        bool inv_s = use_s && rng.chance(25), inv_d = use_d && rng.chance(25);
        bool list_ok = !inv_s && !inv_d;
        if (use_s) {
          std::string a = rng.chance(50) ? ip(rng) : fmt::format("{}/{}", ip(rng), rng.range(1, 32));
          if (list_ok && rng.chance(15)) a += "," + ip(rng);
          ipparts.push_back(std::string(inv_s ? "! " : "") + "-s " + a);
        }
        if (use_d) {
          std::string a = fmt::format("{}/{}", ip(rng), rng.range(1, 32));
          if (list_ok && rng.chance(10)) a += "," + ip(rng) + "/24";
          ipparts.push_back(std::string(inv_d ? "! " : "") + "-d " + a);
        }
        static const std::vector<std::string> ifaces = {"eth0", "eth1", "wlan0", "br-lan", "docker0",
                                                        "veth+", "eth+", "lo", "ppp0", "tun+"};
        bool no_in = c.name == "OUTPUT" || c.name == "POSTROUTING";
        bool no_out = c.name == "INPUT" || c.name == "PREROUTING";
        if (!no_in && rng.chance(25)) ipparts.push_back(std::string(rng.chance(20) ? "! " : "") + "-i " + rng.pick(ifaces));
        if (!no_out && rng.chance(20)) ipparts.push_back(std::string(rng.chance(20) ? "! " : "") + "-o " + rng.pick(ifaces));
        for (size_t i = ipparts.size(); i > 1; --i) std::swap(ipparts[i - 1], ipparts[rng.below(i)]);

        // Matches: at most one template per kind.
        std::vector<const Tmpl*> cand_m, cand_t;
        for (const Tmpl* t : usable)
          if (fits(*t, td.bit, c.builtin, c.reach, proto, inv_proto)) (t->target ? cand_t : cand_m).push_back(t);
        std::vector<const Tmpl*> chosen;
        int nm = static_cast<int>(rng.range(0, 3));
        for (int m = 0; m < nm && !cand_m.empty(); ++m) {
          const Tmpl* t = rng.pick(cand_m);
          bool dup = false;
          for (const Tmpl* x : chosen) dup |= std::string_view(x->kind) == t->kind;
          if (!dup) chosen.push_back(t);
        }
        std::string implicit, explicit_matches;
        for (const Tmpl* t : chosen) (t->implicit ? implicit : explicit_matches) += " " + expand(t->text, rng);
        if (!implicit.empty() && proto.empty()) implicit.clear();

        // Target.
        std::string target;
        if (r < static_cast<int>(jumps.size())) {
          target = (jumps[r].second ? "-g " : "-j ") + jumps[r].first;
        } else {
          int pick = static_cast<int>(rng.below(10));
          if (pick < 4 && !cand_t.empty()) target = expand(rng.pick(cand_t)->text, rng);
          else if (pick < 6) target = "-j ACCEPT";
          else if (pick < 7 && td.bit != kNat) target = "-j DROP";
          else if (pick < 8) target = "-j RETURN";
        }

        std::string spec;
        for (const auto& p : ipparts) spec += " " + p;
        if (!proto.empty()) spec += std::string(inv_proto ? " !" : "") + " -p " + proto + implicit;
        bool fragment = proto.empty() && chosen.empty() && rng.chance(8);
        if (fragment) spec += rng.chance(50) ? " -f" : " ! -f";
        if (!target.empty() && rng.chance(10)) spec += " " + target + explicit_matches;
        else spec += explicit_matches + (target.empty() ? "" : " " + target);
        std::string line = "-A " + c.name + spec;
        if (rng.chance(5)) line = "[0:0] " + line;
        rules.emplace_back(line, static_cast<int>(ci));
      }
    }
    // Rules of different chains may interleave; within a chain the order is kept. Jumps may
    // come before the chain they target is filled (the kernel validates at commit).
    std::vector<std::pair<std::string, int>> mixed;
    if (rng.chance(30)) {
      std::vector<std::vector<std::string>> per(chains.size());
      for (auto& [l, ci] : rules) per[static_cast<size_t>(ci)].push_back(l);
      std::vector<size_t> next(chains.size(), 0);
      size_t left = rules.size();
      while (left) {
        size_t ci = rng.below(chains.size());
        if (next[ci] >= per[ci].size()) continue;
        mixed.emplace_back(per[ci][next[ci]++], static_cast<int>(ci));
        --left;
      }
    } else {
      mixed = rules;
    }
    for (auto& [l, ci] : mixed) {
      rs.lines.push_back(l);
      info.rule_lines.push_back(static_cast<int>(rs.lines.size()));
    }
    rs.lines.push_back("COMMIT");
    info.commit_line = static_cast<int>(rs.lines.size());
    if (rng.chance(10)) rs.lines.push_back("");
    rs.tables.push_back(info);
  }
  return rs;
}

// ---- mutations ------------------------------------------------------------------------------

namespace {

struct Lines {
  std::vector<std::string> v;
  /// Inserts `line` so that it becomes line number `at` (1-based).
  void insert(int at, std::string line) { v.insert(v.begin() + (at - 1), std::move(line)); }
  std::string text() const {
    std::string t;
    for (const auto& l : v) t += l + "\n";
    return t;
  }
};

/// Positions (byte offsets) between the words of a rule line after "-A CHAIN".
std::vector<size_t> word_gaps(const std::string& line) {
  std::vector<size_t> gaps;
  size_t start = line.starts_with("[") ? line.find(']') + 1 : 0;
  size_t a = line.find("-A ", start);
  size_t after_chain = line.find(' ', a + 3);
  if (after_chain == std::string::npos) return {line.size()};
  for (size_t i = after_chain; i < line.size(); ++i)
    if (line[i] == ' ') gaps.push_back(i);
  gaps.push_back(line.size());
  return gaps;
}

const TableDef* def_of(const std::string& name) {
  for (const auto& t : table_defs())
    if (name == t.name) return &t;
  return nullptr;
}

bool enabled(const std::set<std::string>& kinds, const char* k) { return kinds.count(k) != 0; }

}  // namespace

Mutation mutate(const RuleSet& rs, Rng& rng, const std::set<std::string>& kinds) {
  Lines L{rs.lines};
  auto uint = [](int x) { return static_cast<uint32_t>(x); };

  for (int attempt = 0; attempt < 50; ++attempt) {
    size_t ti = rng.below(rs.tables.size());
    const TableInfo& T = rs.tables[ti];
    const TableDef& td = *def_of(T.name);
    int kind = static_cast<int>(rng.below(18));
    switch (kind) {
      case 0: {  // missing COMMIT
        L.v.erase(L.v.begin() + (T.commit_line - 1));
        std::vector<uint32_t> ok;
        if (ti + 1 < rs.tables.size()) {
          ok.push_back(uint(rs.tables[ti + 1].header_line - 1));
        } else {
          // The kernel says "COMMIT expected at line N+1"; the end of the file is its last line.
          ok = {uint(L.v.size()), uint(L.v.size() + 1)};
          if (!L.v.empty() && L.v.back().empty()) ok.push_back(uint(L.v.size() - 1));
        }
        return {L.text(), "removed the COMMIT of *" + T.name, ok};
      }
      case 1: case 2: {  // unknown option or module, at a word boundary of a rule
        if (T.rule_lines.empty()) break;
        int ln = rng.pick(T.rule_lines);
        std::string& l = L.v[static_cast<size_t>(ln - 1)];
        auto gaps = word_gaps(l);
        size_t at = gaps[rng.below(gaps.size())];
        std::string ins = kind == 1 ? " --frobnicate 1" : (rng.chance(50) ? " -m nosuchmatch" : " -m frob --frob 1");
        l.insert(at, ins);
        return {L.text(), fmt::format("inserted '{}' into line {}", ins, ln), {uint(ln)}};
      }
      case 3: {  // bad CIDR
        static const std::vector<std::string> bad = {"10.0.0.0/33", "300.1.2.3", "1.2.3.4/", "1.2.3.4.5",
                                                     "10.0.0.0/255.255.0.256", "1.2.3.4/-1", "10.0.0.0,", "/8"};
        std::string opt = std::string(rng.chance(50) ? " -s " : " -d ") + rng.pick(bad);
        if (!T.rule_lines.empty() && rng.chance(70)) {
          int ln = rng.pick(T.rule_lines);
          std::string& l = L.v[static_cast<size_t>(ln - 1)];
          auto gaps = word_gaps(l);
          l.insert(gaps.front(), opt);
          return {L.text(), fmt::format("added '{}' to line {}", opt, ln), {uint(ln)}};
        }
        L.insert(T.commit_line, "-A " + T.builtin_chains.front() + opt + " -j ACCEPT");
        return {L.text(), "added a rule with" + opt, {uint(T.commit_line)}};
      }
      case 4: {  // bad port
        static const std::vector<std::string> bad = {"70000", "100:50", "-1", "ssh-not-a-service", "1:2:3", "0x10000"};
        std::string p = rng.pick(bad);
        std::string proto = rng.chance(50) ? "tcp" : "udp";
        if (proto == "udp" && p == "100:50") p = "65536";  // udp takes reversed ranges
        std::string opt = fmt::format(" -p {} --{} {}", proto, rng.chance(50) ? "dport" : "sport", p);
        L.insert(T.commit_line, "-A " + rng.pick(T.builtin_chains) + opt + " -j ACCEPT");
        return {L.text(), "added a rule with" + opt, {uint(T.commit_line)}};
      }
      case 5: {  // undefined chain
        std::string line;
        switch (rng.below(3)) {
          case 0: line = "-A " + rng.pick(T.builtin_chains) + " -j NOSUCHCHAIN"; break;
          case 1: line = "-A " + rng.pick(T.builtin_chains) + " -g nosuch_chain"; break;
          default: line = "-A undeclared_chain -j ACCEPT"; break;
        }
        int at = T.rule_lines.empty() ? T.commit_line : rng.pick(T.rule_lines);
        L.insert(at, line);
        return {L.text(), "inserted '" + line + "'", {uint(at)}};
      }
      case 6: {  // a loop reachable from a base chain, closed by the last rule of the table
        std::vector<std::string> reachable;
        for (const auto& [c, r] : T.reach)
          if (r && std::find(T.user_chains.begin(), T.user_chains.end(), c) != T.user_chains.end())
            reachable.push_back(c);
        if (reachable.empty()) break;
        std::string x = rng.pick(reachable);
        // Prefer a back edge y -> x where x -> y exists; else a self loop.
        std::string from = x;
        for (const auto& [a, b] : T.edges)
          if (a == x && rng.chance(50)) from = b;
        std::string line = fmt::format("-A {} {} {}", from, rng.chance(70) ? "-j" : "-g", x);
        L.insert(T.commit_line, line);
        return {L.text(), "added '" + line + "' (loop)", {uint(T.commit_line)}};
      }
      case 7: {  // a target in a table it does not belong to
        struct W {
          const char* kind;
          const char* text;
          uint8_t not_in;  // tables where it is wrong
        };
        static const std::vector<W> w = {
            {"DNAT", "-p tcp -j DNAT --to-destination 10.9.9.9:80", kFilter | kMangle | kRaw | kSecurity},
            {"SNAT", "-j SNAT --to-source 10.9.9.9", kFilter | kMangle | kRaw | kSecurity},
            {"MASQUERADE", "-j MASQUERADE", kFilter | kMangle | kRaw | kSecurity},
            {"REDIRECT", "-p udp -j REDIRECT --to-ports 53", kFilter | kMangle | kRaw | kSecurity},
            {"NOTRACK", "-j NOTRACK", kFilter | kNat | kMangle | kSecurity},
            {"CT", "-j CT --notrack", kFilter | kNat | kMangle | kSecurity},
            {"TOS", "-j TOS --set-tos 0x10", kFilter | kNat | kRaw | kSecurity},
            {"REJECT", "-j REJECT", kNat | kMangle | kRaw | kSecurity},
        };
        std::vector<const W*> fit;
        for (const auto& x : w)
          if (enabled(kinds, x.kind) && (x.not_in & td.bit)) fit.push_back(&x);
        if (fit.empty()) break;
        const W& x = *rng.pick(fit);
        std::string chain = rng.pick(T.builtin_chains);
        if (!T.user_chains.empty() && rng.chance(30)) chain = rng.pick(T.user_chains);
        std::string line = fmt::format("-A {} {}", chain, x.text);
        L.insert(T.commit_line, line);
        return {L.text(), "added '" + line + "' in *" + T.name, {uint(T.commit_line)}};
      }
      case 8: {  // a hook-restricted kind in a chain reached from a hook it refuses
        struct W {
          const char* kind;
          const char* text;
          uint8_t hooks;   // where it is valid (xt hooks)
          uint8_t tables;  // where it may be at all
        };
        static const std::vector<W> w = {
            {"MASQUERADE", "-j MASQUERADE", kPost, kNat},
            {"DNAT", "-j DNAT --to-destination 10.1.1.1", kPre | kOut, kNat},
            {"SNAT", "-j SNAT --to-source 10.1.1.1", kPost | kIn, kNat},
            {"REDIRECT", "-p tcp -j REDIRECT --to-ports 8080", kPre | kOut, kNat},
            {"owner", "-m owner --uid-owner 0 -j ACCEPT", kOut | kPost, kAllTables},
            {"mac", "-m mac --mac-source 00:11:22:33:44:55 -j ACCEPT", kPre | kIn | kFwd, kAllTables},
            {"REJECT", "-j REJECT", kIn | kFwd | kOut, kFilter},
        };
        std::vector<std::pair<const W*, std::string>> fit;  // (kind, chain)
        for (const auto& x : w) {
          if (!enabled(kinds, x.kind) || !(x.tables & td.bit)) continue;
          for (const auto& [c, r] : T.reach)
            if (r & ~x.hooks) fit.emplace_back(&x, c);
        }
        if (fit.empty()) break;
        const auto& [x, chain] = fit[rng.below(fit.size())];
        std::string line = fmt::format("-A {} {}", chain, x->text);
        L.insert(T.commit_line, line);
        return {L.text(), "added '" + line + "' (wrong hook)", {uint(T.commit_line)}};
      }
      case 9: {  // -o in PREROUTING/INPUT, -i in OUTPUT/POSTROUTING
        std::vector<int> cand;
        for (int ln : T.rule_lines) {
          std::string c = rs.chain_of_line(ln);
          if (c == "INPUT" || c == "PREROUTING" || c == "OUTPUT" || c == "POSTROUTING") cand.push_back(ln);
        }
        if (!cand.empty()) {
          int ln = rng.pick(cand);
          std::string c = rs.chain_of_line(ln);
          std::string opt = (c == "INPUT" || c == "PREROUTING") ? " -o eth9" : " -i eth9";
          std::string& l = L.v[static_cast<size_t>(ln - 1)];
          l.insert(word_gaps(l).front(), opt);
          return {L.text(), fmt::format("added '{}' to line {} ({})", opt, ln, c), {uint(ln)}};
        }
        for (const auto& c : T.builtin_chains)
          if (c == "INPUT" || c == "OUTPUT") {
            std::string line = "-A " + c + (c == "INPUT" ? " -o eth0" : " -i eth0") + " -j ACCEPT";
            L.insert(T.commit_line, line);
            return {L.text(), "added '" + line + "'", {uint(T.commit_line)}};
          }
        break;
      }
      case 10: {  // duplicate option
        if (T.rule_lines.empty()) break;
        int ln = rng.pick(T.rule_lines);
        std::string& l = L.v[static_cast<size_t>(ln - 1)];
        std::string dup;
        if (l.find(" -s ") != std::string::npos) dup = " -s 9.9.9.9";
        else if (l.find(" -p ") != std::string::npos) dup = " -p tcp";
        else if (l.find(" -j ") != std::string::npos || l.find(" -g ") != std::string::npos) dup = " -j RETURN";
        else if (l.find(" -d ") != std::string::npos) dup = " -d 9.9.9.9";
        else dup = " -f -f";
        // Before any target options, so that it cannot be read as one of their arguments.
        l.insert(word_gaps(l).front(), dup);
        return {L.text(), fmt::format("duplicated '{}' in line {}", dup, ln), {uint(ln)}};
      }
      case 11: {  // a stray '!'
        if (T.rule_lines.empty()) break;
        int ln = rng.pick(T.rule_lines);
        std::string& l = L.v[static_cast<size_t>(ln - 1)];
        std::string what;
        size_t j = l.find(" -j ");
        size_t m = l.find(" -m ");
        switch (rng.below(4)) {
          case 0: l += " !"; what = "a trailing '!'"; break;
          case 1: l.insert(word_gaps(l).front(), " ! !"); what = "'! !'"; break;
          case 2:
            if (j != std::string::npos) { l.insert(j, " !"); what = "'!' before -j"; }
            else { l += " ! -j ACCEPT"; what = "'! -j ACCEPT'"; }
            break;
          default:
            if (m != std::string::npos) { l.insert(m, " !"); what = "'!' before -m"; }
            else { l += " !"; what = "a trailing '!'"; }
            break;
        }
        return {L.text(), fmt::format("{} in line {}", what, ln), {uint(ln)}};
      }
      case 12: {  // truncated line (may still be valid)
        if (T.rule_lines.empty()) break;
        int ln = rng.pick(T.rule_lines);
        std::string& l = L.v[static_cast<size_t>(ln - 1)];
        size_t keep = 3 + rng.below(l.size() > 3 ? l.size() - 3 : 1);
        l.resize(keep);
        return {L.text(), fmt::format("truncated line {} to {} bytes", ln, keep), {uint(ln)}};
      }
      case 13: {  // unknown table or bad policy
        if (rng.chance(50)) {
          L.v[static_cast<size_t>(T.header_line - 1)] = "*" + T.name + "x";
          return {L.text(), "misspelt *" + T.name, {uint(T.header_line)}};
        }
        std::string line = ":" + T.builtin_chains.front() + " DROPP [0:0]";
        L.insert(T.header_line + 1, line);
        return {L.text(), "added '" + line + "'", {uint(T.header_line + 1)}};
      }
      case 15: case 16: case 17: {  // an edge value as the argument of an option
        static const std::vector<std::string> edge = {
            "0", "1", "-1", "255", "256", "65535", "65536", "4294967295", "4294967296",
            "18446744073709551616", "0x0", "0xffffffff", "0x100000000", "010", "09", "1e3", "\"\"",
            ":", "1:", ":1", "2:1", "1:2:3", "1-2", "2-1", "1,2", ",", "1,", "a", "any", "NONE", "ALL",
            "1/0", "0/0", "1/33", "1.2.3.4", "1.2.3.4/24", "300.1.1.1", "1.2.3.4-1.2.3.3",
            "ff:ff:ff:ff:ff:ff", "1/sec", "0/sec", "10001/sec", "1/fortnight", "0.5", "1.5", "-0.5",
            "tcp", "\"a b\"", "\"x\\\"y\"", "0x10/0x10", "5/0xfffffffff", "1-65535", "65535-1"};
        if (T.rule_lines.empty()) break;
        int ln = rng.pick(T.rule_lines);
        std::string& l = L.v[static_cast<size_t>(ln - 1)];
        auto gaps = word_gaps(l);
        // Words that follow a long option are its arguments.
        std::vector<std::pair<size_t, size_t>> args;  // (start, end) in l
        for (size_t g = 0; g + 1 < gaps.size(); ++g) {
          size_t ws = gaps[g] + 1, we = gaps[g + 1];
          if (l.compare(ws, 2, "--") != 0 || g + 2 >= gaps.size()) continue;
          size_t as = gaps[g + 1] + 1, ae = gaps[g + 2];
          // Not a set name: whether an ipset exists is the kernel's to know, not the file's.
          if (l.compare(ws, we - ws, "--match-set") == 0) continue;
          if (as < ae && l[as] != '-' && l[as] != '!' && l[as] != '"') args.emplace_back(as, ae);
        }
        if (args.empty()) break;
        auto [as, ae] = args[rng.below(args.size())];
        std::string v = rng.pick(edge);
        std::string old = l.substr(as, ae - as);
        l.replace(as, ae - as, v);
        return {L.text(), fmt::format("replaced '{}' by '{}' in line {}", old, v, ln), {uint(ln)}};
      }
      default: {  // a DROP in nat
        for (size_t k = 0; k < rs.tables.size(); ++k)
          if (rs.tables[k].name == "nat") {
            const TableInfo& N = rs.tables[k];
            std::string line = "-A " + rng.pick(N.builtin_chains) + " -j DROP";
            L.insert(N.commit_line, line);
            return {L.text(), "added '" + line + "' in *nat", {uint(N.commit_line)}};
          }
        break;
      }
    }
  }
  // Always applicable: an unknown option on a new rule in the first table.
  const TableInfo& T = rs.tables.front();
  L.insert(T.commit_line, "-A " + T.builtin_chains.front() + " --frobnicate");
  return {L.text(), "added a rule with an unknown option", {uint(T.commit_line)}};
}

// ---- respelling ----------------------------------------------------------------------------

namespace {

/// Arity of every long option iptables knows for these kinds: the option tables of the kind
/// rows (only to decide where an argument is; the kernel still decides what loads).
const std::map<std::string, ir::ArgKind>& long_options() {
  static const std::map<std::string, ir::ArgKind> m = [] {
    std::map<std::string, ir::ArgKind> out;
    for (size_t i = 0; i < ir::kMatchKindCount; ++i)
      for (const auto& o : ir::match_def(static_cast<ir::MatchKind>(i)).options) out[std::string(o.name)] = o.arg;
    for (size_t i = 0; i < ir::kTargetKindCount; ++i)
      for (const auto& o : ir::target_def(static_cast<ir::TargetKind>(i)).options) out[std::string(o.name)] = o.arg;
    return out;
  }();
  return m;
}

/// Words of a generated rule line (quotes kept; generated lines never have blanks in quotes
/// except in comments, which stay whole because the split is quote-aware).
std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> w;
  std::string cur;
  bool q = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (q && c == '\\' && i + 1 < line.size()) {
      cur += c;
      cur += line[++i];
      continue;
    }
    if (c == '"') q = !q;
    if (!q && (c == ' ' || c == '\t')) {
      if (!cur.empty()) w.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!cur.empty()) w.push_back(cur);
  return w;
}

}  // namespace

std::string respell(const RuleSet& rs, Rng& rng) {
  static const std::map<std::string, std::vector<std::string>> kLong = {
      {"-s", {"--source", "--src", "--sour"}},          {"-d", {"--destination", "--dst", "--dest"}},
      {"-p", {"--protocol", "--proto"}},                {"-i", {"--in-interface", "--in"}},
      {"-o", {"--out-interface", "--out"}},             {"-j", {"--jump"}},
      {"-g", {"--goto"}},                               {"-m", {"--match", "--ma"}},
      {"-A", {"--append", "--app"}},                    {"-f", {"--fragment", "--frag"}},
  };
  // One to three rule lines change, so that about half the files still load.
  std::set<size_t> pick;
  std::vector<size_t> rules;
  for (size_t i = 0; i < rs.lines.size(); ++i)
    if (rs.lines[i].starts_with("-A ")) rules.push_back(i);
  for (int n = static_cast<int>(rng.range(1, 3)); n > 0 && !rules.empty(); --n) pick.insert(rng.pick(rules));
  std::string out;
  for (size_t li = 0; li < rs.lines.size(); ++li) {
    const std::string& line = rs.lines[li];
    if (!pick.count(li)) {
      out += line + "\n";
      continue;
    }
    auto w = words_of(line);
    std::vector<std::string> res;
    for (size_t i = 0; i < w.size(); ++i) {
      std::string x = w[i];
      bool has_next = i + 1 < w.size();
      if (auto it = kLong.find(x); it != kLong.end() && rng.chance(30)) {
        x = rng.pick(it->second);
        // "--source=1.2.3.4" is read from argv[optind - 1] by iptables: a quirk worth hitting.
        if (has_next && rng.chance(25) && x != "--fragment" && x != "--frag") {
          res.push_back(x + "=" + w[++i]);
          continue;
        }
      } else if (x.starts_with("--") && x.size() > 4) {
        auto it2 = long_options().find(x.substr(2));
        bool takes = it2 != long_options().end() && it2->second == ir::ArgKind::Required;
        if (rng.chance(20)) x = x.substr(0, 2 + static_cast<size_t>(rng.range(2, static_cast<int64_t>(x.size()) - 2)));
        if (takes && has_next && rng.chance(25)) {
          res.push_back(x + "=" + w[++i]);
          continue;
        }
      } else if (!x.empty() && x[0] != '-' && x[0] != '"' && x != "!" && rng.chance(8)) {
        x = "\"" + x + "\"";
      } else if (!x.empty() && std::all_of(x.begin(), x.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                 x.size() < 6 && rng.chance(10)) {
        x = fmt::format("0x{:x}", std::stoul(x));
      }
      res.push_back(x);
    }
    std::string l;
    for (size_t i = 0; i < res.size(); ++i) {
      if (i) l += rng.chance(10) ? (rng.chance(50) ? "\t" : "   ") : " ";
      l += res[i];
    }
    out += l + "\n";
  }
  return out;
}

}  // namespace iptc::test::gen
