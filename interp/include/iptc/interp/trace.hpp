// What one packet did, as `iptc trace` reports it (DESIGN.md "Trace output"): the path it
// really took, the verdict, every rule whose criteria all matched (exactly the rules whose
// kernel packet counter would rise) in evaluation order, the built-in chain policies that
// decided, the conntrack state, the NAT rewrite and the packet as it left an interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "iptc/ir/ruleset.hpp"

namespace iptc::interp {

enum class Path : uint8_t { Input, Forward, Output };
enum class Verdict : uint8_t { Accept, Drop, Reject, Queue };
enum class CtState : uint8_t { New, Established, Related, Invalid, Untracked };

struct MatchedRule {
  ir::TableKind table;
  std::string chain;
  uint32_t rule = 0;  ///< 1-based, as iptables -L --line-numbers
  const ir::Rule* ir_rule = nullptr;  ///< for source line and text
};

struct PolicyHit {
  ir::TableKind table;
  std::string chain;
  ir::Policy policy;
};

struct Egress {
  std::string iface;
  uint32_t src = 0, dst = 0;
  std::optional<uint16_t> sport, dport;  ///< null for protocols without ports
  uint8_t ttl = 0;
};

/// A LOG / NFLOG / TRACE record, in evaluation order.
struct LogRecord {
  std::string kind;    ///< "LOG", "NFLOG"
  std::string prefix;
  ir::TableKind table;
  std::string chain;
  uint32_t rule = 0;
};

struct TraceResult {
  uint32_t line = 0;
  Path path = Path::Input;
  Verdict verdict = Verdict::Accept;
  std::string reject_with;   ///< REJECT's reply kind when verdict is Reject
  uint16_t queue_num = 0;    ///< QUEUE / NFQUEUE
  std::optional<CtState> ctstate;  ///< none when conntrack never saw the packet
  std::vector<MatchedRule> matched;
  std::vector<PolicyHit> policy;
  std::optional<Egress> egress;    ///< null when dropped or delivered locally
  bool delivered = false;          ///< reached a local socket (INPUT accepted)
  std::vector<LogRecord> logs;
  std::string nat;  ///< human description of the NAT binding applied, if any
};

std::string_view path_name(Path p);
std::string_view verdict_name(Verdict v);
std::string_view ctstate_name(CtState s);

}  // namespace iptc::interp
