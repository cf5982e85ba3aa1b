// -m socket, revision 3 (extensions/libxt_socket.c socket_mt_*_v3, guided parser; kernel
// xt_socket.c): --transparent, --nowildcard, --restore-skmark, each at most once, none
// invertible; saved in that order. The kernel match may run only from PREROUTING and INPUT
// (xt_match.hooks, checked through jumps too).
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kTransparent, kNowildcard, kRestoreSkmark };

constexpr OptionDef kOptions[] = {
    {"transparent", kTransparent, ArgKind::None},
    {"nowildcard", kNowildcard, ArgKind::None},
    {"restore-skmark", kRestoreSkmark, ArgKind::None},
};

bool parse(const OptionCall& c, MatchData& d) {
  auto& s = std::get<SocketMatch>(d);
  switch (c.opt->id) {
    case kTransparent: s.flags |= SocketMatch::kTransparent; return true;
    case kNowildcard: s.flags |= SocketMatch::kNowildcard; return true;
    case kRestoreSkmark: s.flags |= SocketMatch::kRestoreSkmark; return true;
    default: return false;
  }
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& s = std::get<SocketMatch>(d);
  if (s.flags & SocketMatch::kTransparent) w.raw(" --transparent");
  if (s.flags & SocketMatch::kNowildcard) w.raw(" --nowildcard");
  if (s.flags & SocketMatch::kRestoreSkmark) w.raw(" --restore-skmark");
}

}  // namespace

const MatchDef kSocket = {
    .kind = MatchKind::Socket,
    .name = "socket",
    .options = kOptions,
    .init = [] { return MatchData{SocketMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .kernel_check = nullptr,
    .proto = 0,
    .hooks = hook_bit(Hook::Prerouting) | hook_bit(Hook::Input),
};

}  // namespace iptc::ir::kinds
