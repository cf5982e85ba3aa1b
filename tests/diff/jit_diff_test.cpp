// Differential tests of the JIT against the reference interpreter (diff_util.hpp):
//  - [fuzz]: random rule sets over every foundation kind (rulegen.cpp) on random hosts, with
//    packets aimed at their rules (the kernel suite's generate_packets, several seeds) and
//    random ones; both front-end semantics (iptables-nft, legacy) and both conntrack modes.
//    IPTC_DIFF_SETS / IPTC_DIFF_SEED / IPTC_DIFF_ROUNDS size it; the CTest registration runs
//    at least 1,000,000 packet comparisons.
//  - [corpus]: every public corpus rule set iptc loads, on the host and packets the kernel
//    suite generates for it.
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "diff_util.hpp"
#include "iptc/ir/printer.hpp"
#include "lib/gen.hpp"
#include "lib/save_listing.hpp"
#include "rulegen.hpp"
#include "test_support.hpp"

using namespace iptc;

namespace {

uint64_t env_u64(const char* name, uint64_t def) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : def;
}

void print_stats(const char* what, const difftest::DiffStats& st) {
  std::printf("%s: %zu rule sets (%zu not loaded), %zu packet comparisons, %zu disagreements, "
              "%zu counter disagreements; compile %.1f s, interpreter %.1f s (%.2f us/packet), "
              "jit engine %.1f s (%.2f us/packet)\n",
              what, st.sets, st.not_loaded, st.packets, st.mismatches, st.counter_mismatches,
              st.compile_seconds, st.interp_seconds,
              st.packets ? st.interp_seconds * 1e6 / double(st.packets) : 0.0, st.jit_seconds,
              st.packets ? st.jit_seconds * 1e6 / double(st.packets) : 0.0);
  for (const auto& r : st.reports) std::printf("%s\n", r.c_str());
  std::fflush(stdout);
}

}  // namespace

TEST_CASE("the JIT agrees with the interpreter on random rule sets", "[fuzz]") {
  uint64_t sets = env_u64("IPTC_DIFF_SETS", 20);
  uint64_t seed0 = env_u64("IPTC_DIFF_SEED", 1);
  uint64_t rounds = env_u64("IPTC_DIFF_ROUNDS", 4);  // packet files per rule set
  difftest::DiffStats st;
  for (uint64_t s = seed0; s < seed0 + sets; ++s) {
    auto host = kernel_test::generate_random_host(s);
    difftest::DiffCase c;
    c.name = fmt::format("random set {}", s);
    c.rules = difftest::random_rules(s, host.host);
    c.host = host.text;
    c.repair = true;
    kernel_test::Listing listing;
    std::string err;
    // The listing only steers the aimed packets; a set it cannot read gets random ones only.
    bool listed = kernel_test::parse_listing(c.rules, listing, err);
    for (uint64_t r = 0; r < rounds; ++r) {
      if (listed) {
        kernel_test::GenPacketsOptions po;
        po.seed = s * 31 + r;
        po.auto_numbered_flows = 0.5;
        c.packets.push_back(kernel_test::generate_packets(listing, host.host, po, c.name));
      }
      c.packets.push_back(difftest::random_packets(s * 131 + r, host.host, 400));
    }
    c.engine.seed = s;
    c.engine.frontend = s % 5 == 0 ? interp::Frontend::Legacy : interp::Frontend::Nft;
    c.engine.conntrack_always = s % 3 != 0;
    std::string error;
    if (!difftest::run_diff(c, st, &error))
      std::printf("%s: not run: %s\n", c.name.c_str(), error.substr(0, 400).c_str());
  }
  print_stats("random rule sets", st);
  CHECK(st.mismatches == 0);
  CHECK(st.counter_mismatches == 0);
  CHECK(st.sets * 10 >= sets * 9);  // the generator's sets load (after repair)
}

TEST_CASE("the JIT agrees with the interpreter on the public corpus", "[corpus]") {
  std::string dir = test::corpus_dir();
  if (!std::filesystem::exists(dir)) {
    test::skip("no corpus at " + dir);
    return;
  }
  difftest::DiffStats st;
  size_t refused = 0;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".rules") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    auto text = test::read_file(p.string());
    if (!text) continue;
    // The packets aim at the rule set as iptc reads it (scripts too): its canonical listing.
    std::string rules = *text, err;
    ir::Ruleset rs;
    if (!difftest::load_rules(rules, false, rs, err)) {
      ++refused;  // iptc cannot load it yet (tests/corpus_known_gaps.txt)
      continue;
    }
    kernel_test::Listing listing;
    if (!kernel_test::parse_listing(ir::print_save(rs), listing, err)) continue;
    auto host = kernel_test::generate_host(listing, p.filename().string());
    difftest::DiffCase c;
    c.name = p.filename().string();
    c.rules = *text;
    c.host = host.text;
    for (uint64_t r = 0; r < 2; ++r) {
      kernel_test::GenPacketsOptions po;
      po.seed = 1 + r;
      po.auto_numbered_flows = 0.5;
      c.packets.push_back(kernel_test::generate_packets(listing, host.host, po, c.name));
    }
    std::string error;
    if (!difftest::run_diff(c, st, &error)) {
      std::printf("%s: not run: %s\n", c.name.c_str(), error.substr(0, 400).c_str());
      CHECK(false);
    }
  }
  std::printf("corpus: %zu files, %zu not loaded by iptc\n", files.size(), refused);
  print_stats("public corpus", st);
  CHECK(st.sets > 0);
  CHECK(st.mismatches == 0);
  CHECK(st.counter_mismatches == 0);
}
