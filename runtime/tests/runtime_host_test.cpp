// The host model against the real kernel: the expected values below were recorded with
// `ip route get` and `ip route show table local` in a scratch network namespace holding the
// same interfaces, addresses and routes (Linux 6.18), plus parser errors with their lines.
#include <catch2/catch.hpp>

#include "iptc/runtime/host.hpp"
#include "test_util.hpp"

using namespace iptc::runtime;
using namespace rt_test;

namespace {

const char* kHost = R"(# a host like the recorded namespace
iface eth0 192.168.1.1/24 192.168.1.50/24 10.5.0.1/16
iface eth1 10.0.0.1/24
iface eth2 172.16.0.1/32
iface eth3
route default eth1 via 10.0.0.254
route 172.20.0.0/16 eth2
route 172.20.5.0/24 eth0 via 192.168.1.254
route 203.0.113.0/24 eth3
)";

HostModel model() {
  HostParseError err;
  auto h = HostModel::parse(kHost, err);
  REQUIRE(h);
  return *h;
}

}  // namespace

TEST_CASE("interfaces, indexes, secondaries", "[host]") {
  const HostModel h = model();
  REQUIRE(h.interfaces().size() == 5);
  CHECK(h.interfaces()[0].name == "lo");
  CHECK(h.ifindex("lo") == 1);
  CHECK(h.ifindex("eth0") == 2);
  CHECK(h.ifindex("eth3") == 5);
  CHECK(h.ifindex("nope") == 0);
  const Interface* e0 = h.find("eth0");
  REQUIRE(e0);
  REQUIRE(e0->addrs.size() == 3);
  CHECK_FALSE(e0->addrs[0].secondary);
  CHECK(e0->addrs[1].secondary);   // same /24 as 192.168.1.1
  CHECK_FALSE(e0->addrs[2].secondary);
  CHECK(h.primary_address("eth0") == ip("192.168.1.1"));
  CHECK_FALSE(h.primary_address("eth3"));
}

TEST_CASE("output routes as ip route get reports them", "[host]") {
  const HostModel h = model();
  struct Case {
    const char* dst;
    AddrType type;
    const char* dev;
    const char* via;  // "" = none
    const char* src;
  };
  const Case cases[] = {
      {"192.168.1.1", AddrType::Local, "lo", "", "192.168.1.1"},
      {"192.168.1.50", AddrType::Local, "lo", "", "192.168.1.1"},
      {"192.168.1.77", AddrType::Unicast, "eth0", "", "192.168.1.1"},
      {"192.168.1.255", AddrType::Broadcast, "eth0", "", "192.168.1.1"},
      {"192.168.1.0", AddrType::Unicast, "eth0", "", "192.168.1.1"},
      {"10.5.255.255", AddrType::Broadcast, "eth0", "", "10.5.0.1"},
      {"10.5.3.3", AddrType::Unicast, "eth0", "", "10.5.0.1"},
      {"10.0.0.9", AddrType::Unicast, "eth1", "", "10.0.0.1"},
      {"172.16.0.1", AddrType::Local, "lo", "", "172.16.0.1"},
      {"172.20.1.1", AddrType::Unicast, "eth2", "", "172.16.0.1"},
      {"172.20.5.9", AddrType::Unicast, "eth0", "192.168.1.254", "192.168.1.1"},
      {"203.0.113.5", AddrType::Unicast, "eth3", "", "192.168.1.1"},
      {"8.8.8.8", AddrType::Unicast, "eth1", "10.0.0.254", "10.0.0.1"},
      {"127.0.0.1", AddrType::Local, "lo", "", "127.0.0.1"},
      {"127.5.5.5", AddrType::Local, "lo", "", "127.0.0.1"},
      {"127.255.255.255", AddrType::Broadcast, "lo", "", "127.0.0.1"},
      {"255.255.255.255", AddrType::Broadcast, "eth1", "", "10.0.0.1"},
      {"224.0.0.1", AddrType::Multicast, "eth1", "", "10.0.0.1"},
  };
  for (const Case& c : cases) {
    INFO(c.dst);
    const RouteResult r = h.route_output(ip(c.dst));
    CHECK_FALSE(r.unreachable);
    CHECK(r.type == c.type);
    CHECK(r.iface == c.dev);
    if (*c.via)
      CHECK(r.gateway == ip(c.via));
    else
      CHECK_FALSE(r.gateway);
    CHECK(r.prefsrc == ip(c.src));
  }
}

TEST_CASE("input routes and martians", "[host]") {
  const HostModel h = model();
  RouteResult r = h.route_input(ip("8.8.8.8"), ip("10.0.0.77"), "eth1");
  CHECK_FALSE(r.local);
  CHECK_FALSE(r.martian);
  CHECK(r.iface == "eth1");
  CHECK(r.gateway == ip("10.0.0.254"));
  r = h.route_input(ip("192.168.1.1"), ip("10.0.0.77"), "eth1");
  CHECK(r.local);
  CHECK(r.type == AddrType::Local);
  r = h.route_input(ip("192.168.1.255"), ip("10.0.0.77"), "eth1");
  CHECK(r.local);
  CHECK(r.type == AddrType::Broadcast);
  r = h.route_input(ip("172.20.5.9"), ip("10.0.0.77"), "eth1");
  CHECK(r.iface == "eth0");
  CHECK(r.gateway == ip("192.168.1.254"));
  // RTNETLINK answers: Invalid argument, for each of these.
  CHECK(h.route_input(ip("8.8.8.8"), ip("192.168.1.1"), "eth1").martian);
  CHECK(h.route_input(ip("127.0.0.1"), ip("10.0.0.77"), "eth1").martian);
  CHECK(h.route_input(ip("8.8.8.8"), ip("0.0.0.0"), "eth1").martian);
  CHECK(h.route_input(ip("8.8.8.8"), ip("224.1.1.1"), "eth1").martian);
}

TEST_CASE("hairpin forwarding validates the source; 0.0.0.0/8 is ordinary", "[host]") {
  // Recorded with `ip route get DST from SRC iif DEV` (eth0 192.168.1.1/24, eth1 10.0.0.1/24,
  // default via 10.0.0.254 dev eth1, ip_forward=1; Linux 6.18).
  const HostModel h = model();
  // Back out the arrival device: a broadcast address of ours as source is refused (EINVAL) ...
  CHECK(h.route_input(ip("8.8.8.8"), ip("10.0.0.255"), "eth1").martian);
  CHECK(h.route_input(ip("8.8.8.8"), ip("192.168.1.255"), "eth1").martian);
  // ... but not when the route leaves by another device, nor a network address (no longer in
  // the local table), nor a source in 0.0.0.0/8.
  RouteResult r = h.route_input(ip("8.8.8.8"), ip("192.168.1.255"), "eth0");
  CHECK_FALSE(r.martian);
  CHECK(r.iface == "eth1");
  CHECK_FALSE(h.route_input(ip("10.0.0.9"), ip("10.0.0.0"), "eth1").martian);
  CHECK_FALSE(h.route_input(ip("8.8.8.8"), ip("0.1.2.3"), "eth1").martian);
  r = h.route_input(ip("10.0.0.1"), ip("0.1.2.3"), "eth0");
  CHECK(r.local);
  CHECK_FALSE(r.martian);
  r = h.route_input(ip("0.1.2.3"), ip("10.0.0.9"), "eth1");
  CHECK_FALSE(r.martian);
  CHECK(r.gateway == ip("10.0.0.254"));
}

TEST_CASE("unreachable without a default route", "[host]") {
  HostParseError err;
  auto h = HostModel::parse("iface eth0 192.168.7.1/24\n", err);
  REQUIRE(h);
  CHECK(h->route(ip("8.8.8.8")).unreachable);
  CHECK(h->route(ip("192.168.7.9")).iface == "eth0");
}

TEST_CASE("local addresses and address types", "[host]") {
  const HostModel h = model();
  CHECK(h.is_local(ip("192.168.1.50")));
  CHECK(h.is_local(ip("10.5.255.255")));
  CHECK(h.is_local(ip("127.9.9.9")));
  CHECK(h.is_local(ip("255.255.255.255")));
  CHECK_FALSE(h.is_local(ip("192.168.1.0")));
  CHECK_FALSE(h.is_local(ip("8.8.8.8")));
  // inet_addr_type: 0.0.0.0 (ipv4_is_zeronet, since Linux 5.3) and limited broadcast are
  // BROADCAST, 224/4 MULTICAST, then the local table; restricted to a device, a route of
  // another device reads as UNICAST.
  CHECK(h.addr_type(ip("0.0.0.0")) == AddrType::Broadcast);
  CHECK(h.addr_type(ip("0.1.2.3")) == AddrType::Unicast);
  CHECK(h.addr_type(ip("255.255.255.255")) == AddrType::Broadcast);
  CHECK(h.addr_type(ip("239.1.1.1")) == AddrType::Multicast);
  CHECK(h.addr_type(ip("10.0.0.1")) == AddrType::Local);
  CHECK(h.addr_type(ip("10.0.0.255")) == AddrType::Broadcast);
  CHECK(h.addr_type(ip("10.0.0.2")) == AddrType::Unicast);
  CHECK(h.addr_type(ip("10.0.0.1"), "eth1") == AddrType::Local);
  CHECK(h.addr_type(ip("10.0.0.1"), "eth0") == AddrType::Unicast);
  CHECK(h.addr_type(ip("127.0.0.1"), "lo") == AddrType::Local);
}

TEST_CASE("inet_select_addr", "[host]") {
  const HostModel h = model();
  CHECK(h.select_source("eth0", ip("10.5.1.1")) == ip("10.5.0.1"));   // same subnet
  CHECK(h.select_source("eth0", ip("8.8.8.8")) == ip("192.168.1.1"));  // first primary
  CHECK(h.select_source("eth0", ip("192.168.1.9")) == ip("192.168.1.1"));
  CHECK(h.select_source("eth3", ip("203.0.113.1")) == ip("192.168.1.1"));  // any device
  CHECK(h.select_source("eth2", ip("172.20.0.9")) == ip("172.16.0.1"));
}

TEST_CASE("default model", "[host]") {
  const HostModel h = HostModel::default_model();
  CHECK(h.find("eth0"));
  CHECK(h.find("eth1"));
  CHECK(h.find("lo"));
  CHECK(h.route(ip("8.8.8.8")).iface == "eth1");
  CHECK(h.route(ip("192.168.1.20")).iface == "eth0");
  CHECK(h.route_output(ip("8.8.8.8")).prefsrc == ip("10.0.0.1"));
  CHECK(h.is_local(ip("192.168.1.1")));
}

TEST_CASE("parser errors carry their line", "[host]") {
  struct Bad {
    const char* text;
    uint32_t line;
    const char* needle;
  };
  const Bad bad[] = {
      {"iface eth0 192.168.1.1/24\nifcae eth1\n", 2, "unknown item"},
      {"iface eth0 192.168.1.300/24\n", 1, "invalid IPv4 address"},
      {"iface eth0 192.168.1.1/33\n", 1, "prefix length"},
      {"iface eth0 192.168.1.1\n", 1, "ADDRESS/LENGTH"},
      {"# c\n\niface eth0 10.0.0.1/8\niface eth0 10.0.0.2/8\n", 4, "declared twice"},
      {"iface eth0 10.0.0.1/8\nroute 10.1.0.0/8 eth0\n", 2, "host bits"},
      {"iface eth0 10.0.0.1/8\nroute default eth9\n", 2, "unknown interface"},
      {"iface eth0 10.0.0.1/8\nroute default eth0 via 11.0.0.1\n", 2, "not on a subnet"},
      {"iface eth0 10.0.0.1/8\nroute default eth0 gw 10.0.0.2\n", 2, "expected 'via'"},
      {"iface\n", 1, "interface name"},
  };
  for (const Bad& b : bad) {
    INFO(b.text);
    HostParseError err;
    CHECK_FALSE(HostModel::parse(b.text, err));
    CHECK(err.line == b.line);
    CHECK(err.message.find(b.needle) != std::string::npos);
  }
  HostParseError err;
  auto ok = HostModel::parse("iface eth0 10.0.0.1/8  # trailing comment\n  \nroute default eth0\n", err);
  CHECK(ok);
}
