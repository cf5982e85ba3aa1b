// ir/src/verify.cpp: what the kernel refuses when the rule set is committed. Every verdict below
// is that of a real iptables-restore load (nf_tables, kernel 6.x): nf_tables validates the jump
// graph only from base chains (a loop or a 16-deep nesting that no base chain reaches loads fine),
// xtables matches and targets check their table when created and their hooks from every base
// chain that reaches them, and a zero-length address compare is refused.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "iptc/ir/verify.hpp"
#include "test_support.hpp"

using namespace iptc;
using namespace iptc::test;

namespace {

struct Expect {
  std::string text;
  bool ok;
  uint32_t line = 0;  // where iptc's first error must be
};

void check(const std::vector<Expect>& cases) {
  for (const Expect& e : cases) {
    auto l = load(e.text);
    INFO("input:\n" << e.text << "iptc: " << (l->ok ? "accepted" : "rejected") << "\n" << l->rendered()
                    << placeholder_note(e.text));
    CHECK(l->ok == e.ok);
    if (!e.ok && !l->ok && e.line) CHECK(l->first_error_line() == e.line);
  }
}

/// INPUT -> C1 -> ... -> Cn (jumps or gotos), optionally without the INPUT jump.
std::string chain_of(int n, const char* verb, bool reachable = true) {
  std::string t = "*filter\n";
  for (int i = 1; i <= n; ++i) t += fmt::format(":C{} - [0:0]\n", i);
  if (reachable) t += fmt::format("-A INPUT {} C1\n", verb);
  for (int i = 1; i < n; ++i) t += fmt::format("-A C{} {} C{}\n", i, verb, i + 1);
  return t + "COMMIT\n";
}

}  // namespace

TEST_CASE("verify: loops reachable from a base chain are refused", "[verify]") {
  check({
      {"*filter\n:A - [0:0]\n-A INPUT -j A\n-A A -j A\nCOMMIT\n", false, 4},
      {"*filter\n:A - [0:0]\n-A INPUT -g A\n-A A -g A\nCOMMIT\n", false, 4},
      {"*filter\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A A -j B\n-A B -j A\nCOMMIT\n", false, 6},
      {"*filter\n:A - [0:0]\n:B - [0:0]\n:C - [0:0]\n-A INPUT -j A\n-A A -j B\n-A B -j C\n-A C -j B\nCOMMIT\n",
       false, 8},
      // A loop in another table of the file.
      {"*filter\n-A INPUT -j ACCEPT\nCOMMIT\n*mangle\n:A - [0:0]\n-A FORWARD -j A\n-A A -g A\nCOMMIT\n",
       false, 7},
  });
}

TEST_CASE("verify: loops no base chain reaches load", "[verify]") {
  check({
      {"*filter\n:A - [0:0]\n-A A -j A\nCOMMIT\n", true},
      {"*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\nCOMMIT\n", true},
  });
}

TEST_CASE("verify: at most 15 levels of chains below a base chain", "[verify]") {
  // NFT_JUMP_STACK_SIZE is 16: INPUT (level 0) -> C1 ... -> C15 loads, C16 does not; the kernel
  // names the jump into C16 ("line 33: RULE_APPEND failed (Too many links)").
  check({
      {chain_of(15, "-j"), true},
      {chain_of(16, "-j"), false, 33},
      {chain_of(15, "-g"), true},
      {chain_of(16, "-g"), false, 33},
      {chain_of(20, "-j", false), true},  // not reached from a base chain
  });
}

TEST_CASE("verify: an inverted address with a zero mask is refused", "[verify]") {
  // add_addr() compares zero bytes for a zero mask; the kernel refuses a zero-length payload
  // (EINVAL). Without '!' nothing is compared at all.
  check({
      {"*filter\n-A INPUT ! -s 0.0.0.0/0\nCOMMIT\n", false, 2},
      {"*filter\n-A INPUT ! -d 10.0.0.0/0\nCOMMIT\n", false, 2},
      {"*filter\n-A INPUT ! -s 0.0.0.0/0.0.0.0\nCOMMIT\n", false, 2},
      {"*filter\n-A INPUT -s 1.2.3.4/0\nCOMMIT\n", true},
      {"*filter\n-A INPUT ! -s 10.0.0.0/1\nCOMMIT\n", true},
      {"*filter\n-A INPUT ! -s 0.0.0.0/0.255.0.0\nCOMMIT\n", true},
      {"*filter\n-A INPUT ! -i +\nCOMMIT\n", true},
  });
}

TEST_CASE("verify: an xtables match checks the rule's protocol, reached or not", "[verify]") {
  // -m tcp with --tcp-option is an xtables match (not encoded natively): xt_tcpudp needs -p tcp.
  check({
      {"*filter\n-A INPUT -p udp -m tcp --tcp-option 3\nCOMMIT\n", false, 2},
      {"*filter\n:X - [0:0]\n-A X -p udp -m tcp --tcp-option 3\nCOMMIT\n", false, 3},
      {"*filter\n-A INPUT -p tcp -m tcp --tcp-option 3\nCOMMIT\n", true},
  });
}

TEST_CASE("verify: tables and hooks of targets and matches, through user chains", "[verify]") {
  // These need the MASQUERADE, DNAT and mac rows (placeholders on the tests branch).
  check({
      // Not reached from any base chain: no hook check.
      {"*nat\n:X - [0:0]\n-A X -j MASQUERADE\nCOMMIT\n", true},
      {"*nat\n:X - [0:0]\n-A POSTROUTING -j X\n-A X -j MASQUERADE\nCOMMIT\n", true},
      {"*nat\n:X - [0:0]\n-A PREROUTING -j X\n-A X -j MASQUERADE\nCOMMIT\n", false, 4},
      {"*nat\n:X - [0:0]\n:Y - [0:0]\n-A PREROUTING -j X\n-A X -j Y\n-A Y -j MASQUERADE\nCOMMIT\n", false, 6},
      // The table is checked when the rule is created, reached or not.
      {"*filter\n:X - [0:0]\n-A X -j DNAT --to-destination 1.2.3.4\nCOMMIT\n", false, 3},
      {"*filter\n:X - [0:0]\n-A INPUT -j X\n-A X -m mac --mac-source 00:11:22:33:44:55\nCOMMIT\n", true},
      {"*filter\n:X - [0:0]\n-A OUTPUT -j X\n-A X -m mac --mac-source 00:11:22:33:44:55\nCOMMIT\n", false, 4},
  });
}

TEST_CASE("verify: reachable_hooks follows jumps and gotos", "[verify]") {
  auto l = load("*filter\n:A - [0:0]\n:B - [0:0]\n:C - [0:0]\n:D - [0:0]\n"
                "-A INPUT -j A\n-A OUTPUT -g B\n-A A -j C\n-A B -j C\n-A D -j A\nCOMMIT\n",
                {.verify = false});
  REQUIRE(l->ok);
  const ir::Table* t = l->rs.table(ir::TableKind::Filter);
  REQUIRE(t);
  auto hooks = ir::reachable_hooks(*t);
  auto mask_of = [&](std::string_view name) {
    for (size_t i = 0; i < t->chains().size(); ++i)
      if (t->chains()[i].name == name) return hooks[i];
    FAIL("no chain " << name);
    return ir::HookMask{0};
  };
  using ir::Hook;
  using ir::hook_bit;
  CHECK(mask_of("INPUT") == hook_bit(Hook::Input));
  CHECK(mask_of("FORWARD") == hook_bit(Hook::Forward));
  CHECK(mask_of("A") == hook_bit(Hook::Input));
  CHECK(mask_of("B") == hook_bit(Hook::Output));
  CHECK(mask_of("C") == (hook_bit(Hook::Input) | hook_bit(Hook::Output)));
  CHECK(mask_of("D") == 0);  // jumps out of D do not make D reachable
}
