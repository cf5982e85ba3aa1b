// Front-end speed: parse + verify of a large real rule set (the 106k-line ufw block list)
// against iptables-restore --test on the same file, in one run. The peer is timed as a whole
// process (fork, exec, wait) inside a scratch network namespace, which is what a user waits
// for; iptc is timed in-process and also as a whole `iptc check` process for a like-for-like
// figure. Results: benchmarks/RESULTS.md.
#include <sys/wait.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "iptc/frontend/frontend.hpp"
#include "iptc/ir/verify.hpp"

namespace {

const char* kBlocklist = IPTC_CORPUS_DIR "/ufw-user-rules-blocklist-01.rules";

std::string slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void BM_Frontend_UfwBlocklist_ParseVerify(benchmark::State& state) {
  std::string text = slurp(kBlocklist);
  if (text.empty()) {
    state.SkipWithError("corpus file not found");
    return;
  }
  size_t rules = 0;
  for (auto _ : state) {
    iptc::ir::SourceManager sm;
    uint32_t id = sm.add(kBlocklist, text);
    iptc::ir::Diagnostics diags;
    iptc::ir::Ruleset rs;
    bool ok = iptc::frontend::load(sm, id, {}, rs, diags);
    if (!ok) {
      state.SkipWithError("iptc rejected the file");
      return;
    }
    rules = 0;
    for (const auto& t : rs.tables)
      if (t)
        for (const auto& c : t->chains()) rules += c.rules.size();
    benchmark::DoNotOptimize(rs);
  }
  state.counters["rules"] = static_cast<double>(rules);
  state.counters["lines"] = 106549;
}
BENCHMARK(BM_Frontend_UfwBlocklist_ParseVerify)->Unit(benchmark::kMillisecond);

/// Runs a shell command; returns its exit status.
int run(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

void time_command(benchmark::State& state, const std::string& cmd, bool needs_ns) {
  if (needs_ns && (geteuid() != 0 || run("command -v iptables-restore >/dev/null 2>&1") != 0)) {
    state.SkipWithError("needs root and iptables-restore");
    return;
  }
  std::string ns = "iptc-bench-" + std::to_string(getpid());
  if (needs_ns && run("ip netns add " + ns) != 0) {
    state.SkipWithError("cannot create a network namespace");
    return;
  }
  std::string full = needs_ns ? "ip netns exec " + ns + " " + cmd : cmd;
  for (auto _ : state) {
    if (run(full + " >/dev/null 2>&1") != 0) {
      state.SkipWithError(("command failed: " + full).c_str());
      break;
    }
  }
  if (needs_ns) run("ip netns del " + ns);
}

void BM_Peer_UfwBlocklist_IptablesRestoreTest(benchmark::State& state) {
  time_command(state, std::string("iptables-restore --test ") + kBlocklist, true);
}
BENCHMARK(BM_Peer_UfwBlocklist_IptablesRestoreTest)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Peer_UfwBlocklist_IptablesRestoreLoad(benchmark::State& state) {
  time_command(state, std::string("iptables-restore ") + kBlocklist, true);
}
BENCHMARK(BM_Peer_UfwBlocklist_IptablesRestoreLoad)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Cli_UfwBlocklist_IptcCheck(benchmark::State& state) {
  time_command(state, std::string(IPTC_BINARY " check -q ") + kBlocklist, false);
}
BENCHMARK(BM_Cli_UfwBlocklist_IptcCheck)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
