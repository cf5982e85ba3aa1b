// -m udp (extensions/libxt_udp.c, guided parser): --sport/--dport as XTTYPE_PORTRC, which
// resolves names through getaddrinfo and (unlike tcp) accepts lo > hi. Needs `-p udp`.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "iptc/ir/nft_canon.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSport, kDport };

constexpr OptionDef kOptions[] = {
    {"source-port", kSport, ArgKind::Required, optflag::kInvert},
    {"sport", kSport, ArgKind::Required, optflag::kInvert},
    {"destination-port", kDport, ArgKind::Required, optflag::kInvert},
    {"dport", kDport, ArgKind::Required, optflag::kInvert},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& u = std::get<UdpMatch>(d);
  auto r = parse_portrc(c, "udp");
  if (!r) return false;
  if (c.opt->id == kSport) {
    u.sport = *r;
    if (c.invert) u.invflags |= UdpMatch::kInvSrcPort;
  } else {
    u.dport = *r;
    if (c.invert) u.invflags |= UdpMatch::kInvDstPort;
  }
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& u = std::get<UdpMatch>(d);
  auto ports = [&](const PortRange& p, bool inv, std::string_view name) {
    if (p.lo == 0 && p.hi == 0xffff) return;
    w.bang(inv);
    if (p.lo != p.hi) w.raw(fmt::format(" --{} {}:{}", name, p.lo, p.hi));
    else w.raw(fmt::format(" --{} {}", name, p.lo));
  };
  ports(u.sport, u.invflags & UdpMatch::kInvSrcPort, "sport");
  ports(u.dport, u.invflags & UdpMatch::kInvDstPort, "dport");
}

/// add_nft_udp: a match iptables-nft encodes natively needs the rule's protocol to be udp
/// (the protocol number, even when negated with '! -p udp').
bool finish(const FinishCall& c, MatchData& d) {
  if (nft_is_native(Match{d, {}}) && c.ctx->ip->proto != 17)
    return c.fail("UDP match requires '-p udp'", "add '-p udp' before the match");
  return true;
}

}  // namespace

const MatchDef kUdp = {
    .kind = MatchKind::Udp,
    .name = "udp",
    .options = kOptions,
    .init = [] { return MatchData{UdpMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = nullptr,
    .proto = 17,
};

}  // namespace iptc::ir::kinds
