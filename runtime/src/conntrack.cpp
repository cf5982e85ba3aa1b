// The conntrack core (net/netfilter/nf_conntrack_core.c) with the UDP, ICMP and generic
// trackers (nf_conntrack_proto_udp.c, nf_conntrack_proto_icmp.c, nf_conntrack_proto_gre.c,
// the generic timeout); TCP lives in conntrack_tcp.cpp. The functions keep the kernel's names
// in comments so that each step can be checked against the source: nf_conntrack_in ->
// nf_conntrack_handle_icmp / resolve_normal_ct -> init_conntrack -> __nf_conntrack_alloc
// (early_drop) -> nf_conntrack_handle_packet; __nf_conntrack_confirm; nf_ct_delete.
#include <algorithm>
#include <limits>

#include "conntrack_internal.hpp"
#include "iptc/runtime/checksum.hpp"

namespace iptc::runtime {

using detail::L4Ctx;
using detail::L4Result;

// ---- names -----------------------------------------------------------------------------------

const char* tcp_state_name(TcpState s) {
  switch (s) {
    case TcpState::None: return "NONE";
    case TcpState::SynSent: return "SYN_SENT";
    case TcpState::SynRecv: return "SYN_RECV";
    case TcpState::Established: return "ESTABLISHED";
    case TcpState::FinWait: return "FIN_WAIT";
    case TcpState::CloseWait: return "CLOSE_WAIT";
    case TcpState::LastAck: return "LAST_ACK";
    case TcpState::TimeWait: return "TIME_WAIT";
    case TcpState::Close: return "CLOSE";
    case TcpState::SynSent2: return "SYN_SENT2";
  }
  return "?";
}

const char* ct_state_name(CtState s) {
  switch (s) {
    case CtState::Invalid: return "INVALID";
    case CtState::New: return "NEW";
    case CtState::Established: return "ESTABLISHED";
    case CtState::Related: return "RELATED";
    case CtState::Untracked: return "UNTRACKED";
  }
  return "?";
}

const char* ct_reason_name(CtVerdictReason r) {
  switch (r) {
    case CtVerdictReason::None: return "none";
    case CtVerdictReason::Tracked: return "tracked";
    case CtVerdictReason::Untracked: return "untracked";
    case CtVerdictReason::NoTransport: return "no transport header (fragment or bad header)";
    case CtVerdictReason::BadIcmp: return "malformed or unknown icmp";
    case CtVerdictReason::IcmpErrorUnrelated: return "icmp error about no tracked connection";
    case CtVerdictReason::BadChecksum: return "bad checksum";
    case CtVerdictReason::Truncated: return "truncated or malformed transport header";
    case CtVerdictReason::TcpInvalidFlags: return "invalid tcp flag combination";
    case CtVerdictReason::TcpInvalidNew: return "tcp packet cannot start a connection";
    case CtVerdictReason::TcpInvalidState: return "tcp packet invalid in this state";
    case CtVerdictReason::TcpOutOfWindow: return "tcp packet out of window";
    case CtVerdictReason::TcpIgnored: return "tcp packet ignored";
    case CtVerdictReason::IcmpInvalidNew: return "icmp type cannot start a connection";
    case CtVerdictReason::NoInverse: return "no inverse tuple";
    case CtVerdictReason::TableFull: return "table full";
  }
  return "?";
}

CtState ct_state(const CtRef& r) {
  if (r.ct == nullptr) return r.info == CtInfo::Untracked ? CtState::Untracked : CtState::Invalid;
  switch (r.info) {
    case CtInfo::New: return CtState::New;
    case CtInfo::Established:
    case CtInfo::EstablishedReply: return CtState::Established;
    case CtInfo::Related:
    case CtInfo::RelatedReply: return CtState::Related;
    case CtInfo::Untracked: return CtState::Untracked;
  }
  return CtState::Invalid;
}

// ---- tuples ----------------------------------------------------------------------------------

bool invert_tuple(const Tuple& orig, Tuple& inv) {
  inv = Tuple{};
  inv.src = orig.dst;
  inv.dst = orig.src;
  inv.proto = orig.proto;
  if (orig.proto == kProtoIcmp) {
    // nf_conntrack_invert_icmp_tuple: invmap of the request/reply pairs.
    uint8_t t = 0;
    switch (orig.icmp_type()) {
      case icmptype::kEcho: t = icmptype::kEchoReply + 1; break;
      case icmptype::kEchoReply: t = icmptype::kEcho + 1; break;
      case icmptype::kTimestamp: t = icmptype::kTimestampReply + 1; break;
      case icmptype::kTimestampReply: t = icmptype::kTimestamp + 1; break;
      case icmptype::kInfoRequest: t = icmptype::kInfoReply + 1; break;
      case icmptype::kInfoReply: t = icmptype::kInfoRequest + 1; break;
      case icmptype::kAddress: t = icmptype::kAddressReply + 1; break;
      case icmptype::kAddressReply: t = icmptype::kAddress + 1; break;
      default: return false;
    }
    inv.sport = orig.sport;
    inv.dport = static_cast<uint16_t>(((t - 1) << 8) | orig.icmp_code());
    return true;
  }
  inv.sport = orig.dport;
  inv.dport = orig.sport;
  return true;
}

namespace {

/// nf_ct_get_tuple for the header at `l4` (the packet or the one embedded in an ICMP error).
bool get_tuple(uint32_t src, uint32_t dst, uint8_t proto, const L4View& l4, Tuple& t) {
  t = Tuple{};
  t.src = src;
  t.dst = dst;
  t.proto = proto;
  if (proto == kProtoIcmp) {
    if (!l4.icmp) return false;
    t.sport = l4.icmp_id;
    t.dport = static_cast<uint16_t>((l4.icmp_type << 8) | l4.icmp_code);
    return true;
  }
  if (proto_has_ports(proto)) {
    if (!l4.ports) return false;
    t.sport = l4.sport;
    t.dport = l4.dport;
  }
  // GRE: only PPTP (version 1) has keys; everything else tracks by addresses alone.
  return true;
}

constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

bool valid_new_icmp(uint8_t type) {
  return type == icmptype::kEcho || type == icmptype::kTimestamp ||
         type == icmptype::kInfoRequest || type == icmptype::kAddress;
}

}  // namespace

// ---- table -----------------------------------------------------------------------------------

ConntrackTable::ConntrackTable(ConntrackOptions opts) : opts_(opts), rng_(opts.seed) {
  uint32_t n = opts_.buckets != 0 ? opts_.buckets : (opts_.max != 0 ? opts_.max : 1024);
  buckets_.resize(std::max<uint32_t>(n, 1));
  hash_key_[0] = rng_.next_u64();
  hash_key_[1] = rng_.next_u64();
  next_expiry_ = std::numeric_limits<double>::infinity();
}

ConntrackTable::~ConntrackTable() = default;
ConntrackTable::ConntrackTable(ConntrackTable&&) noexcept = default;
ConntrackTable& ConntrackTable::operator=(ConntrackTable&&) noexcept = default;

void ConntrackTable::set_now(double t) {
  if (t > now_) now_ = t;
}

uint32_t ConntrackTable::bucket_of(const Tuple& t) const {
  uint64_t h = mix64(hash_key_[0] ^ ((uint64_t{t.src} << 32) | t.dst));
  h = mix64(h ^ hash_key_[1] ^ ((uint64_t{t.sport} << 24) | (uint64_t{t.dport} << 8) | t.proto));
  return reciprocal_scale(static_cast<uint32_t>(h >> 32), static_cast<uint32_t>(buckets_.size()));
}

void ConntrackTable::refresh(Conn& ct, double extra) {
  // __nf_ct_refresh_acct: fixed timeouts stay; unconfirmed entries keep a relative timeout.
  if (ct.status & ips::kFixedTimeout) return;
  if (ct.confirmed()) {
    ct.timeout = now_ + extra;
    next_expiry_ = std::min(next_expiry_, ct.timeout);
  } else {
    ct.timeout = extra;
  }
}

void detail::refresh_acct(L4Ctx& c, double extra) {
  c.table.refresh(c.ct, extra);
  const int d = static_cast<int>(ctinfo_dir(c.info));
  c.ct.packets[d] += 1;
  c.ct.bytes[d] += c.pkt.size();
}

Conn* ConntrackTable::lookup(const Tuple& t, CtDir* dir) {
  // ____nf_conntrack_find: newest first; expired entries are skipped (and collected).
  const auto& b = buckets_[bucket_of(t)];
  for (auto it = b.rbegin(); it != b.rend(); ++it) {
    Conn* c = it->ct;
    if (is_expired(*c) || c->dying()) continue;
    if (c->tuple[it->dir] == t) {
      if (dir) *dir = static_cast<CtDir>(it->dir);
      return c;
    }
  }
  return nullptr;
}

Conn* ConntrackTable::find(const Tuple& t, CtDir* dir) {
  expire_due();
  return lookup(t, dir);
}

bool ConntrackTable::tuple_taken(const Tuple& t, const Conn& ignored) {
  expire_due();
  const auto& b = buckets_[bucket_of(t)];
  for (auto it = b.rbegin(); it != b.rend(); ++it) {
    const Conn* c = it->ct;
    if (c == &ignored || is_expired(*c) || c->dying()) continue;
    if (c->tuple[it->dir] == t) {
      // Identical original tuples are the same flow: let confirmation resolve it.
      if (ignored.tuple[0] == c->tuple[0]) continue;
      return true;
    }
  }
  return false;
}

double ConntrackTable::expires_in(const Conn& ct) const {
  if (!ct.confirmed()) return ct.timeout;
  return std::max(0.0, ct.timeout - now_);
}

std::vector<const Conn*> ConntrackTable::entries() const {
  std::vector<const Conn*> out;
  for (const auto& c : conns_)
    if (c->confirmed() && !c->dying() && !is_expired(*c)) out.push_back(c.get());
  std::sort(out.begin(), out.end(), [](const Conn* a, const Conn* b) { return a->id < b->id; });
  return out;
}

void ConntrackTable::alter_reply(Conn& ct, const Tuple& reply) {
  if (ct.confirmed()) return;  // nf_conntrack_alter_reply refuses (WARN) on confirmed entries
  ct.tuple[1] = reply;
}

void ConntrackTable::bysource_add(Conn& ct) { bysource_.push_back(&ct); }

void ConntrackTable::hash_insert(Conn* ct) {
  buckets_[bucket_of(ct->tuple[0])].push_back({ct, 0});
  buckets_[bucket_of(ct->tuple[1])].push_back({ct, 1});
}

void ConntrackTable::unhash(Conn* ct) {
  for (uint8_t d = 0; d < 2; ++d) {
    auto& b = buckets_[bucket_of(ct->tuple[d])];
    for (auto it = b.begin(); it != b.end(); ++it)
      if (it->ct == ct && it->dir == d) {
        b.erase(it);
        break;
      }
  }
}

void ConntrackTable::destroy(Conn* ct) {
  if (ct->status & ips::kSrcNatDone) {
    // nf_conntrack_free -> remove_nat_bysrc.
    auto it = std::find(bysource_.begin(), bysource_.end(), ct);
    if (it != bysource_.end()) bysource_.erase(it);
  }
  --count_;
  const uint32_t slot = ct->slot_;
  if (slot + 1 != conns_.size()) {
    conns_[slot] = std::move(conns_.back());
    conns_[slot]->slot_ = slot;
  }
  conns_.pop_back();
}

bool ConntrackTable::kill(Conn& ct) {
  // nf_ct_delete: only the first caller wins.
  if (ct.dying()) return false;
  ct.status |= ips::kDying;
  if (ct.confirmed()) unhash(&ct);
  if (std::find(dead_.begin(), dead_.end(), &ct) == dead_.end() &&
      std::find(unconfirmed_.begin(), unconfirmed_.end(), &ct) == unconfirmed_.end())
    dead_.push_back(&ct);
  return true;
}

void ConntrackTable::flush() {
  std::vector<Conn*> all;
  for (const auto& c : conns_)
    if (c->confirmed() && !c->dying()) all.push_back(c.get());
  for (Conn* c : all) kill(*c);
  end_packet();
}

void ConntrackTable::end_packet() {
  for (Conn* c : unconfirmed_)
    if (!c->confirmed()) destroy(c);
  unconfirmed_.clear();
  for (Conn* c : dead_) destroy(c);
  dead_.clear();
}

void ConntrackTable::expire_due() {
  if (now_ < next_expiry_) return;
  // The garbage collector: entries whose timeout passed go away. They may still be held by
  // the packet in flight, so they are freed by end_packet().
  double next = std::numeric_limits<double>::infinity();
  std::vector<Conn*> expired;
  for (const auto& c : conns_) {
    if (!c->confirmed() || c->dying()) continue;
    if (c->timeout <= now_)
      expired.push_back(c.get());
    else
      next = std::min(next, c->timeout);
  }
  for (Conn* c : expired) kill(*c);
  next_expiry_ = next;
}

bool ConntrackTable::early_drop(uint32_t bucket) {
  // early_drop / early_drop_list: up to NF_CT_EVICTION_RANGE buckets starting at the new
  // tuple's; in the first bucket holding any, every confirmed, non-assured, live entry goes.
  constexpr uint32_t kEvictionRange = 8;
  const uint32_t n = static_cast<uint32_t>(buckets_.size());
  for (uint32_t i = 0; i < kEvictionRange; ++i) {
    const uint32_t b = (bucket + i) % n;
    std::vector<Conn*> victims;
    const auto& list = buckets_[b];
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      Conn* c = it->ct;
      if (is_expired(*c)) continue;
      if (c->assured() || c->dying() || !c->confirmed()) continue;
      if (std::find(victims.begin(), victims.end(), c) == victims.end()) victims.push_back(c);
    }
    for (Conn* c : victims) {
      c->status |= ips::kDying;
      unhash(c);
      destroy(c);
    }
    if (!victims.empty()) return true;
    if (n <= 1) break;
  }
  return false;
}

Conn* ConntrackTable::alloc(const Tuple& orig, const Tuple& reply, uint32_t bucket, bool& full) {
  // __nf_conntrack_alloc: the count goes up first; beyond nf_conntrack_max try early_drop.
  full = false;
  if (opts_.max != 0 && count_ + 1 > opts_.max) {
    if (!early_drop(bucket)) {
      full = true;
      return nullptr;
    }
  }
  auto c = std::make_unique<Conn>();
  c->tuple[0] = orig;
  c->tuple[1] = reply;
  c->id = next_id_++;
  c->slot_ = static_cast<uint32_t>(conns_.size());
  Conn* raw = c.get();
  conns_.push_back(std::move(c));
  ++count_;
  unconfirmed_.push_back(raw);
  return raw;
}

bool ConntrackTable::confirm(CtRef& ref) {
  Conn* ct = ref.ct;
  if (ct == nullptr || ct->confirmed()) return true;
  // REJECT replies carry the entry in the reply direction: nothing to confirm.
  if (ctinfo_dir(ref.info) != CtDir::Original) return true;
  if (ct->dying()) return false;
  expire_due();
  // A live entry with our original or reply tuple: we lost a race (cannot happen with one
  // packet in flight, except through NAT making a reply tuple collide). nf_ct_resolve_clash:
  // UDP may merge into an identical entry; everything else is dropped.
  CtDir d0{}, d1{};
  Conn* c0 = lookup(ct->tuple[0], &d0);
  Conn* c1 = lookup(ct->tuple[1], &d1);
  if (c0 != nullptr || c1 != nullptr) {
    Conn* other = c0 != nullptr ? c0 : c1;
    const bool allow_clash = ct->proto() == kProtoUdp || ct->proto() == kProtoUdplite;
    const bool same = other->tuple[0] == ct->tuple[0] && other->tuple[1] == ct->tuple[1];
    const bool reverse = other->tuple[0] == ct->tuple[1] && other->tuple[1] == ct->tuple[0];
    if (allow_clash && (same || reverse)) {
      ref.ct = other;
      return true;  // the unconfirmed entry is freed by end_packet()
    }
    return false;
  }
  ct->timeout += now_;
  next_expiry_ = std::min(next_expiry_, ct->timeout);
  hash_insert(ct);
  ct->status |= ips::kConfirmed;
  unconfirmed_.erase(std::remove(unconfirmed_.begin(), unconfirmed_.end(), ct), unconfirmed_.end());
  return true;
}

// ---- protocol trackers (UDP, ICMP, generic) ----------------------------------------------------

namespace {

L4Result udp_packet(L4Ctx& c) {
  const auto& o = c.table.options();
  // udp_error
  if (c.v.l4.avail < 8) {
    c.why = CtVerdictReason::Truncated;
    return L4Result::Invalid;
  }
  const uint16_t udplen = c.v.l4.avail;
  if (c.v.udp_len > udplen || c.v.udp_len < 8) {
    c.why = CtVerdictReason::Truncated;
    return L4Result::Invalid;
  }
  const bool lite = c.v.proto == kProtoUdplite;
  if ((lite || c.v.l4_check != 0) && c.hook == Hook::Prerouting && o.checksum &&
      !transport_checksum_ok(c.pkt, c.v)) {
    c.why = CtVerdictReason::BadChecksum;
    return L4Result::Invalid;
  }
  const auto& to = o.timeouts;
  if (lite) {
    if (c.ct.status & ips::kSeenReply) {
      detail::refresh_acct(c, to.udp_replied);
      if (!(c.ct.status & ips::kNatClash)) c.ct.status |= ips::kAssured;
    } else {
      detail::refresh_acct(c, to.udp_unreplied);
    }
    return L4Result::Accept;
  }
  const uint32_t status = c.ct.status;
  if (!(status & ips::kConfirmed)) c.ct.udp_stream_ts = c.table.now() + 2.0;
  if (status & ips::kSeenReply) {
    double extra = to.udp_unreplied;
    bool stream = false;
    // Still active after two seconds? Extend the timeout (time_after: strictly later).
    if (c.table.now() > c.ct.udp_stream_ts) {
      extra = to.udp_replied;
      stream = (status & ips::kAssured) == 0;
    }
    detail::refresh_acct(c, extra);
    if (status & ips::kNatClash) return L4Result::Accept;
    if (stream) c.ct.status |= ips::kAssured;
  } else {
    detail::refresh_acct(c, to.udp_unreplied);
  }
  return L4Result::Accept;
}

L4Result icmp_packet(L4Ctx& c) {
  // nf_conntrack_icmp_packet: only request types may create (and carry) an entry.
  if (!valid_new_icmp(c.ct.tuple[0].icmp_type())) {
    c.why = CtVerdictReason::IcmpInvalidNew;
    return L4Result::Invalid;
  }
  detail::refresh_acct(c, c.table.options().timeouts.icmp);
  return L4Result::Accept;
}

L4Result gre_packet(L4Ctx& c) {
  // nf_conntrack_gre_packet with the default timeouts (30 s unreplied, 180 s stream).
  if (c.ct.status & ips::kSeenReply) {
    detail::refresh_acct(c, 180);
    if (!(c.ct.status & ips::kNatClash)) c.ct.status |= ips::kAssured;
  } else {
    detail::refresh_acct(c, 30);
  }
  return L4Result::Accept;
}

/// nf_conntrack_sctp_packet, as far as iptc models SCTP: do_basic_checks finds no chunk after
/// the common header (`count == 0`), or a chunk of length 0, and the packet is INVALID. The
/// SCTP state machine itself (INIT/COOKIE handshake, vtag checks) is not modelled: a packet
/// with chunks is tracked like a generic protocol.
L4Result sctp_packet(L4Ctx& c, uint32_t generic_timeout) {
  const auto& b = c.pkt;
  size_t off = c.v.l4.off + 12;  // sizeof(struct sctphdr)
  size_t count = 0;
  while (off + 4 <= c.v.len && off + 4 <= b.size()) {
    const uint16_t len = static_cast<uint16_t>(b[off + 2] << 8 | b[off + 3]);
    if (len == 0) return L4Result::Invalid;
    ++count;
    off += (static_cast<size_t>(len) + 3) & ~size_t{3};
  }
  if (count == 0) return L4Result::Invalid;
  detail::refresh_acct(c, generic_timeout);
  return L4Result::Accept;
}

}  // namespace

// ---- nf_conntrack_in ---------------------------------------------------------------------------

bool ConntrackTable::in(std::span<const uint8_t> pkt, Hook hook, CtRef& ref,
                        CtVerdictReason* reason) {
  CtVerdictReason why = CtVerdictReason::None;
  auto done = [&](bool verdict) {
    if (reason) *reason = why;
    return verdict;
  };
  // Previously seen (loopback) or untracked: ignore.
  if (ref.ct != nullptr) {
    why = CtVerdictReason::Tracked;
    return done(true);
  }
  if (ref.info == CtInfo::Untracked) {
    why = CtVerdictReason::Untracked;
    return done(true);
  }
  ref.reset();
  expire_due();

  const PacketView v = parse_packet(pkt);
  // get_l4proto: no transport header for non-first fragments or bogus headers.
  if (!v.ip_ok || v.frag_off != 0 || v.ihl > pkt.size()) {
    why = CtVerdictReason::NoTransport;
    return done(true);
  }

  if (v.proto == kProtoIcmp) {
    // nf_conntrack_icmpv4_error
    if (!v.l4.icmp) {
      why = CtVerdictReason::BadIcmp;
      return done(true);
    }
    if (opts_.checksum && hook == Hook::Prerouting && !transport_checksum_ok(pkt, v)) {
      why = CtVerdictReason::BadChecksum;
      return done(true);
    }
    if (v.l4.icmp_type > 18) {
      why = CtVerdictReason::BadIcmp;
      return done(true);
    }
    if (icmptype::is_error(v.l4.icmp_type)) {
      // nf_conntrack_inet_error: the embedded header, inverted, must be a tracked flow whose
      // destination in that direction is the error's destination.
      Tuple orig, inner;
      if (!v.inner_ok || v.inner_frag_off != 0 || v.inner_ihl < 20 ||
          v.inner_off + size_t{v.inner_ihl} > pkt.size() ||
          !get_tuple(v.inner_src, v.inner_dst, v.inner_proto, v.inner_l4, orig) ||
          !invert_tuple(orig, inner)) {
        why = CtVerdictReason::IcmpErrorUnrelated;
        return done(true);
      }
      CtDir dir{};
      Conn* ct = lookup(inner, &dir);
      if (ct == nullptr || ct->tuple[static_cast<int>(dir)].dst != v.dst) {
        why = CtVerdictReason::IcmpErrorUnrelated;
        return done(true);
      }
      ref.ct = ct;
      ref.info = dir == CtDir::Reply ? CtInfo::RelatedReply : CtInfo::Related;
      why = CtVerdictReason::Tracked;
      return done(true);
    }
  }

  for (int attempt = 0; attempt < 8; ++attempt) {
    // resolve_normal_ct
    Tuple t;
    if (!get_tuple(v.src, v.dst, v.proto, v.l4, t)) {
      why = CtVerdictReason::Truncated;
      return done(true);
    }
    CtDir dir = CtDir::Original;
    Conn* ct = lookup(t, &dir);
    if (ct == nullptr) {
      // init_conntrack
      Tuple repl;
      if (!invert_tuple(t, repl)) {
        why = CtVerdictReason::NoInverse;
        return done(true);
      }
      bool full = false;
      ct = alloc(t, repl, bucket_of(t), full);
      if (ct == nullptr) {
        why = CtVerdictReason::TableFull;
        return done(false);
      }
      dir = CtDir::Original;
    }
    CtInfo info;
    if (dir == CtDir::Reply)
      info = CtInfo::EstablishedReply;
    else if (ct->status & ips::kSeenReply)
      info = CtInfo::Established;
    else if (ct->status & ips::kExpected)
      info = CtInfo::Related;
    else
      info = CtInfo::New;

    // nf_conntrack_handle_packet
    L4Ctx c{*this, *ct, pkt, v, info, hook, why};
    L4Result r;
    switch (v.proto) {
      case kProtoTcp: r = detail::tcp_packet(c); break;
      case kProtoUdp: case kProtoUdplite: r = udp_packet(c); break;
      case kProtoIcmp: r = icmp_packet(c); break;
      case kProtoGre: r = gre_packet(c); break;
      case kProtoSctp: r = sctp_packet(c, opts_.timeouts.generic); break;
      default:
        detail::refresh_acct(c, opts_.timeouts.generic);
        r = L4Result::Accept;
        break;
    }
    if (r != L4Result::Accept) {
      // Invalid: the packet loses its entry; a new entry nobody holds goes away.
      if (!ct->confirmed()) {
        unconfirmed_.erase(std::remove(unconfirmed_.begin(), unconfirmed_.end(), ct),
                           unconfirmed_.end());
        destroy(ct);
      }
      if (r == L4Result::Repeat) continue;
      return done(r != L4Result::Drop);
    }
    ref.ct = ct;
    ref.info = info;
    if (info == CtInfo::EstablishedReply) ct->status |= ips::kSeenReply;
    if (why == CtVerdictReason::None) why = CtVerdictReason::Tracked;
    return done(true);
  }
  return done(false);
}

}  // namespace iptc::runtime
