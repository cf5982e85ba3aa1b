// Helpers for the interpreter's tests: build rule sets directly as IR (so that a match or
// target can be tested before or without its option parser), run packet lines through an
// Engine, and look at the result.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "iptc/interp/engine.hpp"
#include "iptc/interp/packets.hpp"
#include "iptc/ir/ruleset.hpp"
#include "iptc/runtime/host.hpp"

namespace iptc::interp::test {

constexpr uint32_t ip(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

inline ir::Ipv4Net net(uint32_t addr, int prefix) {
  uint32_t mask = prefix <= 0 ? 0 : (prefix >= 32 ? 0xffffffffu : ~0u << (32 - prefix));
  return {addr & mask, mask};
}

inline ir::Target accept() { return {ir::TargetType::Accept, {}, {}, {}}; }
inline ir::Target drop() { return {ir::TargetType::Drop, {}, {}, {}}; }
inline ir::Target ret() { return {ir::TargetType::Return, {}, {}, {}}; }
inline ir::Target none() { return {}; }
inline ir::Target jump(std::string c) { return {ir::TargetType::Jump, std::move(c), {}, {}}; }
inline ir::Target go(std::string c) { return {ir::TargetType::Goto, std::move(c), {}, {}}; }
inline ir::Target ext(ir::TargetData d) { return {ir::TargetType::Extension, {}, std::move(d), {}}; }

/// A rule: optional protocol, matches in order, a target.
inline ir::Rule rule(std::vector<ir::MatchData> ms, ir::Target t, uint8_t proto = 0) {
  ir::Rule r;
  r.ip.proto = proto;
  for (auto& m : ms) r.matches.push_back(ir::Match{std::move(m), {}});
  r.target = std::move(t);
  return r;
}

inline ir::TcpMatch tcp_dport(uint16_t lo, uint16_t hi) {
  ir::TcpMatch t;
  t.dport = {lo, hi};
  return t;
}
inline ir::UdpMatch udp_dport(uint16_t p) {
  ir::UdpMatch u;
  u.dport = {p, p};
  return u;
}

/// A rule set under construction.
struct Rules {
  ir::Ruleset rs;
  ir::Chain& chain(ir::TableKind t, const std::string& name) {
    ir::Table& tb = rs.ensure(t);
    if (ir::Chain* c = tb.find(name)) return *c;
    return tb.add_user_chain(name, {});
  }
  Rules& add(ir::TableKind t, const std::string& c, ir::Rule r) {
    chain(t, c).rules.push_back(std::move(r));
    return *this;
  }
  Rules& policy(ir::TableKind t, const std::string& c, ir::Policy p) {
    chain(t, c).policy = p;
    return *this;
  }
};

/// Parses packet lines against a host model (failing the test on errors).
inline std::vector<PacketLine> lines(std::string_view text, const runtime::HostModel& host) {
  std::vector<PacketLine> out;
  std::vector<PacketParseError> errs;
  bool ok = parse_packet_lines(text, host, out, errs);
  for (const auto& e : errs) UNSCOPED_INFO("packet " << e.line << ":" << e.col << ": " << e.message);
  REQUIRE(ok);
  return out;
}

/// An engine over a rule set and host, with a one-line runner.
struct Run {
  explicit Run(const ir::Ruleset& rs, runtime::HostModel h = runtime::HostModel::default_model(),
               EngineOptions o = {})
      : host(h), engine(rs, std::move(h), o) {}
  runtime::HostModel host;
  Engine engine;
  TraceResult operator()(std::string_view line) {
    auto v = lines(line, host);
    REQUIRE(v.size() == 1);
    return engine.process(v[0].packet);
  }
};

/// "table/chain#rule" of every matched rule, for compact comparisons.
inline std::vector<std::string> matched(const TraceResult& r) {
  std::vector<std::string> out;
  for (const auto& m : r.matched)
    out.push_back(std::string(ir::table_name(m.table)) + "/" + m.chain + "#" + std::to_string(m.rule));
  return out;
}
inline std::vector<std::string> policies(const TraceResult& r) {
  std::vector<std::string> out;
  for (const auto& p : r.policy) out.push_back(std::string(ir::table_name(p.table)) + "/" + p.chain);
  return out;
}

using S = std::vector<std::string>;

}  // namespace iptc::interp::test
