// frontend/src/save_grammar.hpp: the PEGTL grammar of one iptables-save line. STYLE.md asks for a
// test that runs pegtl::analyze<Grammar>() (which finds rules that can loop without consuming
// input), plus a check that the analysis does catch such a rule, and a few direct parses.
#include <catch2/catch.hpp>

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze.hpp>

#include "save_grammar.hpp"

namespace pegtl = tao::pegtl;
namespace g = iptc::frontend::save_grammar;

namespace {

// A rule that loops without consuming input: star of something that may match empty.
struct Broken : pegtl::star<pegtl::opt<pegtl::one<'a'>>> {};

template <typename Rule>
struct Collect : pegtl::nothing<Rule> {};
template <>
struct Collect<g::Word> {
  template <typename Input>
  static void apply(const Input& in, std::vector<std::string>& out) {
    out.push_back(in.string());
  }
};

std::vector<std::string> raw_words(std::string_view text) {
  std::vector<std::string> out;
  pegtl::memory_input in(text.data(), text.size(), "t");
  REQUIRE(pegtl::parse<g::Words, Collect>(in, out));
  return out;
}

}  // namespace

TEST_CASE("grammar: pegtl::analyze finds no problem in the line grammars", "[save_grammar]") {
  CHECK(pegtl::analyze<g::Words>(1) == 0);
  CHECK(pegtl::analyze<g::TableLine>(1) == 0);
  CHECK(pegtl::analyze<g::ChainLine>(1) == 0);
}

TEST_CASE("grammar: pegtl::analyze reports a rule that can loop without input", "[save_grammar]") {
  CHECK(pegtl::analyze<Broken>(0) > 0);
}

TEST_CASE("grammar: Words accepts every line and splits it into raw words", "[save_grammar]") {
  using V = std::vector<std::string>;
  CHECK(raw_words("-A INPUT  -j\tACCEPT\n") == V{"-A", "INPUT", "-j", "ACCEPT"});
  CHECK(raw_words("a\"b c\"d") == V{"a\"b c\"", "d"});  // a closing quote ends the word
  CHECK(raw_words("\"x\\\"y\" z") == V{"\"x\\\"y\"", "z"});
  CHECK(raw_words("\"\"") == V{"\"\""});
  CHECK(raw_words("\"open to the end\n") == V{"\"open to the end\n"});
  CHECK(raw_words("   ").empty());
  CHECK(raw_words("").empty());
  CHECK(raw_words("\r") == V{"\r"});  // a carriage return is an ordinary byte
  CHECK(raw_words(std::string_view("a\0b", 3)) == V{std::string("a\0b", 3)});
}

TEST_CASE("grammar: table and chain lines match whole lines", "[save_grammar]") {
  for (std::string_view s : {"*filter\n", "*", "* nat extra\n", ":INPUT ACCEPT [0:0]\n", ":", ": X\n"}) {
    pegtl::memory_input in(s.data(), s.size(), "t");
    INFO(s);
    bool ok = s[0] == '*' ? pegtl::parse<g::TableLine>(in) : pegtl::parse<g::ChainLine>(in);
    CHECK(ok);
  }
}
