// Kernel agreement for command scripts: random sequences of iptables commands (every command
// of the scripts issue, short and long spellings, insert positions, deletes by spec and by
// number, renames, flushes, policies, checks with the `-C ... || -A ...` idiom, listings,
// -w) run with the real iptables in a network namespace this test creates, one command at a
// time as a shell would, and as a script through `iptc fmt`. The final iptables-save must be
// byte-identical and the first failing command must be the same. Seed: IPTC_SCRIPT_SEED
// (default 1); sequences: IPTC_SCRIPT_SEQUENCES (default 320).
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Run {
  int status = -1;
  std::string out, err;
};

Run run(const std::string& cmd) {
  std::string errfile = fmt::format("/tmp/iptc-script-test-{}.err", getpid());
  Run r;
  FILE* p = popen((cmd + " 2>" + errfile).c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
  std::ifstream in(errfile);
  std::stringstream ss;
  ss << in.rdbuf();
  r.err = ss.str();
  std::remove(errfile.c_str());
  return r;
}

std::string strip_comments(const std::string& save) {
  std::string out;
  std::istringstream in(save);
  std::string line;
  while (std::getline(in, line))
    if (!line.starts_with("#")) out += line + "\n";
  return out;
}

/// Generates random command lines. Each line is either one iptables command or the
/// `iptables -C ... || iptables -A ...` idiom.
class Generator {
 public:
  explicit Generator(uint64_t seed) : rng_(seed) {}

  std::vector<std::string> sequence() {
    std::vector<std::string> lines;
    int n = pick(4, 22);
    for (int i = 0; i < n; ++i) lines.push_back(line());
    return lines;
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  template <typename T>
  const T& one(const std::vector<T>& v) { return v[static_cast<size_t>(pick(0, static_cast<int>(v.size()) - 1))]; }
  bool chance(int percent) { return pick(1, 100) <= percent; }

  std::string table() {
    int t = pick(1, 10);
    if (t <= 6) return "";
    if (t <= 8) return "-t nat ";
    if (t == 9) return "-t mangle ";
    return "--table raw ";
  }
  std::vector<std::string> builtins(const std::string& t) {
    if (t.find("nat") != std::string::npos) return {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"};
    if (t.find("mangle") != std::string::npos) return {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};
    if (t.find("raw") != std::string::npos) return {"PREROUTING", "OUTPUT"};
    return {"INPUT", "FORWARD", "OUTPUT"};
  }
  std::string chain(const std::string& t) {
    static const std::vector<std::string> users = {"web", "ssh", "LOGDROP", "a-b_c"};
    if (chance(45)) return one(users);
    return one(builtins(t));
  }
  std::string spec(const std::string& t, bool allow_jump = true) {
    static const std::vector<std::string> crit = {
        "-s 10.0.0.1", "-d 192.168.1.0/24", "! -s 172.16.0.0/12", "-p tcp --dport 22",
        "-p udp --sport 53", "-p tcp -m tcp --dport 80:90", "--protocol tcp --destination-port 443",
        "-i eth0", "-o eth1", "! -i lo", "-s 10.1.2.3/8", "-p icmp", "-p tcp ! --syn",
        "-m length --length 100:200", "-m pkttype --pkt-type broadcast", "",
        "-s 1.1.1.1,2.2.2.2", "-f", "--src 9.9.9.9 --dst 8.8.8.8",
    };
    std::string s = one(crit);
    if (chance(15)) s += (s.empty() ? "" : " ") + one(crit);
    int j = pick(1, 10);
    std::string target;
    if (j <= 3) target = "-j ACCEPT";
    else if (j <= 5) target = t.find("nat") != std::string::npos ? "-j RETURN" : "-j DROP";
    else if (j == 6) target = "-j RETURN";
    else if (j <= 8 && allow_jump) target = fmt::format("-j {}", one(std::vector<std::string>{"web", "ssh", "LOGDROP"}));
    else if (j == 9 && allow_jump) target = "-g web";
    if (!target.empty()) s += (s.empty() ? "" : " ") + (chance(20) ? std::string("--jump ") + target.substr(3) : target);
    return s;
  }

  std::string line() {
    std::string ipt = chance(10) ? "iptables -w " : (chance(5) ? "/usr/sbin/iptables " : "iptables ");
    std::string t = table();
    std::string c = chain(t);
    switch (pick(1, 22)) {
      case 1: case 2: case 3: case 4:
        return fmt::format("{}{}{} {} {}", ipt, t, chance(20) ? "--append" : "-A", c, spec(t));
      case 5: case 6:
        return fmt::format("{}{}-I {}{} {}", ipt, t, c, chance(60) ? fmt::format(" {}", pick(1, 4)) : "", spec(t));
      case 7: case 8:
        return fmt::format("{}{}{} {} {}", ipt, t, chance(30) ? "--delete" : "-D", c, spec(t));
      case 9:
        return fmt::format("{}{}-D {} {}", ipt, t, c, pick(1, 4));
      case 10:
        return fmt::format("{}{}-R {} {} {}", ipt, t, c, pick(1, 3), spec(t));
      case 11:
        return fmt::format("{}{}-P {} {}", ipt, t, one(builtins(t)), chance(70) ? "DROP" : "ACCEPT");
      case 12: case 13:
        return fmt::format("{}{}{} {}", ipt, t, chance(30) ? "--new-chain" : "-N", c);
      case 14:
        return fmt::format("{}{}-X{}", ipt, t, chance(70) ? " " + c : "");
      case 15:
        return fmt::format("{}{}-F{}", ipt, t, chance(60) ? " " + c : "");
      case 16: {
        // Renaming a built-in chain is left out: iptables-nft accepts it and leaves a base
        // chain iptables-save cannot list; iptc refuses it on purpose (rule_builder.cpp).
        static const std::vector<std::string> users = {"web", "ssh", "LOGDROP", "a-b_c", "nosuch"};
        return fmt::format("{}{}-E {} {}", ipt, t, one(users), one(std::vector<std::string>{"web", "ssh", "renamed", "INPUT"}));
      }
      case 17:
        return fmt::format("{}{}-Z{}", ipt, t, chance(50) ? " " + c : "");
      case 18: case 19: {
        std::string s = spec(t);
        return fmt::format("{}{}-C {} {} || {}{}-A {} {}", ipt, t, c, s, ipt, t, c, s);
      }
      case 20:
        return fmt::format("{}{}{}{}", ipt, t, one(std::vector<std::string>{"-L", "-L -n", "-n -v -L", "-L --line-numbers", "-S", "--list-rules"}),
                           chance(50) ? " " + c : "");
      case 21:
        return fmt::format("{}{}-C {} {}", ipt, t, c, spec(t));
      default:
        return fmt::format("{}{}-A {} {}", ipt, t, c, spec(t, false));
    }
  }

  std::mt19937_64 rng_;
};

/// Runs one script line against the kernel, the way sh would. Returns the exit status.
int kernel_line(const std::string& ns, const std::string& line) {
  auto exec = [&](const std::string& cmd) {
    return run(fmt::format("ip netns exec {} {} >/dev/null", ns, cmd)).status;
  };
  size_t bar = line.find(" || ");
  if (bar == std::string::npos) return exec(line);
  int st = exec(line.substr(0, bar));
  return st == 0 ? 0 : exec(line.substr(bar + 4));
}

bool is_check_only(const std::string& line) {
  return line.find(" -C ") != std::string::npos && line.find(" || ") == std::string::npos;
}

}  // namespace

TEST_CASE("command scripts agree with the kernel", "[kernel]") {
  if (geteuid() != 0 || run("command -v iptables").status != 0) {
    WARN("skipped: needs root and iptables");
    return;
  }
  uint64_t seed = std::getenv("IPTC_SCRIPT_SEED") ? std::strtoull(std::getenv("IPTC_SCRIPT_SEED"), nullptr, 10) : 1;
  int count = std::getenv("IPTC_SCRIPT_SEQUENCES") ? std::atoi(std::getenv("IPTC_SCRIPT_SEQUENCES")) : 320;
  INFO("seed " << seed);
  Generator gen(seed);
  std::string ns = fmt::format("iptc-script-{}", getpid());
  std::string script = fmt::format("/tmp/iptc-script-{}.sh", getpid());
  int agree = 0, with_failures = 0;
  std::vector<std::string> report;
  for (int k = 0; k < count; ++k) {
    auto lines = gen.sequence();
    REQUIRE(run("ip netns add " + ns).status == 0);
    std::optional<size_t> kernel_first;
    for (size_t i = 0; i < lines.size(); ++i) {
      int st = kernel_line(ns, lines[i]);
      if (st != 0 && !is_check_only(lines[i]) && !kernel_first) kernel_first = i + 1;
    }
    std::string kernel = strip_comments(run(fmt::format("ip netns exec {} iptables-save", ns)).out);
    run("ip netns del " + ns);

    {
      std::ofstream f(script);
      for (const auto& l : lines) f << l << "\n";
    }
    Run iptc = run(fmt::format("{} fmt --input script {}", IPTC_BINARY, script));
    REQUIRE(iptc.status < 128);  // no crash
    std::optional<size_t> iptc_first;
    {
      std::istringstream err(iptc.err);
      std::string l;
      std::string prefix = script + ":";
      while (std::getline(err, l)) {
        if (!l.starts_with(prefix)) continue;
        size_t a1 = prefix.size(), a2 = l.find(':', a1), a3 = l.find(':', a2 + 1);
        if (a2 == std::string::npos || a3 == std::string::npos) continue;
        if (l.compare(a3, 8, ": error:") != 0) continue;
        size_t n = std::stoul(l.substr(a1, a2 - a1));
        if (n >= 1 && n <= lines.size() && is_check_only(lines[n - 1])) continue;  // as for the kernel
        if (!iptc_first || n < *iptc_first) iptc_first = n;
      }
    }
    if (kernel_first) ++with_failures;
    bool same = iptc.out == kernel && iptc_first == kernel_first;
    if (same) {
      ++agree;
    } else {
      std::string text;
      for (size_t i = 0; i < lines.size(); ++i) text += fmt::format("{:3} {}\n", i + 1, lines[i]);
      std::string ka = script + ".kernel", ia = script + ".iptc";
      std::ofstream(ka) << kernel;
      std::ofstream(ia) << iptc.out;
      std::string diff = run(fmt::format("diff {} {} | grep '^[<>]'", ka, ia)).out;
      std::remove(ka.c_str());
      std::remove(ia.c_str());
      report.push_back(fmt::format(
          "sequence {} (seed {}):\n{}kernel first failure: {}, iptc: {}\n--- diff (< kernel, > iptc)\n{}",
          k, seed, text, kernel_first ? std::to_string(*kernel_first) : "none",
          iptc_first ? std::to_string(*iptc_first) : "none", diff));
    }
  }
  std::remove(script.c_str());
  for (size_t i = 0; i < std::min<size_t>(report.size(), 5); ++i) UNSCOPED_INFO(report[i]);
  INFO(fmt::format("{}/{} sequences agree ({} with a failing command)", agree, count, with_failures));
  CHECK(agree == count);
}
