// -j MARK: PLACEHOLDER until its row is written (rejects every use, never drops it).
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {
bool parse(const OptionCall& c, TargetData&) {
  return c.fail_option("iptc does not implement the options of -j MARK yet");
}
bool finish(const FinishCall& c, TargetData&) { return c.fail("iptc does not implement -j MARK yet"); }
void save(SaveWriter&, const TargetData&) {}
}  // namespace

const TargetDef kMarkTarget = {
    .kind = TargetKind::Mark,
    .name = "MARK",
    .options = {},
    .init = [] { return TargetData{MarkTarget{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
