// -m icmp (extensions/libipt_icmp.c with the names table of libxt_icmp.h, guided parser):
// --icmp-type NAME | TYPE[/CODE[:CODE]]. Names match by case-insensitive prefix and an
// ambiguous prefix is an error; numbers follow xtables_strtoui (C notation). A type range
// ("3:5") is refused. The save text keeps only the low code ("3/1" for 3/1:5) and prints type
// 255 as "any". The kernel match (ipt_icmp in ip_tables.c) needs `-p icmp`; iptables-nft keeps
// it an xtables match (nft.c add_match has no native icmp encoding).
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kType };

constexpr OptionDef kOptions[] = {
    {"icmp-type", kType, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
};

struct IcmpName {
  std::string_view name;
  uint8_t type, code_min, code_max;
};

// libxt_icmp.h icmp_codes[], in its order: the order decides which two names an ambiguity
// message quotes.
constexpr IcmpName kNames[] = {
    {"any", 0xff, 0, 0xff},
    {"echo-reply", 0, 0, 0xff},
    {"pong", 0, 0, 0xff},
    {"destination-unreachable", 3, 0, 0xff},
    {"network-unreachable", 3, 0, 0},
    {"host-unreachable", 3, 1, 1},
    {"protocol-unreachable", 3, 2, 2},
    {"port-unreachable", 3, 3, 3},
    {"fragmentation-needed", 3, 4, 4},
    {"source-route-failed", 3, 5, 5},
    {"network-unknown", 3, 6, 6},
    {"host-unknown", 3, 7, 7},
    {"network-prohibited", 3, 9, 9},
    {"host-prohibited", 3, 10, 10},
    {"TOS-network-unreachable", 3, 11, 11},
    {"TOS-host-unreachable", 3, 12, 12},
    {"communication-prohibited", 3, 13, 13},
    {"host-precedence-violation", 3, 14, 14},
    {"precedence-cutoff", 3, 15, 15},
    {"source-quench", 4, 0, 0xff},
    {"redirect", 5, 0, 0xff},
    {"network-redirect", 5, 0, 0},
    {"host-redirect", 5, 1, 1},
    {"TOS-network-redirect", 5, 2, 2},
    {"TOS-host-redirect", 5, 3, 3},
    {"echo-request", 8, 0, 0xff},
    {"ping", 8, 0, 0xff},
    {"router-advertisement", 9, 0, 0xff},
    {"router-solicitation", 10, 0, 0xff},
    {"time-exceeded", 11, 0, 0xff},
    {"ttl-exceeded", 11, 0, 0xff},
    {"ttl-zero-during-transit", 11, 0, 0},
    {"ttl-zero-during-reassembly", 11, 1, 1},
    {"parameter-problem", 12, 0, 0xff},
    {"ip-header-bad", 12, 0, 0},
    {"required-option-missing", 12, 1, 1},
    {"timestamp-request", 13, 0, 0xff},
    {"timestamp-reply", 14, 0, 0xff},
    {"address-mask-request", 17, 0, 0xff},
    {"address-mask-reply", 18, 0, 0xff},
};

constexpr std::string_view kTypeHint =
    "write a type name such as echo-request or port-unreachable, or TYPE[/CODE] with numbers 0-255";

/// parse_range of libxt_icmp.h: "N" or "N:M", each by xtables_strtoui(0..255); returns the
/// rest of the text after the numbers.
std::optional<std::string_view> parse_range(std::string_view s, unsigned& lo, unsigned& hi) {
  auto a = parse_uint_prefix(s, 0, 255);
  if (!a) return std::nullopt;
  lo = hi = static_cast<unsigned>(a->first);
  std::string_view rest = a->second;
  if (!rest.empty() && rest.front() == ':') {
    auto b = parse_uint_prefix(rest.substr(1), 0, 255);
    if (!b) return std::nullopt;
    hi = static_cast<unsigned>(b->first);
    rest = b->second;
  }
  return rest;
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<IcmpMatch>(d);
  std::string_view s = c.arg;
  // __parse_icmp: every name that s is a case-insensitive prefix of is a candidate.
  const IcmpName* found = nullptr;
  for (const auto& n : kNames) {
    if (!iprefix(s, n.name)) continue;
    if (found)
      return c.fail(fmt::format("ambiguous icmp type '{}': '{}' or '{}'?", s, found->name, n.name),
                    "write more of the name");
    found = &n;
  }
  if (found) {
    m.type = found->type;
    m.code_lo = found->code_min;
    m.code_hi = found->code_max;
  } else {
    unsigned tlo = 0, thi = 0;
    auto rest = parse_range(s, tlo, thi);
    if (!rest) return c.fail(fmt::format("unknown icmp type '{}'", s), std::string(kTypeHint));
    unsigned clo = 0, chi = 0xff;
    if (!rest->empty()) {
      if (rest->front() != '/')
        return c.fail(fmt::format("unexpected character '{}' in icmp type '{}'", rest->front(), s),
                      std::string(kTypeHint));
      auto crest = parse_range(rest->substr(1), clo, chi);
      if (!crest)
        return c.fail(fmt::format("unknown icmp code in '{}'", s),
                      "a code is a number 0-255, or a range CODE:CODE");
      if (!crest->empty())
        return c.fail(fmt::format("unexpected character '{}' in icmp type '{}'", crest->front(), s),
                      std::string(kTypeHint));
    }
    if (tlo != thi)
      return c.fail("icmp type ranges are not supported", "write one rule per type");
    m.type = static_cast<uint8_t>(tlo);
    m.code_lo = static_cast<uint8_t>(clo);
    m.code_hi = static_cast<uint8_t>(chi);
  }
  m.invert = c.invert;
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<IcmpMatch>(d);
  w.bang(m.invert);
  if (m.type == 0xff) {
    w.raw(" --icmp-type any");
    return;
  }
  w.raw(fmt::format(" --icmp-type {}", m.type));
  // icmp_save prints only the low code of a range.
  if (m.code_lo != 0 || m.code_hi != 0xff) w.raw(fmt::format("/{}", m.code_lo));
}

}  // namespace

const MatchDef kIcmp = {
    .kind = MatchKind::Icmp,
    .name = "icmp",
    .options = kOptions,
    .init = [] { return MatchData{IcmpMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 1,
};

}  // namespace iptc::ir::kinds
