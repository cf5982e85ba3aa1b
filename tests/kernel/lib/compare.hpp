// Comparing the kernel's answers with `iptc trace --json`, packet by packet.
//
// The keys and rules are those of the oracle's compare-trace (shared/oracle): path; verdict
// (NFQUEUE read as QUEUE, SYNPROXY as DROP); the ordered list of matched (table, chain,
// rule); the set of policies; the egress src/dst/sport/dport where the kernel saw the packet
// leave. In addition, the conntrack state is compared where the kernel's probes saw one.
// Lines the kernel dropped outside netfilter (KERNEL-DROP), lines the harness could not run
// (error), walks the counters could not explain (unexplained) and answers that depend on
// chance (unstable: a -m statistic --mode random rule was evaluated, or nf_nat picked a
// random source port) are counted, not compared.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iptc::kernel_test {

struct CompareStats {
  uint64_t compared = 0, agree = 0;
  uint64_t kernel_drop = 0, kernel_error = 0, unexplained = 0, unstable = 0;
  uint64_t missing = 0, extra = 0, actual_error = 0, unparsable = 0;
  std::vector<std::string> mismatches;  ///< "line N: differences; packet: ..."
  void add(const CompareStats& o);
};

/// Differences of one packet ("" entries never; empty vector when it agrees).
std::vector<std::string> compare_packet(const nlohmann::json& expected,
                                        const nlohmann::json& actual, bool compare_ctstate);

/// Compares two JSON-lines texts (EXPECTED = the kernel's, ACTUAL = iptc's).
CompareStats compare_jsonl(const std::string& expected, const std::string& actual,
                           bool compare_ctstate, size_t max_report = 50);

}  // namespace iptc::kernel_test
