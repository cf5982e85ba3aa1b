// -m statistic (extensions/libxt_statistic.c, guided parser; kernel xt_statistic.c):
// mandatory --mode random|nth; random: [!] --probability P (0 <= P <= 1, strtod syntax), kept
// as lround(P * 2^31) because the kernel compares it with 31 random bits; nth: [!] --every N
// (N >= 1, kept as N - 1) together with --packet P (0 <= P < N). '!' on either value option
// inverts the whole match. iptables-save prints the probability back with "%.11f" of the kept
// integer over 2^31 and always prints --packet.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kMode, kProbability, kEvery, kPacket };

constexpr OptionDef kOptions[] = {
    {"mode", kMode, ArgKind::Required, optflag::kMandatory},
    {"probability", kProbability, ArgKind::Required, optflag::kInvert,
     (1u << kEvery) | (1u << kPacket)},
    {"every", kEvery, ArgKind::Required, optflag::kInvert, 1u << kProbability, 1u << kPacket},
    {"packet", kPacket, ArgKind::Required, 0, 1u << kProbability, 1u << kEvery},
};

/// XTTYPE_DOUBLE with min 0, max 1: strtod over the whole word, then the range check (NaN
/// passes it, as in C, and lround(NaN) gives the integer indefinite, whose low 32 bits are 0).
std::optional<uint32_t> parse_probability(std::string_view s) {
  std::string text(s);
  if (text.find('\0') != std::string::npos) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') return std::nullopt;
  if (v < 0 || v > 1) return std::nullopt;
  if (std::isnan(v)) return 0;
  return static_cast<uint32_t>(std::lround(2147483648.0 * v));
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& s = std::get<StatisticMatch>(d);
  if (c.invert) s.invert = true;
  switch (c.opt->id) {
    case kMode:
      if (c.arg == "random") s.mode = StatisticMatch::Mode::Random;
      else if (c.arg == "nth") s.mode = StatisticMatch::Mode::Nth;
      else
        return c.fail(fmt::format("statistic: unknown mode '{}'", c.arg),
                      "the modes are 'random' and 'nth' (lower case)");
      return true;
    case kProbability: {
      auto p = parse_probability(c.arg);
      if (!p)
        return c.fail(fmt::format("statistic: invalid probability '{}'", c.arg),
                      "write a number from 0 to 1, e.g. 0.25");
      s.probability = *p;
      return true;
    }
    case kEvery: {
      auto v = parse_uint(c.arg, 1, UINT32_MAX);
      if (!v)
        return c.fail(fmt::format("statistic: invalid value '{}' for --every", c.arg),
                      "write a packet count from 1 to 4294967295");
      s.every = static_cast<uint32_t>(*v - 1);
      return true;
    }
    case kPacket: {
      auto v = parse_uint(c.arg, 0, UINT32_MAX);
      if (!v)
        return c.fail(fmt::format("statistic: invalid value '{}' for --packet", c.arg),
                      "write the initial counter, from 0 to the --every value minus 1");
      s.packet = static_cast<uint32_t>(*v);
      return true;
    }
    default: return false;
  }
}

/// statistic_check. The generic layer has already checked --mode, and that --every and
/// --packet come together without --probability.
bool finish(const FinishCall& c, MatchData& d) {
  auto& s = std::get<StatisticMatch>(d);
  if (s.mode == StatisticMatch::Mode::Random && !(c.seen & (1u << kProbability)))
    return c.fail("statistic: --probability must be specified in random mode",
                  "e.g. -m statistic --mode random --probability 0.5");
  if (s.mode == StatisticMatch::Mode::Nth && !(c.seen & ((1u << kEvery) | (1u << kPacket))))
    return c.fail("statistic: --every and --packet must be specified in nth mode",
                  "e.g. -m statistic --mode nth --every 3 --packet 0");
  if (s.mode == StatisticMatch::Mode::Nth && s.packet > s.every)
    return c.fail(fmt::format("statistic: --packet {} is not below --every {}", s.packet,
                              uint64_t{s.every} + 1),
                  "the initial counter P must be 0 <= P <= N-1");
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& s = std::get<StatisticMatch>(d);
  switch (s.mode) {
    case StatisticMatch::Mode::Random: {
      // glibc's "%.11f" (round-half-even on exact ties), as iptables prints it.
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.11f", 1.0 * s.probability / 2147483648.0);
      w.raw(" --mode random").bang(s.invert).raw(" --probability ").raw(buf);
      break;
    }
    case StatisticMatch::Mode::Nth:
      w.raw(" --mode nth").bang(s.invert);
      w.raw(fmt::format(" --every {} --packet {}", uint64_t{s.every} + 1, s.packet));
      break;
  }
}

}  // namespace

const MatchDef kStatistic = {
    .kind = MatchKind::Statistic,
    .name = "statistic",
    .options = kOptions,
    .init = [] { return MatchData{StatisticMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
