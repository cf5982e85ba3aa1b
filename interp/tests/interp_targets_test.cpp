// The targets of issue 6 ("Coverage") in the engine: TTL, DSCP, CLASSIFY, CHECKSUM, TRACE,
// AUDIT, NFQUEUE, SECMARK/CONNSECMARK, LED, TEE, ULOG, SYNPROXY, TPROXY and NETMAP. Each
// expectation comes from the kernel source named beside it (net/netfilter/xt_*.c,
// net/ipv4/netfilter/ipt_SYNPROXY.c, include/net/netfilter/nf_queue.h, net/netfilter/core.c
// nf_hook_slow and nf_queue.c for what happens without a queue listener), not from running
// this code. Default host model: eth0 192.168.1.1/24, eth1 10.0.0.1/24, default via eth1.
#include "interp_test_util.hpp"

#include "../src/interp_internal.hpp"
#include "iptc/interp/trace.hpp"

using namespace iptc;
using namespace iptc::interp;
using namespace iptc::interp::test;
using T = ir::TableKind;

namespace {

ir::TtlTarget ttl(ir::TtlTarget::Mode m, uint8_t v) {
  ir::TtlTarget t;
  t.mode = m;
  t.ttl = v;
  return t;
}

ir::NfqueueTarget nfq(uint16_t num, uint16_t total, uint16_t flags) {
  ir::NfqueueTarget q;
  q.queuenum = num;
  q.queues_total = total;
  q.flags = flags;
  return q;
}

S log_texts(const TraceResult& t, std::string_view kind) {
  S out;
  for (const auto& l : t.logs)
    if (l.kind == kind) out.push_back(l.prefix);
  return out;
}

}  // namespace

TEST_CASE("TTL: set, inc clamped at 255, dec clamped at 0; ip_forward sees the result", "[engine][ttl]") {
  using M = ir::TtlTarget::Mode;
  Rules r;
  r.add(T::Mangle, "PREROUTING", rule({udp_dport(6000)}, ext(ttl(M::Set, 100)), 17));
  r.add(T::Mangle, "PREROUTING", rule({udp_dport(6001)}, ext(ttl(M::Inc, 250)), 17));
  r.add(T::Mangle, "PREROUTING", rule({udp_dport(6002)}, ext(ttl(M::Dec, 200)), 17));
  r.add(T::Mangle, "PREROUTING", rule({udp_dport(6003)}, ext(ttl(M::Dec, 10)), 17));
  r.add(T::Mangle, "POSTROUTING", rule({udp_dport(6004)}, ext(ttl(M::Set, 7)), 17));
  Run run(r.rs);
  // ttl_tg, then ip_forward's decrement (the egress TTL is one less).
  auto a = run("in=eth0 src=192.168.1.9 dst=8.8.8.8 proto=udp dport=6000");
  REQUIRE(a.egress);
  CHECK(a.egress->ttl == 99);
  auto b = run("in=eth0 src=192.168.1.9 dst=8.8.8.8 proto=udp dport=6001 ttl=30");
  REQUIRE(b.egress);
  CHECK(b.egress->ttl == 254);
  // 100 - 200 clamps at 0, and ip_forward drops a packet with TTL <= 1.
  auto c = run("in=eth0 src=192.168.1.9 dst=8.8.8.8 proto=udp dport=6002 ttl=100");
  CHECK(c.verdict == Verdict::KernelDrop);
  auto d = run("in=eth0 src=192.168.1.9 dst=8.8.8.8 proto=udp dport=6003 ttl=64");
  REQUIRE(d.egress);
  CHECK(d.egress->ttl == 53);
  // After ip_forward: POSTROUTING's value leaves as it is.
  auto e = run("in=eth0 src=192.168.1.9 dst=8.8.8.8 proto=udp dport=6004");
  REQUIRE(e.egress);
  CHECK(e.egress->ttl == 7);
}

TEST_CASE("DSCP rewrites the upper six bits and keeps ECN", "[engine][dscp]") {
  Rules r;
  ir::DscpTarget ef;
  ef.dscp = 0x2e;
  ir::DscpTarget zero;
  zero.dscp = 0;
  r.add(T::Mangle, "FORWARD", rule({udp_dport(6100)}, ext(ef), 17));
  r.add(T::Mangle, "FORWARD", rule({udp_dport(6101)}, ext(zero), 17));
  Run run(r.rs);
  // dscp_tg: tos = (tos & ~XT_DSCP_MASK) | dscp << XT_DSCP_SHIFT.
  auto a = run("in=eth0 src=192.168.1.9 dst=8.8.8.8 proto=udp dport=6100 tos=0x03");
  REQUIRE(a.egress);
  CHECK(a.egress->tos == 0xbb);
  CHECK(a.tos_in == 0x03);
  auto b = run("in=eth0 src=192.168.1.9 dst=8.8.8.8 proto=udp dport=6101 tos=0xb9");
  REQUIRE(b.egress);
  CHECK(b.egress->tos == 0x01);
}

TEST_CASE("CLASSIFY sets skb->priority; CHECKSUM continues", "[engine][classify]") {
  Rules r;
  ir::ClassifyTarget cl;
  cl.priority = (1u << 16) | 0x10;
  ir::ChecksumTarget ck;
  ck.operation = ir::ChecksumTarget::kFill;
  r.add(T::Mangle, "POSTROUTING", rule({udp_dport(6200)}, ext(cl), 17));
  r.add(T::Mangle, "POSTROUTING", rule({udp_dport(6200)}, ext(ck), 17));
  Run run(r.rs);
  auto a = run("in=eth0 src=192.168.1.9 dst=8.8.8.8 proto=udp dport=6200");
  CHECK(a.verdict == Verdict::Accept);
  CHECK(matched(a) == S{"mangle/POSTROUTING#1", "mangle/POSTROUTING#2"});
  CHECK(a.priority == 0x10010);
  auto b = run("in=eth0 src=192.168.1.9 dst=8.8.8.8 proto=udp dport=6201");
  CHECK(b.priority == 0);
}

TEST_CASE("NFQUEUE without a listener: dropped, or with --queue-bypass accepted by the table",
          "[engine][nfqueue]") {
  Rules r;
  r.add(T::Mangle, "INPUT", rule({udp_dport(5000)}, ext(nfq(3, 1, ir::NfqueueTarget::kBypass)), 17));
  r.add(T::Mangle, "INPUT", rule({udp_dport(5000)}, drop(), 17));
  r.add(T::Filter, "INPUT", rule({udp_dport(5000)}, accept(), 17));
  r.add(T::Filter, "INPUT", rule({udp_dport(5001)}, ext(nfq(4, 1, 0)), 17));
  r.add(T::Filter, "INPUT", rule({udp_dport(5002)},
                                 ext(nfq(10, 4, ir::NfqueueTarget::kCpuFanout)), 17));
  Run run(r.rs);
  // nf_queue: -ESRCH with NF_VERDICT_FLAG_QUEUE_BYPASS -> nf_hook_slow goes on with the next
  // hook function: the rest of mangle INPUT is skipped, filter INPUT still runs.
  auto a = run("in=eth1 src=8.8.8.8 dst=10.0.0.1 proto=udp dport=5000");
  CHECK(matched(a) == S{"mangle/INPUT#1", "filter/INPUT#1"});
  CHECK(a.verdict == Verdict::Accept);
  CHECK(a.delivered);
  // Without the flag the packet is freed: verdict QUEUE, queue 4.
  auto b = run("in=eth1 src=8.8.8.8 dst=10.0.0.1 proto=udp dport=5001");
  CHECK(b.verdict == Verdict::Queue);
  CHECK(b.queue_num == 4);
  CHECK_FALSE(b.delivered);
  // --queue-cpu-fanout: queuenum + cpu % queues_total; the host model runs on CPU 0.
  auto c = run("in=eth1 src=8.8.8.8 dst=10.0.0.1 proto=udp dport=5002");
  CHECK(c.verdict == Verdict::Queue);
  CHECK(c.queue_num == 10);
}

TEST_CASE("NFQUEUE --queue-balance: one queue for both directions, inside the range",
          "[engine][nfqueue]") {
  // hash_v4 orders the two addresses before hashing, so swapping them gives the same value;
  // reciprocal_scale maps a 32-bit hash h to (h * n) >> 32, always below n.
  const uint32_t iv = detail::nfqueue_initval(1);
  CHECK(iv != 0);
  for (uint32_t i = 0; i < 200; ++i) {
    uint32_t a = ip(10, 0, 0, 1) + i * 7919, b = ip(8, 8, 8, 8) + i;
    uint32_t x = detail::nfqueue_flow_hash(a, b, 17, iv, 5);
    CHECK(x == detail::nfqueue_flow_hash(b, a, 17, iv, 5));
    CHECK(x < 5);
  }
  // One queue: the offset is always 0.
  CHECK(detail::nfqueue_flow_hash(1, 2, 6, iv, 1) == 0);
}

TEST_CASE("TRACE: every later rule hit is traced as ip_tables' trace_packet names it",
          "[engine][trace]") {
  Rules r;
  r.add(T::Raw, "PREROUTING", rule({udp_dport(5000)}, ext(ir::TraceTarget{}), 17));
  r.add(T::Raw, "PREROUTING", rule({}, none(), 17));
  r.add(T::Filter, "INPUT", rule({}, jump("sub"), 17));
  r.add(T::Filter, "INPUT", rule({udp_dport(5001)}, accept(), 17));
  r.add(T::Filter, "sub", rule({udp_dport(5999)}, drop(), 17));
  Run run(r.rs);
  auto a = run("in=eth1 src=8.8.8.8 dst=10.0.0.1 proto=udp dport=5000");
  // The TRACE rule itself was counted before the flag was set; then raw's second rule and its
  // policy (tail entry number 3), the jump, sub's implicit return (tail entry 2) and
  // filter INPUT's policy (tail entry 3). Mangle and nat have no chains here.
  CHECK(log_texts(a, "TRACE") == S{"raw:PREROUTING:rule:2", "raw:PREROUTING:policy:3",
                                   "filter:INPUT:rule:1", "filter:sub:return:2",
                                   "filter:INPUT:policy:3"});
  // Not traced without the mark.
  auto b = run("in=eth1 src=8.8.8.8 dst=10.0.0.1 proto=udp dport=5001");
  CHECK(log_texts(b, "TRACE").empty());
}

TEST_CASE("TRACE: an unconditional ACCEPT is named like a chain tail", "[engine][trace]") {
  // get_chainname_rulenum calls any unconditional rule with a standard verdict < 0 the tail.
  Rules r;
  r.add(T::Raw, "PREROUTING", rule({}, ext(ir::TraceTarget{})));
  r.add(T::Raw, "PREROUTING", rule({}, accept()));
  Run run(r.rs);
  auto a = run("in=eth1 src=8.8.8.8 dst=10.0.0.1 proto=udp dport=5000");
  CHECK(log_texts(a, "TRACE") == S{"raw:PREROUTING:policy:2"});
}

TEST_CASE("AUDIT, TEE, LED and ULOG continue and are reported", "[engine][audit]") {
  Rules r;
  ir::AuditTarget au;
  au.type = ir::AuditTarget::Type::Drop;
  ir::TeeTarget tee;
  tee.gw = ip(10, 0, 0, 99);
  ir::LedTarget led;
  led.id = "ssh";
  ir::UlogTarget ul;
  ul.prefix = "u: ";
  r.add(T::Mangle, "PREROUTING", rule({}, ext(tee)));
  r.add(T::Filter, "INPUT", rule({}, ext(au)));
  r.add(T::Filter, "INPUT", rule({}, ext(led)));
  r.add(T::Filter, "INPUT", rule({}, ext(ul)));
  r.add(T::Filter, "INPUT", rule({}, drop()));
  Run run(r.rs);
  auto a = run("in=eth1 src=8.8.8.8 dst=10.0.0.1 proto=udp dport=5000 mark=5");
  CHECK(matched(a).size() == 5);
  CHECK(a.verdict == Verdict::Drop);
  CHECK(log_texts(a, "TEE") == S{"copy to 10.0.0.99"});
  // audit_tg: mark, saddr, daddr, proto.
  CHECK(log_texts(a, "AUDIT") == S{"NETFILTER_PKT mark=0x5 saddr=8.8.8.8 daddr=10.0.0.1 proto=17"});
  CHECK(log_texts(a, "LED") == S{"netfilter-ssh"});
  CHECK(log_texts(a, "ULOG") == S{"u: "});
}

TEST_CASE("SYNPROXY drops SYNs and bare ACKs, lets the rest continue", "[engine][synproxy]") {
  Rules r;
  r.add(T::Filter, "INPUT", rule({tcp_dport(7000, 7000)}, ext(ir::SynproxyTarget{}), 6));
  r.add(T::Filter, "INPUT", rule({tcp_dport(7000, 7000)}, accept(), 6));
  Run run(r.rs);
  CHECK(run("in=eth1 src=8.8.8.8 dst=10.0.0.1 sport=40000 dport=7000 flags=S").verdict == Verdict::Drop);
  CHECK(run("in=eth1 src=8.8.8.8 dst=10.0.0.1 sport=40001 dport=7000 flags=A").verdict == Verdict::Drop);
  auto f = run("in=eth1 src=8.8.8.8 dst=10.0.0.1 sport=40002 dport=7000 flags=FA");
  CHECK(f.verdict == Verdict::Accept);
  CHECK(matched(f) == S{"filter/INPUT#1", "filter/INPUT#2"});
  // SYN+ACK is neither case.
  CHECK(run("in=eth1 src=8.8.8.8 dst=10.0.0.1 sport=40003 dport=7000 flags=SA").verdict == Verdict::Accept);
}

TEST_CASE("TPROXY without a transparent socket drops", "[engine][tproxy]") {
  Rules r;
  ir::TproxyTarget tp;
  tp.lport = 9999;
  tp.mark_mask = tp.mark_value = 1;
  r.add(T::Mangle, "PREROUTING", rule({tcp_dport(7001, 7001)}, ext(tp), 6));
  Run run(r.rs);
  auto a = run("in=eth1 src=8.8.8.8 dst=10.0.0.1 sport=40000 dport=7001 flags=S");
  CHECK(a.verdict == Verdict::Drop);
  CHECK_FALSE(a.delivered);
}

TEST_CASE("NETMAP maps the network part and keeps the host part", "[engine][netmap]") {
  Rules r;
  ir::NetmapTarget pre;
  pre.min_ip = ip(192, 168, 1, 0);
  pre.max_ip = ip(192, 168, 1, 255);
  ir::Rule rp = rule({}, ext(pre));
  rp.ip.dst = net(ip(10, 9, 0, 0), 24);
  r.add(T::Nat, "PREROUTING", rp);
  ir::NetmapTarget post;
  post.min_ip = ip(10, 0, 0, 16);
  post.max_ip = ip(10, 0, 0, 31);
  ir::Rule rq = rule({}, ext(post));
  rq.ip.src = net(ip(192, 168, 1, 0), 28);
  r.add(T::Nat, "POSTROUTING", rq);
  r.chain(T::Nat, "INPUT");
  r.chain(T::Nat, "OUTPUT");
  for (const char* c : {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"}) r.chain(T::Nat, c).registered = true;
  Run run(r.rs);
  // netmap_tg4: new = (addr & ~netmask) | (min_ip & netmask), netmask = ~(min_ip ^ max_ip).
  auto a = run("in=eth1 src=8.8.8.8 dst=10.9.0.7 proto=udp sport=42040 dport=9000");
  REQUIRE(a.egress);
  CHECK(a.egress->iface == "eth0");
  CHECK(a.egress->dst == ip(192, 168, 1, 7));
  CHECK(a.egress->src == ip(8, 8, 8, 8));
  auto b = run("in=eth0 src=192.168.1.5 dst=8.8.8.8 proto=udp sport=42042 dport=9001");
  REQUIRE(b.egress);
  CHECK(b.egress->src == ip(10, 0, 0, 21));
  auto c = run("in=eth0 src=192.168.1.20 dst=8.8.8.8 proto=udp sport=42043 dport=9001");
  REQUIRE(c.egress);
  CHECK(c.egress->src == ip(192, 168, 1, 20));
}
