// The engine: walks one packet through the host the way Linux does and records what happened.
//
// The walk follows net/ipv4/ip_input.c, ip_forward.c, ip_output.c and the netfilter hook
// registrations (priorities from include/uapi/linux/netfilter_ipv4.h):
//   arriving:  ip_rcv_core (frames for another host are dropped) -> PREROUTING [raw -300,
//              conntrack -200, mangle -150, nat DNAT -100] -> ip_route_input (after DNAT, so
//              a DNAT can turn an input packet into a forwarded one) -> either INPUT [mangle,
//              filter, security, nat SNAT 100, confirm] or ip_forward (TTL check and
//              decrement) -> FORWARD [mangle, filter, security] -> POSTROUTING [mangle, nat
//              SNAT 100, confirm] -> out of the egress interface;
//   local:     ip_route_output (source address chosen by the packets parser) -> OUTPUT [raw,
//              conntrack, mangle, nat DNAT (re-route when the destination changed), filter,
//              security] -> POSTROUTING -> out, or for a local destination through lo back
//              into PREROUTING and INPUT, keeping its conntrack (skb->_nfct survives
//              loopback_xmit, so nf_conntrack_in leaves it alone and the nat table is not
//              traversed again: both manips were initialised on the way out).
// Conntrack and NAT are the runtime's (runtime/conntrack.hpp, nat.hpp); the nat table runs
// inside the runtime's nf_nat_ipv4_fn split (nat_hook), i.e. only for a connection's first
// packet, with the null binding when no rule decides. The kernel enables conntrack in a
// namespace only when something needs it (a nat table, or a rule using conntrack, state,
// connmark, CONNMARK, CT or NOTRACK: their checkentry calls nf_ct_netns_get); without it no
// packet has a conntrack state.
//
// Automatic TCP numbering (packets.hpp) happens here, because "a reply addressed to a NATed
// tuple belongs to the connection it was NATed from" needs the NAT bindings: a packet's tuple
// as it arrives is looked up among the tuples seen so far (each connection registers both
// directions of its first tuple), then as the reply tuple of a conntrack entry whose original
// tuple is known. The kernel-differential harness numbers its packets the same way.
#include "iptc/interp/engine.hpp"

#include <cassert>

#include <fmt/format.h>

#include <ctime>
#include <memory>

#include "interp_internal.hpp"
#include "iptc/ir/values.hpp"
#include "iptc/runtime/checksum.hpp"
#include "iptc/runtime/nat.hpp"

namespace iptc::interp {

namespace detail {

namespace {

bool rule_needs_conntrack(const ir::Rule& r) {
  for (const auto& m : r.matches) {
    switch (m.kind()) {
      case ir::MatchKind::Conntrack:
      case ir::MatchKind::State:
      case ir::MatchKind::Connmark:
      case ir::MatchKind::Connlimit: return true;  // connlimit_mt_check: nf_ct_netns_get
      // coverage group 2: their checkentry calls nf_ct_netns_get
      case ir::MatchKind::Helper:
      case ir::MatchKind::Connbytes:
      case ir::MatchKind::Cluster: return true;
      case ir::MatchKind::Tcp:
      case ir::MatchKind::Udp:
      case ir::MatchKind::Icmp:
      case ir::MatchKind::Multiport:
      case ir::MatchKind::Comment:
      case ir::MatchKind::Mark:
      case ir::MatchKind::Mac:
      case ir::MatchKind::Limit:
      case ir::MatchKind::Addrtype:
      case ir::MatchKind::Iprange:
      case ir::MatchKind::Owner:
      case ir::MatchKind::Pkttype:
      case ir::MatchKind::Length:
      case ir::MatchKind::Statistic:
      case ir::MatchKind::Set:
      case ir::MatchKind::Recent:
      case ir::MatchKind::Hashlimit:
      case ir::MatchKind::Sctp:
      case ir::MatchKind::Policy:
      case ir::MatchKind::Rpfilter:
      case ir::MatchKind::Physdev:
      case ir::MatchKind::Tcpmss:
      case ir::MatchKind::Time: break;
      // coverage group 2
      case ir::MatchKind::String:
      case ir::MatchKind::U32:
      case ir::MatchKind::Dscp:
      case ir::MatchKind::Tos:
      case ir::MatchKind::Ttl:
      case ir::MatchKind::Ecn:
      case ir::MatchKind::Devgroup:
      case ir::MatchKind::Cgroup:
      case ir::MatchKind::Socket:
      case ir::MatchKind::Quota:
      case ir::MatchKind::Esp:
      case ir::MatchKind::Ah:
      case ir::MatchKind::Cpu:
      case ir::MatchKind::Ipvs: break;
    }
  }
  if (r.target.type != ir::TargetType::Extension) return false;
  switch (r.target.kind()) {
    case ir::TargetKind::Connmark:
    case ir::TargetKind::Snat:
    case ir::TargetKind::Dnat:
    case ir::TargetKind::Masquerade:
    case ir::TargetKind::Redirect:
    case ir::TargetKind::Notrack:
    case ir::TargetKind::Ct: return true;
    // nf_ct_netns_get in their checkentry.
    case ir::TargetKind::Connsecmark:
    case ir::TargetKind::Synproxy:
    case ir::TargetKind::Netmap: return true;
    case ir::TargetKind::Checksum:
    case ir::TargetKind::Ttl:
    case ir::TargetKind::Dscp:
    case ir::TargetKind::Classify:
    case ir::TargetKind::Trace:
    case ir::TargetKind::Audit:
    case ir::TargetKind::Nfqueue:
    case ir::TargetKind::Set:
    case ir::TargetKind::Secmark:
    case ir::TargetKind::Led:
    case ir::TargetKind::Tee:
    case ir::TargetKind::Ulog:
    case ir::TargetKind::Tproxy: return false;
    case ir::TargetKind::Reject:
    case ir::TargetKind::Log:
    case ir::TargetKind::Mark:
    case ir::TargetKind::Tcpmss:
    case ir::TargetKind::Nflog:
    case ir::TargetKind::Tos: return false;
  }
  return false;
}

runtime::ConntrackOptions ct_options(const EngineOptions& o) {
  runtime::ConntrackOptions c;
  c.max = o.conntrack_max;
  c.seed = o.seed;
  return c;
}

}  // namespace

State::State(const ir::Ruleset& r, runtime::HostModel h, EngineOptions o)
    : rs(r), host(std::move(h)), opts(o), conntrack(ct_options(o)), rng(o.seed ^ 0x5eed5eedull) {
  // nf_nat's hooks exist once any nat base chain does (nft_chain_nat registers all four);
  // at a hook without its own chain they make the null binding.
  if (const ir::Table* nat = rs.table(ir::TableKind::Nat))
    for (const auto& c : nat->chains()) nat_on = nat_on || (c.builtin() && c.registered);
  conntrack_on = nat_on || opts.conntrack_always;
  for (const auto& t : rs.tables) {
    if (!t) continue;
    for (const auto& c : t->chains())
      for (const auto& rule : c.rules) conntrack_on = conntrack_on || rule_needs_conntrack(rule);
  }
  epoch = opts.epoch ? *opts.epoch : static_cast<int64_t>(std::time(nullptr));
  init_named_match_state(*this);
  if (const iptc_descriptor* d = opts.compiled) {
    slots = ir::slot_map(rs);
    assert(d->slot_count == slots.slots.size() && d->rule_count == slots.rule_count &&
           "compiled code of another rule set");
    for (uint32_t i = 0; i < d->hook_count; ++i)
      if (d->hooks[i].table < ir::kTableCount && d->hooks[i].hook < ir::kHookCount)
        hook_fns[d->hooks[i].table][d->hooks[i].hook] = d->hooks[i].fn;
    shard.assign(slots.slots.size(), iptc_counter{0, 0});
    matched_buf.assign(1u << 16, 0);
    for (uint32_t s = 0; s < slots.slots.size(); ++s) {
      const ir::Slot& sl = slots.slots[s];
      if (sl.policy) slot_of[&slots.chain(rs, s)] = s;
      else slot_of[&slots.rule(rs, s)] = s;
    }
  }
}

Pkt build_pkt(const PacketSpec& p, uint16_t ip_id) {
  runtime::PacketFields f;
  f.src = p.src;
  f.dst = p.dst;
  f.proto = p.proto;
  f.tos = p.tos;
  f.ttl = p.ttl;
  f.id = ip_id;
  f.df = p.df;
  f.mf = p.mf;
  f.frag_off = p.fragoff;
  f.total_len = p.total_len();
  f.sport = p.sport;
  f.dport = p.dport;
  f.seq = p.seq;
  f.ack_seq = p.ack;
  f.tcp_flags = p.tcp_flags;
  f.window = p.win;
  f.icmp_type = p.icmp_type;
  f.icmp_code = p.icmp_code;
  f.icmp_id = p.echo_id;
  f.icmp_seq = p.echo_seq;
  if (p.mss && p.proto == 6)
    f.tcp_options = {2, 4, static_cast<uint8_t>(*p.mss >> 8), static_cast<uint8_t>(*p.mss)};
  if (p.proto == 132)
    for (auto [type, flags] : p.chunks) f.payload.insert(f.payload.end(), {type, flags, 0, 4});
  if (p.icmp_error()) {
    // The packet the error is about, as its sender wrote it: its IP header and the first 8
    // bytes of its transport header.
    runtime::PacketFields in;
    in.src = p.inner_src;
    in.dst = p.inner_dst;
    in.proto = p.inner_proto;
    in.ttl = 64;
    in.sport = p.sport;
    in.dport = p.dport;
    in.seq = p.seq;
    in.ack_seq = p.ack;
    in.tcp_flags = p.tcp_flags;
    in.icmp_type = 8;
    in.icmp_id = p.echo_id;
    in.icmp_seq = p.echo_seq;
    runtime::Packet inner = runtime::build_packet(in);
    size_t keep = std::min<size_t>(inner.bytes.size(), 28);
    f.payload.assign(inner.bytes.begin(), inner.bytes.begin() + static_cast<long>(keep));
  } else {
    // ESP and AH headers (RFC 4303, RFC 4302) are written here, the runtime's builder knows
    // only the protocols conntrack and NAT parse: SPI and sequence number 1; AH says "no next
    // header" (59) and its length in 32-bit words minus 2.
    if (p.fragoff == 0 && (p.proto == 50 || p.proto == 51)) {
      std::vector<uint8_t> h(p.proto == 50 ? 8 : 12, 0);
      size_t at = 0;
      if (p.proto == 51) {
        h[0] = 59;
        h[1] = 1;
        at = 4;
      }
      for (int k = 0; k < 4; ++k) h[at + k] = static_cast<uint8_t>(p.spi >> (24 - 8 * k));
      h[at + 7] = 1;
      f.payload = std::move(h);
    }
    f.payload.insert(f.payload.end(), p.payload.begin(), p.payload.end());
  }
  Pkt pkt;
  pkt.buf = runtime::build_packet(f);
  pkt.reparse();
  pkt.mark = p.mark;
  pkt.local = p.local();
  pkt.bridged = !p.physin.empty() || !p.physout.empty();
  pkt.physin = p.physin;
  pkt.physout = p.physout;
  pkt.uid = p.uid;
  pkt.gid = p.gid;
  pkt.mac = p.mac;
  pkt.cpu = p.cpu;
  pkt.cgroup = p.cgroup;
  pkt.classid = p.classid;
  return pkt;
}

}  // namespace detail

using detail::Pkt;
using detail::TargetVerdict;

namespace {

struct TupleHash {
  size_t operator()(const runtime::Tuple& t) const {
    uint64_t a = (uint64_t{t.src} << 32) | t.dst;
    uint64_t b = (uint64_t{t.sport} << 24) | (uint64_t{t.dport} << 8) | t.proto;
    return std::hash<uint64_t>()(a * 0x9e3779b97f4a7c15ull ^ b);
  }
};

struct NumRef {
  uint64_t conn = 0;
  bool reply = false;
};

CtState to_state(runtime::CtState s) {
  switch (s) {
    case runtime::CtState::Invalid: return CtState::Invalid;
    case runtime::CtState::New: return CtState::New;
    case runtime::CtState::Established: return CtState::Established;
    case runtime::CtState::Related: return CtState::Related;
    case runtime::CtState::Untracked: return CtState::Untracked;
  }
  return CtState::Invalid;
}

std::string endpoint(uint32_t a, uint16_t port, bool ports) {
  return ports ? fmt::format("{}:{}", ir::ipv4_to_string(a), port) : ir::ipv4_to_string(a);
}

/// Outcome of a hook: go on, or the packet's end with this verdict.
struct HookResult {
  bool go_on = true;
  Verdict verdict = Verdict::Accept;
};

}  // namespace

struct Engine::Impl {
  Impl(const ir::Ruleset& rs, runtime::HostModel host, EngineOptions opts)
      : st(rs, std::move(host), opts) {}

  detail::State st;
  TcpNumbering numbering;
  std::unordered_map<runtime::Tuple, NumRef, TupleHash> num_keys;
  uint64_t next_conn = 1;
  uint16_t next_ip_id = 1;

  TraceResult process(const PacketSpec& spec);
  RawResult process_raw(const RawPacket& raw);
  void replace_ruleset(const ir::Ruleset& rs, const iptc_descriptor* compiled);

 private:
  void link_defaults(Pkt& pkt, bool mac_given, std::optional<uint8_t> pkttype);
  void run_packet(Pkt& pkt, TraceResult& tr);
  NumRef number_tcp(PacketSpec& p);
  Pkt build(const PacketSpec& p);
  HookResult run_tables(Pkt& pkt, TraceResult& tr, ir::Hook hook);
  HookResult table_step(Pkt& pkt, TraceResult& tr, ir::Hook hook, ir::TableKind t);
  HookResult conntrack_step(Pkt& pkt, TraceResult& tr, ir::Hook hook);
  HookResult nat_step(Pkt& pkt, TraceResult& tr, ir::Hook hook);
  HookResult confirm_step(Pkt& pkt, TraceResult& tr);
  void arrive(Pkt& pkt, TraceResult& tr);
  void send_local(Pkt& pkt, TraceResult& tr);
  void loop_back(Pkt& pkt, TraceResult& tr, const std::string& dev, uint8_t pkttype);
  void input(Pkt& pkt, TraceResult& tr);
  bool postrouting_and_out(Pkt& pkt, TraceResult& tr);
  void describe_nat(const Pkt& pkt, TraceResult& tr);
  bool defrag_holds(const Pkt& pkt, TraceResult& tr);
};

bool Engine::Impl::defrag_holds(const Pkt& pkt, TraceResult& tr) {
  // nf_defrag_ipv4 (priority -400, registered with conntrack): a fragment is queued for
  // reassembly (NF_STOLEN) and reaches the chains only as part of the whole datagram.
  if (!st.conntrack_on || !pkt.v.is_fragment()) return false;
  tr.verdict = Verdict::KernelDrop;
  tr.kernel_reason = "an IP fragment is held for reassembly (nf_defrag_ipv4); iptc does not reassemble";
  return true;
}

// ---- packet construction -----------------------------------------------------------------

NumRef Engine::Impl::number_tcp(PacketSpec& p) {
  runtime::Tuple t{p.src, p.dst, p.sport, p.dport, 6};
  runtime::Tuple inv{p.dst, p.src, p.dport, p.sport, 6};
  NumRef ref;
  if (auto it = num_keys.find(t); it != num_keys.end()) {
    ref = it->second;
  } else {
    // A reply addressed to a NATed tuple belongs to the connection it was NATed from: the
    // conntrack entry holding this tuple as its reply names the original direction.
    runtime::CtDir dir = runtime::CtDir::Original;
    const runtime::Conn* c = st.conntrack.find(t, &dir);
    auto orig = (c && dir == runtime::CtDir::Reply) ? num_keys.find(c->orig()) : num_keys.end();
    if (orig != num_keys.end()) {
      ref = {orig->second.conn, !orig->second.reply};
      num_keys[t] = ref;
    } else {
      ref = {next_conn++, false};
      num_keys[t] = ref;
      num_keys.emplace(inv, NumRef{ref.conn, true});
    }
  }
  numbering.assign(p, ref.conn, ref.reply);
  return ref;
}

Pkt Engine::Impl::build(const PacketSpec& p) { return detail::build_pkt(p, p.id ? *p.id : next_ip_id++); }

// ---- hook steps --------------------------------------------------------------------------

HookResult Engine::Impl::table_step(Pkt& pkt, TraceResult& tr, ir::Hook hook, ir::TableKind t) {
  const ir::Table* table = st.rs.table(t);
  if (!table || !table->builtin(hook) || !table->builtin(hook)->registered) return {};
  detail::EvalCtx c{st, pkt, t, hook, tr};
  TargetVerdict v = detail::run_table(*table, c);
  switch (v) {
    case TargetVerdict::Accept:
    case TargetVerdict::Continue: return {};
    case TargetVerdict::Drop: return {false, Verdict::Drop};
    case TargetVerdict::Reject: return {false, Verdict::Reject};
    case TargetVerdict::Queue: return {false, Verdict::Queue};
  }
  return {};
}

HookResult Engine::Impl::conntrack_step(Pkt& pkt, TraceResult& tr, ir::Hook hook) {
  if (!st.conntrack_on) return {};
  runtime::CtVerdictReason why = runtime::CtVerdictReason::None;
  bool ok = st.conntrack.in(pkt.buf.bytes, static_cast<runtime::Hook>(hook), pkt.ct, &why);
  if (!tr.ctstate) tr.ctstate = to_state(runtime::ct_state(pkt.ct));
  if (!ok) {
    tr.kernel_reason = fmt::format("conntrack dropped the packet ({})", runtime::ct_reason_name(why));
    return {false, Verdict::KernelDrop};
  }
  return {};
}

HookResult Engine::Impl::nat_step(Pkt& pkt, TraceResult& tr, ir::Hook hook) {
  if (!st.nat_on) return {};
  const ir::Table* nat = st.rs.table(ir::TableKind::Nat);
  TargetVerdict chain_verdict = TargetVerdict::Accept;
  bool ran = false;
  int out_ifindex = hook == ir::Hook::Postrouting ? st.host.ifindex(pkt.out) : 0;
  runtime::Verdict v = runtime::nat_hook(
      st.conntrack, pkt.ct, static_cast<runtime::Hook>(hook), pkt.buf.bytes, out_ifindex, [&] {
        ran = true;
        detail::EvalCtx c{st, pkt, ir::TableKind::Nat, hook, tr};
        chain_verdict = detail::run_table(*nat, c);
        return chain_verdict == TargetVerdict::Accept ? runtime::Verdict::Accept
                                                      : runtime::Verdict::Drop;
      });
  pkt.reparse();
  if (ran && chain_verdict != TargetVerdict::Accept) {
    switch (chain_verdict) {
      case TargetVerdict::Queue: return {false, Verdict::Queue};
      case TargetVerdict::Reject: return {false, Verdict::Reject};
      case TargetVerdict::Accept:
      case TargetVerdict::Continue:
      case TargetVerdict::Drop: return {false, Verdict::Drop};
    }
  }
  if (v != runtime::Verdict::Accept) {
    tr.kernel_reason = "NAT dropped the packet (no usable address or the egress interface changed)";
    return {false, Verdict::Drop};
  }
  return {};
}

HookResult Engine::Impl::confirm_step(Pkt& pkt, TraceResult& tr) {
  if (!st.conntrack_on) return {};
  if (!st.conntrack.confirm(pkt.ct)) {
    tr.kernel_reason = "conntrack confirmation failed";
    return {false, Verdict::KernelDrop};
  }
  return {};
}

HookResult Engine::Impl::run_tables(Pkt& pkt, TraceResult& tr, ir::Hook hook) {
  using T = ir::TableKind;
  tr.hooks.push_back(hook);
  tr.events.push_back({TraceEvent::Kind::Hook, hook, tr.hooks.size() - 1});
  HookResult r;
  auto step = [&](HookResult x) {
    r = x;
    return r.go_on;
  };
  switch (hook) {
    case ir::Hook::Prerouting:
      step(table_step(pkt, tr, hook, T::Raw)) && step(conntrack_step(pkt, tr, hook)) &&
          step(table_step(pkt, tr, hook, T::Mangle)) && step(nat_step(pkt, tr, hook));
      break;
    case ir::Hook::Input:
      step(table_step(pkt, tr, hook, T::Mangle)) && step(table_step(pkt, tr, hook, T::Filter)) &&
          step(table_step(pkt, tr, hook, T::Security)) && step(nat_step(pkt, tr, hook)) &&
          step(confirm_step(pkt, tr));
      break;
    case ir::Hook::Forward:
      step(table_step(pkt, tr, hook, T::Mangle)) && step(table_step(pkt, tr, hook, T::Filter)) &&
          step(table_step(pkt, tr, hook, T::Security));
      break;
    case ir::Hook::Output: {
      if (!(step(table_step(pkt, tr, hook, T::Raw)) && step(conntrack_step(pkt, tr, hook)) &&
            step(table_step(pkt, tr, hook, T::Mangle))))
        break;
      uint32_t dst_before = pkt.v.dst;
      if (!step(nat_step(pkt, tr, hook))) break;
      if (pkt.v.dst != dst_before) {
        // nf_nat_ipv4_local_fn: ip_route_me_harder. The hook's `out` device stays the one the
        // hook was entered with (nf_hook_state), so filter OUTPUT still sees the old one;
        // POSTROUTING gets the new route's.
        pkt.route = st.host.route_output(pkt.v.dst);
        if (pkt.route.unreachable) {
          tr.kernel_reason = "no route after DNAT in OUTPUT";
          r = {false, Verdict::KernelDrop};
          break;
        }
      }
      step(table_step(pkt, tr, hook, T::Filter)) && step(table_step(pkt, tr, hook, T::Security));
      break;
    }
    case ir::Hook::Postrouting:
      step(table_step(pkt, tr, hook, T::Mangle)) && step(nat_step(pkt, tr, hook)) &&
          step(confirm_step(pkt, tr));
      break;
  }
  return r;
}

// ---- paths -------------------------------------------------------------------------------

void Engine::Impl::input(Pkt& pkt, TraceResult& tr) {
  pkt.out.clear();
  HookResult r = run_tables(pkt, tr, ir::Hook::Input);
  if (!r.go_on) {
    tr.verdict = r.verdict;
    return;
  }
  tr.verdict = Verdict::Accept;
  tr.delivered = true;
}

bool Engine::Impl::postrouting_and_out(Pkt& pkt, TraceResult& tr) {
  // ip_output: POSTROUTING has no input device.
  pkt.in.clear();
  pkt.out = pkt.route.iface;
  HookResult r = run_tables(pkt, tr, ir::Hook::Postrouting);
  if (!r.go_on) {
    tr.verdict = r.verdict;
    return false;
  }
  return true;
}

void Engine::Impl::arrive(Pkt& pkt, TraceResult& tr) {
  pkt.has_mac = pkt.in != "lo";
  tr.path = Path::Input;
  if (pkt.pkttype == detail::kPacketOtherhost) {
    tr.verdict = Verdict::KernelDrop;
    tr.kernel_reason = "a frame for another host (PACKET_OTHERHOST) is dropped by ip_rcv";
    return;
  }
  if (defrag_holds(pkt, tr)) return;
  HookResult r = run_tables(pkt, tr, ir::Hook::Prerouting);
  pkt.route = st.host.route_input(pkt.v.dst, pkt.v.src, pkt.in);
  if (!r.go_on) {
    // Dropped before the routing decision: the path is the one it would have taken (for a
    // martian, which routing would drop, the path its destination alone gives).
    bool local = pkt.route.martian ? st.host.route(pkt.v.dst).local : pkt.route.local;
    if (!local) tr.path = Path::Forward;
    tr.verdict = r.verdict;
    return;
  }
  if (pkt.route.martian) {
    tr.verdict = Verdict::KernelDrop;
    tr.kernel_reason = "martian source or destination (ip_route_input)";
    return;
  }
  if (pkt.route.local) {
    input(pkt, tr);
    return;
  }
  tr.path = Path::Forward;
  if (pkt.route.unreachable) {
    tr.verdict = Verdict::KernelDrop;
    tr.kernel_reason = "no route to the destination";
    return;
  }
  if (pkt.pkttype != detail::kPacketHost) {
    tr.verdict = Verdict::KernelDrop;
    tr.kernel_reason = "ip_forward drops frames not addressed to this host's MAC";
    return;
  }
  if (pkt.v.ttl <= 1) {
    tr.verdict = Verdict::KernelDrop;
    tr.kernel_reason = "TTL exceeded (ip_forward)";
    return;
  }
  runtime::decrease_ttl(pkt.buf.bytes);
  pkt.reparse();
  pkt.out = pkt.route.iface;
  r = run_tables(pkt, tr, ir::Hook::Forward);
  if (!r.go_on) {
    tr.verdict = r.verdict;
    return;
  }
  if (!postrouting_and_out(pkt, tr)) return;
  tr.verdict = Verdict::Accept;
  Egress e;
  e.iface = pkt.out;
  e.src = pkt.v.src;
  e.dst = pkt.v.dst;
  e.ttl = pkt.v.ttl;
  e.tos = pkt.v.tos;
  e.proto = pkt.v.proto;
  tr.egress = e;
}

void Engine::Impl::loop_back(Pkt& pkt, TraceResult& tr, const std::string& dev, uint8_t pkttype) {
  // Back in through `dev` (loopback_xmit on lo, dev_loopback_xmit for a broadcast clone):
  // the same conntrack (nf_conntrack_in leaves it alone), no socket, no MAC header, and the
  // output route kept (skb_dst_force), so ip_rcv_finish delivers it without a new lookup.
  tr.local_loop = true;
  pkt.looped = true;
  pkt.local = false;
  pkt.in = dev;
  pkt.out.clear();
  pkt.pkttype = pkttype;
  pkt.has_mac = false;
  HookResult r = run_tables(pkt, tr, ir::Hook::Prerouting);
  if (!r.go_on) {
    tr.verdict = r.verdict;
    return;
  }
  input(pkt, tr);
}

void Engine::Impl::send_local(Pkt& pkt, TraceResult& tr) {
  tr.path = Path::Output;
  pkt.route = st.host.route_output(pkt.v.dst);
  if (pkt.route.unreachable) {
    tr.verdict = Verdict::KernelDrop;
    tr.kernel_reason = "no route to the destination (the socket's send fails)";
    return;
  }
  pkt.in.clear();
  pkt.out = pkt.route.iface;
  pkt.has_mac = false;
  if (defrag_holds(pkt, tr)) return;
  HookResult r = run_tables(pkt, tr, ir::Hook::Output);
  if (!r.go_on) {
    tr.verdict = r.verdict;
    return;
  }
  // ip_mc_output for a broadcast route out of a real device (RTCF_BROADCAST: a subnet
  // broadcast, 255.255.255.255): a clone for this host's own sockets goes through POSTROUTING
  // first and is queued for reception on the device (dev_loopback_xmit); then the packet
  // itself goes through POSTROUTING and out. The clone is received after the send returns.
  // On lo (127.255.255.255) __mkroute_output keeps ip_output: one packet, back in through lo.
  std::optional<Pkt> clone;
  if (pkt.route.type == runtime::AddrType::Broadcast && pkt.route.iface != "lo") {
    Pkt c = pkt;
    c.in.clear();
    c.out = c.route.iface;
    HookResult rc = run_tables(c, tr, ir::Hook::Postrouting);
    if (rc.go_on) clone = std::move(c);
    else tr.verdict = rc.verdict;
  }
  bool sent = postrouting_and_out(pkt, tr);
  bool via_lo = pkt.route.iface == "lo";
  if (sent && !via_lo) {
    Egress e;
    e.iface = pkt.out;
    e.src = pkt.v.src;
    e.dst = pkt.v.dst;
    e.ttl = pkt.v.ttl;
    e.tos = pkt.v.tos;
    e.proto = pkt.v.proto;
    tr.egress = e;
    tr.verdict = Verdict::Accept;
  }
  // PACKET_LOOPBACK, which -m pkttype reads as broadcast for a non-multicast address.
  if (clone) loop_back(*clone, tr, clone->route.iface, detail::kPacketBroadcast);
  if (sent && via_lo) loop_back(pkt, tr, "lo", detail::kPacketHost);
  if (tr.egress || tr.delivered) tr.verdict = Verdict::Accept;
}

void Engine::Impl::describe_nat(const Pkt& pkt, TraceResult& tr) {
  const runtime::Conn* c = pkt.ct.ct;
  if (!c || !(c->status & runtime::ips::kNatMask)) return;
  const runtime::Tuple& o = c->orig();
  const runtime::Tuple& r = c->reply();
  bool ports = runtime::proto_has_ports(o.proto);
  std::string s;
  if (c->status & runtime::ips::kDstNat)
    s += fmt::format("DNAT {} -> {}", endpoint(o.dst, o.dport, ports), endpoint(r.src, r.sport, ports));
  if (c->status & runtime::ips::kSrcNat) {
    if (!s.empty()) s += ", ";
    s += fmt::format("SNAT {} -> {}", endpoint(o.src, o.sport, ports), endpoint(r.dst, r.dport, ports));
  }
  if (runtime::ctinfo_dir(pkt.ct.info) == runtime::CtDir::Reply) s += " (reply: reversed)";
  tr.nat = s;
}

void Engine::Impl::link_defaults(Pkt& pkt, bool mac_given, std::optional<uint8_t> pkttype) {
  if (!mac_given) {
    // The sender on the N-th interface of the host model (file order) is 02:00:00:00:00:0N.
    uint8_t n = 0;
    for (const auto& i : st.host.interfaces()) {
      if (i.name == "lo") continue;
      ++n;
      if (i.name == pkt.in) break;
    }
    pkt.mac = {0x02, 0, 0, 0, 0, n};
  }
  if (pkttype) {
    pkt.pkttype = *pkttype;
    return;
  }
  uint32_t d = pkt.v.dst;
  pkt.pkttype = detail::kPacketHost;
  if ((d >> 28) == 0xe) pkt.pkttype = detail::kPacketMulticast;
  if (d == 0xffffffffu) pkt.pkttype = detail::kPacketBroadcast;
  if (const runtime::Interface* i = st.host.find(pkt.in))
    for (const auto& a : i->addrs)
      if (a.prefix < 31 && (a.addr | ~ir::prefix_to_mask(a.prefix)) == d)
        pkt.pkttype = detail::kPacketBroadcast;
}

void Engine::Impl::run_packet(Pkt& pkt, TraceResult& tr) {
  if (!pkt.in.empty()) arrive(pkt, tr);
  else send_local(pkt, tr);
  if (tr.egress) {
    const runtime::PacketView& v = pkt.v;
    if (v.l4.ports) {
      tr.egress->sport = v.l4.sport;
      tr.egress->dport = v.l4.dport;
    }
    if (v.proto == 1 && v.l4.icmp && !runtime::icmptype::is_error(v.l4.icmp_type))
      tr.egress->echo_id = v.l4.icmp_id;
    if (v.inner_ok) {
      Egress::Inner in;
      in.src = v.inner_src;
      in.dst = v.inner_dst;
      in.proto = v.inner_proto;
      if (v.inner_l4.ports) {
        in.sport = v.inner_l4.sport;
        in.dport = v.inner_l4.dport;
      }
      tr.egress->inner = in;
    }
  }
  describe_nat(pkt, tr);
  tr.priority = pkt.priority;
  st.conntrack.end_packet();
}

TraceResult Engine::Impl::process(const PacketSpec& spec) {
  TraceResult tr;
  tr.line = spec.line;
  tr.packet = spec.text;
  if (spec.in && !st.host.find(*spec.in) && *spec.in != "lo") {
    tr.error = fmt::format("interface '{}' is not in the host model", *spec.in);
    return tr;
  }
  PacketSpec p = spec;
  if (p.proto == 6 && !p.icmp_error() && p.fragoff == 0) {
    number_tcp(p);
    tr.seq = p.seq;
    tr.ack = p.ack;
  }
  Pkt pkt = build(p);
  if (p.in) {
    pkt.in = *p.in;
    link_defaults(pkt, p.mac_given, p.pkttype);
  }
  run_packet(pkt, tr);
  tr.tos_in = p.tos;
  return tr;
}

namespace {
/// ip_rcv_core's checks of an arriving datagram (the kernel drops a failure and counts it in
/// IPSTATS_MIB_INHDRERRORS / INTRUNCATEDPKTS); "" when it passes.
std::string ip_header_problem(std::span<const uint8_t> b) {
  if (b.size() < 20) return "shorter than an IP header";
  if ((b[0] >> 4) != 4) return fmt::format("IP version {}, not 4", b[0] >> 4);
  size_t ihl = (b[0] & 0xfu) * 4u;
  if (ihl < 20) return fmt::format("IP header length {} is below 20", ihl);
  if (b.size() < ihl) return "truncated inside the IP header";
  if (runtime::csum_fold(runtime::csum_partial(b.first(ihl))) != 0) return "bad IP header checksum";
  size_t tot = runtime::load16(b.data() + 2);
  if (tot > b.size()) return fmt::format("IP total length {} exceeds the {} bytes received", tot, b.size());
  if (tot < ihl) return fmt::format("IP total length {} is below the header length {}", tot, ihl);
  return {};
}
}  // namespace

RawResult Engine::Impl::process_raw(const RawPacket& raw) {
  RawResult res;
  TraceResult& tr = res.trace;
  std::string in(raw.in);
  if (!in.empty() && !st.host.find(in) && in != "lo") {
    tr.error = fmt::format("interface '{}' is not in the host model", in);
    return res;
  }
  if (std::string why = ip_header_problem(raw.data); !why.empty()) {
    if (in.empty()) {
      tr.error = "a locally generated datagram must be well formed: " + why;
    } else {
      tr.path = Path::Input;
      tr.verdict = Verdict::KernelDrop;
      tr.kernel_reason = "ip_rcv drops the datagram: " + why;
    }
    return res;
  }
  size_t tot = runtime::load16(raw.data.data() + 2);
  Pkt pkt;
  pkt.buf.bytes.assign(raw.data.begin(), raw.data.begin() + static_cast<long>(tot));  // pskb_trim_rcsum
  pkt.reparse();
  pkt.mark = raw.mark;
  pkt.local = in.empty();
  if (pkt.local) {
    pkt.uid = raw.uid;
    pkt.gid = raw.gid;
  } else {
    pkt.in = in;
    if (raw.mac) pkt.mac = *raw.mac;
    link_defaults(pkt, raw.mac.has_value(), raw.pkttype);
  }
  tr.tos_in = pkt.v.tos;
  run_packet(pkt, tr);
  if (tr.egress || tr.delivered) res.out = std::move(pkt.buf.bytes);
  return res;
}

void Engine::Impl::replace_ruleset(const ir::Ruleset& rs, const iptc_descriptor* compiled) {
  EngineOptions o = st.opts;
  o.compiled = compiled;
  o.epoch = st.epoch;
  detail::State fresh(rs, st.host, o);
  // What outlives an iptables-restore commit: conntrack (NAT bindings, marks, timeouts) and
  // the clock in it, ipsets, SECMARK's context numbering, the statistic generator, and the
  // named tables of xt_recent and xt_hashlimit that a rule of the new set names again (the
  // new rules' checkentry takes a reference on the existing table before the old rules drop
  // theirs; its contents stay, the new rule's parameters are ignored).
  fresh.conntrack = std::move(st.conntrack);
  fresh.rng = st.rng;
  fresh.ipsets = std::move(st.ipsets);
  fresh.secids = std::move(st.secids);
  for (auto& [name, table] : fresh.recent)
    if (auto it = st.recent.find(name); it != st.recent.end()) table = std::move(it->second);
  for (auto& [name, table] : fresh.hashlimit)
    if (auto it = st.hashlimit.find(name); it != st.hashlimit.end()) table = std::move(it->second);
  std::destroy_at(&st);
  std::construct_at(&st, std::move(fresh));
}

// ---- public API --------------------------------------------------------------------------

Engine::Engine(const ir::Ruleset& rs, runtime::HostModel host, EngineOptions opts)
    : impl_(std::make_unique<Impl>(rs, std::move(host), opts)) {}
Engine::~Engine() = default;

TraceResult Engine::process(const PacketSpec& p) { return impl_->process(p); }
RawResult Engine::process_raw(const RawPacket& p) { return impl_->process_raw(p); }
void Engine::replace_ruleset(const ir::Ruleset& rs, const iptc_descriptor* compiled) {
  impl_->replace_ruleset(rs, compiled);
}

std::vector<TraceResult> Engine::run(const std::vector<PacketLine>& lines) {
  std::vector<TraceResult> out;
  for (const auto& l : lines) {
    switch (l.kind) {
      case PacketLine::Kind::Packet: out.push_back(process(l.packet)); break;
      case PacketLine::Kind::Flush: flush_conntrack(); break;
      case PacketLine::Kind::Sleep: advance(l.sleep_seconds); break;
    }
  }
  return out;
}

void Engine::flush_conntrack() { impl_->st.conntrack.flush(); }
void Engine::set_ipsets(runtime::IpsetStore sets) { impl_->st.ipsets = std::move(sets); }
void Engine::advance(double seconds) { impl_->st.conntrack.advance(seconds); }
double Engine::now() const { return impl_->st.now(); }
bool Engine::conntrack_enabled() const { return impl_->st.conntrack_on; }

namespace {
/// What compiled code counted for a rule or policy (its slot in this engine's shard).
ir::Counters shard_counters(const detail::State& st, const void* key) {
  auto it = st.slot_of.find(key);
  if (it == st.slot_of.end()) return {};
  const iptc_counter& c = st.shard[it->second];
  return {c.packets, c.bytes};
}
}  // namespace

ir::Counters Engine::rule_counters(const ir::Rule& r) const {
  auto it = impl_->st.rule_counters.find(&r);
  ir::Counters c = it == impl_->st.rule_counters.end() ? ir::Counters{} : it->second;
  ir::Counters s = shard_counters(impl_->st, &r);
  return {c.packets + s.packets, c.bytes + s.bytes};
}

ir::Counters Engine::policy_counters(const ir::Chain& ch) const {
  auto it = impl_->st.policy_counters.find(&ch);
  ir::Counters c = it == impl_->st.policy_counters.end() ? ir::Counters{} : it->second;
  ir::Counters s = shard_counters(impl_->st, &ch);
  return {c.packets + s.packets, c.bytes + s.bytes};
}

ir::Ruleset Engine::with_counters() const {
  ir::Ruleset out = impl_->st.rs;
  for (size_t t = 0; t < ir::kTableCount; ++t) {
    const auto& src = impl_->st.rs.tables[t];
    auto& dst = out.tables[t];
    if (!src || !dst) continue;
    for (size_t ci = 0; ci < src->chains().size(); ++ci) {
      const ir::Chain& sc = src->chains()[ci];
      ir::Chain& dc = dst->chains()[ci];
      if (sc.builtin()) dc.counters = policy_counters(sc);
      for (size_t ri = 0; ri < sc.rules.size(); ++ri) dc.rules[ri].counters = rule_counters(sc.rules[ri]);
    }
  }
  return out;
}

}  // namespace iptc::interp
