// Replays the fuzz target (fuzz_save_reader.cpp) without libFuzzer, so that every compiler and
// every CI run exercises it: each seed file, each tests/kinds case turned into a rule set, and a
// fixed number of random mutations of them (byte flips, deletions, insertions of iptables tokens
// and of every option name in the kind table, line duplication and truncation). A crash, a hang
// (SIGALRM after 10 s on one input) or a broken invariant prints the input that caused it.
//
//   iptc_fuzz_replay SEED_DIR [KINDS_DIR]     (IPTC_FUZZ_SEED, IPTC_FUZZ_MUTATIONS to vary)
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "iptc/ir/kinds.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// The input being run, for the signal handler (written with write(2) only).
const std::string* g_current = nullptr;
const char* g_origin = "";

void write_str(const char* s) { (void)!::write(2, s, std::strlen(s)); }

void on_fatal(int sig) {
  write_str(sig == SIGALRM ? "\nfuzz replay: HANG (over 10 s) on an input derived from "
                           : "\nfuzz replay: CRASH on an input derived from ");
  write_str(g_origin);
  write_str("\n----- input (between the markers) -----\n");
  if (g_current) (void)!::write(2, g_current->data(), g_current->size());
  write_str("\n----- end of input -----\n");
  ::signal(sig, SIG_DFL);
  if (sig == SIGALRM) ::_exit(1);
  ::raise(sig);
}

/// splitmix64: a small, portable generator, so a seed means the same inputs everywhere.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n ? static_cast<size_t>(next() % n) : 0; }
};

std::vector<std::string> tokens() {
  std::vector<std::string> t = {
      "-A", "INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING", "-j", "-g", "ACCEPT", "DROP",
      "RETURN", "-m", "-p", "tcp", "udp", "icmp", "all", "-s", "-d", "-i", "-o", "!", "! ", "-f",
      "\"", "\\", "\\\"", "*filter\n", "*nat\n", "*mangle\n", "*raw\n", "COMMIT\n", "COMMIT", ":",
      ":X - [0:0]\n", "[1:2] ", "[", "]", "\n", "\r\n", " ", "\t", "--", "-", "1.2.3.4/33", "0/0",
      "10.0.0.0/8", "65536", "0x", "1:", ":", ",", "-N", "-X", "-E", "-P", "-D", "-I", "-R", "-F",
      "-c", "--set-counters", "#", "\xEF\xBB\xBF", std::string(1, '\0'), "999999999999999999999",
  };
  // Every match and target name and every option the kind table knows (more as kinds land).
  for (size_t i = 0; i < iptc::ir::kMatchKindCount; ++i) {
    const auto& d = iptc::ir::match_def(static_cast<iptc::ir::MatchKind>(i));
    t.emplace_back(d.name);
    for (const auto& o : d.options) t.push_back("--" + std::string(o.name));
  }
  for (size_t i = 0; i < iptc::ir::kTargetKindCount; ++i) {
    const auto& d = iptc::ir::target_def(static_cast<iptc::ir::TargetKind>(i));
    t.emplace_back(d.name);
    for (const auto& o : d.options) t.push_back("--" + std::string(o.name));
  }
  return t;
}

std::string mutate(std::string s, Rng& rng, const std::vector<std::string>& toks) {
  int n = 1 + static_cast<int>(rng.below(4));
  for (int i = 0; i < n; ++i) {
    size_t at = rng.below(s.size() + 1);
    switch (rng.below(7)) {
      case 0:  // flip a byte
        if (!s.empty()) s[rng.below(s.size())] = static_cast<char>(rng.below(256));
        break;
      case 1:  // delete a span
        if (!s.empty()) s.erase(at, 1 + rng.below(8));
        break;
      case 2:  // insert a token
      case 3:
        s.insert(at, toks[rng.below(toks.size())]);
        break;
      case 4: {  // duplicate a line
        size_t b = s.rfind('\n', at ? at - 1 : 0);
        b = b == std::string::npos ? 0 : b + 1;
        size_t e = s.find('\n', at);
        e = e == std::string::npos ? s.size() : e + 1;
        s.insert(e, s.substr(b, e - b));
        break;
      }
      case 5:  // truncate
        s.resize(at);
        break;
      default:  // insert a random byte
        s.insert(at, 1, static_cast<char>(rng.below(256)));
        break;
    }
  }
  return s;
}

bool read_all(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::vector<std::string> files_in(const std::string& dir, const char* suffix) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > std::strlen(suffix) && n.ends_with(suffix)) out.push_back(dir + "/" + n);
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// Each rule of a tests/kinds .cases file as a small rule set.
std::vector<std::string> seeds_from_cases(const std::string& text) {
  std::vector<std::string> out;
  std::string table = "filter", chain = "INPUT";
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    if (line.starts_with("@table ")) table = line.substr(7);
    else if (line.starts_with("@chain ")) chain = line.substr(7);
    else if (line[0] != '@') out.push_back("*" + table + "\n:X - [0:0]\n-A " + chain + " " + line + "\nCOMMIT\n");
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s SEED_DIR [KINDS_DIR]\n", argv[0]);
    return 2;
  }
  for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGALRM}) ::signal(sig, on_fatal);
  uint64_t seed = 1;
  if (const char* e = std::getenv("IPTC_FUZZ_SEED")) seed = std::strtoull(e, nullptr, 0);
  size_t mutations = 100;
  if (const char* e = std::getenv("IPTC_FUZZ_MUTATIONS")) mutations = std::strtoull(e, nullptr, 0);

  std::vector<std::pair<std::string, std::string>> seeds;  // (origin, text)
  for (const auto& path : files_in(argv[1], ".rules")) {
    std::string text;
    if (read_all(path, text)) seeds.emplace_back(path, text);
  }
  if (argc > 2)
    for (const auto& path : files_in(argv[2], ".cases")) {
      std::string text;
      if (!read_all(path, text)) continue;
      for (auto& s : seeds_from_cases(text)) seeds.emplace_back(path, std::move(s));
    }
  if (seeds.empty()) {
    std::fprintf(stderr, "fuzz replay: no seeds in %s\n", argv[1]);
    return 1;
  }
  std::printf("fuzz replay: %zu seeds, %zu mutations each, IPTC_FUZZ_SEED=%llu\n", seeds.size(),
              mutations, static_cast<unsigned long long>(seed));
  auto toks = tokens();
  Rng rng{seed};
  size_t runs = 0;
  for (const auto& [origin, text] : seeds) {
    g_origin = origin.c_str();
    std::string input = text;
    for (size_t m = 0; m <= mutations; ++m) {
      if (m) input = mutate(rng.below(3) == 0 ? input : text, rng, toks);  // sometimes stack
      g_current = &input;
      ::alarm(10);
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
      ::alarm(0);
      ++runs;
    }
  }
  std::printf("fuzz replay: %zu inputs, no crash, no hang, every diagnostic inside its input\n", runs);
  return 0;
}
