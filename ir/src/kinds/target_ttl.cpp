// -j TTL (extensions/libipt_TTL.c, guided parser; net/netfilter/xt_HL.c ttl_tg). Exactly one
// of --ttl-set 0-255, --ttl-dec 1-255, --ttl-inc 1-255, once. The kernel target is IPv4,
// mangle-only, at every hook; its checkentry refuses a zero increment or decrement, which the
// option ranges already exclude.
#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSet, kInc, kDec };
constexpr uint32_t kAny = (1u << kSet) | (1u << kInc) | (1u << kDec);

constexpr OptionDef kOptions[] = {
    {"ttl-set", kSet, ArgKind::Required, 0, kAny},
    {"ttl-dec", kDec, ArgKind::Required, 0, kAny},
    {"ttl-inc", kInc, ArgKind::Required, 0, kAny},
};

bool parse(const OptionCall& c, TargetData& d) {
  auto& t = std::get<TtlTarget>(d);
  auto v = uint_option(c, c.opt->id == kSet ? 0 : 1, 255);
  if (!v) return false;
  t.ttl = static_cast<uint8_t>(*v);
  switch (c.opt->id) {
    case kSet: t.mode = TtlTarget::Mode::Set; return true;
    case kInc: t.mode = TtlTarget::Mode::Inc; return true;
    case kDec: t.mode = TtlTarget::Mode::Dec; return true;
    default: return false;
  }
}

bool finish(const FinishCall& c, TargetData&) {
  if (!(c.seen & kAny))
    return c.fail("TTL: you must specify an action", "give one of --ttl-set, --ttl-dec, --ttl-inc");
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& t = std::get<TtlTarget>(d);
  switch (t.mode) {
    case TtlTarget::Mode::Set: w.raw(" --ttl-set"); break;
    case TtlTarget::Mode::Dec: w.raw(" --ttl-dec"); break;
    case TtlTarget::Mode::Inc: w.raw(" --ttl-inc"); break;
  }
  w.raw(" ").raw(std::to_string(t.ttl));
}

}  // namespace

const TargetDef kTtlTarget = {
    .kind = TargetKind::Ttl,
    .name = "TTL",
    .options = kOptions,
    .init = [] { return TargetData{TtlTarget{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = nullptr,
    .proto = 0,
    .hooks = kAllHooks,
    .only_table = TableKind::Mangle,
};

}  // namespace iptc::ir::kinds
