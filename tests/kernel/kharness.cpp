// kharness: asks the running Linux kernel what it does with each packet of a packets file.
//
//   kharness RULES --host HOST --packets PACKETS [--ipsets FILE] [-o OUT.jsonl] [--cpu N]
//            [--verbose]
//
// Builds fw and neighbour namespaces from HOST, loads RULES (after the sets of --ipsets, or of
// RULES.ipsets when it exists) with iptables-restore, runs every line of PACKETS through the
// kernel and writes one JSON object per packet line (the oracle's format: line, path, hooks,
// matched, policy, verdict, egress, ctstate, conntrack, ...). Needs root; exits 77 (CTest's
// "skipped") when the kernel cannot be driven here, 3 when the kernel refuses RULES.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include "lib/common.hpp"
#include "lib/harness.hpp"
#include "lib/netns.hpp"

using namespace iptc::kernel_test;

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: kharness RULES --host HOST --packets PACKETS [--ipsets FILE] "
               "[-o OUT.jsonl] [--cpu N] [--verbose]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string rules_path, host_path, packets_path, ipsets_path, out_path;
  HarnessOptions opts;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--host") host_path = next();
    else if (a == "--packets") packets_path = next();
    else if (a == "--ipsets") ipsets_path = next();
    else if (a == "-o") out_path = next();
    else if (a == "--verbose") opts.verbose = true;
    else if (a == "--cpu") opts.cpu = std::atoi(next().c_str());
    else if (a == "-h" || a == "--help") return usage(), 0;
    else if (!a.empty() && a[0] == '-') return usage();
    else if (rules_path.empty()) rules_path = a;
    else return usage();
  }
  if (rules_path.empty() || packets_path.empty()) return usage();
  if (std::string why = kernel_harness_unavailable(); !why.empty()) {
    std::fprintf(stderr, "kharness: skipped: %s\n", why.c_str());
    return 77;
  }
  install_stop_handlers();
  std::string err;
  auto rules = read_file(rules_path, &err);
  auto packets = read_file(packets_path, &err);
  if (!rules || !packets) {
    std::fprintf(stderr, "kharness: %s\n", err.c_str());
    return 2;
  }
  Host host = default_host();
  if (!host_path.empty()) {
    auto ht = read_file(host_path, &err);
    if (!ht || !parse_host(*ht, host, err)) {
      std::fprintf(stderr, "kharness: %s: %s\n", host_path.c_str(), err.c_str());
      return 2;
    }
  }
  std::string ipsets;
  if (ipsets_path.empty() && file_exists(rules_path + ".ipsets")) ipsets_path = rules_path + ".ipsets";
  if (!ipsets_path.empty()) {
    auto t = read_file(ipsets_path, &err);
    if (!t) {
      std::fprintf(stderr, "kharness: %s\n", err.c_str());
      return 2;
    }
    ipsets = *t;
  }
  std::ofstream out_file;
  std::ostream* out = &std::cout;
  if (!out_path.empty()) {
    out_file.open(out_path, std::ios::trunc);
    if (!out_file) {
      std::fprintf(stderr, "kharness: cannot write %s\n", out_path.c_str());
      return 2;
    }
    out = &out_file;
  }
  Harness h(opts);
  if (!h.setup(host, err)) {
    std::fprintf(stderr, "kharness: setup: %s\n", err.c_str());
    return 1;
  }
  if (!h.load(*rules, ipsets, err)) {
    std::fprintf(stderr, "kharness: the kernel refused %s:\n%s\n", rules_path.c_str(), err.c_str());
    return 3;
  }
  auto lines = parse_packet_lines(*packets);
  double t0 = now_seconds();
  size_t n = 0;
  for (const auto& pl : lines) {
    if (stop_requested()) {
      std::fprintf(stderr, "kharness: interrupted\n");
      return 130;
    }
    auto j = h.run_line(pl);
    if (j.is_null()) continue;
    *out << j.dump() << "\n";
    ++n;
  }
  out->flush();
  if (opts.verbose)
    std::fprintf(stderr, "kharness: %zu packets in %.2f s\n", n, now_seconds() - t0);
  return 0;
}
