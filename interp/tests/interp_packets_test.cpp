// Packet lines (DESIGN.md "Packet lines"): every key's default, the ICMP error keys, the
// source address of locally generated packets, errors with line and column, and the
// automatic TCP numbering. Expected values are the contract's, not this code's output.
#include <catch2/catch.hpp>

#include "iptc/interp/packets.hpp"
#include "iptc/runtime/host.hpp"

using namespace iptc;
using interp::PacketLine;
using interp::PacketSpec;

namespace {

constexpr uint32_t ip(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

std::vector<PacketLine> parse_ok(std::string_view text) {
  std::vector<PacketLine> out;
  std::vector<interp::PacketParseError> errs;
  bool ok = interp::parse_packet_lines(text, runtime::HostModel::default_model(), out, errs);
  for (const auto& e : errs) UNSCOPED_INFO(e.line << ":" << e.col << ": " << e.message);
  REQUIRE(ok);
  return out;
}

PacketSpec one(std::string_view text) {
  auto v = parse_ok(text);
  REQUIRE(v.size() == 1);
  REQUIRE(v[0].kind == PacketLine::Kind::Packet);
  return v[0].packet;
}

interp::PacketParseError one_error(std::string_view text) {
  std::vector<PacketLine> out;
  std::vector<interp::PacketParseError> errs;
  bool ok = interp::parse_packet_lines(text, runtime::HostModel::default_model(), out, errs);
  REQUIRE_FALSE(ok);
  REQUIRE(errs.size() >= 1);
  return errs[0];
}

}  // namespace

TEST_CASE("an arriving packet without ports or flags is an ICMP echo request", "[packets]") {
  PacketSpec p = one("in=eth0 src=192.0.2.1 dst=192.168.1.1");
  CHECK(p.in == std::optional<std::string>("eth0"));
  CHECK(p.src == ip(192, 0, 2, 1));
  CHECK(p.dst == ip(192, 168, 1, 1));
  CHECK(p.proto == 1);
  CHECK(p.icmp_type == 8);
  CHECK(p.icmp_code == 0);
  CHECK(p.echo_id == 19279);
  CHECK(p.echo_seq == 1);
  CHECK(p.ttl == 64);
  CHECK(p.tos == 0);
  CHECK_FALSE(p.df);
  CHECK_FALSE(p.mf);
  CHECK(p.fragoff == 0);
  CHECK(p.mark == 0);
  CHECK(p.total_len() == 28);  // 20 IP + 8 ICMP
}

TEST_CASE("ports or flags make a tcp packet with the contract's defaults", "[packets]") {
  PacketSpec p = one("in=eth0 src=192.0.2.1 dst=192.168.1.1 dport=22");
  CHECK(p.proto == 6);
  CHECK(p.sport == 40000);
  CHECK(p.dport == 22);
  CHECK(p.tcp_flags == 0x02);  // S
  CHECK(p.seq_auto);
  CHECK(p.ack_auto);
  CHECK(p.total_len() == 40);

  PacketSpec q = one("in=eth0 src=192.0.2.1 dst=192.168.1.1 flags=FA");
  CHECK(q.proto == 6);
  CHECK(q.dport == 80);
  CHECK(q.tcp_flags == (0x01 | 0x10));

  PacketSpec n = one("in=eth0 src=192.0.2.1 dst=192.168.1.1 sport=1 flags=none seq=5 ack=7 win=9");
  CHECK(n.tcp_flags == 0);
  CHECK(n.seq == 5);
  CHECK(n.ack == 7);
  CHECK(n.win == 9);
  CHECK_FALSE(n.seq_auto);
  CHECK_FALSE(n.ack_auto);

  PacketSpec all = one("in=eth0 src=192.0.2.1 dst=192.168.1.1 flags=SAFRPUEC");
  CHECK(all.tcp_flags == 0xff);
}

TEST_CASE("udp defaults to destination port 53", "[packets]") {
  PacketSpec p = one("in=eth0 src=192.0.2.1 dst=192.168.1.1 proto=udp");
  CHECK(p.proto == 17);
  CHECK(p.sport == 40000);
  CHECK(p.dport == 53);
  CHECK(p.total_len() == 28);
  PacketSpec n = one("in=eth0 src=192.0.2.1 dst=192.168.1.1 proto=17 sport=7");
  CHECK(n.proto == 17);
  CHECK(n.sport == 7);
}

TEST_CASE("ICMP errors embed the packet they are about", "[packets]") {
  // DESIGN.md: inner_src defaults to the outer dst, inner_dst to the outer src, inner_proto
  // udp (tcp with flags), and sport/dport are the embedded packet's ports.
  PacketSpec p = one("in=eth1 src=10.0.0.9 dst=192.168.1.5 proto=icmp type=3 code=3 sport=5000 dport=53");
  CHECK(p.icmp_error());
  CHECK(p.inner_src == ip(192, 168, 1, 5));
  CHECK(p.inner_dst == ip(10, 0, 0, 9));
  CHECK(p.inner_proto == 17);
  CHECK(p.sport == 5000);
  CHECK(p.dport == 53);
  CHECK(p.total_len() == 20 + 8 + 20 + 8);

  PacketSpec t = one("in=eth1 src=10.0.0.9 dst=192.168.1.5 proto=icmp type=11 flags=S inner_src=1.2.3.4");
  CHECK(t.inner_proto == 6);
  CHECK(t.inner_src == ip(1, 2, 3, 4));
  CHECK(t.dport == 80);
}

TEST_CASE("a locally generated packet gets the source the kernel picks", "[packets]") {
  // Default model: eth0 192.168.1.1/24, eth1 10.0.0.1/24, default route via eth1.
  CHECK(one("dst=8.8.8.8").src == ip(10, 0, 0, 1));
  CHECK(one("dst=192.168.1.77").src == ip(192, 168, 1, 1));
  CHECK(one("dst=192.168.1.1").src == ip(192, 168, 1, 1));  // local: the address itself
  CHECK(one("dst=127.0.0.1").src == ip(127, 0, 0, 1));
  PacketSpec p = one("dst=8.8.8.8 src=192.168.1.1 uid=1000 gid=100");
  CHECK(p.src == ip(192, 168, 1, 1));
  CHECK(p.local());
  CHECK(p.uid == 1000);
  CHECK(p.gid == 100);
}

TEST_CASE("IP header keys", "[packets]") {
  PacketSpec p = one("in=eth0 src=1.1.1.1 dst=2.2.2.2 proto=udp ttl=3 tos=0x10 id=77 len=100 df=1 mark=0xff");
  CHECK(p.ttl == 3);
  CHECK(p.tos == 0x10);
  CHECK(p.id == std::optional<uint16_t>(77));
  CHECK(p.total_len() == 100);
  CHECK(p.df);
  CHECK(p.mark == 0xff);
  PacketSpec f = one("in=eth0 src=1.1.1.1 dst=2.2.2.2 proto=udp mf=1 fragoff=16");
  CHECK(f.mf);
  CHECK(f.fragoff == 16);
  CHECK(f.total_len() == 20);  // no transport header in a fragment with an offset
  PacketSpec s = one("in=eth0 src=1.1.1.1 dst=2.2.2.2 proto=sctp");
  CHECK(s.proto == 132);
  CHECK(s.has_ports());
  PacketSpec g = one("in=eth0 src=1.1.1.1 dst=2.2.2.2 proto=gre");
  CHECK(g.proto == 47);
  CHECK(g.total_len() == 20);
}

TEST_CASE("the extension keys mac and pkttype", "[packets]") {
  PacketSpec p = one("in=eth0 src=1.1.1.1 dst=2.2.2.2 mac=58:94:6b:17:41:7c pkttype=broadcast");
  CHECK(p.mac_given);
  CHECK(p.mac == std::array<uint8_t, 6>{0x58, 0x94, 0x6b, 0x17, 0x41, 0x7c});
  CHECK(p.pkttype == std::optional<uint8_t>(1));
}

TEST_CASE("flush, sleep, comments and blank lines", "[packets]") {
  auto v = parse_ok("# a comment\n\nflush\n  sleep 1.5  # wait\nin=eth0 src=1.1.1.1 dst=2.2.2.2 # x\n");
  REQUIRE(v.size() == 3);
  CHECK(v[0].kind == PacketLine::Kind::Flush);
  CHECK(v[0].line == 3);
  CHECK(v[1].kind == PacketLine::Kind::Sleep);
  CHECK(v[1].sleep_seconds == 1.5);
  CHECK(v[2].kind == PacketLine::Kind::Packet);
  CHECK(v[2].packet.line == 5);
  CHECK(v[2].packet.text == "in=eth0 src=1.1.1.1 dst=2.2.2.2");
}

TEST_CASE("errors carry line, column and a hint", "[packets]") {
  auto e = one_error("\nin=eth0 src=1.1.1.1 dst=2.2.2.2 dpot=22");
  CHECK(e.line == 2);
  CHECK(e.col == 33);
  CHECK(e.message == "unknown key 'dpot'");
  CHECK(e.hint == "did you mean 'dport'?");

  e = one_error("in=eth0 src=1.1.1 dst=2.2.2.2");
  CHECK(e.col == 13);
  CHECK(e.message == "'1.1.1' is not an IPv4 address");

  e = one_error("in=eth0 src=1.1.1.1 dst=2.2.2.2 proto=udp flags=S");
  CHECK(e.message == "flags needs a tcp packet");

  e = one_error("in=eth0 dst=2.2.2.2");
  CHECK(e.message == "an arriving packet needs src=");

  e = one_error("in=eth0 src=1.1.1.1 dst=2.2.2.2 dport=22 len=19");
  CHECK(e.message == "len=19 is shorter than the IP header (20 bytes)");
  CHECK(one("in=eth0 src=1.1.1.1 dst=2.2.2.2 dport=22 len=30").total_len() == 30);  // truncated

  e = one_error("in=eth0 src=1.1.1.1 dst=2.2.2.2 fragoff=7");
  CHECK(e.message == "fragoff=7 is not a multiple of 8");

  e = one_error("in=eth0 src=1.1.1.1 dst=2.2.2.2 dport=70000");
  CHECK(e.message == "dport=70000 is out of range (at most 65535)");

  e = one_error("sleep soon");
  CHECK(e.col == 7);

  e = one_error("in=eth0 src=1.1.1.1 dst=2.2.2.2 src=3.3.3.3");
  CHECK(e.message == "key 'src' given twice");

  e = one_error("src=1.1.1.1 dst=2.2.2.2 mac=00:11:22:33:44:55");
  CHECK(e.message == "mac is for arriving packets only");

  e = one_error("in=eth0 src=1.1.1.1 dst=2.2.2.2 proto=icmp inner_src=1.2.3.4");
  CHECK(e.message == "inner_src needs an ICMP error");
}

TEST_CASE("automatic TCP numbering", "[packets]") {
  // Initiator from 1000000, responder from 2000000, ack = what the other side sends next,
  // SYN and FIN count one, data its length.
  interp::TcpNumbering n;
  PacketSpec syn = one("in=eth0 src=1.1.1.1 dst=2.2.2.2 flags=S");
  n.assign(syn, 1, false);
  CHECK(syn.seq == 1000000);
  CHECK(syn.ack == 0);
  PacketSpec synack = one("in=eth1 src=2.2.2.2 dst=1.1.1.1 sport=80 dport=40000 flags=SA");
  n.assign(synack, 1, true);
  CHECK(synack.seq == 2000000);
  CHECK(synack.ack == 1000001);
  PacketSpec data = one("in=eth0 src=1.1.1.1 dst=2.2.2.2 flags=PA len=140");
  n.assign(data, 1, false);
  CHECK(data.seq == 1000001);
  CHECK(data.ack == 2000001);
  PacketSpec fin = one("in=eth0 src=1.1.1.1 dst=2.2.2.2 flags=FA");
  n.assign(fin, 1, false);
  CHECK(fin.seq == 1000101);
  PacketSpec last = one("in=eth1 src=2.2.2.2 dst=1.1.1.1 sport=80 dport=40000 flags=A");
  n.assign(last, 1, true);
  CHECK(last.seq == 2000001);
  CHECK(last.ack == 1000102);
}
