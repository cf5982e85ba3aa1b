// libxtables-compatible value parsing (see values.hpp for the rules and why they matter).
#include "iptc/ir/values.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace iptc::ir {

namespace {

struct ServiceEntry {
  std::string_view name;
  uint16_t port;
  std::string_view proto;
};
struct ProtocolEntry {
  std::string_view name;
  uint16_t number;  // netbase lists a few above 255 (mptcp 262)
  bool official;
};
struct NetworkEntry {
  std::string_view name;
  uint32_t addr;
};

#include "netdb_data.inc"

/// iptables' own protocol names (xtables_chain_protos), consulted before netbase.
struct ChainProto {
  std::string_view name;
  uint8_t number;
};
constexpr ChainProto kChainProtos[] = {
    {"tcp", 6},       {"sctp", 132},  {"udp", 17},      {"udplite", 136},
    {"icmp", 1},      {"ipv6-icmp", 58}, {"icmpv6", 58}, {"esp", 50},
    {"ah", 51},       {"mobility-header", 135}, {"ipv6-mh", 135}, {"mh", 135},
    {"all", 0},
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

/// strtoumax(s, &end, 0) for the digits that follow optional blanks and an optional '+'.
/// Returns the number of characters consumed (0: no conversion) and sets overflow.
size_t c_strtoumax(std::string_view s, uint64_t& value, bool& overflow) {
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  if (i < s.size() && s[i] == '+') ++i;
  unsigned base = 10;
  size_t digits_start = i;
  if (i < s.size() && s[i] == '0') {
    if (i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X') && i + 2 < s.size() &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      base = 16;
      i += 2;
      digits_start = i;
    } else {
      base = 8;
    }
  }
  value = 0;
  overflow = false;
  size_t j = digits_start;
  for (; j < s.size(); ++j) {
    unsigned d;
    char c = s[j];
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else break;
    if (d >= base) break;
    if (value > (UINT64_MAX - d) / base) overflow = true;
    value = value * base + d;
  }
  if (j == digits_start) {
    // "0x" with no hex digit converts the "0"; a lone "0" for octal is one digit.
    return 0;
  }
  return j;
}

}  // namespace

std::optional<std::pair<uint64_t, std::string_view>> parse_uint_prefix(std::string_view s,
                                                                        uint64_t min,
                                                                        uint64_t max) {
  size_t p = 0;
  while (p < s.size() && is_space(s[p])) ++p;
  if (p < s.size() && s[p] == '-') return std::nullopt;
  uint64_t v = 0;
  bool overflow = false;
  size_t n = c_strtoumax(s, v, overflow);
  if (n == 0) return std::nullopt;
  if (overflow || v < min || (max != 0 && v > max)) return std::nullopt;
  return std::make_pair(v, s.substr(n));
}

std::optional<uint64_t> scan_ull(std::string_view s, size_t* used) {
  size_t i = 0;
  while (i < s.size() && is_space(s[i])) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i >= s.size() || s[i] < '0' || s[i] > '9') return std::nullopt;
  uint64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) v = v * 10 + static_cast<uint64_t>(s[i] - '0');
  if (used) *used = i;
  return neg ? uint64_t(0) - v : v;
}

std::optional<uint64_t> parse_uint(std::string_view s, uint64_t min, uint64_t max) {
  auto r = parse_uint_prefix(s, min, max);
  if (!r || !r->second.empty()) return std::nullopt;
  return r->first;
}

std::optional<uint32_t> parse_ipv4_numeric(std::string_view s_in, bool allow_short) {
  // The C code copies into a 20-byte buffer first: longer input is truncated to 19 bytes.
  std::string_view s = s_in.substr(0, std::min<size_t>(s_in.size(), 19));
  if (s_in.find('\0') != std::string_view::npos) s = s.substr(0, s.find('\0'));
  uint8_t bytes[4] = {0, 0, 0, 0};
  size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    size_t dot = s.find('.', pos);
    if (dot == std::string_view::npos) {
      if (!allow_short) return std::nullopt;
      auto b = parse_uint(s.substr(pos), 0, 255);
      if (!b) return std::nullopt;
      bytes[i] = static_cast<uint8_t>(*b);
      return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
             bytes[3];
    }
    auto b = parse_uint(s.substr(pos, dot - pos), 0, 255);
    if (!b) return std::nullopt;
    bytes[i] = static_cast<uint8_t>(*b);
    pos = dot + 1;
  }
  auto b = parse_uint(s.substr(pos), 0, 255);
  if (!b) return std::nullopt;
  bytes[3] = static_cast<uint8_t>(*b);
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         bytes[3];
}

std::optional<uint32_t> parse_ipv4_mask(std::string_view s) {
  if (auto m = parse_ipv4_numeric(s, false)) return *m;
  auto bits = parse_uint(s, 0, 32);
  if (!bits) return std::nullopt;
  return prefix_to_mask(static_cast<int>(*bits));
}

std::optional<uint32_t> network_by_name(std::string_view name) {
  for (const auto& n : kNetworks)
    if (n.name == name) return n.addr;
  return std::nullopt;
}

namespace {

/// ipparse_hostnetwork for one item without DNS.
/// glibc's __inet_aton_exact, which getaddrinfo() tries before any lookup: "a", "a.b", "a.b.c"
/// or "a.b.c.d", each part in C notation (strtoul base 0) and starting with a digit, the last
/// part filling the remaining 32, 24, 16 or 8 bits, nothing after it. It accepts what
/// __numeric_to_ipaddr refuses, such as "39269" (0.0.153.101) or "10.65536" (10.1.0.0).
std::optional<uint32_t> inet_aton_exact(std::string_view s) {
  constexpr uint32_t kMax[4] = {0xffffffffu, 0xffffffu, 0xffffu, 0xffu};
  uint32_t bytes = 0;
  size_t parts = 0, pos = 0;
  while (true) {
    if (pos >= s.size() || !std::isdigit(static_cast<unsigned char>(s[pos]))) return std::nullopt;
    uint64_t v = 0;
    bool overflow = false;
    size_t n = c_strtoumax(s.substr(pos), v, overflow);
    if (n == 0 || overflow || v > 0xffffffffu) return std::nullopt;
    pos += n;
    if (pos < s.size() && s[pos] == '.') {
      if (parts > 2 || v > 0xff) return std::nullopt;
      bytes |= static_cast<uint32_t>(v) << (24 - 8 * parts);
      ++parts;
      ++pos;
      continue;
    }
    if (pos != s.size() || v > kMax[parts]) return std::nullopt;
    return bytes | static_cast<uint32_t>(v);
  }
}

bool parse_host_or_network(std::string_view name, uint32_t& out, AddrParseResult& r) {
  if (auto a = parse_ipv4_numeric(name)) {
    out = *a;
    return true;
  }
  if (auto n = network_by_name(name)) {
    out = *n;
    return true;
  }
  // host_to_ipaddr: getaddrinfo() reads numeric forms itself, without DNS.
  if (auto a = inet_aton_exact(name)) {
    out = *a;
    return true;
  }
  if (name.empty()) {
    r.error = "empty address";
    return false;
  }
  r.error = fmt::format("host/network '{}' not found", name);
  bool looks_numeric = std::all_of(name.begin(), name.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
  });
  if (looks_numeric)
    r.hint = "an IPv4 address has four dotted numbers from 0 to 255";
  else
    r.hint = "iptc does not resolve host names; write the address (iptables would look it up in DNS once, at load time)";
  return false;
}

bool parse_one(std::string_view item, AddrParseResult& r) {
  uint32_t mask = 0xffffffff;
  std::string_view host = item;
  if (auto slash = item.rfind('/'); slash != std::string_view::npos) {
    host = item.substr(0, slash);
    auto m = parse_ipv4_mask(item.substr(slash + 1));
    if (!m) {
      r.error = fmt::format("invalid mask '{}' specified", item.substr(slash + 1));
      r.hint = "a mask is a prefix length from 0 to 32 or a dotted quad such as 255.255.255.0";
      return false;
    }
    mask = *m;
  }
  uint32_t addr = 0;
  // A null mask ignores the name, like "any/0".
  if (mask != 0 && !parse_host_or_network(host, addr, r)) return false;
  r.nets.push_back(Ipv4Net{addr & mask, mask});
  return true;
}

}  // namespace

AddrParseResult parse_ipv4_multiple(std::string_view s) {
  AddrParseResult r;
  size_t pos = 0;
  while (true) {
    while (pos < s.size() && is_space(s[pos])) ++pos;
    size_t comma = s.find(',', pos);
    std::string_view item = s.substr(pos, comma == std::string_view::npos ? s.npos : comma - pos);
    if (item.size() > 255) {
      r.error = "host name too long";
      return r;
    }
    if (!parse_one(item, r)) {
      r.nets.clear();
      return r;
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return r;
}

AddrParseResult parse_ipv4_any(std::string_view s) {
  AddrParseResult r;
  if (!parse_one(s.substr(0, std::min<size_t>(s.size(), 255)), r)) r.nets.clear();
  return r;
}

std::string ipv4_to_string(uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

int mask_to_prefix(uint32_t mask) {
  if (mask == 0) return 0;
  uint32_t inv = ~mask;
  if ((inv & (inv + 1)) != 0) return -1;
  return 32 - __builtin_popcount(inv);
}

std::string mask_to_string(uint32_t mask) {
  int p = mask_to_prefix(mask);
  if (p >= 0) return std::to_string(p);
  return ipv4_to_string(mask);
}

std::optional<uint16_t> service_port(std::string_view name, std::string_view proto) {
  for (const auto& s : kServices)
    if (s.name == name && (proto.empty() || s.proto == proto)) return s.port;
  return std::nullopt;
}

std::optional<uint16_t> parse_port(std::string_view s, std::string_view proto) {
  if (auto v = parse_uint(s, 0, 65535)) return static_cast<uint16_t>(*v);
  return service_port(s, proto);
}

std::optional<uint8_t> parse_protocol(std::string_view s) {
  if (auto v = parse_uint(s, 0, 255)) return static_cast<uint8_t>(*v);
  for (const auto& p : kChainProtos)
    if (p.name == s) return p.number;
  // iptables keeps the number in 16 bits; the nf_tables rule compares one byte, so 262
  // (mptcp) ends up as 6.
  for (const auto& p : kProtocols)
    if (p.name == s) return static_cast<uint8_t>(p.number);
  return std::nullopt;
}

std::optional<std::string_view> protocol_name(uint8_t proto) {
  for (const auto& p : kChainProtos)
    if (p.number == proto) return p.name;
  if (proto == 0) return std::nullopt;
  for (const auto& p : kProtocols)
    if (p.official && p.number == proto) return p.name;
  return std::nullopt;
}

std::optional<std::string_view> protocol_match_name(uint8_t proto) {
  // find_proto: proto_to_name(proto, nolookup=0), and 0 ("all") loads nothing useful.
  if (proto == 0) return std::nullopt;
  return protocol_name(proto);
}

std::optional<std::array<uint8_t, 6>> parse_mac(std::string_view s) {
  // xtopt_parse_ethermac (XTTYPE_ETHERMAC, what -m mac uses): six parts, each
  // strtoul(arg, &end, 16) followed by ':' (the last by the end of the string), at most two
  // characters consumed per part. strtoul skips blanks, takes a sign and a "0x" prefix, and an
  // empty part converts nothing (0), so ":::::" is 00:00:00:00:00:00 and "-1" is 0xff.
  std::array<uint8_t, 6> out{};
  size_t pos = 0;
  for (size_t i = 0; i < 6; ++i) {
    size_t p = pos;
    while (p < s.size() && is_space(s[p])) ++p;
    bool neg = false;
    if (p < s.size() && (s[p] == '+' || s[p] == '-')) neg = s[p++] == '-';
    auto hexval = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (p + 2 < s.size() && s[p] == '0' && (s[p + 1] == 'x' || s[p + 1] == 'X') && hexval(s[p + 2]) >= 0)
      p += 2;
    size_t digits = p;
    uint64_t v = 0;
    while (p < s.size() && hexval(s[p]) >= 0 && p - digits < 16) v = v * 16 + static_cast<uint64_t>(hexval(s[p++]));
    // No digits: strtoul converts nothing and leaves end at the start of the part.
    size_t end = p == digits ? pos : p;
    if (p != digits && neg) v = 0 - v;
    if (end - pos > 2) return std::nullopt;
    char want = i < 5 ? ':' : '\0';
    char got = end < s.size() ? s[end] : '\0';
    if (got != want || (i == 5 && end != s.size())) return std::nullopt;
    out[i] = static_cast<uint8_t>(v);
    pos = end + 1;
  }
  return out;
}

std::string closest(std::string_view word, const std::vector<std::string_view>& candidates) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= b.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
      std::swap(prev, cur);
    }
    return prev[b.size()];
  };
  std::string best;
  size_t best_d = 3;
  for (auto c : candidates) {
    size_t d = distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = std::string(c);
    }
  }
  return best;
}

}  // namespace iptc::ir
