// ir/src/kinds/kind_util.cpp: SaveWriter::quoted is libxtables' xtables_save_string(): bare when
// the value is non-empty and only [_-0-9a-zA-Z], else in double quotes with '"', '\' and '\''
// escaped by a backslash.
#include <catch2/catch.hpp>

#include "iptc/ir/kinds.hpp"

using iptc::ir::SaveWriter;

namespace {
std::string quoted(std::string_view v) {
  std::string out;
  SaveWriter w(out);
  w.quoted(v);
  return out;
}
}  // namespace

TEST_CASE("SaveWriter::quoted follows xtables_save_string", "[kind_util]") {
  CHECK(quoted("abc") == " abc");
  CHECK(quoted("_-09azAZ") == " _-09azAZ");
  CHECK(quoted("") == " \"\"");
  CHECK(quoted("a b") == " \"a b\"");
  CHECK(quoted("a.b") == " \"a.b\"");
  CHECK(quoted("a\"b") == " \"a\\\"b\"");
  CHECK(quoted("a\\b") == " \"a\\\\b\"");
  CHECK(quoted("it's") == " \"it\\'s\"");
  CHECK(quoted("x:") == " \"x:\"");
}

TEST_CASE("SaveWriter::bang and raw", "[kind_util]") {
  std::string out;
  SaveWriter w(out);
  w.bang(true).raw(" --x").bang(false).raw(" --y");
  CHECK(out == " ! --x --y");
}
