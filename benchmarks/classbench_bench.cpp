// ClassBench: iptc's engines against DPDK's rte_acl on the same filter sets and traces, in one
// run on one core (the backend issue's peer benchmark; figures in benchmarks/RESULTS.md, the
// whole run with its table: benchmarks/run).
//
// For every set (benchmarks/data/classbench): the filters become an iptables-save file
// (classbench.hpp), iptc parses and verifies it, and each engine (classifier.hpp) is built
// from the same filters and fed the same headers. Before anything is timed, every engine's
// deciding rule is compared with the linear first-match scan for every header, and the
// program exits non-zero on any disagreement. Then, per set:
//   BM_Classify_<set>_<Engine>  all prepared headers per iteration (counter `packets`;
//                               items_per_second is packets per second)
//   BM_Build_<set>_<Stage>      IptcParse, IptcVerify (iptc's stages so far), RteAcl
//                               (rte_acl_create + add_rules + build), Jit (when it exists)
// Engines: Linear (the scan), Interp (the reference interpreter walking filter/FORWARD on
// pre-built packets, interp::ChainRunner), RteAcl, Jit (the slot in classbench/jit_peer.cpp,
// left out until the backend fills it). The interpreter is slow at 100K rules, so on sets
// above --interp-full-max rules it runs (and is checked on) an evenly spaced sample of
// --interp-sample headers; the other engines always run the whole trace.
//
// Own flags (before Google Benchmark's): --data=DIR, --sets=a,b,c (default: the 1K and 10K
// sets), --interp-sample=N (5000), --interp-full-max=N (20000), --check-only.
// The process pins itself to one CPU (the one it runs on) unless already pinned.
#include <sched.h>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "classifier.hpp"
#include "iptc/frontend/frontend.hpp"
#include "iptc/ir/verify.hpp"
#include "workload.hpp"

using namespace iptc;
using namespace iptc::bench;

namespace {

struct Options {
  std::string data = IPTC_CLASSBENCH_DIR;
  std::vector<std::string> sets = {"acl1_1000", "fw1_1000", "ipc1_1000",
                                   "acl1_10000", "fw1_10000", "ipc1_10000"};
  size_t interp_sample = 5000;
  size_t interp_full_max = 20000;
  bool check_only = false;
};

/// Everything one set's benchmarks use; lives until the end of main.
struct SetState {
  std::unique_ptr<Workload> w;
  std::vector<Header> interp_headers;  ///< the whole trace or the sample
  std::unique_ptr<Classifier> linear, interp, acl, jit;
  std::string why_acl, why_jit;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t b = 0;
  while (b <= s.size()) {
    size_t e = s.find(',', b);
    if (e == std::string::npos) e = s.size();
    if (e > b) out.push_back(s.substr(b, e - b));
    b = e + 1;
  }
  return out;
}

/// Removes our flags from argv, leaving Google Benchmark's.
Options parse_own_flags(int& argc, char** argv) {
  Options o;
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* flag) -> const char* {
      size_t n = std::strlen(flag);
      return a.compare(0, n, flag) == 0 ? argv[i] + n : nullptr;
    };
    if (const char* v = value("--data=")) o.data = v;
    else if (const char* v = value("--sets=")) o.sets = split(v);
    else if (const char* v = value("--interp-sample=")) o.interp_sample = std::stoul(v);
    else if (const char* v = value("--interp-full-max=")) o.interp_full_max = std::stoul(v);
    else if (a == "--check-only") o.check_only = true;
    else argv[out++] = argv[i];
  }
  argc = out;
  return o;
}

void pin_to_one_cpu() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) == 1) return;
  int cpu = sched_getcpu();
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) == 0)
    fmt::print(stderr, "classbench: pinned to CPU {}\n", cpu);
}

void classify_bench(benchmark::State& state, Classifier* c, std::span<const Header> headers) {
  c->prepare(headers);
  std::vector<uint32_t> out(headers.size());
  for (auto _ : state) {
    c->classify(out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * headers.size()));
  state.counters["packets"] = static_cast<double>(headers.size());
}

void register_set(SetState& s) {
  const std::string& n = s.w->name;
  auto classify = [&](const char* engine, Classifier* c, std::span<const Header> h) {
    benchmark::RegisterBenchmark(fmt::format("BM_Classify_{}_{}", n, engine).c_str(),
                                 [c, h](benchmark::State& st) { classify_bench(st, c, h); })
        ->Unit(benchmark::kMicrosecond);
  };
  classify("Linear", s.linear.get(), s.w->headers);
  classify("Interp", s.interp.get(), s.interp_headers);
  if (s.acl) classify("RteAcl", s.acl.get(), s.w->headers);
  if (s.jit) classify("Jit", s.jit.get(), s.w->headers);

  Workload* w = s.w.get();
  double rules = static_cast<double>(w->filters.size());
  benchmark::RegisterBenchmark(fmt::format("BM_Build_{}_IptcParse", n).c_str(),
                               [w, rules](benchmark::State& st) {
                                 for (auto _ : st) {
                                   ir::SourceManager sm;
                                   uint32_t id = sm.add(w->name, w->rules_text);
                                   ir::Ruleset rs;
                                   ir::Diagnostics d;
                                   frontend::ParseOptions o;
                                   o.syntax = frontend::InputSyntax::Save;
                                   if (!frontend::parse(sm, id, o, rs, d)) st.SkipWithError("parse failed");
                                   benchmark::DoNotOptimize(rs);
                                 }
                                 st.counters["rules"] = rules;
                               })
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(fmt::format("BM_Build_{}_IptcVerify", n).c_str(),
                               [w, rules](benchmark::State& st) {
                                 for (auto _ : st) {
                                   ir::Diagnostics d;
                                   if (!ir::verify(w->rules, d)) st.SkipWithError("verify failed");
                                 }
                                 st.counters["rules"] = rules;
                               })
      ->Unit(benchmark::kMillisecond);
  if (s.acl) {
    benchmark::RegisterBenchmark(fmt::format("BM_Build_{}_RteAcl", n).c_str(),
                                 [w, rules](benchmark::State& st) {
                                   size_t mem = 0;
                                   for (auto _ : st) {
                                     std::string why;
                                     auto c = make_acl_classifier(w->filters, &why);
                                     if (!c) st.SkipWithError(why.c_str());
                                     mem = acl_last_memory();
                                     st.PauseTiming();  // rte_acl_free is not the build
                                     c.reset();
                                     st.ResumeTiming();
                                   }
                                   st.counters["rules"] = rules;
                                   st.counters["bytes"] = static_cast<double>(mem);
                                 })
        ->Unit(benchmark::kMillisecond);
  }
  if (s.jit) {
    benchmark::RegisterBenchmark(fmt::format("BM_Build_{}_Jit", n).c_str(),
                                 [w, rules](benchmark::State& st) {
                                   for (auto _ : st) {
                                     std::string why;
                                     auto c = make_jit_classifier(w->rules, &why);
                                     if (!c) st.SkipWithError(why.c_str());
                                   }
                                   st.counters["rules"] = rules;
                                 })
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = parse_own_flags(argc, argv);
  pin_to_one_cpu();
  std::vector<std::unique_ptr<SetState>> sets;
  bool all_agree = true;
  for (const std::string& name : opt.sets) {
    auto s = std::make_unique<SetState>();
    std::string error;
    s->w = load_workload(opt.data, name, error);
    if (!s->w) {
      fmt::print(stderr, "classbench: {}\n", error);
      return 1;
    }
    const Workload& w = *s->w;
    s->linear = make_linear_classifier(w.filters);
    s->interp = make_interp_classifier(w.rules);
    s->acl = make_acl_classifier(w.filters, &s->why_acl);
    s->jit = make_jit_classifier(w.rules, &s->why_jit);
    bool sampled = w.filters.size() > opt.interp_full_max;
    s->interp_headers = sampled ? sample(w.headers, opt.interp_sample) : w.headers;

    // The agreement check: every engine on the whole trace against the linear scan (the
    // interpreter on its headers).
    std::vector<Classifier*> full = {s->linear.get()};
    if (s->acl) full.push_back(s->acl.get());
    if (s->jit) full.push_back(s->jit.get());
    if (!sampled) full.push_back(s->interp.get());
    std::string report;
    bool ok = agree(full, w.headers, report);
    if (sampled) {
      std::vector<Classifier*> part = {s->linear.get(), s->interp.get()};
      ok = agree(part, s->interp_headers, report) && ok;
    }
    std::string names;
    for (Classifier* c : full) names += (names.empty() ? "" : ", ") + c->name();
    if (sampled) names += fmt::format("; interp on a sample of {} headers", s->interp_headers.size());
    fmt::print(stderr, "classbench: {} ({} rules, {} headers): {} ({})\n", name, w.filters.size(),
               w.headers.size(), ok ? "all engines agree" : "ENGINES DISAGREE", names);
    if (!ok) fmt::print(stderr, "{}", report);
    if (!s->acl) fmt::print(stderr, "classbench: rte_acl left out: {}\n", s->why_acl);
    if (!s->jit) fmt::print(stderr, "classbench: jit left out: {}\n", s->why_jit);
    all_agree = all_agree && ok;
    sets.push_back(std::move(s));
  }
  if (!all_agree) {
    fmt::print(stderr, "classbench: the engines disagree; nothing timed\n");
    return 1;
  }
  if (opt.check_only) return 0;
  for (auto& s : sets) register_set(*s);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
