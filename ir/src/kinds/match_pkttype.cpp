// -m pkttype (extensions/libxt_pkttype.c, guided parser; kernel xt_pkttype.c): mandatory
// [!] --pkt-type unicast|broadcast|multicast|otherhost (or the aliases host, bcast, mcast), any
// letter case. iptables-save prints the first name of the value. iptables-nft 1.8.9 sends it
// to the kernel as the xt match (only ebtables-nft encodes pkttype natively).
#include <fmt/format.h>
#include <strings.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kPktType };

constexpr OptionDef kOptions[] = {
    {"pkt-type", kPktType, ArgKind::Required, optflag::kInvert | optflag::kMandatory},
};

struct TypeName {
  std::string_view name;
  uint8_t type;  ///< PACKET_HOST 0, PACKET_BROADCAST 1, PACKET_MULTICAST 2, PACKET_OTHERHOST 3
};
constexpr TypeName kTypes[] = {
    {"unicast", 0}, {"broadcast", 1}, {"multicast", 2}, {"otherhost", 3},
    {"bcast", 1},   {"mcast", 2},     {"host", 0},
};

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& p = std::get<PkttypeMatch>(d);
  for (const auto& t : kTypes)
    if (iequal(c.arg, t.name)) {
      p.pkttype = t.type;
      p.invert = c.invert;
      return true;
    }
  return c.fail(fmt::format("pkttype: unknown packet type '{}'", c.arg),
                "packet types are unicast, broadcast, multicast and otherhost");
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& p = std::get<PkttypeMatch>(d);
  w.bang(p.invert).raw(" --pkt-type");
  for (const auto& t : kTypes)
    if (t.type == p.pkttype) {
      w.raw(" ").raw(t.name);
      return;
    }
  w.raw(fmt::format(" {}", p.pkttype));
}

}  // namespace

const MatchDef kPkttype = {
    .kind = MatchKind::Pkttype,
    .name = "pkttype",
    .options = kOptions,
    .init = [] { return MatchData{PkttypeMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
