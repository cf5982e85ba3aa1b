// -m quota (extensions/libxt_quota.c, guided parser; kernel xt_quota.c): mandatory
// [!] --quota BYTES (XTTYPE_UINT64, C notation), once. The kernel keeps the remaining budget
// per rule; see QuotaMatch.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kQuota };

constexpr OptionDef kOptions[] = {
    {"quota", kQuota, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& q = std::get<QuotaMatch>(d);
  auto v = parse_uint(c.arg, 0, UINT64_MAX);
  if (!v)
    return c.fail(fmt::format("quota: bad byte count '{}'", c.arg),
                  "write a number of bytes from 0 to 18446744073709551615 (no unit suffixes)");
  q.quota = *v;
  if (c.invert) q.invert = true;
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& q = std::get<QuotaMatch>(d);
  w.bang(q.invert).raw(fmt::format(" --quota {}", q.quota));
}

}  // namespace

const MatchDef kQuota = {
    .kind = MatchKind::Quota,
    .name = "quota",
    .options = kOptions,
    .init = [] { return MatchData{QuotaMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
