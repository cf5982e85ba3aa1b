// ir/src/lower.cpp: the lowered form. Each native kind becomes the field tests its interpreter
// semantics say (guards included), everything else a slow-path call; chains reachable from a
// hook and only those are lowered; slots number rules then policies; jump depth is bounded.
#include <catch2/catch.hpp>

#include "iptc/ir/lowered.hpp"
#include "test_support.hpp"

using namespace iptc;
using namespace iptc::test;

namespace {

ir::LoweredRuleset lower_text(const std::string& text, ir::LowerOptions o = {}) {
  auto l = load(text);
  INFO(l->rendered());
  REQUIRE(l->ok);
  return ir::lower(l->rs, o);
}

const ir::LoweredHook& hook(const ir::LoweredRuleset& l, ir::TableKind t, ir::Hook h) {
  for (const auto& x : l.hooks)
    if (x.table == t && x.hook == h) return x;
  FAIL("no such hook");
  return l.hooks.front();
}

std::string dump_of(const std::string& text, ir::LowerOptions o = {}) { return ir::dump(lower_text(text, o)); }

}  // namespace

TEST_CASE("lowering: ip header part and native matches become field tests") {
  std::string d = dump_of(
      "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
      "-A INPUT -s 10.0.0.0/8 ! -i eth+ -p tcp -m tcp --dport 22 -j ACCEPT\n"
      "-A INPUT -p icmp -m icmp --icmp-type 3/3 -j DROP\n"
      "-A INPUT -m mark --mark 0x2/0xf -m comment --comment x -j RETURN\n"
      "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
      "COMMIT\n");
  INFO(d);
  CHECK(d.find("[0] src&0xff000000 in 0xa000000; in != eth+; proto&0xff in 0x6; "
               "l4_avail&0xffff in [0x4,0xffff]; dport&0xffff in 0x16; -> accept") != std::string::npos);
  // icmp: the fragment guard skips, a short header hotdrops, then type and code in one test.
  CHECK(d.find("[1] proto&0xff in 0x1; frag_off&0xffff in 0x0; l4_avail&0xffff in [0x2,0xffff] "
               "else hotdrop; icmp_type_code&0xffff in 0x303; -> drop") != std::string::npos);
  CHECK(d.find("[2] mark&0xf in 0x2; -> return") != std::string::npos);
  CHECK(d.find("[3] ct_state&0x6 in [0x1,0xffff]; -> accept") != std::string::npos);
  CHECK(d.find("chain INPUT policy DROP slot 4") != std::string::npos);
}

TEST_CASE("lowering: legacy tcp keeps xt_tcpudp's hotdrop guards") {
  ir::LowerOptions o;
  o.frontend = ir::LowerFrontend::Legacy;
  std::string d = dump_of("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --sport 1:2 -j DROP\nCOMMIT\n", o);
  INFO(d);
  CHECK(d.find("frag_off&0xffff !in 0x8 else hotdrop; frag_off&0xffff in 0x0; "
               "l4_avail&0xffff in [0x14,0xffff] else hotdrop; sport&0xffff in [0x1,0x2]") != std::string::npos);
}

TEST_CASE("lowering: stateful and context kinds go through the slow path, MARK is native") {
  auto l = lower_text(
      "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
      ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
      "-A PREROUTING -m limit --limit 1/sec -m statistic --mode nth --every 2 --packet 0 -j MARK --set-mark 0x1\n"
      "-A PREROUTING -m addrtype --dst-type LOCAL -j CONNMARK --save-mark\n"
      "COMMIT\n");
  const auto& h = hook(l, ir::TableKind::Mangle, ir::Hook::Prerouting);
  REQUIRE(h.chains[0].rules.size() == 2);
  const auto& r0 = h.chains[0].rules[0];
  REQUIRE(r0.criteria.size() == 2);
  CHECK(std::get<ir::SlowMatch>(r0.criteria[0]).match_index == 0);
  CHECK(std::get<ir::SlowMatch>(r0.criteria[1]).match_index == 1);
  CHECK(r0.action.kind == ir::ActionKind::SetMark);
  CHECK(r0.action.value == 1);
  CHECK(h.chains[0].rules[1].action.kind == ir::ActionKind::SlowTarget);
  CHECK(l.slow_matches == 3);
  CHECK(l.slow_targets == 1);
  // all_slow routes every match and MARK through the callbacks.
  ir::LowerOptions o;
  o.all_slow = true;
  auto s = lower_text("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 1 -j MARK --set-mark 1\nCOMMIT\n", o);
  CHECK(s.native_matches == 0);
  CHECK(s.slow_targets == 1);
}

TEST_CASE("lowering: chains per hook, jumps, gotos, depth and slots") {
  auto l = lower_text(
      "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
      ":a - [0:0]\n:b - [0:0]\n:unused - [0:0]\n"
      "-A INPUT -j a\n-A FORWARD -g b\n-A a -j b\n-A b -j RETURN\n-A unused -j DROP\n"
      "COMMIT\n");
  const auto& in = hook(l, ir::TableKind::Filter, ir::Hook::Input);
  REQUIRE(in.chains.size() == 3);  // INPUT, a, b; never `unused`
  CHECK(in.chains[0].builtin);
  CHECK(in.chains[1].name == "a");
  CHECK(in.chains[2].name == "b");
  CHECK(in.max_depth == 2);
  CHECK(in.chains[0].rules[0].action.kind == ir::ActionKind::Jump);
  const auto& fw = hook(l, ir::TableKind::Filter, ir::Hook::Forward);
  REQUIRE(fw.chains.size() == 2);
  CHECK(fw.chains[0].rules[0].action.kind == ir::ActionKind::Goto);
  CHECK(fw.chains[0].rules[0].action.chain == 1);
  // Slots: the 5 rules in chain order, then the 3 policies.
  CHECK(l.slots.rule_count == 5);
  CHECK(l.slots.slots.size() == 8);
  CHECK(l.slots.slots[4].chain == 5);  // `unused` is the 6th chain of the table
  CHECK(in.chains[0].policy_slot == 5);
  CHECK(ir::hook_symbol(ir::TableKind::Filter, ir::Hook::Input) == "iptc_filter_input");
}

TEST_CASE("lowering: interface names compare their NUL unless wildcarded") {
  auto l = lower_text("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -i eth0\n-A INPUT -i ppp+\n-A INPUT -i +\nCOMMIT\n");
  const auto& rules = hook(l, ir::TableKind::Filter, ir::Hook::Input).chains[0].rules;
  CHECK(std::get<ir::IfaceTest>(rules[0].criteria[0]).len == 5);
  CHECK(std::get<ir::IfaceTest>(rules[1].criteria[0]).len == 3);
  CHECK(std::get<ir::IfaceTest>(rules[2].criteria[0]).len == 0);
}
