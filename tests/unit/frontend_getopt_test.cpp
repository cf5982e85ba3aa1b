// frontend/src/getopt.cpp: glibc getopt_long as iptables drives it (optstring with a leading
// '-' for RETURN_IN_ORDER and ':' so that a missing argument returns ':'). The expectations are
// glibc's posix/getopt.c rules: exact long match first, then unique abbreviations, where two
// candidates only make an abbreviation ambiguous if they differ in has_arg or val; "--name=value";
// a required argument takes the next word whatever it is; "--" ends option scanning with optind
// just after it; "-" and words not starting with '-' are non-options returned as 1.
#include <catch2/catch.hpp>

#include "getopt.hpp"

using namespace iptc::frontend;
using iptc::ir::ArgKind;

namespace {

// iptables' optstring (xshared.h IPT_OPTSTRING).
constexpr std::string_view kIptOptstring =
    "-:A:C:D:E:F::I:L::M:N:P:VX::Z::c:d:i:j:o:p:s:t:R:S::W::46bfg:h::m:nvw::x";

const std::vector<LongOpt> kLong = {
    {"append", ArgKind::Required, 'A'},      {"delete", ArgKind::Required, 'D'},
    {"delete-chain", ArgKind::Optional, 'X'}, {"destination", ArgKind::Required, 'd'},
    {"dst", ArgKind::Required, 'd'},          {"source", ArgKind::Required, 's'},
    {"src", ArgKind::Required, 's'},          {"set-counters", ArgKind::Required, 'c'},
    {"list", ArgKind::Optional, 'L'},         {"numeric", ArgKind::None, 'n'},
    {"jump", ArgKind::Required, 'j'},
};

Argv words(std::initializer_list<const char*> ws) {
  Argv a;
  uint32_t col = 1;
  for (const char* w : ws) {
    a.push_back(Word{w, iptc::ir::SourceLoc{1, 1, col}, static_cast<uint32_t>(std::string_view(w).size()), false});
    col += static_cast<uint32_t>(std::string_view(w).size()) + 1;
  }
  return a;
}

struct Step {
  int code;
  std::string arg;  // "" and has == false: no argument
  bool has = false;
};

std::vector<Step> run(const Argv& a, const std::vector<LongOpt>& longopts = kLong) {
  Getopt g(a, kIptOptstring);
  std::vector<Step> out;
  for (int guard = 0; guard < 100; ++guard) {
    GetoptResult r = g.next(longopts);
    if (r.code == -1) break;
    out.push_back({r.code, std::string(r.optarg_text), r.optarg != nullptr});
  }
  return out;
}

}  // namespace

TEST_CASE("getopt: non-options come back in order as code 1", "[getopt]") {
  auto s = run(words({"foo", "-", "bar"}));
  REQUIRE(s.size() == 3);
  CHECK(s[0].code == 1);
  CHECK(s[0].arg == "foo");
  CHECK(s[1].code == 1);  // a lone "-" is a non-option
  CHECK(s[1].arg == "-");
  CHECK(s[2].arg == "bar");
}

TEST_CASE("getopt: short options, separate and attached arguments", "[getopt]") {
  auto s = run(words({"-A", "INPUT", "-jACCEPT"}));
  REQUIRE(s.size() == 2);
  CHECK(s[0].code == 'A');
  CHECK(s[0].arg == "INPUT");
  CHECK(s[1].code == 'j');
  CHECK(s[1].arg == "ACCEPT");  // attached: the rest of the word

  Argv a = words({"-ptcp"});
  Getopt g(a, kIptOptstring);
  GetoptResult r = g.next(kLong);
  CHECK(r.code == 'p');
  CHECK(r.optarg_text == "tcp");
  CHECK(r.optarg == &a[0]);  // the argument lives in the option's own word
  CHECK(r.option_word == 0);
  CHECK(g.optind == 1);
}

TEST_CASE("getopt: clusters of short options", "[getopt]") {
  auto s = run(words({"-vn", "-vAINPUT", "-xA", "FORWARD"}));
  REQUIRE(s.size() == 6);
  CHECK(s[0].code == 'v');
  CHECK(s[1].code == 'n');
  CHECK(s[2].code == 'v');
  CHECK(s[3].code == 'A');
  CHECK(s[3].arg == "INPUT");
  CHECK(s[4].code == 'x');
  CHECK(s[5].code == 'A');  // last in its cluster: the argument is the next word
  CHECK(s[5].arg == "FORWARD");
}

TEST_CASE("getopt: unknown short options give '?' and scanning goes on", "[getopt]") {
  auto s = run(words({"-y", "-vy", "-n"}));
  REQUIRE(s.size() == 4);
  CHECK(s[0].code == '?');
  CHECK(s[1].code == 'v');
  CHECK(s[2].code == '?');
  CHECK(s[3].code == 'n');
  // ':' and '-' are in the optstring but never options.
  auto c = run(words({"-:"}));
  REQUIRE(c.size() == 1);
  CHECK(c[0].code == '?');
}

TEST_CASE("getopt: a missing required argument gives ':' (the optstring has a leading ':')", "[getopt]") {
  auto s = run(words({"-A"}));
  REQUIRE(s.size() == 1);
  CHECK(s[0].code == ':');
  auto l = run(words({"--append"}));
  REQUIRE(l.size() == 1);
  CHECK(l[0].code == ':');
}

TEST_CASE("getopt: a required argument is the next word, even one that looks like an option", "[getopt]") {
  auto s = run(words({"-A", "-j", "--append", "--numeric"}));
  REQUIRE(s.size() == 2);
  CHECK(s[0].code == 'A');
  CHECK(s[0].arg == "-j");
  CHECK(s[1].code == 'A');
  CHECK(s[1].arg == "--numeric");
}

TEST_CASE("getopt: optional arguments are only ever attached", "[getopt]") {
  auto s = run(words({"-L", "INPUT", "-LFORWARD", "--list", "X", "--list=Y"}));
  REQUIRE(s.size() == 6);
  CHECK(s[0].code == 'L');
  CHECK_FALSE(s[0].has);
  CHECK(s[1].code == 1);  // left for the caller (iptables reads it with xs_has_arg)
  CHECK(s[1].arg == "INPUT");
  CHECK(s[2].code == 'L');
  CHECK(s[2].arg == "FORWARD");
  CHECK(s[3].code == 'L');
  CHECK_FALSE(s[3].has);
  CHECK(s[4].code == 1);
  CHECK(s[5].code == 'L');
  CHECK(s[5].arg == "Y");
}

TEST_CASE("getopt: long options, exact and with '='", "[getopt]") {
  auto s = run(words({"--append", "INPUT", "--append=FORWARD", "--append=", "--jump=a=b"}));
  REQUIRE(s.size() == 4);
  CHECK(s[0].arg == "INPUT");
  CHECK(s[1].arg == "FORWARD");
  CHECK(s[2].code == 'A');  // "--append=" has an empty argument
  CHECK(s[2].has);
  CHECK(s[2].arg.empty());
  CHECK(s[3].code == 'j');
  CHECK(s[3].arg == "a=b");  // only the first '=' splits
}

TEST_CASE("getopt: unique prefixes abbreviate long options", "[getopt]") {
  auto s = run(words({"--app", "INPUT", "--dest", "1.2.3.4", "--sr", "5.6.7.8", "--ds=9.9.9.9", "--num"}));
  REQUIRE(s.size() == 5);
  CHECK(s[0].code == 'A');
  CHECK(s[1].code == 'd');
  CHECK(s[1].arg == "1.2.3.4");
  CHECK(s[2].code == 's');
  CHECK(s[3].code == 'd');
  CHECK(s[3].arg == "9.9.9.9");
  CHECK(s[4].code == 'n');
}

TEST_CASE("getopt: an abbreviation of options that differ in val or has_arg is ambiguous", "[getopt]") {
  Argv a = words({"--de", "x", "--s", "y", "--d=z"});
  Getopt g(a, kIptOptstring);
  GetoptResult r = g.next(kLong);  // delete, delete-chain, destination
  CHECK(r.code == '?');
  CHECK(r.ambiguous);
  CHECK(g.optind == 1);  // the ambiguous word is consumed, its would-be argument is not
  r = g.next(kLong);
  CHECK(r.code == 1);
  r = g.next(kLong);  // source, src, set-counters
  CHECK(r.code == '?');
  CHECK(r.ambiguous);
  r = g.next(kLong);
  CHECK(r.code == 1);
  r = g.next(kLong);
  CHECK(r.code == '?');
  CHECK(r.ambiguous);
}

TEST_CASE("getopt: candidates with the same val and has_arg are not ambiguous", "[getopt]") {
  const std::vector<LongOpt> table = {{"source", ArgKind::Required, 's'},
                                      {"src", ArgKind::Required, 's'}};
  auto s = run(words({"--s", "1.1.1.1", "--sourc", "2.2.2.2"}), table);
  REQUIRE(s.size() == 2);
  CHECK(s[0].code == 's');
  CHECK(s[0].arg == "1.1.1.1");
  CHECK(s[1].code == 's');
  // Same val but a different has_arg: ambiguous again.
  const std::vector<LongOpt> mixed = {{"alpha", ArgKind::Required, 300},
                                      {"alpine", ArgKind::None, 300}};
  auto m = run(words({"--alp"}), mixed);
  REQUIRE(m.size() == 1);
  CHECK(m[0].code == '?');
}

TEST_CASE("getopt: an exact match wins over longer options it abbreviates", "[getopt]") {
  const std::vector<LongOpt> table = {{"dports", ArgKind::Required, 301},
                                      {"dport", ArgKind::Required, 302}};
  auto s = run(words({"--dport", "1", "--dpo", "2"}), table);
  REQUIRE(s.size() == 3);
  CHECK(s[0].code == 302);
  CHECK(s[1].code == '?');  // "dpo" abbreviates both, with different vals
  CHECK(s[2].code == 1);    // and its would-be argument is a non-option
}

TEST_CASE("getopt: unknown long options and arguments to flags", "[getopt]") {
  Argv a = words({"--bogus", "--numeric=1", "---x"});
  Getopt g(a, kIptOptstring);
  GetoptResult r = g.next(kLong);
  CHECK(r.code == '?');
  CHECK_FALSE(r.ambiguous);
  CHECK(r.longopt == nullptr);
  r = g.next(kLong);
  CHECK(r.code == '?');
  CHECK(r.arg_not_allowed);
  r = g.next(kLong);  // a long option named "-x"
  CHECK(r.code == '?');
  CHECK(g.next(kLong).code == -1);
}

TEST_CASE("getopt: '--' ends scanning and leaves optind after it", "[getopt]") {
  Argv a = words({"-A", "INPUT", "--", "-j", "ACCEPT"});
  Getopt g(a, kIptOptstring);
  CHECK(g.next(kLong).code == 'A');
  CHECK(g.next(kLong).code == -1);
  CHECK(g.optind == 3);  // iptables then reports the leftover words
  Argv b = words({"-A", "INPUT", "--"});
  Getopt h(b, kIptOptstring);
  CHECK(h.next(kLong).code == 'A');
  CHECK(h.next(kLong).code == -1);
  CHECK(h.optind == 3);  // nothing left over
}

TEST_CASE("getopt: the caller may consume words by moving optind", "[getopt]") {
  // iptables reads "-I CHAIN NUM" by taking argv[optind++] after getopt returned 'I'.
  Argv a = words({"-I", "INPUT", "3", "-n"});
  Getopt g(a, kIptOptstring);
  GetoptResult r = g.next(kLong);
  CHECK(r.code == 'I');
  CHECK(g.optind == 2);
  ++g.optind;
  CHECK(g.next(kLong).code == 'n');
  CHECK(g.next(kLong).code == -1);
}
