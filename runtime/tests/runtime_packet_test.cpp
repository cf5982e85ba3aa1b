// Packets: building and parsing agree field by field, every checksum of a built packet
// verifies (RFC 791/793/768/792: a correct checksum sums to zero), and each rewrite keeps them
// valid the way the kernel's incremental updates do, including the header embedded in an ICMP
// error, a zero UDP checksum (left alone), and an embedded TCP header cut to 8 bytes (ports
// only, as tcp_manip_pkt does).
#include <catch2/catch.hpp>

#include "iptc/runtime/checksum.hpp"
#include "iptc/runtime/packet.hpp"
#include "test_util.hpp"

using namespace iptc::runtime;
using namespace rt_test;

TEST_CASE("tcp packet round trip", "[packet]") {
  Packet p = tcp("192.168.1.10", 40000, "10.0.0.5", 443, tcpflag::kSyn | tcpflag::kEce, 1000,
                 0, 10, 29200, {2, 4, 5, 0xb4, 1, 3, 3, 7});
  REQUIRE(checksums_ok(p));
  const PacketView v = parse_packet(p.bytes);
  CHECK(v.ip_ok);
  CHECK(v.src == ip("192.168.1.10"));
  CHECK(v.dst == ip("10.0.0.5"));
  CHECK(v.proto == kProtoTcp);
  CHECK(v.ttl == 64);
  CHECK(v.l4.sport == 40000);
  CHECK(v.l4.dport == 443);
  CHECK(v.seq == 1000);
  CHECK(v.tcp_flags == (tcpflag::kSyn | tcpflag::kEce));
  CHECK(v.doff == 28);
  CHECK(v.window == 29200);
  CHECK(v.total_len == 20 + 28 + 10);
  CHECK(v.len == 58);
  CHECK(v.payload_off() == 48);
}

TEST_CASE("fragments carry no transport header", "[packet]") {
  PacketFields f;
  f.src = ip("1.1.1.1");
  f.dst = ip("2.2.2.2");
  f.proto = kProtoUdp;
  f.frag_off = 1480;
  f.payload.assign(100, 0);
  Packet p = build_packet(f);
  const PacketView v = parse_packet(p.bytes);
  CHECK(v.frag_off == 1480);
  CHECK(v.is_fragment());
  CHECK_FALSE(v.has_transport());
  CHECK(p.bytes.size() == 120);
  CHECK(ip_header_checksum_ok(p.bytes));
}

TEST_CASE("total length pads with zeros", "[packet]") {
  PacketFields f;
  f.src = ip("1.1.1.1");
  f.dst = ip("2.2.2.2");
  f.proto = kProtoUdp;
  f.sport = 1;
  f.dport = 53;
  f.total_len = 100;
  Packet p = build_packet(f);
  CHECK(p.bytes.size() == 100);
  const PacketView v = parse_packet(p.bytes);
  CHECK(v.udp_len == 80);
  CHECK(checksums_ok(p));
}

TEST_CASE("address and port rewrites keep checksums", "[packet]") {
  for (Packet p : {tcp("192.168.1.10", 40000, "10.0.0.5", 443, tcpflag::kAck, 5, 6, 33),
                   udp("192.168.1.10", 40000, "10.0.0.5", 53, 17)}) {
    manip_packet(p.bytes, 0, ManipType::Src, ip("203.0.113.7"), 1234);
    CHECK(checksums_ok(p));
    manip_packet(p.bytes, 0, ManipType::Dst, ip("172.16.9.9"), 8080);
    CHECK(checksums_ok(p));
    const PacketView v = parse_packet(p.bytes);
    CHECK(v.src == ip("203.0.113.7"));
    CHECK(v.dst == ip("172.16.9.9"));
    CHECK(v.l4.sport == 1234);
    CHECK(v.l4.dport == 8080);
    set_saddr(p.bytes, ip("9.9.9.9"));
    set_dport(p.bytes, 22);
    CHECK(checksums_ok(p));
  }
}

TEST_CASE("udp without checksum stays without", "[packet]") {
  PacketFields f;
  f.src = ip("1.1.1.1");
  f.dst = ip("2.2.2.2");
  f.proto = kProtoUdp;
  f.sport = 5;
  f.dport = 6;
  f.udp_no_checksum = true;
  Packet p = build_packet(f);
  manip_packet(p.bytes, 0, ManipType::Src, ip("3.3.3.3"), 7);
  const PacketView v = parse_packet(p.bytes);
  CHECK(v.l4_check == 0);
  CHECK(v.src == ip("3.3.3.3"));
  CHECK(v.l4.sport == 7);
  CHECK(ip_header_checksum_ok(p.bytes));
}

TEST_CASE("icmp echo id rewrite", "[packet]") {
  Packet p = icmp("10.0.0.1", "10.0.0.2", icmptype::kEcho, 19279, 3);
  manip_packet(p.bytes, 0, ManipType::Src, ip("10.0.0.9"), 777);
  const PacketView v = parse_packet(p.bytes);
  CHECK(v.l4.icmp_id == 777);
  CHECK(v.l4.icmp_seq == 3);
  CHECK(checksums_ok(p));
}

TEST_CASE("icmp error embeds and parses the inner packet", "[packet]") {
  Packet inner = udp("10.0.0.1", 5555, "8.8.8.8", 53);
  Packet err = icmp_error("8.8.8.8", "10.0.0.1", icmptype::kDestUnreach, 3, inner);
  REQUIRE(checksums_ok(err));
  const PacketView v = parse_packet(err.bytes);
  CHECK(v.l4.icmp_type == 3);
  CHECK(v.l4.icmp_code == 3);
  REQUIRE(v.inner_ok);
  CHECK(v.inner_src == ip("10.0.0.1"));
  CHECK(v.inner_dst == ip("8.8.8.8"));
  CHECK(v.inner_proto == kProtoUdp);
  CHECK(v.inner_l4.sport == 5555);
  CHECK(v.inner_l4.dport == 53);
  // Rewriting the embedded header, then the ICMP checksum, keeps everything valid.
  manip_packet(err.bytes, v.inner_off, ManipType::Src, ip("192.168.1.2"), 1111);
  recompute_icmp_checksum(err.bytes);
  CHECK(checksums_ok(err));
}

TEST_CASE("embedded tcp header cut to 8 bytes: ports only", "[packet]") {
  Packet inner = tcp("10.0.0.1", 40000, "8.8.8.8", 80, tcpflag::kSyn, 1, 0);
  Packet err = icmp_error("8.8.8.8", "10.0.0.1", icmptype::kDestUnreach, 1, inner, 28);
  PacketView v = parse_packet(err.bytes);
  REQUIRE(v.inner_ok);
  CHECK(v.inner_l4.avail == 8);
  CHECK(manip_packet(err.bytes, v.inner_off, ManipType::Src, ip("1.2.3.4"), 4242));
  v = parse_packet(err.bytes);
  CHECK(v.inner_l4.sport == 4242);
  CHECK(v.inner_src == ip("1.2.3.4"));
}

TEST_CASE("ttl and tos updates", "[packet]") {
  Packet p = udp("1.2.3.4", 1, "5.6.7.8", 2);
  // The kernel never decrements a TTL of 0 (ip_forward stops at 1); down to 1 it must verify.
  for (int i = 0; i < 63; ++i) {
    decrease_ttl(p.bytes);
    REQUIRE(ip_header_checksum_ok(p.bytes));
  }
  CHECK(parse_packet(p.bytes).ttl == 1);
  set_ttl(p.bytes, 1);
  CHECK(ip_header_checksum_ok(p.bytes));
  change_dsfield(p.bytes, 0x03, 0xb8);
  CHECK(ip_header_checksum_ok(p.bytes));
  CHECK(parse_packet(p.bytes).tos == 0xb8);
}

TEST_CASE("truncated buffers", "[packet]") {
  std::vector<uint8_t> b = {0x45, 0, 0, 20};
  CHECK_FALSE(parse_packet(b).ip_ok);
  Packet p = tcp("1.1.1.1", 1, "2.2.2.2", 2, tcpflag::kSyn, 0, 0);
  p.bytes.resize(30);  // 10 bytes of TCP header
  const PacketView v = parse_packet(p.bytes);
  CHECK(v.ip_ok);
  CHECK(v.l4.ports);
  CHECK_FALSE(v.tcp_ok);
}
