// Golden test on real rule sets: for every corpus file with a NAME.canonical (the kernel's own
// iptables-save after loading NAME), `iptc fmt NAME` must print exactly those bytes. Files that
// need kinds iptc does not model are listed, with what they lack, in tests/corpus_known_gaps.txt:
// a listed file must still fail (so the list shrinks as kinds land) and an unlisted one must pass.
// iptc runs as a subprocess, so a crash is reported as such.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "corpus.hpp"
#include "subprocess.hpp"
#include "test_support.hpp"

namespace iptc::test {
namespace {

/// Where two texts first differ, as "line N: expected '...', got '...'".
std::string first_difference(const std::string& want, const std::string& got) {
  auto a = split_lines(want), b = split_lines(got);
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    std::string x = i < a.size() ? a[i] : "<end of output>";
    std::string y = i < b.size() ? b[i] : "<end of output>";
    if (x != y) return fmt::format("line {}:\n  canonical: {}\n  iptc:      {}", i + 1, x, y);
  }
  if (want.size() != got.size()) return "only the final newline differs";
  return "identical";
}

std::string first_lines(const std::string& s, size_t n) {
  auto lines = split_lines(s);
  if (lines.size() > n) lines.resize(n);
  return join(lines, "\n");
}

}  // namespace

TEST_CASE("corpus: iptc fmt prints the kernel's canonical re-dump", "[corpus]") {
  if (!corpus_available()) {
    skip("no corpus at " + corpus_dir() + " (set IPTC_CORPUS_DIR)");
    return;
  }
  KnownGaps gaps = read_known_gaps(IPTC_KNOWN_GAPS);
  REQUIRE(gaps.loaded);
  bool any = false;
  for (const std::string& canonical : list_dir(corpus_dir(), ".canonical")) {
    std::string file = canonical.substr(0, canonical.size() - 10);
    if (!only_filter().empty() && only_filter() != file) continue;
    any = true;
    std::string path = corpus_dir() + "/" + file;
    auto want = read_file(path + ".canonical");
    auto input = read_file(path);
    REQUIRE(want);
    REQUIRE(input);
    ProcessResult r = run_process({iptc_binary(), "fmt", "--color", "never", path}, {.timeout_s = 120});
    INFO("iptc fmt " << path << ": " << r.status());
    REQUIRE_FALSE(r.spawn_failed);
    // Never acceptable, listed or not.
    CHECK_FALSE(r.timed_out);
    CHECK(r.signal == 0);
    bool identical = r.exited() && r.exit_code == 0 && r.out == *want;
    auto gap = gaps.by_file.find(file);
    if (gap != gaps.by_file.end()) {
      INFO("listed in tests/corpus_known_gaps.txt:" << gap->second.line << " as lacking "
                                                    << gap->second.missing);
      if (identical)
        FAIL_CHECK(file << " now prints its canonical form: remove it from tests/corpus_known_gaps.txt");
      continue;
    }
    if (!identical) {
      std::string note = placeholder_note(*input);
      std::string why =
          r.exit_code != 0
              ? fmt::format("iptc fmt rejected {} ({}){}:\n{}", file, r.status(), note, first_lines(r.err, 12))
              : fmt::format("iptc fmt output differs from {}.canonical{} at {}", file, note,
                            first_difference(*want, r.out));
      FAIL_CHECK(why);
    }
  }
  if (!any) FAIL("no corpus file named '" << only_filter() << "' with a .canonical");
}

TEST_CASE("known-gaps list is well formed", "[corpus-meta]") {
  KnownGaps gaps = read_known_gaps(IPTC_KNOWN_GAPS);
  REQUIRE(gaps.loaded);
  for (const auto& p : gaps.problems) FAIL_CHECK("tests/corpus_known_gaps.txt: " << p);
  if (!corpus_available()) {
    skip("no corpus at " + corpus_dir() + ": cannot check that the listed files exist");
    return;
  }
  for (const auto& [file, gap] : gaps.by_file) {
    INFO("tests/corpus_known_gaps.txt:" << gap.line);
    CHECK(file_exists(corpus_dir() + "/" + file));
  }
}

}  // namespace iptc::test
