// -m set (extensions/libxt_set.c revision 4, the one iptables 1.8.9 picks on current kernels;
// an old-style parser; kernel xt_set.c): [!] --match-set NAME DIR[,DIR...] (alias --set), each
// DIR a word starting with "src" or "dst", at most 6; --return-nomatch; ! --update-counters and
// ! --update-subcounters (without '!' they do nothing); [!] --packets-eq N, --packets-lt N,
// --packets-gt N (one of them) and the same for bytes. --match-set is required.
//
// The set is a reference by name: iptables asks the kernel for it when parsing and fails when
// it does not exist (or is an IPv6 set). iptc cannot see the host's sets, so it accepts any
// well-formed name; whether the set exists is a question for the ipset contents given to iptc.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t {
  kMatchSet, kReturnNomatch, kUpdateCounters, kUpdateSubcounters, kPacketsEq, kPacketsLt,
  kPacketsGt, kBytesEq, kBytesLt, kBytesGt,
};

// The old-style parser has no "only once" rule of its own except for --match-set and the
// counter comparisons, which it checks itself; '!' is read by --match-set, the *-eq options
// and the update options.
constexpr OptionDef kOptions[] = {
    {"match-set", kMatchSet, ArgKind::Required, optflag::kInvert},
    {"set", kMatchSet, ArgKind::Required, optflag::kInvert},
    {"return-nomatch", kReturnNomatch, ArgKind::None, optflag::kMulti},
    {"update-counters", kUpdateCounters, ArgKind::None, optflag::kInvert | optflag::kMulti},
    {"packets-eq", kPacketsEq, ArgKind::Required, optflag::kInvert | optflag::kMulti},
    {"packets-lt", kPacketsLt, ArgKind::Required, optflag::kMulti},
    {"packets-gt", kPacketsGt, ArgKind::Required, optflag::kMulti},
    {"bytes-eq", kBytesEq, ArgKind::Required, optflag::kInvert | optflag::kMulti},
    {"bytes-lt", kBytesLt, ArgKind::Required, optflag::kMulti},
    {"bytes-gt", kBytesGt, ArgKind::Required, optflag::kMulti},
    {"update-subcounters", kUpdateSubcounters, ArgKind::None, optflag::kInvert | optflag::kMulti},
};

constexpr size_t kMaxNameLen = 31;  // IPSET_MAXNAMELEN - 1

bool parse_counter(const OptionCall& c, uint64_t& out) {
  auto v = parse_uint(c.arg, 0, UINT64_MAX);
  if (!v)
    return c.fail(fmt::format("set: invalid counter value '{}'", c.arg),
                  "write a number from 0 to 18446744073709551615");
  out = *v;
  return true;
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& s = std::get<SetMatch>(d);
  using Op = SetMatch::CounterOp;
  auto counter = [&](Op& op, uint64_t& value, Op chosen, std::string_view what) {
    if (op != Op::None)
      return c.fail_option(fmt::format("set: only one of --{0}-eq, --{0}-lt and --{0}-gt is allowed", what));
    op = chosen;
    return parse_counter(c, value);
  };
  switch (c.opt->id) {
    case kMatchSet: {
      if (s.dim != 0) return c.fail_option("set: --match-set can be given only once per -m set");
      const ExtraArg* dirs = c.more ? c.more->peek() : nullptr;
      if (!dirs || (!dirs->text.empty() && (dirs->text[0] == '-' || dirs->text[0] == '!')))
        return c.fail_option("set: --match-set requires two arguments",
                             "write --match-set NAME src (or dst, src,dst, ...)");
      if (c.arg.size() > kMaxNameLen)
        return c.fail(fmt::format("set: set name '{}' is too long ({} characters at most)", c.arg, kMaxNameLen));
      if (c.arg.empty()) return c.fail("set: empty set name", "write the name of an ipset");
      if (!parse_set_dirs(c, *dirs, "set", s.dim, s.dir_flags)) return false;
      c.more->take();
      s.name = std::string(c.arg);
      s.invert = c.invert;
      return true;
    }
    case kReturnNomatch:
      s.flags |= SetMatch::kReturnNomatch;
      return true;
    case kUpdateCounters:
      if (c.invert) s.flags |= SetMatch::kSkipCounterUpdate;
      return true;
    case kUpdateSubcounters:
      if (c.invert) s.flags |= SetMatch::kSkipSubcounterUpdate;
      return true;
    case kPacketsEq: return counter(s.packets_op, s.packets, c.invert ? Op::Ne : Op::Eq, "packets");
    case kPacketsLt: return counter(s.packets_op, s.packets, Op::Lt, "packets");
    case kPacketsGt: return counter(s.packets_op, s.packets, Op::Gt, "packets");
    case kBytesEq: return counter(s.bytes_op, s.bytes, c.invert ? Op::Ne : Op::Eq, "bytes");
    case kBytesLt: return counter(s.bytes_op, s.bytes, Op::Lt, "bytes");
    case kBytesGt: return counter(s.bytes_op, s.bytes, Op::Gt, "bytes");
    default: return false;
  }
}

bool finish(const FinishCall& c, MatchData&) {
  if (!(c.seen & (1u << kMatchSet)))
    return c.fail("set: you must specify --match-set NAME DIRECTIONS", "e.g. -m set --match-set blocklist src");
  return true;
}

void save_counter(SaveWriter& w, SetMatch::CounterOp op, uint64_t value, std::string_view what) {
  switch (op) {
    case SetMatch::CounterOp::None: break;
    case SetMatch::CounterOp::Eq: w.raw(fmt::format(" --{}-eq {}", what, value)); break;
    case SetMatch::CounterOp::Ne: w.raw(fmt::format(" ! --{}-eq {}", what, value)); break;
    case SetMatch::CounterOp::Lt: w.raw(fmt::format(" --{}-lt {}", what, value)); break;
    case SetMatch::CounterOp::Gt: w.raw(fmt::format(" --{}-gt {}", what, value)); break;
  }
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& s = std::get<SetMatch>(d);
  // print_match: the name as the kernel returns it, unquoted.
  w.bang(s.invert).raw(" --match-set ").raw(s.name);
  for (uint8_t i = 0; i < s.dim; ++i)
    w.raw(i == 0 ? " " : ",").raw(s.dir_flags & (1u << i) ? "src" : "dst");
  if (s.flags & SetMatch::kReturnNomatch) w.raw(" --return-nomatch");
  if (s.flags & SetMatch::kSkipCounterUpdate) w.raw(" ! --update-counters");
  if (s.flags & SetMatch::kSkipSubcounterUpdate) w.raw(" ! --update-subcounters");
  save_counter(w, s.packets_op, s.packets, "packets");
  save_counter(w, s.bytes_op, s.bytes, "bytes");
}

}  // namespace

const MatchDef kSet = {
    .kind = MatchKind::Set,
    .name = "set",
    .options = kOptions,
    .init = [] { return MatchData{SetMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
