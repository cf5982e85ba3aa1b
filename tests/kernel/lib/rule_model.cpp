// Reading canonical rule words into RuleSpec (see rule_model.hpp).
#include "rule_model.hpp"

#include <map>

#include "common.hpp"
#include "packet_lines.hpp"

namespace iptc::kernel_test {

bool Crit::matches(uint32_t v) const {
  if (ranges.empty()) return true;
  bool in = false;
  for (const auto& r : ranges) in = in || r.contains(v);
  return in != inv;
}

bool iface_pattern_matches(const std::string& pattern, const std::string& ifname) {
  if (!pattern.empty() && pattern.back() == '+')
    return starts_with(ifname, pattern.substr(0, pattern.size() - 1));
  return pattern == ifname;
}

bool IfaceCrit::matches(const std::string& ifname) const {
  if (name.empty()) return true;
  return iface_pattern_matches(name, ifname) != inv;
}

namespace {

std::optional<URange> addr_range(const std::string& s) {
  auto dash = s.find('-');
  if (dash != std::string::npos) {
    auto a = parse_ipv4(s.substr(0, dash)), b = parse_ipv4(s.substr(dash + 1));
    if (!a || !b) return std::nullopt;
    return URange{*a, *b};
  }
  auto slash = s.find('/');
  auto a = parse_ipv4(s.substr(0, slash));
  if (!a) return std::nullopt;
  uint32_t mask = 0xffffffffu;
  if (slash != std::string::npos) {
    std::string m = s.substr(slash + 1);
    if (auto dotted = parse_ipv4(m)) mask = *dotted;
    else if (auto len = parse_uint(m, 32)) mask = prefix_mask(unsigned(*len));
    else return std::nullopt;
  }
  // Only contiguous masks make a range; others are approximated by their prefix part.
  uint32_t lo = *a & mask;
  return URange{lo, lo | ~mask};
}

std::optional<URange> port_range(const std::string& s) {
  auto colon = s.find(':');
  if (colon == std::string::npos) {
    auto v = parse_uint(s, 65535);
    if (!v) return std::nullopt;
    return URange{uint32_t(*v), uint32_t(*v)};
  }
  auto a = colon == 0 ? std::optional<uint64_t>(0) : parse_uint(s.substr(0, colon), 65535);
  auto b = colon + 1 == s.size() ? std::optional<uint64_t>(65535)
                                 : parse_uint(s.substr(colon + 1), 65535);
  if (!a || !b) return std::nullopt;
  return URange{uint32_t(*a), uint32_t(*b)};
}

std::vector<URange> port_list(const std::string& s) {
  std::vector<URange> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    if (auto r = port_range(s.substr(i, j - i))) out.push_back(*r);
    i = j + 1;
  }
  return out;
}

uint8_t tcp_flag_mask(const std::string& s) {
  static const std::map<std::string, uint8_t> kFlags = {
      {"FIN", kTcpFin}, {"SYN", kTcpSyn}, {"RST", kTcpRst}, {"PSH", kTcpPsh},
      {"ACK", kTcpAck}, {"URG", kTcpUrg}, {"ALL", 0x3f},   {"NONE", 0}};
  uint8_t m = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    auto it = kFlags.find(s.substr(i, j - i));
    if (it != kFlags.end()) m |= it->second;
    i = j + 1;
  }
  return m;
}

void add_states(const std::string& s, std::set<std::string>& out) {
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(',', i);
    if (j == std::string::npos) j = s.size();
    out.insert(s.substr(i, j - i));
    i = j + 1;
  }
}

}  // namespace

RuleSpec read_rule(const SavedRule& r) {
  RuleSpec s;
  s.target = r.target;
  s.cls = r.cls;
  s.jump = r.target_chain;
  const auto& w = r.words;
  bool neg = false;
  std::string cur_match;
  bool in_target = false;
  for (size_t i = 0; i < w.size(); ++i) {
    const std::string& o = w[i];
    auto arg = [&]() -> std::string { return i + 1 < w.size() ? w[++i] : std::string(); };
    if (o == "!") {
      neg = true;
      continue;
    }
    bool n = neg;
    neg = false;
    if (o == "-j" || o == "-g") {
      in_target = true;
      arg();
      continue;
    }
    if (in_target) {
      if (o == "--to-destination" || o == "--to-source") {
        std::string v = arg();
        // ADDR[-ADDR][:PORT[-PORT]]
        auto colon = v.find(':');
        std::string a = v.substr(0, colon);
        if (auto dash = a.find('-'); dash != std::string::npos) a = a.substr(0, dash);
        if (auto addr = parse_ipv4(a)) s.nat_addr = *addr;
        if (colon != std::string::npos) {
          std::string p = v.substr(colon + 1);
          auto dash = p.find('-');
          if (auto lo = parse_uint(p.substr(0, dash), 65535)) {
            s.nat_port_lo = uint16_t(*lo);
            s.nat_port_hi = s.nat_port_lo;
            if (dash != std::string::npos)
              if (auto hi = parse_uint(p.substr(dash + 1), 65535)) s.nat_port_hi = uint16_t(*hi);
          }
        }
      } else if (o == "--to-ports") {
        std::string p = arg();
        auto dash = p.find('-');
        if (auto lo = parse_uint(p.substr(0, dash), 65535)) {
          s.nat_port_lo = uint16_t(*lo);
          s.nat_port_hi = s.nat_port_lo;
          if (dash != std::string::npos)
            if (auto hi = parse_uint(p.substr(dash + 1), 65535)) s.nat_port_hi = uint16_t(*hi);
        }
      }
      continue;
    }
    if (o == "-s" || o == "-d") {
      auto rr = addr_range(arg());
      Crit& c = o == "-s" ? s.src : s.dst;
      if (rr) {
        c.ranges = {*rr};
        c.inv = n;
      }
    } else if (o == "-i" || o == "-o") {
      IfaceCrit& c = o == "-i" ? s.iif : s.oif;
      c.name = arg();
      c.inv = n;
    } else if (o == "-p") {
      if (auto p = protocol_number(arg())) {
        s.proto = *p;
        s.proto_inv = n;
      }
    } else if (o == "-f") {
      s.frag = !n;
    } else if (o == "-m") {
      cur_match = arg();
      s.matches.push_back(cur_match);
    } else if (o == "--sport" || o == "--source-port" || o == "--dport" ||
               o == "--destination-port") {
      bool src = o == "--sport" || o == "--source-port";
      if (auto pr = port_range(arg())) {
        Crit& c = src ? s.sport : s.dport;
        c.ranges = {*pr};
        c.inv = n;
      }
    } else if (o == "--sports" || o == "--dports" || o == "--ports" ||
               o == "--source-ports" || o == "--destination-ports") {
      Crit& c = (o == "--sports" || o == "--source-ports")   ? s.sport
                : (o == "--dports" || o == "--destination-ports") ? s.dport
                                                              : s.ports;
      c.ranges = port_list(arg());
      c.inv = n;
    } else if (o == "--tcp-flags") {
      uint8_t mask = tcp_flag_mask(arg());
      uint8_t cmp = tcp_flag_mask(arg());
      s.tcp_flags = {{mask, cmp}};
      s.tcp_flags_inv = n;
    } else if (o == "--syn") {
      s.tcp_flags = {{kTcpSyn | kTcpRst | kTcpAck | kTcpFin, kTcpSyn}};
      s.tcp_flags_inv = n;
    } else if (o == "--icmp-type") {
      std::string v = arg();
      auto slash = v.find('/');
      if (v != "any") {
        if (auto t = parse_uint(v.substr(0, slash), 255)) s.icmp_type = int(*t);
        if (slash != std::string::npos)
          if (auto c = parse_uint(v.substr(slash + 1), 255)) s.icmp_code = int(*c);
      }
      s.icmp_inv = n;
    } else if (o == "--state" || o == "--ctstate") {
      add_states(arg(), s.states);
      s.states_inv = n;
    } else if (o == "--src-range" || o == "--dst-range") {
      if (auto rr = addr_range(arg())) {
        Crit& c = o == "--src-range" ? s.src : s.dst;
        c.ranges = {*rr};
        c.inv = n;
      }
    } else if (o == "--length") {
      if (auto pr = port_range(arg())) {
        s.length.ranges = {*pr};
        s.length.inv = n;
      }
    } else if (o == "--mark" && cur_match == "mark") {
      std::string v = arg();
      auto slash = v.find('/');
      if (auto m = parse_uint(v.substr(0, slash), 0xffffffffu)) s.mark = uint32_t(*m);
      if (slash != std::string::npos)
        if (auto m = parse_uint(v.substr(slash + 1), 0xffffffffu)) s.mark_mask = uint32_t(*m);
    } else if (o == "--pkt-type") {
      s.pkttype = n ? "" : arg();
      if (n) arg();
    } else if (o == "--src-type") {
      s.src_type = n ? "" : arg();
      if (n) arg();
    } else if (o == "--dst-type") {
      s.dst_type = n ? "" : arg();
      if (n) arg();
    }
    // Other options (and their arguments, which never start with "--") are skipped.
  }
  return s;
}

}  // namespace iptc::kernel_test
