// The ipset store's membership semantics, following the kernel function by function:
//   ip_set_test / ip_set_add / ip_set_del   ip_set_core.c (dimension check, --return-nomatch)
//   ip_set_match_extensions                  ip_set_core.c (timeout, then counters: update
//                                            first, then --packets-*/--bytes-* compare)
//   mtype_test, mtype_test_cidrs             ip_set_hash_gen.h (exact lookup; for an address
//                                            against a net type, every stored prefix length
//                                            from the longest; the first entry that matches
//                                            decides, a nomatch entry answers -ENOTEMPTY)
//   mtype_add / mtype_del                    ip_set_hash_gen.h, ip_set_bitmap_gen.h (an
//                                            existing entry is refreshed only with --exist or
//                                            when expired; a kernel add clears nomatch and
//                                            starts the counters at this packet)
//   *_kadt                                   ip_set_hash_*.c, ip_set_bitmap_port.c (the key
//                                            from the packet: ip_set_get_ip4_port for ports,
//                                            ICMP type << 8 | code; bitmap:port only TCP/UDP)
//   list_set_ktest/kadd/kdel                 ip_set_list_set.c (members in order)
// Hash buckets are modelled as the insertion order of the entries with equal hashed fields,
// which is what mtype_test walks (jhash collisions, which the kernel's random initval makes
// unpredictable, only add unrelated entries to a walk).
#include "iptc/runtime/ipset.hpp"

#include <algorithm>
#include <cerrno>

namespace iptc::runtime {

namespace {

// Kernel return codes that matter here.
constexpr int kENotEmpty = -ENOTEMPTY;  // nomatch entry found
constexpr int kEInval = -EINVAL;
constexpr int kErrExist = -4101;        // -IPSET_ERR_EXIST
constexpr int kErrFull = -4352;         // -IPSET_ERR_HASH_FULL
constexpr int kErrRange = -4353;        // -IPSET_ERR_BITMAP_RANGE
constexpr int kErrTypeMismatch = -4110; // -IPSET_ERR_TYPE_MISMATCH

bool is_net_type(IpsetType t) {
  return t == IpsetType::HashNet || t == IpsetType::HashNetPort || t == IpsetType::HashNetIface;
}

uint32_t netmask(uint8_t cidr) { return cidr == 0 ? 0 : ~uint32_t{0} << (32 - cidr); }

bool cmp_counter(uint64_t v, IpsetAdtOpt::CounterOp op, uint64_t want) {
  switch (op) {
    case IpsetAdtOpt::kNone: return true;
    case IpsetAdtOpt::kEq: return v == want;
    case IpsetAdtOpt::kNe: return v != want;
    case IpsetAdtOpt::kLt: return v < want;
    case IpsetAdtOpt::kGt: return v > want;
  }
  return false;
}

/// mtype_data_equal; `multi` counts hash:net,iface entries equal in address and prefix
/// (the kernel's `++*multi` between the two halves of the comparison).
bool data_equal(IpsetType t, const IpsetEntry& a, const IpsetEntry& b, uint32_t* multi) {
  switch (t) {
    case IpsetType::HashIp: return a.ip == b.ip;
    case IpsetType::HashNet: return a.ip == b.ip && a.cidr == b.cidr;
    case IpsetType::HashIpPort: return a.ip == b.ip && a.port == b.port && a.proto == b.proto;
    case IpsetType::HashNetPort:
      return a.ip == b.ip && a.cidr == b.cidr && a.port == b.port && a.proto == b.proto;
    case IpsetType::HashIpPortIp:
      return a.ip == b.ip && a.ip2 == b.ip2 && a.port == b.port && a.proto == b.proto;
    case IpsetType::HashNetIface:
      // physdev is part of the hashed key: entries that differ in it live in another bucket.
      if (a.ip != b.ip || a.cidr != b.cidr || a.physdev != b.physdev) return false;
      if (multi) ++*multi;
      return a.iface == b.iface;
    case IpsetType::BitmapPort: return a.port == b.port;
    case IpsetType::ListSet: return a.member == b.member;
  }
  return false;
}

/// ip_set_get_ip4_port: the port (or ICMP type << 8 | code) and protocol of the packet.
bool get_ip4_port(const IpsetPacket& p, bool src, uint16_t& port, uint8_t& proto) {
  const PacketView& v = *p.v;
  uint8_t protocol = v.proto;
  if (protocol == 0) return false;  // "protocol <= 0"
  if (v.frag_off != 0) {
    switch (protocol) {
      case kProtoTcp: case kProtoSctp: case kProtoUdp: case kProtoUdplite: case kProtoIcmp:
        return false;  // no port information in a later fragment
      default:
        proto = protocol;
        return true;
    }
  }
  size_t off = v.ihl;
  size_t avail = p.bytes.size() > off ? p.bytes.size() - off : 0;
  const uint8_t* h = p.bytes.data() + off;
  auto be16 = [](const uint8_t* q) { return static_cast<uint16_t>(q[0] << 8 | q[1]); };
  switch (protocol) {
    case kProtoTcp:  // skb_header_pointer(sizeof(struct tcphdr))
      if (avail < 20) return false;
      port = be16(h + (src ? 0 : 2));
      break;
    case kProtoSctp:  // struct sctphdr
      if (avail < 12) return false;
      port = be16(h + (src ? 0 : 2));
      break;
    case kProtoUdp: case kProtoUdplite:
      if (avail < 8) return false;
      port = be16(h + (src ? 0 : 2));
      break;
    case kProtoIcmp:  // struct icmphdr
      if (avail < 8) return false;
      port = static_cast<uint16_t>(h[0] << 8 | h[1]);
      break;
    default: break;  // other protocols: pseudo port 0
  }
  proto = protocol;
  return true;
}

}  // namespace

std::string_view ipset_type_name(IpsetType t) {
  switch (t) {
    case IpsetType::HashIp: return "hash:ip";
    case IpsetType::HashNet: return "hash:net";
    case IpsetType::HashIpPort: return "hash:ip,port";
    case IpsetType::HashNetPort: return "hash:net,port";
    case IpsetType::HashIpPortIp: return "hash:ip,port,ip";
    case IpsetType::HashNetIface: return "hash:net,iface";
    case IpsetType::BitmapPort: return "bitmap:port";
    case IpsetType::ListSet: return "list:set";
  }
  return "";
}

uint8_t ipset_type_dimension(IpsetType t) {
  switch (t) {
    case IpsetType::HashIp: case IpsetType::HashNet: case IpsetType::BitmapPort:
    case IpsetType::ListSet:
      return 1;
    case IpsetType::HashIpPort: case IpsetType::HashNetPort: case IpsetType::HashNetIface:
      return 2;
    case IpsetType::HashIpPortIp: return 3;
  }
  return 1;
}

bool ipset_type_has_nomatch(IpsetType t) { return is_net_type(t); }

int IpsetStore::find(std::string_view name) const {
  for (size_t i = 0; i < sets_.size(); ++i)
    if (sets_[i].def.name == name) return static_cast<int>(i);
  return -1;
}

bool IpsetStore::create(IpsetDef d) {
  if (find(d.name) >= 0) return false;
  sets_.push_back(Set{std::move(d), {}});
  return true;
}

std::vector<const IpsetEntry*> IpsetStore::entries(int id, double now) const {
  std::vector<const IpsetEntry*> out;
  const Set& s = sets_[size_t(id)];
  for (const auto& e : s.entries)
    if (!(s.def.with_timeout && now > e.expires)) out.push_back(&e);
  return out;
}

bool IpsetStore::add_entry(int id, IpsetEntry e, double now, std::string* why) {
  Set& s = sets_[size_t(id)];
  auto expired = [&](const IpsetEntry& x) { return s.def.with_timeout && now > x.expires; };
  for (auto& x : s.entries) {
    if (!data_equal(s.def.type, x, e, nullptr)) continue;
    if (!expired(x)) {
      if (why) *why = "element cannot be added to the set: it's already added";
      return false;
    }
    x = std::move(e);
    return true;
  }
  size_t live = 0;
  for (const auto& x : s.entries) live += !expired(x);
  if (s.def.type == IpsetType::ListSet ? live >= s.def.size
                                       : (s.def.type != IpsetType::BitmapPort && live >= s.def.maxelem)) {
    if (why) *why = s.def.type == IpsetType::ListSet ? "list set is full, cannot add more elements"
                                                     : "hash is full, cannot add more elements";
    return false;
  }
  s.entries.push_back(std::move(e));
  return true;
}

// ---- the kernel side ---------------------------------------------------------------------

bool IpsetStore::match_extensions(const Set& s, IpsetEntry& e, IpsetAdtOpt& opt, uint32_t flags,
                                  const IpsetPacket* p, double now) {
  if (s.def.with_timeout && now > e.expires) return false;
  if (s.def.counters) {
    // ip_set_update_counter (ext->packets is 1 for a packet), then the comparison.
    if (!(flags & IpsetAdtOpt::kSkipCounterUpdate) && p) {
      e.packets += 1;
      e.bytes += p->len;
    }
    if ((flags & IpsetAdtOpt::kMatchCounters) &&
        !(cmp_counter(e.packets, opt.packets_op, opt.packets) &&
          cmp_counter(e.bytes, opt.bytes_op, opt.bytes)))
      return false;
  }
  return true;
}

std::vector<uint8_t> IpsetStore::net_cidrs(const Set& s) const {
  // h->nets: every prefix length stored (expired entries too until the garbage collector
  // runs; iptc never collects), longest first.
  std::vector<uint8_t> c;
  for (const auto& e : s.entries)
    if (std::find(c.begin(), c.end(), e.cidr) == c.end()) c.push_back(e.cidr);
  std::sort(c.begin(), c.end(), std::greater<>());
  return c;
}

int IpsetStore::test_cidrs(Set& s, IpsetEntry key, IpsetAdtOpt& opt, const IpsetPacket& p,
                           double now) {
  const uint32_t addr = key.ip;
  uint32_t multi = 0;
  for (uint8_t c : net_cidrs(s)) {
    if (multi) break;
    key.ip = addr & netmask(c);
    key.cidr = c;
    for (auto& e : s.entries) {
      if (!data_equal(s.def.type, e, key, &multi)) continue;
      if (match_extensions(s, e, opt, opt.cmdflags, &p, now)) return e.nomatch ? kENotEmpty : 1;
      multi = 0;  // IP_SET_HASH_WITH_MULTI: "No match, reset multiple match flag"
    }
  }
  return 0;
}

int IpsetStore::adt_elem(Set& s, const IpsetEntry& key, Adt adt, IpsetAdtOpt& opt,
                         const IpsetPacket& p, double now) {
  auto expired = [&](const IpsetEntry& x) { return s.def.with_timeout && now > x.expires; };
  switch (adt) {
    case kTest:
      for (auto& e : s.entries) {
        if (!data_equal(s.def.type, e, key, nullptr)) continue;
        if (match_extensions(s, e, opt, opt.cmdflags, &p, now)) return e.nomatch ? kENotEmpty : 1;
      }
      return 0;
    case kAdd: {
      // ip_set_adt_opt_timeout: the target's --timeout, else the set's default.
      uint32_t t = opt.timeout != IpsetAdtOpt::kNoTimeout ? opt.timeout : s.def.timeout;
      auto init = [&](IpsetEntry& e) {
        e.nomatch = false;  // mtype_data_set_flags: a kernel add never carries NOMATCH
        e.comment.clear();
        if (s.def.counters) {
          e.packets = 1;
          e.bytes = p.len;
        }
        e.expires = s.def.with_timeout && t != 0 ? now + t : std::numeric_limits<double>::infinity();
      };
      for (auto& e : s.entries) {
        if (!data_equal(s.def.type, e, key, nullptr)) continue;
        if (!(opt.cmdflags & IpsetAdtOpt::kExist) && !expired(e)) return kErrExist;
        init(e);
        return 0;
      }
      size_t live = 0;
      for (const auto& x : s.entries) live += !expired(x);
      if (s.def.type != IpsetType::BitmapPort && live >= s.def.maxelem && !s.def.forceadd)
        return kErrFull;
      IpsetEntry e = key;
      init(e);
      s.entries.push_back(std::move(e));
      return 0;
    }
    case kDel:
      for (size_t i = 0; i < s.entries.size(); ++i) {
        if (!data_equal(s.def.type, s.entries[i], key, nullptr)) continue;
        if (expired(s.entries[i])) return kErrExist;
        s.entries.erase(s.entries.begin() + static_cast<std::ptrdiff_t>(i));
        return 0;
      }
      return kErrExist;
  }
  return 0;
}

int IpsetStore::kadt(int id, const IpsetPacket& p, Adt adt, IpsetAdtOpt& opt, double now) {
  Set& s = sets_[size_t(id)];
  const IpsetType t = s.def.type;
  auto src = [&](unsigned dim) { return (opt.src_mask >> (dim - 1)) & 1u; };
  auto addr = [&](unsigned dim) { return src(dim) ? p.v->src : p.v->dst; };

  if (t == IpsetType::ListSet) {
    // list_set_kadt: the members in order, with the match's own options.
    if (adt == kTest) {
      const uint32_t flags = opt.cmdflags;
      opt.cmdflags &= ~IpsetAdtOpt::kMatchCounters;  // "Don't lookup sub-counters at all"
      if (opt.cmdflags & IpsetAdtOpt::kSkipSubcounterUpdate)
        opt.cmdflags &= ~IpsetAdtOpt::kSkipCounterUpdate;
      for (size_t i = 0; i < s.entries.size(); ++i) {
        uint32_t member = s.entries[i].member;
        if (!test(static_cast<int>(member), p, opt, now)) continue;
        // `s` may not move (test() touches other sets only), but re-index for clarity.
        if (match_extensions(sets_[size_t(id)], sets_[size_t(id)].entries[i], opt, flags, &p, now))
          return 1;
      }
      return 0;
    }
    for (size_t i = 0; i < s.entries.size(); ++i) {
      if (s.def.with_timeout && now > s.entries[i].expires) continue;
      int member = static_cast<int>(s.entries[i].member);
      int ret = adt == kAdd ? add(member, p, opt, now) : del(member, p, opt, now);
      if (ret == 0) return 0;
    }
    return 0;
  }

  IpsetEntry key;
  switch (t) {
    case IpsetType::HashIp:
      key.ip = addr(1) & netmask(s.def.netmask);
      if (key.ip == 0) return kEInval;
      break;
    case IpsetType::HashNet:
    case IpsetType::HashNetPort:
    case IpsetType::HashNetIface: {
      // INIT_CIDR(h->nets[0].cidr[0], HOST_MASK): a kernel add/del uses the longest prefix
      // stored; a test looks up the address (all prefixes, mtype_test_cidrs).
      auto cidrs = net_cidrs(s);
      key.cidr = adt == kTest || cidrs.empty() ? 32 : cidrs.front();
      if (t == IpsetType::HashNet && key.cidr == 0) return kEInval;
      if (t == IpsetType::HashNetPort &&
          !get_ip4_port(p, src(2), key.port, key.proto))
        return kEInval;
      key.ip = addr(1) & netmask(key.cidr);
      if (t == IpsetType::HashNetIface) {
        key.iface = std::string(src(2) ? p.in : p.out);
        if (key.iface.empty()) return kEInval;
      }
      break;
    }
    case IpsetType::HashIpPort:
    case IpsetType::HashIpPortIp:
      if (!get_ip4_port(p, src(2), key.port, key.proto)) return kEInval;
      key.ip = addr(1);
      if (t == IpsetType::HashIpPortIp) key.ip2 = addr(3);
      break;
    case IpsetType::BitmapPort: {
      uint8_t proto = 0;
      if (!get_ip4_port(p, src(1), key.port, proto) || (proto != kProtoTcp && proto != kProtoUdp))
        return kEInval;
      if (key.port < s.def.first_port || key.port > s.def.last_port) return kErrRange;
      break;
    }
    case IpsetType::ListSet: break;
  }
  if (adt == kTest && is_net_type(t)) return test_cidrs(s, key, opt, p, now);
  return adt_elem(s, key, adt, opt, p, now);
}

bool IpsetStore::test(int id, const IpsetPacket& p, IpsetAdtOpt& opt, double now) {
  const IpsetDef& d = sets_[size_t(id)].def;
  if (opt.dim < ipset_type_dimension(d.type)) return false;
  int ret = kadt(id, p, kTest, opt, now);
  // --return-nomatch: invert matched element (types with nomatch support only).
  if ((opt.cmdflags & IpsetAdtOpt::kReturnNomatch) && ipset_type_has_nomatch(d.type) &&
      (ret > 0 || ret == kENotEmpty))
    ret = -ret;
  return ret > 0;
}

int IpsetStore::add(int id, const IpsetPacket& p, const IpsetAdtOpt& opt, double now) {
  if (opt.dim < ipset_type_dimension(sets_[size_t(id)].def.type)) return kErrTypeMismatch;
  IpsetAdtOpt o = opt;
  return kadt(id, p, kAdd, o, now);
}

int IpsetStore::del(int id, const IpsetPacket& p, const IpsetAdtOpt& opt, double now) {
  if (opt.dim < ipset_type_dimension(sets_[size_t(id)].def.type)) return kErrTypeMismatch;
  IpsetAdtOpt o = opt;
  return kadt(id, p, kDel, o, now);
}

}  // namespace iptc::runtime
