// -j ULOG (extensions/libipt_ULOG.c, guided parser; iptables 1.8.9 still ships it). Options:
// --ulog-nlgroup 1-32 (kept as the bit 1 << (N - 1)), --ulog-prefix TEXT (at least one
// character, no newline, cut to 31), --ulog-cprange N (64-bit), --ulog-qthreshold 1-50; each
// once. The kernel's ipt_ULOG was removed in Linux 3.17, so every ULOG rule parses and is
// then refused when it is loaded (ENOENT, after the warning "Extension ULOG revision 0 not
// supported, missing kernel module?"). iptc parses it fully (so that an earlier syntax error
// elsewhere still wins, as in iptables-restore) and refuses it in the kernel checks.
#include <bit>

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kNlgroup, kPrefix, kCprange, kQthreshold };

constexpr OptionDef kOptions[] = {
    {"ulog-nlgroup", kNlgroup, ArgKind::Required, 0},
    {"ulog-prefix", kPrefix, ArgKind::Required, 0},
    {"ulog-cprange", kCprange, ArgKind::Required, 0},
    {"ulog-qthreshold", kQthreshold, ArgKind::Required, 0},
};

constexpr size_t kPrefixMax = 31;     // sizeof(prefix) - 1
constexpr uint64_t kMaxQlen = 50;     // ULOG_MAX_QLEN
constexpr uint32_t kDefaultGroup = 1; // ULOG_DEFAULT_NLGROUP
constexpr uint64_t kDefaultQthreshold = 1;

bool parse(const OptionCall& c, TargetData& d) {
  auto& u = std::get<UlogTarget>(d);
  switch (c.opt->id) {
    case kNlgroup: {
      auto v = uint_option(c, 1, 32);
      if (!v) return false;
      u.nl_group = 1u << (*v - 1);
      return true;
    }
    case kPrefix:
      if (c.arg.empty())
        return c.fail("--ulog-prefix needs at least one character", "leave out --ulog-prefix for no prefix");
      if (c.arg.find('\n') != std::string_view::npos) return c.fail("newlines are not allowed in --ulog-prefix");
      u.prefix = std::string(c.arg.substr(0, kPrefixMax));
      return true;
    case kCprange:
    case kQthreshold: {
      bool q = c.opt->id == kQthreshold;
      auto v = parse_uint(c.arg, q ? 1 : 0, q ? kMaxQlen : UINT64_MAX);
      if (!v)
        return c.fail(fmt::format("bad value '{}' for option '--{}'", c.arg, c.opt->name),
                      q ? "write a number from 1 to 50" : "write a number of bytes");
      (q ? u.qthreshold : u.copy_range) = *v;
      return true;
    }
    default: return false;
  }
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& u = std::get<UlogTarget>(d);
  if (!u.prefix.empty()) {
    w.raw(" --ulog-prefix");
    w.quoted(u.prefix);
  }
  if (u.nl_group != kDefaultGroup) w.raw(fmt::format(" --ulog-nlgroup {}", std::countr_zero(u.nl_group) + 1));
  // ULOG_save prints both through (unsigned int) casts.
  if (u.copy_range) w.raw(fmt::format(" --ulog-cprange {}", static_cast<uint32_t>(u.copy_range)));
  if (u.qthreshold != kDefaultQthreshold)
    w.raw(fmt::format(" --ulog-qthreshold {}", static_cast<uint32_t>(u.qthreshold)));
}

std::string kernel_check(const KernelCheckCall&, const TargetData&) {
  return "target 'ULOG' was removed from the kernel (Linux 3.17); use NFLOG, e.g. -j NFLOG "
         "--nflog-group 1 --nflog-prefix TEXT";
}

}  // namespace

const TargetDef kUlog = {
    .kind = TargetKind::Ulog,
    .name = "ULOG",
    .options = kOptions,
    .init = [] { return TargetData{UlogTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
