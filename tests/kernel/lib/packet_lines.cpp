// Packet lines and host model, read as DESIGN.md defines them (see packet_lines.hpp).
#include "packet_lines.hpp"

#include <netdb.h>

#include <map>

#include "common.hpp"

namespace iptc::kernel_test {

const HostIface* Host::find(std::string_view name) const {
  for (const auto& i : ifaces)
    if (i.name == name) return &i;
  return nullptr;
}

Host default_host() {
  Host h;
  h.ifaces.push_back({"eth0", {{0xc0a80101u, 24}}});
  h.ifaces.push_back({"eth1", {{0x0a000001u, 24}}});
  h.routes.push_back({0, 0, "eth1", std::nullopt});
  return h;
}

bool parse_host(std::string_view text, Host& out, std::string& err) {
  out = {};
  uint32_t lineno = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineno;
    if (auto h = line.find('#'); h != std::string_view::npos) line = line.substr(0, h);
    auto w = split_ws(line);
    if (w.empty()) continue;
    auto fail = [&](const std::string& m) {
      err = "line " + std::to_string(lineno) + ": " + m;
      return false;
    };
    if (w[0] == "iface") {
      if (w.size() < 3) return fail("iface needs a name and at least one ADDR/LEN");
      if (w[1].size() > 15) return fail("interface name longer than 15 characters: " + w[1]);
      if (out.find(w[1])) return fail("interface given twice: " + w[1]);
      HostIface i;
      i.name = w[1];
      for (size_t k = 2; k < w.size(); ++k) {
        uint32_t a;
        uint8_t l;
        if (!parse_cidr(w[k], a, l)) return fail("bad address " + w[k]);
        i.addrs.push_back({a, l});
      }
      out.ifaces.push_back(std::move(i));
    } else if (w[0] == "route") {
      if (w.size() != 3 && w.size() != 5) return fail("route CIDR|default IFACE [via GW]");
      HostRoute r;
      if (w[1] != "default" && !parse_cidr(w[1], r.dst, r.len)) return fail("bad route " + w[1]);
      r.dst &= prefix_mask(r.len);
      r.iface = w[2];
      if (w.size() == 5) {
        if (w[3] != "via") return fail("expected 'via'");
        auto g = parse_ipv4(w[4]);
        if (!g) return fail("bad gateway " + w[4]);
        r.via = *g;
      }
      out.routes.push_back(std::move(r));
    } else if (w[0] == "group") {
      if (w.size() != 3) return fail("group IFACE NUMBER");
      auto g = parse_uint(w[2], 0xffffffffu);
      if (!g) return fail("bad device group " + w[2]);
      if (w[1] == "lo") {
        out.lo_group = uint32_t(*g);
      } else {
        HostIface* i = nullptr;
        for (auto& e : out.ifaces)
          if (e.name == w[1]) i = &e;
        if (!i) return fail("group for an interface not declared before: " + w[1]);
        i->group = uint32_t(*g);
      }
    } else {
      return fail("unknown item '" + w[0] + "' (iface, route or group)");
    }
    if (nl == text.size()) break;
  }
  for (const auto& r : out.routes)
    if (!out.find(r.iface)) {
      err = "route via unknown interface " + r.iface;
      return false;
    }
  if (out.ifaces.empty()) {
    err = "no interfaces";
    return false;
  }
  return true;
}

std::optional<uint8_t> protocol_number(std::string_view name) {
  if (auto n = parse_uint(name, 255)) return uint8_t(*n);
  static const std::map<std::string, uint8_t, std::less<>> kBuiltin = {
      {"icmp", 1}, {"igmp", 2}, {"ipencap", 4}, {"ipip", 4}, {"tcp", 6}, {"egp", 8},
      {"udp", 17}, {"ipv6", 41}, {"gre", 47}, {"esp", 50}, {"ah", 51}, {"ospf", 89},
      {"pim", 103}, {"vrrp", 112}, {"l2tp", 115}, {"sctp", 132}, {"udplite", 136},
      {"dccp", 33}, {"rsvp", 46}, {"all", 0}};
  if (auto it = kBuiltin.find(name); it != kBuiltin.end()) return it->second;
  std::string n(name);
  if (protoent* p = ::getprotobyname(n.c_str())) return uint8_t(p->p_proto);
  return std::nullopt;
}

std::string tcp_flags_text(uint8_t flags) {
  if (flags == 0) return "none";
  static const char kLetters[] = "FSRPAUEC";
  std::string out;
  // Spelled in the order people write them (S before A, F before A).
  static const uint8_t kOrder[] = {kTcpSyn, kTcpFin, kTcpRst, kTcpPsh, kTcpAck, kTcpUrg,
                                   kTcpEce, kTcpCwr};
  for (uint8_t bit : kOrder) {
    int idx = 0;
    while ((1 << idx) != bit) ++idx;
    if (flags & bit) out += kLetters[idx];
  }
  return out;
}

namespace {

bool parse_flags(std::string_view s, uint8_t& out) {
  if (s == "none") {
    out = 0;
    return true;
  }
  out = 0;
  for (char c : s) {
    switch (c) {
      case 'F': out |= kTcpFin; break;
      case 'S': out |= kTcpSyn; break;
      case 'R': out |= kTcpRst; break;
      case 'P': out |= kTcpPsh; break;
      case 'A': out |= kTcpAck; break;
      case 'U': out |= kTcpUrg; break;
      case 'E': out |= kTcpEce; break;
      case 'C': out |= kTcpCwr; break;
      default: return false;
    }
  }
  return !s.empty();
}

/// Reads one `key=value ...` line into p; returns an error text or "".
std::string parse_packet(const std::vector<std::string>& words, Packet& p) {
  std::map<std::string, std::string> kv;
  for (const auto& w : words) {
    auto eq = w.find('=');
    if (eq == std::string::npos || eq == 0) return "expected key=value, got '" + w + "'";
    std::string k = w.substr(0, eq);
    if (kv.count(k)) return "key '" + k + "' given twice";
    kv[k] = w.substr(eq + 1);
  }
  auto take = [&](const char* k) -> std::optional<std::string> {
    auto it = kv.find(k);
    if (it == kv.end()) return std::nullopt;
    std::string v = it->second;
    kv.erase(it);
    return v;
  };
  std::string err;
  auto num = [&](const char* k, uint64_t max) -> std::optional<uint64_t> {
    auto v = take(k);
    if (!v) return std::nullopt;
    auto n = parse_uint(*v, max);
    if (!n) err = std::string("bad ") + k + " '" + *v + "'";
    return n;
  };
  auto addr = [&](const char* k) -> std::optional<uint32_t> {
    auto v = take(k);
    if (!v) return std::nullopt;
    auto a = parse_ipv4(*v);
    if (!a) err = std::string("bad address ") + k + "='" + *v + "'";
    return a;
  };
  if (auto v = take("in")) p.in = *v;
  p.src = addr("src");
  auto dst = addr("dst");
  if (!err.empty()) return err;
  if (!dst) return "dst is required";
  p.dst = *dst;
  if (p.in && !p.src) return "src is required for an arriving packet (in=)";
  bool ports_or_flags = kv.count("sport") || kv.count("dport") || kv.count("flags");
  if (auto v = take("proto")) {
    auto n = protocol_number(*v);
    if (!n) return "unknown protocol '" + *v + "'";
    p.proto = *n;
  } else {
    p.proto = ports_or_flags ? 6 : 1;
  }
  bool flags_given = kv.count("flags") != 0;
  if (auto v = take("flags")) {
    if (!parse_flags(*v, p.flags)) return "bad flags '" + *v + "' (letters SAFRPUEC or none)";
  }
  if (auto v = num("type", 255)) p.type = uint8_t(*v);
  if (auto v = num("code", 255)) p.code = uint8_t(*v);
  bool icmp_err = p.proto == 1 && is_icmp_error(p.type);
  if (icmp_err) {
    p.inner_proto = flags_given ? 6 : 17;
    if (auto v = take("inner_proto")) {
      auto n = protocol_number(*v);
      if (!n) return "unknown protocol '" + *v + "'";
      p.inner_proto = *n;
    }
    p.inner_src = addr("inner_src");
    p.inner_dst = addr("inner_dst");
  }
  uint8_t port_proto = icmp_err ? p.inner_proto : p.proto;
  p.dport = port_proto == 17 ? 53 : 80;
  if (auto v = num("sport", 65535)) p.sport = uint16_t(*v);
  if (auto v = num("dport", 65535)) p.dport = uint16_t(*v);
  if (auto v = num("seq", 0xffffffffu)) p.seq = uint32_t(*v);
  if (auto v = num("ack", 0xffffffffu)) p.ack = uint32_t(*v);
  if (auto v = num("win", 65535)) p.win = uint16_t(*v);
  if (auto v = num("echo_id", 65535)) p.echo_id = uint16_t(*v);
  if (auto v = num("echo_seq", 65535)) p.echo_seq = uint16_t(*v);
  if (auto v = num("ttl", 255)) p.ttl = uint8_t(*v);
  if (auto v = num("tos", 255)) p.tos = uint8_t(*v);
  if (auto v = num("id", 65535)) p.id = uint16_t(*v);
  if (auto v = num("len", 65535)) p.len = uint32_t(*v);
  if (auto v = num("df", 1)) p.df = *v != 0;
  if (auto v = num("mf", 1)) p.mf = *v != 0;
  if (auto v = num("fragoff", 65528)) {
    if (*v % 8) return "fragoff must be a multiple of 8 bytes";
    p.fragoff = uint16_t(*v);
  }
  if (auto v = num("mark", 0xffffffffu)) p.mark = uint32_t(*v);
  if (auto v = num("mss", 65535)) {
    if (p.proto != 6) return "mss needs a tcp packet";
    p.mss = uint16_t(*v);
  }
  if (auto v = take("chunks")) {
    // TYPE[:FLAGS],... with the chunk names of RFC 9260 (and libxt_sctp) or numbers.
    static const std::map<std::string, uint8_t> kNames = {
        {"DATA", 0},          {"INIT", 1},           {"INIT_ACK", 2},      {"SACK", 3},
        {"HEARTBEAT", 4},     {"HEARTBEAT_ACK", 5},  {"ABORT", 6},         {"SHUTDOWN", 7},
        {"SHUTDOWN_ACK", 8},  {"ERROR", 9},          {"COOKIE_ECHO", 10},  {"COOKIE_ACK", 11},
        {"ECN_ECNE", 12},     {"ECN_CWR", 13},       {"SHUTDOWN_COMPLETE", 14},
        {"I_DATA", 64},       {"RE_CONFIG", 130},    {"PAD", 132},         {"ASCONF", 193},
        {"ASCONF_ACK", 128},  {"FORWARD_TSN", 192},  {"I_FORWARD_TSN", 194}};
    if (p.proto != 132) return "chunks needs an sctp packet";
    std::string rest = *v;
    while (true) {
      size_t comma = rest.find(',');
      std::string item = rest.substr(0, comma);
      size_t colon = item.find(':');
      std::string name = item.substr(0, colon);
      std::optional<uint64_t> type;
      if (auto it = kNames.find(name); it != kNames.end()) type = it->second;
      else type = parse_uint(name, 255);
      std::optional<uint64_t> flags = uint64_t{0};
      if (colon != std::string::npos) flags = parse_uint(item.substr(colon + 1), 255);
      if (!type || !flags) return "bad sctp chunk '" + item + "'";
      p.chunks.emplace_back(uint8_t(*type), uint8_t(*flags));
      if (comma == std::string::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  if (auto v = take("payload")) {
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (v->empty() || v->size() % 2) return "bad payload '" + *v + "' (pairs of hex digits)";
    for (size_t k = 0; k < v->size(); k += 2) {
      int hi = hex((*v)[k]), lo = hex((*v)[k + 1]);
      if (hi < 0 || lo < 0) return "bad payload '" + *v + "' (pairs of hex digits)";
      p.payload.push_back(uint8_t(hi << 4 | lo));
    }
  }
  if (auto v = num("spi", 0xffffffffu)) p.spi = uint32_t(*v);
  if (auto v = num("cpu", 4095)) p.cpu = uint32_t(*v);
  if (!err.empty()) return err;
  if (p.len && *p.len < 20) return "len is the total IP length: at least 20";
  if (!kv.empty()) return "unknown key '" + kv.begin()->first + "'";
  return "";
}

}  // namespace

std::vector<PacketLine> parse_packet_lines(std::string_view text) {
  std::vector<PacketLine> out;
  uint32_t lineno = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineno;
    std::string_view line = raw;
    if (auto h = line.find('#'); h != std::string_view::npos) line = line.substr(0, h);
    line = trim(line);
    if (line.empty()) continue;
    PacketLine pl;
    pl.line = lineno;
    pl.text = std::string(line);
    auto w = split_ws(line);
    if (w[0] == "flush") {
      pl.kind = w.size() == 1 ? PacketLine::Kind::Flush : PacketLine::Kind::Error;
      if (w.size() != 1) pl.error = "flush takes no arguments";
    } else if (w[0] == "sleep") {
      char* end = nullptr;
      double s = w.size() == 2 ? std::strtod(w[1].c_str(), &end) : -1;
      if (w.size() != 2 || !end || *end || s < 0) {
        pl.kind = PacketLine::Kind::Error;
        pl.error = "sleep SECONDS";
      } else {
        pl.kind = PacketLine::Kind::Sleep;
        pl.sleep_s = s;
      }
    } else {
      std::string e = parse_packet(w, pl.pkt);
      if (!e.empty()) {
        pl.kind = PacketLine::Kind::Error;
        pl.error = e;
      }
    }
    out.push_back(std::move(pl));
  }
  return out;
}

}  // namespace iptc::kernel_test
