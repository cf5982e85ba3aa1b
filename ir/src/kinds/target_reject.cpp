// -j REJECT (extensions/libipt_REJECT.c, guided parser; net/ipv4/netfilter/ipt_REJECT.c).
// --reject-with takes a name or its alias; libipt_REJECT compares only the first strlen(arg)
// characters, case-insensitively, so any prefix works and the first table entry wins ("icmp"
// and even "" are icmp-net-unreachable). The kernel target lives in the filter table at INPUT,
// FORWARD and OUTPUT, and refuses tcp-reset unless the rule says `-p tcp` without '!'.
#include <strings.h>

#include <fmt/format.h>

#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kRejectWith };

constexpr OptionDef kOptions[] = {
    {"reject-with", kRejectWith, ArgKind::Required, 0},
};

using With = RejectTarget::With;

struct RejectName {
  With with;
  std::string_view name;
  std::string_view alias;
};
// reject_table[] order (IPT_ICMP_* values; the echo-reply slot is compiled out).
constexpr RejectName kNames[] = {
    {With::NetUnreachable, "icmp-net-unreachable", "net-unreach"},
    {With::HostUnreachable, "icmp-host-unreachable", "host-unreach"},
    {With::ProtUnreachable, "icmp-proto-unreachable", "proto-unreach"},
    {With::PortUnreachable, "icmp-port-unreachable", "port-unreach"},
    {With::NetProhibited, "icmp-net-prohibited", "net-prohib"},
    {With::HostProhibited, "icmp-host-prohibited", "host-prohib"},
    {With::TcpReset, "tcp-reset", "tcp-rst"},
    {With::AdminProhibited, "icmp-admin-prohibited", "admin-prohib"},
};

/// strncasecmp(name, arg, strlen(arg)) == 0: arg is a case-insensitive prefix of name.
bool prefix_of(std::string_view arg, std::string_view name) {
  return arg.size() <= name.size() && strncasecmp(name.data(), arg.data(), arg.size()) == 0;
}

std::string_view name_of(With w) {
  for (const auto& n : kNames)
    if (n.with == w) return n.name;
  // EchoReply: the kernel refuses it and iptables cannot write it.
  return "echo-reply";
}

bool parse(const OptionCall& c, TargetData& d) {
  auto& r = std::get<RejectTarget>(d);
  for (const auto& n : kNames)
    if (prefix_of(c.arg, n.name) || prefix_of(c.arg, n.alias)) {
      r.with = n.with;
      return true;
    }
  if (prefix_of(c.arg, "echo-reply") || prefix_of(c.arg, "echoreply"))
    return c.fail("--reject-with echo-reply is no longer supported",
                  "reject with an ICMP error such as icmp-port-unreachable instead");
  return c.fail(fmt::format("unknown reject type '{}'", c.arg),
                "valid types: icmp-net-unreachable, icmp-host-unreachable, "
                "icmp-proto-unreachable, icmp-port-unreachable, icmp-net-prohibited, "
                "icmp-host-prohibited, icmp-admin-prohibited, tcp-reset (or their aliases "
                "net-unreach, host-unreach, proto-unreach, port-unreach, net-prohib, "
                "host-prohib, admin-prohib, tcp-rst)");
}

void save(SaveWriter& w, const TargetData& d) {
  w.raw(fmt::format(" --reject-with {}", name_of(std::get<RejectTarget>(d).with)));
}

/// reject_tg_check: a TCP reset needs a TCP packet, known from the rule's own -p.
std::string kernel_check(const KernelCheckCall& k, const TargetData& d) {
  const auto& r = std::get<RejectTarget>(d);
  if (r.with == With::TcpReset && (k.ip->proto != 6 || k.ip->inv_proto))
    return "'--reject-with tcp-reset' needs '-p tcp' in the same rule (not negated)";
  if (r.with == With::EchoReply) return "'--reject-with echo-reply' is no longer supported";
  return {};
}

}  // namespace

const TargetDef kReject = {
    .kind = TargetKind::Reject,
    .name = "REJECT",
    .options = kOptions,
    .init = [] { return TargetData{RejectTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = kernel_check,
    .proto = 0,
    .hooks = hook_bit(Hook::Input) | hook_bit(Hook::Forward) | hook_bit(Hook::Output),
    .only_table = TableKind::Filter,
};

}  // namespace iptc::ir::kinds
