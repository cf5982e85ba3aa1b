// ir/src/ruleset.cpp: table and hook names, the built-in chains of each table in the order
// iptables-save lists them, hook priorities (NF_IP_PRI_*), and the chain index.
#include <catch2/catch.hpp>

#include "iptc/ir/ruleset.hpp"

using namespace iptc::ir;

TEST_CASE("ruleset: names of tables and hooks", "[ruleset]") {
  for (const char* n : {"filter", "nat", "mangle", "raw", "security"}) {
    auto t = table_from_name(n);
    REQUIRE(t);
    CHECK(table_name(*t) == n);
  }
  CHECK_FALSE(table_from_name("Filter"));
  CHECK_FALSE(table_from_name("broute"));
  for (const char* n : {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}) {
    auto h = hook_from_name(n);
    REQUIRE(h);
    CHECK(hook_name(*h) == n);
  }
  CHECK_FALSE(hook_from_name("input"));
  // NF_INET_* numbering.
  CHECK(static_cast<int>(Hook::Prerouting) == 0);
  CHECK(static_cast<int>(Hook::Postrouting) == 4);
}

TEST_CASE("ruleset: built-in chains per table, in listing order", "[ruleset]") {
  using H = Hook;
  CHECK(table_hooks(TableKind::Filter) == std::vector<H>{H::Input, H::Forward, H::Output});
  CHECK(table_hooks(TableKind::Nat) == std::vector<H>{H::Prerouting, H::Input, H::Output, H::Postrouting});
  CHECK(table_hooks(TableKind::Mangle) ==
        std::vector<H>{H::Prerouting, H::Input, H::Forward, H::Output, H::Postrouting});
  CHECK(table_hooks(TableKind::Raw) == std::vector<H>{H::Prerouting, H::Output});
  CHECK(table_hooks(TableKind::Security) == std::vector<H>{H::Input, H::Forward, H::Output});
}

TEST_CASE("ruleset: hook priorities", "[ruleset]") {
  CHECK(table_priority(TableKind::Raw, Hook::Prerouting) == -300);
  CHECK(table_priority(TableKind::Mangle, Hook::Input) == -150);
  CHECK(table_priority(TableKind::Nat, Hook::Prerouting) == -100);
  CHECK(table_priority(TableKind::Nat, Hook::Output) == -100);
  CHECK(table_priority(TableKind::Filter, Hook::Forward) == 0);
  CHECK(table_priority(TableKind::Security, Hook::Input) == 50);
  CHECK(table_priority(TableKind::Nat, Hook::Postrouting) == 100);
  CHECK(table_priority(TableKind::Nat, Hook::Input) == 100);
}

TEST_CASE("ruleset: chains are found, renamed and erased by name", "[ruleset]") {
  Ruleset rs;
  CHECK(rs.table(TableKind::Filter) == nullptr);
  Table& t = rs.ensure(TableKind::Filter, SourceLoc{1, 3, 1});
  CHECK(&rs.ensure(TableKind::Filter) == &t);  // ensure does not reset
  CHECK(t.loc == SourceLoc{1, 3, 1});
  CHECK(t.builtin(Hook::Input) == t.find("INPUT"));
  CHECK(t.builtin(Hook::Prerouting) == nullptr);
  t.add_user_chain("A", {});
  t.add_user_chain("B", {});
  Rule j;
  j.target.type = TargetType::Jump;
  j.target.chain = "A";
  t.find("B")->rules.push_back(j);
  Rule g = j;
  g.target.type = TargetType::Goto;
  t.builtin(Hook::Input)->rules.push_back(g);
  t.rename_chain("A", "Z");
  CHECK(t.find("A") == nullptr);
  REQUIRE(t.find("Z"));
  CHECK(t.find("B")->rules[0].target.chain == "Z");
  CHECK(t.builtin(Hook::Input)->rules[0].target.chain == "Z");
  t.erase_chain("Z");
  CHECK(t.find("Z") == nullptr);
  REQUIRE(t.find("B"));  // the index still works after erasing an earlier chain
  CHECK(t.find("B")->name == "B");
  CHECK(t.chains().size() == 4);
}

TEST_CASE("ruleset: same_spec ignores counters and locations", "[ruleset]") {
  Rule a;
  a.ip.src = {0x0a000000, 0xff000000};
  a.target.type = TargetType::Accept;
  Rule b = a;
  b.counters = {1, 2};
  b.loc = SourceLoc{1, 2, 3};
  b.ip.src_loc = SourceLoc{1, 2, 5};
  CHECK(a.same_spec(b));
  b.ip.inv_src = true;
  CHECK_FALSE(a.same_spec(b));
}
