// -m iprange (extensions/libxt_iprange.c revision 1, guided parser; kernel xt_iprange.c):
// [!] --src-range / [!] --dst-range FROM[-TO], each address a numeric dotted quad with
// libxtables' auto-completion ("10.1" is 10.1.0.0) and no host names. One of the two options
// is required. A reversed range is accepted (it never matches): iptables only warns.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSrcRange, kDstRange };

constexpr OptionDef kOptions[] = {
    {"src-range", kSrcRange, ArgKind::Required, optflag::kInvert},
    {"dst-range", kDstRange, ArgKind::Required, optflag::kInvert},
};

/// iprange_parse_range: split at the first '-'; each side by xtables_numeric_to_ipaddr.
bool parse_range(const OptionCall& c, uint32_t& lo, uint32_t& hi) {
  std::string_view a = c.arg;
  size_t dash = a.find('-');
  std::string_view from = a.substr(0, dash);
  std::string_view to = dash == std::string_view::npos ? from : a.substr(dash + 1);
  auto one = [&](std::string_view s, uint32_t& out) {
    auto v = parse_ipv4_numeric(s, true);
    if (!v)
      return c.fail(fmt::format("iprange: invalid address '{}' in '--{}'", s, c.opt->name),
                    "write a numeric range such as 10.0.0.1-10.0.0.99 (host names are not allowed)");
    out = *v;
    return true;
  };
  if (!one(from, lo) || !one(to, hi)) return false;
  if (lo > hi)
    c.diags->warning(c.arg_loc,
                     fmt::format("iprange: range {} is reversed and contains no address", c.arg),
                     fmt::format("write {}-{}", ipv4_to_string(hi), ipv4_to_string(lo)), c.arg_len);
  return true;
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& r = std::get<IprangeMatch>(d);
  if (c.opt->id == kSrcRange) {
    if (!parse_range(c, r.src_min, r.src_max)) return false;
    r.flags |= IprangeMatch::kSrc;
    if (c.invert) r.flags |= IprangeMatch::kSrcInv;
  } else {
    if (!parse_range(c, r.dst_min, r.dst_max)) return false;
    r.flags |= IprangeMatch::kDst;
    if (c.invert) r.flags |= IprangeMatch::kDstInv;
  }
  return true;
}

bool finish(const FinishCall& c, MatchData&) {
  if (c.seen == 0)
    return c.fail("iprange: you must specify --src-range or --dst-range",
                  "e.g. -m iprange --src-range 10.0.0.1-10.0.0.99");
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& r = std::get<IprangeMatch>(d);
  if (r.flags & IprangeMatch::kSrc)
    w.bang(r.flags & IprangeMatch::kSrcInv)
        .raw(fmt::format(" --src-range {}-{}", ipv4_to_string(r.src_min), ipv4_to_string(r.src_max)));
  if (r.flags & IprangeMatch::kDst)
    w.bang(r.flags & IprangeMatch::kDstInv)
        .raw(fmt::format(" --dst-range {}-{}", ipv4_to_string(r.dst_min), ipv4_to_string(r.dst_max)));
}

}  // namespace

const MatchDef kIprange = {
    .kind = MatchKind::Iprange,
    .name = "iprange",
    .options = kOptions,
    .init = [] { return MatchData{IprangeMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
