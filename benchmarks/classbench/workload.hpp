// One ClassBench workload ready for the engines: the filters, the trace, the converted
// iptables-save text and the rule set iptc parsed and verified from it; and the agreement
// check every benchmark runs before timing (all engines, the same deciding rule for every
// header).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "classbench.hpp"
#include "classifier.hpp"
#include "iptc/ir/ruleset.hpp"
#include "iptc/ir/source.hpp"

namespace iptc::bench {

struct Workload {
  std::string name;  ///< e.g. "acl1_1000"
  std::vector<Filter> filters;
  std::vector<Header> headers;
  std::string rules_text;  ///< the converted iptables-save file
  ir::SourceManager sources;
  ir::Ruleset rules;
};

/// Reads DIR/NAME and DIR/NAME_trace, converts, and loads the rule set with iptc (parse and
/// verify). Returns nullptr and sets `error` on any failure, including iptc rejecting the
/// converted file or FORWARD not holding one rule per filter.
std::unique_ptr<Workload> load_workload(const std::string& dir, const std::string& name,
                                        std::string& error);

/// Headers i * stride for i < count (every header when count >= headers.size()): the sample
/// a slow engine runs.
std::vector<Header> sample(std::span<const Header> headers, size_t count);

/// Runs every engine on `headers` and compares the deciding rules with the first engine's.
/// Returns false and describes the first disagreements (up to 5) in `report`.
bool agree(std::span<Classifier* const> engines, std::span<const Header> headers,
           std::string& report);

}  // namespace iptc::bench
