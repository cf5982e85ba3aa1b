// -m ah (extensions/libipt_ah.c, guided parser; kernel net/ipv4/netfilter/ipt_ah.c):
// [!] --ahspi SPI[:SPI], once (XTTYPE_UINT32RC: an empty bound is open, a single number is a
// one-element range, MIN > MAX is accepted and never matches). Save prints nothing for the full
// range 0:4294967295, even inverted (an inverted full range matches nothing in the kernel but
// lists as a bare -m ah). The kernel match is registered for protocol 51 ('-p ah').
#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSpi };

constexpr OptionDef kOptions[] = {
    {"ahspi", kSpi, ArgKind::Required, optflag::kInvert},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<AhMatch>(d);
  return parse_spi_range(c, "ah", m.spi_min, m.spi_max, m.invert);
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<AhMatch>(d);
  save_spi_range(w, "ahspi", m.spi_min, m.spi_max, m.invert);
}

}  // namespace

const MatchDef kAh = {
    .kind = MatchKind::Ah,
    .name = "ah",
    .options = kOptions,
    .init = [] { return MatchData{AhMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 51,
};

}  // namespace iptc::ir::kinds
