// Random rule sets and packet lines for the differential tests (JIT against the reference
// interpreter). Rule sets cover every match and target kind of the foundation with random
// options and inversions, in the tables and chains where the kernel accepts them (legal
// hooks, protocols, target tables), with user chains, jumps, gotos and RETURNs; packets mix
// lines aimed at the rules' boundaries (the kernel suite's generate_packets) with random ones
// (fragments, truncated lengths, marks, TOS, MACs, packet types, local senders, ICMP errors).
// Deterministic in the seed.
#pragma once

#include <cstdint>
#include <string>

#include "lib/packet_lines.hpp"

namespace iptc::difftest {

/// iptables-restore text of a random rule set for `host`.
std::string random_rules(uint64_t seed, const kernel_test::Host& host);

/// `n` random packet lines for `host` (one per line, some `flush` and `sleep` lines among them).
std::string random_packets(uint64_t seed, const kernel_test::Host& host, size_t n);

}  // namespace iptc::difftest
