// -m tcp (extensions/libxt_tcp.c, an old-style parser): --sport/--dport port[:port] by number
// (C notation) or tcp service, --syn, --tcp-flags MASK COMP, --tcp-option N. The kernel match
// (xt_tcpudp.c) needs `-p tcp`.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "iptc/ir/nft_canon.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSport, kDport, kSyn, kFlags, kOption };

constexpr OptionDef kOptions[] = {
    {"source-port", kSport, ArgKind::Required, optflag::kInvert},
    {"sport", kSport, ArgKind::Required, optflag::kInvert},
    {"destination-port", kDport, ArgKind::Required, optflag::kInvert},
    {"dport", kDport, ArgKind::Required, optflag::kInvert},
    {"syn", kSyn, ArgKind::None, optflag::kInvert},
    {"tcp-flags", kFlags, ArgKind::Required, optflag::kInvert},
    {"tcp-option", kOption, ArgKind::Required, optflag::kInvert},
};

struct FlagName {
  std::string_view name;
  uint8_t flag;
};
constexpr FlagName kFlagNames[] = {
    {"FIN", 0x01}, {"SYN", 0x02}, {"RST", 0x04}, {"PSH", 0x08},
    {"ACK", 0x10}, {"URG", 0x20}, {"ALL", 0x3f}, {"NONE", 0},
};

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

/// parse_tcp_ports: "p" or "[lo]:[hi]", each by xtables_parse_port(.., "tcp").
bool parse_ports(const OptionCall& c, PortRange& out) {
  auto one = [&](std::string_view s, uint16_t& v) {
    auto p = parse_port(s, "tcp");
    if (!p)
      return c.fail(fmt::format("invalid port/service '{}'", s),
                    "write a port number 0-65535 or a tcp service name from /etc/services");
    v = *p;
    return true;
  };
  std::string_view a = c.arg;
  size_t colon = a.find(':');
  if (colon == std::string_view::npos) {
    uint16_t v = 0;
    if (!one(a, v)) return false;
    out = {v, v};
    return true;
  }
  std::string_view lo = a.substr(0, colon), hi = a.substr(colon + 1);
  uint16_t l = 0, h = 0xffff;
  if (!lo.empty() && !one(lo, l)) return false;
  if (!hi.empty() && !one(hi, h)) return false;
  if (l > h) return c.fail("invalid port range (min > max)", fmt::format("write {}:{}", h, l));
  out = {l, h};
  return true;
}

/// parse_tcp_flag: comma-separated names (case-insensitive); empty items are skipped.
bool parse_flags(const OptionCall& c, std::string_view s, uint8_t& out, SourceLoc loc, uint32_t len) {
  out = 0;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t comma = s.find(',', pos);
    std::string_view item = s.substr(pos, comma == std::string_view::npos ? s.npos : comma - pos);
    if (!item.empty()) {
      bool found = false;
      for (const auto& f : kFlagNames)
        if (iequal(f.name, item)) {
          out |= f.flag;
          found = true;
          break;
        }
      if (!found) {
        c.diags->error(loc, fmt::format("unknown TCP flag '{}'", item),
                       "flags are SYN ACK FIN RST URG PSH, or ALL and NONE", len);
        return false;
      }
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return true;
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& t = std::get<TcpMatch>(d);
  switch (c.opt->id) {
    case kSport:
      if (!parse_ports(c, t.sport)) return false;
      if (c.invert) t.invflags |= TcpMatch::kInvSrcPort;
      return true;
    case kDport:
      if (!parse_ports(c, t.dport)) return false;
      if (c.invert) t.invflags |= TcpMatch::kInvDstPort;
      return true;
    case kSyn:
      if (c.seen & (1u << kFlags))
        return c.fail_option("only one of '--syn' or '--tcp-flags' is allowed");
      t.flg_mask = 0x17;  // SYN,RST,ACK,FIN
      t.flg_cmp = 0x02;
      if (c.invert) t.invflags |= TcpMatch::kInvFlags;
      return true;
    case kFlags: {
      if (c.seen & (1u << kSyn))
        return c.fail_option("only one of '--syn' or '--tcp-flags' is allowed");
      const ExtraArg* cmp = c.more ? c.more->peek() : nullptr;
      if (!cmp || (!cmp->text.empty() && (cmp->text[0] == '-' || cmp->text[0] == '!')))
        return c.fail_option("--tcp-flags requires two arguments", "write --tcp-flags MASK COMP, e.g. --tcp-flags SYN,ACK SYN");
      if (!parse_flags(c, c.arg, t.flg_mask, c.arg_loc, c.arg_len)) return false;
      if (!parse_flags(c, cmp->text, t.flg_cmp, cmp->loc, cmp->len)) return false;
      c.more->take();
      if (c.invert) t.invflags |= TcpMatch::kInvFlags;
      return true;
    }
    case kOption: {
      auto v = parse_uint(c.arg, 1, 255);
      if (!v) return c.fail(fmt::format("bad TCP option '{}'", c.arg), "a TCP option number is 1-255");
      t.option = static_cast<uint8_t>(*v);
      if (c.invert) t.invflags |= TcpMatch::kInvOption;
      return true;
    }
    default: return false;
  }
}

void print_flags(std::string& out, uint8_t flags) {
  bool any = false;
  while (flags) {
    size_t i = 0;
    while ((flags & kFlagNames[i].flag) == 0) ++i;
    if (any) out += ',';
    out += kFlagNames[i].name;
    any = true;
    flags = static_cast<uint8_t>(flags & ~kFlagNames[i].flag);
  }
  if (!any) out += "NONE";
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& t = std::get<TcpMatch>(d);
  auto ports = [&](const PortRange& p, bool inv, std::string_view name) {
    if (p.lo == 0 && p.hi == 0xffff) return;
    w.bang(inv);
    if (p.lo != p.hi) w.raw(fmt::format(" --{} {}:{}", name, p.lo, p.hi));
    else w.raw(fmt::format(" --{} {}", name, p.lo));
  };
  ports(t.sport, t.invflags & TcpMatch::kInvSrcPort, "sport");
  ports(t.dport, t.invflags & TcpMatch::kInvDstPort, "dport");
  if (t.option || (t.invflags & TcpMatch::kInvOption)) {
    w.bang(t.invflags & TcpMatch::kInvOption);
    w.raw(fmt::format(" --tcp-option {}", t.option));
  }
  if (t.flg_mask || (t.invflags & TcpMatch::kInvFlags)) {
    w.bang(t.invflags & TcpMatch::kInvFlags);
    w.raw(" --tcp-flags ");
    print_flags(w.out(), t.flg_mask);
    w.raw(" ");
    print_flags(w.out(), t.flg_cmp);
  }
}

/// add_nft_tcp: a match iptables-nft encodes natively needs the rule's protocol to be tcp
/// (the protocol number, even when negated with '! -p tcp').
bool finish(const FinishCall& c, MatchData& d) {
  if (nft_is_native(Match{d, {}}) && c.ctx->ip->proto != 6)
    return c.fail("TCP match requires '-p tcp'", "add '-p tcp' before the match");
  return true;
}

}  // namespace

const MatchDef kTcp = {
    .kind = MatchKind::Tcp,
    .name = "tcp",
    .options = kOptions,
    .init = [] { return MatchData{TcpMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = nullptr,
    .proto = 6,
};

}  // namespace iptc::ir::kinds
