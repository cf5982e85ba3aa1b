// -m mac (extensions/libxt_mac.c, guided parser): [!] --mac-source XX:XX:XX:XX:XX:XX,
// mandatory, once. The address is XTTYPE_ETHERMAC: six ':'-separated fields, each read by
// strtoul(.., 16) and at most two characters long, so "0:1:2:a:b:c" and even ":::::" (all
// zero) are valid. Saved as six lower-case hex pairs. The kernel match (xt_mac.c) only exists
// where a packet has arrived on an interface: PREROUTING, INPUT and FORWARD.
#include <cctype>

#include <fmt/format.h>

#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSource };

constexpr OptionDef kOptions[] = {
    {"mac-source", kSource, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
};

/// One field as strtoul(s, &end, 16) reads it: returns the value truncated to a byte and
/// sets `used` to end - s (0 when nothing converted, as strtoul then leaves end at s).
uint8_t strtoul16(std::string_view s, size_t& used) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  auto digit = [](char ch) -> int {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
  };
  // "0x" is a prefix only when a hex digit follows; else strtoul stops after the "0".
  if (i + 2 < s.size() && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
      digit(s[i + 2]) >= 0)
    i += 2;
  size_t start = i;
  unsigned long v = 0;
  for (; i < s.size() && digit(s[i]) >= 0; ++i)
    v = v * 16 + static_cast<unsigned long>(digit(s[i]));
  if (i == start) {
    used = 0;
    return 0;
  }
  used = i;
  if (neg) v = 0ul - v;
  return static_cast<uint8_t>(v);
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<MacMatch>(d);
  std::string_view rest = c.arg;
  for (size_t i = 0; i < 6; ++i) {
    size_t used = 0;
    uint8_t b = strtoul16(rest, used);
    char end = used < rest.size() ? rest[used] : '\0';
    bool last = i == 5;
    if (used > 2 || end != (last ? '\0' : ':'))
      return c.fail(fmt::format("invalid mac address '{}'", c.arg),
                    "write six hex bytes separated by ':', e.g. 00:11:22:aa:bb:cc");
    m.addr[i] = b;
    if (!last) rest = rest.substr(used + 1);
  }
  m.invert = c.invert;
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<MacMatch>(d);
  w.bang(m.invert);
  w.raw(fmt::format(" --mac-source {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m.addr[0], m.addr[1],
                    m.addr[2], m.addr[3], m.addr[4], m.addr[5]));
}

}  // namespace

const MatchDef kMac = {
    .kind = MatchKind::Mac,
    .name = "mac",
    .options = kOptions,
    .init = [] { return MatchData{MacMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 0,
    .hooks = static_cast<HookMask>(hook_bit(Hook::Prerouting) | hook_bit(Hook::Input) |
                                   hook_bit(Hook::Forward)),
};

}  // namespace iptc::ir::kinds
