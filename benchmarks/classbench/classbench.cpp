// ClassBench parsing and conversion (classbench.hpp). The parsers are strict: a benchmark fed
// a truncated or misread file would time the wrong thing, so every field is checked.
#include "classbench.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "iptc/ir/values.hpp"

namespace iptc::bench {

namespace {

/// Splits off the next token separated by blanks (tabs or spaces).
std::string_view next_token(std::string_view& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) {
    s = {};
    return {};
  }
  s.remove_prefix(b);
  size_t e = s.find_first_of(" \t\r");
  std::string_view tok = s.substr(0, e);
  s.remove_prefix(e == std::string_view::npos ? s.size() : e);
  return tok;
}

template <typename T>
bool parse_num(std::string_view s, T& out, int base = 10) {
  if (base == 16) {
    if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
    s.remove_prefix(2);
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

/// "a.b.c.d/len" into a masked address and length.
bool parse_prefix(std::string_view s, uint32_t& addr, uint8_t& len) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  unsigned l = 0;
  if (!parse_num(s.substr(slash + 1), l) || l > 32) return false;
  std::string_view a = s.substr(0, slash);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    size_t dot = i < 3 ? a.find('.') : a.size();
    if (dot == std::string_view::npos) return false;
    unsigned octet = 0;
    if (!parse_num(a.substr(0, dot), octet) || octet > 255) return false;
    v = (v << 8) | octet;
    a.remove_prefix(i < 3 ? dot + 1 : dot);
  }
  len = static_cast<uint8_t>(l);
  addr = l == 0 ? 0 : v & (~0u << (32 - l));
  return true;
}

/// "lo : hi" (three tokens).
bool parse_range(std::string_view& rest, uint16_t& lo, uint16_t& hi) {
  std::string_view a = next_token(rest), colon = next_token(rest), b = next_token(rest);
  return colon == ":" && parse_num(a, lo) && parse_num(b, hi) && lo <= hi;
}

std::string ipv4(uint32_t a) {
  return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

/// The name iptables-save prints (its /etc/protocols table: tcp, udp, icmp, gre, esp, ah),
/// so that the converted file is already in the kernel's canonical form.
std::string proto_name(uint8_t p) {
  if (auto n = ir::protocol_name(p)) return std::string(*n);
  return std::to_string(p);
}

void port_option(std::string& out, const char* opt, uint16_t lo, uint16_t hi) {
  if (lo == 0 && hi == 65535) return;
  if (lo == hi) out += fmt::format(" {} {}", opt, lo);
  else out += fmt::format(" {} {}:{}", opt, lo, hi);
}

}  // namespace

bool parse_filters(std::string_view text, std::vector<Filter>& out, std::string& error) {
  uint32_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto fail = [&](const char* what) {
      error = fmt::format("line {}: {}", line_no, what);
      return false;
    };
    Filter f;
    f.line = line_no;
    std::string_view rest = line;
    std::string_view src = next_token(rest);
    if (src.empty() || src[0] != '@') return fail("a filter starts with '@'");
    src.remove_prefix(1);
    if (!parse_prefix(src, f.src, f.src_len)) return fail("bad source prefix");
    if (!parse_prefix(next_token(rest), f.dst, f.dst_len)) return fail("bad destination prefix");
    if (!parse_range(rest, f.sport_lo, f.sport_hi)) return fail("bad source port range");
    if (!parse_range(rest, f.dport_lo, f.dport_hi)) return fail("bad destination port range");
    std::string_view proto = next_token(rest);
    size_t slash = proto.find('/');
    unsigned value = 0, mask = 0;
    if (slash == std::string_view::npos || !parse_num(proto.substr(0, slash), value, 16) ||
        !parse_num(proto.substr(slash + 1), mask, 16) || value > 255)
      return fail("bad protocol value/mask");
    if (mask != 0 && mask != 0xff) return fail("protocol mask must be 0x00 or 0xFF");
    f.proto_any = mask == 0;
    f.proto = f.proto_any ? 0 : static_cast<uint8_t>(value);
    // The flags column (value/mask) is ignored, as the backend issue asks; it must be there.
    if (next_token(rest).find('/') == std::string_view::npos) return fail("missing flags column");
    out.push_back(f);
  }
  return true;
}

bool parse_trace(std::string_view text, std::vector<Header>& out, std::string& error) {
  uint32_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Header h;
    std::string_view rest = line;
    uint32_t sport = 0, dport = 0, proto = 0;
    if (!parse_num(next_token(rest), h.src) || !parse_num(next_token(rest), h.dst) ||
        !parse_num(next_token(rest), sport) || !parse_num(next_token(rest), dport) ||
        !parse_num(next_token(rest), proto) || sport > 65535 || dport > 65535 || proto > 255) {
      error = fmt::format("line {}: expected 'src dst sport dport proto flags filter'", line_no);
      return false;
    }
    h.sport = static_cast<uint16_t>(sport);
    h.dport = static_cast<uint16_t>(dport);
    h.proto = static_cast<uint8_t>(proto);
    out.push_back(h);
  }
  return true;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

bool proto_has_ports(uint8_t p) { return p == 6 || p == 17 || p == 33 || p == 132 || p == 136; }

bool to_iptables_save(std::span<const Filter> filters, std::string& out, std::string& error) {
  out.clear();
  out.reserve(filters.size() * 96 + 128);
  out += "# ClassBench filter set as iptables-save: one FORWARD rule per filter, first match wins\n";
  out += "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n";
  for (const Filter& f : filters) {
    bool ports = !(f.sport_lo == 0 && f.sport_hi == 65535 && f.dport_lo == 0 && f.dport_hi == 65535);
    if (ports && (f.proto_any || !proto_has_ports(f.proto))) {
      error = fmt::format("line {}: a port range needs a protocol with ports (tcp or udp); "
                          "iptables cannot express this filter", f.line);
      return false;
    }
    out += "-A FORWARD";
    if (f.src_len) out += fmt::format(" -s {}/{}", ipv4(f.src), f.src_len);
    if (f.dst_len) out += fmt::format(" -d {}/{}", ipv4(f.dst), f.dst_len);
    if (!f.proto_any) out += " -p " + proto_name(f.proto);
    if (ports) {
      out += " -m " + proto_name(f.proto);
      port_option(out, "--sport", f.sport_lo, f.sport_hi);
      port_option(out, "--dport", f.dport_lo, f.dport_hi);
    }
    out += " -j ACCEPT\n";
  }
  out += "COMMIT\n";
  return true;
}

std::string to_packet_lines(std::span<const Header> headers, std::string_view in) {
  std::string out;
  out.reserve(headers.size() * 72);
  for (const Header& h : headers) {
    out += fmt::format("in={} src={} dst={} proto={}", in, ipv4(h.src), ipv4(h.dst), h.proto);
    if (proto_has_ports(h.proto)) out += fmt::format(" sport={} dport={}", h.sport, h.dport);
    out += '\n';
  }
  return out;
}

bool matches(const Filter& f, const Header& h) {
  uint32_t sm = f.src_len ? ~0u << (32 - f.src_len) : 0;
  uint32_t dm = f.dst_len ? ~0u << (32 - f.dst_len) : 0;
  // Ports: the converter writes them only for tcp/udp filters and refuses other filters
  // with ports, so comparing always is the rule's meaning (the full range matches anything).
  return (h.src & sm) == f.src && (h.dst & dm) == f.dst && (f.proto_any || h.proto == f.proto) &&
         h.sport >= f.sport_lo && h.sport <= f.sport_hi && h.dport >= f.dport_lo &&
         h.dport <= f.dport_hi;
}

uint32_t first_match(std::span<const Filter> filters, const Header& h) {
  for (size_t i = 0; i < filters.size(); ++i)
    if (matches(filters[i], h)) return static_cast<uint32_t>(i + 1);
  return 0;
}

}  // namespace iptc::bench
