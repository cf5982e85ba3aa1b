// -m recent, revision 1 (extensions/libxt_recent.c, recent_opts_v1; guided parser; kernel
// net/netfilter/xt_recent.c). Options, each at most once:
//   [!] --set | --rcheck | --update | --remove   exactly one of them ('!' negates the result)
//   --seconds N (1..2^32-1)   --hitcount N (0..2^32-1)   --rttl (not with --set/--remove)
//   --reap (needs --seconds)  --name NAME (default DEFAULT; cut to 199 bytes)
//   --rsource | --rdest (the later wins)  --mask ADDR (XTTYPE_HOST, default 255.255.255.255)
// The kernel's recent_mt_check refuses --seconds, --hitcount, --rttl and --reap with --set or
// --remove, a hit count of 65536 or more (this kernel's XT_RECENT_MAX_NSTAMPS), an empty name,
// and a name its /proc/net/xt_recent entry cannot have ('/', "." and ".."). iptables-nft keeps
// it an xtables match. The list is per network namespace and shared by name across rules.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t {
  kSetOpt, kRcheck, kUpdate, kRemove, kSeconds, kReap, kHitcount, kRttl, kName, kRsource, kRdest,
  kMask,
};

constexpr uint32_t kAnyOp = (1u << kSetOpt) | (1u << kRcheck) | (1u << kUpdate) | (1u << kRemove);
constexpr uint16_t kInv = optflag::kInvert;

// In the order of recent_opts_v1 (it decides getopt's abbreviation matching).
constexpr OptionDef kOptions[] = {
    {"set", kSetOpt, ArgKind::None, kInv, kAnyOp},
    {"rcheck", kRcheck, ArgKind::None, kInv, kAnyOp},
    {"update", kUpdate, ArgKind::None, kInv, kAnyOp},
    {"remove", kRemove, ArgKind::None, kInv, kAnyOp},
    {"seconds", kSeconds, ArgKind::Required, 0},
    {"reap", kReap, ArgKind::None, 0, 0, 1u << kSeconds},
    {"hitcount", kHitcount, ArgKind::Required, 0},
    {"rttl", kRttl, ArgKind::None, 0, (1u << kSetOpt) | (1u << kRemove)},
    {"name", kName, ArgKind::Required, 0},
    {"rsource", kRsource, ArgKind::None, 0},
    {"rdest", kRdest, ArgKind::None, 0},
    {"mask", kMask, ArgKind::Required, 0},
};

constexpr size_t kNameMax = 199;        // XT_RECENT_NAME_LEN - 1
constexpr uint32_t kMaxNstamps = 65536;  // XT_RECENT_MAX_NSTAMPS of this kernel

using R = RecentMatch;

bool parse(const OptionCall& c, MatchData& d) {
  auto& r = std::get<RecentMatch>(d);
  auto command = [&](uint8_t bit) {
    r.check_set |= bit;
    if (c.invert) r.invert = true;
    return true;
  };
  switch (c.opt->id) {
    case kSetOpt: return command(R::kSet);
    case kRcheck: return command(R::kCheck);
    case kUpdate: return command(R::kUpdate);
    case kRemove: return command(R::kRemove);
    case kSeconds: {
      auto v = uint_option(c, 1, 0xffffffff);
      if (!v) return false;
      r.seconds = *v;
      return true;
    }
    case kHitcount: {
      auto v = uint_option(c, 0, 0xffffffff);
      if (!v) return false;
      r.hit_count = *v;
      return true;
    }
    case kReap:
      r.check_set |= R::kReap;
      return true;
    case kRttl:
      r.check_set |= R::kTtl;
      return true;
    case kName:
      // xtopt_parse_string with XTOPT_PUT: silently cut to the field's size.
      r.name = std::string(c.arg.substr(0, kNameMax));
      return true;
    case kRsource:
      r.side = R::Side::Source;
      return true;
    case kRdest:
      r.side = R::Side::Dest;
      return true;
    case kMask: {
      auto m = parse_host(c, "recent");
      if (!m) return false;
      r.mask = *m;
      r.mask_tail_ones = false;
      return true;
    }
    default: return false;
  }
}

bool finish(const FinishCall& c, MatchData&) {
  if (!(c.seen & kAnyOp))
    return c.fail("recent: you must specify one of --set, --rcheck, --update or --remove",
                  "e.g. -m recent --update --seconds 60 --hitcount 4 --name ssh");
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& r = std::get<RecentMatch>(d);
  w.bang(r.invert);
  if (r.check_set & R::kSet) w.raw(" --set");
  if (r.check_set & R::kCheck) w.raw(" --rcheck");
  if (r.check_set & R::kUpdate) w.raw(" --update");
  if (r.check_set & R::kRemove) w.raw(" --remove");
  // recent_save prints both numbers with "%d", so values above 2^31-1 come out negative.
  if (r.seconds) w.raw(fmt::format(" --seconds {}", static_cast<int32_t>(r.seconds)));
  if (r.check_set & R::kReap) w.raw(" --reap");
  if (r.hit_count) w.raw(fmt::format(" --hitcount {}", static_cast<int32_t>(r.hit_count)));
  if (r.check_set & R::kTtl) w.raw(" --rttl");
  w.raw(" --name ").raw(r.name);
  w.raw(" --mask ").raw(ipv4_to_string(r.mask));
  w.raw(r.side == R::Side::Dest ? " --rdest" : " --rsource");
}

/// recent_mt_check (the flag, count and name tests) and proc_create_data for the list's
/// /proc/net/xt_recent entry.
std::string kernel_check(const KernelCheckCall& k, const MatchData& d) {
  const auto& r = std::get<RecentMatch>(d);
  if ((r.check_set & (R::kSet | R::kRemove)) &&
      (r.seconds || r.hit_count || (r.check_set & (R::kTtl | R::kReap))))
    return refuse(k, "recent: --seconds, --hitcount, --rttl and --reap work only with --rcheck or --update",
                  "test the list in a separate -m recent --rcheck/--update rule, or drop the modifiers");
  if (r.hit_count >= kMaxNstamps)
    return refuse(k, fmt::format("recent: --hitcount {} is larger than the kernel allows", r.hit_count),
                  fmt::format("the kernel remembers at most {} packets per address", kMaxNstamps - 1));
  if (r.name.empty())
    return refuse(k, "recent: the list name must not be empty", "name the list, e.g. --name ssh");
  if (r.name == "." || r.name == ".." || r.name.find('/') != std::string::npos)
    return refuse(k, fmt::format("recent: '{}' cannot name a list", r.name),
                  "the name becomes a file in /proc/net/xt_recent: no '/', not '.' or '..'");
  return {};
}

}  // namespace

const MatchDef kRecent = {
    .kind = MatchKind::Recent,
    .name = "recent",
    .options = kOptions,
    .init = [] { return MatchData{RecentMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
