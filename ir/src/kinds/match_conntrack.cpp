// -m conntrack, revision 3 (extensions/libxt_conntrack.c, conntrack3_mt_opts and
// conntrack_mt_parse; the revision iptables 1.8.9 picks on any kernel since 2.6.38), guided
// parser; every option at most once, all but --ctdir invertible:
//   --ctstate LIST     INVALID NEW ESTABLISHED RELATED UNTRACKED SNAT DNAT, comma-separated,
//                      each abbreviable to any case-insensitive prefix (first match wins)
//   --ctstatus LIST    NONE EXPECTED SEEN_REPLY ASSURED CONFIRMED, the same way
//   --ctproto P        number or name (XTTYPE_PROTOCOL)
//   --ctorigsrc/--ctorigdst/--ctreplsrc/--ctrepldst ADDR[/MASK]   XTTYPE_HOSTMASK: the address
//                      through getaddrinfo (inet_aton forms: "10.1" is 10.0.0.1), the mask a
//                      prefix length or a dotted mask; a non-contiguous mask becomes /32
//   --ctorigsrcport ... --ctrepldstport P[:P]   XTTYPE_PORTRC (getaddrinfo services, no order
//                      check)
//   --ctexpire N[:N]   XTTYPE_UINT32RC seconds
//   --ctdir ORIGINAL|REPLY
// and at least one of them. The kernel (xt_conntrack.c) checks nothing beyond loading
// conntrack. iptables-nft keeps it an xtables match.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t {
  kState, kProto, kOrigSrc, kOrigDst, kReplSrc, kReplDst, kOrigSrcPort, kOrigDstPort,
  kReplSrcPort, kReplDstPort, kStatus, kExpire, kDir,
};

constexpr uint16_t kInv = optflag::kInvert;
// In the order of conntrack3_mt_opts (it decides getopt's abbreviation matching).
constexpr OptionDef kOptions[] = {
    {"ctstate", kState, ArgKind::Required, kInv},
    {"ctproto", kProto, ArgKind::Required, kInv},
    {"ctorigsrc", kOrigSrc, ArgKind::Required, kInv},
    {"ctorigdst", kOrigDst, ArgKind::Required, kInv},
    {"ctreplsrc", kReplSrc, ArgKind::Required, kInv},
    {"ctrepldst", kReplDst, ArgKind::Required, kInv},
    {"ctstatus", kStatus, ArgKind::Required, kInv},
    {"ctexpire", kExpire, ArgKind::Required, kInv},
    {"ctorigsrcport", kOrigSrcPort, ArgKind::Required, kInv},
    {"ctorigdstport", kOrigDstPort, ArgKind::Required, kInv},
    {"ctreplsrcport", kReplSrcPort, ArgKind::Required, kInv},
    {"ctrepldstport", kReplDstPort, ArgKind::Required, kInv},
    {"ctdir", kDir, ArgKind::Required, 0},
};

using C = ConntrackMatch;

struct Name {
  std::string_view name;
  uint16_t bit;
};
// conntrack_ps_state / conntrack_ps_status, in their order of comparison.
constexpr Name kStates[] = {
    {"INVALID", C::kStInvalid}, {"NEW", C::kStNew},           {"ESTABLISHED", C::kStEstablished},
    {"RELATED", C::kStRelated}, {"UNTRACKED", C::kStUntracked}, {"SNAT", C::kStSnat},
    {"DNAT", C::kStDnat},
};
constexpr Name kStatuses[] = {
    {"NONE", 0}, {"EXPECTED", C::kStatusExpected}, {"SEEN_REPLY", C::kStatusSeenReply},
    {"ASSURED", C::kStatusAssured}, {"CONFIRMED", C::kStatusConfirmed},
};

/// A comma-separated list of names, each a prefix of one of `names`; empty items are errors.
bool parse_names(const OptionCall& c, std::span<const Name> names, std::string_view what,
                 uint16_t& mask) {
  std::string valid;
  for (const auto& n : names) valid += (valid.empty() ? "" : ",") + std::string(n.name);
  std::string_view rest = c.arg;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    if (item.empty())
      return c.fail(fmt::format("empty {} in '{}'", what, c.arg),
                    fmt::format("write a comma-separated list without spaces of {}", valid));
    const Name* found = nullptr;
    for (const auto& n : names)
      if (iprefix(item, n.name)) {
        found = &n;
        break;
      }
    if (!found)
      return c.fail(fmt::format("unknown {} '{}'", what, item), fmt::format("valid: {}", valid));
    mask = static_cast<uint16_t>(mask | found->bit);
    if (comma == std::string_view::npos) return true;
    rest = rest.substr(comma + 1);
  }
}

/// XTTYPE_UINT32RC (xtopt_parse_mint): "N", "N:M", ":M", "N:", ":" or even "" (0).
bool parse_expire(const OptionCall& c, uint32_t& lo, uint32_t& hi) {
  uint32_t vals[2] = {0, 0};
  size_t n = 0;
  std::string_view arg = c.arg;
  while (true) {
    if (n == 2)
      return c.fail("too many components for --ctexpire (at most 2)", "write SECONDS or MIN:MAX");
    std::string_view end = arg;
    uint32_t v = 0;
    if (arg.empty() || arg.front() == ':') {
      v = n == 1 ? 0xffffffffu : 0;  // an empty field: 0 below, the maximum above
    } else {
      auto r = parse_uint_prefix(arg, 0, 0xffffffffu);
      if (!r)
        return c.fail(fmt::format("bad --ctexpire value near '{}'", arg),
                      "seconds are numbers from 0 to 4294967295");
      if (!r->second.empty() && r->second.front() != ':')
        return c.fail(fmt::format("unexpected characters '{}' in --ctexpire", r->second),
                      "write SECONDS or MIN:MAX");
      v = static_cast<uint32_t>(r->first);
      end = r->second;
    }
    vals[n++] = v;
    if (end.empty()) break;
    arg = end.substr(1);
  }
  lo = vals[0];
  hi = n >= 2 ? vals[1] : vals[0];
  return true;
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<ConntrackMatch>(d);
  uint16_t flag = 0;
  switch (c.opt->id) {
    case kState:
      if (!parse_names(c, kStates, "conntrack state", m.state_mask)) return false;
      flag = C::kState;
      break;
    case kProto: {
      auto p = parse_protocol(c.arg);
      if (!p)
        return c.fail(fmt::format("unknown protocol '{}'", c.arg),
                      "use a name from /etc/protocols or a number 0-255");
      // conntrack_mt_parse tests XT_INV_PROTO (0x40) in invert_flags, where that bit is
      // XT_CONNTRACK_STATUS: so "--ctproto 0" fails after "! --ctstatus", not after
      // "! --ctproto".
      if (*p == 0 && (m.invert_flags & 0x40))
        return c.fail("conntrack: rule would never match protocol",
                      "iptables tests this against '! --ctstatus' given earlier; drop --ctproto 0");
      m.l4proto = *p;
      flag = C::kProto;
      break;
    }
    case kOrigSrc:
      if (!parse_hostmask(c, m.origsrc)) return false;
      flag = C::kOrigSrc;
      break;
    case kOrigDst:
      if (!parse_hostmask(c, m.origdst)) return false;
      flag = C::kOrigDst;
      break;
    case kReplSrc:
      if (!parse_hostmask(c, m.replsrc)) return false;
      flag = C::kReplSrc;
      break;
    case kReplDst:
      if (!parse_hostmask(c, m.repldst)) return false;
      flag = C::kReplDst;
      break;
    case kOrigSrcPort:
    case kOrigDstPort:
    case kReplSrcPort:
    case kReplDstPort: {
      auto r = parse_portrc(c, "conntrack");
      if (!r) return false;
      PortRange* dst = c.opt->id == kOrigSrcPort   ? &m.origsrc_port
                       : c.opt->id == kOrigDstPort ? &m.origdst_port
                       : c.opt->id == kReplSrcPort ? &m.replsrc_port
                                                   : &m.repldst_port;
      *dst = *r;
      flag = c.opt->id == kOrigSrcPort   ? C::kOrigSrcPort
             : c.opt->id == kOrigDstPort ? C::kOrigDstPort
             : c.opt->id == kReplSrcPort ? C::kReplSrcPort
                                         : C::kReplDstPort;
      break;
    }
    case kStatus:
      if (!parse_names(c, kStatuses, "conntrack status", m.status_mask)) return false;
      flag = C::kStatus;
      break;
    case kExpire:
      if (!parse_expire(c, m.expires_min, m.expires_max)) return false;
      flag = C::kExpires;
      break;
    case kDir: {
      // strcasecmp: the whole word, any case.
      auto ieq = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() && iprefix(a, b);
      };
      if (ieq(c.arg, "ORIGINAL")) {
        m.invert_flags = static_cast<uint16_t>(m.invert_flags & ~C::kDirection);
      } else if (ieq(c.arg, "REPLY")) {
        m.invert_flags |= C::kDirection;
      } else {
        return c.fail(fmt::format("bad value for --ctdir: '{}'", c.arg), "write ORIGINAL or REPLY");
      }
      m.match_flags |= C::kDirection;
      return true;
    }
    default: return false;
  }
  m.match_flags |= flag;
  if (c.invert) m.invert_flags |= flag;
  return true;
}

bool finish(const FinishCall& c, MatchData&) {
  if (c.seen == 0)
    return c.fail("conntrack needs at least one option",
                  "e.g. -m conntrack --ctstate ESTABLISHED,RELATED");
  return true;
}

void save_names(SaveWriter& w, std::span<const Name> names, uint16_t mask) {
  const char* sep = " ";
  for (const auto& n : names)
    if (n.bit && (mask & n.bit)) {
      w.raw(sep).raw(n.name);
      sep = ",";
    }
}

// print_state's order differs from the parser's: RELATED before ESTABLISHED.
constexpr Name kStatePrintOrder[] = {
    {"INVALID", C::kStInvalid}, {"NEW", C::kStNew},         {"RELATED", C::kStRelated},
    {"ESTABLISHED", C::kStEstablished}, {"UNTRACKED", C::kStUntracked}, {"SNAT", C::kStSnat},
    {"DNAT", C::kStDnat},
};

void save_addr(SaveWriter& w, const Ipv4Net& n) {
  w.raw(" ").raw(ipv4_to_string(n.addr));
  if (n.mask != 0xffffffff) w.raw("/").raw(mask_to_string(n.mask));
}

void save_ports(SaveWriter& w, std::string_view opt, const PortRange& p) {
  // conntrack_dump_ports: a zero high end or a single port prints one number.
  if (p.hi == 0 || p.lo == p.hi) w.raw(fmt::format(" --{} {}", opt, p.lo));
  else w.raw(fmt::format(" --{} {}:{}", opt, p.lo, p.hi));
}

}  // namespace

/// conntrack_dump for IPv4 (conntrack3_mt_save); shared with -m state, which is conntrack
/// under another name.
void save_conntrack(SaveWriter& w, const ConntrackMatch& m) {
  auto on = [&](uint16_t f) { return (m.match_flags & f) != 0; };
  auto bang = [&](uint16_t f) { w.bang((m.invert_flags & f) != 0); };
  if (on(C::kState)) {
    bang(C::kState);
    w.raw(on(C::kStateAlias) ? " --state" : " --ctstate");
    save_names(w, kStatePrintOrder, m.state_mask);
  }
  if (on(C::kProto)) {
    bang(C::kProto);
    w.raw(fmt::format(" --ctproto {}", m.l4proto));
  }
  const std::pair<uint16_t, std::pair<std::string_view, const Ipv4Net*>> addrs[] = {
      {C::kOrigSrc, {" --ctorigsrc", &m.origsrc}},
      {C::kOrigDst, {" --ctorigdst", &m.origdst}},
      {C::kReplSrc, {" --ctreplsrc", &m.replsrc}},
      {C::kReplDst, {" --ctrepldst", &m.repldst}},
  };
  for (const auto& [f, a] : addrs)
    if (on(f)) {
      bang(f);
      w.raw(a.first);
      save_addr(w, *a.second);
    }
  const std::pair<uint16_t, std::pair<std::string_view, const PortRange*>> ports[] = {
      {C::kOrigSrcPort, {"ctorigsrcport", &m.origsrc_port}},
      {C::kOrigDstPort, {"ctorigdstport", &m.origdst_port}},
      {C::kReplSrcPort, {"ctreplsrcport", &m.replsrc_port}},
      {C::kReplDstPort, {"ctrepldstport", &m.repldst_port}},
  };
  for (const auto& [f, p] : ports)
    if (on(f)) {
      bang(f);
      save_ports(w, p.first, *p.second);
    }
  if (on(C::kStatus)) {
    bang(C::kStatus);
    w.raw(" --ctstatus");
    if (m.status_mask == 0) w.raw(" NONE");
    else save_names(w, kStatuses, m.status_mask);
  }
  if (on(C::kExpires)) {
    bang(C::kExpires);
    if (m.expires_min == m.expires_max) w.raw(fmt::format(" --ctexpire {}", m.expires_min));
    else w.raw(fmt::format(" --ctexpire {}:{}", m.expires_min, m.expires_max));
  }
  if (on(C::kDirection))
    w.raw((m.invert_flags & C::kDirection) ? " --ctdir REPLY" : " --ctdir ORIGINAL");
}

namespace {
void save(SaveWriter& w, const MatchData& d) { save_conntrack(w, std::get<ConntrackMatch>(d)); }
}  // namespace

const MatchDef kConntrack = {
    .kind = MatchKind::Conntrack,
    .name = "conntrack",
    .options = kOptions,
    .init = [] { return MatchData{ConntrackMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
