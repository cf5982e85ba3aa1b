// -m ecn (extensions/libxt_ecn.c, guided parser; kernel xt_ecn.c): [!] --ecn-tcp-cwr,
// [!] --ecn-tcp-ece, [!] --ecn-ip-ect 0-3; at least one, each once. The kernel (ecn_mt_check4)
// refuses the TCP bits unless the rule's protocol is tcp and not negated; --ecn-ip-ect alone
// works with any protocol. Saved in the order ECE, CWR, IP.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kCwr, kEce, kIpEct };

constexpr OptionDef kOptions[] = {
    {"ecn-tcp-cwr", kCwr, ArgKind::None, optflag::kInvert},
    {"ecn-tcp-ece", kEce, ArgKind::None, optflag::kInvert},
    {"ecn-ip-ect", kIpEct, ArgKind::Required, optflag::kInvert},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& e = std::get<EcnMatch>(d);
  uint8_t bit = 0;
  switch (c.opt->id) {
    case kCwr: bit = EcnMatch::kMatchCwr; break;
    case kEce: bit = EcnMatch::kMatchEce; break;
    case kIpEct: {
      auto v = uint_option(c, 0, 3);
      if (!v) return false;
      e.ip_ect = static_cast<uint8_t>(*v);
      bit = EcnMatch::kMatchIp;
      break;
    }
    default: return false;
  }
  e.operation |= bit;
  if (c.invert) e.invert |= bit;
  return true;
}

bool finish(const FinishCall& c, MatchData&) {
  if (c.seen == 0) return c.fail("ecn: one of --ecn-tcp-cwr, --ecn-tcp-ece or --ecn-ip-ect is required");
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& e = std::get<EcnMatch>(d);
  if (e.operation & EcnMatch::kMatchEce) w.bang(e.invert & EcnMatch::kMatchEce).raw(" --ecn-tcp-ece");
  if (e.operation & EcnMatch::kMatchCwr) w.bang(e.invert & EcnMatch::kMatchCwr).raw(" --ecn-tcp-cwr");
  if (e.operation & EcnMatch::kMatchIp)
    w.bang(e.invert & EcnMatch::kMatchIp).raw(fmt::format(" --ecn-ip-ect {}", e.ip_ect));
}

std::string kernel_check(const KernelCheckCall& k, const MatchData& d) {
  const auto& e = std::get<EcnMatch>(d);
  if ((e.operation & (EcnMatch::kMatchEce | EcnMatch::kMatchCwr)) && (k.ip->proto != 6 || k.ip->inv_proto))
    return "ecn: --ecn-tcp-cwr and --ecn-tcp-ece need '-p tcp' (the kernel cannot match TCP bits in "
           "non-tcp packets)";
  return {};
}

}  // namespace

const MatchDef kEcn = {
    .kind = MatchKind::Ecn,
    .name = "ecn",
    .options = kOptions,
    .init = [] { return MatchData{EcnMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
