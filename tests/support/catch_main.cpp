// The Catch2 main of every test program. Two additions to Catch's own: `--only NAME` restricts
// the data-driven test cases (corpus files, kind recordings) to one file, so that CTest can
// register one test per file; and a test case that called iptc::test::skip() makes the program
// exit with IPTC_TEST_SKIP_CODE, which CTest (SKIP_RETURN_CODE) reports as skipped.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "test_support.hpp"

int main(int argc, char* argv[]) {
  Catch::Session session;
  std::string only;
  using Catch::clara::Opt;
  auto cli = session.cli() |
             Opt(only, "name")["--only"]("run the data-driven test cases for this file only");
  session.cli(cli);
  if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  iptc::test::set_only_filter(only);
  int failed = session.run();
  if (failed == 0 && iptc::test::skipped()) return IPTC_TEST_SKIP_CODE;
  return failed;
}
