// -j CONNSECMARK (extensions/libxt_CONNSECMARK.c, guided parser; net/netfilter/
// xt_CONNSECMARK.c). --save or --restore, not both, each once; one is required. The kernel
// allows the target in the mangle and security tables only (checkentry), at every hook, and
// takes a conntrack reference for the family.
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSave, kRestore };

constexpr OptionDef kOptions[] = {
    {"save", kSave, ArgKind::None, 0, 1u << kRestore},
    {"restore", kRestore, ArgKind::None, 0, 1u << kSave},
};

bool parse(const OptionCall& c, TargetData& d) {
  std::get<ConnsecmarkTarget>(d).mode =
      c.opt->id == kSave ? ConnsecmarkTarget::Mode::Save : ConnsecmarkTarget::Mode::Restore;
  return true;
}

bool finish(const FinishCall& c, TargetData&) {
  if (c.seen == 0) return c.fail("CONNSECMARK target: parameter required", "add --save or --restore");
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  switch (std::get<ConnsecmarkTarget>(d).mode) {
    case ConnsecmarkTarget::Mode::Save: w.raw(" --save"); break;
    case ConnsecmarkTarget::Mode::Restore: w.raw(" --restore"); break;
  }
}

std::string kernel_check(const KernelCheckCall& k, const TargetData&) {
  if (k.table != TableKind::Mangle && k.table != TableKind::Security)
    return "target 'CONNSECMARK' is only valid in the mangle and security tables";
  return {};
}

}  // namespace

const TargetDef kConnsecmark = {
    .kind = TargetKind::Connsecmark,
    .name = "CONNSECMARK",
    .options = kOptions,
    .init = [] { return TargetData{ConnsecmarkTarget{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
