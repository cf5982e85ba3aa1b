// -m hashlimit, revision 3 (extensions/libxt_hashlimit.c, hashlimit_mt_opts, hashlimit_mt_parse
// and hashlimit_mt_check; the revision iptables 1.8.9 picks on this kernel), guided parser;
// kernel net/netfilter/xt_hashlimit.c. Options, each at most once:
//   [!] --hashlimit-upto RATE | [!] --hashlimit-above RATE   (--hashlimit is the old name of
//       --hashlimit-upto); RATE is N[/second|/minute|/hour|/day] (units: any case-insensitive
//       prefix; N by atoll) or N[k|m]b/s bytes per second; one of them is required
//   --hashlimit-burst N[k|m]    packets 1..1000000, or bytes (at least one rate quantum)
//   --hashlimit-mode srcip,srcport,dstip,dstport   (',' or '|' separated, empty items skipped)
//   --hashlimit-srcmask / --hashlimit-dstmask PLEN   (XTTYPE_PLEN)
//   --hashlimit-name NAME       required, 1..254 bytes kept
//   --hashlimit-htable-size/-max/-gcinterval/-expire N   (uint32)
//   --hashlimit-rate-match, --hashlimit-rate-interval SECONDS (atoi, > 0)
// Defaults that depend on the rate: the expiry is the rate's unit in ms (15 s for byte rates,
// 60 s with a byte burst); with --hashlimit-rate-match the period is divided by its unit and
// the interval defaults to the unit (1 s for bytes). The listing prints the period through
// print_rate, so "10/min --hashlimit-rate-match" lists as "10/sec ... --hashlimit-rate-interval
// 60". The kernel's hashlimit_mt_check_common refuses a zero gc interval or expiry, masks
// longer than 32, a rate-match period of 0, a byte rate its credits cannot hold, a burst whose
// credits overflow (HZ 250 on this kernel), and a name /proc cannot hold; it cuts size and max
// to 1048576 in the rule it keeps and lists (iptc keeps the written values, as iptables-restore
// compares the rules of one transaction as sent, and prints the cut). A table is shared by name; this kernel refuses a rule whose
// --hashlimit-rate-match differs from the rule that created the table.
#include <climits>

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t {
  kUpto, kAbove, kLimitUnused, kMode, kSrcmask, kDstmask, kName, kBurst, kSize, kMax, kGcint,
  kExpire, kRateMatch, kInterval,
};

constexpr uint16_t kInv = optflag::kInvert;
// In the order of hashlimit_mt_opts.
constexpr OptionDef kOptions[] = {
    {"hashlimit-upto", kUpto, ArgKind::Required, kInv, 1u << kAbove},
    {"hashlimit-above", kAbove, ArgKind::Required, kInv, 1u << kUpto},
    {"hashlimit", kUpto, ArgKind::Required, kInv, 1u << kAbove},
    {"hashlimit-srcmask", kSrcmask, ArgKind::Required, 0},
    {"hashlimit-dstmask", kDstmask, ArgKind::Required, 0},
    {"hashlimit-burst", kBurst, ArgKind::Required, 0},
    {"hashlimit-htable-size", kSize, ArgKind::Required, 0},
    {"hashlimit-htable-max", kMax, ArgKind::Required, 0},
    {"hashlimit-htable-gcinterval", kGcint, ArgKind::Required, 0},
    {"hashlimit-htable-expire", kExpire, ArgKind::Required, 0},
    {"hashlimit-mode", kMode, ArgKind::Required, 0},
    {"hashlimit-name", kName, ArgKind::Required, optflag::kMandatory},
    {"hashlimit-rate-match", kRateMatch, ArgKind::None, 0},
    {"hashlimit-rate-interval", kInterval, ArgKind::Required, 0},
};

using H = HashlimitMatch;

constexpr uint64_t kBurstMax = 1000000;      // XT_HASHLIMIT_BURST_MAX
constexpr uint32_t kByteExpire = 15;         // XT_HASHLIMIT_BYTE_EXPIRE (s)
constexpr uint32_t kByteExpireBurst = 60;    // XT_HASHLIMIT_BYTE_EXPIRE_BURST (s)
constexpr size_t kNameMax = 254;             // NAME_MAX - 1
constexpr uint32_t kMaxSize = 1048576;       // HASHLIMIT_MAX_SIZE
constexpr uint64_t kHz = 250;                // CONFIG_HZ of this kernel

constexpr std::string_view kRateHint =
    "write N/second, N/minute, N/hour or N/day (units may be abbreviated), or a byte rate such as 512kb/s or 1mb/s";

/// strtoll(s, NULL, 10), as atoll reads it: blanks, a sign, decimal digits, saturating.
int64_t c_atoll(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  constexpr uint64_t kCap = static_cast<uint64_t>(LLONG_MAX) + 1;
  uint64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i)
    v = v > (kCap - 9) / 10 ? kCap : std::min(kCap, v * 10 + static_cast<uint64_t>(s[i] - '0'));
  if (neg) return v >= kCap ? LLONG_MIN : -static_cast<int64_t>(v);
  return v >= kCap ? LLONG_MAX : static_cast<int64_t>(v);
}

uint64_t factor(char ch) { return ch == 'm' ? 1024 * 1024 : ch == 'k' ? 1024 : 1; }

/// bytes_to_cost: the kernel counts bytes in 16-byte chunks (XT_HASHLIMIT_BYTE_SHIFT); the
/// chunk count is cut to 32 bits. nullopt where iptables divides by zero and dies.
std::optional<uint64_t> bytes_to_cost(uint64_t bytes) {
  uint32_t r = static_cast<uint32_t>(bytes >> 4);
  if (r == UINT32_MAX) return std::nullopt;
  return UINT32_MAX / (r + 1);
}

uint64_t cost_to_bytes(uint64_t cost) {
  uint64_t r = cost ? UINT32_MAX / cost : UINT32_MAX;
  return (r - 1) << 4;
}

enum class Rate { Ok, NotThis, Error };

/// parse_bytes: "N[k|m]b/s" (the first "b/s" in the text; the character before it picks the
/// factor, anything but k and m counting 1).
Rate parse_bytes(const OptionCall& c, uint64_t& avg, uint32_t& mult) {
  std::string_view s = c.arg;
  size_t pos = s.find("b/s");
  if (pos == std::string_view::npos || pos == 0) return Rate::NotThis;
  uint64_t r = static_cast<uint64_t>(c_atoll(s));
  if (r == 0) return Rate::NotThis;
  auto cost = bytes_to_cost(r * factor(s[pos - 1]));
  if (!cost) {
    c.fail(fmt::format("hashlimit: byte rate '{}' is too high", s), std::string(kRateHint));
    return Rate::Error;
  }
  avg = *cost;
  mult = kByteExpire;
  return Rate::Ok;
}

/// parse_rate for revision 2 and later: the period in 1/1000000 s.
Rate parse_rate(const OptionCall& c, uint64_t& avg, uint32_t& mult) {
  std::string_view s = c.arg;
  mult = 1;
  if (size_t slash = s.find('/'); slash != std::string_view::npos) {
    std::string_view unit = s.substr(slash + 1);
    if (unit.empty()) return Rate::NotThis;
    if (iprefix(unit, "second")) mult = 1;
    else if (iprefix(unit, "minute")) mult = 60;
    else if (iprefix(unit, "hour")) mult = 60 * 60;
    else if (iprefix(unit, "day")) mult = 24 * 60 * 60;
    else return Rate::NotThis;
  }
  uint64_t r = static_cast<uint64_t>(c_atoll(s));
  if (r == 0) return Rate::NotThis;
  uint64_t v = H::kScale * mult / r;
  if (v == 0) {
    c.fail(fmt::format("hashlimit: rate '{}' is too fast", s), "the fastest rate is 1000000/second");
    return Rate::Error;
  }
  avg = v;
  return Rate::Ok;
}

bool parse_limit(const OptionCall& c, H& h) {
  Rate b = parse_bytes(c, h.avg, h.mult);
  if (b == Rate::Error) return false;
  if (b == Rate::Ok) {
    h.mode |= H::kBytes;
    return true;
  }
  Rate p = parse_rate(c, h.avg, h.mult);
  if (p == Rate::Error) return false;
  if (p == Rate::NotThis)
    return c.fail(fmt::format("hashlimit: bad rate '{}' for '--{}'", c.arg, c.opt->name), std::string(kRateHint));
  return true;
}

/// parse_mode: strtok over ",|", each item one of the four names, exactly.
bool parse_mode(const OptionCall& c, uint32_t& mode) {
  std::string_view rest = c.arg;
  while (!rest.empty()) {
    size_t sep = rest.find_first_of(",|");
    std::string_view item = rest.substr(0, sep);
    rest = sep == std::string_view::npos ? std::string_view{} : rest.substr(sep + 1);
    if (item.empty()) continue;
    if (item == "dstip") mode |= H::kHashDstIp;
    else if (item == "srcip") mode |= H::kHashSrcIp;
    else if (item == "srcport") mode |= H::kHashSrcPort;
    else if (item == "dstport") mode |= H::kHashDstPort;
    else
      return c.fail(fmt::format("hashlimit: unknown --hashlimit-mode item '{}'", item),
                    "write a comma-separated list of srcip, srcport, dstip, dstport");
  }
  return true;
}

/// parse_burst for revision 2 and later: a number (C notation, at least 1) and an optional
/// unit character (k, m; any other character counts 1), at most 1000000 without one.
bool parse_burst(const OptionCall& c, uint64_t& burst) {
  auto v = parse_uint_prefix(c.arg, 1, UINT64_MAX);
  if (!v || (v->second.empty() && v->first > kBurstMax))
    return c.fail(fmt::format("hashlimit: bad --hashlimit-burst '{}'", c.arg),
                  "a packet burst is a number from 1 to 1000000; a byte burst may end in kb or mb");
  burst = v->first * (v->second.empty() ? 1 : factor(v->second.front()));
  return true;
}

/// atoi: strtol (saturating at the 64-bit long's range) cut to int.
int32_t c_atoi(std::string_view s) { return static_cast<int32_t>(static_cast<uint32_t>(c_atoll(s))); }

bool parse(const OptionCall& c, MatchData& d) {
  auto& h = std::get<HashlimitMatch>(d);
  switch (c.opt->id) {
    case kUpto:
      if (c.invert) h.mode |= H::kInvert;
      return parse_limit(c, h);
    case kAbove:
      if (!c.invert) h.mode |= H::kInvert;
      return parse_limit(c, h);
    case kMode: return parse_mode(c, h.mode);
    case kSrcmask:
    case kDstmask: {
      auto p = parse_plen(c, "hashlimit");
      if (!p) return false;
      (c.opt->id == kSrcmask ? h.srcmask : h.dstmask) = *p;
      return true;
    }
    case kName:
      if (c.arg.empty())
        return c.fail("hashlimit: --hashlimit-name must not be empty", "name the table, e.g. --hashlimit-name ssh");
      h.name = std::string(c.arg.substr(0, kNameMax));
      return true;
    case kBurst: return parse_burst(c, h.burst);
    case kSize:
    case kMax:
    case kGcint:
    case kExpire: {
      auto v = uint_option(c, 0, 0xffffffff);
      if (!v) return false;
      uint32_t& f = c.opt->id == kSize ? h.size : c.opt->id == kMax ? h.max
                    : c.opt->id == kGcint ? h.gc_interval : h.expire;
      f = *v;
      return true;
    }
    case kRateMatch:
      h.mode |= H::kRateMatch;
      return true;
    case kInterval: {
      int32_t v = c_atoi(c.arg);
      if (v <= 0)
        return c.fail(fmt::format("hashlimit: bad --hashlimit-rate-interval '{}'", c.arg),
                      "the interval is a positive number of seconds");
      h.interval = static_cast<uint32_t>(v);
      return true;
    }
    default: return false;
  }
}

/// hashlimit_mt_check (iptables' final check).
bool finish(const FinishCall& c, MatchData& d) {
  auto& h = std::get<HashlimitMatch>(d);
  auto seen = [&](uint8_t id) { return (c.seen & (1u << id)) != 0; };
  if (!seen(kUpto) && !seen(kAbove))
    return c.fail("hashlimit: you have to specify --hashlimit-upto or --hashlimit-above",
                  "e.g. -m hashlimit --hashlimit-upto 10/second --hashlimit-name web");
  if (!seen(kExpire)) h.expire = h.mult * 1000;
  if (h.mode & H::kBytes) {
    uint32_t burst = 0;
    if (seen(kBurst)) {
      uint64_t quantum = cost_to_bytes(h.avg);
      // A rate of about one byte a second has no quantum: iptables divides by zero and dies.
      if (quantum == 0)
        return c.fail("hashlimit: the byte rate is too slow for --hashlimit-burst",
                      "iptables divides by zero here; give a rate of at least 16b/s");
      if (h.burst < quantum)
        return c.fail(fmt::format("hashlimit: burst cannot be smaller than {}b", quantum),
                      "a byte burst holds at least one second of the rate");
      // The C code divides a uint32_t copy of the burst but rounds up with the full value.
      burst = static_cast<uint32_t>(static_cast<uint32_t>(h.burst) / quantum);
      if (h.burst % quantum) ++burst;
      if (!seen(kExpire)) h.expire = kByteExpireBurst * 1000;
    }
    h.burst = burst;
  } else if (h.burst > kBurstMax) {
    return c.fail(fmt::format("hashlimit: --hashlimit-burst {} is out of range (1-1000000)", h.burst));
  }
  if (seen(kRateMatch)) {
    if (!(h.mode & H::kBytes)) h.avg /= h.mult;
    if (h.interval == 0) h.interval = (h.mode & H::kBytes) ? 1 : h.mult;
  }
  h.mult = 0;  // iptables' udata: not part of the rule
  return true;
}

struct RateUnit {
  std::string_view name;
  uint64_t mult;
};
constexpr RateUnit kRates[] = {
    {"day", H::kScale * 24 * 60 * 60},
    {"hour", H::kScale * 60 * 60},
    {"min", H::kScale * 60},
    {"sec", H::kScale},
};

/// print_rate: the period in the first unit that does not divide it well enough; returns
/// that unit in ms (the expiry iptables leaves unprinted).
uint64_t save_rate(SaveWriter& w, uint64_t period) {
  if (period == 0) {
    w.raw(" inf");
    return 0;
  }
  size_t i = 1;
  for (; i < std::size(kRates); ++i)
    if (period > kRates[i].mult || kRates[i].mult / period < kRates[i].mult % period) break;
  w.raw(fmt::format(" {}/{}", kRates[i - 1].mult / period, kRates[i - 1].name));
  return kRates[i - 1].mult / H::kScale * 1000;
}

struct ByteUnit {
  std::string_view name;
  uint64_t thresh;
};
constexpr ByteUnit kUnits[] = {{"m", 1024 * 1024}, {"k", 1024}, {"", 1}};

/// print_bytes: the largest unit that still yields the same cost, and the burst in the
/// largest unit not above it.
uint64_t save_bytes(SaveWriter& w, uint64_t avg, uint64_t burst) {
  uint64_t r = cost_to_bytes(avg);
  size_t i = 0;
  for (; i < std::size(kUnits) - 1; ++i)
    if (r >= kUnits[i].thresh && bytes_to_cost(r & ~(kUnits[i].thresh - 1)) == avg) break;
  w.raw(fmt::format(" {}{}b/s", r / kUnits[i].thresh, kUnits[i].name));
  if (burst == 0) return kByteExpire * 1000;
  r *= burst;
  for (i = 0; i < std::size(kUnits) - 1; ++i)
    if (r >= kUnits[i].thresh) break;
  w.raw(fmt::format(" --hashlimit-burst {}{}b", r / kUnits[i].thresh, kUnits[i].name));
  return kByteExpireBurst * 1000;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& h = std::get<HashlimitMatch>(d);
  w.raw((h.mode & H::kInvert) ? " --hashlimit-above" : " --hashlimit-upto");
  uint64_t quantum = 0;
  if (h.mode & H::kBytes) {
    quantum = save_bytes(w, h.avg, h.burst);
  } else {
    quantum = save_rate(w, h.avg);
    w.raw(fmt::format(" --hashlimit-burst {}", h.burst));
  }
  // print_mode with ',': srcip, srcport, dstip, dstport.
  constexpr std::pair<uint32_t, std::string_view> kModes[] = {
      {H::kHashSrcIp, "srcip"}, {H::kHashSrcPort, "srcport"}, {H::kHashDstIp, "dstip"},
      {H::kHashDstPort, "dstport"},
  };
  const char* sep = " --hashlimit-mode ";
  for (const auto& [bit, name] : kModes)
    if (h.mode & bit) {
      w.raw(sep).raw(name);
      sep = ",";
    }
  w.raw(" --hashlimit-name ").raw(h.name);
  // hashlimit_mt_check_common cuts both in the rule the kernel keeps and lists.
  if (h.size) w.raw(fmt::format(" --hashlimit-htable-size {}", std::min(h.size, kMaxSize)));
  if (h.max) w.raw(fmt::format(" --hashlimit-htable-max {}", std::min(h.max, kMaxSize)));
  if (h.gc_interval != 1000) w.raw(fmt::format(" --hashlimit-htable-gcinterval {}", h.gc_interval));
  // The comparison is with the quantum cut to uint32_t, as hashlimit_mt_save keeps it.
  if (h.expire != static_cast<uint32_t>(quantum))
    w.raw(fmt::format(" --hashlimit-htable-expire {}", h.expire));
  if (h.srcmask != 32) w.raw(fmt::format(" --hashlimit-srcmask {}", h.srcmask));
  if (h.dstmask != 32) w.raw(fmt::format(" --hashlimit-dstmask {}", h.dstmask));
  if (h.mode & H::kRateMatch) {
    w.raw(" --hashlimit-rate-match");
    if (h.interval != 1) w.raw(fmt::format(" --hashlimit-rate-interval {}", h.interval));
  }
}

/// user2credits for revision 3: credits per jiffy CREDITS_PER_JIFFY = the largest power of
/// two not above 2^64 / (HZ * 86400), times HZ, in units of 1/1000000 s; wraps like the
/// kernel's u64 arithmetic.
uint64_t user2credits(uint64_t user) {
  uint64_t max_cpj = UINT64_MAX / (kHz * 60 * 60 * 24);
  uint64_t cpj = uint64_t{1} << (63 - __builtin_clzll(max_cpj));
  return user * (kHz * cpj / H::kScale);
}

/// user2credits_byte: CREDITS_PER_JIFFY_BYTES = the largest power of two not above
/// 2^32 / HZ.
uint32_t user2credits_byte(uint32_t user) {
  uint64_t max_cpj = UINT32_MAX / kHz;
  uint64_t cpj = uint64_t{1} << (63 - __builtin_clzll(max_cpj));
  return static_cast<uint32_t>((uint64_t{user} * kHz * cpj) >> 32);
}

/// xt_check_proc_name and hashlimit_mt_check_common.
std::string kernel_check(const KernelCheckCall& k, const MatchData& d) {
  const auto& h = std::get<HashlimitMatch>(d);
  if (h.name.empty() || h.name == "." || h.name == ".." || h.name.find('/') != std::string::npos)
    return refuse(k, fmt::format("hashlimit: '{}' cannot name a table", h.name),
                  "the name becomes a file in /proc/net/ipt_hashlimit: no '/', not '.' or '..'");
  if (h.gc_interval == 0 || h.expire == 0)
    return refuse(k, "hashlimit: --hashlimit-htable-gcinterval and --hashlimit-htable-expire must not be 0",
                  "give a number of milliseconds, or leave the option out for the default");
  if (h.srcmask > 32 || h.dstmask > 32)
    return refuse(k, "hashlimit: --hashlimit-srcmask and --hashlimit-dstmask must be prefix lengths",
                  "write 0-32 or a contiguous mask such as 255.255.255.0");
  if (h.mode & H::kRateMatch) {
    if (h.avg == 0 || h.avg > UINT32_MAX)
      return refuse(k, "hashlimit: the rate is too fast for --hashlimit-rate-match",
                    "with --hashlimit-rate-match the rate per second must be at most 1000000");
    if (h.interval == 0)
      return refuse(k, "hashlimit: --hashlimit-rate-interval must not be 0", "give a number of seconds");
  } else if (h.mode & H::kBytes) {
    if (user2credits_byte(static_cast<uint32_t>(h.avg)) == 0)
      return refuse(k, "hashlimit: the byte rate is too high for the kernel",
                    "byte rates below 34359738352b/s (32gb/s) fit");
  } else if (h.burst == 0 || user2credits(h.avg * h.burst) < user2credits(h.avg)) {
    uint64_t safe = UINT64_MAX / user2credits(h.avg);
    return refuse(k, fmt::format("hashlimit: the rate with burst {} overflows the kernel's credit counter", h.burst),
                  fmt::format("at this rate a burst of at most {} fits; lower --hashlimit-burst or raise the rate", safe));
  }
  // The table is looked up by name (per family); the first rule creates it.
  if (k.shared) {
    std::string key = "hashlimit:" + h.name;
    uint64_t rate_match = (h.mode & H::kRateMatch) ? 2 : 1;
    auto [it, fresh] = k.shared->emplace(key, rate_match);
    if (!fresh && it->second != rate_match)
      return refuse(k, fmt::format("hashlimit: table '{}' is already used by a rule {} --hashlimit-rate-match",
                                   h.name, it->second == 2 ? "with" : "without"),
                    "rules sharing a --hashlimit-name must agree on --hashlimit-rate-match; rename one table");
  }
  return {};
}

}  // namespace

const MatchDef kHashlimit = {
    .kind = MatchKind::Hashlimit,
    .name = "hashlimit",
    .options = kOptions,
    .init = [] { return MatchData{HashlimitMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
