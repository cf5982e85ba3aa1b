// ir/src/printer.cpp: the canonical iptables-save printer. The rule sets are built directly in
// the IR (no parser involved) and the expected texts are what the kernel's iptables-save printed
// after `iptables-restore` of the equivalent input (recorded with iptables 1.8.9, nf_tables).
#include <catch2/catch.hpp>

#include "iptc/ir/printer.hpp"

using namespace iptc::ir;

namespace {

constexpr uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}

Rule rule(TargetType t = TargetType::None, std::string chain = {}) {
  Rule r;
  r.target.type = t;
  r.target.chain = std::move(chain);
  return r;
}

}  // namespace

TEST_CASE("printer: tables, chain order, policies and the ipt_ip part", "[printer]") {
  // Input loaded into the kernel (user chains declared zeta, Alpha, beta, _x):
  //   -A INPUT -s 10.1.2.3/255.0.255.0 -d 0/0 -j ACCEPT
  //   -A FORWARD ! -s 192.168.1.7 ! -d 10.0.0.0/8 -i eth+ ! -o + -p 47 -f
  //   -A INPUT -i + -p 2
  //   -A INPUT ! -i lo -p 255 ! -f
  //   -A INPUT -p 0 / -p all / -s 1.2.3.4/0
  //   -A INPUT ! -p 132 -j Alpha ; -A INPUT -s 0.0.0.0/0 -g zeta
  //   -A INPUT -p 136 / -p 58 / -p mh / -p 253 / -p ipv6
  Ruleset rs;
  Table& mangle = rs.ensure(TableKind::Mangle);
  mangle.builtin(Hook::Forward)->policy = Policy::Drop;
  rs.ensure(TableKind::Raw);
  Table& f = rs.ensure(TableKind::Filter);
  f.builtin(Hook::Input)->policy = Policy::Drop;
  for (const char* n : {"zeta", "Alpha", "beta", "_x"}) f.add_user_chain(n, {});
  Chain& in = *f.builtin(Hook::Input);

  Rule r1 = rule(TargetType::Accept);
  r1.ip.src = {ip(10, 0, 2, 0), 0xff00ff00};
  in.rules.push_back(r1);
  Rule r2;
  r2.ip.proto = 2;
  r2.ip.iniface = "+";
  in.rules.push_back(r2);
  Rule r3;
  r3.ip.iniface = "lo";
  r3.ip.inv_in = true;
  r3.ip.proto = 255;
  r3.ip.frag = true;
  r3.ip.inv_frag = true;
  in.rules.push_back(r3);
  in.rules.push_back(Rule{});
  in.rules.push_back(Rule{});
  Rule r6 = rule(TargetType::Jump, "Alpha");
  r6.ip.proto = 132;
  r6.ip.inv_proto = true;
  in.rules.push_back(r6);
  in.rules.push_back(rule(TargetType::Goto, "zeta"));
  in.rules.push_back(Rule{});
  for (uint8_t p : {136, 58, 135, 253, 41}) {
    Rule r;
    r.ip.proto = p;
    in.rules.push_back(r);
  }
  Rule fw;
  fw.ip.src = {ip(192, 168, 1, 7), 0xffffffff};
  fw.ip.inv_src = true;
  fw.ip.dst = {ip(10, 0, 0, 0), 0xff000000};
  fw.ip.inv_dst = true;
  fw.ip.iniface = "eth+";
  fw.ip.outiface = "+";
  fw.ip.inv_out = true;
  fw.ip.proto = 47;
  fw.ip.frag = true;
  f.builtin(Hook::Forward)->rules.push_back(fw);
  f.find("zeta")->rules.push_back(rule(TargetType::Return));
  f.find("Alpha")->rules.push_back(rule(TargetType::Jump, "beta"));
  f.find("beta")->rules.push_back(rule(TargetType::Jump, "_x"));
  f.find("_x")->rules.push_back(rule(TargetType::Drop));

  CHECK(print_save(rs) ==
        "*mangle\n"
        ":PREROUTING ACCEPT [0:0]\n"
        ":INPUT ACCEPT [0:0]\n"
        ":FORWARD DROP [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        ":POSTROUTING ACCEPT [0:0]\n"
        "COMMIT\n"
        "*raw\n"
        ":PREROUTING ACCEPT [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        "COMMIT\n"
        "*filter\n"
        ":INPUT DROP [0:0]\n"
        ":FORWARD ACCEPT [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        ":Alpha - [0:0]\n"
        ":_x - [0:0]\n"
        ":beta - [0:0]\n"
        ":zeta - [0:0]\n"
        "-A INPUT -s 10.0.2.0/255.0.255.0 -j ACCEPT\n"
        "-A INPUT -p igmp\n"
        "-A INPUT ! -i lo -p 255 ! -f\n"
        "-A INPUT\n"
        "-A INPUT\n"
        "-A INPUT ! -p sctp -j Alpha\n"
        "-A INPUT -g zeta\n"
        "-A INPUT\n"
        "-A INPUT -p udplite\n"
        "-A INPUT -p ipv6-icmp\n"
        "-A INPUT -p mobility-header\n"
        "-A INPUT -p 253\n"
        "-A INPUT -p ipv6\n"
        "-A FORWARD ! -s 192.168.1.7/32 ! -d 10.0.0.0/8 -i eth+ ! -o + -p gre -f\n"
        "-A Alpha -j beta\n"
        "-A _x -j DROP\n"
        "-A beta -j _x\n"
        "-A zeta -j RETURN\n"
        "COMMIT\n");
}

TEST_CASE("printer: '! -i +' and '! -o +' are listed, plain '+' is not", "[printer]") {
  // nft-shared.c: "! -o +" is stored as a match on the name "INVAL/D" and parsed back by
  // parse_invalid_iface() as an inverted "+", which save_iface prints.
  Rule r;
  r.ip.iniface = "+";
  r.ip.inv_in = true;
  Chain c;
  c.name = "FORWARD";
  CHECK(print_rule(c, r) == "-A FORWARD ! -i +");
  r.ip.inv_in = false;
  CHECK(print_rule(c, r) == "-A FORWARD");
}

TEST_CASE("printer: counters as iptables-save -c prints them", "[printer]") {
  // Loaded with iptables-restore -c; user chains have no counters of their own.
  Ruleset rs;
  Table& f = rs.ensure(TableKind::Filter);
  f.builtin(Hook::Input)->counters = {5, 600};
  f.builtin(Hook::Forward)->policy = Policy::Drop;
  Chain& user = f.add_user_chain("user", {});
  user.counters = {3, 4};
  Rule a = rule(TargetType::Accept);
  a.counters = {7, 80};
  f.builtin(Hook::Input)->rules.push_back(a);
  f.builtin(Hook::Input)->rules.push_back(rule(TargetType::Drop));
  Rule ret = rule(TargetType::Return);
  ret.counters = {1, 1};
  f.find("user")->rules.push_back(ret);
  CHECK(print_save(rs, PrintOptions{true}) ==
        "*filter\n:INPUT ACCEPT [5:600]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:user - [0:0]\n"
        "[7:80] -A INPUT -j ACCEPT\n[0:0] -A INPUT -j DROP\n[1:1] -A user -j RETURN\nCOMMIT\n");
  // Without -c every counter prints as [0:0] and rules have no prefix.
  CHECK(print_save(rs) ==
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:user - [0:0]\n"
        "-A INPUT -j ACCEPT\n-A INPUT -j DROP\n-A user -j RETURN\nCOMMIT\n");
}

TEST_CASE("printer: an absent table prints nothing, nat and security chains", "[printer]") {
  Ruleset rs;
  CHECK(print_save(rs).empty());
  rs.ensure(TableKind::Nat);
  rs.ensure(TableKind::Security);
  CHECK(print_save(rs) ==
        "*security\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
        "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        ":POSTROUTING ACCEPT [0:0]\nCOMMIT\n");
}

TEST_CASE("printer: native tcp and udp matches merge when listed", "[printer]") {
  // "-p tcp -m tcp --dport 1 -m tcp --sport 2" lists as one match (nft-shared.c), see the tcp
  // recording; a non-native one (--tcp-option) stays separate.
  Rule r;
  r.ip.proto = 6;
  TcpMatch d;
  d.dport = {1, 1};
  TcpMatch s;
  s.sport = {2, 2};
  r.matches.push_back(Match{d, {}});
  r.matches.push_back(Match{s, {}});
  Chain c;
  c.name = "INPUT";
  CHECK(print_rule(c, r) == "-A INPUT -p tcp -m tcp --sport 2 --dport 1");
  Rule o;
  o.ip.proto = 6;
  TcpMatch opt;
  opt.option = 3;
  TcpMatch port;
  port.dport = {4, 4};
  o.matches.push_back(Match{opt, {}});
  o.matches.push_back(Match{port, {}});
  CHECK(print_rule(c, o) == "-A INPUT -p tcp -m tcp --tcp-option 3 -m tcp --dport 4");
  CHECK(print_rule_spec(o) == " -p tcp -m tcp --tcp-option 3 -m tcp --dport 4");
}
