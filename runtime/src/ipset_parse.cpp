// The reader of `ipset save` text: `create NAME TYPE [OPTIONS]` and `add NAME ELEMENT
// [OPTIONS]` lines, optionally prefixed with `ipset ` (shell command form) and with the
// global flags `-exist` / `-!`. Element syntax is ipset 7's (lib/parse.c and the type
// modules): addresses as A, A/CIDR or A-B (hash types expand them as the kernel's uadt does:
// hash:ip per address after the netmask, net types into the fewest prefixes), ports as
// [PROTO:]PORT[-PORT] with PROTO a name or number (default tcp), ICMP as icmp:NAME or
// icmp:TYPE/CODE, other protocols only with the pseudo port 0, interfaces as
// [physdev:]NAME. Errors carry the line, the column and length of the offending word, and a
// hint; the reader reports every bad line and keeps the good ones.
#include <arpa/inet.h>
#include <netdb.h>

#include <cstdlib>
#include <cstring>

#include "iptc/runtime/ipset.hpp"

namespace iptc::runtime {

namespace {

struct Token {
  std::string text;
  uint32_t col = 0;  ///< 1-based
  uint32_t len = 0;  ///< in the source (with quotes)
};

/// Whitespace-separated words; a double-quoted word may hold spaces (comment "a b").
bool tokenize(std::string_view line, std::vector<Token>& out, uint32_t& bad_col) {
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
      ++i;
      continue;
    }
    Token t;
    t.col = static_cast<uint32_t>(i + 1);
    if (line[i] == '"') {
      size_t end = line.find('"', i + 1);
      if (end == std::string_view::npos) {
        bad_col = t.col;
        return false;
      }
      t.text = std::string(line.substr(i + 1, end - i - 1));
      t.len = static_cast<uint32_t>(end + 1 - i);
      i = end + 1;
    } else {
      size_t end = i;
      while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '\r') ++end;
      t.text = std::string(line.substr(i, end - i));
      t.len = static_cast<uint32_t>(end - i);
      i = end;
    }
    out.push_back(std::move(t));
  }
  return true;
}

/// string_to_number_ll: strtoull with base 0, the whole word, within [min, max].
std::optional<uint64_t> number(const std::string& s, uint64_t min, uint64_t max) {
  if (s.empty() || s[0] == '-' || s[0] == '+' || s[0] == ' ') return std::nullopt;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (*end != '\0' || end == s.c_str() || errno == ERANGE || v < min || v > max) return std::nullopt;
  return v;
}

/// inet_pton(AF_INET): four decimal octets.
std::optional<uint32_t> ipv4(std::string_view s) {
  uint32_t a = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return std::nullopt;
    unsigned v = 0, digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + unsigned(s[i] - '0');
      if (++digits > 3 || v > 255) return std::nullopt;
      ++i;
    }
    if (digits > 1 && s[i - digits] == '0') return std::nullopt;  // inet_pton: no leading 0
    a = a << 8 | v;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return a;
}

uint32_t mask(uint8_t cidr) { return cidr == 0 ? 0 : ~uint32_t{0} << (32 - cidr); }

/// ip_set_range_to_cidr: the largest prefix starting at `from` that ends at or before `to`.
uint8_t range_to_cidr(uint32_t from, uint32_t to) {
  for (uint8_t c = 1; c <= 32; ++c) {
    uint32_t last = from | ~mask(c);
    if ((from & mask(c)) == from && last <= to) return c;
  }
  return 32;
}

/// libipset/icmp.c: the names `ipset` accepts after icmp:.
struct IcmpName {
  const char* name;
  uint8_t type, code;
};
constexpr IcmpName kIcmpNames[] = {
    {"echo-reply", 0, 0}, {"pong", 0, 0}, {"network-unreachable", 3, 0},
    {"host-unreachable", 3, 1}, {"protocol-unreachable", 3, 2}, {"port-unreachable", 3, 3},
    {"fragmentation-needed", 3, 4}, {"source-route-failed", 3, 5},
    {"network-unknown", 3, 6}, {"host-unknown", 3, 7}, {"network-prohibited", 3, 9},
    {"host-prohibited", 3, 10}, {"TOS-network-unreachable", 3, 11},
    {"TOS-host-unreachable", 3, 12}, {"communication-prohibited", 3, 13},
    {"host-precedence-violation", 3, 14}, {"precedence-cutoff", 3, 15},
    {"source-quench", 4, 0}, {"network-redirect", 5, 0}, {"host-redirect", 5, 1},
    {"TOS-network-redirect", 5, 2}, {"TOS-host-redirect", 5, 3}, {"echo-request", 8, 0},
    {"ping", 8, 0}, {"router-advertisement", 9, 0}, {"router-solicitation", 10, 0},
    {"ttl-zero-during-transit", 11, 0}, {"ttl-zero-during-reassembly", 11, 1},
    {"ip-header-bad", 12, 0}, {"required-option-missing", 12, 1},
    {"timestamp-request", 13, 0}, {"timestamp-reply", 14, 0},
    {"address-mask-request", 17, 0}, {"address-mask-reply", 18, 0},
};

/// One line's parser: reports errors against the line and its words.
struct LineParser {
  IpsetStore& store;
  std::vector<IpsetParseError>& errs;
  uint32_t line_no;
  std::vector<Token> toks;
  size_t pos = 0;

  bool fail(const Token& t, std::string msg, std::string hint = {}) {
    errs.push_back({line_no, t.col, t.len, std::move(msg), std::move(hint)});
    return false;
  }
  bool fail_end(std::string msg, std::string hint = {}) {
    const Token& last = toks.back();
    errs.push_back({line_no, last.col + last.len, 1, std::move(msg), std::move(hint)});
    return false;
  }

  // ---- value parsers (write an error and return nullopt) --------------------------------

  struct Range {
    uint32_t from = 0, to = 0;
    bool is_cidr = false;
    uint8_t cidr = 32;
  };
  /// A, A/CIDR or A-B.
  std::optional<Range> ip_range(const Token& t, std::string_view s, uint8_t min_cidr) {
    Range r;
    size_t slash = s.find('/'), dash = s.find('-');
    auto bad = [&](std::string msg, std::string hint) {
      fail(t, std::move(msg), std::move(hint));
      return std::nullopt;
    };
    if (slash != std::string_view::npos) {
      auto a = ipv4(s.substr(0, slash));
      if (!a) return bad("cannot parse '" + std::string(s.substr(0, slash)) + "' as an IPv4 address",
                         "write a dotted-quad address such as 192.0.2.1 (iptc models family inet only)");
      auto c = number(std::string(s.substr(slash + 1)), 0, 32);
      if (!c) return bad("invalid prefix length in '" + std::string(s) + "'", "write /0 to /32");
      if (*c < min_cidr)
        return bad("the value of the CIDR parameter of the IP address is invalid",
                   "this set type takes prefix lengths from /" + std::to_string(min_cidr) + " to /32");
      r.is_cidr = true;
      r.cidr = static_cast<uint8_t>(*c);
      r.from = *a & mask(r.cidr);
      r.to = r.from | ~mask(r.cidr);
      return r;
    }
    if (dash != std::string_view::npos) {
      auto a = ipv4(s.substr(0, dash)), b = ipv4(s.substr(dash + 1));
      if (!a || !b) return bad("cannot parse '" + std::string(s) + "' as an IPv4 address range",
                               "write FIRST-LAST, e.g. 192.0.2.1-192.0.2.9");
      r.from = std::min(*a, *b);
      r.to = std::max(*a, *b);
      return r;
    }
    auto a = ipv4(s);
    if (!a) return bad("cannot parse '" + std::string(s) + "' as an IPv4 address",
                       "write a dotted-quad address such as 192.0.2.1 (iptc models family inet only)");
    r.from = r.to = *a;
    return r;
  }

  std::optional<uint16_t> port_value(const Token& t, const std::string& s, const char* proto) {
    if (auto v = number(s, 0, 65535)) return static_cast<uint16_t>(*v);
    if (const servent* se = getservbyname(s.c_str(), proto))
      return static_cast<uint16_t>(ntohs(static_cast<uint16_t>(se->s_port)));
    fail(t, "cannot parse '" + s + "' as a " + proto + " port", "write a number from 0 to 65535 or a service name");
    return std::nullopt;
  }

  struct PortRange {
    uint8_t proto = kProtoTcp;
    uint16_t from = 0, to = 0;
  };
  /// [PROTO:]PORT[-PORT] (ipset_parse_proto_port); icmp:NAME|TYPE/CODE; other protocols :0.
  std::optional<PortRange> proto_port(const Token& t, std::string_view s) {
    PortRange r;
    std::string proto_name = "tcp";
    std::string rest(s);
    size_t colon = s.find(':');
    // ipset_strchr: a separator as the first or last character does not count.
    if (colon != std::string_view::npos && colon != 0 && colon + 1 != s.size()) {
      proto_name = std::string(s.substr(0, colon));
      rest = std::string(s.substr(colon + 1));
      const protoent* pe = getprotobyname(proto_name == "icmpv6" ? "ipv6-icmp" : proto_name.c_str());
      int p = pe ? pe->p_proto : -1;
      if (p < 0) {
        auto n = number(proto_name, 0, 255);
        if (!n || !getprotobynumber(int(*n))) {
          fail(t, "cannot parse '" + proto_name + "' as a protocol", "write tcp, udp, sctp, udplite, icmp or a protocol number");
          return std::nullopt;
        }
        p = int(*n);
      }
      if (p == 0) {
        fail(t, "invalid protocol specified", "protocol 0 cannot be stored");
        return std::nullopt;
      }
      r.proto = static_cast<uint8_t>(p);
      switch (r.proto) {
        case kProtoTcp: case kProtoUdp: case kProtoSctp: case kProtoUdplite: break;
        case kProtoIcmp: {
          for (const auto& n : kIcmpNames)
            if (rest == n.name) {
              r.from = r.to = static_cast<uint16_t>(n.type << 8 | n.code);
              return r;
            }
          size_t sl = rest.find('/');
          auto ty = sl == std::string::npos ? std::nullopt : number(rest.substr(0, sl), 0, 255);
          auto co = sl == std::string::npos ? std::nullopt : number(rest.substr(sl + 1), 0, 255);
          if (!ty || !co) {
            fail(t, "cannot parse " + rest + " as an ICMP type/code",
                 "write an ICMP name such as echo-request or port-unreachable, or TYPE/CODE such as 8/0");
            return std::nullopt;
          }
          r.from = r.to = static_cast<uint16_t>(*ty << 8 | *co);
          return r;
        }
        case 58:
          fail(t, "protocol ICMPv6 can be used with family inet6 only", "iptc models family inet only");
          return std::nullopt;
        default:
          if (rest != "0") {
            fail(t, "protocol " + proto_name + " can be used with pseudo port value 0 only",
                 "write " + proto_name + ":0");
            return std::nullopt;
          }
          return r;
      }
    }
    // ipset_parse_tcpudp_port: PORT or PORT-PORT.
    size_t dash = rest.find('-');
    if (dash != std::string::npos && dash != 0 && dash + 1 != rest.size()) {
      auto a = port_value(t, rest.substr(0, dash), proto_name.c_str());
      if (!a) return std::nullopt;
      auto b = port_value(t, rest.substr(dash + 1), proto_name.c_str());
      if (!b) return std::nullopt;
      r.from = std::min(*a, *b);
      r.to = std::max(*a, *b);
      return r;
    }
    auto a = port_value(t, rest, proto_name.c_str());
    if (!a) return std::nullopt;
    r.from = r.to = *a;
    return r;
  }

  // ---- commands ---------------------------------------------------------------------------

  bool create() {
    if (pos + 2 > toks.size()) return fail_end("create needs a set name and a type", "write: create NAME TYPE [OPTIONS]");
    const Token& name = toks[pos++];
    const Token& type = toks[pos++];
    if (name.text.size() > 31) return fail(name, "set name '" + name.text + "' is too long (31 characters at most)");
    IpsetDef d;
    d.name = name.text;
    static constexpr IpsetType kTypes[] = {
        IpsetType::HashIp, IpsetType::HashNet, IpsetType::HashIpPort, IpsetType::HashNetPort,
        IpsetType::HashIpPortIp, IpsetType::HashNetIface, IpsetType::BitmapPort, IpsetType::ListSet};
    bool known = false;
    for (IpsetType t : kTypes)
      if (type.text == ipset_type_name(t)) {
        d.type = t;
        known = true;
      }
    if (!known)
      return fail(type, "set type '" + type.text + "' is not supported by iptc yet",
                  "iptc knows hash:ip, hash:net, hash:ip,port, hash:net,port, hash:ip,port,ip, "
                  "hash:net,iface, bitmap:port and list:set");
    const bool hash = d.type != IpsetType::BitmapPort && d.type != IpsetType::ListSet;
    bool range_seen = false;
    while (pos < toks.size()) {
      const Token& o = toks[pos++];
      auto value = [&](uint64_t min, uint64_t max) -> std::optional<uint64_t> {
        if (pos >= toks.size()) {
          fail(o, "create option '" + o.text + "' needs a value");
          return std::nullopt;
        }
        const Token& v = toks[pos++];
        auto n = number(v.text, min, max);
        if (!n) fail(v, "'" + v.text + "' is out of range " + std::to_string(min) + "-" + std::to_string(max),
                     "write a number");
        return n;
      };
      auto only = [&](bool ok, const char* what) {
        if (!ok) fail(o, "create option '" + o.text + "' is not valid for " + std::string(ipset_type_name(d.type)),
                      std::string(what));
        return ok;
      };
      if (o.text == "family") {
        if (pos >= toks.size()) return fail(o, "create option 'family' needs a value", "write family inet");
        const Token& v = toks[pos++];
        if (v.text == "inet6") return fail(v, "family inet6 is not supported by iptc yet", "iptc models IPv4 sets only");
        if (v.text != "inet") return fail(v, "unknown family '" + v.text + "'", "write family inet");
        if (!hash && !only(false, "bitmap:port and list:set sets have no family")) return false;
      } else if (o.text == "hashsize" || o.text == "maxelem" || o.text == "bucketsize" ||
                 o.text == "initval" || o.text == "probes" || o.text == "resize") {
        if (!only(hash, "only hash types take it")) return false;
        auto v = value(0, 0xffffffffu);
        if (!v) return false;
        if (o.text == "maxelem") d.maxelem = static_cast<uint32_t>(*v);
      } else if (o.text == "netmask") {
        if (!only(d.type == IpsetType::HashIp, "netmask is an option of hash:ip")) return false;
        auto v = value(1, 32);
        if (!v) return false;
        d.netmask = static_cast<uint8_t>(*v);
      } else if (o.text == "range") {
        if (!only(d.type == IpsetType::BitmapPort, "range is the port range of a bitmap:port set")) return false;
        if (pos >= toks.size()) return fail(o, "create option 'range' needs a value", "write range FROM-TO");
        const Token& v = toks[pos++];
        std::string s = v.text;
        if (s.starts_with("tcp:") || s.starts_with("udp:")) s = s.substr(4);
        size_t dash = s.find('-');
        if (dash == std::string::npos || dash == 0)
          return fail(v, "cannot parse '" + v.text + "' as a port range", "write range FROM-TO, e.g. range 1024-65535");
        auto a = port_value(v, s.substr(0, dash), "tcp");
        auto b = a ? port_value(v, s.substr(dash + 1), "tcp") : std::nullopt;
        if (!a || !b) return false;
        d.first_port = std::min(*a, *b);
        d.last_port = std::max(*a, *b);
        range_seen = true;
      } else if (o.text == "size") {
        if (!only(d.type == IpsetType::ListSet, "size is an option of list:set")) return false;
        auto v = value(0, 0xffffffffu);
        if (!v) return false;
        d.size = std::max<uint32_t>(static_cast<uint32_t>(*v), 4);  // IP_SET_LIST_MIN_SIZE
      } else if (o.text == "timeout") {
        auto v = value(0, 2147483);  // ipset: UINT_MAX/1000 / 2
        if (!v) return false;
        d.with_timeout = true;
        d.timeout = static_cast<uint32_t>(*v);
      } else if (o.text == "counters") {
        d.counters = true;
      } else if (o.text == "comment") {
        d.comment = true;
      } else if (o.text == "skbinfo") {
        d.skbinfo = true;
      } else if (o.text == "forceadd") {
        if (!only(hash, "only hash types take it")) return false;
        d.forceadd = true;
      } else {
        return fail(o, "unknown create option '" + o.text + "'",
                    "options: family, hashsize, maxelem, bucketsize, initval, netmask, range, size, "
                    "timeout, counters, comment, skbinfo, forceadd");
      }
    }
    if (d.type == IpsetType::BitmapPort && !range_seen)
      return fail(type, "bitmap:port needs a port range", "write create NAME bitmap:port range FROM-TO");
    if (!store.create(std::move(d))) return fail(name, "set '" + name.text + "' already exists",
                                                 "each set is created once");
    return true;
  }

  bool add() {
    if (pos + 2 > toks.size()) return fail_end("add needs a set name and an element", "write: add NAME ELEMENT [OPTIONS]");
    const Token& name = toks[pos++];
    const Token& elem = toks[pos++];
    int id = store.find(name.text);
    if (id < 0) return fail(name, "the set with the given name does not exist", "create '" + name.text + "' before adding to it");
    const IpsetDef& d = store.def(id);
    const IpsetType type = d.type;

    // Entry options first (they apply to every element the word expands to).
    IpsetEntry proto;
    std::optional<uint32_t> timeout;
    int list_before = 0;
    std::string list_ref;
    while (pos < toks.size()) {
      const Token& o = toks[pos++];
      auto value = [&](uint64_t max) -> std::optional<uint64_t> {
        if (pos >= toks.size()) {
          fail(o, "option '" + o.text + "' needs a value");
          return std::nullopt;
        }
        const Token& v = toks[pos++];
        auto n = number(v.text, 0, max);
        if (!n) fail(v, "'" + v.text + "' is out of range 0-" + std::to_string(max), "write a number");
        return n;
      };
      if (o.text == "timeout") {
        if (!d.with_timeout)
          return fail(o, "timeout cannot be used: set was created without timeout support",
                      "create the set with `timeout N` to give its entries timeouts");
        auto v = value(2147483);
        if (!v) return false;
        timeout = static_cast<uint32_t>(*v);
      } else if (o.text == "nomatch") {
        if (!ipset_type_has_nomatch(type))
          return fail(o, "nomatch is not valid for " + std::string(ipset_type_name(type)),
                      "nomatch entries exist in hash:net, hash:net,port and hash:net,iface sets");
        proto.nomatch = true;
      } else if (o.text == "packets" || o.text == "bytes") {
        if (!d.counters)
          return fail(o, "packet/byte counters cannot be used: set was created without counter support",
                      "create the set with `counters`");
        auto v = value(UINT64_MAX);
        if (!v) return false;
        (o.text == "packets" ? proto.packets : proto.bytes) = *v;
      } else if (o.text == "comment") {
        if (!d.comment)
          return fail(o, "comment cannot be used: set was created without comment support",
                      "create the set with `comment`");
        if (pos >= toks.size()) return fail(o, "option 'comment' needs a value");
        proto.comment = toks[pos++].text;
      } else if (o.text == "skbmark" || o.text == "skbprio" || o.text == "skbqueue") {
        if (!d.skbinfo)
          return fail(o, "skbinfo data cannot be used: set was created without skbinfo support",
                      "create the set with `skbinfo`");
        if (pos >= toks.size()) return fail(o, "option '" + o.text + "' needs a value");
        ++pos;  // the skb metadata only matters to SET --map-set, which iptc does not run
      } else if ((o.text == "before" || o.text == "after") && type == IpsetType::ListSet) {
        if (pos >= toks.size()) return fail(o, "option '" + o.text + "' needs a set name");
        list_before = o.text == "before" ? 1 : -1;
        list_ref = toks[pos].text;
        if (store.find(list_ref) < 0) return fail(toks[pos], "the set with the given name does not exist");
        ++pos;
      } else {
        return fail(o, "unknown argument: '" + o.text + "'",
                    "entry options: timeout, nomatch, packets, bytes, comment, skbmark, skbprio, skbqueue");
      }
    }
    uint32_t t = timeout ? *timeout : d.timeout;
    proto.expires = d.with_timeout && t != 0 ? double(t) : std::numeric_limits<double>::infinity();

    std::string why;
    auto put = [&](IpsetEntry e) {
      if (store.add_entry(id, std::move(e), 0.0, &why)) return true;
      return fail(elem, why, "ipset restore refuses the whole file here (use distinct elements)");
    };
    std::vector<std::string_view> parts;
    {
      std::string_view s = elem.text;
      size_t start = 0;
      while (true) {
        size_t c = s.find(',', start);
        parts.push_back(s.substr(start, c == std::string_view::npos ? std::string_view::npos : c - start));
        if (c == std::string_view::npos) break;
        start = c + 1;
      }
    }
    const size_t want = type == IpsetType::ListSet || type == IpsetType::BitmapPort ? 1 : ipset_type_dimension(type);
    if (parts.size() != want)
      return fail(elem, "element '" + elem.text + "' has " + std::to_string(parts.size()) + " part(s), " +
                            std::string(ipset_type_name(type)) + " elements have " + std::to_string(want),
                  "separate the parts with commas, e.g. 192.0.2.1,tcp:80 for hash:ip,port");

    switch (type) {
      case IpsetType::ListSet: {
        int member = store.find(elem.text);
        if (member < 0) return fail(elem, "the set with the given name does not exist", "create the member set first");
        if (store.def(member).type == IpsetType::ListSet)
          return fail(elem, "sets with list:set type cannot be added to the set", "a list:set holds only non-list sets");
        if (list_before != 0)
          return fail(elem, "before/after in list:set entries is not supported by iptc yet", "list the members in order");
        IpsetEntry e = proto;
        e.member = static_cast<uint32_t>(member);
        return put(std::move(e));
      }
      case IpsetType::BitmapPort: {
        std::string s(parts[0]);
        if (s.starts_with("tcp:") || s.starts_with("udp:")) s = s.substr(4);
        else if (size_t c = s.find(':'); c != std::string::npos && c != 0)
          return fail(elem, "only protocols TCP and UDP are valid", "write PORT, tcp:PORT or udp:PORT");
        auto pr = proto_port(elem, s);
        if (!pr) return false;
        for (uint32_t port = pr->from; port <= pr->to; ++port) {
          if (port < d.first_port || port > d.last_port)
            return fail(elem, "element is out of the range of the set",
                        "the set holds ports " + std::to_string(d.first_port) + "-" + std::to_string(d.last_port));
          IpsetEntry e = proto;
          e.port = static_cast<uint16_t>(port);
          if (!put(std::move(e))) return false;
        }
        return true;
      }
      default: break;
    }

    // The first dimension: an address, prefix or range.
    const bool net = type == IpsetType::HashNet || type == IpsetType::HashNetPort || type == IpsetType::HashNetIface;
    auto r = ip_range(elem, parts[0], type == IpsetType::HashNetIface ? 0 : 1);
    if (!r) return false;
    std::vector<std::pair<uint32_t, uint8_t>> firsts;  // (address, prefix)
    if (net) {
      if (r->is_cidr) {
        firsts.emplace_back(r->from, r->cidr);
      } else if (r->from == r->to) {
        firsts.emplace_back(r->from, 32);
      } else {
        uint64_t ip = r->from;
        while (ip <= r->to) {
          uint8_t c = range_to_cidr(static_cast<uint32_t>(ip), r->to);
          firsts.emplace_back(static_cast<uint32_t>(ip), c);
          ip = uint64_t(static_cast<uint32_t>(ip) | ~mask(c)) + 1;
          if (firsts.size() > d.maxelem) break;
        }
      }
    } else {
      // hash:ip steps by the netmask (hash_ip4_uadt); the port types take every address.
      uint8_t nm = type == IpsetType::HashIp ? d.netmask : 32;
      uint64_t ip = r->from & mask(nm), last = r->to;
      for (; ip <= last; ip += uint64_t{1} << (32 - nm)) {
        if (type == IpsetType::HashIp && ip == 0)
          return fail(elem, "null-valued element, cannot be stored in a hash type of set",
                      "0.0.0.0 cannot be a member of a hash:ip set");
        firsts.emplace_back(static_cast<uint32_t>(ip), 32);
        if (firsts.size() > d.maxelem) break;
      }
    }

    std::optional<PortRange> ports;
    if (type == IpsetType::HashIpPort || type == IpsetType::HashNetPort || type == IpsetType::HashIpPortIp) {
      ports = proto_port(elem, parts[1]);
      if (!ports) return false;
    }
    uint32_t ip2 = 0;
    if (type == IpsetType::HashIpPortIp) {
      auto a = ipv4(parts[2]);
      if (!a) return fail(elem, "cannot parse '" + std::string(parts[2]) + "' as an IPv4 address",
                          "the third part of a hash:ip,port,ip element is an address");
      ip2 = *a;
    }
    std::string iface;
    bool physdev = false;
    if (type == IpsetType::HashNetIface) {
      std::string_view s = parts[1];
      if (s.starts_with("physdev:")) {
        physdev = true;
        s.remove_prefix(8);
      }
      if (s.empty() || s.size() > 15)
        return fail(elem, "invalid interface name '" + std::string(parts[1]) + "'",
                    "an interface name has 1 to 15 characters");
      iface = std::string(s);
    }

    for (auto [ip, cidr] : firsts) {
      uint32_t pfrom = ports ? ports->from : 0, pto = ports ? ports->to : 0;
      for (uint32_t port = pfrom; port <= pto; ++port) {
        IpsetEntry e = proto;
        e.ip = ip;
        e.cidr = net ? cidr : 32;
        if (ports) {
          e.proto = ports->proto;
          e.port = static_cast<uint16_t>(port);
        }
        e.ip2 = ip2;
        e.iface = iface;
        e.physdev = physdev;
        if (!put(std::move(e))) return false;
      }
    }
    return true;
  }

  bool run() {
    // `ipset` prefix and the global -exist / -! flags (the suite's harness drops the prefix).
    if (pos < toks.size() && toks[pos].text == "ipset") ++pos;
    bool exist = false;
    while (pos < toks.size() && (toks[pos].text == "-exist" || toks[pos].text == "-!")) {
      exist = true;
      ++pos;
    }
    (void)exist;
    if (pos >= toks.size()) return fail(toks.back(), "missing command", "write create or add");
    const Token& cmd = toks[pos++];
    if (cmd.text == "create" || cmd.text == "-N" || cmd.text == "n") return create();
    if (cmd.text == "add" || cmd.text == "-A" || cmd.text == "a") return add();
    return fail(cmd, "unknown command '" + cmd.text + "'",
                "an ipsets file holds `ipset save` output: create and add lines");
  }
};

}  // namespace

bool IpsetStore::parse(std::string_view text, std::vector<IpsetParseError>& errs) {
  size_t before = errs.size();
  uint32_t line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    ++line_no;
    pos = nl + 1;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    LineParser lp{*this, errs, line_no, {}, 0};
    uint32_t bad_col = 0;
    if (!tokenize(line, lp.toks, bad_col)) {
      errs.push_back({line_no, bad_col, 1, "unterminated quoted string", "close the string with \""});
      continue;
    }
    lp.run();
    if (nl == text.size()) break;
  }
  return errs.size() == before;
}

}  // namespace iptc::runtime
