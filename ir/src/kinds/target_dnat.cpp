// -j DNAT revision 2 (extensions/libxt_NAT.c DNAT_parse_v2 / DNATv2_save; iptables 1.8.9 picks
// it on any kernel since 4.18; net/netfilter/xt_nat.c). --to-destination is mandatory and
// given once, and only revision 2 keeps a shifted port map "lo-hi/base"; --random and
// --persistent once each (no --random-fully). The kernel target is nat-only, at PREROUTING
// and OUTPUT.
#include "nat_common.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

constexpr OptionDef kOptions[] = {
    {"to-destination", kNatToDest, ArgKind::Required, optflag::kMandatory},
    {"random", kNatRandom, ArgKind::None, 0},
    {"persistent", kNatPersistent, ArgKind::None, 0},
};

bool parse(const OptionCall& c, TargetData& d) {
  NatRange& r = std::get<DnatTarget>(d).range;
  if (c.opt->id != kNatToDest) return parse_nat_flag(c.opt->id, r);
  return parse_nat_to(c, r);
}

void save(SaveWriter& w, const TargetData& d) {
  save_nat_range(w, std::get<DnatTarget>(d).range, "--to-destination", false);
}

}  // namespace

const TargetDef kDnat = {
    .kind = TargetKind::Dnat,
    .name = "DNAT",
    .options = kOptions,
    .init = [] { return TargetData{DnatTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 0,
    .hooks = hook_bit(Hook::Prerouting) | hook_bit(Hook::Output),
    .only_table = TableKind::Nat,
};

}  // namespace iptc::ir::kinds
