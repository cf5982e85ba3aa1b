// -m length (extensions/libxt_length.c, guided parser; kernel xt_length.c): mandatory
// [!] --length N or MIN:MAX (XTTYPE_UINT16RC: ":MAX", "MIN:" and ":" leave a bound open).
// A range with MIN > MAX is accepted by both iptables and the kernel; it never matches.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kLength };

constexpr OptionDef kOptions[] = {
    {"length", kLength, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& l = std::get<LengthMatch>(d);
  auto r = parse_uint_rc(c, "length", UINT16_MAX);
  if (!r) return false;
  l.min = static_cast<uint16_t>(r->first);
  l.max = static_cast<uint16_t>(r->second);
  l.invert = c.invert;
  if (l.min > l.max)
    c.diags->warning(c.arg_loc, fmt::format("length: range {}:{} is reversed and contains no length", l.min, l.max),
                     fmt::format("write {}:{}", l.max, l.min), c.arg_len);
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& l = std::get<LengthMatch>(d);
  w.bang(l.invert);
  if (l.min == l.max) w.raw(fmt::format(" --length {}", l.min));
  else w.raw(fmt::format(" --length {}:{}", l.min, l.max));
}

}  // namespace

const MatchDef kLength = {
    .kind = MatchKind::Length,
    .name = "length",
    .options = kOptions,
    .init = [] { return MatchData{LengthMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
