// -j TPROXY (extensions/libxt_TPROXY.c revision 1, guided parser; net/netfilter/xt_TPROXY.c
// tproxy_tg4_v1). --on-port PORT (mandatory; a number or service name, 0 keeps the packet's
// port), --on-ip ADDR (XTTYPE_HOST; 0.0.0.0, the default, means the address of the interface
// the packet came in on), --tproxy-mark VALUE[/MASK] (default 0/0; a bare value has mask
// 0xffffffff); each once. The kernel target is mangle-only, at PREROUTING, and its checkentry
// wants `-p tcp` or `-p udp`, not negated.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kPort, kAddr, kMark };

constexpr OptionDef kOptions[] = {
    {"on-port", kPort, ArgKind::Required, optflag::kMandatory},
    {"on-ip", kAddr, ArgKind::Required, 0},
    {"tproxy-mark", kMark, ArgKind::Required, 0},
};

bool parse(const OptionCall& c, TargetData& d) {
  auto& t = std::get<TproxyTarget>(d);
  switch (c.opt->id) {
    case kPort: {
      auto p = port_by_getaddrinfo(c.arg);
      if (!p)
        return c.fail(fmt::format("port '{}' does not resolve to anything", c.arg),
                      "write a port number or a service name from /etc/services");
      t.lport = *p;
      return true;
    }
    case kAddr: {
      auto a = parse_host(c, "TPROXY");
      if (!a) return false;
      t.laddr = *a;
      return true;
    }
    case kMark: return parse_markmask(c, "TPROXY", t.mark_value, t.mark_mask);
    default: return false;
  }
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& t = std::get<TproxyTarget>(d);
  w.raw(fmt::format(" --on-port {} --on-ip {} --tproxy-mark 0x{:x}/0x{:x}", t.lport,
                    ipv4_to_string(t.laddr), t.mark_value, t.mark_mask));
}

std::string kernel_check(const KernelCheckCall& k, const TargetData&) {
  if ((k.ip->proto == 6 || k.ip->proto == 17) && !k.ip->inv_proto) return {};
  return "target 'TPROXY' needs '-p tcp' or '-p udp'";
}

}  // namespace

const TargetDef kTproxy = {
    .kind = TargetKind::Tproxy,
    .name = "TPROXY",
    .options = kOptions,
    .init = [] { return TargetData{TproxyTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = kernel_check,
    .proto = 0,
    .hooks = hook_bit(Hook::Prerouting),
    .only_table = TableKind::Mangle,
};

}  // namespace iptc::ir::kinds
