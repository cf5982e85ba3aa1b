// -m mark: PLACEHOLDER until its row is written (rejects every use, never drops it).
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {
bool parse(const OptionCall& c, MatchData&) {
  return c.fail_option("iptc does not implement the options of -m mark yet");
}
bool finish(const FinishCall& c, MatchData&) { return c.fail("iptc does not implement -m mark yet"); }
void save(SaveWriter&, const MatchData&) {}
}  // namespace

const MatchDef kMark = {
    .kind = MatchKind::Mark,
    .name = "mark",
    .options = {},
    .init = [] { return MatchData{MarkMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
