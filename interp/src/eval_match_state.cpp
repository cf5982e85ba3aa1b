// The stateful matches whose state is named or per rule and lives in the kernel beside the
// rules, each following its kernel source (Linux 6.18):
//   recent     net/netfilter/xt_recent.c (revision 1): named address lists shared by every
//              rule (of every table) naming them, LRU-bounded at ip_list_tot = 100 entries,
//              a ring of nstamps_max_mask + 1 time stamps per address (the mask: 31, or
//              roundup_pow_of_two(--hitcount) - 1 when a rule naming the list asks for more;
//              ip_pkt_list_tot = 0), the first rule's --mask for the whole list
//   hashlimit  net/netfilter/xt_hashlimit.c (revision 3, what iptables 1.8.9 sends): named
//              tables configured by the first rule naming them (mode, masks, rates, size,
//              max, gc_interval, expire), a token bucket per flow with the kernel's credit
//              arithmetic (CREDITS_PER_JIFFY 2^39 at HZ 250, byte mode in 16-byte chunks,
//              --hashlimit-rate-match windows), and the periodic garbage collection
//              (htable_gc every gc_interval ms from load time frees entries whose expiry
//              passed; an entry that is freed starts again with a full bucket)
//   connlimit  net/netfilter/xt_connlimit.c + nf_conncount.c: per rule, a list of
//              connection tuples per masked address; a connection is added when a packet of
//              it passes the match before its conntrack entry is confirmed; entries whose
//              connection is gone (or a TCP connection in TIME_WAIT or CLOSE) are collected
//              when the list is next checked, at most once per jiffy
// The clock is the engine's (State::jiffies(), CONFIG_HZ = EngineOptions::hz): the kernel's
// jiffies have an unknown phase against real time, so a time stamp exactly at a boundary
// (--seconds, a bucket refill, an expiry) can fall one jiffy either way on a real host.
#include <bit>

#include "interp_internal.hpp"
#include "iptc/runtime/checksum.hpp"
#include "iptc/runtime/conntrack.hpp"

namespace iptc::interp::detail {

namespace {

/// time_after(a, b): a is later than b (jiffies compared as a signed difference).
bool time_after(int64_t a, int64_t b) { return b - a < 0; }

uint32_t roundup_pow2(uint32_t v) { return v <= 1 ? 1 : std::bit_ceil(v); }

/// msecs_to_jiffies: rounds up.
int64_t msecs_to_jiffies(uint64_t ms, uint32_t hz) {
  return static_cast<int64_t>((ms * hz + 999) / 1000);
}

// ---- hashlimit constants (revision 3) ------------------------------------------------------

uint64_t pow2_below64(uint64_t x) { return x ? std::bit_floor(x) : 0; }

/// CREDITS_PER_JIFFY: the largest power of two below 2^64 / (HZ * 86400).
uint64_t credits_per_jiffy(uint32_t hz) {
  return pow2_below64(0xFFFFFFFFFFFFFFFFull / (uint64_t{hz} * 60 * 60 * 24));
}
/// CREDITS_PER_JIFFY_BYTES: the largest power of two below 2^32 / HZ.
uint64_t credits_per_jiffy_bytes(uint32_t hz) { return pow2_below64(0xFFFFFFFFull / hz); }

/// user2credits (revision >= 2: XT_HASHLIMIT_SCALE_v2, 64-bit wrap-around as in C).
uint64_t user2credits(uint64_t user, uint32_t hz) {
  const uint64_t scale = ir::HashlimitMatch::kScale;
  const uint64_t hz_cpj = uint64_t{hz} * credits_per_jiffy(hz);
  if (scale >= hz_cpj) return user / (scale / hz_cpj);
  return user * (hz_cpj / scale);
}

uint32_t user2credits_byte(uint32_t user, uint32_t hz) {
  uint64_t us = user;
  us *= uint64_t{hz} * credits_per_jiffy_bytes(hz);
  return static_cast<uint32_t>(us >> 32);
}

uint64_t user2rate(uint64_t user) { return user ? ir::HashlimitMatch::kScale / user : 0; }

uint64_t user2rate_bytes(uint32_t user) {
  uint64_t r = user ? 0xFFFFFFFFull / user : 0xFFFFFFFFull;
  return (r - 1) << 4;  // XT_HASHLIMIT_BYTE_SHIFT
}

constexpr uint32_t kHashlimitMaxSize = 1048576;  // HASHLIMIT_MAX_SIZE
/// htable_create's size when none is given: RAM / 16384 / sizeof(hlist_head), 8192 on hosts
/// with more than 1 GiB (every host iptc targets).
constexpr uint32_t kHashlimitDefaultSize = 8192;

void init_hashlimit_table(HashlimitTable& t, const ir::HashlimitMatch& h, uint32_t hz) {
  t.cfg = h;
  uint32_t size = std::min(h.size, kHashlimitMaxSize);
  uint32_t max = std::min(h.max, kHashlimitMaxSize);
  if (size == 0) size = kHashlimitDefaultSize;
  if (max == 0) max = 8 * size;
  else if (max < size) max = size;
  t.cfg.size = size;
  t.cfg.max = max;
  t.gc_period = std::max<int64_t>(1, msecs_to_jiffies(h.gc_interval, hz));
  t.next_gc = t.gc_period;
}

}  // namespace

void init_named_match_state(State& st) {
  for (const auto& tp : st.rs.tables) {
    if (!tp) continue;
    for (const auto& chain : tp->chains())
      for (const auto& rule : chain.rules)
        for (const auto& m : rule.matches) {
          if (const auto* r = std::get_if<ir::RecentMatch>(&m.data)) {
            // recent_mt_check: the mask of the first rule; the ring grows to the largest any
            // rule needs (a table flush at load time is invisible here).
            uint32_t need = r->hit_count ? roundup_pow2(r->hit_count) - 1 : 31;
            auto [it, fresh] = st.recent.try_emplace(r->name);
            if (fresh) {
              it->second.mask = r->mask;
              it->second.nstamps_max_mask = need;
            } else {
              it->second.nstamps_max_mask = std::max(it->second.nstamps_max_mask, need);
            }
          } else if (const auto* h = std::get_if<ir::HashlimitMatch>(&m.data)) {
            auto [it, fresh] = st.hashlimit.try_emplace(h->name);
            if (fresh) init_hashlimit_table(it->second, *h, st.opts.hz);
          }
        }
  }
}

// ---- recent ------------------------------------------------------------------------------

bool match_recent(const ir::RecentMatch& info, EvalCtx& c) {
  using R = ir::RecentMatch;
  const Pkt& p = c.pkt;
  auto tit = c.st.recent.find(info.name);
  if (tit == c.st.recent.end()) return info.invert;  // an IR built without its rule set
  RecentTable& t = tit->second;
  const int64_t now = c.st.jiffies();
  bool ret = info.invert;
  uint32_t addr = (info.side == R::Side::Dest ? p.v.dst : p.v.src) & t.mask;
  uint8_t ttl = p.v.ttl;
  // "use TTL as seen before forwarding": an output device and no socket (the packet was
  // forwarded, so ip_forward already decremented the TTL).
  if (!p.out.empty() && !p.local) ++ttl;

  uint8_t want_ttl = (info.check_set & R::kTtl) ? ttl : 0;
  auto e = t.lru.end();
  for (auto it = t.lru.begin(); it != t.lru.end(); ++it)
    if (it->addr == addr && (want_ttl == it->ttl || want_ttl == 0 || it->ttl == 0)) {
      e = it;
      break;
    }
  auto update = [&](std::list<RecentEntry>::iterator it) {
    // recent_entry_update: the next slot of the ring, then to the LRU tail.
    it->index = static_cast<uint16_t>(it->index & t.nstamps_max_mask);
    it->stamps[it->index] = now;
    it->index = static_cast<uint16_t>(it->index + 1);
    if (it->index > it->nstamps) it->nstamps = it->index;
    t.lru.splice(t.lru.end(), t.lru, it);
  };
  if (e == t.lru.end()) {
    if (!(info.check_set & R::kSet)) return ret;
    // recent_entry_init: the oldest entry makes room once ip_list_tot are listed.
    if (t.lru.size() >= 100) t.lru.pop_front();
    RecentEntry ne;
    ne.addr = addr;
    ne.ttl = ttl;
    ne.stamps.assign(t.nstamps_max_mask + 1, 0);
    ne.stamps[0] = now;
    ne.nstamps = 1;
    ne.index = 1;
    t.lru.push_back(std::move(ne));
    return !ret;
  }
  if (info.check_set & R::kSet) {
    ret = !ret;
  } else if (info.check_set & R::kRemove) {
    t.lru.erase(e);
    return !ret;
  } else if (info.check_set & (R::kCheck | R::kUpdate)) {
    int64_t time = now - static_cast<int64_t>(info.seconds) * c.st.opts.hz;
    unsigned hits = 0;
    for (unsigned i = 0; i < e->nstamps; ++i) {
      if (info.seconds && time_after(time, e->stamps[i])) continue;
      if (!info.hit_count || ++hits >= info.hit_count) {
        ret = !ret;
        break;
      }
    }
    if (info.check_set & R::kReap) {
      // recent_entry_reap: the LRU head goes when its newest stamp is too old, unless it is
      // the entry about to be updated.
      auto head = t.lru.begin();
      bool updating = (info.check_set & R::kUpdate) && ret;
      if (!(head == e && updating)) {
        const RecentEntry& h = *head;
        int64_t newest = h.stamps[static_cast<uint16_t>(h.index - 1) % h.stamps.size()];
        if (time_after(time, newest)) {
          if (head == e) {
            t.lru.erase(head);
            return ret;
          }
          t.lru.erase(head);
        }
      }
    }
  }
  if ((info.check_set & R::kSet) || ((info.check_set & R::kUpdate) && ret)) {
    update(e);
    e->ttl = ttl;
  }
  return ret;
}

// ---- hashlimit ---------------------------------------------------------------------------

namespace {

void rateinfo_recalc(HashlimitEntry& dh, int64_t now, uint32_t mode, uint32_t hz) {
  using H = ir::HashlimitMatch;
  auto delta = static_cast<uint64_t>(now - dh.prev);
  if (delta == 0) return;
  if (mode & H::kRateMatch) {
    uint64_t interval = dh.interval * hz;
    if (delta < interval) return;
    dh.prev = now;
    dh.prev_window = dh.current_rate * interval > delta * dh.rate;
    dh.current_rate = 0;
    return;
  }
  dh.prev = now;
  uint64_t cap = 0;
  if (mode & H::kBytes) {
    uint64_t tmp = dh.credit;
    dh.credit += credits_per_jiffy_bytes(hz) * delta;
    cap = credits_per_jiffy_bytes(hz) * hz;
    if (tmp >= dh.credit) {  // overflow
      dh.credit = cap;
      return;
    }
  } else {
    dh.credit += delta * credits_per_jiffy(hz);
    cap = dh.credit_cap;
  }
  if (dh.credit > cap) dh.credit = cap;
}

void rateinfo_init(HashlimitEntry& dh, const ir::HashlimitMatch& cfg, int64_t now, uint32_t hz) {
  using H = ir::HashlimitMatch;
  dh.prev = now;
  if (cfg.mode & H::kRateMatch) {
    dh.prev_window = false;
    dh.current_rate = 0;
    if (cfg.mode & H::kBytes) {
      dh.rate = user2rate_bytes(static_cast<uint32_t>(cfg.avg));
      dh.burst = static_cast<int64_t>(cfg.burst ? cfg.burst * dh.rate : dh.rate);
    } else {
      dh.rate = user2rate(cfg.avg);
      dh.burst = static_cast<int64_t>(cfg.burst + dh.rate);
    }
    dh.interval = cfg.interval;
  } else if (cfg.mode & H::kBytes) {
    dh.credit = credits_per_jiffy_bytes(hz) * hz;
    dh.cost = user2credits_byte(static_cast<uint32_t>(cfg.avg), hz);
    dh.credit_cap = cfg.burst;
  } else {
    dh.credit = user2credits(cfg.avg * cfg.burst, hz);
    dh.cost = user2credits(cfg.avg, hz);
    dh.credit_cap = dh.credit;
  }
}

uint32_t maskl(uint32_t a, unsigned l) { return l ? a & (~0u << (32 - l)) : 0; }

}  // namespace

bool match_hashlimit(const ir::HashlimitMatch& info, EvalCtx& c) {
  using H = ir::HashlimitMatch;
  auto tit = c.st.hashlimit.find(info.name);
  if (tit == c.st.hashlimit.end()) return false;
  HashlimitTable& t = tit->second;
  const ir::HashlimitMatch& cfg = t.cfg;
  const uint32_t hz = c.st.opts.hz;
  const int64_t now = c.st.jiffies();
  // htable_gc, every gc_interval since the table was created: entries whose expiry passed go.
  while (t.next_gc <= now) {
    int64_t at = t.next_gc;
    std::erase_if(t.ents, [&](const auto& kv) { return at - kv.second.expires >= 0; });
    t.next_gc += t.gc_period;
  }
  // hashlimit_init_dst
  const Pkt& p = c.pkt;
  std::array<uint32_t, 3> key{};
  if (cfg.mode & H::kHashSrcIp) key[0] = maskl(p.v.src, cfg.srcmask);
  if (cfg.mode & H::kHashDstIp) key[1] = maskl(p.v.dst, cfg.dstmask);
  if (cfg.mode & (H::kHashSrcPort | H::kHashDstPort)) {
    int poff = -1;
    switch (p.v.proto) {
      case 6: case 17: case 33: case 50: case 132: case 136: poff = 0; break;
      case 51: poff = 4; break;  // AH: the SPI
      default: break;
    }
    uint16_t sp = 0, dp = 0;
    if (poff >= 0) {
      // skb_header_pointer at par->thoff (the IP header length, also in a fragment).
      size_t off = size_t{p.v.ihl} + static_cast<size_t>(poff);
      if (off + 4 > p.buf.bytes.size()) {
        c.hotdrop = true;
        return false;
      }
      sp = runtime::load16(p.buf.bytes.data() + off);
      dp = runtime::load16(p.buf.bytes.data() + off + 2);
    }
    if (cfg.mode & H::kHashSrcPort) key[2] |= uint32_t{sp} << 16;
    if (cfg.mode & H::kHashDstPort) key[2] |= dp;
  }
  auto it = t.ents.find(key);
  if (it == t.ents.end()) {
    if (t.ents.size() >= cfg.max) {  // "max count reached"
      c.hotdrop = true;
      return false;
    }
    it = t.ents.emplace(key, HashlimitEntry{}).first;
    it->second.expires = now + msecs_to_jiffies(cfg.expire, hz);
    rateinfo_init(it->second, cfg, now, hz);
  } else {
    it->second.expires = now + msecs_to_jiffies(cfg.expire, hz);
    rateinfo_recalc(it->second, now, cfg.mode, hz);
  }
  HashlimitEntry& dh = it->second;
  const bool invert = info.mode & H::kInvert;
  if (info.mode & H::kRateMatch) {
    dh.current_rate += (info.mode & H::kBytes) ? p.len() : 1;
    if (!dh.prev_window && dh.current_rate <= static_cast<uint64_t>(dh.burst)) return !invert;
    return invert;
  }
  uint64_t cost = 0;
  if (info.mode & H::kBytes) {
    // hashlimit_byte_cost
    uint64_t tmp = uint64_t{(p.len() >> 4) + 1} * dh.cost;
    uint64_t full = credits_per_jiffy_bytes(hz) * hz;
    if (tmp > full) tmp = full;
    if (dh.credit < tmp && dh.credit_cap) {
      --dh.credit_cap;
      dh.credit = full;
    }
    cost = static_cast<uint32_t>(tmp);
  } else {
    cost = dh.cost;
  }
  if (dh.credit >= cost) {
    dh.credit -= cost;
    return !invert;
  }
  return invert;
}

// ---- connlimit ---------------------------------------------------------------------------

namespace {

/// already_closed: TCP connections in TIME_WAIT or CLOSE no longer count.
bool already_closed(const runtime::Conn& ct) {
  return ct.proto() == 6 && (ct.tcp.state == runtime::TcpState::TimeWait ||
                             ct.tcp.state == runtime::TcpState::Close);
}

constexpr size_t kGcMaxCollect = 64;  // CONNCOUNT_GC_MAX_COLLECT

/// nf_conncount_gc_list: drops the entries whose connection is gone or closed.
void gc_list(ConnlimitList& l, runtime::ConntrackTable& ct, int64_t now) {
  if (now == l.last_gc) return;  // "don't bother if we just did GC"
  size_t collected = 0;
  for (size_t i = 0; i < l.conns.size();) {
    const runtime::Conn* found = ct.find(l.conns[i].tuple);
    if (!found || already_closed(*found)) {
      l.conns.erase(l.conns.begin() + static_cast<long>(i));
      ++collected;
      continue;
    }
    ++i;
    if (collected > kGcMaxCollect) break;
  }
  l.last_gc = now;
  l.last_gc_count = l.conns.size();
}

}  // namespace

bool match_connlimit(const ir::Match& m, const ir::ConnlimitMatch& info, EvalCtx& c) {
  using L = ir::ConnlimitMatch;
  const Pkt& p = c.pkt;
  runtime::ConntrackTable& table = c.st.conntrack;
  const int64_t now = c.st.jiffies();
  uint32_t key = ((info.flags & L::kDaddr) ? p.v.dst : p.v.src) & info.mask;

  // get_ct_or_tuple_from_skb: the packet's entry (its original tuple), or the packet's own
  // tuple and whatever confirmed entry holds it.
  const runtime::Conn* ct = p.ct.ct;
  runtime::Tuple tuple;
  if (ct) {
    tuple = ct->orig();
  } else {
    if (!p.v.ip_ok) {
      c.hotdrop = true;
      return false;
    }
    tuple.src = p.v.src;
    tuple.dst = p.v.dst;
    tuple.proto = p.v.proto;
    if (p.v.l4.ports && runtime::proto_has_ports(p.v.proto)) {
      tuple.sport = p.v.l4.sport;
      tuple.dport = p.v.l4.dport;
    } else if (p.v.l4.icmp) {
      tuple.sport = p.v.l4.icmp_id;
      tuple.dport = static_cast<uint16_t>(p.v.l4.icmp_type << 8 | p.v.l4.icmp_code);
    }
    ct = table.find(tuple);
  }

  auto& lists = c.st.connlimit[&m];
  auto lit = lists.find(key);
  if (lit == lists.end() || lit->second.conns.empty()) {
    // insert_tree: a new list holding this connection.
    ConnlimitList& l = lists[key];
    l.conns.assign(1, {tuple, now});
    l.last_gc = now;
    l.last_gc_count = 0;
    return (1 > info.limit) != bool(info.flags & L::kInvert);
  }
  ConnlimitList& l = lit->second;
  // __nf_conncount_add
  bool add = true, check = true;
  if (ct && ct->confirmed()) {
    // Counted when its first packet passed (or never): with a reply seen, only the list is
    // collected; before (a local connection is confirmed early, a UDP flow may never see a
    // reply) the list is walked for it, which stops at the connection itself (Linux 6.18.y;
    // kernel recordings agree: a second unreplied UDP flow stays counted while the first
    // one's packets find themselves ahead of it).
    if (ct->status & runtime::ips::kSeenReply) {
      add = check = false;
      gc_list(l, table, now);
    }
  } else if (now == l.last_gc && l.conns.size() - l.last_gc_count < kGcMaxCollect) {
    check = false;
  }
  if (check) {
    size_t collect = 0;
    for (size_t i = 0; i < l.conns.size();) {
      if (collect > kGcMaxCollect) break;
      const runtime::Conn* found = table.find(l.conns[i].tuple);
      if (!found) {
        l.conns.erase(l.conns.begin() + static_cast<long>(i));
        ++collect;
        continue;
      }
      if (l.conns[i].tuple == tuple) {
        add = false;  // "we should not see tuples twice"
        break;
      }
      if (already_closed(*found)) {
        l.conns.erase(l.conns.begin() + static_cast<long>(i));
        ++collect;
        continue;
      }
      ++i;
    }
    if (add) {
      l.last_gc = now;
      l.last_gc_count = l.conns.size();
    }
  }
  if (add) l.conns.push_back({tuple, now});
  size_t count = l.conns.size();
  if (count == 0) {  // nothing counted: the kernel's "hotdrop"
    c.hotdrop = true;
    return false;
  }
  return (count > info.limit) != bool(info.flags & L::kInvert);
}

}  // namespace iptc::interp::detail
