// -m physdev (extensions/libxt_physdev.c, guided parser; kernel net/netfilter/xt_physdev.c):
//   [!] --physdev-in NAME[+]   [!] --physdev-out NAME[+]   (at most 15 bytes; "" any port)
//   [!] --physdev-is-in   [!] --physdev-is-out   [!] --physdev-is-bridged
// each at most once, at least one. The kernel's physdev_mt_check refuses --physdev-out and
// --physdev-is-out at OUTPUT unless --physdev-is-bridged (not negated) is given too; it sees
// the hook only for a rule in a built-in chain (nft_compat passes hook mask 0 for user
// chains). Bridged packets reach iptables only with br_netfilter, which the check loads.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kIn, kOut, kIsIn, kIsOut, kIsBridged };

constexpr uint16_t kInv = optflag::kInvert;
constexpr OptionDef kOptions[] = {
    {"physdev-in", kIn, ArgKind::Required, kInv},
    {"physdev-out", kOut, ArgKind::Required, kInv},
    {"physdev-is-in", kIsIn, ArgKind::None, kInv},
    {"physdev-is-out", kIsOut, ArgKind::None, kInv},
    {"physdev-is-bridged", kIsBridged, ArgKind::None, kInv},
};

using P = PhysdevMatch;
constexpr size_t kIfnamsiz = 16;

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<PhysdevMatch>(d);
  uint8_t bit = 0;
  switch (c.opt->id) {
    case kIn:
    case kOut:
      // xtables_parse_interface on the whole argument.
      if (c.arg.size() + 1 > kIfnamsiz)
        return c.fail(fmt::format("physdev: interface name '{}' must be shorter than 16 characters", c.arg),
                      "bridge port names have at most 15 characters; end one with '+' to match a prefix");
      (c.opt->id == kIn ? m.physindev : m.physoutdev) = std::string(c.arg);
      bit = c.opt->id == kIn ? P::kIn : P::kOut;
      break;
    case kIsIn: bit = P::kIsIn; break;
    case kIsOut: bit = P::kIsOut; break;
    case kIsBridged: bit = P::kBridged; break;
    default: return false;
  }
  m.bitmask |= bit;
  if (c.invert) m.invert |= bit;
  return true;
}

bool finish(const FinishCall& c, MatchData&) {
  if (c.seen == 0)
    return c.fail("physdev: no physdev option specified", "e.g. -m physdev --physdev-in eth0");
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<PhysdevMatch>(d);
  auto opt = [&](uint8_t bit, std::string_view text) {
    if (!(m.bitmask & bit)) return false;
    w.bang(m.invert & bit).raw(text);
    return true;
  };
  opt(P::kIsIn, " --physdev-is-in");
  if (opt(P::kIn, " --physdev-in ")) w.raw(m.physindev);
  opt(P::kIsOut, " --physdev-is-out");
  if (opt(P::kOut, " --physdev-out ")) w.raw(m.physoutdev);
  opt(P::kBridged, " --physdev-is-bridged");
}

/// physdev_mt_check.
std::string kernel_check(const KernelCheckCall& k, const MatchData& d) {
  const auto& m = std::get<PhysdevMatch>(d);
  if ((m.bitmask & (P::kOut | P::kIsOut)) &&
      (!(m.bitmask & P::kBridged) || (m.invert & P::kBridged)) && k.base_chain &&
      (k.hooks & hook_bit(Hook::Output)))
    return refuse(k, "physdev: --physdev-out and --physdev-is-out are not valid in OUTPUT",
                  "the bridge port is not known yet there; add --physdev-is-bridged, or match in FORWARD or POSTROUTING");
  return {};
}

}  // namespace

const MatchDef kPhysdev = {
    .kind = MatchKind::Physdev,
    .name = "physdev",
    .options = kOptions,
    .init = [] { return MatchData{PhysdevMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
