// -m esp (extensions/libxt_esp.c, guided parser; kernel xt_esp.c): [!] --espspi SPI[:SPI], once
// (XTTYPE_UINT32RC: an empty bound is open, a single number is a one-element range, MIN > MAX is
// accepted and never matches). Save prints nothing for the full range 0:4294967295, even inverted
// (an inverted full range matches nothing in the kernel but lists as a bare -m esp). The kernel
// match is registered for protocol 50 ('-p esp').
#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSpi };

constexpr OptionDef kOptions[] = {
    {"espspi", kSpi, ArgKind::Required, optflag::kInvert},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<EspMatch>(d);
  return parse_spi_range(c, "esp", m.spi_min, m.spi_max, m.invert);
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<EspMatch>(d);
  save_spi_range(w, "espspi", m.spi_min, m.spi_max, m.invert);
}

}  // namespace

const MatchDef kEsp = {
    .kind = MatchKind::Esp,
    .name = "esp",
    .options = kOptions,
    .init = [] { return MatchData{EspMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 50,
};

}  // namespace iptc::ir::kinds
