// ============================================================================================
// THE JIT SLOT. The LLVM backend (issue 5) fills this in: compile `rs` (parse and verify are
// already done) into its FORWARD hook function and return a Classifier whose
//   prepare()  turns each Header into the backend's parsed-packet input (arriving on eth0,
//              leaving by eth1, as interp::ChainRunner does; not timed), and whose
//   classify() calls the compiled hook once per packet (or per burst, if the backend takes
//              bursts) and writes the deciding FORWARD rule number, 0 for the policy.
// Whatever make_jit_classifier() does is timed as the JIT's build ("BM_Build_<set>_Jit":
// lowering, LLVM optimisation, machine code). Link the backend library in
// benchmarks/CMakeLists.txt (target iptc_classbench). Until then this returns nullptr and the
// benchmark leaves the JIT out of its table and its agreement check.
// ============================================================================================
#include "classifier.hpp"

namespace iptc::bench {

std::unique_ptr<Classifier> make_jit_classifier(const ir::Ruleset& rs, std::string* why_not) {
  (void)rs;
  if (why_not) *why_not = "the LLVM backend (issue 5) has not landed yet";
  return nullptr;
}

}  // namespace iptc::bench
