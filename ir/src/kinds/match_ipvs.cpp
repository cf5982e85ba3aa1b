// -m ipvs (extensions/libxt_ipvs.c, guided parser; kernel net/netfilter/xt_ipvs.c): properties
// of the IPVS connection a packet belongs to. [!] --ipvs, [!] --vproto PROTO, [!] --vaddr
// ADDR[/MASK], [!] --vport PORT, --vdir ORIGINAL|REPLY (any case), [!] --vmethod
// GATE|IPIP|MASQ (any case), [!] --vportctl PORT; each once, at least one. Any option other
// than --ipvs implies --ipvs (ipvs_mt_check sets the property bit), so "! --ipvs" cannot be
// combined with them, and save prints --ipvs only when it stands alone.
//
// --vaddr is XTTYPE_HOSTMASK: the address as getaddrinfo reads it (inet_aton forms; iptc does
// no DNS), the mask a prefix length 0-32 in C notation or a dotted mask; xtopt_parse_plenmask
// turns a non-contiguous dotted mask into /32. The address is kept unmasked and saved that
// way ("/N" omitted for /32). --vproto prints as a number.
//
// THIS KERNEL HAS NO ipvs MATCH: its configuration lacks CONFIG_IP_VS (so xt_ipvs is not
// built), and the kernel refuses every rule that uses it when the rule is added (ENOENT),
// whatever its chain. iptc parses and prints the match completely and then reports exactly
// that; kKernelHasIpvs switches the refusal off for a kernel that has the module (stock
// Debian builds it as a module).
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

constexpr bool kKernelHasIpvs = false;

// The ids are the XT_IPVS_* bit numbers (libxt_ipvs.c relies on that too).
enum : uint8_t { kIpvs, kVproto, kVaddr, kVport, kVdir, kVmethod, kVportctl };

constexpr OptionDef kOptions[] = {
    {"ipvs", kIpvs, ArgKind::None, optflag::kInvert},
    {"vproto", kVproto, ArgKind::Required, optflag::kInvert},
    {"vaddr", kVaddr, ArgKind::Required, optflag::kInvert},
    {"vport", kVport, ArgKind::Required, optflag::kInvert},
    {"vdir", kVdir, ArgKind::Required},
    {"vmethod", kVmethod, ArgKind::Required, optflag::kInvert},
    {"vportctl", kVportctl, ArgKind::Required, optflag::kInvert},
};

bool iequal(std::string_view a, std::string_view b) { return a.size() == b.size() && iprefix(a, b); }

/// XTTYPE_HOSTMASK for IPv4 (xtopt_parse_hostmask -> xtopt_parse_host, xtopt_parse_plenmask).
bool parse_vaddr(const OptionCall& c, Ipv4Net& out) {
  std::string_view host = c.arg, plen;
  size_t slash = c.arg.find('/');
  if (slash != std::string_view::npos) {
    host = c.arg.substr(0, slash);
    plen = c.arg.substr(slash + 1);
  }
  auto addr = parse_inet_aton(host);
  if (!addr)
    return c.fail(fmt::format("ipvs: '{}' is not an IPv4 address", host),
                  "write a numeric address such as 192.0.2.1 (iptc does not resolve host names)");
  uint32_t mask = 0xffffffff;
  if (slash != std::string_view::npos) {
    if (auto bits = parse_uint(plen, 0, 32)) {
      mask = prefix_to_mask(static_cast<int>(*bits));
    } else if (auto m = parse_inet_aton(plen)) {
      // A contiguous dotted mask keeps its prefix; any other leaves the mask at /32.
      mask = mask_to_prefix(*m) >= 0 ? *m : 0xffffffff;
    } else {
      return c.fail(fmt::format("ipvs: bad mask '{}' for option '--vaddr'", plen),
                    "write a prefix length 0-32 or a dotted mask such as 255.255.255.0");
    }
  }
  out = {*addr, mask};
  return true;
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<IpvsMatch>(d);
  switch (c.opt->id) {
    case kIpvs: break;
    case kVproto: {
      auto p = parse_protocol(c.arg);
      if (!p)
        return c.fail(fmt::format("ipvs: unknown protocol '{}'", c.arg),
                      "use a name from /etc/protocols or a number 0-255");
      m.l4proto = *p;
      break;
    }
    case kVaddr:
      if (!parse_vaddr(c, m.vaddr)) return false;
      break;
    case kVport:
    case kVportctl: {
      auto p = port_by_getaddrinfo(c.arg);
      if (!p)
        return c.fail(fmt::format("ipvs: port '{}' does not resolve to anything", c.arg),
                      "write a port number or a service name from /etc/services");
      (c.opt->id == kVport ? m.vport : m.vportctl) = *p;
      break;
    }
    case kVdir:
      if (iequal(c.arg, "ORIGINAL"))
        m.invert &= static_cast<uint8_t>(~IpvsMatch::kDir);
      else if (iequal(c.arg, "REPLY"))
        m.invert |= IpvsMatch::kDir;
      else
        return c.fail(fmt::format("ipvs: bad value '{}' for option '--vdir'", c.arg),
                      "write ORIGINAL or REPLY");
      break;
    case kVmethod:
      if (iequal(c.arg, "GATE"))
        m.fwd_method = IpvsMatch::kDroute;
      else if (iequal(c.arg, "IPIP"))
        m.fwd_method = IpvsMatch::kTunnel;
      else if (iequal(c.arg, "MASQ"))
        m.fwd_method = IpvsMatch::kMasq;
      else
        return c.fail(fmt::format("ipvs: bad value '{}' for option '--vmethod'", c.arg),
                      "write GATE, IPIP or MASQ");
      break;
    default: return false;
  }
  m.bitmask |= static_cast<uint8_t>(1u << c.opt->id);
  if (c.invert) m.invert |= static_cast<uint8_t>(1u << c.opt->id);
  return true;
}

bool finish(const FinishCall& c, MatchData& d) {
  auto& m = std::get<IpvsMatch>(d);
  if (c.seen == 0) return c.fail("ipvs: at least one option is required", "e.g. -m ipvs --ipvs");
  if (m.bitmask & ~IpvsMatch::kIpvsProperty) {
    if (m.invert & IpvsMatch::kIpvsProperty)
      return c.fail("ipvs: '! --ipvs' cannot be combined with other options",
                    "every other option already implies that the packet belongs to IPVS");
    m.bitmask |= IpvsMatch::kIpvsProperty;
  }
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<IpvsMatch>(d);
  auto inv = [&](uint8_t bit) { return (m.invert & bit) != 0; };
  if (m.bitmask == IpvsMatch::kIpvsProperty) w.bang(inv(IpvsMatch::kIpvsProperty)).raw(" --ipvs");
  if (m.bitmask & IpvsMatch::kProto)
    w.bang(inv(IpvsMatch::kProto)).raw(fmt::format(" --vproto {}", m.l4proto));
  if (m.bitmask & IpvsMatch::kVaddr) {
    w.bang(inv(IpvsMatch::kVaddr)).raw(" --vaddr ").raw(ipv4_to_string(m.vaddr.addr));
    if (m.vaddr.mask != 0xffffffff) w.raw("/").raw(mask_to_string(m.vaddr.mask));
  }
  if (m.bitmask & IpvsMatch::kVport) w.bang(inv(IpvsMatch::kVport)).raw(fmt::format(" --vport {}", m.vport));
  if (m.bitmask & IpvsMatch::kDir) w.raw(inv(IpvsMatch::kDir) ? " --vdir REPLY" : " --vdir ORIGINAL");
  if (m.bitmask & IpvsMatch::kMethod) {
    w.bang(inv(IpvsMatch::kMethod)).raw(" --vmethod");
    switch (m.fwd_method) {
      case IpvsMatch::kDroute: w.raw(" GATE"); break;
      case IpvsMatch::kTunnel: w.raw(" IPIP"); break;
      case IpvsMatch::kMasq: w.raw(" MASQ"); break;
      default: w.raw(" UNKNOWN"); break;
    }
  }
  if (m.bitmask & IpvsMatch::kVportctl)
    w.bang(inv(IpvsMatch::kVportctl)).raw(fmt::format(" --vportctl {}", m.vportctl));
}

std::string kernel_check(const KernelCheckCall&, const MatchData&) {
  if (!kKernelHasIpvs)
    return "ipvs: this kernel has no ipvs match (built without IP virtual server support, "
           "CONFIG_IP_VS), so it refuses the rule";
  return {};
}

}  // namespace

const MatchDef kIpvs = {
    .kind = MatchKind::Ipvs,
    .name = "ipvs",
    .options = kOptions,
    .init = [] { return MatchData{IpvsMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
