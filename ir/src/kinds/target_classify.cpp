// -j CLASSIFY (extensions/libxt_CLASSIFY.c, guided parser; net/netfilter/xt_CLASSIFY.c).
// --set-class MAJOR:MINOR, mandatory, read with sscanf("%x:%x"): hexadecimal with an
// optional 0x, leading blanks and a sign, each number cut to 16 bits, and anything after the
// second number ignored. The kernel target has no table restriction but only works at
// FORWARD, OUTPUT and POSTROUTING.
#include <cctype>

#include <fmt/format.h>

#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSetClass };

constexpr OptionDef kOptions[] = {
    {"set-class", kSetClass, ArgKind::Required, optflag::kMandatory},
};

/// One glibc scanf "%x" conversion into an unsigned int: blanks, an optional sign, an optional
/// "0x" after a leading 0, hex digits; the value as strtoul gives it (ULONG_MAX on overflow,
/// negated for '-') cut to 32 bits. Consumes what scanf consumes.
bool scan_hex(std::string_view& s, uint32_t& out) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  bool digits = false;
  uint64_t v = 0;
  bool overflow = false;
  if (i < s.size() && s[i] == '0') {
    digits = true;
    ++i;
    if (i < s.size() && (s[i] == 'x' || s[i] == 'X')) ++i;
  }
  for (; i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i])); ++i) {
    digits = true;
    unsigned d = std::isdigit(static_cast<unsigned char>(s[i]))
                     ? static_cast<unsigned>(s[i] - '0')
                     : static_cast<unsigned>(std::tolower(static_cast<unsigned char>(s[i])) - 'a' + 10);
    if (v > (UINT64_MAX >> 4)) overflow = true;
    v = (v << 4) | d;
  }
  if (!digits) return false;
  if (overflow) v = UINT64_MAX;
  else if (neg) v = 0 - v;
  out = static_cast<uint32_t>(v);
  s.remove_prefix(i);
  return true;
}

bool parse(const OptionCall& c, TargetData& d) {
  std::string_view s = c.arg;
  uint32_t major = 0, minor = 0;
  if (!scan_hex(s, major) || s.empty() || s[0] != ':' || !(s.remove_prefix(1), scan_hex(s, minor)))
    return c.fail(fmt::format("bad class value '{}'", c.arg),
                  "write MAJOR:MINOR in hexadecimal, e.g. 1:10");
  // TC_H_MAKE(major << 16, minor)
  std::get<ClassifyTarget>(d).priority = (major << 16) | (minor & 0xffff);
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  uint32_t p = std::get<ClassifyTarget>(d).priority;
  w.raw(fmt::format(" --set-class {:04x}:{:04x}", p >> 16, p & 0xffff));
}

}  // namespace

const TargetDef kClassify = {
    .kind = TargetKind::Classify,
    .name = "CLASSIFY",
    .options = kOptions,
    .init = [] { return TargetData{ClassifyTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 0,
    .hooks = hook_bit(Hook::Forward) | hook_bit(Hook::Output) | hook_bit(Hook::Postrouting),
    .only_table = std::nullopt,
};

}  // namespace iptc::ir::kinds
