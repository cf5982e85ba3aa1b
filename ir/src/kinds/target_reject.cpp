// -j REJECT: PLACEHOLDER until its row is written (rejects every use, never drops it).
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {
bool parse(const OptionCall& c, TargetData&) {
  return c.fail_option("iptc does not implement the options of -j REJECT yet");
}
bool finish(const FinishCall& c, TargetData&) { return c.fail("iptc does not implement -j REJECT yet"); }
void save(SaveWriter&, const TargetData&) {}
}  // namespace

const TargetDef kReject = {
    .kind = TargetKind::Reject,
    .name = "REJECT",
    .options = {},
    .init = [] { return TargetData{RejectTarget{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
