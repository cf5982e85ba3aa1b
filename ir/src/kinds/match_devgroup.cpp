// -m devgroup (extensions/libxt_devgroup.c, guided parser; kernel xt_devgroup.c):
// [!] --src-group and [!] --dst-group GROUP[/MASK], each once, at least one; saved source
// first. A group is parsed by xtables_parse_val_mask with the names of /etc/iproute2/group:
// a 32-bit number in C notation, optionally "/MASK" (mask ~0 when absent); any word that is not
// such a number is looked up whole as a name. Save prints a full-mask group by its name when
// it has one, else "0xVAL", and "0xVAL/0xMASK" otherwise.
//
// Group names: iptc uses the file Debian 12's iproute2 installs, which names only group 0
// ("default"), instead of reading the machine's /etc/iproute2/group. The compiled result and
// the canonical text must not depend on the machine iptc runs on (the same reason the netbase
// names are built in), and that file is all a stock host has; a host with its own group names
// would list "--src-group NAME" where iptc lists the number, and rules naming such groups must
// be written with numbers.
//
// The kernel (devgroup_mt_checkentry) allows --src-group only at PREROUTING, INPUT and
// FORWARD and --dst-group only at FORWARD, OUTPUT and POSTROUTING, but it checks the hook of
// the rule's own chain only: in a user chain (hook mask 0 under nf_tables) either loads.
#include <cctype>

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSrc, kDst };

constexpr OptionDef kOptions[] = {
    {"src-group", kSrc, ArgKind::Required, optflag::kInvert},
    {"dst-group", kDst, ArgKind::Required, optflag::kInvert},
};

struct GroupName {
  uint32_t id;
  std::string_view name;
};
/// Debian 12's /etc/iproute2/group (iproute2 6.1).
constexpr GroupName kGroupNames[] = {{0, "default"}};

std::optional<uint32_t> group_by_name(std::string_view name) {
  for (const auto& g : kGroupNames)
    if (g.name == name) return g.id;
  return std::nullopt;
}

std::optional<std::string_view> group_name(uint32_t id) {
  for (const auto& g : kGroupNames)
    if (g.id == id) return g.name;
  return std::nullopt;
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<DevgroupMatch>(d);
  uint32_t group = 0, mask = ~0u;
  // xtables_parse_val_mask with a name map: a word that does not start with a number, or whose
  // number is followed by anything but '/', is a name as a whole.
  auto v = parse_uint_prefix(c.arg, 0, UINT32_MAX);
  bool numeric = v && (v->second.empty() || v->second.front() == '/');
  if (numeric) {
    group = static_cast<uint32_t>(v->first);
    if (!v->second.empty()) {
      auto k = parse_uint_prefix(v->second.substr(1), 0, UINT32_MAX);
      if (!k)
        return c.fail(fmt::format("devgroup: bad mask in '{}' for option '--{}'", c.arg, c.opt->name),
                      "write GROUP or GROUP/MASK with 32-bit numbers, e.g. 0x10/0xf0");
      if (!k->second.empty())
        return c.fail(fmt::format("devgroup: trailing garbage after the mask in '{}'", c.arg),
                      "write GROUP or GROUP/MASK with 32-bit numbers, e.g. 0x10/0xf0");
      mask = static_cast<uint32_t>(k->first);
    }
  } else {
    auto id = group_by_name(c.arg);
    if (!id && v)
      return c.fail(fmt::format("devgroup: trailing garbage after the group in '{}' for option '--{}'", c.arg,
                                c.opt->name),
                    "write GROUP or GROUP/MASK with 32-bit numbers, e.g. 0x10/0xf0");
    if (!id && !c.arg.empty() &&
        (std::isdigit(static_cast<unsigned char>(c.arg.front())) || c.arg.front() == '-'))
      return c.fail(
          fmt::format("devgroup: group '{}' for option '--{}' is not a 32-bit number", c.arg, c.opt->name),
          "groups are 0-4294967295");
    if (!id)
      return c.fail(fmt::format("devgroup: unknown device group '{}' for option '--{}'", c.arg, c.opt->name),
                    "write the group number (iptc knows only the group name 'default', group 0)");
    group = *id;
  }
  if (c.opt->id == kSrc) {
    m.src_group = group;
    m.src_mask = mask;
    m.flags |= DevgroupMatch::kMatchSrc;
    if (c.invert) m.flags |= DevgroupMatch::kInvertSrc;
  } else {
    m.dst_group = group;
    m.dst_mask = mask;
    m.flags |= DevgroupMatch::kMatchDst;
    if (c.invert) m.flags |= DevgroupMatch::kInvertDst;
  }
  return true;
}

bool finish(const FinishCall& c, MatchData&) {
  if (c.seen == 0)
    return c.fail("devgroup: --src-group or --dst-group is required", "e.g. -m devgroup --src-group 1");
  return true;
}

/// xtables_print_val_mask with the group names.
void save_group(SaveWriter& w, uint32_t group, uint32_t mask) {
  if (mask != ~0u) {
    w.raw(fmt::format(" 0x{:x}/0x{:x}", group, mask));
    return;
  }
  if (auto n = group_name(group))
    w.raw(" ").raw(*n);
  else
    w.raw(fmt::format(" 0x{:x}", group));
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<DevgroupMatch>(d);
  if (m.flags & DevgroupMatch::kMatchSrc) {
    w.bang(m.flags & DevgroupMatch::kInvertSrc).raw(" --src-group");
    save_group(w, m.src_group, m.src_mask);
  }
  if (m.flags & DevgroupMatch::kMatchDst) {
    w.bang(m.flags & DevgroupMatch::kInvertDst).raw(" --dst-group");
    save_group(w, m.dst_group, m.dst_mask);
  }
}

std::string kernel_check(const KernelCheckCall& k, const MatchData& d) {
  const auto& m = std::get<DevgroupMatch>(d);
  if (!k.base_chain) return {};
  constexpr HookMask src_ok = hook_bit(Hook::Prerouting) | hook_bit(Hook::Input) | hook_bit(Hook::Forward);
  constexpr HookMask dst_ok = hook_bit(Hook::Forward) | hook_bit(Hook::Output) | hook_bit(Hook::Postrouting);
  if ((m.flags & DevgroupMatch::kMatchSrc) && (k.hooks & ~src_ok))
    return "devgroup: --src-group needs an input device: use it in PREROUTING, INPUT or FORWARD";
  if ((m.flags & DevgroupMatch::kMatchDst) && (k.hooks & ~dst_ok))
    return "devgroup: --dst-group needs an output device: use it in FORWARD, OUTPUT or POSTROUTING";
  return {};
}

}  // namespace

const MatchDef kDevgroup = {
    .kind = MatchKind::Devgroup,
    .name = "devgroup",
    .options = kOptions,
    .init = [] { return MatchData{DevgroupMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
