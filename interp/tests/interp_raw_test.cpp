// Engine::process_raw and Engine::replace_ruleset, what the C embedding API and `iptc run`
// build on. Raw datagrams must behave exactly as the packet lines describing them (the same
// trace), get ip_rcv's header checks (net/ipv4/ip_input.c ip_rcv_core), and come back
// rewritten with correct checksums (checked here with an independent RFC 1071 sum). A rule
// set replacement keeps what an iptables-restore commit keeps: conntrack and its NAT
// bindings, and xt_recent tables named again (xt_recent.c recent_mt_check finds the table by
// name before the old rule's destroy drops it); counters and per-rule state start at zero.
#include "interp_test_util.hpp"

#include <cstring>

#include "iptc/frontend/frontend.hpp"
#include "iptc/interp/trace.hpp"
#include "iptc/ir/verify.hpp"
#include "iptc/runtime/packet.hpp"

using namespace iptc;
using namespace iptc::interp;
using namespace iptc::interp::test;

namespace {

/// RFC 1071 over `n` bytes from `p`, plus `init` (the test's own, not the runtime's).
uint32_t sum16(const uint8_t* p, size_t n, uint32_t init = 0) {
  uint32_t s = init;
  for (size_t i = 0; i + 1 < n; i += 2) s += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1) s += static_cast<uint32_t>(p[n - 1] << 8);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return s;
}
bool ip_checksum_ok(const std::vector<uint8_t>& b) {
  size_t ihl = (b[0] & 0xf) * 4u;
  return sum16(b.data(), ihl) == 0xffff;
}
bool tcp_checksum_ok(const std::vector<uint8_t>& b) {
  size_t ihl = (b[0] & 0xf) * 4u;
  size_t len = b.size() - ihl;
  uint32_t pseudo = sum16(b.data() + 12, 8) + 6 + static_cast<uint32_t>(len);
  return sum16(b.data() + ihl, len, pseudo) == 0xffff;
}
uint32_t be32(const std::vector<uint8_t>& b, size_t at) {
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}
uint16_t be16(const std::vector<uint8_t>& b, size_t at) {
  return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}

std::vector<uint8_t> tcp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                         uint8_t flags, uint32_t seq = 1000, uint32_t ack = 0) {
  runtime::PacketFields f;
  f.src = src;
  f.dst = dst;
  f.sport = sport;
  f.dport = dport;
  f.tcp_flags = flags;
  f.seq = seq;
  f.ack_seq = ack;
  return runtime::build_packet(f).bytes;
}

/// A loaded rule set (parse + verify must succeed).
struct Loaded {
  ir::SourceManager sm;
  ir::Ruleset rs;
  explicit Loaded(std::string text) {
    uint32_t id = sm.add("rules.v4", std::move(text));
    ir::Diagnostics d;
    bool ok = frontend::load(sm, id, {}, rs, d);
    for (const auto& x : d.all()) UNSCOPED_INFO(x.message);
    REQUIRE(ok);
  }
};

RawResult raw(Engine& e, const std::vector<uint8_t>& b, std::string_view in) {
  RawPacket p;
  p.data = b;
  p.in = in;
  return e.process_raw(p);
}

constexpr uint8_t kSyn = 0x02, kAck = 0x10;

}  // namespace

TEST_CASE("process_raw decides as the packet line describing the same datagram", "[engine][raw]") {
  Loaded l(
      "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
      "-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp -j LOG\nCOMMIT\n");
  auto host = runtime::HostModel::default_model();
  Engine by_line(l.rs, host), by_raw(l.rs, host);
  auto ls = lines("in=eth0 src=192.168.1.7 dst=192.168.1.1 sport=40000 dport=22 seq=1000\n"
                  "in=eth0 src=192.168.1.7 dst=192.168.1.1 sport=40001 dport=23 seq=1000",
                  host);
  for (uint16_t dport : {22, 23}) {
    TraceResult a = by_line.process(ls[dport == 22 ? 0 : 1].packet);
    auto b = raw(by_raw, tcp(ip(192, 168, 1, 7), ip(192, 168, 1, 1), dport == 22 ? 40000 : 40001, dport, kSyn), "eth0");
    CHECK(matched(a) == matched(b.trace));
    CHECK(policies(a) == policies(b.trace));
    CHECK(a.verdict == b.trace.verdict);
    CHECK(a.ctstate == b.trace.ctstate);
  }
  // dport 22 is delivered (the datagram comes back), 23 dropped by the policy after LOG.
  auto d = raw(by_raw, tcp(ip(192, 168, 1, 7), ip(192, 168, 1, 1), 40002, 22, kSyn), "eth0");
  CHECK(d.trace.delivered);
  CHECK(d.out.size() == 40);
  auto x = raw(by_raw, tcp(ip(192, 168, 1, 7), ip(192, 168, 1, 1), 40003, 23, kSyn), "eth0");
  CHECK(x.trace.verdict == Verdict::Drop);
  CHECK(x.out.empty());
}

TEST_CASE("process_raw applies ip_rcv's header checks and trims link padding", "[engine][raw]") {
  Rules r;
  r.add(ir::TableKind::Filter, "INPUT", rule({}, accept()));
  Run run(r.rs);
  auto good = tcp(ip(192, 168, 1, 7), ip(192, 168, 1, 1), 40000, 80, kSyn);

  // Ethernet pads short frames to 60 bytes: the datagram is its total length (40).
  auto padded = good;
  padded.resize(46, 0);
  auto p = raw(run.engine, padded, "eth0");
  CHECK(p.trace.verdict == Verdict::Accept);
  CHECK(p.out.size() == 40);

  auto bad_sum = good;
  bad_sum[10] ^= 0xff;
  auto b = raw(run.engine, bad_sum, "eth0");
  CHECK(b.trace.verdict == Verdict::KernelDrop);
  CHECK(b.trace.matched.empty());

  auto bad_len = good;
  bad_len[3] = 60;  // total length 60 > 40 received; the checksum is fixed up below
  bad_len[10] = bad_len[11] = 0;
  uint16_t s = static_cast<uint16_t>(~sum16(bad_len.data(), 20));
  bad_len[10] = static_cast<uint8_t>(s >> 8);
  bad_len[11] = static_cast<uint8_t>(s);
  CHECK(raw(run.engine, bad_len, "eth0").trace.verdict == Verdict::KernelDrop);

  auto v6 = good;
  v6[0] = 0x65;
  CHECK(raw(run.engine, v6, "eth0").trace.verdict == Verdict::KernelDrop);
  CHECK(raw(run.engine, std::vector<uint8_t>(12, 0x45), "eth0").trace.verdict == Verdict::KernelDrop);

  CHECK_FALSE(raw(run.engine, good, "eth9").trace.error.empty());  // not in the host model
  CHECK_FALSE(raw(run.engine, bad_sum, "").trace.error.empty());   // a local datagram must be valid
  CHECK(run.engine.rule_counters(r.rs.table(ir::TableKind::Filter)->find("INPUT")->rules[0]) ==
        ir::Counters{1, 40});
}

TEST_CASE("process_raw returns the DNATed datagram with correct checksums", "[engine][raw][nat]") {
  Loaded l(
      "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
      "-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.0.0.5:8080\nCOMMIT\n");
  Engine e(l.rs, runtime::HostModel::default_model());
  auto a = raw(e, tcp(ip(192, 168, 1, 7), ip(192, 168, 1, 1), 40000, 80, kSyn, 1000), "eth0");
  REQUIRE(a.trace.egress);
  CHECK(a.trace.egress->iface == "eth1");
  REQUIRE(a.out.size() == 40);
  CHECK(be32(a.out, 12) == ip(192, 168, 1, 7));
  CHECK(be32(a.out, 16) == ip(10, 0, 0, 5));
  CHECK(be16(a.out, 22) == 8080);
  CHECK(a.out[8] == 63);  // forwarded: TTL 64 - 1
  CHECK(ip_checksum_ok(a.out));
  CHECK(tcp_checksum_ok(a.out));

  // The reply from the server is de-NATed back to 192.168.1.1:80.
  auto b = raw(e, tcp(ip(10, 0, 0, 5), ip(192, 168, 1, 7), 8080, 40000, kSyn | kAck, 5000, 1001), "eth1");
  CHECK(b.trace.ctstate == CtState::Established);
  REQUIRE(b.out.size() == 40);
  CHECK(be32(b.out, 12) == ip(192, 168, 1, 1));
  CHECK(be16(b.out, 20) == 80);
  CHECK(ip_checksum_ok(b.out));
  CHECK(tcp_checksum_ok(b.out));
}

TEST_CASE("replace_ruleset keeps conntrack and NAT bindings, resets counters", "[engine][raw][swap]") {
  Loaded old_rules(
      "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
      "-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.5\nCOMMIT\n"
      "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
      "-A FORWARD -p tcp -j ACCEPT\nCOMMIT\n");
  // The new set has no DNAT rule and forwards only established traffic.
  Loaded new_rules(
      "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n"
      "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
      "-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT\nCOMMIT\n");
  Engine e(old_rules.rs, runtime::HostModel::default_model());
  auto syn = raw(e, tcp(ip(192, 168, 1, 7), ip(192, 168, 1, 1), 40000, 80, kSyn, 1000), "eth0");
  REQUIRE(syn.trace.egress);
  CHECK(syn.trace.egress->dst == ip(10, 0, 0, 5));
  const ir::Rule& old_accept = old_rules.rs.table(ir::TableKind::Filter)->find("FORWARD")->rules[0];
  CHECK(e.rule_counters(old_accept).packets == 1);

  e.replace_ruleset(new_rules.rs, nullptr);

  // The old connection's reply is ESTABLISHED and still de-NATed; its next packet is still
  // DNATed although no rule says so any more (the binding lives in the conntrack entry).
  auto reply = raw(e, tcp(ip(10, 0, 0, 5), ip(192, 168, 1, 7), 80, 40000, kSyn | kAck, 5000, 1001), "eth1");
  CHECK(reply.trace.verdict == Verdict::Accept);
  REQUIRE(reply.trace.egress);
  CHECK(reply.trace.egress->src == ip(192, 168, 1, 1));
  auto next = raw(e, tcp(ip(192, 168, 1, 7), ip(192, 168, 1, 1), 40000, 80, kAck, 1001, 5001), "eth0");
  REQUIRE(next.trace.egress);
  CHECK(next.trace.egress->dst == ip(10, 0, 0, 5));
  // A new connection finds no DNAT and no NEW rule: routed to the host itself, INPUT accepts.
  auto fresh = raw(e, tcp(ip(192, 168, 1, 8), ip(10, 0, 0, 9), 40001, 80, kSyn, 1000), "eth0");
  CHECK(fresh.trace.path == Path::Forward);
  CHECK(fresh.trace.verdict == Verdict::Drop);

  const ir::Rule& est = new_rules.rs.table(ir::TableKind::Filter)->find("FORWARD")->rules[0];
  CHECK(e.rule_counters(est).packets == 2);  // counted from zero in the new set
}

TEST_CASE("replace_ruleset keeps a recent list the new rules name again", "[engine][raw][swap]") {
  const char* head = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
  Loaded a(std::string(head) +
           "-A INPUT -p tcp --dport 22 -m recent --set --name ssh --rsource\nCOMMIT\n");
  Loaded b(std::string(head) +
           "-A INPUT -p tcp --dport 22 -m recent --rcheck --name ssh --rsource -j DROP\nCOMMIT\n");
  Loaded c(std::string(head) +
           "-A INPUT -p tcp --dport 22 -m recent --rcheck --name other --rsource -j DROP\nCOMMIT\n");
  Engine e(a.rs, runtime::HostModel::default_model());
  auto first = raw(e, tcp(ip(192, 168, 1, 7), ip(192, 168, 1, 1), 40000, 22, kSyn), "eth0");
  CHECK(first.trace.verdict == Verdict::Accept);
  e.replace_ruleset(b.rs, nullptr);
  // The list "ssh" survived with 192.168.1.7 in it.
  auto second = raw(e, tcp(ip(192, 168, 1, 7), ip(192, 168, 1, 1), 40001, 22, kSyn), "eth0");
  CHECK(second.trace.verdict == Verdict::Drop);
  e.replace_ruleset(c.rs, nullptr);
  // A list of another name starts empty, and "ssh" is gone with the last rule naming it.
  auto third = raw(e, tcp(ip(192, 168, 1, 7), ip(192, 168, 1, 1), 40002, 22, kSyn), "eth0");
  CHECK(third.trace.verdict == Verdict::Accept);
}
