// -j MASQUERADE (extensions/libxt_NAT.c NAT_parse / MASQUERADE_save, revision 0;
// net/netfilter/xt_MASQUERADE.c). --to-ports PORT[-PORT] needs a port protocol in -p; like
// SNAT it accepts "/base" and keeps only the flag (listed as "/0"). --random, --random-fully
// once each. The kernel target is nat-only, at POSTROUTING.
#include "nat_common.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

constexpr OptionDef kOptions[] = {
    {"to-ports", kNatToPorts, ArgKind::Required, 0},
    {"random", kNatRandom, ArgKind::None, 0},
    {"random-fully", kNatRandomFully, ArgKind::None, 0},
};

bool parse(const OptionCall& c, TargetData& d) {
  NatRange& r = std::get<MasqueradeTarget>(d).range;
  if (c.opt->id != kNatToPorts) return parse_nat_flag(c.opt->id, r);
  NatRange parsed;
  if (!parse_nat_ports(c, c.arg, parsed)) return false;
  r.flags |= parsed.flags;
  r.min_port = parsed.min_port;
  r.max_port = parsed.max_port;
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  save_nat_range(w, std::get<MasqueradeTarget>(d).range, "--to-ports", true);
}

}  // namespace

const TargetDef kMasquerade = {
    .kind = TargetKind::Masquerade,
    .name = "MASQUERADE",
    .options = kOptions,
    .init = [] { return TargetData{MasqueradeTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 0,
    .hooks = hook_bit(Hook::Postrouting),
    .only_table = TableKind::Nat,
};

}  // namespace iptc::ir::kinds
