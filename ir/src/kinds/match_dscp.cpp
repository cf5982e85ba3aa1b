// -m dscp (extensions/libxt_dscp.c with dscp_helper.c, guided parser; kernel xt_dscp.c):
// [!] --dscp N (0-63, C notation) or [!] --dscp-class NAME, exactly one, once. A class name is
// found the way class_to_dscp finds it: the first of CS0..CS7, BE, AF11..AF43, EF that is a
// case-insensitive prefix of the word, so "EFX" is EF and "CS10" is CS1. Saved as
// "--dscp 0xNN" whatever was written. The kernel refuses values above 63 (never produced
// here) and matches (tos >> 2) == dscp.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kDscp, kClass };

constexpr OptionDef kOptions[] = {
    {"dscp", kDscp, ArgKind::Required, optflag::kInvert, 1u << kClass},
    {"dscp-class", kClass, ArgKind::Required, optflag::kInvert, 1u << kDscp},
};

struct DsClass {
  std::string_view name;
  uint8_t dscp;
};
// dscp_helper.c's table, in its order (the first prefix match wins).
constexpr DsClass kClasses[] = {
    {"CS0", 0x00},  {"CS1", 0x08},  {"CS2", 0x10},  {"CS3", 0x18},  {"CS4", 0x20},  {"CS5", 0x28},
    {"CS6", 0x30},  {"CS7", 0x38},  {"BE", 0x00},   {"AF11", 0x0a}, {"AF12", 0x0c}, {"AF13", 0x0e},
    {"AF21", 0x12}, {"AF22", 0x14}, {"AF23", 0x16}, {"AF31", 0x1a}, {"AF32", 0x1c}, {"AF33", 0x1e},
    {"AF41", 0x22}, {"AF42", 0x24}, {"AF43", 0x26}, {"EF", 0x2e},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<DscpMatch>(d);
  if (c.opt->id == kDscp) {
    auto v = uint_option(c, 0, 63);
    if (!v) return false;
    m.dscp = static_cast<uint8_t>(*v);
  } else {
    const DsClass* found = nullptr;
    for (const auto& k : kClasses)
      if (c.arg.size() >= k.name.size() && iprefix(k.name, c.arg)) {
        found = &k;
        break;
      }
    if (!found)
      return c.fail(fmt::format("dscp: unknown DiffServ class '{}'", c.arg),
                    "classes are BE, EF, CS0-CS7 and AF11-AF13, AF21-AF23, AF31-AF33, AF41-AF43");
    m.dscp = found->dscp;
  }
  if (c.invert) m.invert = true;
  return true;
}

bool finish(const FinishCall& c, MatchData&) {
  if (c.seen == 0) return c.fail("dscp: --dscp or --dscp-class is required", "e.g. -m dscp --dscp-class EF");
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<DscpMatch>(d);
  w.bang(m.invert).raw(fmt::format(" --dscp 0x{:02x}", m.dscp));
}

}  // namespace

const MatchDef kDscp = {
    .kind = MatchKind::Dscp,
    .name = "dscp",
    .options = kOptions,
    .init = [] { return MatchData{DscpMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
};

}  // namespace iptc::ir::kinds
