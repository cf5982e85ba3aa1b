// -m length: PLACEHOLDER until its row is written (rejects every use, never drops it).
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {
bool parse(const OptionCall& c, MatchData&) {
  return c.fail_option("iptc does not implement the options of -m length yet");
}
bool finish(const FinishCall& c, MatchData&) { return c.fail("iptc does not implement -m length yet"); }
void save(SaveWriter&, const MatchData&) {}
}  // namespace

const MatchDef kLength = {
    .kind = MatchKind::Length,
    .name = "length",
    .options = {},
    .init = [] { return MatchData{LengthMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
