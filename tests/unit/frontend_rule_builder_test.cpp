// frontend/src/rule_builder.cpp: what each command does to the rule set in iptables-restore
// input, with iptables-nft 1.8.9 semantics (iptables/nft.c, nft-cmd.c). Every expectation (verdict
// and -A listing) is what a real `iptables-restore FILE` into a fresh network namespace followed by
// `iptables-save` produced for the same text, including its quirks (marked "quirk").
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace iptc::test;

namespace {

/// The -A lines of the listing, one per line.
std::string rules_of(const Loaded& l) {
  std::string out;
  for (const auto& line : split_lines(l.printed()))
    if (line.starts_with("-A ")) out += line + "\n";
  return out;
}

struct Case {
  const char* text;
  bool ok;
  const char* listed;  // the -A lines the kernel listed (when ok)
};

void check_cases(std::initializer_list<Case> cases) {
  for (const Case& c : cases) {
    auto l = load(c.text);
    INFO("input:\n" << c.text << "iptc: " << (l->ok ? "accepted" : "rejected") << "\n" << l->rendered());
    CHECK(l->ok == c.ok);
    if (c.ok && l->ok) CHECK(rules_of(*l) == c.listed);
  }
}

}  // namespace

TEST_CASE("rule builder: -A, -I and insertion limits", "[rule_builder]") {
  check_cases({
      {"*filter\n-A INPUT -j ACCEPT\n-A INPUT -j DROP\n-I INPUT 2 -j RETURN\nCOMMIT\n", true,
       "-A INPUT -j ACCEPT\n-A INPUT -j RETURN\n-A INPUT -j DROP\n"},
      {"*filter\n-A INPUT\n-I INPUT 2 -s 9.9.9.9\nCOMMIT\n", true,
       "-A INPUT\n-A INPUT -s 9.9.9.9/32\n"},
      // "Index of insertion too big".
      {"*filter\n-I INPUT 2\nCOMMIT\n", false, ""},
      // Several addresses are inserted one by one at the same position: reverse order.
      {"*filter\n-A INPUT -s 3.3.3.3\n-I INPUT 1 -s 1.1.1.1,2.2.2.2\nCOMMIT\n", true,
       "-A INPUT -s 2.2.2.2/32\n-A INPUT -s 1.1.1.1/32\n-A INPUT -s 3.3.3.3/32\n"},
      // "No chain/target/match by that name".
      {"*filter\n-A NOPE -j ACCEPT\nCOMMIT\n", false, ""},
  });
}

TEST_CASE("rule builder: jumps must name an existing user chain", "[rule_builder]") {
  check_cases({
      {"*filter\n:X - [0:0]\n-A INPUT -j X\n-A INPUT -g X\nCOMMIT\n", true,
       "-A INPUT -j X\n-A INPUT -g X\n"},
      {"*filter\n-A INPUT -j NOSUCH\nCOMMIT\n", false, ""},
      {"*filter\n-A INPUT -j INPUT\nCOMMIT\n", false, ""},    // EOPNOTSUPP: a base chain
      {"*filter\n-A INPUT -j FORWARD\nCOMMIT\n", false, ""},
      {"*nat\n:X - [0:0]\nCOMMIT\n*filter\n-A INPUT -j X\nCOMMIT\n", false, ""},  // other table
  });
}

TEST_CASE("rule builder: -D and -C compare rules as the kernel lists them", "[rule_builder]") {
  check_cases({
      {"*filter\n-A INPUT -j ACCEPT\n-A INPUT -j DROP\n-D INPUT 1\nCOMMIT\n", true, "-A INPUT -j DROP\n"},
      {"*filter\n-A INPUT -j ACCEPT\n-D INPUT 2\nCOMMIT\n", false, ""},  // "Index of deletion too big"
      {"*filter\n-D INPUT 1\nCOMMIT\n", false, ""},
      {"*filter\n-D INPUT -j ACCEPT\nCOMMIT\n", false, ""},  // "Bad rule (does a matching rule exist...)"
      // The first equal rule goes.
      {"*filter\n-A INPUT -j ACCEPT\n-A INPUT -j ACCEPT\n-D INPUT -j ACCEPT\nCOMMIT\n", true,
       "-A INPUT -j ACCEPT\n"},
      // One deletion per address pair.
      {"*filter\n-A INPUT -s 1.1.1.1\n-A INPUT -s 2.2.2.2\n-A INPUT -s 3.3.3.3\n"
       "-D INPUT -s 1.1.1.1,3.3.3.3\nCOMMIT\n", true, "-A INPUT -s 2.2.2.2/32\n"},
      // Native tcp matches are merged when listed, so both spellings delete the rule.
      {"*filter\n-A INPUT -p tcp --dport 1 -m tcp --sport 2\n-D INPUT -p tcp --sport 2 --dport 1\nCOMMIT\n",
       true, ""},
      {"*filter\n-A INPUT -p tcp --dport 1 -m tcp --sport 2\n"
       "-D INPUT -p tcp -m tcp --dport 1 -m tcp --sport 2\nCOMMIT\n", true, ""},
      {"*filter\n-A INPUT -j ACCEPT\n-C INPUT -j ACCEPT\nCOMMIT\n", true, "-A INPUT -j ACCEPT\n"},
      {"*filter\n-A INPUT -j ACCEPT\n-C INPUT -j DROP\nCOMMIT\n", false, ""},
  });
}

TEST_CASE("rule builder: -R", "[rule_builder]") {
  check_cases({
      {"*filter\n-A INPUT -j ACCEPT\n-R INPUT 2 -j RETURN\nCOMMIT\n", false, ""},  // "too big"
  });
}

TEST_CASE("rule builder: -R never loads through iptables-restore 1.8.9", "[rule_builder]") {
  // quirk: iptables-restore 1.8.9 (nf_tables) dies with SIGSEGV on any -R line (its rule cache is
  // not loaded in restore mode), so a file containing -R never loads.
  check_cases({
      {"*filter\n-A INPUT -j ACCEPT\n-R INPUT 1 -j RETURN\nCOMMIT\n", false, ""},
  });
}

TEST_CASE("rule builder: -F and -Z", "[rule_builder]") {
  check_cases({
      {"*filter\n-A INPUT -j ACCEPT\n-A OUTPUT -j ACCEPT\n-F INPUT\nCOMMIT\n", true,
       "-A OUTPUT -j ACCEPT\n"},
      {"*filter\n-A INPUT -j ACCEPT\n-F INPUT\n-A INPUT -j DROP\nCOMMIT\n", true, "-A INPUT -j DROP\n"},
      {"*filter\n-F NOPE\nCOMMIT\n", false, ""},
      {"*filter\n-A INPUT -j ACCEPT\n-Z INPUT\nCOMMIT\n", true, "-A INPUT -j ACCEPT\n"},
      {"*filter\n-A INPUT -j ACCEPT\n-Z\nCOMMIT\n", true, "-A INPUT -j ACCEPT\n"},
  });
}

TEST_CASE("rule builder: -F without a chain does nothing in iptables-restore", "[rule_builder]") {
  // quirk: nft_rule_flush() with no chain returns early when the table is not in its cache, and
  // iptables-restore runs with an empty ("fake") cache: the rules stay.
  check_cases({
      {"*filter\n:X - [0:0]\n-A INPUT -j ACCEPT\n-A X -j ACCEPT\n-F\nCOMMIT\n", true,
       "-A INPUT -j ACCEPT\n-A X -j ACCEPT\n"},
  });
}

TEST_CASE("rule builder: -N, -X and chain lines", "[rule_builder]") {
  check_cases({
      {"*filter\n-N FOO\n-N FOO\nCOMMIT\n", false, ""},            // "Chain already exists"
      {"*filter\n:FOO - [0:0]\n-N FOO\nCOMMIT\n", false, ""},
      {"*filter\n-N FOO\n-A INPUT -j FOO\n-X FOO\nCOMMIT\n", false, ""},  // EBUSY: referenced
      {"*filter\n-N X\n-A INPUT -g X\n-X X\nCOMMIT\n", false, ""},
      {"*filter\n-N FOO\n-A FOO -j ACCEPT\n-X FOO\nCOMMIT\n", false, ""},  // EBUSY: not empty
      {"*filter\n-X INPUT\nCOMMIT\n", false, ""},
      {"*filter\n-X NOPE\nCOMMIT\n", false, ""},
      {"*filter\n-N FOO\n-N BAR\n-X\nCOMMIT\n", true, ""},
      // A user chain's rules are flushed when it is declared again.
      {"*filter\n:FOO - [0:0]\n-A FOO -j ACCEPT\n:FOO - [0:0]\nCOMMIT\n", true, ""},
      // A second block of the same table starts it over.
      {"*filter\n:FOO - [0:0]\n-A INPUT -j FOO\nCOMMIT\n*filter\n-A INPUT -j ACCEPT\nCOMMIT\n", true,
       "-A INPUT -j ACCEPT\n"},
  });
}

TEST_CASE("rule builder: -X without a chain deletes every user chain or fails", "[rule_builder]") {
  // nft_chain_user_del() with no chain deletes each user chain; the kernel refuses (EBUSY) to
  // delete one that still has rules or is the target of a jump, and the whole load fails.
  check_cases({
      {"*filter\n-N FOO\n-N BAR\n-A INPUT -j FOO\n-X\nCOMMIT\n", false, ""},
      {"*filter\n-N FOO\n-A FOO -j ACCEPT\n-X\nCOMMIT\n", false, ""},
  });
}

TEST_CASE("rule builder: -E never loads through iptables-restore 1.8.9", "[rule_builder]") {
  // quirk: the table is flushed at '*filter', so every chain was created in this transaction and
  // the rename (by handle) fails with ENOENT: "CHAIN_RENAME failed".
  check_cases({
      {"*filter\n-N FOO\n-E FOO BAR\nCOMMIT\n", false, ""},
      {"*filter\n:FOO - [0:0]\n-E FOO BAR\nCOMMIT\n", false, ""},
      {"*filter\n-N FOO\n-N BAR\n-E FOO BAR\nCOMMIT\n", false, ""},  // "File exists"
      {"*filter\n-E INPUT BAR\nCOMMIT\n", false, ""},
  });
}

TEST_CASE("rule builder: policies", "[rule_builder]") {
  check_cases({
      {"*filter\n-P INPUT DROP\nCOMMIT\n", true, ""},
      {"*filter\n-N FOO\n-P FOO DROP\nCOMMIT\n", false, ""},   // "Bad built-in chain name"
      {"*filter\n-P INPUT BOGUS\nCOMMIT\n", false, ""},        // "Bad policy name"
      {"*filter\n:INPUT BOGUS [0:0]\nCOMMIT\n", false, ""},
      {"*filter\n:INPUT - [0:0]\n-A INPUT\nCOMMIT\n", true, "-A INPUT\n"},
      // A user chain line's policy is not checked.
      {"*filter\n:FOO ACCEPT [0:0]\nCOMMIT\n", true, ""},
  });
  auto p = load("*filter\n:INPUT DROP [5:6]\n-A INPUT -j ACCEPT\n:INPUT ACCEPT [0:0]\n:OUTPUT DROP [0:0]\nCOMMIT\n");
  REQUIRE(p->ok);
  CHECK_THAT(p->printed(), Catch::Contains(":INPUT ACCEPT [0:0]\n"));  // the last line wins
  CHECK_THAT(p->printed(), Catch::Contains(":OUTPUT DROP [0:0]\n"));
}

TEST_CASE("rule builder: a nat chain line may set DROP", "[rule_builder]") {
  // do_parse refuses DROP in nat for -P and -j, but chain lines never go through do_parse: the
  // kernel loads ":PREROUTING DROP" in nat and lists it back.
  auto p = load("*nat\n:PREROUTING DROP [0:0]\nCOMMIT\n");
  INFO(p->rendered());
  REQUIRE(p->ok);
  CHECK(p->printed() ==
        "*nat\n:PREROUTING DROP [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        ":POSTROUTING ACCEPT [0:0]\nCOMMIT\n");
}

TEST_CASE("rule builder: a table exists once something touches it", "[rule_builder]") {
  // "*nat\nCOMMIT" creates nothing; a chain line or a rule creates the table with all its
  // built-in chains.
  auto empty = load("*nat\nCOMMIT\n");
  REQUIRE(empty->ok);
  CHECK(empty->printed().empty());
  auto raw = load("*raw\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n*mangle\n:FORWARD DROP [0:0]\nCOMMIT\n");
  REQUIRE(raw->ok);
  CHECK(raw->printed() ==
        "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n"
        "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
}

TEST_CASE("rule builder: a hook's name is a user chain in a table without that hook", "[rule_builder]") {
  // nat has no FORWARD chain and raw no INPUT: declaring one makes a user chain, listed with
  // the other user chains and usable as a jump target.
  check_cases({
      {"*nat\n:FORWARD ACCEPT [0:0]\n-A FORWARD -j ACCEPT\nCOMMIT\n", true, "-A FORWARD -j ACCEPT\n"},
      {"*raw\n:INPUT - [0:0]\n-A PREROUTING -j INPUT\nCOMMIT\n", true, "-A PREROUTING -j INPUT\n"},
      {"*nat\n-A FORWARD -j ACCEPT\nCOMMIT\n", false, ""},
  });
  auto l = load("*nat\n:FORWARD ACCEPT [0:0]\nCOMMIT\n");
  REQUIRE(l->ok);
  CHECK(l->printed() ==
        "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        ":POSTROUTING ACCEPT [0:0]\n:FORWARD - [0:0]\nCOMMIT\n");
}

TEST_CASE("rule builder: every failure names the command's line", "[rule_builder]") {
  auto l = load("*filter\n-A INPUT -j ACCEPT\n-D INPUT 5\nCOMMIT\n");
  REQUIRE_FALSE(l->ok);
  CHECK(l->first_error_line() == 3);
  auto j = load("*filter\n:X - [0:0]\n-A INPUT -j ACCEPT\n-A X -j NOPE\nCOMMIT\n");
  REQUIRE_FALSE(j->ok);
  CHECK(j->first_error_line() == 4);
  CHECK(j->first_error()->loc.col == 9);  // the missing chain's name
}
