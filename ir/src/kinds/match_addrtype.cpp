// -m addrtype (extensions/libxt_addrtype.c revision 1, guided parser; kernel xt_addrtype.c):
// [!] --src-type / [!] --dst-type TYPE[,TYPE...] with the routing types of rtnetlink.h,
// --limit-iface-in / --limit-iface-out (one of them). At least one of the type options is
// required. The kernel's checkentry refuses --limit-iface-out at PREROUTING/INPUT and
// --limit-iface-in at OUTPUT/POSTROUTING, but only where it knows the hook: for a rule in a
// built-in chain (nft_compat passes hook_mask 0 for user chains).
#include <cctype>

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSrcType, kDstType, kLimitIn, kLimitOut };

constexpr OptionDef kOptions[] = {
    {"src-type", kSrcType, ArgKind::Required, optflag::kInvert},
    {"dst-type", kDstType, ArgKind::Required, optflag::kInvert},
    {"limit-iface-in", kLimitIn, ArgKind::None, 0, 1u << kLimitOut},
    {"limit-iface-out", kLimitOut, ArgKind::None, 0, 1u << kLimitIn},
};

/// rtn_names: bit i of a type mask is RTN_* value i.
constexpr std::string_view kTypeNames[] = {
    "UNSPEC", "UNICAST", "LOCAL",   "BROADCAST", "ANYCAST", "MULTICAST",
    "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE",
};

constexpr std::string_view kTypesHint =
    "types are UNSPEC UNICAST LOCAL BROADCAST ANYCAST MULTICAST BLACKHOLE UNREACHABLE PROHIBIT "
    "THROW NAT XRESOLVE, separated by commas";

/// parse_type: strncasecmp(item, name, strlen(item)), so any case-insensitive prefix of a
/// name selects the first name it begins (e.g. "U" is UNSPEC, "UNI" is UNICAST).
bool type_bit(std::string_view item, uint16_t& mask) {
  for (size_t i = 0; i < std::size(kTypeNames); ++i) {
    std::string_view name = kTypeNames[i];
    if (item.size() > name.size()) continue;
    bool same = true;
    for (size_t k = 0; k < item.size() && same; ++k)
      same = std::toupper(static_cast<unsigned char>(item[k])) == name[k];
    if (same) {
      mask = static_cast<uint16_t>(mask | (1u << i));
      return true;
    }
  }
  return false;
}

/// parse_types: comma-separated items; an empty item (also a trailing comma) is an error.
bool parse_types(const OptionCall& c, uint16_t& mask) {
  std::string_view rest = c.arg;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    if (item.empty())
      return c.fail(fmt::format("addrtype: empty address type in '{}'", c.arg),
                    std::string(kTypesHint));
    if (!type_bit(item, mask))
      return c.fail(fmt::format("addrtype: unknown address type '{}'", item), std::string(kTypesHint));
    if (comma == std::string_view::npos) return true;
    rest = rest.substr(comma + 1);
  }
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& a = std::get<AddrtypeMatch>(d);
  switch (c.opt->id) {
    case kSrcType:
      if (!parse_types(c, a.source)) return false;
      if (c.invert) a.flags |= AddrtypeMatch::kInvSource;
      return true;
    case kDstType:
      if (!parse_types(c, a.dest)) return false;
      if (c.invert) a.flags |= AddrtypeMatch::kInvDest;
      return true;
    case kLimitIn:
      a.flags |= AddrtypeMatch::kLimitIfaceIn;
      return true;
    case kLimitOut:
      a.flags |= AddrtypeMatch::kLimitIfaceOut;
      return true;
    default: return false;
  }
}

bool finish(const FinishCall& c, MatchData&) {
  if (!(c.seen & ((1u << kSrcType) | (1u << kDstType))))
    return c.fail("addrtype: you must specify --src-type or --dst-type",
                  "e.g. -m addrtype --dst-type LOCAL");
  return true;
}

void save_types(SaveWriter& w, uint16_t mask) {
  const char* sep = " ";
  for (size_t i = 0; i < std::size(kTypeNames); ++i)
    if (mask & (1u << i)) {
      w.raw(sep).raw(kTypeNames[i]);
      sep = ",";
    }
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& a = std::get<AddrtypeMatch>(d);
  if (a.source) {
    w.bang(a.flags & AddrtypeMatch::kInvSource).raw(" --src-type");
    save_types(w, a.source);
  }
  if (a.dest) {
    w.bang(a.flags & AddrtypeMatch::kInvDest).raw(" --dst-type");
    save_types(w, a.dest);
  }
  if (a.flags & AddrtypeMatch::kLimitIfaceIn) w.raw(" --limit-iface-in");
  if (a.flags & AddrtypeMatch::kLimitIfaceOut) w.raw(" --limit-iface-out");
}

/// addrtype_mt_checkentry_v1. The hook mask it sees is the base chain's hook, or nothing for a
/// rule in a user chain (nft_compat), so the interface limits are only checked in base chains.
std::string kernel_check(const KernelCheckCall& k, const MatchData& d) {
  const auto& a = std::get<AddrtypeMatch>(d);
  if ((a.flags & AddrtypeMatch::kLimitIfaceIn) && (a.flags & AddrtypeMatch::kLimitIfaceOut))
    return "addrtype: --limit-iface-in and --limit-iface-out cannot be combined";
  if (!k.base_chain) return {};
  constexpr HookMask in_side = hook_bit(Hook::Prerouting) | hook_bit(Hook::Input);
  constexpr HookMask out_side = hook_bit(Hook::Output) | hook_bit(Hook::Postrouting);
  if ((k.hooks & in_side) && (a.flags & AddrtypeMatch::kLimitIfaceOut))
    return "addrtype: --limit-iface-out cannot be used in PREROUTING or INPUT, where packets "
           "have no output interface yet";
  if ((k.hooks & out_side) && (a.flags & AddrtypeMatch::kLimitIfaceIn))
    return "addrtype: --limit-iface-in cannot be used in OUTPUT or POSTROUTING, where packets "
           "have no input interface";
  return {};
}

}  // namespace

const MatchDef kAddrtype = {
    .kind = MatchKind::Addrtype,
    .name = "addrtype",
    .options = kOptions,
    .init = [] { return MatchData{AddrtypeMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
