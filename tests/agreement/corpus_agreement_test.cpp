// Kernel agreement on real rule sets: every iptables-restore file of the corpus (NAME.rules; the
// .sh scripts are not restore input) is loaded for real with `iptables-restore NAME` in a fresh
// network namespace of our own (after creating the ipsets of NAME.ipsets, if any), and
// `iptc check NAME` must accept exactly when the kernel did. When both refuse and the kernel
// names a line, iptc's first error must be on that line. Files in tests/corpus_known_gaps.txt
// lack kinds iptc does not model: iptc must refuse them with a "not supported" error, and such a
// file fails the test once iptc agrees with the kernel on it (remove it from the list then).
//
// Why a real load and not `iptables-restore --test`: on the nf_tables backend --test parses the
// file and never sends the batch to the kernel, so every kernel-side check is skipped. For
// example "*filter / -A INPUT -p tcp -j DNAT --to-destination 10.0.0.1 / COMMIT" passes --test
// (exit 0) but a real load fails ("RULE_APPEND failed (Invalid argument)": DNAT is only valid in
// the nat table); so do jump loops, 16-deep chains and targets in the wrong hook. The test
// "iptables-restore --test is weaker than a load" (netns_test.cpp) demonstrates it every run.
#include <catch2/catch.hpp>

#include "corpus.hpp"
#include "kernel.hpp"
#include "test_support.hpp"

namespace iptc::test {

TEST_CASE("corpus: iptc check agrees with a real iptables-restore load", "[corpus]") {
  if (!corpus_available()) {
    skip("no corpus at " + corpus_dir() + " (set IPTC_CORPUS_DIR)");
    return;
  }
  KnownGaps gaps = read_known_gaps(IPTC_KNOWN_GAPS);
  REQUIRE(gaps.loaded);
  bool any = false;
  for (const std::string& file : list_dir(corpus_dir(), ".rules")) {
    if (!only_filter().empty() && only_filter() != file) continue;
    any = true;
    std::string path = corpus_dir() + "/" + file;
    auto text = read_file(path);
    REQUIRE(text);
    auto ipsets = read_file(path + ".ipsets");
    std::string why_not = kernel_unavailable_reason(ipsets.has_value());
    if (!why_not.empty()) {
      skip(why_not);
      return;
    }
    NetNamespace ns;
    INFO("network namespace " << ns.name());
    REQUIRE(ns.ok());
    if (ipsets) REQUIRE(create_ipsets(ns, *ipsets).empty());
    Verdict kernel = kernel_load(ns, *text);
    Verdict iptc = iptc_check(*text);
    INFO(file << ": kernel " << (kernel.ok ? "loads it" : "refuses it: " + kernel.message) << "\n"
              << file << ": iptc " << (iptc.ok ? "accepts it" : "refuses it (" + iptc.proc.status() + "):\n" + iptc.proc.err.substr(0, 3000)));
    CHECK_FALSE(crashed(iptc.proc));

    auto gap = gaps.by_file.find(file);
    if (gap != gaps.by_file.end()) {
      INFO("listed in tests/corpus_known_gaps.txt:" << gap->second.line << " as lacking " << gap->second.missing);
      if (iptc.ok == kernel.ok && kernel.ok)
        FAIL_CHECK(file << " now loads in iptc as in the kernel: remove it from tests/corpus_known_gaps.txt");
      else if (!iptc.ok)  // the gap is what stops iptc (among its errors)
        CHECK_THAT(iptc.proc.err, Catch::Contains("not supported") || Catch::Contains("script"));
      continue;
    }
    auto lines = split_lines(*text);
    std::string iptc_line = iptc.line && iptc.line <= lines.size() ? lines[iptc.line - 1] : "";
    // A refusal the kernel does not make, at a line that uses a placeholder kind, is expected
    // on a branch where that kind is not implemented yet.
    std::string note = placeholder_note(iptc_line);
    if (iptc.ok != kernel.ok) {
      FAIL_CHECK("iptc and the kernel disagree on " << file << note);
      continue;
    }
    if (!kernel.ok && kernel.line != 0) {
      INFO("iptc's first error: line " << iptc.line << ": " << iptc.message << note);
      // nft_prepare() checks jump targets when the table is committed and reports the COMMIT
      // line; iptc names the rule that jumps, which must come before it.
      auto missing = kernel.message.find("Chain '");
      if (missing != std::string::npos && kernel.message.find("' does not exist") != std::string::npos) {
        std::string chain = kernel.message.substr(missing + 7);
        chain = chain.substr(0, chain.find('\''));
        CHECK(iptc.line <= kernel.line);
        CHECK_THAT(iptc_line, Catch::Contains(" " + chain));
      } else {
        CHECK(iptc.line == kernel.line);
      }
    }
  }
  if (!any) FAIL("no corpus file named '" << only_filter() << "'");
}

}  // namespace iptc::test
