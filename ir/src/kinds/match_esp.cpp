// -m esp (extensions/libxt_esp.c, guided parser; kernel xt_esp.c): [!] --espspi SPI[:SPI], once
// (XTTYPE_UINT32RC: an empty bound is open, a single number is a one-element range, MIN > MAX is
// accepted and never matches). Save prints nothing for the full range 0:4294967295, even inverted
// (an inverted full range matches nothing in the kernel but lists as a bare -m esp). The kernel
// match is registered for protocol 50 ('-p esp').
#include <fmt/format.h>

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
  auto r = parse_uint_rc(c, "esp", UINT32_MAX);
  if (!r) return false;
  m.spi_min = static_cast<uint32_t>(r->first);
  m.spi_max = static_cast<uint32_t>(r->second);
  if (c.invert) m.invert = true;
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<EspMatch>(d);
  if (m.spi_min == 0 && m.spi_max == UINT32_MAX) return;
  w.bang(m.invert);
  if (m.spi_min != m.spi_max)
    w.raw(fmt::format(" --espspi {}:{}", m.spi_min, m.spi_max));
  else
    w.raw(fmt::format(" --espspi {}", m.spi_min));
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
