// -j SNAT revision 0 (extensions/libxt_NAT.c NAT_parse / SNAT_save; the only IPv4 revision
// iptables 1.8.9 has; net/netfilter/xt_nat.c). --to-source is mandatory and given once;
// --random, --random-fully, --persistent once each. The revision-0 struct has no base port:
// "lo-hi/base" is accepted but only its flag survives, so it lists as "/0". The kernel target
// is nat-only, at POSTROUTING and INPUT.
#include "nat_common.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

constexpr OptionDef kOptions[] = {
    {"to-source", kNatToSrc, ArgKind::Required, optflag::kMandatory},
    {"random", kNatRandom, ArgKind::None, 0},
    {"random-fully", kNatRandomFully, ArgKind::None, 0},
    {"persistent", kNatPersistent, ArgKind::None, 0},
};

bool parse(const OptionCall& c, TargetData& d) {
  NatRange& r = std::get<SnatTarget>(d).range;
  if (c.opt->id != kNatToSrc) return parse_nat_flag(c.opt->id, r);
  NatRange parsed;
  if (!parse_nat_to(c, parsed)) return false;
  r.flags |= parsed.flags;
  r.min_addr = parsed.min_addr;
  r.max_addr = parsed.max_addr;
  r.min_port = parsed.min_port;
  r.max_port = parsed.max_port;
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  save_nat_range(w, std::get<SnatTarget>(d).range, "--to-source", false);
}

}  // namespace

const TargetDef kSnat = {
    .kind = TargetKind::Snat,
    .name = "SNAT",
    .options = kOptions,
    .init = [] { return TargetData{SnatTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 0,
    .hooks = hook_bit(Hook::Postrouting) | hook_bit(Hook::Input),
    .only_table = TableKind::Nat,
};

}  // namespace iptc::ir::kinds
