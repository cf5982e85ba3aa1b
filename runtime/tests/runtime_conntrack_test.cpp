// Conntrack against the kernel's rules: the TCP state table and timeouts of
// nf_conntrack_proto_tcp.c (each expected state below is the table cell for that packet),
// window checks that make packets INVALID, tcp_loose pickup, UDP unreplied/replied/stream
// timeouts and ASSURED, ICMP echo matching and RELATED errors in both directions, untracked
// packets, the unconfirmed life cycle, nf_conntrack_max with early drop, and expiry.
#include <catch2/catch.hpp>

#include "iptc/runtime/conntrack.hpp"
#include "test_util.hpp"

using namespace iptc::runtime;
using namespace rt_test;

namespace {

constexpr uint8_t S = tcpflag::kSyn, A = tcpflag::kAck, F = tcpflag::kFin, R = tcpflag::kRst,
                  P = tcpflag::kPsh;

struct Result {
  bool accepted = false;
  CtState state = CtState::Invalid;
  CtInfo info = CtInfo::Established;
  CtVerdictReason why = CtVerdictReason::None;
};

/// One host: packets arrive (PREROUTING) and are accepted to INPUT, where they are confirmed.
struct Host {
  explicit Host(ConntrackOptions o = {}) : ct(o) {}
  ConntrackTable ct;

  Result send(const Packet& p, Hook hook = Hook::Prerouting, bool confirm = true) {
    Result r;
    CtRef ref;
    r.accepted = ct.in(p.bytes, hook, ref, &r.why);
    r.state = ct_state(ref);
    r.info = ref.info;
    if (r.accepted && confirm) r.accepted = ct.confirm(ref);
    ct.end_packet();
    return r;
  }
  const Conn* conn(const char* src, uint16_t sport, const char* dst, uint16_t dport,
                   uint8_t proto = kProtoTcp) {
    Tuple t;
    t.src = ip(src);
    t.dst = ip(dst);
    t.sport = sport;
    t.dport = dport;
    t.proto = proto;
    return ct.find(t);
  }
};

const char* kA = "10.0.0.5";
const char* kB = "192.168.1.9";

}  // namespace

TEST_CASE("tcp three-way handshake, data and close", "[conntrack][tcp]") {
  Host h;
  // SYN: sNO -> sSS, NEW, 2 min.
  Result r = h.send(tcp(kA, 40000, kB, 80, S, 1000, 0));
  CHECK(r.state == CtState::New);
  const Conn* c = h.conn(kA, 40000, kB, 80);
  REQUIRE(c);
  CHECK(c->tcp.state == TcpState::SynSent);
  CHECK(h.ct.expires_in(*c) == Approx(120));
  // SYN/ACK in reply: sSS -> sSR, ESTABLISHED (reply), 60 s.
  r = h.send(tcp(kB, 80, kA, 40000, S | A, 2000, 1001));
  CHECK(r.state == CtState::Established);
  CHECK(r.info == CtInfo::EstablishedReply);
  CHECK(c->tcp.state == TcpState::SynRecv);
  CHECK(h.ct.expires_in(*c) == Approx(60));
  CHECK((c->status & ips::kSeenReply) != 0);
  CHECK_FALSE(c->assured());
  // ACK: sSR -> sES, ASSURED, 5 days.
  r = h.send(tcp(kA, 40000, kB, 80, A, 1001, 2001));
  CHECK(r.state == CtState::Established);
  CHECK(r.info == CtInfo::Established);
  CHECK(c->tcp.state == TcpState::Established);
  CHECK(c->assured());
  CHECK(h.ct.expires_in(*c) == Approx(432000));
  // Unacknowledged data shortens the timeout to UNACK (5 min) until it is acked.
  r = h.send(tcp(kA, 40000, kB, 80, P | A, 1001, 2001, 100));
  CHECK(r.state == CtState::Established);
  CHECK(h.ct.expires_in(*c) == Approx(300));
  r = h.send(tcp(kB, 80, kA, 40000, A, 2001, 1101));
  CHECK(h.ct.expires_in(*c) == Approx(432000));
  // Active close by A: sES -> sFW (2 min), ACK -> sCW (60 s), FIN from B -> sLA (30 s),
  // last ACK -> sTW (2 min).
  h.send(tcp(kA, 40000, kB, 80, F | A, 1101, 2001));
  CHECK(c->tcp.state == TcpState::FinWait);
  CHECK(h.ct.expires_in(*c) == Approx(120));
  h.send(tcp(kB, 80, kA, 40000, A, 2001, 1102));
  CHECK(c->tcp.state == TcpState::CloseWait);
  CHECK(h.ct.expires_in(*c) == Approx(60));
  h.send(tcp(kB, 80, kA, 40000, F | A, 2001, 1102));
  CHECK(c->tcp.state == TcpState::LastAck);
  CHECK(h.ct.expires_in(*c) == Approx(30));
  r = h.send(tcp(kA, 40000, kB, 80, A, 1102, 2002));
  CHECK(r.state == CtState::Established);
  CHECK(c->tcp.state == TcpState::TimeWait);
  CHECK(h.ct.expires_in(*c) == Approx(120));
  // A new SYN on the same tuple in TIME_WAIT reopens: the old entry dies, a new one is NEW.
  r = h.send(tcp(kA, 40000, kB, 80, S, 5000000, 0));
  CHECK(r.state == CtState::New);
  const Conn* c2 = h.conn(kA, 40000, kB, 80);
  REQUIRE(c2);
  CHECK(c2->tcp.state == TcpState::SynSent);
  CHECK(h.ct.count() == 1);
}

TEST_CASE("tcp reset closes with the CLOSE timeout", "[conntrack][tcp]") {
  Host h;
  h.send(tcp(kA, 40001, kB, 80, S, 1000, 0));
  h.send(tcp(kB, 80, kA, 40001, S | A, 2000, 1001));
  h.send(tcp(kA, 40001, kB, 80, A, 1001, 2001));
  Result r = h.send(tcp(kB, 80, kA, 40001, R, 2001, 0));
  CHECK(r.state == CtState::Established);
  const Conn* c = h.conn(kA, 40001, kB, 80);
  REQUIRE(c);
  CHECK(c->tcp.state == TcpState::Close);
  CHECK(h.ct.expires_in(*c) == Approx(10));
}

TEST_CASE("tcp RST as the only reply deletes the entry", "[conntrack][tcp]") {
  Host h;
  h.send(tcp(kA, 40002, kB, 81, S, 1000, 0));
  // RST/ACK answering the SYN: sSS -> sCL; without a seen reply the entry is killed at once.
  Result r = h.send(tcp(kB, 81, kA, 40002, R | A, 0, 1001));
  CHECK(r.state == CtState::Established);
  CHECK(h.conn(kA, 40002, kB, 81) == nullptr);
  CHECK(h.ct.count() == 0);
}

TEST_CASE("tcp packets that cannot start a connection", "[conntrack][tcp]") {
  Host h;
  // SYN/ACK, FIN, RST and flagless packets: sNO -> sIV.
  CHECK(h.send(tcp(kA, 1, kB, 80, S | A, 1, 1)).state == CtState::Invalid);
  CHECK(h.send(tcp(kA, 2, kB, 80, F | A, 1, 1)).state == CtState::Invalid);
  CHECK(h.send(tcp(kA, 3, kB, 80, R, 1, 0)).state == CtState::Invalid);
  // Invalid flag combinations (tcp_valid_flags).
  Result r = h.send(tcp(kA, 4, kB, 80, S | F, 1, 0));
  CHECK(r.state == CtState::Invalid);
  CHECK(r.why == CtVerdictReason::TcpInvalidFlags);
  CHECK(h.send(tcp(kA, 5, kB, 80, 0, 1, 0)).state == CtState::Invalid);
  CHECK(h.send(tcp(kA, 6, kB, 80, F, 1, 0)).state == CtState::Invalid);
  // Invalid packets are accepted by conntrack (the rule set decides) and leave no entry.
  CHECK(r.accepted);
  CHECK(h.ct.count() == 0);
}

TEST_CASE("tcp_loose picks up established connections", "[conntrack][tcp]") {
  Host h;
  Result r = h.send(tcp(kA, 40003, kB, 22, A, 77777, 88888));
  CHECK(r.state == CtState::New);
  const Conn* c = h.conn(kA, 40003, kB, 22);
  REQUIRE(c);
  CHECK(c->tcp.state == TcpState::Established);
  // ESTABLISHED without a reply: the UNACK timeout, not 5 days.
  CHECK(h.ct.expires_in(*c) == Approx(300));
  CHECK_FALSE(c->assured());
  // The answer is seen (SEEN_REPLY is set after the tracker ran, so the entry keeps the short
  // timeout); the next packet, ESTABLISHED -> ESTABLISHED with a reply seen, makes it ASSURED.
  r = h.send(tcp(kB, 22, kA, 40003, A, 88888, 77777));
  CHECK(r.state == CtState::Established);
  CHECK_FALSE(c->assured());
  CHECK(h.ct.expires_in(*c) == Approx(300));
  r = h.send(tcp(kA, 40003, kB, 22, A, 77777, 88888));
  CHECK(c->assured());
  CHECK(h.ct.expires_in(*c) == Approx(432000));

  ConntrackOptions strict;
  strict.tcp_loose = false;
  Host s(strict);
  CHECK(s.send(tcp(kA, 40003, kB, 22, A, 77777, 88888)).state == CtState::Invalid);
}

TEST_CASE("tcp window checks", "[conntrack][tcp]") {
  Host h;
  h.send(tcp(kA, 40004, kB, 80, S, 1000, 0, 0, 1000));
  h.send(tcp(kB, 80, kA, 40004, S | A, 2000, 1001, 0, 1000));
  h.send(tcp(kA, 40004, kB, 80, A, 1001, 2001, 0, 1000));
  // SEQ over the upper bound: far beyond what the receiver's window allows.
  Result r = h.send(tcp(kA, 40004, kB, 80, A, 1001 + 5000000, 2001));
  CHECK(r.state == CtState::Invalid);
  CHECK(r.why == CtVerdictReason::TcpOutOfWindow);
  // ACK over the upper bound: acknowledging data the other side never sent.
  r = h.send(tcp(kA, 40004, kB, 80, A, 1001, 2001 + 100000));
  CHECK(r.state == CtState::Invalid);
  // In-window data is fine, and the entry is unchanged by the invalid packets.
  r = h.send(tcp(kA, 40004, kB, 80, A, 1001, 2001, 500));
  CHECK(r.state == CtState::Established);
  CHECK(h.conn(kA, 40004, kB, 80)->tcp.state == TcpState::Established);
}

TEST_CASE("tcp SYN retransmission does not extend the timeout", "[conntrack][tcp]") {
  Host h;
  h.send(tcp(kA, 40005, kB, 80, S, 1000, 0));
  h.ct.advance(50);
  Result r = h.send(tcp(kA, 40005, kB, 80, S, 1000, 0));
  CHECK(r.state == CtState::New);
  const Conn* c = h.conn(kA, 40005, kB, 80);
  REQUIRE(c);
  CHECK(h.ct.expires_in(*c) == Approx(70));
  h.ct.advance(70);
  CHECK(h.conn(kA, 40005, kB, 80) == nullptr);
}

TEST_CASE("bad checksums are invalid at PREROUTING only", "[conntrack]") {
  Host h;
  Packet p = tcp(kA, 40006, kB, 80, S, 1000, 0);
  p.bytes[36] ^= 0x55;  // corrupt the TCP checksum
  CHECK(h.send(p).state == CtState::Invalid);
  CHECK(h.send(p, Hook::Output).state == CtState::New);
  Packet u = udp(kA, 5, kB, 53);
  u.bytes[26] ^= 0x01;
  CHECK(h.send(u).why == CtVerdictReason::BadChecksum);
}

TEST_CASE("udp timeouts and assured", "[conntrack][udp]") {
  Host h;
  Result r = h.send(udp(kA, 5353, kB, 53));
  CHECK(r.state == CtState::New);
  const Conn* c = h.conn(kA, 5353, kB, 53, kProtoUdp);
  REQUIRE(c);
  CHECK(h.ct.expires_in(*c) == Approx(30));
  r = h.send(udp(kB, 53, kA, 5353));
  CHECK(r.info == CtInfo::EstablishedReply);
  CHECK(h.ct.expires_in(*c) == Approx(30));
  CHECK_FALSE(c->assured());
  h.ct.advance(1);
  h.send(udp(kA, 5353, kB, 53));
  CHECK(h.ct.expires_in(*c) == Approx(30));
  CHECK_FALSE(c->assured());
  // Still active after two seconds: a stream, 120 s and ASSURED.
  h.ct.advance(1.5);
  r = h.send(udp(kA, 5353, kB, 53));
  CHECK(r.state == CtState::Established);
  CHECK(h.ct.expires_in(*c) == Approx(120));
  CHECK(c->assured());
}

TEST_CASE("udp entries expire", "[conntrack][udp]") {
  Host h;
  h.send(udp(kA, 6000, kB, 53));
  h.ct.advance(29.9);
  CHECK(h.send(udp(kA, 6000, kB, 53)).state == CtState::New);  // refreshed, still unreplied
  h.ct.advance(30);
  CHECK(h.ct.entries().empty());
  CHECK(h.send(udp(kB, 53, kA, 6000)).state == CtState::New);  // a new flow the other way
}

TEST_CASE("icmp echo", "[conntrack][icmp]") {
  Host h;
  Result r = h.send(icmp(kA, kB, icmptype::kEcho, 19279));
  CHECK(r.state == CtState::New);
  r = h.send(icmp(kB, kA, icmptype::kEchoReply, 19279));
  CHECK(r.state == CtState::Established);
  CHECK(r.info == CtInfo::EstablishedReply);
  // A reply with another id is no reply; an echo reply cannot start a connection.
  r = h.send(icmp(kB, kA, icmptype::kEchoReply, 1));
  CHECK(r.state == CtState::Invalid);
  CHECK(r.why == CtVerdictReason::IcmpInvalidNew);
  CHECK(h.send(icmp(kA, kB, icmptype::kTimestamp, 5)).state == CtState::New);
  // Types without an inverse (router advertisement) and unknown types are invalid.
  CHECK(h.send(icmp(kA, kB, 9, 0)).state == CtState::Invalid);
  CHECK(h.send(icmp(kA, kB, 40, 0)).state == CtState::Invalid);
  const Conn* c = h.conn(kA, 19279, kB, icmptype::kEcho << 8, kProtoIcmp);
  REQUIRE(c);
  CHECK(h.ct.expires_in(*c) == Approx(30));
}

TEST_CASE("icmp errors about tracked flows are RELATED", "[conntrack][icmp]") {
  Host h;
  const Packet out = udp(kA, 33000, kB, 33434);
  h.send(out);
  // From B back to A about A's packet: the embedded tuple inverted is the reply direction.
  Result r = h.send(icmp_error(kB, kA, icmptype::kDestUnreach, 3, out));
  CHECK(r.state == CtState::Related);
  CHECK(r.info == CtInfo::RelatedReply);
  // From somewhere towards B about B's reply: the original direction.
  const Packet back = udp(kB, 33434, kA, 33000);
  r = h.send(icmp_error("172.16.0.1", kB, icmptype::kTimeExceeded, 0, back));
  CHECK(r.state == CtState::Related);
  CHECK(r.info == CtInfo::Related);
  // The error's destination must be the flow's destination in that direction.
  r = h.send(icmp_error(kB, "10.0.0.99", icmptype::kDestUnreach, 3, out));
  CHECK(r.state == CtState::Invalid);
  CHECK(r.why == CtVerdictReason::IcmpErrorUnrelated);
  // About an unknown flow.
  r = h.send(icmp_error(kB, kA, icmptype::kDestUnreach, 3, udp(kA, 1, kB, 2)));
  CHECK(r.state == CtState::Invalid);
  // Errors do not create entries.
  CHECK(h.ct.count() == 1);
}

TEST_CASE("icmp error about a ping is RELATED", "[conntrack][icmp]") {
  Host h;
  const Packet ping = icmp(kA, kB, icmptype::kEcho, 4242);
  h.send(ping);
  Result r = h.send(icmp_error("172.16.0.1", kA, icmptype::kTimeExceeded, 0, ping));
  CHECK(r.state == CtState::Related);
  CHECK(r.info == CtInfo::RelatedReply);
}

TEST_CASE("untracked packets are left alone", "[conntrack]") {
  Host h;
  CtRef ref;
  ref.set_untracked();
  const Packet p = tcp(kA, 1, kB, 2, S, 0, 0);
  CHECK(h.ct.in(p.bytes, Hook::Prerouting, ref));
  CHECK(ct_state(ref) == CtState::Untracked);
  CHECK(h.ct.confirm(ref));
  h.ct.end_packet();
  CHECK(h.ct.count() == 0);
}

TEST_CASE("a dropped first packet leaves no entry", "[conntrack]") {
  Host h;
  const Packet p = udp(kA, 7000, kB, 53);
  Result r = h.send(p, Hook::Prerouting, /*confirm=*/false);
  CHECK(r.state == CtState::New);
  CHECK(h.ct.count() == 0);
  CHECK(h.send(p).state == CtState::New);
  CHECK(h.ct.count() == 1);
}

TEST_CASE("a local packet keeps its entry through loopback", "[conntrack]") {
  Host h;
  const Packet p = tcp("127.0.0.1", 45000, "127.0.0.1", 8080, S, 1, 0);
  CtRef ref;
  REQUIRE(h.ct.in(p.bytes, Hook::Output, ref));
  REQUIRE(ct_state(ref) == CtState::New);
  REQUIRE(h.ct.confirm(ref));  // POSTROUTING
  Conn* c = ref.ct;
  REQUIRE(h.ct.in(p.bytes, Hook::Prerouting, ref));  // back in through lo: nothing changes
  CHECK(ref.ct == c);
  CHECK(ref.info == CtInfo::New);
  CHECK(h.ct.confirm(ref));  // INPUT: already confirmed
  h.ct.end_packet();
  CHECK(h.ct.count() == 1);
}

TEST_CASE("fragments with an offset are not tracked", "[conntrack]") {
  Host h;
  PacketFields f;
  f.src = ip(kA);
  f.dst = ip(kB);
  f.proto = kProtoUdp;
  f.frag_off = 8;
  f.payload.assign(20, 0);
  Result r = h.send(build_packet(f));
  CHECK(r.state == CtState::Invalid);
  CHECK(r.why == CtVerdictReason::NoTransport);
}

TEST_CASE("a full table early-drops unassured entries, else drops", "[conntrack]") {
  ConntrackOptions o;
  o.max = 2;
  o.buckets = 1;
  {
    Host h(o);
    h.send(udp(kA, 1, kB, 53));
    h.send(udp(kA, 2, kB, 53));
    CHECK(h.ct.count() == 2);
    Result r = h.send(udp(kA, 3, kB, 53));
    CHECK(r.accepted);
    CHECK(r.state == CtState::New);
    CHECK(h.ct.count() == 1);  // both unassured entries of the bucket went
  }
  {
    Host h(o);
    for (uint16_t port : {40010, 40011}) {
      h.send(tcp(kA, port, kB, 80, S, 1000, 0));
      h.send(tcp(kB, 80, kA, port, S | A, 2000, 1001));
      h.send(tcp(kA, port, kB, 80, A, 1001, 2001));
    }
    CHECK(h.ct.count() == 2);
    Result r = h.send(udp(kA, 3, kB, 53));
    CHECK_FALSE(r.accepted);
    CHECK(r.why == CtVerdictReason::TableFull);
    CHECK(h.ct.count() == 2);
    // Established packets of tracked connections still pass.
    CHECK(h.send(tcp(kA, 40010, kB, 80, A, 1001, 2001, 10)).state == CtState::Established);
  }
}

TEST_CASE("flush empties the table", "[conntrack]") {
  Host h;
  h.send(udp(kA, 1, kB, 53));
  h.send(icmp(kA, kB, icmptype::kEcho, 1));
  CHECK(h.ct.count() == 2);
  h.ct.flush();
  CHECK(h.ct.count() == 0);
  CHECK(h.send(udp(kA, 1, kB, 53)).state == CtState::New);
}

TEST_CASE("tcp window scaling only when both sides offer it", "[conntrack][tcp]") {
  // RFC 1323 (tcp_init_sender): the scale applies only if both SYNs carry the option; then
  // A's window of 1000 << 7 lets B send 100000 bytes ahead, otherwise it is out of window.
  const std::vector<uint8_t> wscale7 = {1, 3, 3, 7};
  for (bool both : {true, false}) {
    INFO("both sides scale: " << both);
    Host h;
    h.send(tcp(kA, 40020, kB, 80, S, 1000, 0, 0, 65535, both ? wscale7 : std::vector<uint8_t>{}));
    h.send(tcp(kB, 80, kA, 40020, S | A, 2000, 1001, 0, 65535, wscale7));
    h.send(tcp(kA, 40020, kB, 80, A, 1001, 2001, 0, 1000));
    const Result r = h.send(tcp(kB, 80, kA, 40020, A, 2001 + 100000, 1001, 100, 1000));
    CHECK(r.state == (both ? CtState::Established : CtState::Invalid));
  }
}

TEST_CASE("tcp simultaneous open", "[conntrack][tcp]") {
  Host h;
  h.send(tcp(kA, 40030, kB, 5000, S, 1000, 0));
  // A SYN from the other side: sSS -> sS2.
  Result r = h.send(tcp(kB, 5000, kA, 40030, S, 2000, 0));
  CHECK(r.state == CtState::Established);
  const Conn* c = h.conn(kA, 40030, kB, 5000);
  REQUIRE(c);
  CHECK(c->tcp.state == TcpState::SynSent2);
  // SYN/ACK in the original direction: sS2 -> sSR.
  h.send(tcp(kA, 40030, kB, 5000, S | A, 1000, 2001));
  CHECK(c->tcp.state == TcpState::SynRecv);
  // The reply's ACK completes it (simultaneous open: SYN_RECV -> ESTABLISHED on a reply ACK).
  h.send(tcp(kB, 5000, kA, 40030, A, 2001, 1001));
  CHECK(c->tcp.state == TcpState::Established);
}
