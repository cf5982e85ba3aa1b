// -j TEE (extensions/libxt_TEE.c revision 1, guided parser; net/netfilter/xt_TEE.c and
// nf_dup_ipv4.c). --gateway ADDR (mandatory, XTTYPE_HOST), --oif NAME (cut to 15
// characters, as XTTYPE_STRING into oif[16]); each once. The kernel target has no table or
// hook restriction; its checkentry refuses the gateway 0.0.0.0.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kGateway, kOif };

constexpr OptionDef kOptions[] = {
    {"gateway", kGateway, ArgKind::Required, optflag::kMandatory},
    {"oif", kOif, ArgKind::Required, 0},
};

constexpr size_t kOifMax = 15;  // IFNAMSIZ - 1

bool parse(const OptionCall& c, TargetData& d) {
  auto& t = std::get<TeeTarget>(d);
  if (c.opt->id == kGateway) {
    auto a = parse_host(c, "TEE");
    if (!a) return false;
    t.gw = *a;
    return true;
  }
  if (c.arg.size() > kOifMax)
    c.diags->warning(c.arg_loc, fmt::format("--oif cut to {} characters", kOifMax), {}, c.arg_len);
  t.oif = std::string(c.arg.substr(0, kOifMax));
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& t = std::get<TeeTarget>(d);
  w.raw(" --gateway ").raw(ipv4_to_string(t.gw));
  if (!t.oif.empty()) w.raw(" --oif ").raw(t.oif);
}

std::string kernel_check(const KernelCheckCall&, const TargetData& d) {
  if (std::get<TeeTarget>(d).gw == 0) return "TEE: the gateway 0.0.0.0 is not allowed";
  return {};
}

}  // namespace

const TargetDef kTee = {
    .kind = TargetKind::Tee,
    .name = "TEE",
    .options = kOptions,
    .init = [] { return TargetData{TeeTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
