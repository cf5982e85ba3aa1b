// Packet lines: the parser for DESIGN.md's "Packet lines" format and the automatic TCP
// numbering. Every key's default is applied here, in one place, so that the engine, the
// tests and the benchmarks see the same packets; only the sequence numbers that follow a
// connection through NAT are left to the engine (see packets.hpp).
//
// Values are strict: addresses are full dotted quads, numbers decimal (or 0x hex), so that a
// typo is an error with its line and column rather than a silently different packet.
#include "iptc/interp/packets.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "iptc/ir/values.hpp"

namespace iptc::interp {

uint16_t PacketSpec::l4_header_len() const {
  if (fragoff != 0) return 0;
  switch (proto) {
    case 6: return mss ? 24 : 20;
    case 17:
    case 136: return 8;
    case 132: return static_cast<uint16_t>(12 + 4 * chunks.size());
    case 33: return 16;
    case 50: return 8;   // ESP: SPI, sequence number
    case 51: return 12;  // AH: next header, length, reserved, SPI, sequence number
    case 1: {
      if (!icmp_error()) return 8;
      // The embedded packet: its IP header and the first 8 bytes of its transport header,
      // as much as RFC 792 requires and the kernel's ICMP error tracking reads.
      return 8 + 20 + 8;
    }
    default: return 0;
  }
}

void TcpNumbering::assign(PacketSpec& p, uint64_t conn, bool reply) {
  Next& n = conns_[conn];
  int me = reply ? 1 : 0;
  if (p.seq_auto) p.seq = n.next[me];
  if (p.ack_auto) p.ack = (p.tcp_flags & 0x10) ? n.next[1 - me] : 0;
  uint32_t used = p.tcp_data_len();
  if (p.tcp_flags & 0x02) ++used;  // SYN
  if (p.tcp_flags & 0x01) ++used;  // FIN
  n.next[me] = p.seq + used;
}

namespace {

constexpr std::string_view kKeys[] = {
    "in",   "src",      "dst",       "proto",     "sport",       "dport", "flags",   "seq",
    "ack",  "win",      "type",      "code",      "echo_id",     "echo_seq", "inner_src",
    "inner_dst", "inner_proto", "ttl", "tos",     "id",          "len",   "df",      "mf",
    "fragoff", "mark",  "mac",       "uid",       "gid",         "pkttype", "mss",
    "chunks", "physin", "physout",
    // coverage group 2
    "payload", "spi",   "cpu",       "cgroup",    "classid",
};

/// SCTP chunk type names (RFC 9260 and its extensions), as libxt_sctp spells them.
constexpr std::pair<std::string_view, uint8_t> kChunkNames[] = {
    {"DATA", 0},          {"INIT", 1},          {"INIT_ACK", 2},      {"SACK", 3},
    {"HEARTBEAT", 4},     {"HEARTBEAT_ACK", 5}, {"ABORT", 6},         {"SHUTDOWN", 7},
    {"SHUTDOWN_ACK", 8},  {"ERROR", 9},         {"COOKIE_ECHO", 10},  {"COOKIE_ACK", 11},
    {"ECN_ECNE", 12},     {"ECN_CWR", 13},      {"SHUTDOWN_COMPLETE", 14},
    {"I_DATA", 64},       {"RE_CONFIG", 130},   {"PAD", 132},         {"ASCONF", 193},
    {"ASCONF_ACK", 128},  {"FORWARD_TSN", 192}, {"I_FORWARD_TSN", 194},
};

/// A number as the packet lines write them (decimal or 0x hex), at most `max`.
std::optional<uint32_t> small_number(std::string_view s, uint32_t max) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char ch : s) {
    int d = ch >= '0' && ch <= '9' ? ch - '0'
            : base == 16 && ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
            : base == 16 && ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                                   : -1;
    if (d < 0) return std::nullopt;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    if (v > max) return std::nullopt;
  }
  return static_cast<uint32_t>(v);
}

struct Token {
  std::string_view key, value;
  uint32_t col = 0;      ///< 1-based column of the key
  uint32_t val_col = 0;  ///< 1-based column of the value
};

class LineParser {
 public:
  LineParser(uint32_t line, std::vector<PacketParseError>& errors) : line_(line), errors_(errors) {}

  bool fail(uint32_t col, std::string message, std::string hint = {}) {
    errors_.push_back({line_, col, std::move(message), std::move(hint)});
    return false;
  }

  std::optional<uint64_t> number(const Token& t, uint64_t max) {
    std::string_view s = t.value;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
      base = 16;
      s.remove_prefix(2);
    }
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
      fail(t.val_col, fmt::format("'{}' is not a number", t.value),
           "write a decimal number (or 0x hex)");
      return std::nullopt;
    }
    if (v > max) {
      fail(t.val_col, fmt::format("{}={} is out of range (at most {})", t.key, t.value, max));
      return std::nullopt;
    }
    return v;
  }

  std::optional<uint32_t> address(const Token& t) {
    auto a = parse_quad(t.value);
    if (!a)
      fail(t.val_col, fmt::format("'{}' is not an IPv4 address", t.value),
           "write a dotted quad such as 192.0.2.1");
    return a;
  }

  static std::optional<uint32_t> parse_quad(std::string_view s) {
    uint32_t out = 0;
    for (int i = 0; i < 4; ++i) {
      size_t end = i < 3 ? s.find('.') : s.size();
      if (end == std::string_view::npos || end == 0 || end > 3) return std::nullopt;
      unsigned v = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + end, v);
      if (ec != std::errc() || ptr != s.data() + end || v > 255) return std::nullopt;
      out = (out << 8) | v;
      s.remove_prefix(i < 3 ? end + 1 : end);
    }
    return out;
  }

  std::optional<uint8_t> protocol(const Token& t) {
    auto p = ir::parse_protocol(t.value);
    if (!p || *p == 0) {
      fail(t.val_col, fmt::format("unknown protocol '{}'", t.value),
           "write tcp, udp, icmp, another protocol name or a number 1-255");
      return std::nullopt;
    }
    return p;
  }

  std::optional<uint8_t> tcp_flags(const Token& t) {
    if (t.value == "none") return uint8_t{0};
    uint8_t f = 0;
    for (size_t i = 0; i < t.value.size(); ++i) {
      switch (t.value[i]) {
        case 'F': f |= 0x01; break;
        case 'S': f |= 0x02; break;
        case 'R': f |= 0x04; break;
        case 'P': f |= 0x08; break;
        case 'A': f |= 0x10; break;
        case 'U': f |= 0x20; break;
        case 'E': f |= 0x40; break;
        case 'C': f |= 0x80; break;
        default:
          fail(t.val_col + static_cast<uint32_t>(i),
               fmt::format("unknown TCP flag '{}'", t.value[i]),
               "flags are letters of S A F R P U E C, or none");
          return std::nullopt;
      }
    }
    if (t.value.empty()) {
      fail(t.val_col, "empty TCP flags", "flags are letters of S A F R P U E C, or none");
      return std::nullopt;
    }
    return f;
  }

 private:
  uint32_t line_;
  std::vector<PacketParseError>& errors_;
};

/// The source address the kernel picks for a locally generated packet to dst
/// (ip_route_output_key: the route's preferred source, which for a local destination is the
/// destination itself and otherwise inet_select_addr on the egress interface).
std::optional<uint32_t> pick_source(const runtime::HostModel& host, uint32_t dst) {
  runtime::RouteResult r = host.route_output(dst);
  if (r.unreachable || r.prefsrc == 0) return std::nullopt;
  return r.prefsrc;
}

bool parse_packet(std::string_view text, uint32_t line, const runtime::HostModel& host,
                  PacketSpec& p, std::vector<PacketParseError>& errors) {
  LineParser lp(line, errors);
  size_t before = errors.size();
  std::vector<Token> toks;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) ++i;
    if (i >= text.size()) break;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\r') ++i;
    std::string_view word = text.substr(start, i - start);
    size_t eq = word.find('=');
    auto col = static_cast<uint32_t>(start + 1);
    if (eq == std::string_view::npos) {
      lp.fail(col, fmt::format("expected key=value, got '{}'", word),
              "packet lines are key=value words, e.g. in=eth0 src=10.0.0.2 dst=10.0.0.1");
      continue;
    }
    Token t{word.substr(0, eq), word.substr(eq + 1), col, static_cast<uint32_t>(start + eq + 2)};
    bool known = false;
    for (auto k : kKeys) known = known || k == t.key;
    if (!known) {
      std::vector<std::string_view> cands(std::begin(kKeys), std::end(kKeys));
      std::string near = ir::closest(t.key, cands);
      lp.fail(col, fmt::format("unknown key '{}'", t.key),
              near.empty() ? std::string("see DESIGN.md \"Packet lines\" for the keys")
                           : fmt::format("did you mean '{}'?", near));
      continue;
    }
    bool dup = false;
    for (const auto& o : toks) dup = dup || o.key == t.key;
    if (dup) {
      lp.fail(col, fmt::format("key '{}' given twice", t.key));
      continue;
    }
    toks.push_back(t);
  }
  if (errors.size() != before) return false;

  auto find = [&](std::string_view k) -> const Token* {
    for (const auto& t : toks)
      if (t.key == k) return &t;
    return nullptr;
  };
  bool ok = true;
  auto num = [&](std::string_view k, uint64_t max, auto& field) {
    if (const Token* t = find(k)) {
      if (auto v = lp.number(*t, max)) field = static_cast<std::remove_reference_t<decltype(field)>>(*v);
      else ok = false;
      return true;
    }
    return false;
  };
  auto addr = [&](std::string_view k, uint32_t& field) {
    if (const Token* t = find(k)) {
      if (auto v = lp.address(*t)) field = *v;
      else ok = false;
      return true;
    }
    return false;
  };

  if (const Token* t = find("in")) {
    if (t->value.empty() || t->value.size() > 15)
      ok = lp.fail(t->val_col, fmt::format("'{}' is not an interface name", t->value),
                   "interface names have 1 to 15 characters");
    else
      p.in = std::string(t->value);
  }
  p.src_given = addr("src", p.src);
  bool dst_given = addr("dst", p.dst);
  const Token* proto_t = find("proto");
  const Token* sport_t = find("sport");
  const Token* dport_t = find("dport");
  const Token* flags_t = find("flags");
  if (proto_t) {
    if (auto v = lp.protocol(*proto_t)) p.proto = *v;
    else ok = false;
  } else {
    p.proto = (sport_t || dport_t || flags_t) ? 6 : 1;
  }
  if (flags_t) {
    if (auto f = lp.tcp_flags(*flags_t)) p.tcp_flags = *f;
    else ok = false;
  }
  num("type", 255, p.icmp_type);
  num("code", 255, p.icmp_code);
  num("echo_id", 65535, p.echo_id);
  num("echo_seq", 65535, p.echo_seq);
  num("ttl", 255, p.ttl);
  num("tos", 255, p.tos);
  num("win", 65535, p.win);
  num("mark", 0xffffffff, p.mark);
  num("uid", 0xffffffff, p.uid);
  num("gid", 0xffffffff, p.gid);
  if (const Token* t = find("id")) {
    if (auto v = lp.number(*t, 65535)) p.id = static_cast<uint16_t>(*v);
    else ok = false;
  }
  bool df = false, mf = false;
  num("df", 1, df);
  num("mf", 1, mf);
  p.df = df;
  p.mf = mf;
  if (const Token* t = find("fragoff")) {
    if (auto v = lp.number(*t, 65528)) {
      if (*v % 8 != 0)
        ok = lp.fail(t->val_col, fmt::format("fragoff={} is not a multiple of 8", *v),
                     "the IP header counts fragment offsets in units of 8 bytes");
      else
        p.fragoff = static_cast<uint16_t>(*v);
    } else {
      ok = false;
    }
  }
  if (const Token* t = find("mac")) {
    if (auto m = ir::parse_mac(t->value)) {
      p.mac = *m;
      p.mac_given = true;
    } else {
      ok = lp.fail(t->val_col, fmt::format("'{}' is not a MAC address", t->value),
                   "write six hex bytes such as 02:00:00:00:00:01");
    }
  }
  if (const Token* t = find("pkttype")) {
    static constexpr std::string_view kTypes[] = {"host", "broadcast", "multicast", "otherhost"};
    bool found = false;
    for (size_t k = 0; k < 4; ++k)
      if (t->value == kTypes[k]) {
        p.pkttype = static_cast<uint8_t>(k);
        found = true;
      }
    if (!found)
      ok = lp.fail(t->val_col, fmt::format("unknown pkttype '{}'", t->value),
                   "write host, broadcast, multicast or otherhost");
  }

  auto ifname_key = [&](std::string_view k, std::string& field) {
    if (const Token* t = find(k)) {
      if (t->value.empty() || t->value.size() > 15)
        ok = lp.fail(t->val_col, fmt::format("'{}' is not an interface name", t->value),
                     "interface names have 1 to 15 characters");
      else
        field = std::string(t->value);
    }
  };
  ifname_key("physin", p.physin);
  ifname_key("physout", p.physout);
  if (const Token* t = find("mss")) {
    if (p.proto != 6) ok = lp.fail(t->col, "mss needs a tcp packet");
    else if (auto v = lp.number(*t, 65535)) p.mss = static_cast<uint16_t>(*v);
    else ok = false;
  }
  if (const Token* t = find("chunks")) {
    if (p.proto != 132) ok = lp.fail(t->col, "chunks needs an sctp packet");
    std::string_view rest = t->value;
    while (ok) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      std::string_view name = item.substr(0, item.find(':'));
      std::optional<uint32_t> type;
      for (const auto& [n, v] : kChunkNames)
        if (n == name) type = v;
      if (!type) type = small_number(name, 255);
      std::optional<uint32_t> flags = 0;
      if (item.find(':') != std::string_view::npos)
        flags = small_number(item.substr(item.find(':') + 1), 255);
      if (!type || !flags) {
        ok = lp.fail(t->val_col, fmt::format("'{}' is not an sctp chunk", item),
                     "write TYPE[:FLAGS] items separated by commas, e.g. chunks=INIT,DATA:0x03");
        break;
      }
      p.chunks.emplace_back(static_cast<uint8_t>(*type), static_cast<uint8_t>(*flags));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  // Coverage group 2: payload bytes, ESP/AH SPI, CPU, cgroup of the sending socket.
  if (const Token* t = find("payload")) {
    auto hexval = [](char ch) -> int {
      if (ch >= '0' && ch <= '9') return ch - '0';
      if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
      if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
      return -1;
    };
    std::string_view v = t->value;
    bool good = !v.empty() && v.size() % 2 == 0 && v.size() <= 2 * 65000;
    for (size_t k = 0; good && k < v.size(); k += 2) {
      int hi = hexval(v[k]), lo = hexval(v[k + 1]);
      if (hi < 0 || lo < 0) good = false;
      else p.payload.push_back(static_cast<uint8_t>(hi << 4 | lo));
    }
    if (!good)
      ok = lp.fail(t->val_col, fmt::format("'{}' is not a hex byte string", v),
                   "write the payload as pairs of hex digits, e.g. payload=474554202f (\"GET /\")");
    if (p.icmp_error())
      ok = lp.fail(t->col, "payload cannot follow an ICMP error",
                   "an ICMP error's body is the packet it embeds");
  }
  if (const Token* t = find("spi")) {
    if (p.proto != 50 && p.proto != 51)
      ok = lp.fail(t->col, "spi needs an esp or ah packet", "add proto=esp or proto=ah");
    else
      num("spi", 0xffffffff, p.spi);
  }
  num("cpu", 4095, p.cpu);
  if (const Token* t = find("cgroup")) {
    if (t->value.empty() || t->value[0] != '/')
      ok = lp.fail(t->val_col, fmt::format("'{}' is not a cgroup path", t->value),
                   "write an absolute path in the cgroup2 tree, e.g. cgroup=/system.slice");
    else
      p.cgroup = std::string(t->value);
  }
  num("classid", 0xffffffff, p.classid);

  // Ports: for protocols with ports they are the packet's; for ICMP errors the embedded one's.
  bool icmp_err = p.icmp_error();
  if (icmp_err) {
    p.inner_src = p.dst;
    p.inner_dst = p.src;
    addr("inner_src", p.inner_src);
    addr("inner_dst", p.inner_dst);
    p.inner_proto = flags_t ? 6 : 17;
    if (const Token* t = find("inner_proto")) {
      if (auto v = lp.protocol(*t)) p.inner_proto = *v;
      else ok = false;
    }
  } else {
    for (auto k : {"inner_src", "inner_dst", "inner_proto"})
      if (const Token* t = find(k))
        ok = lp.fail(t->col, fmt::format("{} needs an ICMP error", k),
                     "only proto=icmp with type 3, 4, 5, 11 or 12 embeds a packet");
  }
  uint8_t port_proto = icmp_err ? p.inner_proto : p.proto;
  if (PacketSpec::proto_has_ports(port_proto)) {
    p.sport = 40000;
    p.dport = port_proto == 17 ? 53 : 80;
    num("sport", 65535, p.sport);
    num("dport", 65535, p.dport);
  } else {
    for (const Token* t : {sport_t, dport_t})
      if (t)
        ok = lp.fail(t->col, fmt::format("{} needs a protocol with ports", t->key),
                     "ports belong to tcp, udp, udplite, sctp and dccp packets (or the packet "
                     "an ICMP error embeds)");
  }
  bool tcpish = port_proto == 6;
  if (!tcpish && flags_t)
    ok = lp.fail(flags_t->col, "flags needs a tcp packet");
  if (!tcpish) {
    for (auto k : {"seq", "ack", "win"})
      if (const Token* t = find(k))
        ok = lp.fail(t->col, fmt::format("{} needs a tcp packet", k));
  }
  if (tcpish) {
    p.seq_auto = !num("seq", 0xffffffff, p.seq);
    p.ack_auto = !num("ack", 0xffffffff, p.ack);
    if (icmp_err) p.seq_auto = p.ack_auto = false;  // nothing to number in an embedded header
  }
  if (p.proto != 1) {
    for (auto k : {"type", "code", "echo_id", "echo_seq"})
      if (const Token* t = find(k))
        ok = lp.fail(t->col, fmt::format("{} needs an icmp packet", k));
  }
  if (p.in) {
    if (!p.src_given) ok = lp.fail(1, "an arriving packet needs src=", "add src=ADDRESS");
    for (auto k : {"uid", "gid", "cgroup", "classid"})
      if (const Token* t = find(k))
        ok = lp.fail(t->col, fmt::format("{} is for locally generated packets only", k),
                     "an arriving packet has no local socket; drop in= to send it from the host");
  } else {
    for (auto k : {"mac", "pkttype", "physin", "physout"})
      if (const Token* t = find(k))
        ok = lp.fail(t->col, fmt::format("{} is for arriving packets only", k),
                     "add in=IFACE, or drop the key");
  }
  if (!dst_given) ok = lp.fail(1, "a packet needs dst=", "add dst=ADDRESS");
  if (!ok) return false;
  if (icmp_err && !find("inner_src")) p.inner_src = p.dst;

  if (const Token* t = find("len")) {
    if (auto v = lp.number(*t, 65535)) {
      // Shorter than the headers is allowed: the packet is cut there (a truncated transport
      // header, which matches such as tcp and icmp treat specially). Not shorter than the IP
      // header, which the kernel would drop before any hook.
      if (*v < 20)
        return lp.fail(t->val_col, fmt::format("len={} is shorter than the IP header (20 bytes)", *v),
                       "len is the total IP length, headers included");
      p.len = static_cast<uint16_t>(*v);
    } else {
      return false;
    }
  }
  if (!p.in && !p.src_given) {
    auto s = pick_source(host, p.dst);
    if (!s)
      return lp.fail(find("dst")->val_col,
                     fmt::format("no route to {}: the host cannot pick a source address",
                                 ir::ipv4_to_string(p.dst)),
                     "add src=ADDRESS, or a route in the host model");
    p.src = *s;
    if (icmp_err && !find("inner_dst")) p.inner_dst = p.src;
  }
  return true;
}

}  // namespace

bool parse_packet_lines(std::string_view text, const runtime::HostModel& host,
                        std::vector<PacketLine>& out, std::vector<PacketParseError>& errors) {
  size_t before = errors.size();
  uint32_t line = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line;
    if (raw.empty() && pos > text.size()) break;
    std::string_view body = raw;
    if (size_t hash = body.find('#'); hash != std::string_view::npos) body = body.substr(0, hash);
    while (!body.empty() && (body.back() == ' ' || body.back() == '\t' || body.back() == '\r'))
      body.remove_suffix(1);
    size_t lead = 0;
    while (lead < body.size() && (body[lead] == ' ' || body[lead] == '\t')) ++lead;
    std::string_view trimmed = body.substr(lead);
    if (trimmed.empty()) continue;
    PacketLine pl;
    pl.line = line;
    if (trimmed == "flush") {
      pl.kind = PacketLine::Kind::Flush;
      out.push_back(std::move(pl));
      continue;
    }
    if (trimmed.starts_with("sleep") && (trimmed.size() == 5 || trimmed[5] == ' ' || trimmed[5] == '\t')) {
      std::string_view arg = trimmed.substr(5);
      size_t a = 0;
      while (a < arg.size() && (arg[a] == ' ' || arg[a] == '\t')) ++a;
      arg.remove_prefix(a);
      auto col = static_cast<uint32_t>(lead + 5 + a + 1);
      std::string s(arg);
      char* end = nullptr;
      double secs = s.empty() ? -1 : std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size() || !(secs >= 0) || !std::isfinite(secs)) {
        errors.push_back({line, col, fmt::format("'{}' is not a number of seconds", arg),
                          "write sleep SECONDS, e.g. sleep 1.5"});
        continue;
      }
      pl.kind = PacketLine::Kind::Sleep;
      pl.sleep_seconds = secs;
      out.push_back(std::move(pl));
      continue;
    }
    pl.packet.line = line;
    pl.packet.text = std::string(trimmed);
    // Columns are reported against the raw line: parse the untrimmed body.
    if (parse_packet(body, line, host, pl.packet, errors)) out.push_back(std::move(pl));
  }
  return errors.size() == before;
}

}  // namespace iptc::interp
