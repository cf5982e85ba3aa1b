// -j MARK revision 2 (extensions/libxt_MARK.c mark_tg_*, guided parser; the revision iptables
// 1.8.9 picks on any current kernel; net/netfilter/xt_mark.c). Every operation becomes
// new = (old & ~mask) ^ mark: --set-xmark V[/M], --set-mark V[/M] (mask = M | V),
// --and-mark B (0/~B), --or-mark B (B/B), --xor-mark B (B/0). Exactly one operation, once;
// save always prints --set-xmark. No table or hook restriction.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSetMark, kAndMark, kOrMark, kXorMark, kSetXmark };
constexpr uint32_t kAny = (1u << kSetMark) | (1u << kAndMark) | (1u << kOrMark) |
                          (1u << kXorMark) | (1u << kSetXmark);

constexpr OptionDef kOptions[] = {
    {"set-xmark", kSetXmark, ArgKind::Required, 0, kAny},
    {"set-mark", kSetMark, ArgKind::Required, 0, kAny},
    {"and-mark", kAndMark, ArgKind::Required, 0, kAny},
    {"or-mark", kOrMark, ArgKind::Required, 0, kAny},
    {"xor-mark", kXorMark, ArgKind::Required, 0, kAny},
};

bool parse(const OptionCall& c, TargetData& d) {
  auto& m = std::get<MarkTarget>(d);
  if (c.opt->id == kSetXmark || c.opt->id == kSetMark) {
    auto vm = parse_val_mask(c);
    if (!vm) return false;
    m.mark = vm->value;
    m.mask = c.opt->id == kSetMark ? vm->value | vm->mask : vm->mask;
    return true;
  }
  auto v = uint_option(c, 0, 0xffffffff);
  if (!v) return false;
  switch (c.opt->id) {
    case kAndMark: m = {0, ~*v}; return true;
    case kOrMark: m = {*v, *v}; return true;
    case kXorMark: m = {*v, 0}; return true;
    default: return false;
  }
}

bool finish(const FinishCall& c, TargetData&) {
  if (c.seen == 0)
    return c.fail("no operation given to -j MARK",
                  "give one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark");
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& m = std::get<MarkTarget>(d);
  w.raw(fmt::format(" --set-xmark {}/{}", hex(m.mark), hex(m.mask)));
}

}  // namespace

const TargetDef kMarkTarget = {
    .kind = TargetKind::Mark,
    .name = "MARK",
    .options = kOptions,
    .init = [] { return TargetData{MarkTarget{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
