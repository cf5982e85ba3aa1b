// -j SET (extensions/libxt_SET.c revision 3, the one iptables 1.8.9 picks on this kernel; an
// old-style parser; net/netfilter/xt_set.c set_target_v3). --add-set NAME DIRS,
// --del-set NAME DIRS, --map-set NAME DIRS (each once; DIRS as for -m set), at least one of
// them; --exist and --timeout 0-4294967294 only with --add-set; --map-mark, --map-prio,
// --map-queue only with --map-set, which needs at least one of them. The parser never looks
// at '!', and has no "only once" rule for the flags (the last --timeout wins).
//
// The sets are references by name: iptables asks the kernel for them when parsing and fails
// when one does not exist. iptc cannot see the host's sets and accepts any well-formed name,
// as -m set does. The kernel's checkentry allows --map-set only in the mangle table, and
// --map-prio / --map-queue only at FORWARD, OUTPUT and POSTROUTING; it sees the hook only
// for a rule in a base chain (nft_compat passes hook mask 0 for user chains).
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kAdd, kDel, kExist, kTimeout, kMap, kMapMark, kMapPrio, kMapQueue };

constexpr uint16_t kFlags = optflag::kMulti | optflag::kInvertIgnored;
constexpr OptionDef kOptions[] = {
    {"add-set", kAdd, ArgKind::Required, kFlags},
    {"del-set", kDel, ArgKind::Required, kFlags},
    {"exist", kExist, ArgKind::None, kFlags},
    {"timeout", kTimeout, ArgKind::Required, kFlags},
    {"map-set", kMap, ArgKind::Required, kFlags},
    {"map-mark", kMapMark, ArgKind::None, kFlags},
    {"map-prio", kMapPrio, ArgKind::None, kFlags},
    {"map-queue", kMapQueue, ArgKind::None, kFlags},
};

constexpr size_t kMaxNameLen = 31;  // IPSET_MAXNAMELEN - 1

/// parse_target: NAME from the option, DIRS from the next word.
bool parse_ref(const OptionCall& c, SetTargetRef& ref) {
  if (ref.dim != 0) return c.fail_option(fmt::format("SET: --{} can be specified only once", c.opt->name));
  const ExtraArg* dirs = c.more ? c.more->peek() : nullptr;
  if (!dirs || (!dirs->text.empty() && (dirs->text[0] == '-' || dirs->text[0] == '!')))
    return c.fail_option(fmt::format("SET: --{} requires two arguments", c.opt->name),
                         fmt::format("write --{} NAME src (or dst, src,dst, ...)", c.opt->name));
  if (c.arg.size() > kMaxNameLen)
    return c.fail(fmt::format("SET: set name '{}' is too long ({} characters at most)", c.arg, kMaxNameLen));
  if (c.arg.empty()) return c.fail("SET: empty set name", "write the name of an ipset");
  if (!parse_set_dirs(c, *dirs, "SET", ref.dim, ref.dir_flags)) return false;
  c.more->take();
  ref.name = std::string(c.arg);
  return true;
}

bool parse(const OptionCall& c, TargetData& d) {
  auto& t = std::get<SetTarget>(d);
  switch (c.opt->id) {
    case kAdd: return parse_ref(c, t.add_set);
    case kDel: return parse_ref(c, t.del_set);
    case kMap: return parse_ref(c, t.map_set);
    case kExist: t.flags |= SetTarget::kExist; return true;
    case kMapMark: t.flags |= SetTarget::kMapMark; return true;
    case kMapPrio: t.flags |= SetTarget::kMapPrio; return true;
    case kMapQueue: t.flags |= SetTarget::kMapQueue; return true;
    case kTimeout: {
      auto v = parse_uint(c.arg, 0, UINT32_MAX - 1);
      if (!v)
        return c.fail(fmt::format("SET: invalid value '{}' for --timeout", c.arg),
                      "write a number of seconds from 0 to 4294967294");
      t.timeout = static_cast<uint32_t>(*v);
      return true;
    }
    default: return false;
  }
}

bool finish(const FinishCall& c, TargetData&) {
  // set_target_check_v3, in its order.
  auto has = [&](uint8_t id) { return (c.seen & (1u << id)) != 0; };
  if (!has(kAdd) && !has(kDel) && !has(kMap))
    return c.fail("SET: you must specify --add-set, --del-set or --map-set");
  if (!has(kAdd)) {
    if (has(kExist)) return c.fail("SET: --exist can be used with --add-set only");
    if (has(kTimeout)) return c.fail("SET: --timeout can be used with --add-set only");
  }
  if (!has(kMap)) {
    if (has(kMapMark)) return c.fail("SET: --map-mark can be used with --map-set only");
    if (has(kMapPrio)) return c.fail("SET: --map-prio can be used with --map-set only");
    if (has(kMapQueue)) return c.fail("SET: --map-queue can be used with --map-set only");
  }
  if (has(kMap) && !has(kMapMark) && !has(kMapPrio) && !has(kMapQueue))
    return c.fail("SET: --map-set needs --map-mark, --map-prio or --map-queue");
  return true;
}

void save_ref(SaveWriter& w, std::string_view opt, const SetTargetRef& r) {
  if (r.name.empty()) return;
  w.raw(" ").raw(opt).raw(" ").raw(r.name);
  for (uint8_t i = 0; i < r.dim; ++i) w.raw(i == 0 ? " " : ",").raw(r.dir_flags & (1u << i) ? "src" : "dst");
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& t = std::get<SetTarget>(d);
  save_ref(w, "--add-set", t.add_set);
  if (t.flags & SetTarget::kExist) w.raw(" --exist");
  if (t.timeout != SetTarget::kNoTimeout) w.raw(fmt::format(" --timeout {}", t.timeout));
  save_ref(w, "--del-set", t.del_set);
  save_ref(w, "--map-set", t.map_set);
  if (t.flags & SetTarget::kMapMark) w.raw(" --map-mark");
  if (t.flags & SetTarget::kMapPrio) w.raw(" --map-prio");
  if (t.flags & SetTarget::kMapQueue) w.raw(" --map-queue");
}

std::string kernel_check(const KernelCheckCall& k, const TargetData& d) {
  const auto& t = std::get<SetTarget>(d);
  if (t.map_set.name.empty()) return {};
  if (k.table != TableKind::Mangle) return "SET: --map-set works only in the mangle table";
  constexpr HookMask kMapHooks =
      hook_bit(Hook::Forward) | hook_bit(Hook::Output) | hook_bit(Hook::Postrouting);
  if ((t.flags & (SetTarget::kMapPrio | SetTarget::kMapQueue)) && k.base_chain && (k.hooks & ~kMapHooks))
    return "SET: --map-prio and --map-queue work only in FORWARD, OUTPUT and POSTROUTING";
  return {};
}

}  // namespace

const TargetDef kSetTarget = {
    .kind = TargetKind::Set,
    .name = "SET",
    .options = kOptions,
    .init = [] { return TargetData{SetTarget{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
