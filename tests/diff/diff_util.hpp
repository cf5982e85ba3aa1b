// Differential runs: one rule set, one host, packet lines, through the reference interpreter
// and through the JIT-compiled rule set (interp::Engine with EngineOptions::compiled), packet by
// packet. Every packet's whole trace must agree (trace_json: verdict, path, matched rules in
// order, policies, ctstate, NAT egress, logs, deciding rule), and at the end every rule's and
// policy's counters.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "iptc/interp/engine.hpp"
#include "iptc/ir/ruleset.hpp"

namespace iptc::difftest {

struct DiffStats {
  size_t sets = 0;
  size_t packets = 0;       ///< packet comparisons
  size_t mismatches = 0;    ///< packets whose traces differ
  size_t counter_mismatches = 0;
  size_t not_loaded = 0;    ///< rule sets iptc refused
  double compile_seconds = 0, interp_seconds = 0, jit_seconds = 0;
  std::vector<std::string> reports;  ///< the first few disagreements, for the log
};

struct DiffCase {
  std::string name;
  std::string rules;          ///< iptables-restore text
  std::string host;           ///< host model text ("" = default)
  std::vector<std::string> packets;  ///< packet files, run in order (a flush between them)
  interp::EngineOptions engine;
  bool repair = false;        ///< drop rule lines iptc refuses (generated sets) and retry
};

/// Runs one case; false only when the rule set could not be loaded or compiled.
bool run_diff(const DiffCase& c, DiffStats& st, std::string* error = nullptr);

/// Loads rules (repairing as DiffCase::repair says); false with the diagnostics in `error`.
bool load_rules(std::string& text, bool repair, ir::Ruleset& rs, std::string& error);

}  // namespace iptc::difftest
