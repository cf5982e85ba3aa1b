// -j TOS revision 1 (extensions/libxt_TOS.c tos_tg_*, guided parser; net/netfilter/xt_DSCP.c).
// new = (old & ~mask) ^ value. --set-tos VALUE[/MASK] (numbers 0-255; the mask defaults to
// 0xff) or a symbolic name (any case; mask 0x3f, so the precedence bits are kept);
// --and-tos B (0/~B), --or-tos B (B/B), --xor-tos B (B/0). Exactly one operation, once. The
// kernel target is mangle-only, at every hook.
#include <strings.h>

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSetTos, kAndTos, kOrTos, kXorTos };
constexpr uint32_t kAny = (1u << kSetTos) | (1u << kAndTos) | (1u << kOrTos) | (1u << kXorTos);

constexpr OptionDef kOptions[] = {
    {"set-tos", kSetTos, ArgKind::Required, 0, kAny},
    {"and-tos", kAndTos, ArgKind::Required, 0, kAny},
    {"or-tos", kOrTos, ArgKind::Required, 0, kAny},
    {"xor-tos", kXorTos, ArgKind::Required, 0, kAny},
};

struct TosName {
  std::string_view name;
  uint8_t value;
};
constexpr TosName kNames[] = {
    {"Minimize-Delay", 0x10}, {"Maximize-Throughput", 0x08}, {"Maximize-Reliability", 0x04},
    {"Minimize-Cost", 0x02},  {"Normal-Service", 0x00},
};

/// xtopt_parse_tosmask with the revision-1 symbolic mask 0x3f.
bool parse_set_tos(const OptionCall& c, TosTarget& t) {
  auto bad = [&] {
    return c.fail(fmt::format("illegal TOS value '{}'", c.arg),
                  "write VALUE[/MASK] with numbers 0-255, or Minimize-Delay, Maximize-Throughput, "
                  "Maximize-Reliability, Minimize-Cost, Normal-Service");
  };
  if (auto v = parse_uint_prefix(c.arg, 0, 255)) {
    t.value = static_cast<uint8_t>(v->first);
    t.mask = 0xff;
    std::string_view rest = v->second;
    if (!rest.empty() && rest.front() == '/') {
      auto m = parse_uint_prefix(rest.substr(1), 0, 255);
      if (!m) return bad();
      t.mask = static_cast<uint8_t>(m->first);
      rest = m->second;
    }
    if (!rest.empty()) return bad();
    return true;
  }
  std::string arg(c.arg);
  for (const auto& n : kNames)
    if (strcasecmp(arg.c_str(), std::string(n.name).c_str()) == 0) {
      t.value = n.value;
      t.mask = 0x3f;
      return true;
    }
  return bad();
}

bool parse(const OptionCall& c, TargetData& d) {
  auto& t = std::get<TosTarget>(d);
  if (c.opt->id == kSetTos) return parse_set_tos(c, t);
  auto v = uint_option(c, 0, 255);
  if (!v) return false;
  auto b = static_cast<uint8_t>(*v);
  switch (c.opt->id) {
    case kAndTos: t = {0, static_cast<uint8_t>(~b)}; return true;
    case kOrTos: t = {b, b}; return true;
    case kXorTos: t = {b, 0}; return true;
    default: return false;
  }
}

bool finish(const FinishCall& c, TargetData&) {
  if (!(c.seen & kAny))
    return c.fail("no operation given to -j TOS", "give one of --set-tos, --and-tos, --or-tos, --xor-tos");
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& t = std::get<TosTarget>(d);
  w.raw(fmt::format(" --set-tos 0x{:02x}/0x{:02x}", t.value, t.mask));
}

}  // namespace

const TargetDef kTos = {
    .kind = TargetKind::Tos,
    .name = "TOS",
    .options = kOptions,
    .init = [] { return TargetData{TosTarget{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = nullptr,
    .proto = 0,
    .hooks = kAllHooks,
    .only_table = TableKind::Mangle,
};

}  // namespace iptc::ir::kinds
