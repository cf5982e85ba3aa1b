// ir/src/values.cpp: libxtables' value rules. Every expected value is derived from the C code of
// iptables 1.8.9 (libxtables/xtables.c, xtoptions.c) and glibc's strtoumax/getservbyname/
// getprotobyname/getnetbyname over Debian's netbase files, as cited per section, and several were
// confirmed against a real iptables-restore load; none comes from running iptc.
#include <catch2/catch.hpp>

#include "iptc/ir/values.hpp"

using namespace iptc::ir;

namespace {
constexpr uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | d;
}
}  // namespace

// xtables_strtoul: skip isspace(), refuse '-', strtoumax(s, &end, 0), the whole string must
// convert, ERANGE refused, min <= v and (max == 0 or v <= max).
TEST_CASE("parse_uint follows xtables_strtoul", "[values]") {
  CHECK(parse_uint("0", 0, 0) == 0u);
  CHECK(parse_uint("10", 0, 0) == 10u);
  CHECK(parse_uint("0x1F", 0, 0) == 31u);      // base 0: hex
  CHECK(parse_uint("0X1f", 0, 0) == 31u);
  CHECK(parse_uint("010", 0, 0) == 8u);        // base 0: octal
  CHECK_FALSE(parse_uint("08", 0, 0));         // '8' is not octal: "0" converts, "8" is left
  CHECK_FALSE(parse_uint("0x", 0, 0));         // strtoumax converts "0", leaves "x"
  CHECK_FALSE(parse_uint("0xg", 0, 0));
  CHECK_FALSE(parse_uint("", 0, 0));           // no conversion
  CHECK_FALSE(parse_uint("   ", 0, 0));
  CHECK(parse_uint(" 7", 0, 0) == 7u);         // strtoumax skips leading blanks
  CHECK(parse_uint("\t\n7", 0, 0) == 7u);
  CHECK_FALSE(parse_uint("7 ", 0, 0));         // trailing text
  CHECK(parse_uint("+7", 0, 0) == 7u);         // strtoumax takes a '+'
  CHECK_FALSE(parse_uint("-7", 0, 0));         // refused before strtoumax
  CHECK_FALSE(parse_uint("  -7", 0, 0));
  CHECK_FALSE(parse_uint("+-7", 0, 0));
  CHECK_FALSE(parse_uint("1e3", 0, 0));
  CHECK_FALSE(parse_uint("0b1", 0, 0));        // glibc 2.36: no binary prefix
  CHECK(parse_uint("18446744073709551615", 0, 0) == UINT64_MAX);
  CHECK_FALSE(parse_uint("18446744073709551616", 0, 0));  // ERANGE
  CHECK(parse_uint("4294967296", 0, 0) == 4294967296u);   // max == 0: no upper bound
  CHECK(parse_uint("10", 0, 10) == 10u);
  CHECK_FALSE(parse_uint("11", 0, 10));
  CHECK_FALSE(parse_uint("5", 6, 10));
  CHECK_FALSE(parse_uint("0x10", 0, 15));
  CHECK(parse_uint("0xff", 0, 255) == 255u);
}

TEST_CASE("parse_uint_prefix stops where strtoumax stops", "[values]") {
  auto r = parse_uint_prefix("12abc", 0, 0);
  REQUIRE(r);
  CHECK(r->first == 12u);
  CHECK(r->second == "abc");
  r = parse_uint_prefix(" 5:7", 0, 0);
  REQUIRE(r);
  CHECK(r->first == 5u);
  CHECK(r->second == ":7");
  r = parse_uint_prefix("0x", 0, 0);  // the "0" converts
  REQUIRE(r);
  CHECK(r->first == 0u);
  CHECK(r->second == "x");
  CHECK_FALSE(parse_uint_prefix("abc", 0, 0));
  CHECK_FALSE(parse_uint_prefix("-1:2", 0, 0));
  CHECK_FALSE(parse_uint_prefix("300:", 0, 255));  // out of range even with an end pointer
}

// __numeric_to_ipaddr: the string is copied into char[20] (19 bytes kept); up to three
// '.'-separated bytes by xtables_strtoui(0..255), a missing tail auto-completes with zeros
// ("10.1" is 10.1.0.0) except for masks, then the last byte.
TEST_CASE("parse_ipv4_numeric follows __numeric_to_ipaddr", "[values]") {
  CHECK(parse_ipv4_numeric("1.2.3.4") == ip(1, 2, 3, 4));
  CHECK(parse_ipv4_numeric("255.255.255.255") == ip(255, 255, 255, 255));
  CHECK(parse_ipv4_numeric("10") == ip(10, 0, 0, 0));
  CHECK(parse_ipv4_numeric("10.1") == ip(10, 1, 0, 0));
  CHECK(parse_ipv4_numeric("10.1.2") == ip(10, 1, 2, 0));
  CHECK(parse_ipv4_numeric("0x0a.010.1.1") == ip(10, 8, 1, 1));  // each byte in C notation
  CHECK(parse_ipv4_numeric(" 1. 2.3.4") == ip(1, 2, 3, 4));     // strtoul skips blanks per byte
  CHECK_FALSE(parse_ipv4_numeric("1.2.3.4 "));
  CHECK_FALSE(parse_ipv4_numeric("256.1.1.1"));
  CHECK_FALSE(parse_ipv4_numeric("1.2.3.256"));
  CHECK_FALSE(parse_ipv4_numeric("1.2.3.4.5"));  // the last part "4.5" is not a number
  CHECK_FALSE(parse_ipv4_numeric("1..2.3"));
  CHECK_FALSE(parse_ipv4_numeric("1.2.3."));
  CHECK_FALSE(parse_ipv4_numeric("1.2.3.-4"));
  CHECK_FALSE(parse_ipv4_numeric(""));
  // The 20-byte buffer: "001.002.003.0000004X" keeps "001.002.003.0000004" (19 bytes).
  CHECK(parse_ipv4_numeric("001.002.003.0000004X") == ip(1, 2, 3, 4));
  // Masks need all four bytes.
  CHECK_FALSE(parse_ipv4_numeric("10.1", false));
  CHECK(parse_ipv4_numeric("255.255.0.0", false) == ip(255, 255, 0, 0));
}

// parse_ipmask: a dotted quad (xtables_numeric_to_ipmask, any bit pattern), else a prefix
// length by xtables_strtoui(0..32).
TEST_CASE("parse_ipv4_mask follows parse_ipmask", "[values]") {
  CHECK(parse_ipv4_mask("24") == 0xffffff00u);
  CHECK(parse_ipv4_mask("0") == 0u);
  CHECK(parse_ipv4_mask("32") == 0xffffffffu);
  CHECK(parse_ipv4_mask("1") == 0x80000000u);
  CHECK(parse_ipv4_mask("0x18") == 0xffffff00u);  // 24 in hex
  CHECK(parse_ipv4_mask("010") == 0xff000000u);   // 8 in octal
  CHECK(parse_ipv4_mask(" 24") == 0xffffff00u);
  CHECK(parse_ipv4_mask("255.255.0.0") == 0xffff0000u);
  CHECK(parse_ipv4_mask("255.0.255.0") == 0xff00ff00u);  // non-contiguous is allowed
  CHECK_FALSE(parse_ipv4_mask("33"));
  CHECK_FALSE(parse_ipv4_mask("-1"));
  CHECK_FALSE(parse_ipv4_mask(""));
  CHECK_FALSE(parse_ipv4_mask("255.255"));  // short forms are not masks, and not a number
}

// xtables_ipparse_multiple: split on ',', skip leading isspace() per item, strrchr '/' for the
// mask, a zero mask ignores the name ("any/0"), numeric first, then getnetbyname (DNS last,
// which iptc refuses), every address masked. An empty item is an error.
TEST_CASE("parse_ipv4_multiple follows xtables_ipparse_multiple", "[values]") {
  auto one = [](std::string_view s) {
    auto r = parse_ipv4_multiple(s);
    INFO(s << ": " << r.error);
    REQUIRE(r.error.empty());
    REQUIRE(r.nets.size() == 1);
    return r.nets[0];
  };
  CHECK(one("10.0.0.1") == Ipv4Net{ip(10, 0, 0, 1), 0xffffffff});
  CHECK(one("10.1.2.3/8") == Ipv4Net{ip(10, 0, 0, 0), 0xff000000});
  CHECK(one("10.1.2.3/255.0.255.0") == Ipv4Net{ip(10, 0, 2, 0), 0xff00ff00});
  CHECK(one("10/8") == Ipv4Net{ip(10, 0, 0, 0), 0xff000000});
  CHECK(one("10") == Ipv4Net{ip(10, 0, 0, 0), 0xffffffff});  // not 0.0.0.10: numeric first
  CHECK(one("no.such.host/0") == Ipv4Net{0, 0});              // name ignored with a zero mask
  CHECK(one("link-local/16") == Ipv4Net{ip(169, 254, 0, 0), 0xffff0000});  // /etc/networks
  CHECK(one("loopback") == Ipv4Net{ip(127, 0, 0, 0), 0xffffffff});
  CHECK(one("0/0") == Ipv4Net{0, 0});

  auto two = parse_ipv4_multiple("1.1.1.1, 2.2.2.2/24");
  REQUIRE(two.error.empty());
  REQUIRE(two.nets.size() == 2);
  CHECK(two.nets[0] == Ipv4Net{ip(1, 1, 1, 1), 0xffffffff});
  CHECK(two.nets[1] == Ipv4Net{ip(2, 2, 2, 0), 0xffffff00});

  CHECK_FALSE(parse_ipv4_multiple("1.1.1.1,").error.empty());   // empty last item
  CHECK_FALSE(parse_ipv4_multiple(",1.1.1.1").error.empty());
  CHECK_FALSE(parse_ipv4_multiple("1.2.3.4/33").error.empty());
  CHECK_FALSE(parse_ipv4_multiple("1.2.3.4/").error.empty());   // "" is no mask
  CHECK_FALSE(parse_ipv4_multiple("1.2.3.4/24/8").error.empty());  // host part "1.2.3.4/24"
  CHECK_FALSE(parse_ipv4_multiple("300.1.1.1").error.empty());
  CHECK_FALSE(parse_ipv4_multiple(std::string(256, '1')).error.empty());  // > 255 bytes
  // Not a dotted quad for __numeric_to_ipaddr, but getaddrinfo() (host_to_ipaddr) reads numeric
  // forms with inet_aton: one 32-bit number, a.b (b 24 bits), a.b.c (c 16 bits), C notation.
  // The kernel lists "-s 39269" as 0.0.153.101/32 and "-s 10.65536" as 10.1.0.0/32.
  CHECK(one("39269") == Ipv4Net{ip(0, 0, 153, 101), 0xffffffff});
  CHECK(one("0x0a000001") == Ipv4Net{ip(10, 0, 0, 1), 0xffffffff});
  CHECK(one("10.65536") == Ipv4Net{ip(10, 1, 0, 0), 0xffffffff});
  CHECK(one("4294967295/32") == Ipv4Net{ip(255, 255, 255, 255), 0xffffffff});
  CHECK(one("0x0a.1.2") == Ipv4Net{ip(10, 1, 2, 0), 0xffffffff});  // numeric first: 10.1.2.0
  CHECK_FALSE(parse_ipv4_multiple("4294967296").error.empty());
  CHECK_FALSE(parse_ipv4_multiple("10.1.0x10000").error.empty());  // c is 16 bits at most
  CHECK_FALSE(parse_ipv4_multiple("1.16777216").error.empty());    // b is 24 bits at most
  CHECK_FALSE(parse_ipv4_multiple("256.1").error.empty());
  CHECK_FALSE(parse_ipv4_multiple("0x").error.empty());
  CHECK_FALSE(parse_ipv4_multiple("08").error.empty());
  // A host name would need DNS at load time; iptc refuses it and says why.
  auto host = parse_ipv4_multiple("localhost");
  CHECK_FALSE(host.error.empty());
  CHECK_THAT(host.hint, Catch::Contains("DNS"));
  // A failed item leaves no partial result.
  CHECK(parse_ipv4_multiple("1.1.1.1,x..y").nets.empty());
}

TEST_CASE("parse_ipv4_any takes one address and masks it", "[values]") {
  auto r = parse_ipv4_any("1.2.3.4/24");
  REQUIRE(r.error.empty());
  REQUIRE(r.nets.size() == 1);
  CHECK(r.nets[0] == Ipv4Net{ip(1, 2, 3, 0), 0xffffff00});
  CHECK_FALSE(parse_ipv4_any("1.2.3.4,5.6.7.8").error.empty());  // no list here
}

// xtables_ipmask_to_cidr / iptables-save: "/N" for contiguous masks, the dotted quad otherwise.
TEST_CASE("masks and addresses print as iptables-save prints them", "[values]") {
  CHECK(ipv4_to_string(ip(192, 168, 1, 7)) == "192.168.1.7");
  CHECK(ipv4_to_string(0) == "0.0.0.0");
  CHECK(mask_to_string(0xffffff00) == "24");
  CHECK(mask_to_string(0xffffffff) == "32");
  CHECK(mask_to_string(0) == "0");
  CHECK(mask_to_string(0xff00ff00) == "255.0.255.0");
  CHECK(mask_to_prefix(0xff00ff00) == -1);
  CHECK(mask_to_prefix(0x80000000) == 1);
  CHECK(mask_to_prefix(0xfffffffe) == 31);
  CHECK(mask_to_prefix(0x7fffffff) == -1);
  CHECK(prefix_to_mask(0) == 0u);
  CHECK(prefix_to_mask(1) == 0x80000000u);
  CHECK(prefix_to_mask(32) == 0xffffffffu);
}

// xtables_parse_port: xtables_strtoui(0..65535), else getservbyname(name, proto) over
// /etc/services (aliases included).
TEST_CASE("parse_port follows xtables_parse_port", "[values]") {
  CHECK(parse_port("22", "tcp") == 22);
  CHECK(parse_port("0", "tcp") == 0);
  CHECK(parse_port("65535", "tcp") == 65535);
  CHECK(parse_port("0x16", "tcp") == 22);
  CHECK(parse_port("022", "tcp") == 18);
  CHECK(parse_port(" 22", "tcp") == 22);
  CHECK(parse_port("ssh", "tcp") == 22);
  CHECK(parse_port("www", "tcp") == 80);      // an alias of http
  CHECK(parse_port("domain", "udp") == 53);
  CHECK_FALSE(parse_port("ssh", "udp"));      // netbase lists ssh for tcp only
  CHECK_FALSE(parse_port("65536", "tcp"));
  CHECK_FALSE(parse_port("-1", "tcp"));
  CHECK_FALSE(parse_port("", "tcp"));
  CHECK_FALSE(parse_port("SSH", "tcp"));      // getservbyname is case-sensitive
  CHECK(service_port("http", "") == 80);
  CHECK_FALSE(service_port("no-such-service", ""));
}

// xtables_parse_protocol: xtables_strtoui(0..255), iptables' own names (xtables_chain_protos),
// then getprotobyname (aliases included: "TCP"). The number is kept in 16 bits and the nf_tables
// rule compares one byte, so "mptcp" (262) loads as tcp (confirmed by a kernel load).
TEST_CASE("parse_protocol follows xtables_parse_protocol", "[values]") {
  CHECK(parse_protocol("tcp") == 6);
  CHECK(parse_protocol("6") == 6);
  CHECK(parse_protocol(" 6") == 6);
  CHECK(parse_protocol("0x11") == 17);
  CHECK(parse_protocol("0") == 0);
  CHECK(parse_protocol("all") == 0);
  CHECK(parse_protocol("icmpv6") == 58);
  CHECK(parse_protocol("ipv6-icmp") == 58);
  CHECK(parse_protocol("mh") == 135);
  CHECK(parse_protocol("mobility-header") == 135);
  CHECK(parse_protocol("udplite") == 136);
  CHECK(parse_protocol("gre") == 47);
  CHECK(parse_protocol("TCP") == 6);   // an alias in /etc/protocols
  CHECK(parse_protocol("mptcp") == 6);
  CHECK_FALSE(parse_protocol("256"));
  CHECK_FALSE(parse_protocol("262"));
  CHECK_FALSE(parse_protocol("-1"));
  CHECK_FALSE(parse_protocol("ipv4x"));
  CHECK_FALSE(parse_protocol(""));
}

// proto_to_name (xshared.c): xtables_chain_protos first (first entry wins), then
// getprotobynumber; the kernel listing prints e.g. "-p ipv6-icmp" for 58 and "-p 253".
TEST_CASE("protocol names follow proto_to_name", "[values]") {
  CHECK(protocol_name(6) == "tcp");
  CHECK(protocol_name(58) == "ipv6-icmp");
  CHECK(protocol_name(135) == "mobility-header");
  CHECK(protocol_name(136) == "udplite");
  CHECK(protocol_name(47) == "gre");
  CHECK(protocol_name(2) == "igmp");
  CHECK(protocol_name(41) == "ipv6");
  CHECK_FALSE(protocol_name(253));
  CHECK_FALSE(protocol_name(255));
  // find_proto: "0" loads no match.
  CHECK_FALSE(protocol_match_name(0));
  CHECK(protocol_match_name(6) == "tcp");
  CHECK(protocol_match_name(1) == "icmp");
  CHECK(protocol_match_name(17) == "udp");
}

TEST_CASE("network names come from the built-in /etc/networks", "[values]") {
  CHECK(network_by_name("link-local") == ip(169, 254, 0, 0));
  CHECK(network_by_name("loopback") == ip(127, 0, 0, 0));
  CHECK(network_by_name("default") == 0u);
  CHECK_FALSE(network_by_name("no-such-net"));
}

// -m mac --mac-source is XTTYPE_ETHERMAC (xtoptions.c xtopt_parse_ethermac): six parts, each
// strtoul(arg, &end, 16) followed by ':' (the last by the end of the string), at most two
// characters consumed per part. So empty parts are 0 and "-1" is 0xff. A real load lists
// ":::::" as 00:00:00:00:00:00 and "-1:-1:-1:-1:-1:-1" as ff:ff:ff:ff:ff:ff.
TEST_CASE("parse_mac follows xtopt_parse_ethermac", "[values]") {
  using Mac = std::array<uint8_t, 6>;
  CHECK(parse_mac("00:11:22:33:44:55") == Mac{0x00, 0x11, 0x22, 0x33, 0x44, 0x55});
  CHECK(parse_mac("AA:bb:CC:dd:EE:ff") == Mac{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff});
  CHECK(parse_mac("0:1:2:3:4:5") == Mac{0, 1, 2, 3, 4, 5});
  CHECK(parse_mac("aa:bb:cc:dd:ee:f") == Mac{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x0f});
  CHECK(parse_mac(":::::") == Mac{0, 0, 0, 0, 0, 0});
  CHECK(parse_mac("-1:-1:-1:-1:-1:-1") == Mac{0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  CHECK(parse_mac(" 1:2:3:4:5:6") == Mac{1, 2, 3, 4, 5, 6});
  CHECK(parse_mac("+f:0:0:0:0:0") == Mac{0x0f, 0, 0, 0, 0, 0});
  CHECK_FALSE(parse_mac("001:2:3:4:5:6"));          // three characters in one part
  CHECK_FALSE(parse_mac("0x1:2:3:4:5:6"));          // "0x1" is three characters
  CHECK_FALSE(parse_mac("00:11:22:33:44:55:66"));   // seven parts
  CHECK_FALSE(parse_mac("00:11:22:33:44"));         // five parts
  CHECK_FALSE(parse_mac("00-11-22-33-44-55"));
  CHECK_FALSE(parse_mac("00:11:22:33:44:5g"));
  CHECK_FALSE(parse_mac("00:11:22:33:44:55 "));
}

TEST_CASE("closest suggests names within two edits", "[values]") {
  CHECK(closest("dprt", {"dport", "sport"}) == "dport");
  CHECK(closest("sourceport", {"dport", "sport"}).empty());
  CHECK(closest("dport", {"dport"}) == "dport");
}
