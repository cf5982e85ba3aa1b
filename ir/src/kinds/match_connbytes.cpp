// -m connbytes (extensions/libxt_connbytes.c, guided parser; kernel xt_connbytes.c), all three
// options mandatory and once: [!] --connbytes FROM[:TO] (XTTYPE_UINT64RC; a single number or
// an empty TO means no upper bound; FROM > TO is refused), --connbytes-dir
// original|reply|both and --connbytes-mode packets|bytes|avgpkt (exact, case-sensitive).
// '!' swaps FROM and TO in the kernel struct, which the kernel reads as "outside the range";
// save prints '!' exactly when FROM > TO, so an inverted one-value range such as "! 10:10"
// lists without it. Save prints ":TO" only for 0 < TO < 2^64-1.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kConnbytes, kDir, kMode };

constexpr OptionDef kOptions[] = {
    {"connbytes", kConnbytes, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
    {"connbytes-dir", kDir, ArgKind::Required, optflag::kMandatory},
    {"connbytes-mode", kMode, ArgKind::Required, optflag::kMandatory},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<ConnbytesMatch>(d);
  using Dir = ConnbytesMatch::Dir;
  using What = ConnbytesMatch::What;
  switch (c.opt->id) {
    case kConnbytes: {
      auto r = parse_uint_rc(c, "connbytes", UINT64_MAX);
      if (!r) return false;
      m.from = r->first;
      // nvals == 2 exactly when the argument has a ':' (parse_uint_rc allows at most one).
      m.to = c.arg.find(':') != std::string_view::npos ? r->second : UINT64_MAX;
      if (m.to < m.from)
        return c.fail(
            fmt::format("connbytes: range {}:{} is reversed", m.from, m.to),
            fmt::format("write {}:{}, or put '!' before --connbytes to match outside a range", m.to, m.from));
      if (c.invert) std::swap(m.from, m.to);
      return true;
    }
    case kDir:
      if (c.arg == "original")
        m.direction = Dir::Original;
      else if (c.arg == "reply")
        m.direction = Dir::Reply;
      else if (c.arg == "both")
        m.direction = Dir::Both;
      else
        return c.fail(fmt::format("connbytes: unknown direction '{}'", c.arg),
                      "write original, reply or both");
      return true;
    case kMode:
      if (c.arg == "packets")
        m.what = What::Packets;
      else if (c.arg == "bytes")
        m.what = What::Bytes;
      else if (c.arg == "avgpkt")
        m.what = What::AvgPkt;
      else
        return c.fail(fmt::format("connbytes: unknown mode '{}'", c.arg), "write packets, bytes or avgpkt");
      return true;
    default: return false;
  }
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<ConnbytesMatch>(d);
  uint64_t from = m.from, to = m.to;
  if (from > to) {
    w.raw(" !");
    std::swap(from, to);
  }
  w.raw(fmt::format(" --connbytes {}", from));
  if (to != 0 && to < UINT64_MAX) w.raw(fmt::format(":{}", to));
  switch (m.what) {
    case ConnbytesMatch::What::Packets: w.raw(" --connbytes-mode packets"); break;
    case ConnbytesMatch::What::Bytes: w.raw(" --connbytes-mode bytes"); break;
    case ConnbytesMatch::What::AvgPkt: w.raw(" --connbytes-mode avgpkt"); break;
  }
  switch (m.direction) {
    case ConnbytesMatch::Dir::Original: w.raw(" --connbytes-dir original"); break;
    case ConnbytesMatch::Dir::Reply: w.raw(" --connbytes-dir reply"); break;
    case ConnbytesMatch::Dir::Both: w.raw(" --connbytes-dir both"); break;
  }
}

}  // namespace

const MatchDef kConnbytes = {
    .kind = MatchKind::Connbytes,
    .name = "connbytes",
    .options = kOptions,
    .init = [] { return MatchData{ConnbytesMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
