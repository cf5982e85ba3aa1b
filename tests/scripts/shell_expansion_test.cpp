// The shell subset against bash itself: for each script, bash runs it with `iptables` defined
// as a function that prints its arguments, and iptc's evaluator must produce exactly the same
// argument lists for the same commands in the same order (variables, quoting, field
// splitting, ${X:-default} and friends, for loops, functions and their positional parameters,
// case, if on static tests, && and ||, here documents untouched). bash is the oracle here.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <array>
#include <filesystem>
#include <sstream>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "iptc/frontend/frontend.hpp"
#include "iptc/ir/printer.hpp"

namespace {

using Argvs = std::vector<std::vector<std::string>>;

Argvs bash_argvs(const std::string& script) {
  std::string path = fmt::format("/tmp/iptc-shell-{}.sh", getpid());
  {
    std::ofstream f(path);
    // Each argument ends with \x1f, each command with \x1e.
    f << "iptables() { for a in \"$@\"; do printf '%s\\037' \"$a\" >&3; done; printf '\\036' >&3; }\n";
    f << "alias sudo=''\n";
    f << script;
  }
  FILE* p = popen(fmt::format("bash {} 3>&1 >/dev/null 2>/dev/null", path).c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  std::remove(path.c_str());
  Argvs result;
  std::vector<std::string> cur;
  std::string word;
  for (char c : out) {
    if (c == '\x1f') {
      cur.push_back(word);
      word.clear();
    } else if (c == '\x1e') {
      result.push_back(cur);
      cur.clear();
    } else {
      word += c;
    }
  }
  return result;
}

Argvs iptc_argvs(const std::string& script) {
  iptc::ir::SourceManager sm;
  uint32_t id = sm.add("t.sh", script);
  iptc::ir::Diagnostics diags;
  iptc::ir::Ruleset rs;
  iptc::frontend::ParseOptions po;
  po.syntax = iptc::frontend::InputSyntax::Script;
  iptc::frontend::ParseReport report;
  iptc::frontend::parse(sm, id, po, rs, diags, &report);
  Argvs out;
  for (auto argv : report.script.commands) {
    argv.erase(argv.begin());
    out.push_back(argv);
  }
  return out;
}

void same_as_bash(const std::string& script) {
  INFO(script);
  CHECK(iptc_argvs(script) == bash_argvs(script));
}

}  // namespace

TEST_CASE("variables, quoting and field splitting expand as in bash", "[unit]") {
  same_as_bash("IPT=iptables\n$IPT -A INPUT -s 10.0.0.1 -j ACCEPT\n");
  same_as_bash("WAN=eth0\niptables -A INPUT -i ${WAN} -j DROP\niptables -A INPUT -i \"$WAN\" -j DROP\n");
  same_as_bash("PORTS=\"22 80  443\"\nfor p in $PORTS; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done\n");
  same_as_bash("for p in \"$PORTS\"; do iptables -A INPUT -m comment --comment \"[$p]\"; done\n");
  same_as_bash("iptables -A INPUT -j LOG --log-prefix 'it'\\''s: ' \n");
  same_as_bash("iptables -A INPUT -j LOG --log-prefix \"a \\\"b\\\" \\$c\"\n");
  same_as_bash("X=\niptables -A INPUT ${X:-\"-s 1.2.3.4\"} -j ACCEPT\niptables -A INPUT ${X-def} -j ACCEPT\n");
  same_as_bash("X=set\niptables -A INPUT ${X:+-s 9.9.9.9} ${Y:+-d 1.1.1.1} -j ACCEPT\n");
  same_as_bash("F=/usr/local/etc/rules.conf\niptables -A INPUT -m comment --comment ${F##*/} -m comment --comment ${F%.*} -m comment --comment ${#F}\n");
  same_as_bash("iptables -A INPUT -s 10.0.0.0/8 \\\n  -p tcp \\\n  --dport 22 -j ACCEPT\n");
  same_as_bash("A=1; B=2; iptables -A INPUT -m comment --comment $A$B\"$A\"'$B'\n");
  same_as_bash("E=''\niptables -A INPUT $E -j ACCEPT\niptables -A INPUT \"$E\" -j ACCEPT\n");
  same_as_bash("export NET=10.1.0.0/16\niptables -A FORWARD -s $NET -j ACCEPT\n");
  same_as_bash(": ${DEF:=192.168.0.0/24}\niptables -A INPUT -s $DEF -j ACCEPT\n");
}

TEST_CASE("functions, loops, case and static tests evaluate as in bash", "[unit]") {
  same_as_bash("allow() { iptables -A INPUT -p \"$1\" --dport \"$2\" -j ACCEPT; }\nallow tcp 22\nallow udp 53\n");
  same_as_bash("function block { for ip in \"$@\"; do iptables -A INPUT -s $ip -j DROP; done; }\nblock 1.1.1.1 2.2.2.2\n");
  same_as_bash("f() { iptables -A INPUT -m comment --comment \"$#:$*\"; shift; iptables -A INPUT -m comment --comment \"$#:$1\"; }\nf a b c\n");
  same_as_bash("MODE=strict\ncase \"$MODE\" in\n  loose) iptables -P INPUT ACCEPT ;;\n  strict|paranoid) iptables -P INPUT DROP ;;\n  *) iptables -P INPUT ACCEPT ;;\nesac\n");
  same_as_bash("X=yes\nif [ \"$X\" = yes ]; then iptables -A INPUT -j ACCEPT; else iptables -A INPUT -j DROP; fi\n");
  same_as_bash("N=3\nif [ $N -gt 2 ] && [ -n \"$N\" ]; then iptables -A INPUT -j ACCEPT; fi\nif [ -z \"$N\" ] || [ $N -lt 1 ]; then iptables -A INPUT -j DROP; fi\n");
  same_as_bash("for t in filter nat; do for c in A B; do iptables -t $t -N $c; done; done\n");
  same_as_bash("true && iptables -A INPUT -j ACCEPT\nfalse || iptables -A INPUT -j DROP\nfalse && iptables -A INPUT -j REJECT\n");
  same_as_bash("x() { return 1; }\nx || iptables -A INPUT -m comment --comment returned\n");
  same_as_bash("i=0\nwhile [ $i != 3 ]; do iptables -A INPUT -m comment --comment $i; i=${i}x; [ $i = 0xxx ] && i=3; done\n");
  same_as_bash("set -- a b\niptables -A INPUT -m comment --comment \"$1-$2\"\n");
  same_as_bash("echo hello\nmodprobe nf_conntrack\niptables -A INPUT -j ACCEPT; iptables -A INPUT -j DROP\n");
  same_as_bash("( X=inner; iptables -A INPUT -m comment --comment $X )\niptables -A INPUT -m comment --comment \"${X:-outer}\"\n");
  same_as_bash("{ iptables -A INPUT -j ACCEPT; iptables -A INPUT -j DROP; }\n");
  same_as_bash("iptables -A INPUT -j ACCEPT # comment\n# iptables -A INPUT -j DROP\n");
  same_as_bash("set -e\niptables -A INPUT -j ACCEPT\nfalse\niptables -A INPUT -j DROP\n");
  same_as_bash("exit 0\niptables -A INPUT -j DROP\n");
  same_as_bash("for i in {1..3} {7..5} x{a,b}y; do iptables -A INPUT -m comment --comment $i; done\n");
  same_as_bash("iptables -A INPUT -p tcp -m multiport --dports {22,80,443}\n");
}

// The corpus scripts that have a kernel re-dump: per the corpus README, NAME.sh.canonical is
// iptables-save after replaying only the script's literal `iptables ...` lines (no shell
// variables). iptc reading those same lines must print it byte for byte. (Reading the whole
// script can legitimately add rules from lines with variables, which the recording skipped.)
TEST_CASE("corpus scripts: the literal iptables lines give the kernel's canonical dump", "[golden]") {
  namespace fs = std::filesystem;
  fs::path dir = IPTC_CORPUS_DIR;
  if (!fs::exists(dir)) {
    WARN("corpus not found: " << dir);
    return;
  }
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(".sh.canonical")) continue;
    fs::path script = dir / name.substr(0, name.size() - std::string(".canonical").size());
    std::ifstream in(script);
    std::string line, literal;
    while (std::getline(in, line)) {
      size_t s = line.find_first_not_of(" \t");
      if (s == std::string::npos || line.compare(s, 9, "iptables ") != 0) continue;
      if (line.find('$') != std::string::npos) continue;
      literal += line + "\n";
    }
    iptc::ir::SourceManager sm;
    uint32_t id = sm.add(script.string(), literal);
    iptc::ir::Diagnostics diags;
    iptc::ir::Ruleset rs;
    iptc::frontend::ParseOptions po;
    po.syntax = iptc::frontend::InputSyntax::Script;
    iptc::frontend::load(sm, id, po, rs, diags);
    std::ifstream c(entry.path());
    std::stringstream want;
    want << c.rdbuf();
    INFO(script.string());
    CHECK(iptc::ir::print_save(rs) == want.str());
    ++checked;
  }
  CHECK(checked >= 2);
}
