// -j CT: PLACEHOLDER until its row is written (rejects every use, never drops it).
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {
bool parse(const OptionCall& c, TargetData&) {
  return c.fail_option("iptc does not implement the options of -j CT yet");
}
bool finish(const FinishCall& c, TargetData&) { return c.fail("iptc does not implement -j CT yet"); }
void save(SaveWriter&, const TargetData&) {}
}  // namespace

const TargetDef kCt = {
    .kind = TargetKind::Ct,
    .name = "CT",
    .options = {},
    .init = [] { return TargetData{CtTarget{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
