// -j REDIRECT (extensions/libxt_NAT.c NAT_parse / REDIRECT_save, revision 0;
// net/netfilter/xt_REDIRECT.c). --to-ports PORT[-PORT] needs a port protocol in -p; its final
// check (DNAT_fcheck) refuses "/base". --random once. The kernel target is nat-only, at
// PREROUTING and OUTPUT.
#include "nat_common.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

constexpr OptionDef kOptions[] = {
    {"to-ports", kNatToPorts, ArgKind::Required, 0},
    {"random", kNatRandom, ArgKind::None, 0},
};

bool parse(const OptionCall& c, TargetData& d) {
  NatRange& r = std::get<RedirectTarget>(d).range;
  if (c.opt->id != kNatToPorts) return parse_nat_flag(c.opt->id, r);
  NatRange parsed;
  if (!parse_nat_ports(c, c.arg, parsed)) return false;
  if (parsed.flags & NatRange::kProtoOffset)
    return c.fail("a shifted port range ('/BASE') is not possible with -j REDIRECT",
                  "only DNAT --to-destination takes LOW-HIGH/BASE");
  r.flags |= parsed.flags;
  r.min_port = parsed.min_port;
  r.max_port = parsed.max_port;
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  save_nat_range(w, std::get<RedirectTarget>(d).range, "--to-ports", true);
}

}  // namespace

const TargetDef kRedirect = {
    .kind = TargetKind::Redirect,
    .name = "REDIRECT",
    .options = kOptions,
    .init = [] { return TargetData{RedirectTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 0,
    .hooks = hook_bit(Hook::Prerouting) | hook_bit(Hook::Output),
    .only_table = TableKind::Nat,
};

}  // namespace iptc::ir::kinds
