// The ipset store: the `ipset save` reader's errors (line, column) and membership per type.
// Expected memberships are reasoned from the kernel sources (ip_set_hash_gen.h mtype_test and
// mtype_test_cidrs, ip_set_getport.c, ip_set_bitmap_port.c, ip_set_list_set.c, ip_set_core.c)
// and agree with `ipset test` / the kernel suite's hand cases ipset-* (tests/kernel/cases/hand).
#include <catch2/catch.hpp>

#include "iptc/runtime/ipset.hpp"
#include "test_util.hpp"

using namespace iptc::runtime;
using namespace rt_test;

namespace {

std::vector<IpsetParseError> errors_of(const char* text) {
  IpsetStore s;
  std::vector<IpsetParseError> errs;
  s.parse(text, errs);
  return errs;
}

IpsetStore load(const char* text) {
  IpsetStore s;
  std::vector<IpsetParseError> errs;
  bool ok = s.parse(text, errs);
  for (const auto& e : errs) INFO(e.line << ":" << e.col << ": " << e.message);
  REQUIRE(ok);
  return s;
}

struct Probe {
  Packet pkt;
  PacketView v;
  std::string in, out;
  IpsetPacket view() const { return IpsetPacket{&v, pkt.bytes, in, out, static_cast<uint32_t>(pkt.bytes.size())}; }
};

Probe probe(uint8_t proto, const char* src, const char* dst, uint16_t sport = 0, uint16_t dport = 0,
            uint8_t icmp_type = 8, uint8_t icmp_code = 0) {
  PacketFields f;
  f.src = ip(src);
  f.dst = ip(dst);
  f.proto = proto;
  f.sport = sport;
  f.dport = dport;
  f.icmp_type = icmp_type;
  f.icmp_code = icmp_code;
  Probe p;
  p.pkt = build_packet(f);
  p.v = parse_packet(p.pkt.bytes);
  p.in = "eth1";
  return p;
}

bool member(IpsetStore& s, const char* set, const Probe& p, uint8_t dim, uint8_t src_mask,
            uint32_t cmdflags = 0, double now = 0) {
  IpsetAdtOpt o;
  o.dim = dim;
  o.src_mask = src_mask;
  o.cmdflags = cmdflags;
  int id = s.find(set);
  REQUIRE(id >= 0);
  return s.test(id, p.view(), o, now);
}

}  // namespace

TEST_CASE("ipset reader: save output and command form", "[ipset]") {
  IpsetStore s = load(
      "# comment\n"
      "create a hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x48b82202\n"
      "add a 1.2.3.4,udp:53\n"
      "ipset add a 1.2.3.4,icmp:ping\n"
      "ipset create n hash:net family inet timeout 0 counters comment\n"
      "add n 10.1.0.0/16 timeout 99 nomatch packets 0 bytes 0 comment \"x y\"\n"
      "add n 10.2.0.1-10.2.0.6\n");
  REQUIRE(s.size() == 2);
  CHECK(s.entries(0, 0).size() == 2);
  CHECK(s.entries(0, 0)[1]->port == (8 << 8));
  // 10.2.0.1-10.2.0.6 is 10.2.0.1, .2/31, .4/31, .6 (ip_set_range_to_cidr), as ipset save shows.
  CHECK(s.entries(1, 0).size() == 5);
  CHECK(s.entries(1, 0)[0]->comment == "x y");
  CHECK(s.entries(1, 0)[0]->nomatch);
  CHECK(s.entries(1, 100).size() == 4);  // the timeout 99 entry has expired
}

TEST_CASE("ipset reader: every error with its line and column", "[ipset]") {
  struct Case {
    const char* text;
    uint32_t line, col;
    const char* message_part;
  };
  const Case cases[] = {
      {"create a hash:foo\n", 1, 10, "not supported by iptc yet"},
      {"create a hash:ip family inet6\n", 1, 25, "inet6"},
      {"add nosuch 1.2.3.4\n", 1, 5, "does not exist"},
      {"create a hash:ip\nadd a 1.2.3.4,80\n", 2, 7, "part(s)"},
      {"create n hash:net\nadd n 0.0.0.0/0\n", 2, 7, "CIDR"},
      {"create p hash:ip,port\nadd p 1.2.3.4,gre:5\n", 2, 7, "pseudo port value 0"},
      {"create p hash:ip,port\nadd p 1.2.3.4,icmp:bogus\n", 2, 7, "ICMP type/code"},
      {"create p hash:ip,port\nadd p 1.2.3.4,0:0\n", 2, 7, "invalid protocol"},
      {"create h hash:ip\nadd h 1.2.3.4 timeout 5\n", 2, 15, "without timeout support"},
      {"create h hash:ip\nadd h 1.2.3.4\nadd h 1.2.3.4\n", 3, 7, "already added"},
      {"create h hash:ip netmask 33\n", 1, 26, "out of range"},
      {"create b bitmap:port range 10-20\nadd b 30\n", 2, 7, "out of the range"},
      {"create b bitmap:port range 10-20\nadd b sctp:12\n", 2, 7, "TCP and UDP"},
      {"create c hash:ip comment\nadd c 1.2.3.4 comment \"abc\n", 2, 23, "unterminated"},
      {"frobnicate x\n", 1, 1, "unknown command"},
      {"create x bitmap:port\n", 1, 10, "needs a port range"},
      {"create h hash:ip\nadd h 0.0.0.0\n", 2, 7, "null-valued"},
      {"create h hash:ip\ncreate h hash:net\n", 2, 8, "already exists"},
      {"create h hash:ip\nadd h 1.2.3.400\n", 2, 7, "IPv4 address"},
      {"create h hash:ip\nadd h 1.2.3.4 nomatch\n", 2, 15, "nomatch is not valid"},
      {"create h hash:ip\nadd h 1.2.3.4 frob\n", 2, 15, "unknown argument"},
      {"create h hash:ip frob\n", 1, 18, "unknown create option"},
      {"create h hash:ip size 8\n", 1, 18, "not valid for hash:ip"},
      {"create l list:set\ncreate m list:set\nadd l m\n", 3, 7, "list:set type cannot be added"},
      {"create i hash:net,iface\nadd i 10.0.0.0/8,abcdefghijklmnop\n", 2, 7, "interface name"},
      {"create h hash:ip counters\nadd h 1.2.3.4 packets x\n", 2, 23, "out of range"},
      {"create\n", 1, 7, "needs a set name and a type"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto errs = errors_of(c.text);
    REQUIRE(errs.size() == 1);
    CHECK(errs[0].line == c.line);
    CHECK(errs[0].col == c.col);
    CHECK(errs[0].message.find(c.message_part) != std::string::npos);
    CHECK(!errs[0].hint.empty());
  }
}

TEST_CASE("ipset reader: reports every bad line and keeps the good ones", "[ipset]") {
  IpsetStore s;
  std::vector<IpsetParseError> errs;
  CHECK_FALSE(s.parse("create h hash:ip\nadd h x\nadd h 1.2.3.4\nadd h y\n", errs));
  REQUIRE(errs.size() == 2);
  CHECK(errs[0].line == 2);
  CHECK(errs[1].line == 4);
  CHECK(s.entries(0, 0).size() == 1);
}

TEST_CASE("ipset membership per type", "[ipset]") {
  IpsetStore s = load(
      "create hip hash:ip netmask 24\nadd hip 198.51.100.77\n"
      "create hnet hash:net\nadd hnet 203.0.113.0/24\nadd hnet 203.0.113.128/25 nomatch\n"
      "add hnet 203.0.113.200\n"
      "create hipport hash:ip,port\nadd hipport 198.51.100.7,tcp:22\n"
      "add hipport 198.51.100.7,icmp:echo-request\nadd hipport 198.51.100.7,gre:0\n"
      "create hipportip hash:ip,port,ip\nadd hipportip 198.51.100.7,udp:53,10.0.0.1\n"
      "create bport bitmap:port range 1-1024\nadd bport 53\n"
      "create ifs hash:net,iface\nadd ifs 172.16.5.0/24,eth0\nadd ifs 172.16.0.0/16,eth1\n"
      "create lst list:set\nadd lst hnet\nadd lst hip\n");
  const uint8_t kSrc = 1, kSrcDst = 1, kSrcSrc = 3;
  // hash:ip with netmask 24: the whole /24 of the stored address.
  CHECK(member(s, "hip", probe(kProtoTcp, "198.51.100.9", "10.0.0.1", 1, 2), 1, kSrc));
  CHECK_FALSE(member(s, "hip", probe(kProtoTcp, "198.51.101.9", "10.0.0.1", 1, 2), 1, kSrc));
  // hash:net: the longest stored prefix decides; a nomatch entry answers "not a member"
  // unless --return-nomatch, which inverts both answers.
  CHECK(member(s, "hnet", probe(kProtoTcp, "203.0.113.5", "10.0.0.1", 1, 2), 1, kSrc));
  CHECK_FALSE(member(s, "hnet", probe(kProtoTcp, "203.0.113.130", "10.0.0.1", 1, 2), 1, kSrc));
  CHECK(member(s, "hnet", probe(kProtoTcp, "203.0.113.200", "10.0.0.1", 1, 2), 1, kSrc));
  CHECK(member(s, "hnet", probe(kProtoTcp, "203.0.113.130", "10.0.0.1", 1, 2), 1, kSrc,
               IpsetAdtOpt::kReturnNomatch));
  CHECK_FALSE(member(s, "hnet", probe(kProtoTcp, "203.0.113.5", "10.0.0.1", 1, 2), 1, kSrc,
                     IpsetAdtOpt::kReturnNomatch));
  // hash:ip,port: the port of the direction of dimension 2; ICMP type << 8 | code; other
  // protocols the pseudo port 0; fewer directions than dimensions never match.
  CHECK(member(s, "hipport", probe(kProtoTcp, "198.51.100.7", "10.0.0.1", 40000, 22), 2, kSrcDst));
  CHECK_FALSE(member(s, "hipport", probe(kProtoTcp, "198.51.100.7", "10.0.0.1", 40000, 22), 2, kSrcSrc));
  CHECK_FALSE(member(s, "hipport", probe(kProtoTcp, "198.51.100.7", "10.0.0.1", 40000, 22), 1, kSrc));
  CHECK_FALSE(member(s, "hipport", probe(kProtoUdp, "198.51.100.7", "10.0.0.1", 40000, 22), 2, kSrcDst));
  CHECK(member(s, "hipport", probe(kProtoIcmp, "198.51.100.7", "10.0.0.1", 0, 0, 8, 0), 2, kSrcDst));
  CHECK_FALSE(member(s, "hipport", probe(kProtoIcmp, "198.51.100.7", "10.0.0.1", 0, 0, 0, 0), 2, kSrcDst));
  CHECK(member(s, "hipport", probe(kProtoGre, "198.51.100.7", "10.0.0.1"), 2, kSrcDst));
  // hash:ip,port,ip
  CHECK(member(s, "hipportip", probe(kProtoUdp, "198.51.100.7", "10.0.0.1", 40000, 53), 3, 1));
  CHECK_FALSE(member(s, "hipportip", probe(kProtoUdp, "198.51.100.7", "10.0.0.2", 40000, 53), 3, 1));
  // bitmap:port: TCP and UDP only.
  CHECK(member(s, "bport", probe(kProtoUdp, "1.1.1.1", "10.0.0.1", 40000, 53), 1, 0));
  CHECK(member(s, "bport", probe(kProtoTcp, "1.1.1.1", "10.0.0.1", 40000, 53), 1, 0));
  CHECK_FALSE(member(s, "bport", probe(kProtoSctp, "1.1.1.1", "10.0.0.1", 40000, 53), 1, 0));
  CHECK_FALSE(member(s, "bport", probe(kProtoUdp, "1.1.1.1", "10.0.0.1", 53, 2000), 1, 0));
  // hash:net,iface: the input device for a src second dimension; an entry with the same
  // network on another device at a longer prefix stops the search (the kernel's multi).
  CHECK(member(s, "ifs", probe(kProtoTcp, "172.16.6.9", "10.0.0.1", 1, 2), 2, kSrcSrc));
  CHECK_FALSE(member(s, "ifs", probe(kProtoTcp, "172.16.5.9", "10.0.0.1", 1, 2), 2, kSrcSrc));
  CHECK_FALSE(member(s, "ifs", probe(kProtoTcp, "172.16.6.9", "10.0.0.1", 1, 2), 2, kSrcDst));
  // list:set: the members in order.
  CHECK(member(s, "lst", probe(kProtoTcp, "198.51.100.1", "10.0.0.1", 1, 2), 1, kSrc));
  CHECK(member(s, "lst", probe(kProtoTcp, "203.0.113.1", "10.0.0.1", 1, 2), 1, kSrc));
  CHECK_FALSE(member(s, "lst", probe(kProtoTcp, "192.0.2.1", "10.0.0.1", 1, 2), 1, kSrc));
}

TEST_CASE("ipset timeouts, kernel add/del and counters", "[ipset]") {
  IpsetStore s = load(
      "create t hash:ip timeout 6\nadd t 198.51.100.1\nadd t 198.51.100.2 timeout 0\n"
      "create n hash:net\nadd n 203.0.113.0/24\nadd n 203.0.113.16/28\n"
      "create c hash:ip counters\nadd c 203.0.113.1 packets 1 bytes 100\n");
  const Probe p1 = probe(kProtoTcp, "198.51.100.1", "10.0.0.1", 1, 2);
  CHECK(member(s, "t", p1, 1, 1, 0, 6.0));   // up to and including t + timeout
  CHECK_FALSE(member(s, "t", p1, 1, 1, 0, 6.5));
  CHECK(member(s, "t", probe(kProtoTcp, "198.51.100.2", "10.0.0.1", 1, 2), 1, 1, 0, 1e6));
  // A kernel add uses the set's default timeout, or the target's; without --exist an existing
  // entry is not refreshed.
  IpsetAdtOpt add;
  add.dim = 1;
  add.src_mask = 1;
  const Probe p4 = probe(kProtoTcp, "198.51.100.4", "10.0.0.1", 1, 2);
  CHECK(s.add(s.find("t"), p4.view(), add, 0.0) == 0);
  CHECK(s.add(s.find("t"), p4.view(), add, 3.0) != 0);
  CHECK_FALSE(member(s, "t", p4, 1, 1, 0, 6.5));
  add.cmdflags = IpsetAdtOpt::kExist;
  add.timeout = 100;
  CHECK(s.add(s.find("t"), p4.view(), add, 7.0) == 0);  // the expired entry comes back
  CHECK(member(s, "t", p4, 1, 1, 0, 107.0));
  CHECK(s.del(s.find("t"), p4.view(), add, 8.0) == 0);
  CHECK_FALSE(member(s, "t", p4, 1, 1, 0, 8.0));
  // hash:net: a kernel del or add works on the longest prefix stored.
  const Probe n20 = probe(kProtoUdp, "203.0.113.20", "10.0.0.1", 1, 2);
  IpsetAdtOpt nd;
  nd.dim = 1;
  nd.src_mask = 1;
  CHECK(s.del(s.find("n"), n20.view(), nd, 0) == 0);
  CHECK(s.entries(s.find("n"), 0).size() == 1);
  CHECK(s.add(s.find("n"), probe(kProtoUdp, "198.51.100.77", "10.0.0.1", 1, 2).view(), nd, 0) == 0);
  CHECK(member(s, "n", probe(kProtoUdp, "198.51.100.200", "10.0.0.1", 1, 2), 1, 1));
  // Counters: updated first, then compared (ip_set_match_extensions).
  IpsetAdtOpt co;
  co.dim = 1;
  co.src_mask = 1;
  co.cmdflags = IpsetAdtOpt::kMatchCounters;
  co.packets_op = IpsetAdtOpt::kGt;
  co.packets = 2;
  const Probe c1 = probe(kProtoTcp, "203.0.113.1", "10.0.0.1", 1, 2);
  CHECK_FALSE(s.test(s.find("c"), c1.view(), co, 0));  // 2 > 2
  CHECK(s.test(s.find("c"), c1.view(), co, 0));        // 3 > 2
  co.cmdflags |= IpsetAdtOpt::kSkipCounterUpdate;
  co.packets_op = IpsetAdtOpt::kEq;
  co.packets = 3;
  CHECK(s.test(s.find("c"), c1.view(), co, 0));
  CHECK(s.entries(s.find("c"), 0)[0]->packets == 3);
}
