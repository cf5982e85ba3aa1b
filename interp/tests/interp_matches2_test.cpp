// The second coverage group of matches (eval_match_group2.cpp), kind by kind. Each expectation
// follows from the kernel source named in the test (xt_string.c with skb_find_text and
// lib/ts_*.c, xt_u32.c, xt_dscp.c, xt_hl.c, xt_ecn.c, xt_esp.c, ipt_ah.c, xt_quota.c,
// xt_connbytes.c, xt_cpu.c, xt_devgroup.c, xt_cgroup.c, xt_helper.c, xt_socket.c,
// xt_cluster.c, xt_ipvs.c, lib/ctype.c), not from running this code. Default host: eth0
// 192.168.1.1/24, eth1 10.0.0.1/24, default route via eth1.
#include "interp_test_util.hpp"

using namespace iptc;
using namespace iptc::interp;
using namespace iptc::interp::test;
using T = ir::TableKind;

namespace {

constexpr const char* kIn = "in=eth0 src=192.168.1.7 dst=192.168.1.1";

ir::StringMatch str(std::string algo, std::string pat, uint16_t from = 0, uint16_t to = 65535,
                    bool icase = false) {
  ir::StringMatch s;
  s.algo = std::move(algo);
  s.pattern = std::move(pat);
  s.from_offset = from;
  s.to_offset = to;
  s.icase = icase;
  return s;
}

ir::U32Match::Test u32test(std::vector<ir::U32Match::Location> loc, uint32_t lo, uint32_t hi) {
  ir::U32Match::Test t;
  t.location = std::move(loc);
  t.value.push_back({lo, hi});
  return t;
}

}  // namespace

TEST_CASE("string: bm and kmp, --from/--to bound the whole occurrence", "[engine][string]") {
  // "GET /" as payload of a TCP packet starts at byte 40 (20 IP + 20 TCP) and ends at 45.
  Rules r;
  r.add(T::Filter, "INPUT", rule({str("bm", "GET /")}, none()));
  r.add(T::Filter, "INPUT", rule({str("kmp", "GET /", 0, 45)}, none()));
  r.add(T::Filter, "INPUT", rule({str("bm", "GET /", 0, 44)}, none()));  // ends past to
  r.add(T::Filter, "INPUT", rule({str("kmp", "GET /", 41)}, none()));    // starts before from
  r.add(T::Filter, "INPUT", rule({str("bm", "get /", 40, 45, true)}, none()));
  r.add(T::Filter, "INPUT", rule({str("kmp", "get /")}, none()));        // case matters
  ir::StringMatch inv = str("kmp", "POST");
  inv.invert = true;
  r.add(T::Filter, "INPUT", rule({inv}, none()));
  Run run(r.rs);
  CHECK(matched(run(std::string(kIn) + " dport=80 flags=PA payload=474554202f")) ==
        S{"filter/INPUT#1", "filter/INPUT#2", "filter/INPUT#5", "filter/INPUT#7"});
  // Without payload nothing is found; the inverted rule matches.
  CHECK(matched(run(std::string(kIn) + " dport=80 flags=PA")) == S{"filter/INPUT#7"});
}

TEST_CASE("string --icase uses the kernel's Latin-1 toupper", "[engine][string]") {
  // lib/ctype.c classes 0xe9 (e acute) lower and 0xc9 upper: toupper(0xe9) == 0xc9. 0xdf is
  // lower too, so toupper(0xdf) == 0xbf.
  Rules r;
  r.add(T::Filter, "INPUT", rule({str("kmp", "\xe9", 0, 65535, true)}, none()));
  r.add(T::Filter, "INPUT", rule({str("bm", "\xdf", 0, 65535, true)}, none()));
  Run run(r.rs);
  CHECK(matched(run(std::string(kIn) + " proto=udp payload=c9")) == S{"filter/INPUT#1"});
  CHECK(matched(run(std::string(kIn) + " proto=udp payload=bf")) == S{"filter/INPUT#2"});
  CHECK(matched(run(std::string(kIn) + " proto=udp payload=41")).empty());
}

TEST_CASE("u32: words, operators, @ and reads beyond the packet", "[engine][u32]") {
  using Op = ir::U32Match::Op;
  Rules r;
  ir::U32Match proto;  // "6&0xFF=6": the word at 6 holds frag, TTL, protocol
  proto.tests.push_back(u32test({{Op::And, 6}, {Op::And, 0xff}}, 6, 6));
  ir::U32Match sport;  // "0>>22&0x3C@0>>16=40000": jump over the IP header, source port
  sport.tests.push_back(
      u32test({{Op::And, 0}, {Op::RightShift, 22}, {Op::And, 0x3c}, {Op::At, 0}, {Op::RightShift, 16}},
              40000, 40000));
  ir::U32Match beyond;  // "40=0:0xffffffff": a 40-byte packet has no word at 40
  beyond.tests.push_back(u32test({{Op::And, 40}}, 0, 0xffffffff));
  ir::U32Match beyond_inv = beyond;
  beyond_inv.invert = true;
  ir::U32Match last;  // "36=0:0xffffffff": the last whole word
  last.tests.push_back(u32test({{Op::And, 36}}, 0, 0xffffffff));
  r.add(T::Filter, "INPUT", rule({proto}, none()));
  r.add(T::Filter, "INPUT", rule({sport}, none()));
  r.add(T::Filter, "INPUT", rule({beyond}, none()));
  r.add(T::Filter, "INPUT", rule({beyond_inv}, none()));
  r.add(T::Filter, "INPUT", rule({last}, none()));
  Run run(r.rs);
  CHECK(matched(run(std::string(kIn) + " dport=22")) ==
        S{"filter/INPUT#1", "filter/INPUT#2", "filter/INPUT#4", "filter/INPUT#5"});
  CHECK(matched(run(std::string(kIn) + " dport=22 sport=1")) ==
        S{"filter/INPUT#1", "filter/INPUT#4", "filter/INPUT#5"});
  // UDP: 28 bytes; the word at 36 is missing too.
  CHECK(matched(run(std::string(kIn) + " proto=udp")) == S{"filter/INPUT#2", "filter/INPUT#4"});
}

TEST_CASE("dscp, tos, ttl, ecn read the IP and TCP headers", "[engine][dscp][tos][ttl][ecn]") {
  Rules r;
  ir::DscpMatch ef;
  ef.dscp = 46;
  ir::TosMatch tos;
  tos.value = 0x10;
  tos.mask = 0x3f;
  ir::TtlMatch lt;
  lt.mode = ir::TtlMatch::Mode::Lt;
  lt.ttl = 10;
  ir::TtlMatch ne;
  ne.mode = ir::TtlMatch::Mode::Ne;
  ne.ttl = 64;
  ir::EcnMatch ect1;
  ect1.operation = ir::EcnMatch::kMatchIp;
  ect1.ip_ect = 1;
  ir::EcnMatch ece_not_cwr;
  ece_not_cwr.operation = ir::EcnMatch::kMatchEce | ir::EcnMatch::kMatchCwr;
  ece_not_cwr.invert = ir::EcnMatch::kMatchCwr;
  r.add(T::Filter, "INPUT", rule({ef}, none()));
  r.add(T::Filter, "INPUT", rule({tos}, none()));
  r.add(T::Filter, "INPUT", rule({lt}, none()));
  r.add(T::Filter, "INPUT", rule({ne}, none()));
  r.add(T::Filter, "INPUT", rule({ect1}, none()));
  r.add(T::Filter, "INPUT", rule({ece_not_cwr}, none(), 6));
  Run run(r.rs);
  // tos 0xb9 = DSCP 46 (EF), ECN 1; 0xb9 & 0x3f = 0x39.
  CHECK(matched(run(std::string(kIn) + " tos=0xb9 ttl=9 flags=SE")) ==
        S{"filter/INPUT#1", "filter/INPUT#3", "filter/INPUT#4", "filter/INPUT#5", "filter/INPUT#6"});
  CHECK(matched(run(std::string(kIn) + " tos=0x50 flags=SEC")) == S{"filter/INPUT#2"});
}

TEST_CASE("esp and ah: SPI ranges; a cut header drops the packet", "[engine][esp][ah]") {
  Rules r;
  ir::EspMatch esp;
  esp.spi_min = 256;
  esp.spi_max = 511;
  ir::AhMatch ah;
  ah.spi_min = ah.spi_max = 7;
  ah.invert = true;
  r.add(T::Filter, "INPUT", rule({esp}, none(), 50));
  r.add(T::Filter, "INPUT", rule({ah}, none(), 51));
  Run run(r.rs);
  CHECK(matched(run(std::string(kIn) + " proto=esp spi=300")) == S{"filter/INPUT#1"});
  CHECK(matched(run(std::string(kIn) + " proto=esp spi=512")).empty());
  CHECK(matched(run(std::string(kIn) + " proto=ah spi=7")).empty());
  CHECK(matched(run(std::string(kIn) + " proto=ah")) == S{"filter/INPUT#2"});  // spi 1
  // 4 of the 8 ESP header bytes: skb_header_pointer fails, hotdrop.
  auto cut = run(std::string(kIn) + " proto=esp spi=300 len=24");
  CHECK(cut.verdict == Verdict::Drop);
  CHECK(matched(cut).empty());
}

TEST_CASE("quota: the budget shrinks per matching evaluation, then stays 0",
          "[engine][quota]") {
  Rules r;
  ir::QuotaMatch q;
  q.quota = 100;
  ir::QuotaMatch qi = q;
  qi.invert = true;
  r.add(T::Filter, "INPUT", rule({q}, none()));
  r.add(T::Filter, "INPUT", rule({qi}, none()));
  Run run(r.rs);
  // 40-byte TCP packets: 100 -> 60 -> 20, then 20 < 40 sets it to 0; a 20-byte packet no
  // longer fits either.
  std::string p = std::string(kIn) + " dport=22";
  CHECK(matched(run(p)) == S{"filter/INPUT#1"});
  CHECK(matched(run(p)) == S{"filter/INPUT#1"});
  CHECK(matched(run(p)) == S{"filter/INPUT#2"});
  CHECK(matched(run(std::string(kIn) + " proto=47")) == S{"filter/INPUT#2"});
}

TEST_CASE("connbytes reads conntrack accounting, this packet included", "[engine][connbytes]") {
  using C = ir::ConnbytesMatch;
  Rules r;
  C pk2;  // --connbytes 2:3 --connbytes-dir original --connbytes-mode packets
  pk2.from = 2;
  pk2.to = 3;
  C both_bytes;  // --connbytes 60: --connbytes-dir both --connbytes-mode bytes (to 0 = no limit
                 // in iptables is stored as UINT64_MAX; here an explicit large bound)
  both_bytes.from = 60;
  both_bytes.to = ~uint64_t{0};
  both_bytes.what = C::What::Bytes;
  both_bytes.direction = C::Dir::Both;
  C inv;  // ! --connbytes 2:3 --connbytes-dir reply --connbytes-mode avgpkt (stored swapped)
  inv.from = 3;
  inv.to = 2;
  inv.what = C::What::AvgPkt;
  inv.direction = C::Dir::Reply;
  r.add(T::Filter, "INPUT", rule({pk2}, none()));
  r.add(T::Filter, "INPUT", rule({both_bytes}, none()));
  r.add(T::Filter, "INPUT", rule({inv}, none()));
  r.add(T::Filter, "OUTPUT", rule({pk2}, none()));
  Run run(r.rs);
  // UDP, 28 bytes each way. Reply avg of 0 packets is 0 (< 2): the inverted range holds.
  CHECK(matched(run(std::string(kIn) + " proto=udp")) == S{"filter/INPUT#3"});
  CHECK(matched(run(std::string(kIn) + " proto=udp")) == S{"filter/INPUT#1", "filter/INPUT#3"});
  // The reply: original still 2 packets; reply avg 28.
  CHECK(matched(run("src=192.168.1.1 dst=192.168.1.7 proto=udp sport=53 dport=40000")) ==
        S{"filter/OUTPUT#1"});
  // 3rd original packet: 3 in [2,3]; bytes 28*4 = 112 >= 60; reply avg 28 > 3.
  CHECK(matched(run(std::string(kIn) + " proto=udp")) ==
        S{"filter/INPUT#1", "filter/INPUT#2", "filter/INPUT#3"});
}

TEST_CASE("cpu, devgroup, cgroup read the packet's keys and the host model",
          "[engine][cpu][devgroup][cgroup]") {
  Rules r;
  ir::CpuMatch cpu1;
  cpu1.cpu = 1;
  ir::DevgroupMatch src5;
  src5.flags = ir::DevgroupMatch::kMatchSrc;
  src5.src_group = 5;
  src5.src_mask = 0xffffffff;
  ir::DevgroupMatch dst0;
  dst0.flags = ir::DevgroupMatch::kMatchDst | ir::DevgroupMatch::kInvertDst;
  dst0.dst_mask = 0xffffffff;  // ! --dst-group 0
  ir::CgroupMatch root;
  root.has_path = true;
  root.path = "/";
  ir::CgroupMatch sys;
  sys.has_path = true;
  sys.path = "//system.slice/";
  ir::CgroupMatch cls;
  cls.has_classid = true;
  cls.classid = 0x100001;
  r.add(T::Filter, "INPUT", rule({cpu1}, none()));
  r.add(T::Filter, "INPUT", rule({src5}, none()));
  r.add(T::Filter, "FORWARD", rule({dst0}, none()));
  r.add(T::Filter, "OUTPUT", rule({root}, none()));
  r.add(T::Filter, "OUTPUT", rule({sys}, none()));
  r.add(T::Filter, "OUTPUT", rule({cls}, none()));
  r.add(T::Filter, "INPUT", rule({root}, none()));
  runtime::HostParseError err;
  auto host = runtime::HostModel::parse(
      "iface eth0 192.168.1.1/24\niface eth1 10.0.0.1/24\nroute default eth1\ngroup eth0 5\n"
      "group eth1 2\n",
      err);
  REQUIRE(host);
  Run run(r.rs, *host);
  CHECK(matched(run(std::string(kIn) + " cpu=1")) == S{"filter/INPUT#1", "filter/INPUT#2"});
  CHECK(matched(run("in=eth0 src=192.168.1.7 dst=8.8.8.8")) == S{"filter/FORWARD#1"});
  // Locally generated: the socket's cgroup is "/" unless said; after lo there is no socket.
  CHECK(matched(run("dst=8.8.8.8")) == S{"filter/OUTPUT#1"});
  CHECK(matched(run("dst=8.8.8.8 cgroup=/system.slice/ssh.service classid=0x100001")) ==
        S{"filter/OUTPUT#1", "filter/OUTPUT#2", "filter/OUTPUT#3"});
  CHECK(matched(run("dst=192.168.1.1")) == S{"filter/OUTPUT#1"});
}

TEST_CASE("helper, socket, ipvs on a host without helpers, sockets or IPVS",
          "[engine][helper][socket][ipvs]") {
  Rules r;
  ir::HelperMatch ftp;
  ftp.name = "ftp";
  ir::HelperMatch not_ftp = ftp;
  not_ftp.invert = true;
  ir::SocketMatch sock;
  ir::IpvsMatch prop;
  prop.bitmask = prop.invert = ir::IpvsMatch::kIpvsProperty;  // ! --ipvs
  ir::IpvsMatch vport;
  vport.bitmask = ir::IpvsMatch::kVport;
  vport.invert = ir::IpvsMatch::kVport;  // ! --vport 80 still needs an IPVS packet
  vport.vport = 80;
  r.add(T::Filter, "INPUT", rule({ftp}, none()));
  r.add(T::Filter, "INPUT", rule({not_ftp}, none()));
  r.add(T::Filter, "INPUT", rule({sock}, none()));
  r.add(T::Filter, "INPUT", rule({prop}, none()));
  r.add(T::Filter, "INPUT", rule({vport}, none()));
  Run run(r.rs);
  CHECK(matched(run(std::string(kIn) + " dport=21")) == S{"filter/INPUT#2", "filter/INPUT#4"});
}

TEST_CASE("cluster: untracked packets never match; one node takes all", "[engine][cluster]") {
  Rules r;
  ir::ClusterMatch one;
  one.total_nodes = 1;
  one.node_mask = 1;
  ir::ClusterMatch none_of_two;
  none_of_two.total_nodes = 2;
  none_of_two.node_mask = 0;
  none_of_two.invert = true;
  r.add(T::Raw, "PREROUTING", rule({}, ext(ir::NotrackTarget{}), 47));
  r.add(T::Filter, "INPUT", rule({one}, none()));
  r.add(T::Filter, "INPUT", rule({none_of_two}, none()));
  Run run(r.rs);
  CHECK(matched(run(std::string(kIn) + " dport=22")) == S{"filter/INPUT#1", "filter/INPUT#2"});
  // NOTRACK: nf_ct_get gives NULL, false before the invert is applied.
  CHECK(matched(run(std::string(kIn) + " proto=47")) == S{"raw/PREROUTING#1"});
}
