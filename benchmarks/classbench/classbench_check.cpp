// The ClassBench correctness check (CTest unit.classbench_agreement; not a timing): for each
// named set, the converted iptables-save file loads in iptc (parse and verify, one FORWARD
// rule per filter) and is already canonical (iptc prints it back unchanged), and on the whole trace the linear first-match scan over the ClassBench
// filters, iptc's reference interpreter, rte_acl (when the benchmarks were built with DPDK)
// and the JIT (once the backend fills its slot) all pick the same deciding rule for every
// header.
//   classbench_check DIR SET...
#include <fmt/format.h>

#include <vector>

#include "classifier.hpp"
#include "iptc/ir/printer.hpp"
#include "workload.hpp"

using namespace iptc::bench;

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: classbench_check DIR SET...\n");
    return 2;
  }
  std::string dir = argv[1];
  int failures = 0, passed = 0;
  for (int a = 2; a < argc; ++a) {
    std::string error;
    auto w = load_workload(dir, argv[a], error);
    if (!w) {
      fmt::print("FAIL {}: {}\n", argv[a], error);
      ++failures;
      continue;
    }
    // The converter writes the kernel's canonical form (checked against the kernel's own
    // iptables-save for the 1K sets with /work/ref/bin/kload, see RESULTS.md): iptc's
    // canonical printer must print the same text back.
    std::string canonical = iptc::ir::print_save(w->rules);
    std::string written = w->rules_text.substr(w->rules_text.find('\n') + 1);  // minus the comment
    if (canonical != written) {
      fmt::print("FAIL {}: the converted file is not in iptables-save's canonical form\n", w->name);
      ++failures;
      continue;
    }
    std::vector<std::unique_ptr<Classifier>> owned;
    owned.push_back(make_linear_classifier(w->filters));
    owned.push_back(make_interp_classifier(w->rules));
    std::string why_acl, why_jit;
    if (auto acl = make_acl_classifier(w->filters, &why_acl)) {
      owned.push_back(std::move(acl));
    } else if (acl_available()) {
      // Built with DPDK, so rte_acl must work: a failure here is a broken peer, not a skip.
      fmt::print("FAIL {}: rte_acl: {}\n", w->name, why_acl);
      ++failures;
      continue;
    }
    if (auto jit = make_jit_classifier(w->rules, &why_jit)) owned.push_back(std::move(jit));
    std::vector<Classifier*> engines;
    std::string names;
    for (auto& e : owned) {
      engines.push_back(e.get());
      names += (names.empty() ? "" : ", ") + e->name();
    }
    std::string report;
    if (!agree(engines, w->headers, report)) {
      fmt::print("FAIL {}: engines disagree ({}):\n{}", w->name, names, report);
      ++failures;
      continue;
    }
    size_t decided = 0;
    {
      std::vector<uint32_t> out(w->headers.size());
      engines[0]->prepare(w->headers);
      engines[0]->classify(out);
      for (uint32_t r : out) decided += r != 0;
    }
    fmt::print("ok {}: {} rules, {} headers ({} decided by a rule, {} by the policy); "
               "agree: {}\n",
               w->name, w->filters.size(), w->headers.size(), decided, w->headers.size() - decided,
               names);
    if (!why_acl.empty()) fmt::print("  rte_acl not compared: {}\n", why_acl);
    if (!why_jit.empty()) fmt::print("  jit not compared: {}\n", why_jit);
    ++passed;
  }
  fmt::print("{} passed, {} failed\n", passed, failures);
  return failures ? 1 : 0;
}
