// ChainRunner: one built-in chain for prepared packets. Expectations follow ipt_do_table
// (first matching terminal rule decides, the policy otherwise; a rule in a user chain decides
// from there), and a prepared packet runs the same way every time (targets rewrite a copy).
#include "interp_test_util.hpp"

#include "iptc/interp/chain_runner.hpp"

using namespace iptc;
using namespace iptc::interp;
using namespace iptc::interp::test;
using T = ir::TableKind;

TEST_CASE("chain runner: first match, policy, user chains", "[chain_runner]") {
  Rules r;
  r.policy(T::Filter, "FORWARD", ir::Policy::Drop);
  ir::Rule a = rule({tcp_dport(22, 22)}, accept(), 6);
  a.ip.src = net(ip(10, 0, 0, 0), 8);
  r.add(T::Filter, "FORWARD", a);
  r.add(T::Filter, "FORWARD", rule({}, jump("U"), 17));
  r.add(T::Filter, "FORWARD", rule({tcp_dport(1, 1000)}, accept(), 6));
  r.add(T::Filter, "U", rule({udp_dport(53)}, drop(), 17));

  ChainRunner run(r.rs, T::Filter, ir::Hook::Forward);
  auto host = runtime::HostModel::default_model();
  auto prep = [&](std::string_view line) {
    return run.prepare(lines(line, host)[0].packet, "eth0", "eth1");
  };
  size_t ssh_in = prep("in=eth0 src=10.1.2.3 dst=8.8.8.8 dport=22");
  size_t ssh_out = prep("in=eth0 src=11.1.2.3 dst=8.8.8.8 dport=22");
  size_t dns = prep("in=eth0 src=11.1.2.3 dst=8.8.8.8 proto=udp dport=53");
  size_t ntp = prep("in=eth0 src=11.1.2.3 dst=8.8.8.8 proto=udp dport=123");
  size_t web = prep("in=eth0 src=11.1.2.3 dst=8.8.8.8 dport=8080");
  CHECK(run.prepared() == 5);

  for (int round = 0; round < 2; ++round) {
    auto d = run.run(ssh_in);
    CHECK((d.verdict == Verdict::Accept && d.rule == 1 && d.in_base_chain));
    d = run.run(ssh_out);
    CHECK((d.verdict == Verdict::Accept && d.rule == 3 && d.in_base_chain));
    d = run.run(dns);
    CHECK((d.verdict == Verdict::Drop && d.rule == 1 && !d.in_base_chain));
    d = run.run(ntp);  // U's end returns; nothing else matches: the policy
    CHECK((d.verdict == Verdict::Drop && d.rule == 0));
    d = run.run(web);
    CHECK((d.verdict == Verdict::Drop && d.rule == 0));
  }
  TraceResult t = run.trace(dns);
  CHECK(matched(t) == S{"filter/FORWARD#2", "filter/U#1"});
  CHECK(t.verdict == Verdict::Drop);
}
