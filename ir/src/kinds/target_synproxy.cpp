// -j SYNPROXY (extensions/libxt_SYNPROXY.c, guided parser; net/ipv4/netfilter/ipt_SYNPROXY.c).
// --sack-perm, --timestamp, --ecn, --wscale N, --mss N; each once. The numbers are parsed as
// 32-bit values and stored into the kernel struct's u8 wscale and u16 mss, so larger ones are
// cut. The kernel target needs `-p tcp` (not negated) and works only at INPUT and FORWARD, in
// any table.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSackPerm, kTimestamp, kWscale, kMss, kEcn };

constexpr OptionDef kOptions[] = {
    {"sack-perm", kSackPerm, ArgKind::None, 0},
    {"timestamp", kTimestamp, ArgKind::None, 0},
    {"wscale", kWscale, ArgKind::Required, 0},
    {"mss", kMss, ArgKind::Required, 0},
    {"ecn", kEcn, ArgKind::None, 0},
};

bool parse(const OptionCall& c, TargetData& d) {
  auto& s = std::get<SynproxyTarget>(d);
  switch (c.opt->id) {
    case kSackPerm: s.options |= SynproxyTarget::kSackPerm; return true;
    case kTimestamp: s.options |= SynproxyTarget::kTimestamp; return true;
    case kEcn: s.options |= SynproxyTarget::kEcn; return true;
    case kWscale:
    case kMss: {
      auto v = uint_option(c, 0, UINT32_MAX);
      if (!v) return false;
      if (c.opt->id == kWscale) {
        s.options |= SynproxyTarget::kWscale;
        s.wscale = static_cast<uint8_t>(*v);
      } else {
        s.options |= SynproxyTarget::kMss;
        s.mss = static_cast<uint16_t>(*v);
      }
      return true;
    }
    default: return false;
  }
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& s = std::get<SynproxyTarget>(d);
  if (s.options & SynproxyTarget::kSackPerm) w.raw(" --sack-perm");
  if (s.options & SynproxyTarget::kTimestamp) w.raw(" --timestamp");
  if (s.options & SynproxyTarget::kWscale) w.raw(fmt::format(" --wscale {}", s.wscale));
  if (s.options & SynproxyTarget::kMss) w.raw(fmt::format(" --mss {}", s.mss));
  if (s.options & SynproxyTarget::kEcn) w.raw(" --ecn");
}

}  // namespace

const TargetDef kSynproxy = {
    .kind = TargetKind::Synproxy,
    .name = "SYNPROXY",
    .options = kOptions,
    .init = [] { return TargetData{SynproxyTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 6,
    .hooks = hook_bit(Hook::Input) | hook_bit(Hook::Forward),
    .only_table = std::nullopt,
};

}  // namespace iptc::ir::kinds
