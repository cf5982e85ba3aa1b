// -m rpfilter (extensions/libxt_rpfilter.c, guided parser; kernel
// net/ipv4/netfilter/ipt_rpfilter.c): --loose, --validmark, --accept-local, --invert, each at
// most once, none required, none invertible with '!'. The kernel match exists only at
// PREROUTING (static hook mask, checked through jumps) and its checkentry accepts only the raw
// and mangle tables.
#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kLoose, kValidMark, kAcceptLocal, kInvertOpt };

constexpr OptionDef kOptions[] = {
    {"loose", kLoose, ArgKind::None, 0},
    {"validmark", kValidMark, ArgKind::None, 0},
    {"accept-local", kAcceptLocal, ArgKind::None, 0},
    {"invert", kInvertOpt, ArgKind::None, 0},
};

using R = RpfilterMatch;
// Option id i sets flag bit i (XT_RPFILTER_LOOSE .. XT_RPFILTER_INVERT).
constexpr std::string_view kNames[] = {"loose", "validmark", "accept-local", "invert"};

bool parse(const OptionCall& c, MatchData& d) {
  std::get<RpfilterMatch>(d).flags |= static_cast<uint8_t>(1u << c.opt->id);
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& r = std::get<RpfilterMatch>(d);
  for (size_t i = 0; i < std::size(kNames); ++i)
    if (r.flags & (1u << i)) w.raw(" --").raw(kNames[i]);
}

/// rpfilter_check: the table, by name.
std::string kernel_check(const KernelCheckCall& k, const MatchData&) {
  if (k.table != TableKind::Raw && k.table != TableKind::Mangle)
    return refuse(k, "rpfilter is only valid in the raw and mangle tables",
                  "move the rule to '-t raw' or '-t mangle' PREROUTING");
  return {};
}

}  // namespace

const MatchDef kRpfilter = {
    .kind = MatchKind::Rpfilter,
    .name = "rpfilter",
    .options = kOptions,
    .init = [] { return MatchData{RpfilterMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = kernel_check,
    .hooks = hook_bit(Hook::Prerouting),
};

}  // namespace iptc::ir::kinds
