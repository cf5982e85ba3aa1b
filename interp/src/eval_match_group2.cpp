// Match evaluation for the second coverage group, one function per kind, each following its
// kernel source (Linux 6.x):
//   string     xt_string.c: skb_find_text (net/core/skbuff.c) with lib/ts_bm.c or ts_kmp.c
//   u32        xt_u32.c                       dscp, tos  xt_dscp.c (dscp_mt, tos_mt)
//   ttl        xt_hl.c (ttl_mt)               ecn        xt_ecn.c (ecn_mt4)
//   helper     xt_helper.c                    devgroup   xt_devgroup.c
//   cgroup     xt_cgroup.c (revision 2)       socket     xt_socket.c (socket_match)
//   quota      xt_quota.c                     connbytes  xt_connbytes.c
//   esp        xt_esp.c                       ah         net/ipv4/netfilter/ipt_ah.c
//   cpu        xt_cpu.c                       cluster    xt_cluster.c (jhash_1word)
//   ipvs       xt_ipvs.c
// What the host model leaves out decides some of them outright, exactly as the kernel would
// for such a host: no conntrack helper is ever assigned (automatic helper assignment is off
// since Linux 4.7 and iptc models no CT --helper expectations), so no connection has a master
// and -m helper is its invert flag; the host has no TCP or UDP sockets of its own (the test
// harness sends through a raw socket), so -m socket never finds one; nothing is an IPVS
// connection (skb->ipvs_property is 0).
#include <algorithm>
#include <array>
#include <bit>
#include <cassert>

#include "interp_internal.hpp"

namespace iptc::interp::detail {

namespace {

// ---- the kernel's ctype (lib/ctype.c): Latin-1 letters count ----------------------------

/// islower() of the kernel: a-z, 0xdf-0xf6, 0xf8-0xff (0xdf, sharp s, has no upper case in
/// Latin-1 but is classed lower, so toupper maps it to 0xbf).
bool k_islower(uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 0xdf && c <= 0xff && c != 0xf7);
}
bool k_isupper(uint8_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7);
}
uint8_t k_toupper(uint8_t c) { return k_islower(c) ? static_cast<uint8_t>(c - ('a' - 'A')) : c; }
uint8_t k_tolower(uint8_t c) { return k_isupper(c) ? static_cast<uint8_t>(c + ('a' - 'A')) : c; }

// ---- lib/ts_bm.c -------------------------------------------------------------------------

/// subpattern() of ts_bm.c: the kernel's test for the good-shift table (kept as it is, since
/// the table it builds decides which occurrences the search can step over).
bool bm_subpattern(const std::vector<uint8_t>& pat, int i, int j, int g) {
  int x = i + g - 1, y = j + g - 1;
  while (pat[static_cast<size_t>(x--)] == pat[static_cast<size_t>(y--)]) {
    if (y < 0) return true;
    if (--g == 0) return pat[static_cast<size_t>(i - 1)] != pat[static_cast<size_t>(j - 1)];
  }
  return false;
}

std::optional<uint32_t> bm_find(std::string_view pattern, bool icase,
                                std::span<const uint8_t> text) {
  const int patlen = static_cast<int>(pattern.size());
  std::vector<uint8_t> pat(pattern.begin(), pattern.end());
  if (icase)
    for (auto& ch : pat) ch = k_toupper(ch);
  // compute_prefix_tbl
  std::array<int, 256> bad_shift;
  bad_shift.fill(patlen);
  for (int i = 0; i < patlen - 1; ++i) {
    bad_shift[pat[static_cast<size_t>(i)]] = patlen - 1 - i;
    if (icase) bad_shift[k_tolower(pat[static_cast<size_t>(i)])] = patlen - 1 - i;
  }
  std::vector<int> good_shift(static_cast<size_t>(patlen), patlen);
  good_shift[0] = 1;
  for (int i = patlen - 1, g = 1; i > 0; ++g, --i)
    for (int j = i - 1; j >= 1 - g; --j)
      if (bm_subpattern(pat, i, j, g)) {
        good_shift[static_cast<size_t>(g)] = patlen - j - g;
        break;
      }
  // bm_find over the one block skb_seq_read returns for a linear skb.
  const auto text_len = static_cast<int64_t>(text.size());
  int64_t shift = patlen - 1;
  while (shift < text_len) {
    int i = 0;
    for (; i < patlen; ++i) {
      uint8_t t = text[static_cast<size_t>(shift - i)];
      if (icase) t = k_toupper(t);
      if (t != pat[static_cast<size_t>(patlen - 1 - i)]) break;
    }
    if (i == patlen) return static_cast<uint32_t>(shift - (patlen - 1));
    int bs = bad_shift[text[static_cast<size_t>(shift - i)]];
    shift = std::max<int64_t>(shift - i + bs, shift + good_shift[static_cast<size_t>(i)]);
  }
  return std::nullopt;
}

// ---- lib/ts_kmp.c ------------------------------------------------------------------------

std::optional<uint32_t> kmp_find(std::string_view pattern, bool icase,
                                 std::span<const uint8_t> text) {
  const size_t len = pattern.size();
  auto up = [&](uint8_t ch) { return icase ? k_toupper(ch) : ch; };
  std::vector<uint8_t> pat(len);
  for (size_t i = 0; i < len; ++i) pat[i] = up(static_cast<uint8_t>(pattern[i]));
  std::vector<size_t> prefix(len, 0);
  for (size_t k = 0, q = 1; q < len; ++q) {
    while (k > 0 && pat[k] != pat[q]) k = prefix[k - 1];
    if (pat[k] == pat[q]) ++k;
    prefix[q] = k;
  }
  size_t q = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    uint8_t t = up(text[i]);
    while (q > 0 && pat[q] != t) q = prefix[q - 1];
    if (pat[q] == t) ++q;
    if (q == len) return static_cast<uint32_t>(i + 1 - len);
  }
  return std::nullopt;
}

// ---- string ------------------------------------------------------------------------------

bool match_string(const ir::StringMatch& s, EvalCtx& c) {
  // skb_find_text(skb, from, to): the search reads from `from` to the end of the (linear)
  // packet, and an occurrence counts only when it ends at or before `to`.
  const auto& b = c.pkt.buf.bytes;
  bool found = false;
  if (s.from_offset < s.to_offset && s.from_offset < b.size() && !s.pattern.empty()) {
    std::span<const uint8_t> text(b.data() + s.from_offset, b.size() - s.from_offset);
    if (auto r = textsearch_find(s.algo, s.pattern, s.icase, text))
      found = uint64_t{*r} + s.pattern.size() <= uint64_t{s.to_offset} - s.from_offset;
  }
  return found != s.invert;
}

// ---- u32 ---------------------------------------------------------------------------------

bool u32_match_it(const ir::U32Match& u, const std::vector<uint8_t>& b) {
  const auto len = static_cast<uint32_t>(b.size());
  auto word = [&](uint32_t at) {
    return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 |
           b[at + 3];
  };
  for (const auto& t : u.tests) {
    if (t.location.empty()) return false;
    uint32_t at = 0, pos = t.location[0].number;
    if (len < 4 || pos > len - 4) return false;
    uint32_t val = word(pos);
    for (size_t i = 1; i < t.location.size(); ++i) {
      uint32_t number = t.location[i].number;
      switch (t.location[i].op) {
        // x86 shifts take the count modulo 32 (a C shift by 32 or more is undefined).
        case ir::U32Match::Op::And: val &= number; break;
        case ir::U32Match::Op::LeftShift: val <<= (number & 31); break;
        case ir::U32Match::Op::RightShift: val >>= (number & 31); break;
        case ir::U32Match::Op::At:
          if (at + val < at) return false;
          at += val;
          pos = number;
          if (at + 4 < at || len < at + 4 || pos > len - at - 4) return false;
          val = word(at + pos);
          break;
      }
    }
    bool in = false;
    for (const auto& r : t.value) in = in || (r.min <= val && val <= r.max);
    if (!in) return false;
  }
  return true;
}

// ---- ecn ---------------------------------------------------------------------------------

bool match_ecn(const ir::EcnMatch& e, EvalCtx& c) {
  using E = ir::EcnMatch;
  const auto& b = c.pkt.buf.bytes;
  if ((e.operation & E::kMatchIp) &&
      (((c.pkt.v.tos & 3) == e.ip_ect) == bool(e.invert & E::kMatchIp)))
    return false;
  if (e.operation & (E::kMatchEce | E::kMatchCwr)) {
    // skb_header_pointer(skb, par->thoff, sizeof(tcphdr)): xt_ecn does not look at the
    // fragment offset, so a later fragment's bytes are read as a TCP header.
    size_t thoff = c.pkt.v.ihl;
    if (b.size() < thoff + 20) return false;
    uint8_t flags = b[thoff + 13];
    auto bit = [&](uint8_t op, uint8_t mask) {
      if (!(e.operation & op)) return true;
      bool set = (flags & mask) != 0;
      return (e.invert & op) ? !set : set;
    };
    if (!bit(E::kMatchEce, runtime::tcpflag::kEce)) return false;
    if (!bit(E::kMatchCwr, runtime::tcpflag::kCwr)) return false;
  }
  return true;
}

// ---- esp / ah ----------------------------------------------------------------------------

/// spi_match of xt_esp / ipt_ah on the 32-bit SPI at `spi_at` of a header of `hdr_len`
/// bytes: a later fragment never matches, a header cut short drops the packet.
bool match_spi(uint32_t lo, uint32_t hi, bool invert, size_t hdr_len, size_t spi_at,
               EvalCtx& c) {
  if (c.fragoff() != 0) return false;
  const auto& b = c.pkt.buf.bytes;
  size_t thoff = c.pkt.v.ihl;
  if (b.size() < thoff + hdr_len) {
    c.hotdrop = true;
    return false;
  }
  const uint8_t* p = b.data() + thoff + spi_at;
  uint32_t spi = uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
  return (spi >= lo && spi <= hi) != invert;
}

// ---- devgroup / cgroup -------------------------------------------------------------------

bool match_devgroup(const ir::DevgroupMatch& d, EvalCtx& c) {
  using D = ir::DevgroupMatch;
  if (d.flags & D::kMatchSrc) {
    uint32_t g = c.st.host.group(c.pkt.in);
    if ((((d.src_group ^ g) & d.src_mask) != 0) != bool(d.flags & D::kInvertSrc)) return false;
  }
  if (d.flags & D::kMatchDst) {
    uint32_t g = c.st.host.group(c.pkt.out);
    if ((((d.dst_group ^ g) & d.dst_mask) != 0) != bool(d.flags & D::kInvertDst)) return false;
  }
  return true;
}

/// The components of a cgroup path ("/a//b/" is a, b; "" and "/" are the root).
std::vector<std::string_view> cgroup_components(std::string_view p) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    if (j > i) out.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool match_cgroup(const ir::CgroupMatch& g, EvalCtx& c) {
  // Only a packet with a full socket of this namespace: locally generated ones before they
  // loop back through lo (loopback_xmit orphans the skb).
  if (!c.pkt.local) return false;
  if (g.has_path) {
    // cgroup_is_descendant(sock's cgroup, the cgroup the path named at load time).
    auto anc = cgroup_components(g.path), mine = cgroup_components(c.pkt.cgroup);
    bool desc = anc.size() <= mine.size() && std::equal(anc.begin(), anc.end(), mine.begin());
    return desc != g.invert_path;
  }
  return (g.classid == c.pkt.classid) != g.invert_classid;
}

// ---- quota / connbytes -------------------------------------------------------------------

bool match_quota(const ir::Match& m, const ir::QuotaMatch& q, EvalCtx& c) {
  auto [it, fresh] = c.st.quota.try_emplace(&m, q.quota);
  uint64_t& left = it->second;
  bool ret = q.invert;
  if (left >= c.pkt.len()) {
    left -= c.pkt.len();
    ret = !ret;
  } else {
    left = 0;  // "we do not allow even small packets from now on"
  }
  return ret;
}

bool match_connbytes(const ir::ConnbytesMatch& cb, EvalCtx& c) {
  // The rule's checkentry switched accounting on before any connection existed, so every
  // entry has its nf_conn_acct (counted in nf_conntrack_in, this packet included).
  const runtime::Conn* ct = c.pkt.ct.ct;
  if (!ct) return false;
  using D = ir::ConnbytesMatch::Dir;
  uint64_t pkts = 0, bytes = 0;
  switch (cb.direction) {
    case D::Original: pkts = ct->packets[0]; bytes = ct->bytes[0]; break;
    case D::Reply: pkts = ct->packets[1]; bytes = ct->bytes[1]; break;
    case D::Both:
      pkts = ct->packets[0] + ct->packets[1];
      bytes = ct->bytes[0] + ct->bytes[1];
      break;
  }
  uint64_t what = 0;
  switch (cb.what) {
    case ir::ConnbytesMatch::What::Packets: what = pkts; break;
    case ir::ConnbytesMatch::What::Bytes: what = bytes; break;
    case ir::ConnbytesMatch::What::AvgPkt: what = pkts ? bytes / pkts : 0; break;
  }
  if (cb.to >= cb.from) return what <= cb.to && what >= cb.from;
  return what < cb.to || what > cb.from;
}

// ---- cluster -----------------------------------------------------------------------------

bool match_cluster(const ir::ClusterMatch& cl, EvalCtx& c) {
  // A unicast packet that came with a multicast link address is made PACKET_HOST (the match
  // mangles skb->pkt_type on purpose, see xt_cluster.c).
  if ((c.pkt.v.dst >> 28) != 0xe && c.pkt.pkttype == kPacketMulticast)
    c.pkt.pkttype = kPacketHost;
  const runtime::Conn* ct = c.pkt.ct.ct;
  if (!ct) return false;
  // jhash_1word over the original source address as it lies in memory (__be32 read as a
  // little-endian u32 on x86), then reciprocal_scale onto the node count.
  uint32_t h = jhash_1word(__builtin_bswap32(ct->orig().src), cl.hash_seed);
  auto node = static_cast<uint32_t>((uint64_t{h} * cl.total_nodes) >> 32);
  bool in = ((1u << (node & 31)) & cl.node_mask) != 0;
  return in != cl.invert;
}

}  // namespace

std::optional<uint32_t> textsearch_find(std::string_view algo, std::string_view pattern,
                                        bool icase, std::span<const uint8_t> text) {
  if (pattern.empty()) return std::nullopt;
  if (algo == "kmp") return kmp_find(pattern, icase, text);
  // "bm"; the kernel refuses to load any other algorithm name for this match (fsm patterns
  // are token arrays no iptables front end writes).
  return bm_find(pattern, icase, text);
}

uint32_t jhash_1word(uint32_t a, uint32_t initval) {
  // __jhash_nwords(a, 0, 0, initval + JHASH_INITVAL + (1 << 2)) with __jhash_final.
  uint32_t iv = initval + 0xdeadbeefu + (1u << 2);
  uint32_t x = a + iv, y = iv, z = iv;
  z ^= y; z -= std::rotl(y, 14);
  x ^= z; x -= std::rotl(z, 11);
  y ^= x; y -= std::rotl(x, 25);
  z ^= y; z -= std::rotl(y, 16);
  x ^= z; x -= std::rotl(z, 4);
  y ^= x; y -= std::rotl(x, 14);
  z ^= y; z -= std::rotl(y, 24);
  return z;
}

bool eval_match_group2(const ir::Match& m, EvalCtx& c) {
  // Dispatch on the payload, not on MatchKind: eval_match.cpp's switch is the one that must
  // list every kind; this one stays untouched when other kinds are added.
  const runtime::PacketView& v = c.pkt.v;
  const ir::MatchData& d = m.data;
  if (auto* s = std::get_if<ir::StringMatch>(&d)) return match_string(*s, c);
  if (auto* u = std::get_if<ir::U32Match>(&d)) return u32_match_it(*u, c.pkt.buf.bytes) != u->invert;
  if (auto* ds = std::get_if<ir::DscpMatch>(&d)) return ((v.tos >> 2) == ds->dscp) != ds->invert;
  if (auto* t = std::get_if<ir::TosMatch>(&d)) return ((v.tos & t->mask) == t->value) != t->invert;
  if (auto* t = std::get_if<ir::TtlMatch>(&d)) {
    switch (t->mode) {
      case ir::TtlMatch::Mode::Eq: return v.ttl == t->ttl;
      case ir::TtlMatch::Mode::Ne: return v.ttl != t->ttl;
      case ir::TtlMatch::Mode::Lt: return v.ttl < t->ttl;
      case ir::TtlMatch::Mode::Gt: return v.ttl > t->ttl;
    }
    return false;
  }
  if (auto* e = std::get_if<ir::EcnMatch>(&d)) return match_ecn(*e, c);
  // No connection here has a master with a helper (file comment): ret = info->invert.
  if (auto* h = std::get_if<ir::HelperMatch>(&d)) return h->invert;
  if (auto* g = std::get_if<ir::DevgroupMatch>(&d)) return match_devgroup(*g, c);
  if (auto* g = std::get_if<ir::CgroupMatch>(&d)) return match_cgroup(*g, c);
  // nf_sk_lookup_slow_v4 finds no TCP/UDP socket on this host (file comment).
  if (std::holds_alternative<ir::SocketMatch>(d)) return false;
  if (auto* q = std::get_if<ir::QuotaMatch>(&d)) return match_quota(m, *q, c);
  if (auto* cb = std::get_if<ir::ConnbytesMatch>(&d)) return match_connbytes(*cb, c);
  if (auto* e = std::get_if<ir::EspMatch>(&d))
    return match_spi(e->spi_min, e->spi_max, e->invert, 8, 0, c);  // struct ip_esp_hdr
  if (auto* a = std::get_if<ir::AhMatch>(&d))
    return match_spi(a->spi_min, a->spi_max, a->invert, 12, 4, c);  // struct ip_auth_hdr
  if (auto* p = std::get_if<ir::CpuMatch>(&d)) return (p->cpu == c.pkt.cpu) != p->invert;
  if (auto* cl = std::get_if<ir::ClusterMatch>(&d)) return match_cluster(*cl, c);
  if (auto* i = std::get_if<ir::IpvsMatch>(&d)) {
    // skb->ipvs_property is never set: the property test alone is its invert bit, any other
    // test fails.
    if (i->bitmask == ir::IpvsMatch::kIpvsProperty)
      return (i->invert & ir::IpvsMatch::kIpvsProperty) != 0;
    return false;
  }
  assert(false && "eval_match_group2 called for a kind of eval_match.cpp");
  return false;
}

}  // namespace iptc::interp::detail
