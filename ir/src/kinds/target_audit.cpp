// -j AUDIT (extensions/libxt_AUDIT.c, guided parser; net/netfilter/xt_AUDIT.c). --type
// accept|drop|reject (any case), mandatory. The kernel target has no table or hook
// restriction; its checkentry refuses a type above XT_AUDIT_TYPE_MAX, which iptables never
// sends.
#include <strings.h>

#include <string>

#include <fmt/format.h>

#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kType };

constexpr OptionDef kOptions[] = {
    {"type", kType, ArgKind::Required, optflag::kMandatory},
};

bool parse(const OptionCall& c, TargetData& d) {
  auto& t = std::get<AuditTarget>(d);
  std::string arg(c.arg);
  if (strcasecmp(arg.c_str(), "accept") == 0) t.type = AuditTarget::Type::Accept;
  else if (strcasecmp(arg.c_str(), "drop") == 0) t.type = AuditTarget::Type::Drop;
  else if (strcasecmp(arg.c_str(), "reject") == 0) t.type = AuditTarget::Type::Reject;
  else
    return c.fail(fmt::format("bad action type value '{}'", c.arg), "write accept, drop or reject");
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  switch (std::get<AuditTarget>(d).type) {
    case AuditTarget::Type::Accept: w.raw(" --type accept"); break;
    case AuditTarget::Type::Drop: w.raw(" --type drop"); break;
    case AuditTarget::Type::Reject: w.raw(" --type reject"); break;
  }
}

}  // namespace

const TargetDef kAudit = {
    .kind = TargetKind::Audit,
    .name = "AUDIT",
    .options = kOptions,
    .init = [] { return TargetData{AuditTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
