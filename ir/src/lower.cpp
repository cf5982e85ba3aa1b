// lower(): ir::Ruleset -> LoweredRuleset (ir/lowered.hpp). Each match kind's native lowering
// restates, as field tests, exactly what the reference interpreter evaluates for it
// (interp/src/eval_match.cpp, after the kernel's sources named there), guards included: a
// transport-header guard that makes the kernel hotdrop becomes a test with OnFail::Hotdrop.
// Kinds that keep state (limit, statistic), read what the packet struct does not carry
// (conntrack tuples, owner's socket, addrtype's routing table, ipset contents) or are new go
// through the slow path, so every rule set iptc loads can be compiled. The switch over
// MatchKind has no default: a new kind is a compile error here until someone decides.
#include "iptc/ir/lowered.hpp"

#include <cassert>
#include <cstring>
#include <functional>

#include <fmt/format.h>

#include "iptc/ir/nft_canon.hpp"
#include "iptc/ir/printer.hpp"
#include "iptc/ir/values.hpp"

namespace iptc::ir {

// ---- slots --------------------------------------------------------------------------------

SlotMap slot_map(const Ruleset& rs) {
  SlotMap m;
  for (size_t t = 0; t < kTableCount; ++t) {
    const auto& table = rs.tables[t];
    if (!table) continue;
    auto& first = m.first_rule[t];
    first.resize(table->chains().size());
    for (size_t ci = 0; ci < table->chains().size(); ++ci) {
      const Chain& c = table->chains()[ci];
      first[ci] = static_cast<uint32_t>(m.slots.size());
      for (size_t ri = 0; ri < c.rules.size(); ++ri)
        m.slots.push_back(Slot{static_cast<TableKind>(t), static_cast<uint32_t>(ci),
                               static_cast<uint32_t>(ri), false, c.rules[ri].loc.line});
    }
  }
  m.rule_count = static_cast<uint32_t>(m.slots.size());
  for (size_t t = 0; t < kTableCount; ++t) {
    const auto& table = rs.tables[t];
    if (!table) continue;
    auto& pol = m.policy_slot[t];
    pol.assign(table->chains().size(), ~0u);
    for (size_t ci = 0; ci < table->chains().size(); ++ci) {
      const Chain& c = table->chains()[ci];
      if (!c.builtin()) continue;
      pol[ci] = static_cast<uint32_t>(m.slots.size());
      m.slots.push_back(
          Slot{static_cast<TableKind>(t), static_cast<uint32_t>(ci), 0, true, c.loc.line});
    }
  }
  return m;
}

const Chain& SlotMap::chain(const Ruleset& rs, uint32_t slot) const {
  const Slot& s = slots.at(slot);
  return rs.table(s.table)->chains()[s.chain];
}

const Rule& SlotMap::rule(const Ruleset& rs, uint32_t slot) const {
  const Slot& s = slots.at(slot);
  assert(!s.policy && "a policy slot has no rule");
  return chain(rs, slot).rules[s.rule];
}

uint64_t fingerprint(const Ruleset& rs) {
  std::string text = print_save(rs);
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string hook_symbol(TableKind t, Hook h) {
  std::string s = fmt::format("iptc_{}_{}", table_name(t), hook_name(h));
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

size_t LoweredHook::rule_count() const {
  size_t n = 0;
  for (const auto& c : chains) n += c.rules.size();
  return n;
}

std::string_view field_name(Field f) {
  switch (f) {
    case Field::Src: return "src";
    case Field::Dst: return "dst";
    case Field::Mark: return "mark";
    case Field::Len: return "len";
    case Field::CtStatus: return "ct_status";
    case Field::CtMark: return "ct_mark";
    case Field::Uid: return "uid";
    case Field::Gid: return "gid";
    case Field::InIfindex: return "in_ifindex";
    case Field::OutIfindex: return "out_ifindex";
    case Field::TotLen: return "tot_len";
    case Field::FragOff: return "frag_off";
    case Field::Sport: return "sport";
    case Field::Dport: return "dport";
    case Field::L4Avail: return "l4_avail";
    case Field::CtState: return "ct_state";
    case Field::Proto: return "proto";
    case Field::Tos: return "tos";
    case Field::Ttl: return "ttl";
    case Field::TcpFlags: return "tcp_flags";
    case Field::IcmpType: return "icmp_type";
    case Field::IcmpCode: return "icmp_code";
    case Field::Pkttype: return "pkttype";
    case Field::Flags: return "flags";
    case Field::IcmpTypeCode: return "icmp_type_code";
  }
  return "?";
}

// ---- lowering -----------------------------------------------------------------------------

namespace {

// Mirrors of abi.h constants (ir does not include the runtime's header).
constexpr uint32_t kPktHasMac = 0x01, kPktCt = 0x04;
constexpr uint32_t kCtSnat = 0x40, kCtDnat = 0x80;

bool full(const PortRange& r) { return r.lo == 0 && r.hi == 0xffff; }

struct Lowerer {
  const LowerOptions& opts;
  LoweredRuleset& out;
  std::vector<Criterion> crit;

  void test(Field f, uint32_t mask, uint32_t lo, uint32_t hi, bool invert,
            OnFail on_fail = OnFail::Skip) {
    crit.push_back(FieldTest{f, mask, lo, hi, invert, on_fail});
  }
  void port(Field f, const PortRange& r, bool invert) {
    // port_in(full range) == invert fails only when inverted.
    if (!full(r) || invert) test(f, 0xffff, r.lo, r.hi, invert);
  }
  void never() { test(Field::Flags, 0, 1, 1, false); }

  void ip_part(const IpHeaderMatch& ip) {
    if (ip.src.mask || ip.inv_src) test(Field::Src, ip.src.mask, ip.src.addr, ip.src.addr, ip.inv_src);
    if (ip.dst.mask || ip.inv_dst) test(Field::Dst, ip.dst.mask, ip.dst.addr, ip.dst.addr, ip.inv_dst);
    if (!ip.iniface.empty()) iface(ip.iniface, false, ip.inv_in);
    if (!ip.outiface.empty()) iface(ip.outiface, true, ip.inv_out);
    if (ip.proto != 0) test(Field::Proto, 0xff, ip.proto, ip.proto, ip.inv_proto);
    if (ip.frag) test(Field::FragOff, 0xffff, 1, 0xffff, ip.inv_frag);
  }

  void iface(const std::string& pattern, bool out_dev, bool invert) {
    IfaceTest t;
    t.out = out_dev;
    t.invert = invert;
    bool wildcard = pattern.back() == '+';
    size_t n = wildcard ? pattern.size() - 1 : pattern.size();
    n = std::min<size_t>(n, 15);
    std::memcpy(t.name.data(), pattern.data(), n);
    // An exact name compares its NUL too (ifname_compare_aligned's mask covers it).
    t.len = static_cast<uint8_t>(wildcard ? n : n + 1);
    crit.push_back(t);
  }

  /// Appends the native criteria of a match; false when it needs the slow path.
  bool native(const Match& m) {
    if (opts.all_slow) return false;
    bool nft = opts.frontend == LowerFrontend::Nft;
    switch (m.kind()) {
      case MatchKind::Tcp: {
        const auto& t = std::get<TcpMatch>(m.data);
        if (t.option) return false;
        if (nft && nft_is_native(m)) {
          bool dst_loaded = !full(t.dport);
          uint32_t need = t.flg_mask ? 14 : (dst_loaded ? 4 : 2);
          test(Field::L4Avail, 0xffff, need, 0xffff, false);
        } else {
          // xt_tcpudp: a fragment at offset 8 bytes is dropped, other fragments skip, and a
          // header shorter than 20 bytes is dropped.
          test(Field::FragOff, 0xffff, 8, 8, true, OnFail::Hotdrop);
          test(Field::FragOff, 0xffff, 0, 0, false);
          test(Field::L4Avail, 0xffff, 20, 0xffff, false, OnFail::Hotdrop);
        }
        port(Field::Sport, t.sport, t.invflags & TcpMatch::kInvSrcPort);
        port(Field::Dport, t.dport, t.invflags & TcpMatch::kInvDstPort);
        bool inv = t.invflags & TcpMatch::kInvFlags;
        if (t.flg_mask || t.flg_cmp || inv) test(Field::TcpFlags, t.flg_mask, t.flg_cmp, t.flg_cmp, inv);
        return true;
      }
      case MatchKind::Udp: {
        const auto& u = std::get<UdpMatch>(m.data);
        if (nft && nft_is_native(m)) {
          test(Field::L4Avail, 0xffff, full(u.dport) ? 2 : 4, 0xffff, false);
        } else {
          test(Field::FragOff, 0xffff, 0, 0, false);
          test(Field::L4Avail, 0xffff, 8, 0xffff, false, OnFail::Hotdrop);
        }
        port(Field::Sport, u.sport, u.invflags & UdpMatch::kInvSrcPort);
        port(Field::Dport, u.dport, u.invflags & UdpMatch::kInvDstPort);
        return true;
      }
      case MatchKind::Icmp: {
        const auto& i = std::get<IcmpMatch>(m.data);
        test(Field::FragOff, 0xffff, 0, 0, false);
        test(Field::L4Avail, 0xffff, 2, 0xffff, false, OnFail::Hotdrop);
        if (i.type == 0xff) {
          if (i.invert) never();
        } else {
          uint32_t base = uint32_t{i.type} << 8;
          test(Field::IcmpTypeCode, 0xffff, base | i.code_lo, base | i.code_hi, i.invert);
        }
        return true;
      }
      case MatchKind::Multiport: {
        const auto& mp = std::get<MultiportMatch>(m.data);
        test(Field::FragOff, 0xffff, 0, 0, false);
        test(Field::L4Avail, 0xffff, 4, 0xffff, false, OnFail::Hotdrop);
        PortListTest p;
        using D = MultiportMatch::Dir;
        switch (mp.dir) {
          case D::Source: p.dir = PortListTest::Dir::Source; break;
          case D::Destination: p.dir = PortListTest::Dir::Destination; break;
          case D::Either: p.dir = PortListTest::Dir::Either; break;
        }
        p.ranges = mp.ports;
        p.invert = mp.invert;
        crit.push_back(std::move(p));
        return true;
      }
      case MatchKind::Conntrack: {
        const auto& c = std::get<ConntrackMatch>(m.data);
        using C = ConntrackMatch;
        // Only the state test is native: the rest reads the conntrack entry's tuples.
        if (!(c.match_flags & C::kState) || (c.match_flags & ~(C::kState | C::kStateAlias)))
          return false;
        test(Field::CtState, c.state_mask, 1, 0xffff, c.invert_flags & C::kState);
        return true;
      }
      case MatchKind::State: {
        const auto& s = std::get<StateMatch>(m.data);
        // The state alias does not see the SNAT/DNAT bits the packet's ct_state carries.
        test(Field::CtState, s.state_mask & ~(kCtSnat | kCtDnat) & 0xffff, 1, 0xffff, s.invert);
        return true;
      }
      case MatchKind::Comment: return true;
      case MatchKind::Mark: {
        const auto& k = std::get<MarkMatch>(m.data);
        test(Field::Mark, k.mask, k.mark, k.mark, k.invert);
        return true;
      }
      case MatchKind::Mac: {
        const auto& k = std::get<MacMatch>(m.data);
        crit.push_back(MacTest{k.addr, k.invert});
        return true;
      }
      case MatchKind::Iprange: {
        const auto& r = std::get<IprangeMatch>(m.data);
        using R = IprangeMatch;
        if (r.flags & R::kSrc) test(Field::Src, ~0u, r.src_min, r.src_max, r.flags & R::kSrcInv);
        if (r.flags & R::kDst) test(Field::Dst, ~0u, r.dst_min, r.dst_max, r.flags & R::kDstInv);
        return true;
      }
      case MatchKind::Pkttype: {
        const auto& k = std::get<PkttypeMatch>(m.data);
        test(Field::Pkttype, 0xff, k.pkttype, k.pkttype, k.invert);
        return true;
      }
      case MatchKind::Length: {
        const auto& k = std::get<LengthMatch>(m.data);
        test(Field::TotLen, 0xffff, k.min, k.max, k.invert);
        return true;
      }
      case MatchKind::Connmark: {
        const auto& k = std::get<ConnmarkMatch>(m.data);
        test(Field::Flags, kPktCt, 1, 0xff, false);
        test(Field::CtMark, k.mask, k.mark, k.mark, k.invert);
        return true;
      }
      // State the packet struct does not carry, or state of their own.
      case MatchKind::Limit:
      case MatchKind::Addrtype:
      case MatchKind::Owner:
      case MatchKind::Statistic:
      case MatchKind::Set:
      case MatchKind::Recent:
      case MatchKind::Hashlimit:
      case MatchKind::Connlimit:
      case MatchKind::Sctp:
      case MatchKind::Policy:
      case MatchKind::Rpfilter:
      case MatchKind::Physdev:
      case MatchKind::Tcpmss:
      case MatchKind::Time:
      case MatchKind::String:
      case MatchKind::U32:
      case MatchKind::Dscp:
      case MatchKind::Tos:
      case MatchKind::Ttl:
      case MatchKind::Ecn:
      case MatchKind::Helper:
      case MatchKind::Devgroup:
      case MatchKind::Cgroup:
      case MatchKind::Socket:
      case MatchKind::Quota:
      case MatchKind::Connbytes:
      case MatchKind::Esp:
      case MatchKind::Ah:
      case MatchKind::Cpu:
      case MatchKind::Cluster:
      case MatchKind::Ipvs: return false;
    }
    return false;
  }

  Action action(const Target& t, const std::function<uint32_t(const std::string&)>& chain_index) {
    Action a;
    switch (t.type) {
      case TargetType::None: a.kind = ActionKind::Continue; break;
      case TargetType::Accept: a.kind = ActionKind::Accept; break;
      case TargetType::Drop: a.kind = ActionKind::Drop; break;
      case TargetType::Queue: a.kind = ActionKind::Queue; break;
      case TargetType::Return: a.kind = ActionKind::Return; break;
      case TargetType::Jump:
      case TargetType::Goto:
        a.kind = t.type == TargetType::Jump ? ActionKind::Jump : ActionKind::Goto;
        a.chain = chain_index(t.chain);
        break;
      case TargetType::Extension:
        if (t.kind() == TargetKind::Mark && !opts.all_slow) {
          const auto& m = std::get<MarkTarget>(t.data);
          a.kind = ActionKind::SetMark;
          a.value = m.mark;
          a.mask = m.mask;
        } else {
          a.kind = ActionKind::SlowTarget;
          ++out.slow_targets;
        }
        break;
    }
    return a;
  }
};

}  // namespace

LoweredRuleset lower(const Ruleset& rs, const LowerOptions& opts) {
  LoweredRuleset out;
  out.slots = slot_map(rs);
  out.fingerprint = fingerprint(rs);
  Lowerer lw{opts, out, {}};
  for (size_t ti = 0; ti < kTableCount; ++ti) {
    const auto& table = rs.tables[ti];
    if (!table) continue;
    const auto tk = static_cast<TableKind>(ti);
    const auto& chains = table->chains();
    auto index_of = [&](const std::string& name) -> uint32_t {
      const Chain* c = table->find(name);
      assert(c && "jump to a chain the verifier should have found");
      return static_cast<uint32_t>(c - chains.data());
    };
    for (Hook h : table_hooks(tk)) {
      const Chain* base = table->builtin(h);
      if (!base || !base->registered) continue;
      LoweredHook lh{tk, h, {}, 0};
      // Chains reachable from the built-in chain, in discovery order (base first).
      std::vector<int32_t> lowered_index(chains.size(), -1);
      std::vector<uint32_t> order;
      auto visit = [&](uint32_t ci) {
        if (lowered_index[ci] >= 0) return;
        lowered_index[ci] = static_cast<int32_t>(order.size());
        order.push_back(ci);
      };
      visit(static_cast<uint32_t>(base - chains.data()));
      for (size_t k = 0; k < order.size(); ++k)
        for (const Rule& r : chains[order[k]].rules)
          if (r.target.type == TargetType::Jump || r.target.type == TargetType::Goto)
            visit(index_of(r.target.chain));
      for (uint32_t ci : order) {
        const Chain& c = chains[ci];
        LoweredChain lc;
        lc.ir_chain = ci;
        lc.name = c.name;
        lc.builtin = c.builtin();
        lc.policy = c.policy;
        lc.policy_slot = c.builtin() ? out.slots.policy_slot[ti][ci] : 0;
        for (size_t ri = 0; ri < c.rules.size(); ++ri) {
          const Rule& r = c.rules[ri];
          LoweredRule lr;
          lr.slot = out.slots.rule_slot(tk, ci, static_cast<uint32_t>(ri));
          lw.crit.clear();
          lw.ip_part(r.ip);
          for (size_t mi = 0; mi < r.matches.size(); ++mi) {
            size_t before = lw.crit.size();
            if (lw.native(r.matches[mi])) {
              ++out.native_matches;
            } else {
              lw.crit.resize(before);
              lw.crit.push_back(SlowMatch{static_cast<uint32_t>(mi)});
              ++out.slow_matches;
            }
          }
          lr.criteria = lw.crit;
          lr.action = lw.action(r.target, [&](const std::string& name) {
            return static_cast<uint32_t>(lowered_index[index_of(name)]);
          });
          lc.rules.push_back(std::move(lr));
        }
        lh.chains.push_back(std::move(lc));
      }
      // The return-stack bound: the longest path of jumps and gotos (the verifier rejects
      // loops, so this terminates).
      std::vector<int32_t> depth(lh.chains.size(), -1);
      std::function<uint32_t(uint32_t)> longest = [&](uint32_t k) -> uint32_t {
        if (depth[k] >= 0) return static_cast<uint32_t>(depth[k]);
        depth[k] = 0;
        uint32_t d = 0;
        for (const auto& r : lh.chains[k].rules)
          if (r.action.kind == ActionKind::Jump || r.action.kind == ActionKind::Goto)
            d = std::max(d, 1 + longest(r.action.chain));
        depth[k] = static_cast<int32_t>(d);
        return d;
      };
      lh.max_depth = longest(0);
      out.hooks.push_back(std::move(lh));
    }
  }
  return out;
}

// ---- dump ---------------------------------------------------------------------------------

namespace {

std::string criterion_text(const Criterion& c) {
  struct V {
    std::string operator()(const FieldTest& t) const {
      std::string s = fmt::format("{}", field_name(t.field));
      if (t.mask != ~0u) s += fmt::format("&{:#x}", t.mask);
      s += t.invert ? " !in " : " in ";
      s += t.lo == t.hi ? fmt::format("{:#x}", t.lo) : fmt::format("[{:#x},{:#x}]", t.lo, t.hi);
      if (t.on_fail == OnFail::Hotdrop) s += " else hotdrop";
      return s;
    }
    std::string operator()(const IfaceTest& t) const {
      return fmt::format("{}{} {}{}", t.out ? "out" : "in", t.invert ? " !=" : " ==",
                         std::string(t.name.data(), std::min<size_t>(t.len, std::strlen(t.name.data()))),
                         t.len > std::strlen(t.name.data()) ? "" : "+");
    }
    std::string operator()(const MacTest& t) const {
      return fmt::format("mac{} {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", t.invert ? " !=" : " ==",
                         t.addr[0], t.addr[1], t.addr[2], t.addr[3], t.addr[4], t.addr[5]);
    }
    std::string operator()(const PortListTest& t) const {
      std::string s = t.dir == PortListTest::Dir::Source        ? "sport"
                      : t.dir == PortListTest::Dir::Destination ? "dport"
                                                                : "sport|dport";
      s += t.invert ? " !in {" : " in {";
      for (size_t i = 0; i < t.ranges.size(); ++i)
        s += fmt::format("{}{}-{}", i ? "," : "", t.ranges[i].lo, t.ranges[i].hi);
      return s + "}";
    }
    std::string operator()(const SlowMatch& t) const { return fmt::format("slow match {}", t.match_index); }
  };
  return std::visit(V{}, c);
}

std::string action_text(const Action& a, const LoweredHook& h) {
  switch (a.kind) {
    case ActionKind::Continue: return "continue";
    case ActionKind::Accept: return "accept";
    case ActionKind::Drop: return "drop";
    case ActionKind::Queue: return "queue";
    case ActionKind::Return: return "return";
    case ActionKind::Jump: return "jump " + h.chains[a.chain].name;
    case ActionKind::Goto: return "goto " + h.chains[a.chain].name;
    case ActionKind::SetMark: return fmt::format("mark = (mark & ~{:#x}) ^ {:#x}", a.mask, a.value);
    case ActionKind::SlowTarget: return "slow target";
  }
  return "?";
}

}  // namespace

std::string dump(const LoweredRuleset& l) {
  std::string s;
  for (const auto& h : l.hooks) {
    s += fmt::format("{} (max depth {}):\n", hook_symbol(h.table, h.hook), h.max_depth);
    for (const auto& c : h.chains) {
      s += fmt::format("  chain {}{}\n", c.name,
                       c.builtin ? fmt::format(" policy {} slot {}",
                                               c.policy == Policy::Accept ? "ACCEPT" : "DROP",
                                               c.policy_slot)
                                 : "");
      for (const auto& r : c.rules) {
        s += fmt::format("    [{}]", r.slot);
        for (const auto& cr : r.criteria) s += " " + criterion_text(cr) + ";";
        s += " -> " + action_text(r.action, h) + "\n";
      }
    }
  }
  return s;
}

}  // namespace iptc::ir
