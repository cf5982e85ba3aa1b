// frontend/src/save_reader.cpp: iptables-restore's reader (iptables/xtables-restore.c
// xtables_restore_parse_line, xshared.c add_param_to_argv and tokenize_rule_counters). Verdicts,
// error lines and listings below are those of a real `iptables-restore FILE` load into a fresh
// network namespace (and its iptables-save) for the same bytes; iptc's output is never the oracle.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace iptc::test;

namespace {

constexpr const char* kFilterHead = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";

struct Expect {
  const char* text;
  bool ok;
  uint32_t error_line = 0;  // the kernel's "Error occurred at line" / "line N failed"
};

void check(std::initializer_list<Expect> cases, LoadOptions opts = {}) {
  for (const Expect& e : cases) {
    auto l = load(e.text, opts);
    INFO("input: " << std::string(e.text) << "\niptc: " << (l->ok ? "accepted" : "rejected") << "\n"
                   << l->rendered());
    CHECK(l->ok == e.ok);
    if (!e.ok && !l->ok) CHECK(l->first_error_line() == e.error_line);
  }
}

/// The listing of a file whose only table is filter with default policies.
std::string filter_listing(const std::string& rules) { return kFilterHead + rules + "COMMIT\n"; }

}  // namespace

TEST_CASE("save reader: line classification", "[save_reader]") {
  check({
      {"", true},                                         // nothing at all
      {"# only a comment\n", true},
      {"*filter\n#x\n-A INPUT\nCOMMIT\n#end\n", true},    // '#' in column 1, anywhere
      {"*filter\n\n\n-A INPUT\n\nCOMMIT\n", true},        // empty lines
      {"* filter\nCOMMIT\n", true},                       // strtok skips the blank after '*'
      {"*filter extra words\n-A INPUT\nCOMMIT\n", true},  // only the first token names the table
      {"*filter\n: X - [0:0]\nCOMMIT\n", true},
      {"*filter\n-A INPUT -j ACCEPT\nCOMMIT", true},      // last line without a newline
      {"*filter\n -A INPUT -j ACCEPT\nCOMMIT\n", true},   // a rule line may start with blanks
      {"*\nCOMMIT\n", false, 1},                          // "table name invalid"
      {"*nosuch\nCOMMIT\n", false, 1},
      {"*filter\n:X\nCOMMIT\n", false, 2},                // "policy invalid"
      {"*filter\n #x\nCOMMIT\n", false, 2},               // "Bad argument `#x'"
      {"COMMIT\n", false, 1},                             // outside a table: "line 1 failed"
      {"-A INPUT -j ACCEPT\n", false, 1},
      {":INPUT ACCEPT [0:0]\n", false, 1},
      {"*filter\n-A INPUT\n*nat\nCOMMIT\n", false, 3},    // "Bad argument `*nat'"
      {"*filter\n-A INPUT -j ACCEPT\nCOMMIT \n", false, 3},  // "Bad argument `COMMIT'"
      {"*filter\nCOMMIT extra\n", false, 2},
  });
}

TEST_CASE("save reader: blank lines must be empty", "[save_reader]") {
  check({
      {"*filter\n   \nCOMMIT\n", false, 2},  // "no command specified"
      {"*filter\n\t\nCOMMIT\n", false, 2},
      {"   \n*filter\nCOMMIT\n", false, 1},  // outside a table: "line 1 failed"
  });
}

TEST_CASE("save reader: carriage returns and byte-order marks are errors", "[save_reader]") {
  check({
      {"*filter\r\nCOMMIT\n", false, 1},                        // table name 'filter\r' invalid
      {"*filter\n-A INPUT -j ACCEPT\r\nCOMMIT\n", false, 2},    // "Invalid target name `ACCEPT\r'"
      {"*filter\n-A INPUT -j ACCEPT\nCOMMIT\r\n", false, 3},
      {"\xEF\xBB\xBF*filter\nCOMMIT\n", false, 1},             // "line 1 failed"
  });
  auto crlf = load("*filter\r\nCOMMIT\r\n");
  REQUIRE(crlf->first_error());
  CHECK_THAT(crlf->first_error()->hint, Catch::Contains("CRLF"));
  auto bom = load("\xEF\xBB\xBF*filter\nCOMMIT\n");
  REQUIRE(bom->first_error());
  CHECK(bom->first_error()->loc.col == 1);
}

TEST_CASE("save reader: trailing blanks and tabs separate nothing", "[save_reader]") {
  auto l = load("*filter\n-A INPUT -i\t\"x\"\t-j\tACCEPT  \t \n-A INPUT -j DROP   \nCOMMIT\n");
  INFO(l->rendered());
  REQUIRE(l->ok);
  CHECK(l->printed() == filter_listing("-A INPUT -i x -j ACCEPT\n-A INPUT -j DROP\n"));
}

TEST_CASE("save reader: a missing COMMIT", "[save_reader]") {
  // "COMMIT expected at line 3": iptc points at the end of the file; the hint names the line
  // where the uncommitted table starts.
  auto l = load("*filter\n-A INPUT\n");
  REQUIRE_FALSE(l->ok);
  CHECK((l->first_error_line() == 2 || l->first_error_line() == 3));
  CHECK_THAT(l->first_error()->message, Catch::Contains("COMMIT"));
  CHECK_THAT(l->first_error()->hint, Catch::Contains("line 1"));
  // Without a final newline the last line is the one that lacks it.
  auto m = load("*filter\n-A INPUT");
  REQUIRE_FALSE(m->ok);
  CHECK((m->first_error_line() == 2 || m->first_error_line() == 3));
  // A COMMIT missing before the next table is found at that table's line.
  check({{"*filter\n-A INPUT\n*nat\n-A PREROUTING\nCOMMIT\n", false, 3}});
}

TEST_CASE("save reader: words are split and unquoted like add_param_to_argv", "[save_reader]") {
  struct Q {
    const char* arg;  // the -i argument as written
    const char* iface;  // as the kernel lists it
  };
  for (Q q : {Q{"\"a\\\"b\"", "a\"b"},      // \" inside quotes is a quote
              Q{"\"a\\\\b\"", "a\\b"},      // \\ is a backslash
              Q{"\"a\\nb\"", "anb"},        // any other escaped byte is itself
              Q{"a\\b", "a\\b"},            // no escapes outside quotes
              Q{"\"a b\"", "a b"},          // quoted blanks stay
              Q{"x\"y\"", "xy"}}) {         // a quote may start inside a word
    std::string text = std::string("*filter\n-A INPUT -i ") + q.arg + "\nCOMMIT\n";
    auto l = load(text);
    INFO(text << l->rendered());
    REQUIRE(l->ok);
    CHECK(l->printed() == filter_listing(std::string("-A INPUT -i ") + q.iface + "\n"));
  }
  // The closing quote ends the word: ab"c d"e is "abc d" then "e" ("Bad argument `e'").
  auto split = load("*filter\n-A INPUT -i ab\"c d\"e\nCOMMIT\n");
  REQUIRE_FALSE(split->ok);
  CHECK(split->first_error()->loc.col == 20);  // the "e"
  // "" is an empty word ("Empty interface is likely to be undesired").
  check({{"*filter\n-A INPUT -i \"\"\nCOMMIT\n", false, 2}});
  // An unterminated quote runs to the end of the line and keeps its newline: the kernel lists the
  // interface "eth0\n", so its listing has an empty line after the rule.
  auto open = load("*filter\n-A INPUT -i \"eth0\nCOMMIT\n");
  INFO(open->rendered());
  REQUIRE(open->ok);
  CHECK(open->printed() == filter_listing("-A INPUT -i eth0\n\n"));
  auto esc = load("*filter\n-A INPUT -i \"eth0\\\nCOMMIT\n");  // an escaped newline, same result
  REQUIRE(esc->ok);
  CHECK(esc->printed() == filter_listing("-A INPUT -i eth0\n\n"));
}

TEST_CASE("save reader: the [packets:bytes] prefix", "[save_reader]") {
  // Without --counters the prefix is tokenized (tokenize_rule_counters) but not used.
  check({
      {"*filter\n[1:2] -A INPUT -j ACCEPT\nCOMMIT\n", true},
      {"*filter\n[1:2]-A INPUT -j ACCEPT\nCOMMIT\n", true},
      {"*filter\n[x:y] -A INPUT -j ACCEPT\nCOMMIT\n", true},
      {"*filter\n[abc] -A INPUT\nCOMMIT\n", false, 2},            // "Bad line 2: need ]"
      {"*filter\n[1:2 -A INPUT -j ACCEPT\nCOMMIT\n", false, 2},
  });
  // With --counters they become --set-counters and sscanf("%llu") must read them.
  check({{"*filter\n[x:y] -A INPUT -j ACCEPT\nCOMMIT\n", false, 2}}, {.counters = true});
  auto c = load("*filter\n:INPUT DROP [1:2]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                "[3:4] -A INPUT -j ACCEPT\nCOMMIT\n",
                {.counters = true});
  INFO(c->rendered());
  REQUIRE(c->ok);
  const auto* t = c->rs.table(iptc::ir::TableKind::Filter);
  REQUIRE(t);
  const auto* in = t->find("INPUT");
  REQUIRE(in);
  CHECK(in->counters == iptc::ir::Counters{1, 2});
  REQUIRE(in->rules.size() == 1);
  CHECK(in->rules[0].counters == iptc::ir::Counters{3, 4});
  // --counters needs the policy counters of built-in chains ("invalid policy counters").
  check({{"*filter\n:INPUT ACCEPT\nCOMMIT\n", false, 2}}, {.counters = true});
}

TEST_CASE("save reader: the counters prefix is cut with strtok", "[save_reader]") {
  // tokenize_rule_counters runs strtok(buffer + 1, ":") and strtok(NULL, "]") on the whole line:
  // when the prefix has no ':' the first ':' of the rule is overwritten with '\0', and the rule
  // ends there. The kernel loads "[5] -A INPUT -s 1.2.3.4 -p tcp --dport 7:9 -j ACCEPT" as the
  // rule below, without its target.
  auto l = load("*filter\n[5] -A INPUT -s 1.2.3.4 -p tcp --dport 7:9 -j ACCEPT\n"
                "[1:2] -A INPUT -s 1.2.3.5 -j ACCEPT\nCOMMIT\n");
  INFO(l->rendered());
  REQUIRE(l->ok);
  CHECK(l->printed() == filter_listing("-A INPUT -s 1.2.3.4/32 -p tcp -m tcp --dport 7\n"
                                       "-A INPUT -s 1.2.3.5/32 -j ACCEPT\n"));
}

TEST_CASE("save reader: fgets reads at most 10239 bytes of a line", "[save_reader]") {
  // A line of exactly 10239 bytes plus its newline is read whole (the newline comes back alone
  // from the next fgets and is an empty line).
  std::string rule = "-A INPUT -j ACCEPT";
  std::string line = rule + std::string(10239 - rule.size(), ' ');
  auto ok = load("*filter\n" + line + "\nCOMMIT\n");
  INFO(ok->rendered());
  CHECK(ok->ok);
  // One byte more and the tail " \n" is a line of its own: "no command specified".
  auto bad = load("*filter\n" + line + " \nCOMMIT\n");
  CHECK_FALSE(bad->ok);
}

TEST_CASE("save reader: a NUL byte ends the line", "[save_reader]") {
  // fgets() reads past a NUL, but the line is then used as a C string.
  using namespace std::string_literals;
  auto l = load("*filter\n-A INPUT -j ACCEPT\0 garbage here\nCOMMIT\0junk\n"s);
  INFO(l->rendered());
  REQUIRE(l->ok);
  CHECK(l->printed() == filter_listing("-A INPUT -j ACCEPT\n"));
  auto empty = load("*filter\n\0\nCOMMIT\n"s);  // an empty C string in a table: no command
  REQUIRE_FALSE(empty->ok);
  CHECK(empty->first_error_line() == 2);
}

TEST_CASE("save reader: errors name the line and column, and reading goes on", "[save_reader]") {
  auto l = load("*filter\n-A INPUT -s 1.2.3.4/33\n-A INPUT -j ACCEPT\n-A INPUT -p tcp --dport 70000\nCOMMIT\n");
  REQUIRE_FALSE(l->ok);
  REQUIRE(l->diags.error_count() == 2);
  CHECK(l->diags.all()[0].loc.line == 2);
  CHECK(l->diags.all()[0].loc.col == 13);
  CHECK(l->diags.all()[1].loc.line == 4);
  CHECK(l->diags.all()[1].loc.col == 25);
  // Columns are bytes from the start of the line, after a counters prefix too.
  auto c = load("*filter\n[0:0] -A INPUT -s 1.2.3.4/33\nCOMMIT\n");
  REQUIRE_FALSE(c->ok);
  CHECK(c->first_error()->loc.col == 19);
}
