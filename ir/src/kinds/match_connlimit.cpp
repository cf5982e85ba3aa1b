// -m connlimit, revision 1 (extensions/libxt_connlimit.c, connlimit_opts; guided parser;
// kernel net/netfilter/xt_connlimit.c). Options, each at most once:
//   [!] --connlimit-upto N | [!] --connlimit-above N   (uint32; one of them is required;
//       "! --connlimit-upto N" is "--connlimit-above N" and the other way round)
//   --connlimit-mask PLEN   (XTTYPE_PLENMASK: 0-32 or a dotted mask; default 32)
//   --connlimit-saddr | --connlimit-daddr   (group by source, the default, or destination)
// The kernel's checkentry only loads conntrack; no protocol is required.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kUpto, kAbove, kMask, kSaddr, kDaddr };

constexpr uint16_t kInv = optflag::kInvert;
constexpr OptionDef kOptions[] = {
    {"connlimit-upto", kUpto, ArgKind::Required, kInv, 1u << kAbove},
    {"connlimit-above", kAbove, ArgKind::Required, kInv, 1u << kUpto},
    {"connlimit-mask", kMask, ArgKind::Required, 0},
    {"connlimit-saddr", kSaddr, ArgKind::None, 0, 1u << kDaddr},
    {"connlimit-daddr", kDaddr, ArgKind::None, 0, 1u << kSaddr},
};

using C = ConnlimitMatch;

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<ConnlimitMatch>(d);
  switch (c.opt->id) {
    case kUpto:
    case kAbove: {
      auto v = uint_option(c, 0, 0xffffffff);
      if (!v) return false;
      m.limit = *v;
      // connlimit_parse: only ever sets the bit.
      if ((c.opt->id == kUpto) != c.invert) m.flags |= C::kInvert;
      return true;
    }
    case kMask: {
      auto p = parse_plen(c, "connlimit");
      if (!p) return false;
      m.mask = plen_to_mask(*p);
      m.mask_tail_ones = *p > 32;
      return true;
    }
    case kSaddr:
      m.flags &= ~C::kDaddr;
      return true;
    case kDaddr:
      m.flags |= C::kDaddr;
      return true;
    default: return false;
  }
}

bool finish(const FinishCall& c, MatchData&) {
  if (!(c.seen & ((1u << kUpto) | (1u << kAbove))))
    return c.fail("connlimit: you must specify --connlimit-above or --connlimit-upto",
                  "e.g. -m connlimit --connlimit-above 20");
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<ConnlimitMatch>(d);
  w.raw((m.flags & C::kInvert) ? " --connlimit-upto " : " --connlimit-above ").raw(std::to_string(m.limit));
  // count_bits4: the position of the highest zero bit of the mask decides.
  uint32_t inv = ~m.mask;
  w.raw(fmt::format(" --connlimit-mask {}", inv == 0 ? 32 : __builtin_clz(inv)));
  w.raw((m.flags & C::kDaddr) ? " --connlimit-daddr" : " --connlimit-saddr");
}

}  // namespace

const MatchDef kConnlimit = {
    .kind = MatchKind::Connlimit,
    .name = "connlimit",
    .options = kOptions,
    .init = [] { return MatchData{ConnlimitMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
