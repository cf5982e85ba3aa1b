// -j TCPMSS (extensions/libxt_TCPMSS.c, guided parser; net/netfilter/xt_TCPMSS.c).
// --set-mss 0-65515 or --clamp-mss-to-pmtu, each at most once; given both, the later wins.
// The kernel target needs `-p tcp` (not negated). Its checkentry allows clamping only when the
// hook it sees is FORWARD, OUTPUT or POSTROUTING, and it sees a hook only for a rule in a base
// chain (nft_compat passes hook mask 0 for user chains, and nft_target_validate checks only
// the target's static hooks, which TCPMSS has none of). The "only works on TCP SYN packets"
// check of iptables-legacy is skipped under nf_tables (par->nft_compat).
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSetMss, kClampMss };

constexpr OptionDef kOptions[] = {
    {"set-mss", kSetMss, ArgKind::Required, 0},
    {"clamp-mss-to-pmtu", kClampMss, ArgKind::None, 0},
};

constexpr uint32_t kMaxMss = 65535 - 20;  // UINT16_MAX - sizeof(struct iphdr)

bool parse(const OptionCall& c, TargetData& d) {
  auto& t = std::get<TcpmssTarget>(d);
  if (c.opt->id == kClampMss) {
    t.mss = TcpmssTarget::kClampPmtu;
    return true;
  }
  auto v = uint_option(c, 0, kMaxMss);
  if (!v) return false;
  t.mss = static_cast<uint16_t>(*v);
  return true;
}

bool finish(const FinishCall& c, TargetData&) {
  if (c.seen == 0)
    return c.fail("no MSS given to -j TCPMSS", "add --set-mss VALUE or --clamp-mss-to-pmtu");
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& t = std::get<TcpmssTarget>(d);
  if (t.mss == TcpmssTarget::kClampPmtu) w.raw(" --clamp-mss-to-pmtu");
  else w.raw(fmt::format(" --set-mss {}", t.mss));
}

std::string kernel_check(const KernelCheckCall& k, const TargetData& d) {
  const auto& t = std::get<TcpmssTarget>(d);
  constexpr HookMask kClampHooks =
      hook_bit(Hook::Forward) | hook_bit(Hook::Output) | hook_bit(Hook::Postrouting);
  if (t.mss == TcpmssTarget::kClampPmtu && k.base_chain && (k.hooks & ~kClampHooks))
    return "--clamp-mss-to-pmtu works only in FORWARD, OUTPUT and POSTROUTING";
  return {};
}

}  // namespace

const TargetDef kTcpmss = {
    .kind = TargetKind::Tcpmss,
    .name = "TCPMSS",
    .options = kOptions,
    .init = [] { return TargetData{TcpmssTarget{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
    .proto = 6,
};

}  // namespace iptc::ir::kinds
