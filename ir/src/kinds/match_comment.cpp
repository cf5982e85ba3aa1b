// -m comment: PLACEHOLDER until its row is written (rejects every use, never drops it).
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {
bool parse(const OptionCall& c, MatchData&) {
  return c.fail_option("iptc does not implement the options of -m comment yet");
}
bool finish(const FinishCall& c, MatchData&) { return c.fail("iptc does not implement -m comment yet"); }
void save(SaveWriter&, const MatchData&) {}
}  // namespace

const MatchDef kComment = {
    .kind = MatchKind::Comment,
    .name = "comment",
    .options = {},
    .init = [] { return MatchData{CommentMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
