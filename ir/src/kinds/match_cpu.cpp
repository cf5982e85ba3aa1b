// -m cpu (extensions/libxt_cpu.c, guided parser; kernel xt_cpu.c): mandatory [!] --cpu N
// (uint32, C notation), once. Any table and hook; the kernel checks nothing that iptables can
// produce wrong.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kCpu };

constexpr OptionDef kOptions[] = {
    {"cpu", kCpu, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<CpuMatch>(d);
  auto v = uint_option(c, 0, UINT32_MAX);
  if (!v) return false;
  m.cpu = *v;
  if (c.invert) m.invert = true;
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<CpuMatch>(d);
  w.bang(m.invert).raw(fmt::format(" --cpu {}", m.cpu));
}

}  // namespace

const MatchDef kCpu = {
    .kind = MatchKind::Cpu,
    .name = "cpu",
    .options = kOptions,
    .init = [] { return MatchData{CpuMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
