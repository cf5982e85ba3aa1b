// -j DSCP (extensions/libxt_DSCP.c, guided parser; net/netfilter/xt_DSCP.c dscp_tg).
// --set-dscp 0-63 or --set-dscp-class NAME (dscp_helper.c class_to_dscp: the first class
// name the argument starts with, case-insensitively: CS0-CS7, BE, AF11-AF43, EF), not both,
// each once; one is required. The kernel target is mangle-only, at every hook, and rewrites
// only the six DSCP bits of the TOS byte (the ECN bits stay).
#include "kind_helpers.hpp"
#include "registry.hpp"

#include <fmt/format.h>

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSetDscp, kSetDscpClass };

constexpr OptionDef kOptions[] = {
    {"set-dscp", kSetDscp, ArgKind::Required, 0, 1u << kSetDscpClass},
    {"set-dscp-class", kSetDscpClass, ArgKind::Required, 0, 1u << kSetDscp},
};

bool parse(const OptionCall& c, TargetData& d) {
  auto& t = std::get<DscpTarget>(d);
  if (c.opt->id == kSetDscp) {
    auto v = uint_option(c, 0, 63);
    if (!v) return false;
    t.dscp = static_cast<uint8_t>(*v);
    return true;
  }
  auto v = dscp_class_value(c.arg);
  if (!v)
    return c.fail(fmt::format("invalid DSCP class '{}'", c.arg),
                  "classes are CS0-CS7, BE, AF11-AF13, AF21-AF23, AF31-AF33, AF41-AF43 and EF");
  t.dscp = *v;
  return true;
}

bool finish(const FinishCall& c, TargetData&) {
  if (c.seen == 0)
    return c.fail("DSCP target: --set-dscp or --set-dscp-class is required");
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  w.raw(fmt::format(" --set-dscp 0x{:02x}", std::get<DscpTarget>(d).dscp));
}

}  // namespace

const TargetDef kDscpTarget = {
    .kind = TargetKind::Dscp,
    .name = "DSCP",
    .options = kOptions,
    .init = [] { return TargetData{DscpTarget{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = nullptr,
    .proto = 0,
    .hooks = kAllHooks,
    .only_table = TableKind::Mangle,
};

}  // namespace iptc::ir::kinds
