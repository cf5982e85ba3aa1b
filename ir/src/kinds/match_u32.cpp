// -m u32 (extensions/libxt_u32.c, guided parser; kernel xt_u32.c): mandatory [!] --u32 TESTS,
// once. The grammar, as u32_parse reads it (blanks allowed between tokens):
//   tests    := test { "&&" test }                  at most 10 tests
//   test     := location "=" value { "," value }    at most 10 values
//   location := number { op number }                at most 10 numbers
//   op       := "&" | "<<" | ">>" | "@"
//   value    := number [ ":" number ]
// Numbers are 32-bit in C notation (xtables_strtoui with an end pointer: "+" allowed, "-"
// not). Limits come from XT_U32_MAXSIZE; u32_parse checks them as it goes, so an 11th number,
// value or test is an error at that point. Saved as u32_dump prints it: every number as
// "0x%x", no blanks, the whole expression in double quotes.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kU32 };
constexpr size_t kMaxSize = 10;  // XT_U32_MAXSIZE

constexpr OptionDef kOptions[] = {
    {"u32", kU32, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
};

constexpr std::string_view kHint =
    "write LOCATION=VALUE[,VALUE...][&&...], e.g. \"0>>22&0x3C@0>>16=80\" (operators & << >> @, "
    "values N or N:M)";

bool is_blank(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r';
}

/// The state machine of u32_parse: state 0 reads a location, state 1 its values.
bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<U32Match>(d);
  std::string_view s = c.arg;
  size_t pos = 0;
  auto at = [&](size_t k) { return k < s.size() ? s[k] : '\0'; };
  auto fail = [&](std::string msg) {
    return c.fail(fmt::format("u32: at char {}: {}", pos, msg), std::string(kHint));
  };
  auto number = [&](uint32_t& out) {
    auto r = parse_uint_prefix(s.substr(pos), 0, UINT32_MAX);
    if (!r) return fail("not a number or out of range");
    out = static_cast<uint32_t>(r->first);
    pos = s.size() - r->second.size();
    return true;
  };
  m.tests.assign(1, {});
  m.invert = c.invert;
  int state = 0;
  while (true) {
    U32Match::Test& t = m.tests.back();
    while (is_blank(at(pos))) ++pos;
    if (pos >= s.size()) {
      if (state == 0) return fail("the expression ends inside a location");
      if (t.value.empty()) return fail("a test ends with no value");
      if (m.tests.size() > kMaxSize) return fail(fmt::format("more than {} tests joined by '&&'", kMaxSize));
      return true;
    }
    if (state == 0) {
      if (s[pos] == '=') {
        if (t.location.empty()) return fail("a location is missing before '='");
        ++pos;
        state = 1;
        continue;
      }
      U32Match::Location loc;
      if (!t.location.empty()) {
        switch (s[pos]) {
          case '&': loc.op = U32Match::Op::And; break;
          case '<':
            if (at(++pos) != '<') return fail("a second '<' was expected");
            loc.op = U32Match::Op::LeftShift;
            break;
          case '>':
            if (at(++pos) != '>') return fail("a second '>' was expected");
            loc.op = U32Match::Op::RightShift;
            break;
          case '@': loc.op = U32Match::Op::At; break;
          default: return fail(fmt::format("operator expected, found '{}'", s[pos]));
        }
        ++pos;
      }
      if (!number(loc.number)) return false;
      t.location.push_back(loc);
      if (t.location.size() > kMaxSize)
        return fail(fmt::format("more than {} numbers in a location", kMaxSize));
    } else {
      if (s[pos] == '&') {
        if (at(++pos) != '&') return fail("a second '&' was expected");
        if (t.value.empty()) return fail("a value is missing before '&&'");
        m.tests.emplace_back();
        if (m.tests.size() - 1 > kMaxSize)
          return fail(fmt::format("more than {} tests joined by '&&'", kMaxSize));
        ++pos;
        state = 0;
        continue;
      }
      if (!t.value.empty()) {
        if (s[pos] != ',') return fail(fmt::format("',' or '&&' expected, found '{}'", s[pos]));
        ++pos;
      }
      U32Match::Range r;
      if (!number(r.min)) return false;
      while (is_blank(at(pos))) ++pos;
      if (at(pos) == ':') {
        ++pos;
        if (!number(r.max)) return false;
      } else {
        r.max = r.min;
      }
      t.value.push_back(r);
      if (t.value.size() > kMaxSize) return fail(fmt::format("more than {} values in a test", kMaxSize));
    }
  }
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<U32Match>(d);
  std::string& out = w.bang(m.invert).raw(" --u32 \"").out();
  for (size_t ti = 0; ti < m.tests.size(); ++ti) {
    const auto& t = m.tests[ti];
    if (ti > 0) out += "&&";
    for (size_t i = 0; i < t.location.size(); ++i) {
      if (i > 0) {
        switch (t.location[i].op) {
          case U32Match::Op::And: out += '&'; break;
          case U32Match::Op::LeftShift: out += "<<"; break;
          case U32Match::Op::RightShift: out += ">>"; break;
          case U32Match::Op::At: out += '@'; break;
        }
      }
      out += fmt::format("0x{:x}", t.location[i].number);
    }
    out += '=';
    for (size_t i = 0; i < t.value.size(); ++i) {
      if (i > 0) out += ',';
      if (t.value[i].min == t.value[i].max)
        out += fmt::format("0x{:x}", t.value[i].min);
      else
        out += fmt::format("0x{:x}:0x{:x}", t.value[i].min, t.value[i].max);
    }
  }
  out += '"';
}

}  // namespace

const MatchDef kU32 = {
    .kind = MatchKind::U32,
    .name = "u32",
    .options = kOptions,
    .init = [] { return MatchData{U32Match{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
