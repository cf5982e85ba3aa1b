// What one packet did, as `iptc trace` reports it (DESIGN.md "Trace output"): the path it
// really took, the verdict, every rule whose criteria all matched (exactly the rules whose
// kernel packet counter would rise) in evaluation order, the built-in chain policies that
// decided, the conntrack state, the NAT rewrite and the packet as it left an interface.
// trace_json and trace_text render it: JSON per DESIGN.md (plus helper keys), and the readable
// form that answers "why was this packet dropped?".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "iptc/ir/ruleset.hpp"

namespace iptc::interp {

enum class Path : uint8_t { Input, Forward, Output };
/// KernelDrop: the kernel dropped the packet outside netfilter (martian address, TTL
/// exceeded, no route, a frame for another host, a conntrack table that is full).
enum class Verdict : uint8_t { Accept, Drop, Reject, Queue, KernelDrop };
enum class CtState : uint8_t { New, Established, Related, Invalid, Untracked };

struct MatchedRule {
  ir::TableKind table;
  std::string chain;
  uint32_t rule = 0;  ///< 1-based, as iptables -L --line-numbers
  const ir::Rule* ir_rule = nullptr;  ///< for source line and text
  const ir::Chain* ir_chain = nullptr;
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
  uint8_t proto = 0;
  std::optional<uint16_t> echo_id;  ///< ICMP echo-style messages
  /// ICMP errors: the embedded packet after NAT (src, dst, proto, ports).
  struct Inner {
    uint32_t src = 0, dst = 0;
    uint8_t proto = 0;
    std::optional<uint16_t> sport, dport;
  };
  std::optional<Inner> inner;
};

/// A LOG / NFLOG record, or a note on a target whose effect is recorded but not modelled
/// (CT --helper, --zone), in evaluation order.
struct LogRecord {
  std::string kind;    ///< "LOG", "NFLOG", "CT"
  std::string prefix;  ///< the log prefix (CT: what was asked)
  ir::TableKind table;
  std::string chain;
  uint32_t rule = 0;
};

/// The order things happened in, for the readable output: entering a hook, a rule that
/// matched (index into `matched`), a policy that decided (index into `policy`), a log record
/// (index into `logs`).
struct TraceEvent {
  enum class Kind : uint8_t { Hook, Rule, Policy, Log };
  Kind kind = Kind::Hook;
  ir::Hook hook = ir::Hook::Prerouting;
  size_t index = 0;
};

struct TraceResult {
  uint32_t line = 0;
  std::string packet;        ///< the packet line as written
  std::string error;         ///< non-empty: the packet could not be run (then nothing else)
  Path path = Path::Input;
  Verdict verdict = Verdict::Accept;
  std::string reject_with;   ///< REJECT's reply kind when verdict is Reject
  uint16_t queue_num = 0;    ///< QUEUE / NFQUEUE
  std::optional<CtState> ctstate;  ///< none when conntrack never saw the packet
  std::vector<ir::Hook> hooks;  ///< in traversal order (a looped local packet lists 4)
  bool local_loop = false;       ///< a local packet to a local address, back in through lo
  std::vector<MatchedRule> matched;
  std::vector<PolicyHit> policy;
  std::optional<Egress> egress;    ///< null when dropped or delivered locally
  bool delivered = false;          ///< reached a local socket (INPUT accepted)
  std::vector<LogRecord> logs;
  std::vector<TraceEvent> events;
  std::string nat;  ///< human description of the NAT binding applied, if any
  /// What decided: the rule (REJECT/DROP/ACCEPT/QUEUE target) or policy, for the readable
  /// output; for KernelDrop the reason.
  std::optional<MatchedRule> verdict_rule;
  std::optional<PolicyHit> verdict_policy;
  std::string kernel_reason;
  std::optional<uint32_t> seq, ack;  ///< TCP numbers used (automatic ones filled in)
};

struct TraceFormatOptions {
  const ir::SourceManager* sources = nullptr;  ///< for "file:line" of rules
};

/// One line of JSON (no newline): DESIGN.md's keys plus text, rules_line, hooks, logs, nat.
std::string trace_json(const TraceResult& r, const TraceFormatOptions& opts = {});
/// The readable report of one packet (ends with a newline).
std::string trace_text(const TraceResult& r, const TraceFormatOptions& opts = {});

std::string_view path_name(Path p);
std::string_view verdict_name(Verdict v);
std::string_view ctstate_name(CtState s);

}  // namespace iptc::interp
