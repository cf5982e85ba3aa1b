// ir/src/source.cpp: the line index behind every location.
#include <catch2/catch.hpp>

#include "iptc/ir/source.hpp"

using namespace iptc::ir;

TEST_CASE("source: lines, line ends and offsets", "[source]") {
  SourceFile f("f", "*filter\r\n-A INPUT\n\nCOMMIT");
  CHECK(f.line_count() == 4);
  CHECK(f.line(1) == "*filter");  // the carriage return is not part of the line
  CHECK(f.line(2) == "-A INPUT");
  CHECK(f.line(3).empty());
  CHECK(f.line(4) == "COMMIT");
  CHECK(f.line(0).empty());
  CHECK(f.line(5).empty());
  CHECK(f.loc_of(7, 0) == SourceLoc{7, 1, 1});
  CHECK(f.loc_of(7, 9) == SourceLoc{7, 2, 1});   // first byte after "\r\n"
  CHECK(f.loc_of(7, 12) == SourceLoc{7, 2, 4});
  CHECK(f.loc_of(7, 18) == SourceLoc{7, 3, 1});
  CHECK(f.loc_of(7, 19) == SourceLoc{7, 4, 1});
}

TEST_CASE("source: a final newline does not start a line", "[source]") {
  SourceFile a("a", "x\ny\n");
  CHECK(a.line_count() == 2);
  CHECK(a.loc_of(1, 3) == SourceLoc{1, 2, 2});  // the final newline belongs to line 2
  SourceFile empty("e", "");
  CHECK(empty.line_count() == 1);
  CHECK(empty.line(1).empty());
}

TEST_CASE("source: the manager's ids are stable", "[source]") {
  SourceManager sm;
  CHECK(sm.size() == 1);  // id 0 is the placeholder
  uint32_t a = sm.add("a", "1");
  uint32_t b = sm.add("b", "2");
  CHECK(a == 1);
  CHECK(b == 2);
  CHECK(sm.file(a).name() == "a");
  CHECK(sm.file(b).text() == "2");
  CHECK_FALSE(SourceLoc{}.valid());
}
