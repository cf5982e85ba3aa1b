// Tests of eval_match_state.cpp: recent, hashlimit and connlimit. Expected outcomes follow the
// kernel sources (xt_recent.c, xt_hashlimit.c revision 3, xt_connlimit.c + nf_conncount.c at
// HZ 250), worked out by hand in the comments.
#include "interp_test_util.hpp"

namespace iptc::interp::test {
namespace {

using T = ir::TableKind;

ir::RecentMatch recent(uint8_t check_set, std::string name = "A") {
  ir::RecentMatch r;
  r.check_set = check_set;
  r.name = std::move(name);
  return r;
}

/// Runs a whole packets file (sleep lines included) and returns the matched rules per packet.
std::vector<S> run_file(const ir::Ruleset& rs, std::string_view text, EngineOptions o = {}) {
  runtime::HostModel host = runtime::HostModel::default_model();
  Engine e(rs, host, o);
  std::vector<S> out;
  for (const auto& r : e.run(lines(text, host))) out.push_back(matched(r));
  return out;
}

constexpr const char* kX = "in=eth0 src=192.168.1.7 dst=192.168.1.1 ";
constexpr const char* kY = "in=eth0 src=192.168.1.8 dst=192.168.1.1 ";

}  // namespace

TEST_CASE("recent: --set then --rcheck --seconds --hitcount counts fresh stamps", "[recent]") {
  using R = ir::RecentMatch;
  Rules r;
  auto check = recent(R::kCheck);
  check.seconds = 10;
  check.hit_count = 2;
  r.add(T::Raw, "PREROUTING", rule({recent(R::kSet)}, none()));
  r.add(T::Raw, "PREROUTING", rule({check}, none()));
  std::string f = std::string(kX) + "\n" + kX + "\nsleep 11\n" + kX + "\n" + kX + "\n" + kY + "\n";
  auto m = run_file(r.rs, f);
  REQUIRE(m.size() == 5);
  CHECK(m[0] == S{"raw/PREROUTING#1"});                      // one stamp
  CHECK(m[1] == S{"raw/PREROUTING#1", "raw/PREROUTING#2"});  // two stamps within 10 s
  CHECK(m[2] == S{"raw/PREROUTING#1"});  // the first two are 11 s old: one fresh stamp
  CHECK(m[3] == S{"raw/PREROUTING#1", "raw/PREROUTING#2"});
  CHECK(m[4] == S{"raw/PREROUTING#1"});  // another address has its own entry
}

TEST_CASE("recent: --rttl, --remove, the first rule's --mask, --rdest", "[recent]") {
  using R = ir::RecentMatch;
  Rules r;
  auto set = recent(R::kSet, "M");
  set.side = R::Side::Dest;
  auto ttl = recent(R::kCheck | R::kTtl, "M");
  ttl.side = R::Side::Dest;
  ttl.mask = 0xffffff00;  // the first rule naming M (raw PREROUTING comes before OUTPUT)
  auto rm = recent(R::kRemove, "M");
  rm.side = R::Side::Dest;
  r.add(T::Raw, "OUTPUT", rule({set}, none()));  // only local packets set
  r.add(T::Raw, "PREROUTING", rule({ttl}, none()));
  r.add(T::Raw, "PREROUTING", rule({rm}, none(), 17));
  // A local packet to 10.0.0.9 (ttl 64) lists 10.0.0.0 (mask /24, the list's); arriving
  // packets to 10.0.0.77 hit it only with the same TTL; a udp one removes it.
  std::string f =
      "dst=10.0.0.9\n"
      "in=eth0 src=192.168.1.7 dst=10.0.0.77 ttl=63\n"
      "in=eth0 src=192.168.1.7 dst=10.0.0.77 ttl=64\n"
      "in=eth0 src=192.168.1.7 dst=10.0.0.77 proto=udp\n"
      "in=eth0 src=192.168.1.7 dst=10.0.0.77 ttl=64\n";
  auto m = run_file(r.rs, f);
  REQUIRE(m.size() == 5);
  CHECK(m[0] == S{"raw/OUTPUT#1"});
  CHECK(m[1].empty());
  CHECK(m[2] == S{"raw/PREROUTING#1"});
  CHECK(m[3] == S{"raw/PREROUTING#1", "raw/PREROUTING#2"});
  CHECK(m[4].empty());
}

TEST_CASE("recent: a list keeps 100 addresses, the least recently seen goes", "[recent]") {
  using R = ir::RecentMatch;
  Rules r;
  r.add(T::Raw, "PREROUTING", rule({recent(R::kCheck)}, none()));
  r.add(T::Raw, "PREROUTING", rule({recent(R::kSet)}, none()));
  std::string f;
  for (int i = 1; i <= 101; ++i) f += "in=eth0 src=172.16.0." + std::to_string(i) + " dst=192.168.1.1\n";
  // .1 comes back (evicting the then oldest, .2); .3 is still listed.
  f += "in=eth0 src=172.16.0.1 dst=192.168.1.1\nin=eth0 src=172.16.0.3 dst=192.168.1.1\n";
  auto m = run_file(r.rs, f);
  REQUIRE(m.size() == 103);
  CHECK(m[101] == S{"raw/PREROUTING#2"});                      // .1 was evicted by .101
  CHECK(m[102] == S{"raw/PREROUTING#1", "raw/PREROUTING#2"});
}

TEST_CASE("recent: --update refreshes only on a hit; --reap drops a stale head", "[recent]") {
  using R = ir::RecentMatch;
  Rules r;
  auto upd = recent(R::kUpdate | R::kReap);
  upd.seconds = 5;
  r.add(T::Raw, "PREROUTING", rule({upd}, none()));
  r.add(T::Raw, "PREROUTING", rule({recent(R::kSet)}, none(), 17));
  // t=0: Y set (udp); t=1: X set; t=7: X update: its stamp is 6 s old, no hit; reap looks at
  // the LRU head Y (stamp 0, older than 7-5) and drops it; then X set again; t=8: Y update:
  // gone; X update (stamp 7): hit.
  std::string f = std::string(kY) + "proto=udp\nsleep 1\n" + kX + "proto=udp\nsleep 6\n" + kX +
                  "\n" + kX + "proto=udp\nsleep 1\n" + kY + "\n" + kX + "\n";
  auto m = run_file(r.rs, f);
  REQUIRE(m.size() == 6);
  CHECK(m[2].empty());
  CHECK(m[3] == S{"raw/PREROUTING#2"});
  CHECK(m[4].empty());
  CHECK(m[5] == S{"raw/PREROUTING#1"});
}

TEST_CASE("hashlimit: per-source buckets, refill, --hashlimit-above", "[hashlimit]") {
  using H = ir::HashlimitMatch;
  ir::HashlimitMatch h;
  h.name = "H";
  h.avg = H::kScale;  // 1/sec
  h.burst = 2;
  h.mode = H::kHashSrcIp;
  h.expire = 10000;
  ir::HashlimitMatch above = h;
  above.mode |= H::kInvert;  // same table, inverted result
  Rules r;
  r.add(T::Raw, "PREROUTING", rule({h}, none()));
  // Bucket of 2: two packets pass, the third is over; 1 s refills exactly one packet
  // (250 jiffies * 2^39 credits >= cost 10^6 * 137438953).
  std::string f = std::string(kX) + "\n" + kX + "\n" + kX + "\n" + kY + "\nsleep 1\n" + kX + "\n" + kX + "\n";
  auto m = run_file(r.rs, f);
  REQUIRE(m.size() == 6);
  CHECK(m[0] == S{"raw/PREROUTING#1"});
  CHECK(m[1] == S{"raw/PREROUTING#1"});
  CHECK(m[2].empty());
  CHECK(m[3] == S{"raw/PREROUTING#1"});
  CHECK(m[4] == S{"raw/PREROUTING#1"});
  CHECK(m[5].empty());

  Rules r2;
  r2.add(T::Raw, "PREROUTING", rule({above}, none()));
  auto m2 = run_file(r2.rs, std::string(kX) + "\n" + kX + "\n" + kX + "\n");
  CHECK(m2 == std::vector<S>{{}, {}, {"raw/PREROUTING#1"}});
}

TEST_CASE("hashlimit: garbage collection frees expired flows (a fresh full bucket)", "[hashlimit]") {
  using H = ir::HashlimitMatch;
  auto make = [](uint32_t expire) {
    ir::HashlimitMatch h;
    h.name = "G";
    h.avg = H::kScale * 60;  // 1/minute
    h.burst = 1;
    h.mode = H::kHashSrcIp;
    h.expire = expire;
    h.gc_interval = 1000;
    return h;
  };
  std::string f = std::string(kX) + "\n" + kX + "\nsleep 3\n" + kX + "\n";
  for (uint32_t expire : {1000u, 60000u}) {
    Rules r;
    r.add(T::Raw, "PREROUTING", rule({make(expire)}, none()));
    auto m = run_file(r.rs, f);
    REQUIRE(m.size() == 3);
    CHECK(m[0] == S{"raw/PREROUTING#1"});
    CHECK(m[1].empty());
    // expire 1 s: the gc at 1 s (or 2 s) freed the flow, which starts again full; 60 s: 3 s
    // refill only 1/20 of a packet.
    CHECK(m[2] == (expire == 1000 ? S{"raw/PREROUTING#1"} : S{}));
  }
}

TEST_CASE("hashlimit: byte mode costs 16-byte chunks", "[hashlimit]") {
  using H = ir::HashlimitMatch;
  ir::HashlimitMatch h;
  h.name = "B";
  // 1000 bytes/s: iptables sends UINT32_MAX / (1000 / 16 + 1) and no burst.
  h.avg = 0xFFFFFFFFull / (1000 / 16 + 1);
  h.burst = 0;
  h.mode = H::kHashSrcIp | H::kBytes;
  h.expire = 10000;
  Rules r;
  r.add(T::Raw, "PREROUTING", rule({h}, none()));
  // One second of credit: 2^24 * 250 = 4194304000. A chunk costs (68174084 * 250 * 2^24) >>
  // 32 = 66576253, so a 1000-byte packet (63 chunks) takes 4194303939 and leaves 61; a
  // 100-byte one (7 chunks) is then over; one second later the bucket is full again.
  std::string f = std::string(kX) + "len=1000\n" + kX + "len=100\nsleep 1\n" + kX + "len=1000\n";
  auto m = run_file(r.rs, f);
  CHECK(m == std::vector<S>{{"raw/PREROUTING#1"}, {}, {"raw/PREROUTING#1"}});
}

TEST_CASE("connlimit: connections per source, dead ones collected a jiffy later", "[connlimit]") {
  ir::ConnlimitMatch c;
  c.limit = 1;  // --connlimit-above 1
  c.mask = 0xffffff00;
  Rules r;
  r.add(T::Filter, "INPUT", rule({c}, drop(), 6));
  std::string f =
      "in=eth0 src=192.168.1.7 dst=192.168.1.1 sport=1001\n"   // count 1: accepted
      "sleep 0.1\n"
      "in=eth0 src=192.168.1.8 dst=192.168.1.1 sport=1002\n"   // same /24: count 2, dropped
      "sleep 0.1\n"
      // conn 1 again (no reply yet): the walk stops at conn 1 itself, before conn 2's dead
      // entry, so the count stays 2 (as the kernel recording of tests/kernel hand/connlimit)
      "in=eth0 src=192.168.1.7 dst=192.168.1.1 sport=1001 flags=A\n"
      "sleep 0.1\n"
      "in=eth0 src=192.168.1.9 dst=192.168.1.1 sport=1003\n"   // conn 2 is gone: count 2
      "in=eth1 src=10.0.0.7 dst=192.168.1.1 sport=1004\n";      // other key: 1
  runtime::HostModel host = runtime::HostModel::default_model();
  Engine e(r.rs, host);
  auto res = e.run(lines(f, host));
  REQUIRE(res.size() == 5);
  CHECK(res[0].verdict == Verdict::Accept);
  CHECK(res[1].verdict == Verdict::Drop);
  CHECK(res[2].verdict == Verdict::Drop);
  CHECK(res[3].verdict == Verdict::Drop);
  CHECK(res[4].verdict == Verdict::Accept);
}

}  // namespace iptc::interp::test
