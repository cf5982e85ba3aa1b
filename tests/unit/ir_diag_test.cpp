// ir/src/diag.cpp: the diagnostic contract of STYLE.md: "file:line:col: error: lower-case
// message", the source line, a caret (and '~' for the rest of the span) under the offending bytes,
// and "hint: ..." when known. The checks are written against that contract (where the caret must
// be relative to the quoted source line), not against a captured rendering.
#include <catch2/catch.hpp>

#include "iptc/ir/diag.hpp"
#include "test_support.hpp"

using namespace iptc::ir;

namespace {

struct Rendered {
  std::vector<std::string> lines;
  /// Column (0-based, in the rendered line) where the quoted source text starts.
  size_t source_start = 0;
};

Rendered render_one(const Diagnostic& d, const SourceManager& sm, std::string_view source_line) {
  Rendered r;
  r.lines = iptc::test::split_lines(render(d, sm));
  if (r.lines.size() > 1 && !source_line.empty()) {
    size_t at = r.lines[1].rfind(std::string(source_line));
    REQUIRE(at != std::string::npos);
    r.source_start = at;
  }
  return r;
}

}  // namespace

TEST_CASE("diagnostics: file:line:col, the source line, a caret and a hint", "[diag]") {
  SourceManager sm;
  uint32_t f = sm.add("rules.v4", "*filter\n-A INPUT -s 1.2.3.4/33 -j ACCEPT\nCOMMIT\n");
  Diagnostics diags;
  diags.error(SourceLoc{f, 2, 13}, "invalid mask '33' specified", "a mask is a prefix length", 10);
  REQUIRE(diags.has_errors());
  CHECK(diags.error_count() == 1);
  auto r = render_one(diags.all()[0], sm, "-A INPUT -s 1.2.3.4/33 -j ACCEPT");
  REQUIRE(r.lines.size() == 4);
  CHECK(r.lines[0] == "rules.v4:2:13: error: invalid mask '33' specified");
  CHECK(r.lines[1].ends_with("-A INPUT -s 1.2.3.4/33 -j ACCEPT"));
  CHECK_THAT(r.lines[1], Catch::Contains("2"));  // the line number in the gutter
  // The caret sits under column 13 of the source line and '~' covers the other 9 bytes.
  size_t caret = r.lines[2].find('^');
  REQUIRE(caret != std::string::npos);
  CHECK(caret == r.source_start + 12);
  CHECK(r.lines[2].substr(caret) == "^" + std::string(9, '~'));
  CHECK(r.lines[3] == "hint: a mask is a prefix length");
}

TEST_CASE("diagnostics: the underline stops at the end of the line", "[diag]") {
  SourceManager sm;
  uint32_t f = sm.add("x", "-A INPUT\n");
  Diagnostics diags;
  diags.error(SourceLoc{f, 1, 4}, "m", {}, 100);
  auto r = render_one(diags.all()[0], sm, "-A INPUT");
  REQUIRE(r.lines.size() == 3);
  size_t caret = r.lines[2].find('^');
  CHECK(caret == r.source_start + 3);
  CHECK(r.lines[2].substr(caret) == "^~~~~");  // "INPUT" and no further
}

TEST_CASE("diagnostics: tabs in the source line keep the caret aligned", "[diag]") {
  SourceManager sm;
  uint32_t f = sm.add("x", "-A\tINPUT\t-j\tNOPE\n");
  Diagnostics diags;
  diags.error(SourceLoc{f, 1, 13}, "chain 'NOPE' does not exist", {}, 4);
  std::string text = render(diags.all()[0], sm);
  auto lines = iptc::test::split_lines(text);
  REQUIRE(lines.size() == 3);
  size_t src = lines[1].find("-A");
  REQUIRE(src != std::string::npos);
  CHECK(lines[1].find('\t') == std::string::npos);
  CHECK(lines[1].substr(src + 12, 4) == "NOPE");
  CHECK(lines[2].find('^') == src + 12);
}

TEST_CASE("diagnostics: CRLF lines are shown without the carriage return", "[diag]") {
  SourceManager sm;
  uint32_t f = sm.add("x", "*filter\r\nCOMMIT\r\n");
  Diagnostics diags;
  diags.error(SourceLoc{f, 1, 2}, "table 'filter\\r' does not exist", "convert CRLF", 7);
  auto lines = iptc::test::split_lines(render(diags, sm));
  REQUIRE(lines.size() >= 2);
  CHECK(lines[1].ends_with("*filter"));
}

TEST_CASE("diagnostics: a location past the end of a line (end of file)", "[diag]") {
  SourceManager sm;
  uint32_t f = sm.add("x", "*filter\n-A INPUT");
  Diagnostics diags;
  diags.error(SourceLoc{f, 2, 9}, "COMMIT expected", {}, 1);
  auto r = render_one(diags.all()[0], sm, "-A INPUT");
  REQUIRE(r.lines.size() == 3);
  CHECK(r.lines[0] == "x:2:9: error: COMMIT expected");
  CHECK(r.lines[2].find('^') == r.source_start + 8);
}

TEST_CASE("diagnostics: unknown locations, severities, order and color", "[diag]") {
  SourceManager sm;
  uint32_t f = sm.add("in.rules", "a\n");
  Diagnostics diags;
  diags.error(SourceLoc{f, 0, 0}, "whole-file problem");
  diags.warning(SourceLoc{f, 1, 1}, "w");
  diags.note(SourceLoc{}, "n");
  CHECK(diags.error_count() == 1);
  CHECK(diags.all().size() == 3);
  auto lines = iptc::test::split_lines(render(diags, sm));
  REQUIRE(lines.size() >= 5);
  CHECK(lines[0] == "in.rules: error: whole-file problem");
  CHECK(lines[1] == "in.rules:1:1: warning: w");
  CHECK(lines.back() == "note: n");
  std::string plain = render(diags, sm);
  CHECK(plain.find('\033') == std::string::npos);
  std::string colored = render(diags, sm, RenderOptions{true});
  CHECK(colored.find('\033') != std::string::npos);
}

TEST_CASE("diagnostics: the error limit stops a flood", "[diag]") {
  Diagnostics diags;
  diags.set_error_limit(3);
  for (int i = 0; i < 3; ++i) diags.error(SourceLoc{}, "e");
  CHECK(diags.limit_reached());
  diags.clear();
  CHECK_FALSE(diags.has_errors());
  CHECK(diags.all().empty());
}

TEST_CASE("diagnostics: messages from the reader follow the style", "[diag]") {
  // Lower-case messages, never split, with the location of the user's text.
  auto l = iptc::test::load("*filter\n-A INPUT -p tcp --dport 70000\n-A NOPE\nCOMMIT\n");
  REQUIRE_FALSE(l->ok);
  for (const auto& d : l->diags.all()) {
    INFO(d.message);
    REQUIRE_FALSE(d.message.empty());
    CHECK_FALSE((d.message[0] >= 'A' && d.message[0] <= 'Z'));
    CHECK(d.message.find('\n') == std::string::npos);
    CHECK(d.loc.valid());
  }
}
