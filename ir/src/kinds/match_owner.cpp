// -m owner: PLACEHOLDER until its row is written (rejects every use, never drops it).
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {
bool parse(const OptionCall& c, MatchData&) {
  return c.fail_option("iptc does not implement the options of -m owner yet");
}
bool finish(const FinishCall& c, MatchData&) { return c.fail("iptc does not implement -m owner yet"); }
void save(SaveWriter&, const MatchData&) {}
}  // namespace

const MatchDef kOwner = {
    .kind = MatchKind::Owner,
    .name = "owner",
    .options = {},
    .init = [] { return MatchData{OwnerMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
