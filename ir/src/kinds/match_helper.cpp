// -m helper (extensions/libxt_helper.c, guided parser; kernel xt_helper.c): mandatory
// [!] --helper NAME, once. XTTYPE_STRING into char name[30]: a longer name is cut to 29 bytes
// without a word. Saved with xtables_save_string's quoting. The kernel checks nothing beyond
// loading conntrack; any table and hook.
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kHelper };
constexpr size_t kMaxLen = 29;  // sizeof(xt_helper_info.name) - 1

constexpr OptionDef kOptions[] = {
    {"helper", kHelper, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& h = std::get<HelperMatch>(d);
  h.name = std::string(c.arg.substr(0, kMaxLen));
  if (c.invert) h.invert = true;
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& h = std::get<HelperMatch>(d);
  w.bang(h.invert).raw(" --helper").quoted(h.name);
}

}  // namespace

const MatchDef kHelper = {
    .kind = MatchKind::Helper,
    .name = "helper",
    .options = kOptions,
    .init = [] { return MatchData{HelperMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
