// -m time (extensions/libxt_time.c, guided parser; kernel net/netfilter/xt_time.c). Options,
// each at most once:
//   --datestart / --datestop YYYY[-MM[-DD[Thh[:mm[:ss]]]]]   (UTC; fields by strtoul, year
//       1970-2038, month 0-12, day 0-31 with mktime's normalisation: "2020-02-31" is March 2)
//   --timestart / --timestop hh:mm[:ss]   (seconds since midnight)
//   [!] --monthdays D[,D...]   1-31 (C notation, each item cut to 2 characters; an empty item
//       is day 0, which exists in the mask but never matches)
//   [!] --weekdays W[,W...]    Mon..Sun by their first two letters, or 1-7 (C notation; each
//       item cut to 3 characters; the bit is 1 << (N & 31) cut to 8 bits)
//   --contiguous (only when --timestop < --timestart)  --kerneltz | --localtz   --utc
// '!' complements within the valid days. Defaults: every day, 00:00:00-23:59:59, dates from
// 0 to 2^31-1 (the listing always shows that --datestop). The kernel checks nothing iptables
// can produce. Dates and times are in UTC unless --kerneltz (the kernel's sys_tz offset).
#include <fmt/format.h>

#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t {
  kDateStart, kDateStop, kTimeStart, kTimeStop, kContiguous, kMonthdays, kWeekdays, kLocalTz,
  kUtc, kKernelTz,
};

// In the order of time_opts.
constexpr OptionDef kOptions[] = {
    {"datestart", kDateStart, ArgKind::Required, 0},
    {"datestop", kDateStop, ArgKind::Required, 0},
    {"timestart", kTimeStart, ArgKind::Required, 0},
    {"timestop", kTimeStop, ArgKind::Required, 0},
    {"contiguous", kContiguous, ArgKind::None, 0},
    {"weekdays", kWeekdays, ArgKind::Required, optflag::kInvert},
    {"monthdays", kMonthdays, ArgKind::Required, optflag::kInvert},
    {"localtz", kLocalTz, ArgKind::None, 0, 1u << kUtc},
    {"utc", kUtc, ArgKind::None, 0, (1u << kLocalTz) | (1u << kKernelTz)},
    {"kerneltz", kKernelTz, ArgKind::None, 0, 1u << kUtc},
};

using T = TimeMatch;
constexpr uint32_t kAllMonthdays = 0xfffffffe;
constexpr uint8_t kAllWeekdays = 0xfe;
constexpr std::string_view kWeekDays[] = {"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

/// glibc strtoul for base 10 or 0 (64-bit unsigned long): blanks, a sign, an optional 0x/0
/// prefix (base 0), digits; ULONG_MAX on overflow; `end` is 0 when nothing was converted.
struct Ul {
  uint64_t value = 0;
  size_t end = 0;
};
Ul c_strtoul(std::string_view s, int base) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  auto digit = [](char ch) -> int {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'Z') return ch - 'A' + 10;
    return 99;
  };
  if (base == 0) {
    base = 10;
    if (i < s.size() && s[i] == '0') {
      base = 8;
      if (i + 2 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X') && digit(s[i + 2]) < 16) {
        base = 16;
        i += 2;
      }
    }
  }
  size_t start = i;
  uint64_t v = 0;
  bool overflow = false;
  for (; i < s.size() && digit(s[i]) < base; ++i) {
    auto d = static_cast<uint64_t>(digit(s[i]));
    if (v > (UINT64_MAX - d) / static_cast<uint64_t>(base)) overflow = true;
    else v = v * static_cast<uint64_t>(base) + d;
  }
  if (i == start) return {0, 0};
  if (overflow) return {UINT64_MAX, i};
  return {neg ? 0 - v : v, i};
}

/// strtoul cut to unsigned int, as the C code stores it.
uint32_t u32(uint64_t v) { return static_cast<uint32_t>(v); }

/// Days from 1970-01-01 to y-m-01 (proleptic Gregorian; m 1..12).
int64_t days_from_civil(int64_t y, unsigned m) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  auto yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

/// time_parse_date: each field read by strtoul(.., 10) and bounded, then mktime in UTC.
bool parse_date(const OptionCall& c, uint32_t& out) {
  std::string_view s = c.arg;
  auto bad = [&] {
    return c.fail(fmt::format("time: invalid date '{}'", c.arg),
                  "write YYYY[-MM[-DD[Thh[:mm[:ss]]]]] with a year from 1970 to 2038, e.g. 2024-03-01T08:00");
  };
  uint32_t f[6] = {0, 1, 1, 0, 0, 0};
  constexpr char kSep[] = {'-', '-', 'T', ':', ':', '\0'};
  constexpr uint32_t kMax[] = {2038, 12, 31, 23, 59, 59};
  size_t pos = 0;
  for (int k = 0; k < 6; ++k) {
    Ul r = c_strtoul(s.substr(pos), 10);
    f[k] = u32(r.value);
    size_t e = pos + r.end;
    char at = e < s.size() ? s[e] : '\0';
    if ((at != kSep[k] && at != '\0') || f[k] > kMax[k] || (k == 0 && f[k] < 1970)) return bad();
    if (at == '\0') break;
    pos = e + 1;
  }
  // mktime normalises month 0 into December of the year before and day 0 into the last day
  // of the month before.
  int64_t year = f[0], mon = static_cast<int64_t>(f[1]) - 1;
  year += mon < 0 ? -1 : 0;
  mon = (mon + 12) % 12;
  int64_t t = (days_from_civil(year, static_cast<unsigned>(mon + 1)) + static_cast<int64_t>(f[2]) - 1) * 86400 +
              f[3] * 3600 + f[4] * 60 + f[5];
  if (t < 0)
    return c.fail(fmt::format("time: date '{}' is before 1970-01-01", c.arg), "mktime returned an error");
  out = static_cast<uint32_t>(t);
  return true;
}

/// time_parse_minutes.
bool parse_daytime(const OptionCall& c, uint32_t& out) {
  std::string_view s = c.arg;
  auto bad = [&] {
    return c.fail(fmt::format("time: invalid time '{}'", c.arg),
                  "write hh:mm[:ss] between 00:00:00 and 23:59:59");
  };
  Ul h = c_strtoul(s, 10);
  if (h.end >= s.size() || s[h.end] != ':' || u32(h.value) > 23) return bad();
  s = s.substr(h.end + 1);
  Ul m = c_strtoul(s, 10);
  uint32_t sec = 0;
  if ((m.end < s.size() && s[m.end] != ':') || u32(m.value) > 59) return bad();
  if (m.end < s.size()) {
    s = s.substr(m.end + 1);
    Ul sc = c_strtoul(s, 10);
    if (sc.end != s.size() || u32(sc.value) > 59) return bad();
    sec = u32(sc.value);
  }
  out = 3600 * u32(h.value) + 60 * u32(m.value) + sec;
  return true;
}

/// my_strseg: the items between commas, each cut to max characters; nothing after a
/// trailing comma.
template <typename F>
bool each_item(std::string_view arg, size_t max, F&& f) {
  std::optional<std::string_view> rest = arg;
  while (rest && !rest->empty()) {
    size_t comma = rest->find(',');
    std::string_view item = rest->substr(0, comma);
    rest = comma == std::string_view::npos ? std::nullopt : std::optional(rest->substr(comma + 1));
    if (!f(item.substr(0, max))) return false;
  }
  return true;
}

bool parse_monthdays(const OptionCall& c, uint32_t& out) {
  uint32_t mask = 0;
  bool ok = each_item(c.arg, 2, [&](std::string_view day) {
    Ul r = c_strtoul(day, 0);
    if (r.end != day.size() || u32(r.value) > 31)
      return c.fail(fmt::format("time: '{}' is not a valid day for --monthdays", day),
                    "write days of the month 1-31 separated by commas");
    mask |= 1u << u32(r.value);
    return true;
  });
  if (!ok) return false;
  out = mask;
  return true;
}

bool parse_weekdays(const OptionCall& c, uint32_t& out) {
  uint32_t mask = 0;
  bool ok = each_item(c.arg, 3, [&](std::string_view day) {
    Ul r = c_strtoul(day, 0);
    if (r.end == day.size()) {  // all of it numeric (or empty, which reads as 0)
      uint32_t i = u32(r.value);
      if (i == 0)
        return c.fail(fmt::format("time: '{}' is not a weekday (the week begins with Monday = 1)", day),
                      "write Mon, Tue, Wed, Thu, Fri, Sat, Sun or 1-7, separated by commas");
      mask |= 1u << (i & 31);  // the shift as x86 performs it
      return true;
    }
    bool valid = false;
    for (size_t i = 1; i < std::size(kWeekDays); ++i)
      if (day.size() >= 2 && day.substr(0, 2) == kWeekDays[i].substr(0, 2)) {
        mask |= 1u << i;
        valid = true;
      }
    if (!valid)
      return c.fail(fmt::format("time: '{}' is not a valid weekday", day),
                    "write Mon, Tue, Wed, Thu, Fri, Sat, Sun (case matters) or 1-7, separated by commas");
    return true;
  });
  if (!ok) return false;
  out = mask;
  return true;
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& t = std::get<TimeMatch>(d);
  switch (c.opt->id) {
    case kDateStart: return parse_date(c, t.date_start);
    case kDateStop: return parse_date(c, t.date_stop);
    case kTimeStart: return parse_daytime(c, t.daytime_start);
    case kTimeStop: return parse_daytime(c, t.daytime_stop);
    case kContiguous:
      t.flags |= T::kContiguous;
      return true;
    case kLocalTz:
      c.diags->warning(c.opt_loc, "--localtz is being replaced by --kerneltz, since \"local\" is ambiguous",
                       "the kernel timezone has caveats: it is the kernel's sys_tz, not the system's zone");
      t.flags |= T::kLocalTz;
      return true;
    case kKernelTz:
      t.flags |= T::kLocalTz;
      return true;
    case kUtc: return true;
    case kMonthdays: {
      uint32_t m = 0;
      if (!parse_monthdays(c, m)) return false;
      t.monthdays_match = c.invert ? m ^ kAllMonthdays : m;
      return true;
    }
    case kWeekdays: {
      uint32_t m = 0;
      if (!parse_weekdays(c, m)) return false;
      t.weekdays_match = static_cast<uint8_t>(c.invert ? m ^ kAllWeekdays : m);
      return true;
    }
    default: return false;
  }
}

bool finish(const FinishCall& c, MatchData& d) {
  const auto& t = std::get<TimeMatch>(d);
  if ((c.seen & (1u << kContiguous)) && t.daytime_start < t.daytime_stop)
    return c.fail("time: --contiguous only makes sense when --timestop is smaller than --timestart",
                  "drop --contiguous, or use it for a period across midnight such as --timestart 22:00 --timestop 06:00");
  return true;
}

void save_daytime(SaveWriter& w, std::string_view opt, uint32_t v) {
  w.raw(fmt::format(" --{} {:02}:{:02}:{:02}", opt, v / 3600, v / 60 % 60, v % 60));
}

/// Civil date of day number z (days since 1970-01-01).
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  auto doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

/// time_print_date: nothing for 0 (the default start); the 2^31-1 default stop is printed,
/// since iptables compares it with LONG_MAX.
void save_date(SaveWriter& w, std::string_view opt, uint32_t v) {
  if (v == 0) return;
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(v / 86400, y, m, d);
  uint32_t s = v % 86400;
  w.raw(fmt::format(" --{} {:04}-{:02}-{:02}T{:02}:{:02}:{:02}", opt, y, m, d, s / 3600, s / 60 % 60, s % 60));
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& t = std::get<TimeMatch>(d);
  if (t.daytime_start != 0 || t.daytime_stop != 86399) {
    save_daytime(w, "timestart", t.daytime_start);
    save_daytime(w, "timestop", t.daytime_stop);
  }
  if (t.monthdays_match != kAllMonthdays) {
    w.raw(" --monthdays ");
    const char* sep = "";
    for (unsigned i = 1; i <= 31; ++i)
      if (t.monthdays_match & (1u << i)) {
        w.raw(sep).raw(std::to_string(i));
        sep = ",";
      }
  }
  if (t.weekdays_match != kAllWeekdays) {
    w.raw(" --weekdays ");
    const char* sep = "";
    for (unsigned i = 1; i <= 7; ++i)
      if (t.weekdays_match & (1u << i)) {
        w.raw(sep).raw(kWeekDays[i]);
        sep = ",";
      }
  }
  save_date(w, "datestart", t.date_start);
  save_date(w, "datestop", t.date_stop);
  if (t.flags & T::kLocalTz) w.raw(" --kerneltz");
  if (t.flags & T::kContiguous) w.raw(" --contiguous");
}

}  // namespace

const MatchDef kTime = {
    .kind = MatchKind::Time,
    .name = "time",
    .options = kOptions,
    .init = [] { return MatchData{TimeMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
