// Native nf_tables encodings of iptables-nft 1.8.9 and their read-back (see nft_canon.hpp).
#include "iptc/ir/nft_canon.hpp"

#include <iterator>
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

/// add_nft_limit: the nf_tables limit expression iptables-nft sends for xt_rateinfo. Its unit
/// is found by the same search as libxt_limit's print_rate (walking down from day while the
/// next unit still divides the period "well enough"), and its rate is the integer number of
/// periods in that unit. The kernel (nft_limit.c) turns a burst
/// of 0 into 5. Listing (nft-shared.c nft_parse_limit) rebuilds avg = SCALE * unit / rate, so
/// a period the division does not round-trip comes back different: "6001/hour" (avg 5999)
/// is held as 100 per minute and listed as avg 6000, "3000/second" as 3333 per second.
void canonicalize_limit(LimitMatch& l) {
  static constexpr uint64_t kMult[] = {
      uint64_t{LimitMatch::kScale} * 24 * 60 * 60,
      uint64_t{LimitMatch::kScale} * 60 * 60,
      uint64_t{LimitMatch::kScale} * 60,
      uint64_t{LimitMatch::kScale},
  };
  // Already held by the kernel (canonicalizing twice must not re-derive a different unit), or
  // a period the parser never produces ("Rate too fast").
  if (l.nft_rate != 0 || l.avg == 0) return;
  size_t i = 1;
  for (; i < std::size(kMult); ++i)
    if (l.avg > kMult[i] || kMult[i] / l.avg < kMult[i] % l.avg) break;
  l.nft_rate = kMult[i - 1] / l.avg;
  l.nft_unit = kMult[i - 1] / LimitMatch::kScale;
  if (l.burst == 0) {  // nft_limit_init: NFT_LIMIT_PKT_BURST_DEFAULT
    l.burst = 5;
    l.nft_burst_defaulted = true;
  }
  l.avg = static_cast<uint32_t>(LimitMatch::kScale * l.nft_unit / l.nft_rate);
}

}  // namespace

bool nft_is_native(const Match& m) {
  if (const auto* t = std::get_if<TcpMatch>(&m.data)) return tcp_native(*t);
  if (const auto* u = std::get_if<UdpMatch>(&m.data)) return udp_native(*u);
  // add_match: limit (add_nft_limit) and mark (add_nft_mark: meta mark, optional bitwise and,
  // cmp eq/neq) always become native expressions; parse_meta_mark lists mark back exactly.
  // icmp has a native listing path (nft_parse_icmp) but iptables never writes one, so it
  // stays an xtables match, like conntrack, state, multiport, comment and mac.
  if (std::holds_alternative<LimitMatch>(m.data)) return true;
  if (std::holds_alternative<MarkMatch>(m.data)) return true;
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
    } else if (auto* l = std::get_if<LimitMatch>(&m.data)) {
      canonicalize_limit(*l);
    }
    kept.push_back(std::move(m));
  }
  r.matches = std::move(kept);
  nft_canonicalize_target(r.target);
}

// ---- Targets ---------------------------------------------------------------------------------

bool nft_target_is_native(const Target& t) {
  // add_action: "NFLOG" goes through add_log, every other extension through add_target,
  // which turns "TRACE" into "meta nftrace set 1" (add_meta_nftrace); nft-shared.c
  // nft_meta_set_to_target lists that back as -j TRACE.
  return t.type == TargetType::Extension &&
         (std::holds_alternative<NflogTarget>(t.data) || std::holds_alternative<TraceTarget>(t.data));
}

void nft_canonicalize_target(Target& t) {
  if (!nft_target_is_native(t)) return;
  // TRACE has no payload: nothing to canonicalize.
  auto* np = std::get_if<NflogTarget>(&t.data);
  if (!np) return;
  auto& n = *np;
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
    // Listing knows only avg and burst: the kernel's rate and unit are not part of the text
    // (two rules with equal listings compare equal for -D and -C, as nft_rule_cmp does). The
    // defaulted burst stays: rules of one iptables-restore transaction are compared as sent.
    if (auto* l = std::get_if<LimitMatch>(&out.back().data)) l->nft_rate = l->nft_unit = 0;
  }
  return out;
}

}  // namespace iptc::ir
