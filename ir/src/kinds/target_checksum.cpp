// -j CHECKSUM (extensions/libxt_CHECKSUM.c, guided parser; net/netfilter/xt_CHECKSUM.c).
// --checksum-fill is its only option and is mandatory. The kernel target is mangle-only, at
// every hook; its checkentry refuses an empty or unknown operation, which iptables never
// sends.
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kFill };

constexpr OptionDef kOptions[] = {
    {"checksum-fill", kFill, ArgKind::None, optflag::kMandatory},
};

bool parse(const OptionCall&, TargetData& d) {
  std::get<ChecksumTarget>(d).operation = ChecksumTarget::kFill;
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  if (std::get<ChecksumTarget>(d).operation & ChecksumTarget::kFill) w.raw(" --checksum-fill");
}

}  // namespace

const TargetDef kChecksum = {
    .kind = TargetKind::Checksum,
    .name = "CHECKSUM",
    .options = kOptions,
    .init = [] { return TargetData{ChecksumTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 0,
    .hooks = kAllHooks,
    .only_table = TableKind::Mangle,
};

}  // namespace iptc::ir::kinds
