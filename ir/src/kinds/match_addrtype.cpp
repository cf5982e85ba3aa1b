// -m addrtype: PLACEHOLDER until its row is written (rejects every use, never drops it).
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {
bool parse(const OptionCall& c, MatchData&) {
  return c.fail_option("iptc does not implement the options of -m addrtype yet");
}
bool finish(const FinishCall& c, MatchData&) { return c.fail("iptc does not implement -m addrtype yet"); }
void save(SaveWriter&, const MatchData&) {}
}  // namespace

const MatchDef kAddrtype = {
    .kind = MatchKind::Addrtype,
    .name = "addrtype",
    .options = {},
    .init = [] { return MatchData{AddrtypeMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
