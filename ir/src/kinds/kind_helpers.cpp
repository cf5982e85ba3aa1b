// Port parsing shared by several kinds (see kind_helpers.hpp).
#include "kind_helpers.hpp"

#include <cctype>

#include <fmt/format.h>

namespace iptc::ir::kinds {

std::optional<uint16_t> port_by_getaddrinfo(std::string_view s) {
  // getaddrinfo: strtoul("") converts nothing but leaves the end pointer at the terminating
  // NUL, so the empty service is the number 0.
  if (s.empty()) return 0;
  // glibc: num = (int) strtoul(service, &end, 10); numeric when the whole string converted
  // and num >= 0; the port is then htons(num), i.e. num truncated to 16 bits.
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  size_t digits = i;
  unsigned long long v = 0;
  bool overflow = false;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    if (v > (~0ull - 9) / 10) overflow = true;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  if (i == s.size() && i > digits) {
    unsigned long ul = overflow ? ~0ul : static_cast<unsigned long>(v);
    if (neg) ul = 0ul - ul;
    int num = static_cast<int>(static_cast<unsigned int>(ul));
    if (num >= 0) return static_cast<uint16_t>(num);
  }
  return service_port(s, "");
}

std::optional<PortRange> parse_portrc(const OptionCall& c, std::string_view ext) {
  PortRange r{0, 0xffff};
  uint16_t vals[2] = {0, 0xffff};
  size_t n = 0;
  std::string_view rest = c.arg;
  while (true) {
    size_t colon = rest.find(':');
    std::string_view part = rest.substr(0, colon);
    if (n == 2) {
      c.fail(fmt::format("{}: too many components for option '--{}' (at most 2)", ext, c.opt->name));
      return std::nullopt;
    }
    if (!part.empty()) {
      auto p = port_by_getaddrinfo(part);
      if (!p) {
        c.fail(fmt::format("port '{}' does not resolve to anything", part),
               "write a port number or a service name from /etc/services");
        return std::nullopt;
      }
      vals[n] = *p;
    }
    ++n;
    if (colon == std::string_view::npos) break;
    rest = rest.substr(colon + 1);
  }
  if (n == 1) vals[1] = vals[0];
  r.lo = vals[0];
  r.hi = vals[1];
  return r;
}

std::optional<uint32_t> parse_inet_aton(std::string_view s) {
  // inet_aton_end: each part starts with a digit and is read by strtoul(.., 0).
  uint32_t parts[3] = {0, 0, 0};
  size_t nparts = 0;
  size_t i = 0;
  auto at = [&](size_t k) -> char { return k < s.size() ? s[k] : '\0'; };
  auto hexval = [](char ch) -> int {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
  };
  uint64_t val = 0;
  while (true) {
    if (!std::isdigit(static_cast<unsigned char>(at(i)))) return std::nullopt;
    unsigned base = 10;
    if (at(i) == '0') {
      base = 8;
      // "0x" counts as a prefix only when a hex digit follows; else strtoul stops after "0".
      if ((at(i + 1) == 'x' || at(i + 1) == 'X') && hexval(at(i + 2)) >= 0) {
        base = 16;
        i += 2;
      }
    }
    val = 0;
    for (int d; (d = hexval(at(i))) >= 0 && static_cast<unsigned>(d) < base; ++i) {
      val = val * base + static_cast<unsigned>(d);
      if (val > 0xffffffffu) return std::nullopt;
    }
    if (at(i) != '.') break;
    if (nparts >= 3 || val > 0xff) return std::nullopt;
    parts[nparts++] = static_cast<uint32_t>(val);
    ++i;
  }
  // __inet_aton_exact: nothing may follow (inet_aton itself would allow trailing blanks).
  if (i != s.size()) return std::nullopt;
  // The last part fills the bytes the earlier parts left.
  static constexpr uint64_t kLastMax[] = {0xffffffffu, 0xffffffu, 0xffffu, 0xffu};
  if (val > kLastMax[nparts]) return std::nullopt;
  uint32_t out = static_cast<uint32_t>(val);
  for (size_t k = 0; k < nparts; ++k) out |= parts[k] << (24 - 8 * k);
  return out;
}

bool iprefix(std::string_view s, std::string_view name) {
  if (s.size() > name.size()) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(name[i])))
      return false;
  return true;
}

std::string hex(uint32_t v) { return fmt::format("0x{:x}", v); }

std::optional<std::pair<uint64_t, uint64_t>> parse_uint_rc(const OptionCall& c, std::string_view ext,
                                                          uint64_t lmax) {
  // xtopt_parse_mint with no XTOPT_PUT target: two fields at most, a field ends at ':'.
  uint64_t vals[2] = {0, 0};
  size_t n = 0;
  std::string_view rest = c.arg;
  while (true) {
    if (n == 2) {
      c.fail(fmt::format("{}: too many ':'-separated fields for '--{}'", ext, c.opt->name),
             "write a single value N or a range MIN:MAX");
      return std::nullopt;
    }
    uint64_t v = 0;
    std::string_view after = rest;
    if (rest.empty() || rest[0] == ':') {
      v = n == 1 ? lmax : 0;  // an omitted bound is open
    } else {
      auto r = parse_uint_prefix(rest, 0, lmax);
      if (!r) {
        c.fail(fmt::format("{}: invalid value '{}' for '--{}' (expected 0-{})", ext, rest, c.opt->name, lmax),
               "numbers are decimal, 0x hex or 0 octal");
        return std::nullopt;
      }
      v = r->first;
      after = r->second;
      if (!after.empty() && after[0] != ':') {
        c.fail(fmt::format("{}: unexpected characters '{}' in the value of '--{}'", ext, after, c.opt->name),
               "write a single value N or a range MIN:MAX");
        return std::nullopt;
      }
    }
    vals[n++] = v;
    if (after.empty()) break;
    rest = after.substr(1);
  }
  if (n == 1) vals[1] = vals[0];
  return std::make_pair(vals[0], vals[1]);
}

bool parse_markmask(const OptionCall& c, std::string_view ext, uint32_t& value, uint32_t& mask) {
  constexpr std::string_view kHint = "write VALUE or VALUE/MASK, 32-bit numbers such as 0x10/0xff";
  auto v = parse_uint_prefix(c.arg, 0, UINT32_MAX);
  if (!v) return c.fail(fmt::format("{}: invalid value '{}' for '--{}'", ext, c.arg, c.opt->name), std::string(kHint));
  value = static_cast<uint32_t>(v->first);
  mask = UINT32_MAX;
  std::string_view rest = v->second;
  if (rest.empty()) return true;
  if (rest[0] != '/')
    return c.fail(fmt::format("{}: trailing garbage '{}' after the value of '--{}'", ext, rest, c.opt->name),
                  std::string(kHint));
  auto m = parse_uint_prefix(rest.substr(1), 0, UINT32_MAX);
  if (!m)
    return c.fail(fmt::format("{}: invalid mask '{}' for '--{}'", ext, rest.substr(1), c.opt->name),
                  std::string(kHint));
  if (!m->second.empty())
    return c.fail(fmt::format("{}: trailing garbage '{}' after the mask of '--{}'", ext, m->second, c.opt->name),
                  std::string(kHint));
  mask = static_cast<uint32_t>(m->first);
  return true;
}

void save_markmask(SaveWriter& w, uint32_t value, uint32_t mask) {
  if (mask != UINT32_MAX) w.raw(fmt::format(" 0x{:x}/0x{:x}", value, mask));
  else w.raw(fmt::format(" 0x{:x}", value));
}

std::optional<uint32_t> uint_option(const OptionCall& c, uint32_t min, uint32_t max) {
  auto v = parse_uint(c.arg, min, max);
  if (!v) {
    c.fail(fmt::format("bad value '{}' for option '--{}'", c.arg, c.opt->name),
           fmt::format("write a number from {} to {} (decimal, 0x hex or 0 octal)", min, max));
    return std::nullopt;
  }
  return static_cast<uint32_t>(*v);
}

std::optional<ValMask> parse_val_mask(const OptionCall& c) {
  auto bad = [&](std::string_view what) -> std::optional<ValMask> {
    c.fail(fmt::format("{} in '{}' for option '--{}'", what, c.arg, c.opt->name),
           "write VALUE or VALUE/MASK, each a 32-bit number such as 0x10/0xff");
    return std::nullopt;
  };
  ValMask r;
  auto v = parse_uint_prefix(c.arg, 0, 0xffffffff);
  if (!v) return bad("bad value or out of range");
  r.value = static_cast<uint32_t>(v->first);
  std::string_view rest = v->second;
  if (rest.empty()) return r;
  if (rest.front() != '/') return bad("trailing garbage after the value");
  auto m = parse_uint_prefix(rest.substr(1), 0, 0xffffffff);
  if (!m) return bad("bad mask or out of range");
  if (!m->second.empty()) return bad("trailing garbage after the mask");
  r.mask = static_cast<uint32_t>(m->first);
  return r;
}

std::optional<uint32_t> inet_pton4(std::string_view s) {
  uint32_t out = 0, cur = 0;
  int octets = 0;
  bool saw_digit = false;
  for (char ch : s) {
    if (ch >= '0' && ch <= '9') {
      uint32_t next = cur * 10 + static_cast<uint32_t>(ch - '0');
      if (saw_digit && cur == 0) return std::nullopt;  // leading zero
      if (next > 255) return std::nullopt;
      cur = next;
      if (!saw_digit) {
        if (++octets > 4) return std::nullopt;
        saw_digit = true;
      }
    } else if (ch == '.' && saw_digit) {
      if (octets == 4) return std::nullopt;
      out = (out << 8) | cur;
      cur = 0;
      saw_digit = false;
    } else {
      return std::nullopt;
    }
  }
  if (octets < 4 || !saw_digit) return std::nullopt;
  return (out << 8) | cur;
}

bool parse_set_dirs(const OptionCall& c, const ExtraArg& word, std::string_view ext, uint8_t& dim,
                    uint8_t& dir_flags) {
  constexpr uint8_t kDimMax = 6;  // IPSET_DIM_MAX
  std::string_view rest = word.text;
  auto fail = [&](std::string msg) {
    c.diags->error(word.loc, std::move(msg),
                   "write the directions of the set's dimensions, e.g. src or src,dst", word.len);
    return false;
  };
  while (true) {
    if (dim == kDimMax)
      return fail(fmt::format("{}: more than {} src/dst directions in '{}'", ext, kDimMax, word.text));
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    ++dim;
    if (item.starts_with("src")) dir_flags = static_cast<uint8_t>(dir_flags | (1u << (dim - 1)));
    else if (!item.starts_with("dst"))
      return fail(fmt::format("{}: invalid direction '{}' (expected 'src' or 'dst')", ext, item));
    if (comma == std::string_view::npos) return true;
    rest = rest.substr(comma + 1);
  }
}

std::optional<uint8_t> dscp_class_value(std::string_view s) {
  struct DsClass {
    std::string_view name;
    uint8_t dscp;
  };
  static constexpr DsClass kClasses[] = {
      {"CS0", 0x00},  {"CS1", 0x08},  {"CS2", 0x10},  {"CS3", 0x18},  {"CS4", 0x20},
      {"CS5", 0x28},  {"CS6", 0x30},  {"CS7", 0x38},  {"BE", 0x00},   {"AF11", 0x0a},
      {"AF12", 0x0c}, {"AF13", 0x0e}, {"AF21", 0x12}, {"AF22", 0x14}, {"AF23", 0x16},
      {"AF31", 0x1a}, {"AF32", 0x1c}, {"AF33", 0x1e}, {"AF41", 0x22}, {"AF42", 0x24},
      {"AF43", 0x26}, {"EF", 0x2e},
  };
  // strncasecmp(s, name, strlen(name)): the argument starts with the class name.
  for (const auto& k : kClasses)
    if (s.size() >= k.name.size() && iprefix(k.name, s.substr(0, k.name.size()))) return k.dscp;
  return std::nullopt;
}

std::optional<uint8_t> parse_plen(const OptionCall& c, std::string_view ext) {
  if (auto bits = parse_uint(c.arg, 0, 32)) return static_cast<uint8_t>(*bits);
  if (auto dotted = parse_inet_aton(c.arg)) {
    int p = mask_to_prefix(*dotted);
    return static_cast<uint8_t>(p < 0 ? 255 : p);
  }
  c.fail(fmt::format("{}: invalid mask '{}' for '--{}'", ext, c.arg, c.opt->name),
         "write a prefix length 0-32 or a dotted mask such as 255.255.255.0");
  return std::nullopt;
}

uint32_t plen_to_mask(uint8_t hlen) {
  return hlen == 0 ? 0u : hlen <= 32 ? prefix_to_mask(hlen) : 0xffffffffu;
}

bool parse_hostmask(const OptionCall& c, Ipv4Net& out, bool* tail_ones) {
  std::string_view s = c.arg;
  size_t slash = s.find('/');
  std::string_view host = s.substr(0, slash);
  auto addr = parse_inet_aton(host);
  if (!addr)
    return c.fail(fmt::format("invalid address '{}'", host),
                  "write an IPv4 address; iptc does not resolve host names (iptables would ask DNS once, at load time)");
  uint32_t mask = 0xffffffff;
  bool ones = true;
  if (slash != std::string_view::npos) {
    std::string_view m = s.substr(slash + 1);
    // xtopt_parse_plenmask: a prefix length 0..32, else a numeric mask, whose prefix length
    // decides; a mask that is no prefix (hlen -1) leaves all 32 bits set.
    if (auto bits = parse_uint(m, 0, 32)) {
      mask = prefix_to_mask(static_cast<int>(*bits));
      ones = false;
    } else if (auto dotted = parse_inet_aton(m)) {
      int p = mask_to_prefix(*dotted);
      mask = p < 0 ? 0xffffffffu : prefix_to_mask(p);
      ones = p < 0;
    } else {
      return c.fail(fmt::format("invalid mask '{}'", m),
                    "a mask is a prefix length 0-32 or a dotted mask such as 255.255.255.0");
    }
  }
  out = {*addr, mask};
  if (tail_ones) *tail_ones = ones;
  return true;
}

std::optional<uint32_t> parse_host(const OptionCall& c, std::string_view ext) {
  auto a = parse_inet_aton(c.arg);
  if (!a)
    c.fail(fmt::format("{}: invalid address '{}' for '--{}'", ext, c.arg, c.opt->name),
           "write an IPv4 address such as 255.255.255.0; iptc does not resolve host names");
  return a;
}

bool parse_spi_range(const OptionCall& c, std::string_view ext, uint32_t& min, uint32_t& max,
                     bool& invert) {
  auto r = parse_uint_rc(c, ext, UINT32_MAX);
  if (!r) return false;
  min = static_cast<uint32_t>(r->first);
  max = static_cast<uint32_t>(r->second);
  if (c.invert) invert = true;
  return true;
}

void save_spi_range(SaveWriter& w, std::string_view option, uint32_t min, uint32_t max,
                    bool invert) {
  if (min == 0 && max == UINT32_MAX) return;
  w.bang(invert);
  if (min != max)
    w.raw(fmt::format(" --{} {}:{}", option, min, max));
  else
    w.raw(fmt::format(" --{} {}", option, min));
}

}  // namespace iptc::ir::kinds
