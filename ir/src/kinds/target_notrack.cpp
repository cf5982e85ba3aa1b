// -j NOTRACK (extensions/libxt_CT.c, the "NOTRACK" entries with real_name "CT"): iptables
// 1.8.9 sends CT revision 2 with flags notrack|alias, and the kernel lists it back as
// -j NOTRACK (ct_print_name_alias; ct_save_v1 prints nothing for the alias). It takes no
// options. Being the CT target in the kernel, it is raw-only, at PREROUTING and OUTPUT.
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

bool parse(const OptionCall&, TargetData&) { return false; }  // no options to dispatch
void save(SaveWriter&, const TargetData&) {}

}  // namespace

const TargetDef kNotrack = {
    .kind = TargetKind::Notrack,
    .name = "NOTRACK",
    .options = {},
    .init = [] { return TargetData{NotrackTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 0,
    .hooks = hook_bit(Hook::Prerouting) | hook_bit(Hook::Output),
    .only_table = TableKind::Raw,
};

}  // namespace iptc::ir::kinds
