// Tests of eval_match_misc.cpp: sctp, policy, rpfilter, physdev, tcpmss, time. Expected
// outcomes follow the kernel sources (xt_sctp.c, xt_policy.c, ipt_rpfilter.c, xt_physdev.c,
// xt_tcpmss.c, xt_time.c), worked out by hand.
#include "interp_test_util.hpp"

namespace iptc::interp::test {
namespace {

using T = ir::TableKind;

S one(const char* r) { return S{r}; }

}  // namespace

TEST_CASE("sctp: ports, chunk types any/all/only, flags, a packet without chunks", "[sctp]") {
  using M = ir::SctpMatch;
  auto chunks = [](std::initializer_list<uint8_t> types, uint32_t how) {
    M s;
    s.flags = M::kChunkTypes;
    s.chunk_match_type = how;
    for (uint8_t t : types) s.chunkmap[t / 32] |= 1u << (t % 32);
    return s;
  };
  M port;
  port.flags = M::kDestPorts;
  port.dpts = {80, 80};
  M data_b = chunks({0}, M::kMatchAny);
  data_b.flag_info.push_back({0, 0x02, 0x02});  // DATA with B set
  Rules r;
  r.add(T::Raw, "PREROUTING", rule({port}, none(), 132));
  r.add(T::Raw, "PREROUTING", rule({chunks({1}, M::kMatchAny)}, none(), 132));
  r.add(T::Raw, "PREROUTING", rule({chunks({0, 1}, M::kMatchAll)}, none(), 132));
  r.add(T::Raw, "PREROUTING", rule({chunks({1}, M::kMatchOnly)}, none(), 132));
  r.add(T::Raw, "PREROUTING", rule({data_b}, none(), 132));
  Run run(r.rs);
  const std::string x = "in=eth0 src=192.168.1.7 dst=192.168.1.1 proto=sctp ";
  CHECK(matched(run(x + "dport=80 chunks=INIT")) ==
        S{"raw/PREROUTING#1", "raw/PREROUTING#2", "raw/PREROUTING#4"});
  CHECK(matched(run(x + "dport=81 chunks=INIT,DATA:3")) ==
        S{"raw/PREROUTING#2", "raw/PREROUTING#3", "raw/PREROUTING#5"});
  CHECK(matched(run(x + "chunks=DATA:1,INIT")) ==  // dport 80 by default
        S{"raw/PREROUTING#1", "raw/PREROUTING#2", "raw/PREROUTING#3"});
  // No chunk header after the common header: the chunk walk hotdrops the packet.
  auto t = run(x + "dport=80");
  CHECK(matched(t) == S{"raw/PREROUTING#1"});
  CHECK(t.verdict == Verdict::Drop);
}

TEST_CASE("policy: a packet without IPsec matches only --pol none", "[policy]") {
  using P = ir::PolicyMatch;
  P none_in;
  none_in.flags = P::kIn | P::kNone;
  P ipsec_in;
  ipsec_in.flags = P::kIn;
  P ipsec_out;
  ipsec_out.flags = P::kOut | P::kStrict;
  ipsec_out.len = 1;
  Rules r;
  r.add(T::Filter, "INPUT", rule({none_in}, none()));
  r.add(T::Filter, "INPUT", rule({ipsec_in}, none()));
  r.add(T::Filter, "OUTPUT", rule({ipsec_out}, none()));
  Run run(r.rs);
  CHECK(matched(run("in=eth0 src=192.168.1.7 dst=192.168.1.1")) == one("filter/INPUT#1"));
  CHECK(matched(run("dst=10.0.0.9")).empty());
}

TEST_CASE("rpfilter: strict, --loose, --accept-local, --invert, zeronet sources", "[rpfilter]") {
  using R = ir::RpfilterMatch;
  auto rp = [](uint8_t f) {
    R r;
    r.flags = f;
    return r;
  };
  Rules r;
  r.add(T::Raw, "PREROUTING", rule({rp(0)}, none()));
  r.add(T::Raw, "PREROUTING", rule({rp(R::kLoose)}, none()));
  r.add(T::Raw, "PREROUTING", rule({rp(R::kAcceptLocal)}, none()));
  r.add(T::Raw, "PREROUTING", rule({rp(R::kInvert)}, none()));
  Run run(r.rs);
  // Default host: eth0 192.168.1.1/24, eth1 10.0.0.1/24, default via eth1.
  CHECK(matched(run("in=eth0 src=192.168.1.7 dst=192.168.1.1")) ==
        S{"raw/PREROUTING#1", "raw/PREROUTING#2", "raw/PREROUTING#3"});
  CHECK(matched(run("in=eth0 src=8.8.8.8 dst=192.168.1.1")) ==
        S{"raw/PREROUTING#2", "raw/PREROUTING#4"});  // the route back is via eth1
  CHECK(matched(run("in=eth1 src=8.8.8.8 dst=192.168.1.1")) ==
        S{"raw/PREROUTING#1", "raw/PREROUTING#2", "raw/PREROUTING#3"});
  // A local source: only --accept-local, and only on the interface holding it.
  CHECK(matched(run("in=eth0 src=192.168.1.1 dst=192.168.1.1")) ==
        S{"raw/PREROUTING#3", "raw/PREROUTING#4"});
  CHECK(matched(run("in=eth1 src=192.168.1.1 dst=192.168.1.1")) == one("raw/PREROUTING#4"));
  // 0.0.0.0 to the limited broadcast (DHCP) always passes.
  CHECK(matched(run("in=eth0 src=0.0.0.0 dst=255.255.255.255 proto=udp")) ==
        S{"raw/PREROUTING#1", "raw/PREROUTING#2", "raw/PREROUTING#3"});
}

TEST_CASE("physdev: no bridge info, bridge ports, --physdev-is-bridged", "[physdev]") {
  using P = ir::PhysdevMatch;
  P in_v;
  in_v.bitmask = P::kIn;
  in_v.physindev = "veth+";
  P not_in;
  not_in.bitmask = P::kIn;
  not_in.invert = P::kIn;
  not_in.physindev = "veth0";
  P bridged;
  bridged.bitmask = P::kBridged;
  P out1;
  out1.bitmask = P::kOut;
  out1.physoutdev = "veth1";
  Rules r;
  for (const char* c : {"PREROUTING", "FORWARD"}) {
    T t = std::string(c) == "PREROUTING" ? T::Mangle : T::Filter;
    r.add(t, c, rule({in_v}, none()));
    r.add(t, c, rule({not_in}, none()));
    r.add(t, c, rule({bridged}, none()));
    r.add(t, c, rule({out1}, none()));
  }
  Run run(r.rs);
  // Without bridge info only the inverted test matches.
  CHECK(matched(run("in=eth0 src=192.168.1.7 dst=10.0.0.9")) ==
        S{"mangle/PREROUTING#2", "filter/FORWARD#2"});
  // physout is known from FORWARD on; --physdev-in without a physin port is not tested.
  CHECK(matched(run("in=eth0 src=192.168.1.7 dst=10.0.0.9 physin=veth0 physout=veth1")) ==
        S{"mangle/PREROUTING#1", "filter/FORWARD#1", "filter/FORWARD#3", "filter/FORWARD#4"});
  CHECK(matched(run("in=eth0 src=192.168.1.7 dst=10.0.0.9 physout=veth2")) ==
        S{"mangle/PREROUTING#1", "mangle/PREROUTING#2", "filter/FORWARD#1", "filter/FORWARD#2",
          "filter/FORWARD#3"});
}

TEST_CASE("tcpmss: the MSS option, no option, a truncated header", "[tcpmss]") {
  ir::TcpmssMatch m;
  m.mss_min = 1000;
  m.mss_max = 1460;
  ir::TcpmssMatch inv = m;
  inv.invert = true;
  Rules r;
  r.add(T::Raw, "PREROUTING", rule({m}, none(), 6));
  r.add(T::Raw, "PREROUTING", rule({inv}, none(), 6));
  Run run(r.rs);
  const std::string x = "in=eth0 src=192.168.1.7 dst=192.168.1.1 dport=22 ";
  CHECK(matched(run(x + "mss=1460")) == one("raw/PREROUTING#1"));
  CHECK(matched(run(x + "mss=1500")) == one("raw/PREROUTING#2"));
  CHECK(matched(run(x)) == one("raw/PREROUTING#2"));  // no option: the inverted rule
  auto t = run(x + "len=30");  // 10 bytes of TCP header: dropped
  CHECK(matched(t).empty());
  CHECK(t.verdict == Verdict::Drop);
}

TEST_CASE("time: daytime, weekdays, monthdays, dates, --contiguous, --kerneltz", "[time]") {
  using M = ir::TimeMatch;
  M day;  // --timestart 11:00 --timestop 13:00
  day.daytime_start = 11 * 3600;
  day.daytime_stop = 13 * 3600;
  M sun;  // --weekdays Sun
  sun.weekdays_match = 1u << 7;
  M tenth;  // --monthdays 10
  tenth.monthdays_match = 1u << 10;
  M until;  // --datestop 2024-03-10T11:59:59
  until.date_stop = 1710071999;
  M night;  // --timestart 23:00 --timestop 01:00 --weekdays Sat --contiguous
  night.daytime_start = 23 * 3600;
  night.daytime_stop = 3600;
  night.weekdays_match = 1u << 6;
  night.flags = M::kContiguous;
  M night_nc = night;
  night_nc.flags = 0;
  M ktz = day;  // --timestart 12:30 --timestop 13:30 --kerneltz
  ktz.daytime_start = 12 * 3600 + 1800;
  ktz.daytime_stop = 13 * 3600 + 1800;
  ktz.flags = M::kLocalTz;
  Rules r;
  for (const M& m : {day, sun, tenth, until, night, night_nc, ktz})
    r.add(T::Raw, "PREROUTING", rule({m}, none()));
  EngineOptions o;
  o.epoch = 1710072000;  // Sunday 2024-03-10 12:00:00 UTC
  o.tz_minuteswest = -60;  // UTC+1
  runtime::HostModel host = runtime::HostModel::default_model();
  Engine e(r.rs, host, o);
  auto res = e.run(lines(
      "in=eth0 src=192.168.1.7 dst=192.168.1.1\n"
      "sleep 45000\n"  // Sunday 24:30 = Monday 00:30
      "in=eth0 src=192.168.1.7 dst=192.168.1.1\n",
      host));
  REQUIRE(res.size() == 2);
  CHECK(matched(res[0]) == S{"raw/PREROUTING#1", "raw/PREROUTING#2", "raw/PREROUTING#3",
                             "raw/PREROUTING#7"});
  // Monday 00:30: in the night window; --contiguous counts it as Sunday (not Saturday).
  CHECK(matched(res[1]).empty());
  Engine e2(r.rs, host, [] {
    EngineOptions o2;
    o2.epoch = 1710030600;  // Sunday 2024-03-10 00:30 UTC: Saturday's night with --contiguous
    return o2;
  }());
  auto res2 = e2.run(lines("in=eth0 src=192.168.1.7 dst=192.168.1.1\n", host));
  CHECK(matched(res2[0]) == S{"raw/PREROUTING#2", "raw/PREROUTING#3", "raw/PREROUTING#4",
                              "raw/PREROUTING#5"});
}

TEST_CASE("packet lines: mss, chunks, physin, physout", "[packets]") {
  runtime::HostModel host = runtime::HostModel::default_model();
  std::vector<PacketLine> out;
  std::vector<PacketParseError> errs;
  CHECK_FALSE(parse_packet_lines("in=eth0 src=1.2.3.4 dst=5.6.7.8 proto=udp mss=1400\n", host,
                                 out, errs));
  errs.clear();
  CHECK_FALSE(parse_packet_lines("dst=5.6.7.8 physin=veth0\n", host, out, errs));
  errs.clear();
  CHECK_FALSE(parse_packet_lines("in=eth0 src=1.2.3.4 dst=5.6.7.8 proto=sctp chunks=FOO\n", host,
                                 out, errs));
  errs.clear();
  out.clear();
  REQUIRE(parse_packet_lines("in=eth0 src=1.2.3.4 dst=5.6.7.8 proto=sctp chunks=INIT,0x40:7\n",
                             host, out, errs));
  REQUIRE(out[0].packet.chunks.size() == 2);
  CHECK(out[0].packet.chunks[1] == std::pair<uint8_t, uint8_t>{64, 7});
  CHECK(out[0].packet.total_len() == 20 + 12 + 8);
}

}  // namespace iptc::interp::test
