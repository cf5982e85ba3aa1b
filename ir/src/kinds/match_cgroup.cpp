// -m cgroup, revision 2 (extensions/libxt_cgroup.c cgroup_*_v2, guided parser; kernel
// xt_cgroup.c cgroup_mt_check_v2): [!] --path PATH (XTTYPE_STRING into char path[512], cut to
// 511 bytes without a word) and [!] --cgroup CLASSID (uint32), each once; saved path first,
// with xtables_save_string's quoting. The parser accepts both or neither; the kernel wants
// exactly one. The match may run only from INPUT, OUTPUT and POSTROUTING (xt_match.hooks).
//
// The kernel also resolves the path in the host's cgroup2 tree when the rule is loaded and
// refuses one that does not exist. iptc cannot see the target host's cgroups and accepts any
// path, as it accepts any ipset name; whether the cgroup exists is the host's business.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kClassid, kPath };
constexpr size_t kMaxPath = 511;  // XT_CGROUP_PATH_MAX - 1

// libxt_cgroup.c's v2 table order.
constexpr OptionDef kOptions[] = {
    {"path", kPath, ArgKind::Required, optflag::kInvert},
    {"cgroup", kClassid, ArgKind::Required, optflag::kInvert},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& g = std::get<CgroupMatch>(d);
  if (c.opt->id == kPath) {
    g.path = std::string(c.arg.substr(0, kMaxPath));
    g.has_path = true;
    if (c.invert) g.invert_path = true;
    return true;
  }
  auto v = uint_option(c, 0, UINT32_MAX);
  if (!v) return false;
  g.classid = *v;
  g.has_classid = true;
  if (c.invert) g.invert_classid = true;
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& g = std::get<CgroupMatch>(d);
  if (g.has_path) w.bang(g.invert_path).raw(" --path").quoted(g.path);
  if (g.has_classid) w.bang(g.invert_classid).raw(fmt::format(" --cgroup {}", g.classid));
}

std::string kernel_check(const KernelCheckCall&, const MatchData& d) {
  const auto& g = std::get<CgroupMatch>(d);
  if (!g.has_path && !g.has_classid) return "cgroup: give --path or --cgroup (the kernel needs one of them)";
  if (g.has_path && g.has_classid)
    return "cgroup: --path and --cgroup cannot be combined (the kernel takes one of them)";
  return {};
}

}  // namespace

const MatchDef kCgroup = {
    .kind = MatchKind::Cgroup,
    .name = "cgroup",
    .options = kOptions,
    .init = [] { return MatchData{CgroupMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = kernel_check,
    .proto = 0,
    .hooks = hook_bit(Hook::Input) | hook_bit(Hook::Output) | hook_bit(Hook::Postrouting),
};

}  // namespace iptc::ir::kinds
