// NAT range syntax shared by SNAT, DNAT, MASQUERADE and REDIRECT (see nat_common.hpp).
#include "nat_common.hpp"

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "iptc/ir/values.hpp"

namespace iptc::ir::kinds {

bool nat_ports_allowed(const OptionCall& c) {
  uint8_t p = c.ctx && c.ctx->ip ? c.ctx->ip->proto : 0;
  return p == 6 || p == 17 || p == 132 || p == 33 || p == 1;
}

bool parse_nat_ports(const OptionCall& c, std::string_view arg, NatRange& r) {
  constexpr std::string_view kSyntax = "write PORT, LOW-HIGH or LOW-HIGH/BASE";
  if (!nat_ports_allowed(c))
    return c.fail("a port needs '-p tcp', '-p udp', '-p sctp', '-p dccp' or '-p icmp' before it",
                  "put the protocol before -j, or leave out the port");
  r.flags |= NatRange::kProtoSpecified;
  uint16_t lo = 0;
  std::string_view rest;
  if (auto v = parse_uint_prefix(arg, 0, 65535)) {
    lo = static_cast<uint16_t>(v->first);
    rest = v->second;
  } else if (auto s = service_port(arg, "")) {
    // A name is taken only as the whole word: "http-100" is no range.
    lo = *s;
  } else {
    return c.fail(fmt::format("port '{}' is not valid", arg),
                  "write a number 0-65535 or a service name from /etc/services");
  }
  if (rest.empty()) {
    r.min_port = r.max_port = lo;
    return true;
  }
  if (rest.front() == ':')
    return c.fail(fmt::format("invalid port range '{}'", arg), "a port range uses a dash: LOW-HIGH");
  if (rest.front() != '-')
    return c.fail(fmt::format("garbage after the port in '{}'", arg), std::string(kSyntax));
  auto hi = parse_uint_prefix(rest.substr(1), 0, 65535);
  if (!hi)
    return c.fail(fmt::format("port '{}' is not valid", rest.substr(1)),
                  "the end of a port range is a number 0-65535 (no service names)");
  if (hi->first < lo)
    return c.fail(fmt::format("port range '{}' runs backwards", arg),
                  fmt::format("write {}-{}", hi->first, lo));
  r.min_port = lo;
  r.max_port = static_cast<uint16_t>(hi->first);
  rest = hi->second;
  if (rest.empty()) return true;
  if (rest.front() != '/')
    return c.fail(fmt::format("garbage after the port range in '{}'", arg), std::string(kSyntax));
  std::string_view b = rest.substr(1);
  uint16_t base = 0;
  // xtables_strtoui with an end pointer: a number followed by anything counts as the number.
  if (auto v = parse_uint_prefix(b, 1, 65535)) base = static_cast<uint16_t>(v->first);
  else if (auto s = service_port(b, "")) base = *s;
  else
    return c.fail(fmt::format("base port '{}' is not valid", b),
                  "write a number 1-65535 or a service name after '/'");
  r.flags |= NatRange::kProtoOffset;
  r.base_port = base;
  return true;
}

bool parse_nat_to(const OptionCall& c, NatRange& r) {
  std::string_view arg = c.arg;
  if (arg.find('[') != std::string_view::npos)
    return c.fail(fmt::format("invalid address format '{}'", arg),
                  "brackets are for IPv6 addresses; write ADDR[-ADDR][:PORTS]");
  // One colon separates the ports; more than one would be an IPv6 address.
  size_t colon = arg.find(':');
  if (colon != std::string_view::npos && arg.find(':', colon + 1) != std::string_view::npos)
    colon = std::string_view::npos;
  std::string_view addrs = arg;
  if (colon != std::string_view::npos) {
    if (!parse_nat_ports(c, arg.substr(colon + 1), r)) return false;
    // Ports only when the colon comes first, or third: parse_to's test for IPv6's "[]:" also
    // fires for any two characters before the colon, so "ab:80" means ":80".
    if (colon == 0 || colon == 2) return true;
    addrs = arg.substr(0, colon);
  }
  r.flags |= NatRange::kMapIps;
  size_t dash = addrs.find('-');
  std::string_view first = addrs.substr(0, dash);
  auto bad = [&](std::string_view a) {
    return c.fail(fmt::format("bad IP address '{}'", a),
                  "write a dotted quad such as 192.0.2.1 (no names, no /mask), or FIRST-LAST");
  };
  auto lo = inet_pton4(first);
  if (!lo) return bad(first);
  r.min_addr = r.max_addr = *lo;
  if (dash != std::string_view::npos) {
    std::string_view second = addrs.substr(dash + 1);
    auto hi = inet_pton4(second);
    if (!hi) return bad(second);
    r.max_addr = *hi;
  }
  return true;
}

bool parse_nat_flag(uint8_t id, NatRange& r) {
  switch (id) {
    case kNatRandom: r.flags |= NatRange::kProtoRandom; return true;
    case kNatRandomFully: r.flags |= NatRange::kProtoRandomFully; return true;
    case kNatPersistent: r.flags |= NatRange::kPersistent; return true;
    default: return false;
  }
}

void save_nat_range(SaveWriter& w, const NatRange& r, std::string_view opt, bool skip_colon) {
  std::string text;
  if (r.flags & NatRange::kMapIps) {
    text += ipv4_to_string(r.min_addr);
    if (r.max_addr != r.min_addr) text += "-" + ipv4_to_string(r.max_addr);
  }
  if (r.flags & NatRange::kProtoSpecified) {
    if (!text.empty() || !skip_colon) text += ':';
    text += std::to_string(r.min_port);
    if (r.max_port != r.min_port) text += fmt::format("-{}", r.max_port);
    if (r.flags & NatRange::kProtoOffset) text += fmt::format("/{}", r.base_port);
  }
  if (!text.empty()) w.raw(fmt::format(" {} {}", opt, text));
  if (r.flags & NatRange::kProtoRandom) w.raw(" --random");
  if (r.flags & NatRange::kProtoRandomFully) w.raw(" --random-fully");
  if (r.flags & NatRange::kPersistent) w.raw(" --persistent");
}

}  // namespace iptc::ir::kinds
