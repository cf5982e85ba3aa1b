// -j SECMARK (extensions/libxt_SECMARK.c revision 1, guided parser; net/netfilter/
// xt_SECMARK.c). --selctx CONTEXT, mandatory, once; a context longer than 255 bytes is cut
// (XTTYPE_STRING into secctx[256]). The kernel allows the target in the mangle and security
// tables only, and then asks the security module for the context's id
// (security_secctx_to_secid). On this host no LSM that labels packets is active (SELinux is
// built in but not enabled), so the id is 0 and every SECMARK rule is refused with ENOENT
// ("xt_SECMARK: unable to map security context" in the kernel log); iptc says so.
#include <fmt/format.h>

#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSelctx };

constexpr OptionDef kOptions[] = {
    {"selctx", kSelctx, ArgKind::Required, optflag::kMandatory},
};

constexpr size_t kSecctxMax = 255;  // SECMARK_SECCTX_MAX - 1

bool parse(const OptionCall& c, TargetData& d) {
  auto& t = std::get<SecmarkTarget>(d);
  if (c.arg.size() > kSecctxMax)
    c.diags->warning(c.arg_loc, fmt::format("--selctx cut to {} characters", kSecctxMax), {}, c.arg_len);
  t.selctx = std::string(c.arg.substr(0, kSecctxMax));
  t.mode = 1;
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  w.raw(" --selctx ").raw(std::get<SecmarkTarget>(d).selctx);
}

std::string kernel_check(const KernelCheckCall& k, const TargetData& d) {
  if (k.table != TableKind::Mangle && k.table != TableKind::Security)
    return "target 'SECMARK' is only valid in the mangle and security tables";
  return fmt::format(
      "SECMARK: the kernel cannot map security context '{}': no security module that labels "
      "packets (SELinux) is enabled on this host",
      std::get<SecmarkTarget>(d).selctx);
}

}  // namespace

const TargetDef kSecmark = {
    .kind = TargetKind::Secmark,
    .name = "SECMARK",
    .options = kOptions,
    .init = [] { return TargetData{SecmarkTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
