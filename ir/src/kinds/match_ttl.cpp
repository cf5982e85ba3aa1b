// -m ttl (extensions/libipt_ttl.c, guided parser; kernel xt_hl.c ttl_mt): exactly one of
// [!] --ttl-eq N, --ttl-lt N, --ttl-gt N (0-255, C notation). --ttl is an old alias of
// --ttl-eq: libxtables looks an option up by its id, so the alias behaves exactly like
// --ttl-eq (it may be inverted, and the two count as one option). The options exclude each
// other, themselves included. The kernel checks only the mode.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kEq, kLt, kGt };
constexpr uint32_t kAny = (1u << kEq) | (1u << kLt) | (1u << kGt);

// libipt_ttl.c's table order: the first entry of an id gives the flags and the name in errors.
constexpr OptionDef kOptions[] = {
    {"ttl-lt", kLt, ArgKind::Required, 0, kAny},
    {"ttl-gt", kGt, ArgKind::Required, 0, kAny},
    {"ttl-eq", kEq, ArgKind::Required, optflag::kInvert, kAny},
    {"ttl", kEq, ArgKind::Required, 0, kAny},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& t = std::get<TtlMatch>(d);
  auto v = uint_option(c, 0, 255);
  if (!v) return false;
  t.ttl = static_cast<uint8_t>(*v);
  switch (c.opt->id) {
    case kEq: t.mode = c.invert ? TtlMatch::Mode::Ne : TtlMatch::Mode::Eq; break;
    case kLt: t.mode = TtlMatch::Mode::Lt; break;
    case kGt: t.mode = TtlMatch::Mode::Gt; break;
    default: return false;
  }
  return true;
}

bool finish(const FinishCall& c, MatchData&) {
  if (!(c.seen & kAny))
    return c.fail("ttl: one of --ttl-eq, --ttl-lt or --ttl-gt is required", "e.g. -m ttl --ttl-lt 5");
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& t = std::get<TtlMatch>(d);
  switch (t.mode) {
    case TtlMatch::Mode::Eq: w.raw(" --ttl-eq"); break;
    case TtlMatch::Mode::Ne: w.raw(" ! --ttl-eq"); break;
    case TtlMatch::Mode::Lt: w.raw(" --ttl-lt"); break;
    case TtlMatch::Mode::Gt: w.raw(" --ttl-gt"); break;
  }
  w.raw(fmt::format(" {}", t.ttl));
}

}  // namespace

const MatchDef kTtl = {
    .kind = MatchKind::Ttl,
    .name = "ttl",
    .options = kOptions,
    .init = [] { return MatchData{TtlMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
