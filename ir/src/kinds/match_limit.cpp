// -m limit (extensions/libxt_limit.c, guided parser): --limit N[/second|/minute|/hour|/day]
// (units abbreviate to any prefix, case-insensitive; N is read by atoi, so "5abc" is 5) and
// --limit-burst 0..10000; neither may be negated, each at most once. Defaults: 3/hour,
// burst 5. The period is stored as XT_LIMIT_SCALE * unit / N (integer division), and saved
// through print_rate, which picks the largest unit that divides it well enough.
// iptables-nft never loads xt_limit: the match becomes a native nf_tables limit whose rate and
// burst can differ from what was written (nft_canon.cpp), so no xtables check applies.
#include <algorithm>
#include <cctype>
#include <climits>

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kLimit, kBurst };

constexpr OptionDef kOptions[] = {
    {"limit", kLimit, ArgKind::Required, 0},
    {"limit-burst", kBurst, ArgKind::Required, 0},
};

constexpr std::string_view kRateHint =
    "write N/second, N/minute, N/hour or N/day (units may be abbreviated, e.g. 10/s); N from 1 to 10000/second";

/// atoi: strtol(s, NULL, 10) (blanks, a sign, decimal digits, saturating at LONG_MAX) cast
/// to int, then held in the uint32_t of parse_rate.
uint32_t c_atoi(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  // Magnitude, saturated just above LONG_MAX so both saturation directions stay visible.
  constexpr unsigned long long kCap = static_cast<unsigned long long>(LONG_MAX) + 1;
  unsigned long long v = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    if (v > kCap / 10) v = kCap;
    else v = std::min(kCap, v * 10 + static_cast<unsigned>(s[i] - '0'));
  }
  long l = 0;
  if (neg) l = v >= kCap ? LONG_MIN : -static_cast<long>(v);
  else l = v >= kCap ? LONG_MAX : static_cast<long>(v);
  return static_cast<uint32_t>(static_cast<unsigned long>(l));
}

bool parse_rate(const OptionCall& c, uint32_t& avg) {
  std::string_view s = c.arg;
  uint32_t mult = 1;
  if (size_t slash = s.find('/'); slash != std::string_view::npos) {
    std::string_view unit = s.substr(slash + 1);
    if (unit.empty())
      return c.fail(fmt::format("bad rate '{}': missing unit after '/'", s), std::string(kRateHint));
    if (iprefix(unit, "second")) mult = 1;
    else if (iprefix(unit, "minute")) mult = 60;
    else if (iprefix(unit, "hour")) mult = 60 * 60;
    else if (iprefix(unit, "day")) mult = 24 * 60 * 60;
    else
      return c.fail(fmt::format("bad rate '{}': unknown unit '{}'", s, unit), std::string(kRateHint));
  }
  uint32_t r = c_atoi(s);
  if (r == 0) return c.fail(fmt::format("bad rate '{}'", s), std::string(kRateHint));
  uint32_t v = LimitMatch::kScale * mult / r;
  if (v == 0)
    return c.fail(fmt::format("rate '{}' is too fast", s), "the fastest rate is 10000/second");
  avg = v;
  return true;
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<LimitMatch>(d);
  if (c.opt->id == kLimit) return parse_rate(c, m.avg);
  auto b = parse_uint(c.arg, 0, 10000);
  if (!b)
    return c.fail(fmt::format("bad --limit-burst '{}'", c.arg),
                  "the burst is a number from 0 to 10000");
  m.burst = static_cast<uint32_t>(*b);
  return true;
}

struct RateUnit {
  std::string_view name;
  uint32_t mult;
};
constexpr RateUnit kRates[] = {
    {"day", LimitMatch::kScale * 24 * 60 * 60},
    {"hour", LimitMatch::kScale * 60 * 60},
    {"min", LimitMatch::kScale * 60},
    {"sec", LimitMatch::kScale},
};

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<LimitMatch>(d);
  // print_rate: the first unit that no longer divides the period well enough ends the search.
  if (m.avg == 0) {
    w.raw(" --limit inf");
  } else {
    size_t i = 1;
    for (; i < std::size(kRates); ++i)
      if (m.avg > kRates[i].mult || kRates[i].mult / m.avg < kRates[i].mult % m.avg) break;
    w.raw(fmt::format(" --limit {}/{}", kRates[i - 1].mult / m.avg, kRates[i - 1].name));
  }
  if (m.burst != 5) w.raw(fmt::format(" --limit-burst {}", m.burst));
}

}  // namespace

const MatchDef kLimit = {
    .kind = MatchKind::Limit,
    .name = "limit",
    .options = kOptions,
    .init = [] { return MatchData{LimitMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
