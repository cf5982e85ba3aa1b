// -m connmark (extensions/libxt_connmark.c revision 1, guided parser; kernel xt_connmark.c):
// mandatory [!] --mark VALUE[/MASK] (XTTYPE_MARKMASK32), matching (ctmark & MASK) == VALUE.
// The value is kept as written (not masked); iptables-save prints it in hex, with the mask
// only when it is not 0xffffffff.
#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kMark };

constexpr OptionDef kOptions[] = {
    {"mark", kMark, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<ConnmarkMatch>(d);
  if (!parse_markmask(c, "connmark", m.mark, m.mask)) return false;
  m.invert = c.invert;
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<ConnmarkMatch>(d);
  w.bang(m.invert).raw(" --mark");
  save_markmask(w, m.mark, m.mask);
}

}  // namespace

const MatchDef kConnmark = {
    .kind = MatchKind::Connmark,
    .name = "connmark",
    .options = kOptions,
    .init = [] { return MatchData{ConnmarkMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
