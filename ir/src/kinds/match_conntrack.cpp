// -m conntrack: PLACEHOLDER until its row is written (rejects every use, never drops it).
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {
bool parse(const OptionCall& c, MatchData&) {
  return c.fail_option("iptc does not implement the options of -m conntrack yet");
}
bool finish(const FinishCall& c, MatchData&) { return c.fail("iptc does not implement -m conntrack yet"); }
void save(SaveWriter&, const MatchData&) {}
}  // namespace

const MatchDef kConntrack = {
    .kind = MatchKind::Conntrack,
    .name = "conntrack",
    .options = {},
    .init = [] { return MatchData{ConntrackMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
