// -j CT revision 2 (extensions/libxt_CT.c ct_parse_v1 / ct_save_v1, the revision iptables 1.8.9
// picks; net/netfilter/xt_CT.c). Every option at most once:
//  --notrack; --helper NAME (cut to 15 bytes); --timeout NAME (cut to 31 bytes);
//  --ctevents / --expevents: comma lists of exact, lower-case event names;
//  --zone / --zone-orig / --zone-reply ID (0-65535) or "mark" (any case): each sets the zone
//  (a number replaces the previous one, "mark" sets a flag that stays) and the direction
//  flags add up, so --zone-orig 1 --zone-reply 2 is zone 2 in both directions.
// The kernel target is raw-only, at PREROUTING and OUTPUT. Unless --notrack is given it looks
// the helper up (with the rule's -p, not negated) and the timeout policy up when the rule is
// loaded.
#include <strings.h>

#include <span>

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kNotrack, kHelper, kTimeout, kCtevents, kExpevents, kZone, kZoneOrig, kZoneReply };

constexpr OptionDef kOptions[] = {
    {"notrack", kNotrack, ArgKind::None, 0},
    {"helper", kHelper, ArgKind::Required, 0},
    {"timeout", kTimeout, ArgKind::Required, 0},
    {"ctevents", kCtevents, ArgKind::Required, 0},
    {"expevents", kExpevents, ArgKind::Required, 0},
    {"zone-orig", kZoneOrig, ArgKind::Required, 0},
    {"zone-reply", kZoneReply, ArgKind::Required, 0},
    {"zone", kZone, ArgKind::Required, 0},
};

constexpr size_t kHelperMax = 15;   // sizeof(helper) - 1
constexpr size_t kTimeoutMax = 31;  // sizeof(timeout) - 1
constexpr size_t kTimeoutListed = 4;  // see save()

struct EventName {
  std::string_view name;
  uint8_t bit;  ///< IPCT_* / IPEXP_*
};
constexpr EventName kCtEvents[] = {
    {"new", 0},      {"related", 1},   {"destroy", 2}, {"reply", 3},       {"assured", 4},
    {"protoinfo", 5}, {"helper", 6},   {"mark", 7},    {"natseqinfo", 8},  {"secmark", 9},
};
constexpr EventName kExpEvents[] = {{"new", 0}};

template <size_t N>
std::optional<uint32_t> parse_events(const OptionCall& c, const EventName (&table)[N]) {
  uint32_t mask = 0;
  std::string_view rest = c.arg;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    const EventName* found = nullptr;
    for (const auto& e : table)
      if (e.name == item) found = &e;
    if (!found) {
      std::string names;
      for (const auto& e : table) names += (names.empty() ? "" : ", ") + std::string(e.name);
      c.fail(fmt::format("unknown event type '{}'", item),
             fmt::format("--{} takes a comma-separated list of: {}", c.opt->name, names));
      return std::nullopt;
    }
    mask |= 1u << found->bit;
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return mask;
}

bool parse(const OptionCall& c, TargetData& d) {
  auto& t = std::get<CtTarget>(d);
  switch (c.opt->id) {
    case kNotrack: t.flags |= CtTarget::kNotrack; return true;
    case kHelper:
      if (c.arg.size() > kHelperMax)
        c.diags->warning(c.arg_loc, fmt::format("helper name cut to {} characters", kHelperMax),
                         "the kernel keeps 15 bytes of the name", c.arg_len);
      t.helper = std::string(c.arg.substr(0, kHelperMax));
      return true;
    case kTimeout:
      if (c.arg.size() > kTimeoutMax)
        c.diags->warning(c.arg_loc, fmt::format("timeout policy name cut to {} characters", kTimeoutMax),
                         "the kernel keeps 31 bytes of the name", c.arg_len);
      t.timeout = std::string(c.arg.substr(0, kTimeoutMax));
      return true;
    case kCtevents:
    case kExpevents: {
      auto m = c.opt->id == kCtevents ? parse_events(c, kCtEvents) : parse_events(c, kExpEvents);
      if (!m) return false;
      (c.opt->id == kCtevents ? t.ct_events : t.exp_events) = *m;
      return true;
    }
    case kZone:
    case kZoneOrig:
    case kZoneReply: {
      if (c.opt->id == kZoneOrig) t.flags |= CtTarget::kZoneDirOrig;
      if (c.opt->id == kZoneReply) t.flags |= CtTarget::kZoneDirRepl;
      t.zone = 0;
      if (strcasecmp(std::string(c.arg).c_str(), "mark") == 0) {
        t.flags |= CtTarget::kZoneMark;
        return true;
      }
      auto v = parse_uint(c.arg, 0, 65535);
      if (!v)
        return c.fail(fmt::format("cannot parse '{}' as a zone id", c.arg),
                      "a zone is a number 0-65535 or 'mark' (the packet's mark)");
      t.zone = static_cast<uint16_t>(*v);
      return true;
    }
    default: return false;
  }
}

void save_events(SaveWriter& w, std::string_view opt, std::span<const EventName> table,
                 uint32_t mask) {
  w.raw(fmt::format(" --{} ", opt));
  std::string_view sep;
  for (const auto& e : table)
    if (mask & (1u << e.bit)) {
      w.raw(sep).raw(e.name);
      sep = ",";
    }
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& t = std::get<CtTarget>(d);
  if (t.flags & CtTarget::kNotrackAlias) return;
  if (t.flags & CtTarget::kNotrack) w.raw(" --notrack");
  if (!t.helper.empty()) w.raw(fmt::format(" --helper {}", t.helper));
  // The kernel lists only the first 4 bytes of the timeout name: xt_CT's revision 1 and 2
  // entries declare .usersize = offsetof(struct xt_ct_target_info, ct), the revision-0 struct,
  // which ends 4 bytes into timeout[], so the rest is treated as kernel-only (a bug from
  // "xtables: extend matches and targets with .usersize", fixed upstream by Florian Westphal
  // after the kernel iptc is recorded against). The rule itself keeps the whole name.
  if (!t.timeout.empty())
    w.raw(fmt::format(" --timeout {}", std::string_view(t.timeout).substr(0, kTimeoutListed)));
  if (t.ct_events) save_events(w, "ctevents", kCtEvents, t.ct_events);
  if (t.exp_events) save_events(w, "expevents", kExpEvents, t.exp_events);
  if ((t.flags & CtTarget::kZoneMark) || t.zone) {
    uint16_t dir = t.flags & (CtTarget::kZoneDirOrig | CtTarget::kZoneDirRepl);
    w.raw(" --zone");
    if (dir == CtTarget::kZoneDirOrig) w.raw("-orig");
    if (dir == CtTarget::kZoneDirRepl) w.raw("-reply");
    if (t.flags & CtTarget::kZoneMark) w.raw(" mark");
    else w.raw(fmt::format(" {}", t.zone));
  }
}

struct Helper {
  std::string_view name;
  uint8_t proto;
};
// The helpers Linux registers by name (nf_conntrack_{ftp,tftp,irc,sip,amanda,netbios_ns,snmp,
// sane,pptp,h323} and nf_nat_snmp_basic), with the protocol each is registered for.
constexpr Helper kHelpers[] = {
    {"ftp", 6},       {"tftp", 17},       {"irc", 6},       {"sip", 17},  {"sip", 6},
    {"amanda", 17},   {"netbios-ns", 17}, {"snmp", 17},     {"snmp_trap", 17},
    {"sane", 6},      {"pptp", 6},        {"RAS", 17},      {"Q.931", 6},
};

/// xt_ct_tg_check: with --notrack nothing is looked up; otherwise the helper must exist for
/// the rule's protocol (xt_ct_find_proto: 0 when -p is absent or negated) and the timeout
/// policy must exist (iptc assumes a fresh kernel, which has none).
std::string kernel_check(const KernelCheckCall& k, const TargetData& d) {
  const auto& t = std::get<CtTarget>(d);
  if (t.flags & CtTarget::kNotrack) return {};
  if (!t.helper.empty()) {
    uint8_t proto = k.ip->inv_proto ? 0 : k.ip->proto;
    if (proto == 0)
      return fmt::format("conntrack helper '{}' needs the rule's protocol: add '-p tcp' or "
                         "'-p udp' (not negated)", t.helper);
    bool known = false, other_proto = false;
    for (const auto& h : kHelpers)
      if (h.name == t.helper) (h.proto == proto ? known : other_proto) = true;
    if (!known)
      return other_proto
                 ? fmt::format("conntrack helper '{}' does not exist for this protocol", t.helper)
                 : fmt::format("conntrack helper '{}' does not exist (helpers: ftp, tftp, irc, "
                               "sip, amanda, netbios-ns, snmp, snmp_trap, sane, pptp, RAS, Q.931)",
                               t.helper);
  }
  if (!t.timeout.empty())
    return fmt::format("conntrack timeout policy '{}' must exist when the rule is loaded, and "
                       "iptc assumes it does not (create it with 'nfct timeout add' first)",
                       t.timeout);
  return {};
}

}  // namespace

const TargetDef kCt = {
    .kind = TargetKind::Ct,
    .name = "CT",
    .options = kOptions,
    .init = [] { return TargetData{CtTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = kernel_check,
    .proto = 0,
    .hooks = hook_bit(Hook::Prerouting) | hook_bit(Hook::Output),
    .only_table = TableKind::Raw,
};

}  // namespace iptc::ir::kinds
