// -m multiport, revision 1 (extensions/libxt_multiport.c, guided parser; the only revision a
// current kernel offers): --sports/--source-ports, --dports/--destination-ports or --ports
// with up to 15 slots "p[,p|p:q...]", where a range "p:q" takes two slots and needs p < q.
// Ports are parsed with the protocol of the rule (which must therefore come before the
// option): number or service name of tcp, udp, udplite, sctp or dccp. The three options
// exclude each other. The kernel (xt_multiport.c) checks the protocol again.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSource, kDest, kEither };
constexpr uint32_t kAny = (1u << kSource) | (1u << kDest) | (1u << kEither);
constexpr size_t kMaxSlots = 15;  // XT_MULTI_PORTS

constexpr OptionDef kOptions[] = {
    {"source-ports", kSource, ArgKind::Required, optflag::kInvert, kAny},
    {"sports", kSource, ArgKind::Required, optflag::kInvert, kAny},
    {"destination-ports", kDest, ArgKind::Required, optflag::kInvert, kAny},
    {"dports", kDest, ArgKind::Required, optflag::kInvert, kAny},
    {"ports", kEither, ArgKind::Required, optflag::kInvert, kAny},
};

/// proto_to_name of libxt_multiport.c: the protocols whose ports the match can read.
std::optional<std::string_view> port_proto_name(uint8_t proto) {
  switch (proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 136: return "udplite";
    case 132: return "sctp";
    case 33: return "dccp";
  }
  return std::nullopt;
}

constexpr std::string_view kProtoHint = "multiport reads ports of tcp, udp, udplite, sctp and dccp";
constexpr std::string_view kTooManyHint = "multiport takes at most 15 ports; a range counts as two";

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<MultiportMatch>(d);
  // check_proto: the rule's protocol as parsed so far.
  const IpHeaderMatch& ip = *c.ctx->ip;
  if (ip.inv_proto)
    return c.fail_option("multiport cannot be used with '! -p'", std::string(kProtoHint));
  auto proto = port_proto_name(ip.proto);
  if (!proto) {
    if (ip.proto == 0)
      return c.fail_option("multiport needs '-p tcp', '-p udp', '-p udplite', '-p sctp' or '-p dccp'",
                           "give -p before the multiport option");
    return c.fail_option(fmt::format("multiport cannot be used with protocol {}", ip.proto),
                         std::string(kProtoHint));
  }
  // parse_multi_ports_v1
  std::vector<PortRange> ports;
  size_t slots = 0;
  std::string_view rest = c.arg;
  bool more = true;
  auto port = [&](std::string_view s, uint16_t& out) {
    auto p = parse_port(s, *proto);
    if (!p)
      return c.fail(fmt::format("invalid port/service '{}'", s),
                    fmt::format("write a port number 0-65535 or a {} service name", *proto));
    out = *p;
    return true;
  };
  while (more && slots < kMaxSlots) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    more = comma != std::string_view::npos;
    rest = more ? rest.substr(comma + 1) : std::string_view{};
    size_t colon = item.find(':');
    if (colon != std::string_view::npos && slots == kMaxSlots - 1)
      return c.fail("too many ports specified", std::string(kTooManyHint));
    uint16_t lo = 0, hi = 0;
    if (!port(item.substr(0, colon), lo)) return false;
    hi = lo;
    if (colon != std::string_view::npos) {
      if (!port(item.substr(colon + 1), hi)) return false;
      ++slots;
      if (lo >= hi)
        return c.fail(fmt::format("invalid port range '{}'", item),
                      "a range needs its first port below its second");
    }
    ++slots;
    ports.push_back({lo, hi});
  }
  if (more) return c.fail("too many ports specified", std::string(kTooManyHint));
  m.ports = std::move(ports);
  m.dir = c.opt->id == kSource ? MultiportMatch::Dir::Source
          : c.opt->id == kDest ? MultiportMatch::Dir::Destination
                               : MultiportMatch::Dir::Either;
  if (c.invert) m.invert = true;
  return true;
}

bool finish(const FinishCall& c, MatchData&) {
  if (c.seen == 0)
    return c.fail("multiport needs one of --sports, --dports or --ports",
                  "write e.g. -m multiport --dports 80,443");
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<MultiportMatch>(d);
  w.bang(m.invert);
  switch (m.dir) {
    case MultiportMatch::Dir::Source: w.raw(" --sports "); break;
    case MultiportMatch::Dir::Destination: w.raw(" --dports "); break;
    case MultiportMatch::Dir::Either: w.raw(" --ports "); break;
  }
  bool first = true;
  for (const auto& p : m.ports) {
    if (!first) w.raw(",");
    first = false;
    if (p.lo == p.hi) w.raw(fmt::format("{}", p.lo));
    else w.raw(fmt::format("{}:{}", p.lo, p.hi));
  }
}

/// multiport_mt_check: a protocol with ports, not negated.
std::string kernel_check(const KernelCheckCall& k, const MatchData&) {
  if (k.ip->inv_proto || !port_proto_name(k.ip->proto))
    return "match 'multiport' needs '-p tcp', '-p udp', '-p udplite', '-p sctp' or '-p dccp' (not negated)";
  return {};
}

}  // namespace

const MatchDef kMultiport = {
    .kind = MatchKind::Multiport,
    .name = "multiport",
    .options = kOptions,
    .init = [] { return MatchData{MultiportMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
