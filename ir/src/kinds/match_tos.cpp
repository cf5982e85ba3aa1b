// -m tos, revision 1 (extensions/libxt_tos.c tos_mt_*, guided parser; kernel xt_dscp.c tos_mt):
// mandatory [!] --tos VALUE[/MASK] or a symbolic name, once (XTTYPE_TOSMASK,
// xtopt_parse_tosmask): a word that starts with a number 0-255 is VALUE[/MASK], both 0-255, the
// mask 0xff when absent; any other word must be one of the five RFC 1349 names (any case),
// which take the revision-1 mask 0x3f. The kernel checks nothing and matches
// (tos & mask) == value, so a value with bits outside the mask never matches.
#include <strings.h>

#include <cctype>

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kTos };

constexpr OptionDef kOptions[] = {
    {"tos", kTos, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
};

struct TosName {
  std::string_view name;
  uint8_t value;
};
constexpr TosName kNames[] = {
    {"Minimize-Delay", 0x10}, {"Maximize-Throughput", 0x08}, {"Maximize-Reliability", 0x04},
    {"Minimize-Cost", 0x02},  {"Normal-Service", 0x00},
};
constexpr std::string_view kHint =
    "write VALUE[/MASK] with numbers 0-255, or one of Minimize-Delay, Maximize-Throughput, "
    "Maximize-Reliability, Minimize-Cost, Normal-Service";

bool parse(const OptionCall& c, MatchData& d) {
  auto& t = std::get<TosMatch>(d);
  // xtables_strtoui(arg, &end, NULL, 0, 255) succeeds on a leading number in range; then
  // tos_parse_numeric insists on "/MASK" or nothing after it.
  if (auto v = parse_uint_prefix(c.arg, 0, 255)) {
    t.value = static_cast<uint8_t>(v->first);
    t.mask = 0xff;
    std::string_view rest = v->second;
    if (!rest.empty() && rest.front() == '/') {
      auto m = parse_uint_prefix(rest.substr(1), 0, 255);
      if (!m) return c.fail(fmt::format("tos: illegal value '{}'", c.arg), std::string(kHint));
      t.mask = static_cast<uint8_t>(m->first);
      rest = m->second;
    }
    if (!rest.empty()) return c.fail(fmt::format("tos: illegal value '{}'", c.arg), std::string(kHint));
  } else {
    std::string arg(c.arg);
    const TosName* found = nullptr;
    for (const auto& n : kNames)
      if (strcasecmp(arg.c_str(), std::string(n.name).c_str()) == 0) found = &n;
    if (!found) {
      // xtopt_parse_tosmask treats every non-number as a name; say what the user meant.
      size_t b = c.arg.find_first_not_of(" \t");
      bool numeric = b != std::string_view::npos &&
                     (std::isdigit(static_cast<unsigned char>(c.arg[b])) || c.arg[b] == '-');
      return c.fail(numeric ? fmt::format("tos: value '{}' is out of range 0-255", c.arg)
                            : fmt::format("tos: unknown TOS name '{}'", c.arg),
                    std::string(kHint));
    }
    t.value = found->value;
    t.mask = 0x3f;
  }
  if (c.invert) t.invert = true;
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& t = std::get<TosMatch>(d);
  w.bang(t.invert).raw(fmt::format(" --tos 0x{:02x}/0x{:02x}", t.value, t.mask));
}

}  // namespace

const MatchDef kTosMatch = {
    .kind = MatchKind::Tos,
    .name = "tos",
    .options = kOptions,
    .init = [] { return MatchData{TosMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
