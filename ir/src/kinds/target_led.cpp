// -j LED (extensions/libxt_LED.c, guided parser; net/netfilter/xt_LED.c). --led-trigger-id
// NAME (mandatory, at most 16 characters: the kernel's id[27] holds "netfilter-NAME"),
// --led-delay MS (0-4294967295, or anything starting with "inf" for "stay on"),
// --led-always-blink; each once. This kernel is built without CONFIG_NETFILTER_XT_TARGET_LED,
// so every LED rule is refused when it is loaded (ENOENT; iptables warns "Extension LED
// revision 0 not supported, missing kernel module?"); iptc parses it fully and says so.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kTriggerId, kDelay, kAlwaysBlink };

constexpr OptionDef kOptions[] = {
    {"led-trigger-id", kTriggerId, ArgKind::Required, optflag::kMandatory},
    {"led-delay", kDelay, ArgKind::Required, 0},
    {"led-always-blink", kAlwaysBlink, ArgKind::None, 0},
};

constexpr size_t kIdMax = 27 - sizeof("netfilter-");  // sizeof(id) - sizeof("netfilter-")

bool parse(const OptionCall& c, TargetData& d) {
  auto& t = std::get<LedTarget>(d);
  switch (c.opt->id) {
    case kTriggerId:
      if (c.arg.size() > kIdMax)
        return c.fail(fmt::format("--led-trigger-id '{}' is too long ({} characters at most)", c.arg, kIdMax));
      t.id = std::string(c.arg);
      return true;
    case kDelay: {
      if (c.arg.size() >= 3 && iprefix(c.arg.substr(0, 3), "inf")) {  // strncasecmp(arg, "inf", 3)
        t.delay = LedTarget::kInfinite;
        return true;
      }
      auto v = parse_uint(c.arg, 0, UINT32_MAX);
      if (!v)
        return c.fail(fmt::format("bad --led-delay '{}'", c.arg),
                      "write milliseconds from 0 to 4294967295, or inf");
      t.delay = static_cast<uint32_t>(*v);
      return true;
    }
    case kAlwaysBlink: t.always_blink = 1; return true;
    default: return false;
  }
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& t = std::get<LedTarget>(d);
  w.raw(" --led-trigger-id \"");
  for (char ch : t.id) {
    if (ch == '"' || ch == '\\') w.raw("\\");
    w.raw(std::string_view(&ch, 1));
  }
  w.raw("\"");
  // LED_save tests "delay > 0" on the unsigned field and prints it with %d, so "inf"
  // (0xffffffff) comes out as -1 and the "inf" branch is never taken.
  if (t.delay > 0) w.raw(fmt::format(" --led-delay {}", static_cast<int32_t>(t.delay)));
  if (t.always_blink) w.raw(" --led-always-blink");
}

std::string kernel_check(const KernelCheckCall&, const TargetData&) {
  return "target 'LED' is not available in this kernel (built without "
         "CONFIG_NETFILTER_XT_TARGET_LED)";
}

}  // namespace

const TargetDef kLed = {
    .kind = TargetKind::Led,
    .name = "LED",
    .options = kOptions,
    .init = [] { return TargetData{LedTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
