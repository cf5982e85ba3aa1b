// Rendering a TraceResult: the JSON object of DESIGN.md's "Trace output" (plus keys that help
// a reader: the packet line, each rule's canonical text and source line, hooks, logs, the NAT
// binding) and the readable report `iptc trace` prints by default, which is written to answer
// "why was this packet dropped?": the path, every rule that matched with its file:line and
// text, the policies that decided, the verdict and what decided it, conntrack and NAT.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "iptc/interp/trace.hpp"
#include "iptc/ir/printer.hpp"
#include "iptc/ir/values.hpp"

namespace iptc::interp {

std::string_view path_name(Path p) {
  switch (p) {
    case Path::Input: return "input";
    case Path::Forward: return "forward";
    case Path::Output: return "output";
  }
  return "?";
}

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Accept: return "ACCEPT";
    case Verdict::Drop: return "DROP";
    case Verdict::Reject: return "REJECT";
    case Verdict::Queue: return "QUEUE";
    case Verdict::KernelDrop: return "KERNEL-DROP";
  }
  return "?";
}

std::string_view ctstate_name(CtState s) {
  switch (s) {
    case CtState::New: return "NEW";
    case CtState::Established: return "ESTABLISHED";
    case CtState::Related: return "RELATED";
    case CtState::Invalid: return "INVALID";
    case CtState::Untracked: return "UNTRACKED";
  }
  return "?";
}

namespace {

using nlohmann::ordered_json;

std::string rule_text(const MatchedRule& m) {
  if (!m.ir_rule || !m.ir_chain) return {};
  return ir::print_rule(*m.ir_chain, *m.ir_rule);
}

std::string rule_where(const MatchedRule& m, const TraceFormatOptions& o) {
  if (!m.ir_rule || !m.ir_rule->loc.valid()) return {};
  const ir::SourceLoc& l = m.ir_rule->loc;
  if (o.sources && l.file < o.sources->size())
    return fmt::format("{}:{}", o.sources->file(l.file).name(), l.line);
  return fmt::format("line {}", l.line);
}

std::string target_name(const MatchedRule& m) {
  if (!m.ir_rule) return {};
  const ir::Target& t = m.ir_rule->target;
  switch (t.type) {
    case ir::TargetType::None: return {};
    case ir::TargetType::Accept: return "ACCEPT";
    case ir::TargetType::Drop: return "DROP";
    case ir::TargetType::Queue: return "QUEUE";
    case ir::TargetType::Return: return "RETURN";
    case ir::TargetType::Jump:
    case ir::TargetType::Goto: return t.chain;
    case ir::TargetType::Extension: {
      std::string s = ir::print_rule_spec(*m.ir_rule);
      size_t j = s.rfind(" -j ");
      if (j == std::string::npos) return {};
      std::string rest = s.substr(j + 4);
      return rest.substr(0, rest.find(' '));
    }
  }
  return {};
}

ordered_json port_or_null(const std::optional<uint16_t>& p) {
  return p ? ordered_json(*p) : ordered_json(nullptr);
}

}  // namespace

std::string trace_json(const TraceResult& r, [[maybe_unused]] const TraceFormatOptions& opts) {
  ordered_json j;
  j["line"] = r.line;
  if (!r.packet.empty()) j["packet"] = r.packet;
  if (!r.error.empty()) {
    j["error"] = r.error;
    return j.dump();
  }
  j["path"] = path_name(r.path);
  j["verdict"] = verdict_name(r.verdict);
  j["ctstate"] = r.ctstate ? ordered_json(ctstate_name(*r.ctstate)) : ordered_json(nullptr);
  ordered_json hooks = ordered_json::array();
  for (ir::Hook h : r.hooks) hooks.push_back(ir::hook_name(h));
  j["hooks"] = hooks;
  if (r.local_loop) j["local"] = true;
  ordered_json matched = ordered_json::array();
  for (const auto& m : r.matched) {
    ordered_json o;
    o["table"] = ir::table_name(m.table);
    o["chain"] = m.chain;
    o["rule"] = m.rule;
    o["text"] = rule_text(m);
    o["target"] = target_name(m);
    if (m.ir_rule && m.ir_rule->loc.valid()) o["rules_line"] = m.ir_rule->loc.line;
    matched.push_back(o);
  }
  j["matched"] = matched;
  ordered_json policy = ordered_json::array();
  for (const auto& p : r.policy)
    policy.push_back({{"table", ir::table_name(p.table)},
                      {"chain", p.chain},
                      {"policy", p.policy == ir::Policy::Accept ? "ACCEPT" : "DROP"}});
  j["policy"] = policy;
  if (!r.reject_with.empty()) j["reject_with"] = r.reject_with;
  if (r.verdict_rule)
    j["verdict_at"] = {{"table", ir::table_name(r.verdict_rule->table)},
                       {"chain", r.verdict_rule->chain},
                       {"rule", r.verdict_rule->rule}};
  else if (r.verdict_policy)
    j["verdict_at"] = {{"table", ir::table_name(r.verdict_policy->table)},
                       {"chain", r.verdict_policy->chain},
                       {"policy", r.verdict_policy->policy == ir::Policy::Accept ? "ACCEPT" : "DROP"}};
  if (!r.kernel_reason.empty()) j["reason"] = r.kernel_reason;
  j["delivered"] = r.delivered;
  if (r.egress) {
    const Egress& e = *r.egress;
    ordered_json o;
    o["iface"] = e.iface;
    o["src"] = ir::ipv4_to_string(e.src);
    o["dst"] = ir::ipv4_to_string(e.dst);
    o["sport"] = port_or_null(e.sport);
    o["dport"] = port_or_null(e.dport);
    if (e.echo_id) o["echo_id"] = *e.echo_id;
    if (e.inner)
      o["inner"] = {{"src", ir::ipv4_to_string(e.inner->src)},
                    {"dst", ir::ipv4_to_string(e.inner->dst)},
                    {"proto", e.inner->proto},
                    {"sport", port_or_null(e.inner->sport)},
                    {"dport", port_or_null(e.inner->dport)}};
    o["ttl"] = e.ttl;
    j["egress"] = o;
  } else {
    j["egress"] = nullptr;
  }
  if (!r.nat.empty()) j["nat"] = r.nat;
  if (!r.logs.empty()) {
    ordered_json logs = ordered_json::array();
    for (const auto& l : r.logs)
      logs.push_back({{"kind", l.kind},
                      {"prefix", l.prefix},
                      {"table", ir::table_name(l.table)},
                      {"chain", l.chain},
                      {"rule", l.rule}});
    j["logs"] = logs;
  }
  if (r.seq) j["seq"] = *r.seq;
  if (r.ack) j["ack"] = *r.ack;
  return j.dump();
}

std::string trace_text(const TraceResult& r, const TraceFormatOptions& opts) {
  std::string out = fmt::format("line {}: {}\n", r.line, r.packet);
  if (!r.error.empty()) {
    out += fmt::format("  error: {}\n", r.error);
    return out;
  }
  std::string hooks;
  for (ir::Hook h : r.hooks) {
    if (!hooks.empty()) hooks += " -> ";
    hooks += ir::hook_name(h);
  }
  out += fmt::format("  path {}{} ({})", path_name(r.path),
                     r.local_loop ? ", to this host through lo" : "", hooks);
  out += fmt::format(", ctstate {}", r.ctstate ? ctstate_name(*r.ctstate)
                                               : std::string_view("- (no conntrack in use)"));
  if (r.seq) out += fmt::format(", tcp seq {} ack {}", *r.seq, r.ack ? *r.ack : 0);
  out += "\n";
  // Every event in evaluation order, under the hook it happened at. A hook where nothing
  // matched and no policy decided is listed as passed.
  size_t shown_in_hook = 0;
  bool open = false;
  auto close_hook = [&]() {
    if (open && shown_in_hook == 0) out += "    (no rule matched)\n";
    open = false;
  };
  for (const TraceEvent& e : r.events) {
    switch (e.kind) {
      case TraceEvent::Kind::Hook:
        close_hook();
        out += fmt::format("  {}\n", ir::hook_name(e.hook));
        open = true;
        shown_in_hook = 0;
        break;
      case TraceEvent::Kind::Rule: {
        const MatchedRule& m = r.matched[e.index];
        std::string where = rule_where(m, opts);
        out += fmt::format("    {}/{} #{}{}  {}\n", ir::table_name(m.table), m.chain, m.rule,
                           where.empty() ? std::string() : "  " + where, rule_text(m));
        ++shown_in_hook;
        break;
      }
      case TraceEvent::Kind::Policy: {
        const PolicyHit& p = r.policy[e.index];
        out += fmt::format("    {}/{} policy {}\n", ir::table_name(p.table), p.chain,
                           p.policy == ir::Policy::Accept ? "ACCEPT" : "DROP");
        ++shown_in_hook;
        break;
      }
      case TraceEvent::Kind::Log: {
        const LogRecord& l = r.logs[e.index];
        out += fmt::format("      -> {} \"{}\"\n", l.kind, l.prefix);
        break;
      }
    }
  }
  close_hook();
  std::string why;
  if (r.verdict_rule) {
    why = fmt::format(" by {}/{} #{}", ir::table_name(r.verdict_rule->table),
                      r.verdict_rule->chain, r.verdict_rule->rule);
    std::string where = rule_where(*r.verdict_rule, opts);
    if (!where.empty()) why += " (" + where + ")";
  } else if (r.verdict_policy) {
    why = fmt::format(" by the policy of {}/{}", ir::table_name(r.verdict_policy->table),
                      r.verdict_policy->chain);
  }
  std::string extra;
  if (r.verdict == Verdict::Reject && !r.reject_with.empty())
    extra = fmt::format(", reply {}", r.reject_with);
  if (r.verdict == Verdict::Accept) {
    why.clear();
    if (r.delivered) extra = ", delivered to a local socket";
  }
  if (r.verdict == Verdict::KernelDrop) why.clear();
  out += fmt::format("  verdict {}{}{}\n", verdict_name(r.verdict), why, extra);
  if (!r.kernel_reason.empty()) out += fmt::format("  reason  {}\n", r.kernel_reason);
  if (!r.nat.empty()) out += fmt::format("  nat     {}\n", r.nat);
  if (r.egress) {
    const Egress& e = *r.egress;
    auto ep = [](uint32_t a, const std::optional<uint16_t>& p) {
      return p ? fmt::format("{}:{}", ir::ipv4_to_string(a), *p) : ir::ipv4_to_string(a);
    };
    out += fmt::format("  egress  {} {} -> {} ttl {}\n", e.iface, ep(e.src, e.sport),
                       ep(e.dst, e.dport), e.ttl);
  }
  return out;
}

}  // namespace iptc::interp
