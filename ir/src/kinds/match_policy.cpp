// -m policy (extensions/libxt_policy.c, guided parser; kernel net/netfilter/xt_policy.c):
//   --dir in|out (required)  --pol none|ipsec (default ipsec)  --strict   each at most once
//   and policy elements, separated by --next (which needs --strict; at most 4 elements):
//   [!] --reqid N  [!] --spi N  [!] --proto ah|esp|ipcomp  [!] --mode transport|tunnel
//   [!] --tunnel-src ADDR[/MASK]  [!] --tunnel-dst ADDR[/MASK]   (tunnel mode only)
// each at most once per element. With --pol none no element may follow --next and --strict is
// refused. An element's tunnel end points need `--mode tunnel` (or `! --mode transport`), since
// the mode field's default is transport. The kernel's policy_mt_check refuses --dir out at
// PREROUTING/INPUT and --dir in at POSTROUTING/OUTPUT, but sees the hook only for a rule in a
// built-in chain (nft_compat passes hook mask 0 for user chains).
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kDir, kPol, kStrict, kReqid, kSpi, kProto, kMode, kTunnelSrc, kTunnelDst, kNext };

constexpr uint16_t kElem = optflag::kMulti | optflag::kInvert;
// In the order of policy_opts.
constexpr OptionDef kOptions[] = {
    {"dir", kDir, ArgKind::Required, 0},
    {"pol", kPol, ArgKind::Required, 0},
    {"strict", kStrict, ArgKind::None, 0},
    {"reqid", kReqid, ArgKind::Required, kElem},
    {"spi", kSpi, ArgKind::Required, kElem},
    {"tunnel-src", kTunnelSrc, ArgKind::Required, kElem},
    {"tunnel-dst", kTunnelDst, ArgKind::Required, kElem},
    {"proto", kProto, ArgKind::Required, kElem},
    {"mode", kMode, ArgKind::Required, kElem},
    {"next", kNext, ArgKind::None, optflag::kMulti, 0, 1u << kStrict},
};

using P = PolicyMatch;
constexpr uint16_t kMaxElem = 4;  // XT_POLICY_MAX_ELEM

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<PolicyMatch>(d);
  P::Elem& e = m.pol[m.len];
  auto once = [&](uint8_t bit, std::string_view opt) {
    if (e.match & bit)
      return c.fail_option(fmt::format("policy: --{} given twice in one policy element", opt),
                           "start the next element with --next");
    e.match |= bit;
    if (c.invert) e.invert |= bit;
    return true;
  };
  switch (c.opt->id) {
    case kDir:
      if (c.arg == "in") m.flags |= P::kIn;
      else if (c.arg == "out") m.flags |= P::kOut;
      else return c.fail(fmt::format("policy: invalid --dir '{}'", c.arg), "write --dir in or --dir out");
      return true;
    case kPol:
      if (c.arg == "none") m.flags |= P::kNone;
      else if (c.arg != "ipsec")
        return c.fail(fmt::format("policy: invalid --pol '{}'", c.arg), "write --pol ipsec or --pol none");
      return true;
    case kStrict:
      m.flags |= P::kStrict;
      return true;
    case kReqid:
    case kSpi: {
      auto v = uint_option(c, 0, 0xffffffff);
      if (!v) return false;
      bool reqid = c.opt->id == kReqid;
      if (!once(reqid ? P::kReqid : P::kSpi, c.opt->name)) return false;
      (reqid ? e.reqid : e.spi) = *v;
      return true;
    }
    case kTunnelSrc:
    case kTunnelDst: {
      Ipv4Net n;
      bool tail_ones = false;
      if (!parse_hostmask(c, n, &tail_ones)) return false;
      bool src = c.opt->id == kTunnelSrc;
      if (!once(src ? P::kSaddr : P::kDaddr, c.opt->name)) return false;
      (src ? e.saddr : e.daddr) = n;
      (src ? e.smask_tail_ones : e.dmask_tail_ones) = tail_ones;
      return true;
    }
    case kProto: {
      auto p = parse_protocol(c.arg);
      if (!p)
        return c.fail(fmt::format("policy: unknown protocol '{}'", c.arg), "write esp, ah or ipcomp");
      if (e.match & P::kProto)
        return c.fail_option("policy: --proto given twice in one policy element", "start the next element with --next");
      if (*p != 50 && *p != 51 && *p != 108)
        return c.fail(fmt::format("policy: protocol '{}' is not an IPsec protocol", c.arg), "write esp, ah or ipcomp");
      e.proto = *p;
      e.match |= P::kProto;
      if (c.invert) e.invert |= P::kProto;
      return true;
    }
    case kMode:
      if (!once(P::kMode, "mode")) return false;
      if (c.arg == "transport") e.mode = P::kTransport;
      else if (c.arg == "tunnel") e.mode = P::kTunnel;
      else return c.fail(fmt::format("policy: invalid --mode '{}'", c.arg), "write --mode tunnel or --mode transport");
      return true;
    case kNext:
      if (++m.len == kMaxElem)
        return c.fail_option(fmt::format("policy: at most {} policy elements", kMaxElem));
      return true;
    default: return false;
  }
}

/// policy_check.
bool finish(const FinishCall& c, MatchData& d) {
  auto& m = std::get<PolicyMatch>(d);
  if (!(m.flags & (P::kIn | P::kOut)))
    return c.fail("policy: neither --dir in nor --dir out specified", "e.g. -m policy --dir in --pol ipsec");
  if (m.flags & P::kNone) {
    if (m.flags & P::kStrict) return c.fail("policy: --pol none but --strict given", "drop --strict");
    if (m.len != 0) return c.fail("policy: --pol none but policy elements given", "drop the --next elements");
  } else {
    ++m.len;  // no --next after the last element
  }
  for (uint16_t i = 0; i < m.len; ++i) {
    const P::Elem& e = m.pol[i];
    if ((m.flags & P::kStrict) && !e.match)
      return c.fail(fmt::format("policy: empty policy element {} with --strict", i),
                    "give at least one of --reqid, --spi, --tunnel-src, --tunnel-dst, --proto, --mode");
    bool inv_mode = e.invert & P::kMode;
    if ((e.match & (P::kSaddr | P::kDaddr)) &&
        ((e.mode == P::kTunnel && inv_mode) || (e.mode == P::kTransport && !inv_mode)))
      return c.fail("policy: --tunnel-src/--tunnel-dst is only valid in tunnel mode",
                    "add --mode tunnel to the element");
  }
  return true;
}

void save_addr(SaveWriter& w, std::string_view opt, const Ipv4Net& n) {
  w.raw(" --").raw(opt).raw(" ").raw(ipv4_to_string(n.addr));
  if (n.mask != 0xffffffff) w.raw("/").raw(mask_to_string(n.mask));
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<PolicyMatch>(d);
  w.raw((m.flags & P::kIn) ? " --dir in" : " --dir out");
  w.raw((m.flags & P::kNone) ? " --pol none" : " --pol ipsec");
  if (m.flags & P::kStrict) w.raw(" --strict");
  for (uint16_t i = 0; i < m.len && i < kMaxElem; ++i) {
    const P::Elem& e = m.pol[i];
    auto bang = [&](uint8_t bit) { w.bang(e.invert & bit); };
    if (e.match & P::kReqid) {
      bang(P::kReqid);
      w.raw(fmt::format(" --reqid {}", e.reqid));
    }
    if (e.match & P::kSpi) {
      bang(P::kSpi);
      w.raw(fmt::format(" --spi 0x{:x}", e.spi));
    }
    if (e.match & P::kProto) {
      bang(P::kProto);
      auto n = protocol_name(e.proto);
      w.raw(" --proto ").raw(n ? std::string(*n) : std::to_string(e.proto));
    }
    if (e.match & P::kMode) {
      bang(P::kMode);
      w.raw(e.mode == P::kTransport ? " --mode transport" : e.mode == P::kTunnel ? " --mode tunnel" : " --mode ???");
    }
    if (e.match & P::kDaddr) {
      bang(P::kDaddr);
      save_addr(w, "tunnel-dst", e.daddr);
    }
    if (e.match & P::kSaddr) {
      bang(P::kSaddr);
      save_addr(w, "tunnel-src", e.saddr);
    }
    if (i + 1 < m.len) w.raw(" --next");
  }
}

/// policy_mt_check: the hook mask it sees is the base chain's, or 0 in a user chain.
std::string kernel_check(const KernelCheckCall& k, const MatchData& d) {
  const auto& m = std::get<PolicyMatch>(d);
  if (!(m.flags & (P::kIn | P::kOut))) return "policy: neither incoming nor outgoing policy selected";
  if (m.len > kMaxElem) return "policy: too many policy elements";
  if (!k.base_chain) return {};
  constexpr HookMask in_side = hook_bit(Hook::Prerouting) | hook_bit(Hook::Input);
  constexpr HookMask out_side = hook_bit(Hook::Postrouting) | hook_bit(Hook::Output);
  if ((k.hooks & in_side) && (m.flags & P::kOut))
    return refuse(k, "policy: --dir out is not valid in PREROUTING and INPUT",
                  "packets there have no output policy yet; use --dir in, or move the rule to FORWARD, OUTPUT or POSTROUTING");
  if ((k.hooks & out_side) && (m.flags & P::kIn))
    return refuse(k, "policy: --dir in is not valid in POSTROUTING and OUTPUT",
                  "packets there were not decapsulated by this host; use --dir out, or move the rule to PREROUTING, INPUT or FORWARD");
  return {};
}

}  // namespace

const MatchDef kPolicy = {
    .kind = MatchKind::Policy,
    .name = "policy",
    .options = kOptions,
    .init = [] { return MatchData{PolicyMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
