// -m tcpmss (extensions/libxt_tcpmss.c, guided parser; kernel net/netfilter/xt_tcpmss.c):
// [!] --mss MIN[:MAX] (XTTYPE_UINT16RC: "a", "a:b", ":b" (0:b), "a:" (a:65535); min <= max),
// required, once. The kernel match needs `-p tcp` and checks nothing else.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kMss };

constexpr OptionDef kOptions[] = {
    {"mss", kMss, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<TcpmssMatch>(d);
  auto r = parse_uint_rc(c, "tcpmss", 0xffff);
  if (!r) return false;
  if (r->second < r->first)
    return c.fail(fmt::format("tcpmss: invalid range '{}' (min > max)", c.arg), "write MIN:MAX with MIN <= MAX");
  m.mss_min = static_cast<uint16_t>(r->first);
  m.mss_max = static_cast<uint16_t>(r->second);
  if (c.invert) m.invert = true;
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<TcpmssMatch>(d);
  w.bang(m.invert);
  if (m.mss_min == m.mss_max) w.raw(fmt::format(" --mss {}", m.mss_min));
  else w.raw(fmt::format(" --mss {}:{}", m.mss_min, m.mss_max));
}

}  // namespace

const MatchDef kTcpmssMatch = {
    .kind = MatchKind::Tcpmss,
    .name = "tcpmss",
    .options = kOptions,
    .init = [] { return MatchData{TcpmssMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .proto = 6,
};

}  // namespace iptc::ir::kinds
