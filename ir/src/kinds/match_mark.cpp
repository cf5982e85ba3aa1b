// -m mark, revision 1 (extensions/libxt_mark.c, guided parser): [!] --mark VALUE[/MASK],
// mandatory, once; both numbers in C notation up to 0xffffffff (xtables_parse_val_mask), the
// mask defaulting to 0xffffffff. Saved as "0xV" or "0xV/0xM". iptables-nft encodes it natively
// (nft.c add_nft_mark: meta mark, bitwise and, cmp) and lists it back unchanged
// (nft-shared.c parse_meta_mark), so no xtables check applies; see nft_canon.cpp.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kMark };

constexpr OptionDef kOptions[] = {
    {"mark", kMark, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
};

constexpr std::string_view kHint = "write VALUE or VALUE/MASK with numbers up to 0xffffffff, e.g. 0x10/0xf0";

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<MarkMatch>(d);
  auto v = parse_uint_prefix(c.arg, 0, 0xffffffff);
  if (!v) return c.fail(fmt::format("bad mark value '{}'", c.arg), std::string(kHint));
  uint32_t mask = 0xffffffff;
  if (!v->second.empty()) {
    if (v->second.front() != '/')
      return c.fail(fmt::format("trailing garbage after mark value in '{}'", c.arg),
                    std::string(kHint));
    auto k = parse_uint_prefix(v->second.substr(1), 0, 0xffffffff);
    if (!k) return c.fail(fmt::format("bad mark mask in '{}'", c.arg), std::string(kHint));
    if (!k->second.empty())
      return c.fail(fmt::format("trailing garbage after mark mask in '{}'", c.arg),
                    std::string(kHint));
    mask = static_cast<uint32_t>(k->first);
  }
  m.mark = static_cast<uint32_t>(v->first);
  m.mask = mask;
  m.invert = c.invert;
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<MarkMatch>(d);
  w.bang(m.invert);
  w.raw(" --mark ");
  w.raw(hex(m.mark));
  if (m.mask != 0xffffffff) w.raw("/").raw(hex(m.mask));
}

}  // namespace

const MatchDef kMark = {
    .kind = MatchKind::Mark,
    .name = "mark",
    .options = kOptions,
    .init = [] { return MatchData{MarkMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
