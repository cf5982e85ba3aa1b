// -j NETMAP (extensions/libipt_NETMAP.c, guided parser; net/netfilter/xt_NETMAP.c
// netmap_tg4). --to ADDR[/MASK] (XTTYPE_HOSTMASK), mandatory, once: the range is
// ADDR & MASK .. ADDR | ~MASK. It is listed back as the network and its prefix length (or the
// dotted mask when it has holes, which the parser never produces). The kernel target is
// nat-only, at PREROUTING, INPUT, OUTPUT and POSTROUTING.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kTo };

constexpr OptionDef kOptions[] = {
    {"to", kTo, ArgKind::Required, optflag::kMandatory},
};

bool parse(const OptionCall& c, TargetData& d) {
  Ipv4Net n;
  if (!parse_hostmask(c, n)) return false;
  auto& t = std::get<NetmapTarget>(d);
  t.min_ip = n.addr & n.mask;
  t.max_ip = t.min_ip | ~n.mask;
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& t = std::get<NetmapTarget>(d);
  uint32_t mask = ~(t.min_ip ^ t.max_ip);
  int bits = mask_to_prefix(mask);
  w.raw(" --to ").raw(ipv4_to_string(t.min_ip)).raw("/");
  w.raw(bits < 0 ? ipv4_to_string(mask) : std::to_string(bits));
}

}  // namespace

const TargetDef kNetmap = {
    .kind = TargetKind::Netmap,
    .name = "NETMAP",
    .options = kOptions,
    .init = [] { return TargetData{NetmapTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 0,
    .hooks = hook_bit(Hook::Prerouting) | hook_bit(Hook::Input) | hook_bit(Hook::Output) |
             hook_bit(Hook::Postrouting),
    .only_table = TableKind::Nat,
};

}  // namespace iptc::ir::kinds
