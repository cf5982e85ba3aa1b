// -m state (the alias in extensions/libxt_conntrack.c: state_opts, state_ct23_parse):
// [!] --state LIST, mandatory, once; LIST is a comma-separated set of INVALID, NEW,
// ESTABLISHED, RELATED and UNTRACKED, each abbreviable to a case-insensitive prefix. iptables
// 1.8.9 loads no xt_state: it sends conntrack revision 3 with XT_CONNTRACK_STATE |
// XT_CONNTRACK_STATE_ALIAS, so an inversion stays a flag (" ! --state NEW"), and listing
// prints it back as "-m state" through conntrack's save, in the order INVALID, NEW, RELATED,
// ESTABLISHED, UNTRACKED. The kernel checks nothing beyond loading conntrack.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kStateOpt };

constexpr OptionDef kOptions[] = {
    {"state", kStateOpt, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
};

using C = ConntrackMatch;

struct Name {
  std::string_view name;
  uint16_t bit;
};
// state_parse_state, in its order of comparison.
constexpr Name kNames[] = {
    {"INVALID", C::kStInvalid}, {"NEW", C::kStNew}, {"ESTABLISHED", C::kStEstablished},
    {"RELATED", C::kStRelated}, {"UNTRACKED", C::kStUntracked},
};
constexpr std::string_view kValid = "valid states: INVALID,NEW,ESTABLISHED,RELATED,UNTRACKED";

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<StateMatch>(d);
  uint16_t mask = 0;
  std::string_view rest = c.arg;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    if (item.empty()) {
      // state_parse_states: a list ending in ',' (often "NEW, ESTABLISHED" split by a blank)
      // gets its own message.
      if (comma == std::string_view::npos)
        return c.fail(fmt::format("--state needs a list of states without spaces, not '{}'", c.arg),
                      "write e.g. ESTABLISHED,RELATED");
      return c.fail(fmt::format("empty state in '{}'", c.arg), std::string(kValid));
    }
    const Name* found = nullptr;
    for (const auto& n : kNames)
      if (iprefix(item, n.name)) {
        found = &n;
        break;
      }
    if (!found) return c.fail(fmt::format("unknown state '{}'", item), std::string(kValid));
    mask = static_cast<uint16_t>(mask | found->bit);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  m.state_mask = mask;
  m.invert = c.invert;
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& s = std::get<StateMatch>(d);
  ConntrackMatch m;
  m.match_flags = C::kState | C::kStateAlias;
  m.state_mask = s.state_mask;
  if (s.invert) m.invert_flags = C::kState;
  save_conntrack(w, m);
}

}  // namespace

const MatchDef kState = {
    .kind = MatchKind::State,
    .name = "state",
    .options = kOptions,
    .init = [] { return MatchData{StateMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
