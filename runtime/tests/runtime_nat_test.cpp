// NAT against the kernel: the SNAT address choices in "kernel address selection" were recorded
// from Linux 6.18 (iptables-nft SNAT rules with address ranges, UDP sent from a scratch
// namespace, `conntrack -L` read back), so they check find_best_ips_proto's jhash2 arithmetic
// and find_appropriate_src's reuse exactly. The other cases follow nf_nat_core.c's rules: the
// original tuple is kept when unique, clashes move the port within the kernel's default ranges,
// replies and ICMP errors are de-NATed, the null binding, REDIRECT and MASQUERADE sources, and
// the nat chain running only for a connection's first packet.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>

#include "iptc/runtime/nat.hpp"
#include "test_util.hpp"

using namespace iptc::runtime;
using namespace rt_test;

namespace {

using Rules = std::function<Verdict(const CtRef&)>;

Verdict no_rules(const CtRef&) { return Verdict::Accept; }

struct Router {
  explicit Router(ConntrackOptions o = {}) : ct(o) {}
  ConntrackTable ct;
  HostModel host = HostModel::default_model();  // eth0 192.168.1.1/24, eth1 10.0.0.1/24
  int pre_runs = 0, post_runs = 0;
  CtState last_state = CtState::Invalid;

  /// PREROUTING (conntrack, nat DST), then POSTROUTING (nat SRC, confirm) out of `out`.
  Verdict forward(Packet& p, const Rules& pre, const Rules& post, const char* out = "eth1") {
    CtRef ref;
    if (!ct.in(p.bytes, Hook::Prerouting, ref)) return Verdict::Drop;
    last_state = ct_state(ref);
    Verdict v = nat_hook(ct, ref, Hook::Prerouting, p.bytes, 0, [&] {
      ++pre_runs;
      return pre(ref);
    });
    if (v == Verdict::Accept)
      v = nat_hook(ct, ref, Hook::Postrouting, p.bytes, host.ifindex(out), [&] {
        ++post_runs;
        return post(ref);
      });
    if (v == Verdict::Accept && !ct.confirm(ref)) v = Verdict::Drop;
    ct.end_packet();
    return v;
  }

  /// A locally generated packet: OUTPUT (conntrack, nat DST), POSTROUTING (nat SRC, confirm).
  Verdict output(Packet& p, const Rules& out_rules, const Rules& post, const char* out = "eth1") {
    CtRef ref;
    if (!ct.in(p.bytes, Hook::Output, ref)) return Verdict::Drop;
    Verdict v = nat_hook(ct, ref, Hook::Output, p.bytes, 0, [&] { return out_rules(ref); });
    if (v == Verdict::Accept)
      v = nat_hook(ct, ref, Hook::Postrouting, p.bytes, host.ifindex(out),
                   [&] { return post(ref); });
    if (v == Verdict::Accept && !ct.confirm(ref)) v = Verdict::Drop;
    ct.end_packet();
    return v;
  }

  Rules masquerade(const char* out = "eth1") {
    return [this, out](const CtRef& ref) {
      return nat_masquerade(ct, ref, NatRange{}, host, out, 0);
    };
  }
};

NatRange addr_range(const char* lo, const char* hi, uint32_t extra_flags = 0) {
  NatRange r;
  r.flags = natflag::kMapIps | extra_flags;
  r.min_addr = ip(lo);
  r.max_addr = ip(hi);
  return r;
}

Rules snat(ConntrackTable& t, NatRange r) {
  return [&t, r](const CtRef& ref) { return nat_snat(t, ref, r); };
}
Rules dnat(ConntrackTable& t, NatRange r) {
  return [&t, r](const CtRef& ref) { return nat_dnat(t, ref, r); };
}

}  // namespace

TEST_CASE("kernel address selection in a SNAT range", "[nat]") {
  // Recorded: rules by destination port 5000: SNAT --to-source 10.9.0.1-10.9.0.200,
  // 5001: the same with --persistent, 5002: --to-source 172.16.0.0-172.31.255.255; UDP from
  // each source, a distinct source port per datagram, in this order.
  struct Row {
    const char* src;
    uint16_t sport;
    const char* dst;
    uint16_t dport;
    const char* mapped;
  };
  std::vector<Row> rows = {
      {"10.1.0.1", 41003, "1.2.3.4", 5000, "10.9.0.167"},
      {"10.1.0.1", 41004, "1.2.3.4", 5001, "10.9.0.39"},
      {"10.1.0.1", 41005, "1.2.3.4", 5002, "172.29.87.135"},
      {"10.1.0.1", 41009, "198.51.100.200", 5000, "10.9.0.3"},
      {"10.1.0.1", 41010, "198.51.100.200", 5001, "10.9.0.39"},
      {"10.1.0.1", 41011, "198.51.100.200", 5002, "172.16.46.145"},
      {"10.1.0.1", 41006, "203.0.113.9", 5000, "10.9.0.155"},
      {"10.1.0.1", 41007, "203.0.113.9", 5001, "10.9.0.39"},
      {"10.1.0.1", 41008, "203.0.113.9", 5002, "172.28.101.241"},
      {"10.1.0.1", 41000, "8.8.8.8", 5000, "10.9.0.173"},
      {"10.1.0.1", 41001, "8.8.8.8", 5001, "10.9.0.39"},
      {"10.1.0.1", 41002, "8.8.8.8", 5002, "172.29.212.191"},
      {"10.1.0.2", 41015, "1.2.3.4", 5000, "10.9.0.141"},
      {"10.1.0.2", 41016, "1.2.3.4", 5001, "10.9.0.27"},
      {"10.1.0.2", 41017, "1.2.3.4", 5002, "172.27.57.136"},
      {"10.1.0.2", 41021, "198.51.100.200", 5000, "10.9.0.182"},
      {"10.1.0.2", 41022, "198.51.100.200", 5001, "10.9.0.27"},
      {"10.1.0.2", 41023, "198.51.100.200", 5002, "172.30.126.88"},
      {"10.1.0.2", 41018, "203.0.113.9", 5000, "10.9.0.184"},
      {"10.1.0.2", 41019, "203.0.113.9", 5001, "10.9.0.27"},
      {"10.1.0.2", 41020, "203.0.113.9", 5002, "172.30.182.83"},
      {"10.1.0.2", 41012, "8.8.8.8", 5000, "10.9.0.127"},
      {"10.1.0.2", 41013, "8.8.8.8", 5001, "10.9.0.27"},
      {"10.1.0.2", 41014, "8.8.8.8", 5002, "172.26.26.220"},
      {"10.1.0.77", 41027, "1.2.3.4", 5000, "10.9.0.191"},
      {"10.1.0.77", 41028, "1.2.3.4", 5001, "10.9.0.68"},
      {"10.1.0.77", 41029, "1.2.3.4", 5002, "172.31.59.171"},
      {"10.1.0.77", 41033, "198.51.100.200", 5000, "10.9.0.51"},
      {"10.1.0.77", 41034, "198.51.100.200", 5001, "10.9.0.68"},
      {"10.1.0.77", 41035, "198.51.100.200", 5002, "172.20.7.50"},
      {"10.1.0.77", 41030, "203.0.113.9", 5000, "10.9.0.195"},
      {"10.1.0.77", 41031, "203.0.113.9", 5001, "10.9.0.68"},
      {"10.1.0.77", 41032, "203.0.113.9", 5002, "172.31.139.84"},
      {"10.1.0.77", 41024, "8.8.8.8", 5000, "10.9.0.74"},
      {"10.1.0.77", 41025, "8.8.8.8", 5001, "10.9.0.68"},
      {"10.1.0.77", 41026, "8.8.8.8", 5002, "172.21.229.86"},
  };
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.sport < b.sport; });
  Router r;
  for (const Row& row : rows) {
    INFO(row.src << ":" << row.sport << " -> " << row.dst << ":" << row.dport);
    NatRange range = row.dport == 5002 ? addr_range("172.16.0.0", "172.31.255.255")
                                       : addr_range("10.9.0.1", "10.9.0.200");
    if (row.dport == 5001) range.flags |= natflag::kPersistent;
    Packet p = udp(row.src, row.sport, row.dst, row.dport);
    REQUIRE(r.output(p, no_rules, snat(r.ct, range)) == Verdict::Accept);
    const PacketView v = parse_packet(p.bytes);
    CHECK(ip_str(v.src) == row.mapped);
    CHECK(v.l4.sport == row.sport);  // unique: the port is kept
    CHECK(checksums_ok(p));
  }
}

TEST_CASE("kernel reuse of an existing source mapping", "[nat]") {
  // Recorded: one socket 10.1.0.1:40000 sending to several destinations and rules; every
  // mapping of the same source that fits the range is reused (find_appropriate_src).
  Router r;
  const NatRange small = addr_range("10.9.0.1", "10.9.0.200");
  const NatRange big = addr_range("172.16.0.0", "172.31.255.255");
  struct Step {
    const char* dst;
    NatRange range;
    const char* mapped;
  };
  const Step steps[] = {
      {"8.8.8.8", small, "10.9.0.173"},        {"8.8.8.8", big, "172.29.212.191"},
      {"1.2.3.4", small, "10.9.0.173"},        {"1.2.3.4", big, "172.29.212.191"},
      {"203.0.113.9", small, "10.9.0.173"},    {"198.51.100.200", big, "172.29.212.191"},
  };
  uint16_t dport = 7000;
  for (const Step& s : steps) {
    Packet p = udp("10.1.0.1", 40000, s.dst, dport++);
    REQUIRE(r.output(p, no_rules, snat(r.ct, s.range)) == Verdict::Accept);
    CHECK(ip_str(parse_packet(p.bytes).src) == s.mapped);
  }
}

TEST_CASE("masquerade keeps the port when unique and moves it on a clash", "[nat]") {
  Router r;
  Packet a = udp("192.168.1.10", 5000, "8.8.8.8", 53);
  REQUIRE(r.forward(a, no_rules, r.masquerade()) == Verdict::Accept);
  PacketView va = parse_packet(a.bytes);
  CHECK(va.src == ip("10.0.0.1"));
  CHECK(va.l4.sport == 5000);
  Packet b = udp("192.168.1.11", 5000, "8.8.8.8", 53);
  REQUIRE(r.forward(b, no_rules, r.masquerade()) == Verdict::Accept);
  PacketView vb = parse_packet(b.bytes);
  CHECK(vb.src == ip("10.0.0.1"));
  CHECK(vb.l4.sport != 5000);
  CHECK(vb.l4.sport >= 1024);
  CHECK(checksums_ok(b));
  // Low ports stay in their class: below 512 -> 1..511, 512..1023 -> 600..1023.
  Packet c = udp("192.168.1.10", 80, "8.8.8.8", 53);
  Packet d = udp("192.168.1.11", 80, "8.8.8.8", 53);
  r.forward(c, no_rules, r.masquerade());
  r.forward(d, no_rules, r.masquerade());
  const uint16_t pd = parse_packet(d.bytes).l4.sport;
  CHECK(pd != 80);
  CHECK(pd >= 1);
  CHECK(pd <= 511);
  Packet e = udp("192.168.1.10", 700, "8.8.8.8", 53);
  Packet f = udp("192.168.1.11", 700, "8.8.8.8", 53);
  r.forward(e, no_rules, r.masquerade());
  r.forward(f, no_rules, r.masquerade());
  const uint16_t pf = parse_packet(f.bytes).l4.sport;
  CHECK(pf != 700);
  CHECK(pf >= 600);
  CHECK(pf <= 1023);
  // Replies find their way back to each host.
  Packet ra = udp("8.8.8.8", 53, "10.0.0.1", 5000);
  REQUIRE(r.forward(ra, no_rules, no_rules, "eth0") == Verdict::Accept);
  CHECK(r.last_state == CtState::Established);
  CHECK(parse_packet(ra.bytes).dst == ip("192.168.1.10"));
  CHECK(parse_packet(ra.bytes).l4.dport == 5000);
  Packet rb = udp("8.8.8.8", 53, "10.0.0.1", vb.l4.sport);
  REQUIRE(r.forward(rb, no_rules, no_rules, "eth0") == Verdict::Accept);
  CHECK(parse_packet(rb.bytes).dst == ip("192.168.1.11"));
  CHECK(parse_packet(rb.bytes).l4.dport == 5000);
  CHECK(checksums_ok(rb));
}

TEST_CASE("the nat chain runs only for the first packet", "[nat]") {
  Router r;
  Packet syn = tcp("192.168.1.10", 40000, "8.8.8.8", 443, tcpflag::kSyn, 1000, 0);
  r.forward(syn, no_rules, r.masquerade());
  CHECK(r.pre_runs == 1);
  CHECK(r.post_runs == 1);
  Packet synack = tcp("8.8.8.8", 443, "10.0.0.1", 40000, tcpflag::kSyn | tcpflag::kAck, 5000, 1001);
  r.forward(synack, no_rules, no_rules, "eth0");
  Packet ack = tcp("192.168.1.10", 40000, "8.8.8.8", 443, tcpflag::kAck, 1001, 5001);
  r.forward(ack, no_rules, r.masquerade());
  CHECK(r.pre_runs == 1);
  CHECK(r.post_runs == 1);
  CHECK(parse_packet(ack.bytes).src == ip("10.0.0.1"));
  CHECK(parse_packet(synack.bytes).dst == ip("192.168.1.10"));
  CHECK(checksums_ok(ack));
  CHECK(checksums_ok(synack));
}

TEST_CASE("dnat and the de-NAT of replies", "[nat]") {
  Router r;
  NatRange to;
  to.flags = natflag::kMapIps | natflag::kProtoSpecified;
  to.min_addr = to.max_addr = ip("192.168.1.20");
  to.min_proto = to.max_proto = 8080;
  Packet syn = tcp("203.0.113.5", 33333, "10.0.0.1", 80, tcpflag::kSyn, 1, 0);
  REQUIRE(r.forward(syn, dnat(r.ct, to), no_rules, "eth0") == Verdict::Accept);
  PacketView v = parse_packet(syn.bytes);
  CHECK(v.dst == ip("192.168.1.20"));
  CHECK(v.l4.dport == 8080);
  CHECK(v.src == ip("203.0.113.5"));
  CHECK(checksums_ok(syn));
  Packet reply = tcp("192.168.1.20", 8080, "203.0.113.5", 33333, tcpflag::kSyn | tcpflag::kAck, 9, 2);
  REQUIRE(r.forward(reply, no_rules, no_rules, "eth1") == Verdict::Accept);
  v = parse_packet(reply.bytes);
  CHECK(v.src == ip("10.0.0.1"));
  CHECK(v.l4.sport == 80);
  CHECK(checksums_ok(reply));
  const Conn* c = r.ct.find(Tuple{ip("203.0.113.5"), ip("10.0.0.1"), 33333, 80, kProtoTcp});
  REQUIRE(c);
  CHECK((c->status & ips::kDstNat) != 0);
  CHECK((c->status & ips::kSrcNat) == 0);
  CHECK((c->status & ips::kNatDoneMask) == ips::kNatDoneMask);
}

TEST_CASE("no rule: the null binding changes nothing", "[nat]") {
  Router r;
  Packet p = udp("192.168.1.10", 1234, "8.8.8.8", 53);
  const std::vector<uint8_t> before = p.bytes;
  REQUIRE(r.forward(p, no_rules, no_rules) == Verdict::Accept);
  CHECK(p.bytes == before);
  const Conn* c = r.ct.find(Tuple{ip("192.168.1.10"), ip("8.8.8.8"), 1234, 53, kProtoUdp});
  REQUIRE(c);
  CHECK((c->status & ips::kNatMask) == 0);
  CHECK((c->status & ips::kNatDoneMask) == ips::kNatDoneMask);
  CHECK(c->reply() == Tuple{ip("8.8.8.8"), ip("192.168.1.10"), 53, 1234, kProtoUdp});
}

TEST_CASE("icmp errors about a masqueraded flow are translated", "[nat]") {
  Router r;
  Packet out = udp("192.168.1.10", 5000, "8.8.8.8", 33434);
  REQUIRE(r.forward(out, no_rules, r.masquerade()) == Verdict::Accept);
  // The error comes back to the router's address, about the packet as it left.
  Packet err = icmp_error("8.8.8.8", "10.0.0.1", icmptype::kDestUnreach, 3, out);
  REQUIRE(checksums_ok(err));
  REQUIRE(r.forward(err, no_rules, no_rules, "eth0") == Verdict::Accept);
  CHECK(r.last_state == CtState::Related);
  const PacketView v = parse_packet(err.bytes);
  CHECK(v.src == ip("8.8.8.8"));
  CHECK(v.dst == ip("192.168.1.10"));
  REQUIRE(v.inner_ok);
  CHECK(v.inner_src == ip("192.168.1.10"));
  CHECK(v.inner_dst == ip("8.8.8.8"));
  CHECK(v.inner_l4.sport == 5000);
  CHECK(v.inner_l4.dport == 33434);
  CHECK(checksums_ok(err));
  CHECK(r.pre_runs == 1);  // no nat chain for the error
}

TEST_CASE("icmp errors about a dnat'ed flow are translated", "[nat]") {
  Router r;
  NatRange to = addr_range("192.168.1.20", "192.168.1.20");
  Packet in = udp("203.0.113.5", 4000, "10.0.0.1", 53);
  REQUIRE(r.forward(in, dnat(r.ct, to), no_rules, "eth0") == Verdict::Accept);
  // The inside server answers with an error about the packet it received.
  Packet err = icmp_error("192.168.1.20", "203.0.113.5", icmptype::kDestUnreach, 3, in);
  REQUIRE(r.forward(err, no_rules, no_rules, "eth1") == Verdict::Accept);
  const PacketView v = parse_packet(err.bytes);
  CHECK(v.src == ip("10.0.0.1"));
  CHECK(v.dst == ip("203.0.113.5"));
  CHECK(v.inner_src == ip("203.0.113.5"));
  CHECK(v.inner_dst == ip("10.0.0.1"));
  CHECK(v.inner_l4.dport == 53);
  CHECK(checksums_ok(err));
}

TEST_CASE("ping through masquerade", "[nat]") {
  Router r;
  Packet a = icmp("192.168.1.10", "8.8.8.8", icmptype::kEcho, 7);
  Packet b = icmp("192.168.1.11", "8.8.8.8", icmptype::kEcho, 7);
  r.forward(a, no_rules, r.masquerade());
  r.forward(b, no_rules, r.masquerade());
  CHECK(parse_packet(a.bytes).l4.icmp_id == 7);
  const uint16_t idb = parse_packet(b.bytes).l4.icmp_id;
  CHECK(idb != 7);
  CHECK(checksums_ok(b));
  Packet reply = icmp("8.8.8.8", "10.0.0.1", icmptype::kEchoReply, idb);
  REQUIRE(r.forward(reply, no_rules, no_rules, "eth0") == Verdict::Accept);
  CHECK(parse_packet(reply.bytes).dst == ip("192.168.1.11"));
  CHECK(parse_packet(reply.bytes).l4.icmp_id == 7);
  CHECK(checksums_ok(reply));
}

TEST_CASE("redirect", "[nat]") {
  Router r;
  NatRange ports;
  ports.flags = natflag::kProtoSpecified;
  ports.min_proto = ports.max_proto = 3128;
  Packet p = tcp("192.168.1.10", 40000, "93.184.216.34", 80, tcpflag::kSyn, 1, 0);
  CtRef ref;
  REQUIRE(r.ct.in(p.bytes, Hook::Prerouting, ref));
  Verdict v = nat_hook(r.ct, ref, Hook::Prerouting, p.bytes, 0, [&] {
    return nat_redirect(r.ct, ref, ports, Hook::Prerouting, r.host, "eth0");
  });
  CHECK(v == Verdict::Accept);
  PacketView pv = parse_packet(p.bytes);
  CHECK(pv.dst == ip("192.168.1.1"));
  CHECK(pv.l4.dport == 3128);
  r.ct.end_packet();

  Packet q = tcp("10.0.0.1", 40001, "93.184.216.34", 80, tcpflag::kSyn, 1, 0);
  CtRef ref2;
  REQUIRE(r.ct.in(q.bytes, Hook::Output, ref2));
  nat_hook(r.ct, ref2, Hook::Output, q.bytes, 0, [&] {
    return nat_redirect(r.ct, ref2, ports, Hook::Output, r.host, "");
  });
  CHECK(parse_packet(q.bytes).dst == ip("127.0.0.1"));
  CHECK(checksums_ok(q));
  r.ct.end_packet();
  // An input interface without an address: drop.
  HostParseError err;
  HostModel bare = *HostModel::parse("iface eth0\niface eth1 10.0.0.1/24\n", err);
  Packet s = tcp("192.168.1.10", 40002, "93.184.216.34", 80, tcpflag::kSyn, 1, 0);
  CtRef ref3;
  REQUIRE(r.ct.in(s.bytes, Hook::Prerouting, ref3));
  CHECK(nat_redirect(r.ct, ref3, ports, Hook::Prerouting, bare, "eth0") == Verdict::Drop);
  r.ct.end_packet();
}

TEST_CASE("snat port range", "[nat]") {
  Router r;
  NatRange rg = addr_range("10.0.0.1", "10.0.0.1", natflag::kProtoSpecified);
  rg.min_proto = 1000;
  rg.max_proto = 1010;
  for (uint16_t sport : {5000, 5001, 5002}) {
    Packet p = tcp("192.168.1.10", sport, "8.8.8.8", 80, tcpflag::kSyn, 1, 0);
    REQUIRE(r.forward(p, no_rules, snat(r.ct, rg)) == Verdict::Accept);
    const uint16_t port = parse_packet(p.bytes).l4.sport;
    CHECK(port >= 1000);
    CHECK(port <= 1010);
  }
  CHECK(r.ct.count() == 3);
  // Three distinct ports.
  std::vector<uint16_t> ports;
  for (const Conn* c : r.ct.entries()) ports.push_back(c->reply().dport);
  std::sort(ports.begin(), ports.end());
  CHECK(std::unique(ports.begin(), ports.end()) == ports.end());
}

TEST_CASE("masquerade: the egress interface must not change", "[nat]") {
  Router r;
  Packet a = udp("192.168.1.10", 5000, "8.8.8.8", 53);
  REQUIRE(r.forward(a, no_rules, r.masquerade()) == Verdict::Accept);
  Packet b = udp("192.168.1.10", 5000, "8.8.8.8", 53);
  CHECK(r.forward(b, no_rules, no_rules, "eth0") == Verdict::Drop);
  CHECK(r.ct.count() == 0);  // the entry was killed
}

TEST_CASE("masquerade picks the egress interface's address towards the next hop", "[nat]") {
  HostParseError err;
  auto h = HostModel::parse("iface eth0 192.168.1.1/24\niface eth1 10.0.0.1/24 100.64.0.1/10\n"
                            "route default eth1 via 100.64.0.254\n", err);
  REQUIRE(h);
  Router r;
  r.host = *h;
  Packet p = udp("192.168.1.10", 5000, "8.8.8.8", 53);
  const RouteResult rt = r.host.route(ip("8.8.8.8"));
  REQUIRE(rt.gateway);
  REQUIRE(r.forward(p, no_rules, [&](const CtRef& ref) {
            return nat_masquerade(r.ct, ref, NatRange{}, r.host, rt.iface, rt.next_hop(ip("8.8.8.8")));
          }) == Verdict::Accept);
  CHECK(parse_packet(p.bytes).src == ip("100.64.0.1"));
}
