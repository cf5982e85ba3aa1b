// frontend/src/command.cpp: iptables 1.8.9's do_parse() (iptables/xshared.c). Each expectation
// restates a rule of the C code, cited in the test, and was confirmed by loading the same line
// with the real iptables-restore (the kernel names the same error); none comes from iptc.
#include <catch2/catch.hpp>

#include "command.hpp"
#include "iptc/ir/values.hpp"

using namespace iptc;
using namespace iptc::frontend;

namespace {

/// Words split on single spaces; "<empty>" stands for an empty word (a quoted "" in a file).
Argv split(std::string_view line) {
  Argv a;
  size_t pos = 0;
  uint32_t col = 1;
  while (pos <= line.size()) {
    size_t sp = line.find(' ', pos);
    std::string w(line.substr(pos, sp == std::string_view::npos ? std::string_view::npos : sp - pos));
    uint32_t len = static_cast<uint32_t>(w.size());
    if (w == "<empty>") w.clear();
    if (!w.empty() || len) a.push_back(Word{w, ir::SourceLoc{1, 1, col}, len ? len : 1, false});
    col += len + 1;
    if (sp == std::string_view::npos) break;
    pos = sp + 1;
  }
  return a;
}

struct Parsed {
  bool ok = false;
  ParsedCommand cmd;
  ir::Diagnostics diags;
  Argv argv;
  [[nodiscard]] std::string error() const {
    return diags.all().empty() ? std::string() : diags.all().front().message;
  }
  [[nodiscard]] uint32_t error_col() const {
    return diags.all().empty() ? 0 : diags.all().front().loc.col;
  }
};

/// A rule line of iptables-restore in `table` (restore mode: -t/-w/-W refused, -6 skips).
std::unique_ptr<Parsed> restore_line(std::string_view line, std::string table = "filter") {
  auto p = std::make_unique<Parsed>();
  p->argv = split(line);
  CommandMode mode{true, std::move(table)};
  p->ok = parse_command(p->argv, mode, p->cmd, p->diags);
  return p;
}

/// A command given to the iptables program itself.
std::unique_ptr<Parsed> command(std::string_view line) {
  auto p = std::make_unique<Parsed>();
  p->argv = split(line);
  CommandMode mode{false, ""};
  p->ok = parse_command(p->argv, mode, p->cmd, p->diags);
  return p;
}

uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}

}  // namespace

TEST_CASE("command: -A with the ipt_ip options builds one rule", "[command]") {
  auto p = restore_line("-A INPUT -s 10.1.2.3/8 ! -d 192.168.1.1 -i eth+ -p udp -f -j ACCEPT");
  INFO(p->error());
  REQUIRE(p->ok);
  CHECK(p->cmd.command == kCmdAppend);
  CHECK(p->cmd.chain == "INPUT");
  CHECK(p->cmd.table == "filter");
  REQUIRE(p->cmd.rules.size() == 1);
  const ir::Rule& r = p->cmd.rules[0];
  CHECK(r.ip.src == ir::Ipv4Net{ip(10, 0, 0, 0), 0xff000000});
  CHECK_FALSE(r.ip.inv_src);
  CHECK(r.ip.dst == ir::Ipv4Net{ip(192, 168, 1, 1), 0xffffffff});
  CHECK(r.ip.inv_dst);
  CHECK(r.ip.iniface == "eth+");
  CHECK(r.ip.proto == 17);
  CHECK(r.ip.frag);
  CHECK(r.target.type == ir::TargetType::Accept);
  CHECK(r.matches.empty());  // -p alone loads no match: only an unknown option does
}

TEST_CASE("command: -s/-d lists expand to one rule per pair, sources outermost", "[command]") {
  // ipv4_post_parse + add_entry: for each source, for each destination.
  auto p = restore_line("-A INPUT -s 1.1.1.1,2.2.2.2 -d 3.3.3.3,4.4.4.4");
  REQUIRE(p->ok);
  REQUIRE(p->cmd.rules.size() == 4);
  CHECK(p->cmd.rules[0].ip.src.addr == ip(1, 1, 1, 1));
  CHECK(p->cmd.rules[0].ip.dst.addr == ip(3, 3, 3, 3));
  CHECK(p->cmd.rules[1].ip.src.addr == ip(1, 1, 1, 1));
  CHECK(p->cmd.rules[1].ip.dst.addr == ip(4, 4, 4, 4));
  CHECK(p->cmd.rules[2].ip.src.addr == ip(2, 2, 2, 2));
  CHECK(p->cmd.rules[3].ip.dst.addr == ip(4, 4, 4, 4));
  // "! not allowed with multiple source or destination IP addresses"
  CHECK_FALSE(restore_line("-A INPUT ! -s 1.1.1.1,2.2.2.2")->ok);
  CHECK_FALSE(restore_line("-A INPUT -s 1.1.1.1 ! -d 3.3.3.3,4.4.4.4")->ok);
  // "Replacement rule does not specify a unique address"
  CHECK_FALSE(restore_line("-R INPUT 1 -s 1.1.1.1,2.2.2.2")->ok);
}

TEST_CASE("command: '!' rules of do_parse", "[command]") {
  // case 1 (non-option "!"): sets invert; a second one is "multiple consecutive ! not allowed".
  auto twice = restore_line("-A INPUT ! ! -s 1.2.3.4");
  CHECK_FALSE(twice->ok);
  CHECK(twice->error_col() == 12);  // the second '!'
  // Nothing after it: "nothing appropriate following !".
  CHECK_FALSE(restore_line("-A INPUT !")->ok);
  // set_option: '!' only before -s -d -p -i -o -f ("cannot have ! before -j").
  CHECK_FALSE(restore_line("-A INPUT ! -j ACCEPT")->ok);
  CHECK_FALSE(restore_line("-A INPUT ! -g X")->ok);
  // command_match: "unexpected ! flag before --match"; add_command: before a command.
  CHECK_FALSE(restore_line("-A INPUT ! -m tcp")->ok);
  CHECK_FALSE(restore_line("! -A INPUT")->ok);
  // check_inverse only understands "-s ! addr" for ARP: for IPv4 the '!' is the address and the
  // address a "Bad argument".
  auto intra = restore_line("-A INPUT -s ! 1.2.3.4");
  CHECK_FALSE(intra->ok);
  CHECK(intra->error_col() == 15);  // "1.2.3.4"
  // Valid inversions.
  auto ok = restore_line("-A INPUT ! -s 1.2.3.4 ! -i lo ! -p tcp ! -f");
  INFO(ok->error());
  REQUIRE(ok->ok);
  CHECK(ok->cmd.rules[0].ip.inv_src);
  CHECK(ok->cmd.rules[0].ip.inv_in);
  CHECK(ok->cmd.rules[0].ip.inv_proto);
  CHECK(ok->cmd.rules[0].ip.inv_frag);
  // "rule would never match protocol": ! -p all.
  CHECK_FALSE(restore_line("-A INPUT ! -p all")->ok);
  CHECK_FALSE(restore_line("-A INPUT ! -p 0")->ok);
}

TEST_CASE("command: one command per line and each option once", "[command]") {
  CHECK_FALSE(restore_line("-A INPUT -D INPUT")->ok);  // "Cannot use -D with -A"
  CHECK_FALSE(restore_line("-A INPUT -s 1.1.1.1 -s 2.2.2.2")->ok);
  CHECK_FALSE(restore_line("-A INPUT -p tcp -p udp")->ok);
  CHECK_FALSE(restore_line("-A INPUT -i a -i b")->ok);
  CHECK_FALSE(restore_line("-A INPUT -j ACCEPT -j DROP")->ok);
  CHECK_FALSE(restore_line("-A INPUT -j ACCEPT -g X")->ok);  // both set OPT_JUMP
  CHECK_FALSE(restore_line("-A INPUT -f -f")->ok);
  // -v may repeat (set_option only the first time).
  CHECK(restore_line("-A INPUT -v -v")->ok);
}

TEST_CASE("command: -i and -o", "[command]") {
  // "Can't use -i with OUTPUT" / "-o with INPUT" (checked on the chain's name only).
  CHECK_FALSE(restore_line("-A OUTPUT -i eth0")->ok);
  CHECK_FALSE(restore_line("-A POSTROUTING -i eth0", "nat")->ok);
  CHECK_FALSE(restore_line("-A INPUT -o eth0")->ok);
  CHECK_FALSE(restore_line("-A PREROUTING -o eth0", "mangle")->ok);
  CHECK(restore_line("-A FORWARD -i a -o b")->ok);
  CHECK(restore_line("-A mychain -i a -o b")->ok);
  CHECK_FALSE(restore_line("-I OUTPUT 1 -i eth0")->ok);
  // xtables_parse_interface: at most IFNAMSIZ-1 = 15 characters.
  CHECK(restore_line("-A INPUT -i abcdefghijklmno")->ok);
  CHECK_FALSE(restore_line("-A INPUT -i abcdefghijklmnop")->ok);
  // check_empty_interface.
  CHECK_FALSE(restore_line("-A INPUT -i <empty>")->ok);
}

TEST_CASE("command: -p, -s, -d, -i, -o and -j read argv[optind - 1]", "[command]") {
  // With an attached or '='-joined argument that word is the option itself.
  CHECK_FALSE(restore_line("-A INPUT -ptcp")->ok);              // unknown protocol "-ptcp"
  CHECK_FALSE(restore_line("-A INPUT -s1.2.3.4")->ok);          // host/network `-s1.2.3.4'
  CHECK_FALSE(restore_line("-A INPUT --source=1.2.3.4")->ok);
  auto iface = restore_line("-A INPUT -ieth0");
  REQUIRE(iface->ok);
  CHECK(iface->cmd.rules[0].ip.iniface == "-ieth0");
  auto jump = restore_line("-AINPUT -jACCEPT");  // -A uses optarg, -j does not
  REQUIRE(jump->ok);
  CHECK(jump->cmd.chain == "INPUT");
  CHECK(jump->cmd.rules[0].target.type == ir::TargetType::Jump);
  CHECK(jump->cmd.rules[0].target.chain == "-jACCEPT");
  // -g uses optarg.
  auto go = restore_line("-A INPUT --goto=X");
  REQUIRE(go->ok);
  CHECK(go->cmd.rules[0].target.type == ir::TargetType::Goto);
  CHECK(go->cmd.rules[0].target.chain == "X");
  // The protocol is lower-cased in place before xtables_parse_protocol.
  auto upper = restore_line("-A INPUT -p UDP");
  REQUIRE(upper->ok);
  CHECK(upper->cmd.rules[0].ip.proto == 17);
}

TEST_CASE("command: the protocol match loads on an unknown option", "[command]") {
  auto p = restore_line("-A INPUT -p tcp --dport 22");
  INFO(p->error());
  REQUIRE(p->ok);
  REQUIRE(p->cmd.rules[0].matches.size() == 1);
  CHECK(p->cmd.rules[0].matches[0].kind() == ir::MatchKind::Tcp);
  // find_proto: a number loads the match of its name.
  auto n = restore_line("-A INPUT -p 17 --sport 53");
  REQUIRE(n->ok);
  CHECK(n->cmd.rules[0].matches[0].kind() == ir::MatchKind::Udp);
  // -p all (0) loads nothing; without -p there is nothing to load.
  CHECK_FALSE(restore_line("-A INPUT -p all --dport 22")->ok);
  auto none = restore_line("-A INPUT --dport 22");
  CHECK_FALSE(none->ok);
  CHECK(none->error_col() == 10);
  // Loaded once: a second implicit use is the same instance ("--dport 1 --dport 2" is a
  // repeated option, as in the tcp recording).
  CHECK_FALSE(restore_line("-A INPUT -p tcp --dport 1 --dport 2")->ok);
}

TEST_CASE("command: leftovers, missing commands and bad arguments", "[command]") {
  auto bad = restore_line("-A INPUT foo");
  CHECK_FALSE(bad->ok);
  CHECK(bad->error_col() == 10);
  CHECK_FALSE(restore_line("-A INPUT -- foo")->ok);  // "unknown arguments found on commandline"
  CHECK(restore_line("-A INPUT -j ACCEPT --")->ok);
  CHECK_FALSE(restore_line("-s 1.2.3.4")->ok);       // "no command specified"
  CHECK_FALSE(restore_line("-A")->ok);               // option requires an argument
  CHECK_FALSE(restore_line("-A INPUT --bogus")->ok);
  CHECK_FALSE(restore_line("-A INPUT --de 1.2.3.4")->ok);  // ambiguous: --delete, --destination
  auto abbrev = restore_line("-A INPUT --dest 1.2.3.4");
  REQUIRE(abbrev->ok);
  CHECK(abbrev->cmd.rules[0].ip.dst.addr == ip(1, 2, 3, 4));
}

TEST_CASE("command: restore mode refuses -t -w -W and skips -6", "[command]") {
  CHECK_FALSE(restore_line("-A INPUT -t filter")->ok);
  CHECK_FALSE(restore_line("-A INPUT -w")->ok);
  CHECK_FALSE(restore_line("-A INPUT -W")->ok);
  auto six = restore_line("-A INPUT -6 -j ACCEPT");
  REQUIRE(six->ok);
  CHECK(six->cmd.skipped);
  auto four = restore_line("-A INPUT -4 -j ACCEPT");
  REQUIRE(four->ok);
  CHECK_FALSE(four->cmd.skipped);
  // The iptables program itself takes -t.
  auto t = command("-t nat -A PREROUTING -j ACCEPT");
  REQUIRE(t->ok);
  CHECK(t->cmd.table == "nat");
  CHECK_FALSE(command("-A INPUT -6")->ok);
}

TEST_CASE("command: -c / --set-counters", "[command]") {
  auto a = restore_line("-A INPUT -c 1 2 -j ACCEPT");
  REQUIRE(a->ok);
  CHECK(a->cmd.rules[0].counters == ir::Counters{1, 2});
  auto b = restore_line("-A INPUT --set-counters 5,7 -j ACCEPT");
  REQUIRE(b->ok);
  CHECK(b->cmd.rules[0].counters == ir::Counters{5, 7});
  CHECK_FALSE(restore_line("-A INPUT -c 1")->ok);       // "-c requires packet and byte counter"
  CHECK_FALSE(restore_line("-A INPUT -c x 2")->ok);     // "-c packet counter not numeric"
  CHECK_FALSE(restore_line("-A INPUT -c 1 y")->ok);
  CHECK_FALSE(restore_line("-A INPUT -c 1 2 -c 3 4")->ok);
}

TEST_CASE("command: commands and their arguments", "[command]") {
  auto ins = restore_line("-I INPUT 2 -j ACCEPT");
  REQUIRE(ins->ok);
  CHECK(ins->cmd.command == kCmdInsert);
  CHECK(ins->cmd.rulenum == 2);
  auto ins1 = restore_line("-I INPUT -j ACCEPT");
  REQUIRE(ins1->ok);
  CHECK(ins1->cmd.rulenum == 1);
  CHECK_FALSE(restore_line("-I INPUT 0 -j ACCEPT")->ok);  // "Invalid rule number `0'"
  auto del = restore_line("-D INPUT 3");
  REQUIRE(del->ok);
  CHECK(del->cmd.command == kCmdDeleteNum);
  CHECK(del->cmd.rulenum == 3);
  auto dels = restore_line("-D INPUT -j ACCEPT");
  REQUIRE(dels->ok);
  CHECK(dels->cmd.command == kCmdDelete);
  CHECK_FALSE(restore_line("-R INPUT -j ACCEPT")->ok);  // "-R requires a rule number"
  auto pol = restore_line("-P INPUT DROP");
  REQUIRE(pol->ok);
  CHECK(pol->cmd.command == kCmdSetPolicy);
  CHECK(pol->cmd.policy == "DROP");
  CHECK_FALSE(restore_line("-P INPUT")->ok);            // "-P requires a chain and a policy"
  CHECK_FALSE(restore_line("-E X")->ok);                // "-E requires old-chain-name and new-chain-name"
  auto ren = restore_line("-E X Y");
  REQUIRE(ren->ok);
  CHECK(ren->cmd.newname == "Y");
  CHECK(restore_line("-N FOO")->ok);
  CHECK(restore_line("-X")->ok);
  CHECK(restore_line("-F")->ok);
  CHECK(restore_line("-Z INPUT")->ok);
}

TEST_CASE("command: generic_opt_check (commands_v_options)", "[command]") {
  CHECK_FALSE(restore_line("-F INPUT -s 1.2.3.4")->ok);
  CHECK_FALSE(restore_line("-P INPUT DROP -j X")->ok);
  CHECK_FALSE(restore_line("-X FOO -p tcp")->ok);
  CHECK_FALSE(restore_line("-A INPUT -n")->ok);         // -n only goes with -L
  CHECK_FALSE(restore_line("-A INPUT --line-numbers")->ok);
  CHECK(restore_line("-L INPUT -n")->ok);
  CHECK_FALSE(restore_line("-D INPUT -c 1 2")->ok);      // DELETE refuses -c
}

TEST_CASE("command: chain names (assert_valid_chain_name)", "[command]") {
  CHECK_FALSE(restore_line("-N -FOO")->ok);             // may not start with '-'
  CHECK_FALSE(restore_line("-N !FOO")->ok);             // nor with '!'
  CHECK_FALSE(restore_line("-N ACCEPT")->ok);           // clashes with a target
  CHECK_FALSE(restore_line("-N LOG")->ok);
  CHECK_FALSE(restore_line("-N SYNPROXY")->ok);         // a target iptc does not model still clashes
  CHECK(restore_line("-N abcdefghijabcdefghijabcdefgh")->ok);       // 28 characters
  CHECK_FALSE(restore_line("-N abcdefghijabcdefghijabcdefghi")->ok);  // 29
  // "chain name `...' too long (must be under 29 chars)" for the chain a rule names too.
  CHECK_FALSE(restore_line("-A abcdefghijabcdefghijabcdefghi -j ACCEPT")->ok);
  // xt_parse_target / xtables_find_match: names of 29 characters or more.
  CHECK_FALSE(restore_line("-A INPUT -j abcdefghijabcdefghijabcdefghi")->ok);
  CHECK(restore_line("-A INPUT -j abcdefghijabcdefghijabcdefgh")->ok);  // a (missing) chain
  CHECK_FALSE(restore_line("-A INPUT -m abcdefghijabcdefghijabcdefghi")->ok);
}

TEST_CASE("command: matches and targets iptc does not know", "[command]") {
  auto unknown = restore_line("-A INPUT -m nosuchmatch");
  CHECK_FALSE(unknown->ok);
  CHECK(unknown->error_col() == 13);
  auto foreign = restore_line("-A INPUT -m realm --realm 1");
  CHECK_FALSE(foreign->ok);
  CHECK_THAT(foreign->error(), Catch::Contains("not supported"));
  auto foreign_target = restore_line("-A INPUT -j HMARK");
  CHECK_FALSE(foreign_target->ok);
  CHECK_THAT(foreign_target->error(), Catch::Contains("not supported"));
  // An unknown -j name is a chain, checked when the rule is added.
  auto chain = restore_line("-A INPUT -j NOSUCHCHAIN");
  REQUIRE(chain->ok);
  CHECK(chain->cmd.rules[0].target.type == ir::TargetType::Jump);
}

TEST_CASE("command: the nat table refuses DROP", "[command]") {
  CHECK_FALSE(restore_line("-A PREROUTING -j DROP", "nat")->ok);
  CHECK_FALSE(restore_line("-P PREROUTING DROP", "nat")->ok);
  CHECK(restore_line("-A PREROUTING -j ACCEPT", "nat")->ok);
  CHECK(restore_line("-A INPUT -j DROP", "mangle")->ok);
}

TEST_CASE("command: tcp options through the implicit match", "[command]") {
  // From the kernel recordings of tests/kinds/tcp.cases.
  CHECK(restore_line("-A INPUT -p tcp --dp 22")->ok);                  // abbreviation
  CHECK(restore_line("-A INPUT -p tcp --destination-port=22")->ok);
  CHECK_FALSE(restore_line("-A INPUT -p tcp --tcp-flags SYN")->ok);    // needs two words
  CHECK_FALSE(restore_line("-A INPUT -p tcp --tcp-flags SYN -j ACCEPT")->ok);
  auto flags = restore_line("-A INPUT -p tcp --tcp-flags SYN,ACK SYN -j ACCEPT");
  REQUIRE(flags->ok);
  CHECK(flags->cmd.rules[0].target.type == ir::TargetType::Accept);
}

TEST_CASE("command: diagnostics point at the offending word", "[command]") {
  auto p = restore_line("-A INPUT -s 1.2.3.4/33 -j ACCEPT");
  REQUIRE_FALSE(p->ok);
  CHECK(p->error_col() == 13);
  auto q = restore_line("-A INPUT -p tcp --dport 70000");
  REQUIRE_FALSE(q->ok);
  CHECK(q->error_col() == 25);
  REQUIRE(p->diags.error_count() == 1);  // one error per command
}
