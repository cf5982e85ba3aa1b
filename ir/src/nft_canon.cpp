// Native nf_tables encodings of iptables-nft 1.8.9 and their read-back (see nft_canon.hpp).
#include "iptc/ir/nft_canon.hpp"

#include <optional>

namespace iptc::ir {

namespace {

bool full(const PortRange& p) { return p.lo == 0 && p.hi == 0xffff; }

bool tcp_native(const TcpMatch& t) {
  // add_nft_tcp: xtables match when an unsupported inversion, an option, or nothing is set.
  constexpr uint8_t supported = TcpMatch::kInvSrcPort | TcpMatch::kInvDstPort | TcpMatch::kInvFlags;
  bool all_zero = t == TcpMatch{};
  return !(t.invflags & ~supported) && t.option == 0 && !all_zero;
}

bool udp_native(const UdpMatch& u) {
  constexpr uint8_t mask = UdpMatch::kInvSrcPort | UdpMatch::kInvDstPort;
  return !(u.invflags > mask) && !(u == UdpMatch{});
}

}  // namespace

bool nft_is_native(const Match& m) {
  if (const auto* t = std::get_if<TcpMatch>(&m.data)) return tcp_native(*t);
  if (const auto* u = std::get_if<UdpMatch>(&m.data)) return udp_native(*u);
  return false;
}

void nft_canonicalize(Rule& r) {
  std::vector<Match> kept;
  kept.reserve(r.matches.size());
  for (Match& m : r.matches) {
    if (auto* t = std::get_if<TcpMatch>(&m.data); t && tcp_native(*t)) {
      // add_nft_tcpudp emits nothing for a full range, inverted or not.
      if (full(t->sport)) t->invflags &= static_cast<uint8_t>(~TcpMatch::kInvSrcPort);
      if (full(t->dport)) t->invflags &= static_cast<uint8_t>(~TcpMatch::kInvDstPort);
      if (t->flg_mask == 0 && !(t->invflags & TcpMatch::kInvFlags)) t->flg_cmp = 0;
      if (*t == TcpMatch{}) continue;  // nothing left in the kernel
    } else if (auto* u = std::get_if<UdpMatch>(&m.data); u && udp_native(*u)) {
      if (full(u->sport)) u->invflags &= static_cast<uint8_t>(~UdpMatch::kInvSrcPort);
      if (full(u->dport)) u->invflags &= static_cast<uint8_t>(~UdpMatch::kInvDstPort);
      if (*u == UdpMatch{}) continue;
    }
    kept.push_back(std::move(m));
  }
  r.matches = std::move(kept);
  nft_canonicalize_target(r.target);
}

// ---- Targets ---------------------------------------------------------------------------------

bool nft_target_is_native(const Target& t) {
  // add_action: "NFLOG" goes through add_log, every other extension through add_target.
  return t.type == TargetType::Extension && std::holds_alternative<NflogTarget>(t.data);
}

void nft_canonicalize_target(Target& t) {
  if (!nft_target_is_native(t)) return;
  auto& n = std::get<NflogTarget>(t.data);
  // add_log: the snap length is sent only with XT_NFLOG_F_COPY_LEN (--nflog-size); the
  // threshold only when not 0, which is also what the kernel reports when it is absent.
  if (!(n.flags & NflogTarget::kCopyLen)) n.len = 0;
}

std::vector<Match> nft_save_view(const std::vector<Match>& matches) {
  std::vector<Match> out;
  std::optional<size_t> tcp_at, udp_at;
  for (const Match& m : matches) {
    if (const auto* t = std::get_if<TcpMatch>(&m.data); t && tcp_native(*t)) {
      if (!tcp_at) {
        tcp_at = out.size();
        out.push_back(m);
        continue;
      }
      auto& dst = std::get<TcpMatch>(out[*tcp_at].data);
      if (t->flg_mask || (t->invflags & TcpMatch::kInvFlags)) {
        dst.flg_mask = t->flg_mask;
        dst.flg_cmp = t->flg_cmp;
        if (t->invflags & TcpMatch::kInvFlags) dst.invflags |= TcpMatch::kInvFlags;
      }
      if (!full(t->sport)) {
        dst.sport = t->sport;
        if (t->invflags & TcpMatch::kInvSrcPort) dst.invflags |= TcpMatch::kInvSrcPort;
      }
      if (!full(t->dport)) {
        dst.dport = t->dport;
        if (t->invflags & TcpMatch::kInvDstPort) dst.invflags |= TcpMatch::kInvDstPort;
      }
      continue;
    }
    if (const auto* u = std::get_if<UdpMatch>(&m.data); u && udp_native(*u)) {
      if (!udp_at) {
        udp_at = out.size();
        out.push_back(m);
        continue;
      }
      auto& dst = std::get<UdpMatch>(out[*udp_at].data);
      if (!full(u->sport)) {
        dst.sport = u->sport;
        if (u->invflags & UdpMatch::kInvSrcPort) dst.invflags |= UdpMatch::kInvSrcPort;
      }
      if (!full(u->dport)) {
        dst.dport = u->dport;
        if (u->invflags & UdpMatch::kInvDstPort) dst.invflags |= UdpMatch::kInvDstPort;
      }
      continue;
    }
    out.push_back(m);
  }
  return out;
}

}  // namespace iptc::ir
