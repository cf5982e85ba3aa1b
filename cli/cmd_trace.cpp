// `iptc trace RULES --packets FILE [--host FILE] [--json]` (or `--packet "in=eth0 src=..."`):
// runs packets through the reference interpreter (interp/) and tells, per packet, the path it
// took, every rule that matched with its file:line and text, the policies that decided, the
// verdict, the conntrack state and the NAT rewrite — "why was this packet dropped?" without
// touching a live host. `--json` prints one object per packet line as DESIGN.md specifies.
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "input.hpp"
#include "iptc/frontend/frontend.hpp"
#include "iptc/interp/engine.hpp"
#include "iptc/interp/packets.hpp"
#include "iptc/interp/trace.hpp"
#include "iptc/ir/printer.hpp"
#include "iptc/runtime/host.hpp"

namespace iptc::cli {

namespace {
struct TraceOptions {
  std::string rules;
  std::string packets;
  std::string packet;
  std::string host;
  bool json = false;
  bool counters = false;
  bool legacy = false;
  uint64_t seed = 1;
  std::string conntrack = "always";
  InputOptions input;
};
}  // namespace

Runner add_trace(CLI::App& app) {
  auto opts = std::make_shared<TraceOptions>();
  CLI::App* cmd = app.add_subcommand(
      "trace", "Run packets through a rule set as the kernel would and explain each verdict");
  cmd->add_option("rules", opts->rules, "Rule set (iptables-save file or script; - for stdin)")
      ->required();
  auto* pf = cmd->add_option("-p,--packets", opts->packets,
                             "Packets file (DESIGN.md \"Packet lines\": key=value per line)");
  auto* p1 = cmd->add_option("--packet", opts->packet,
                             "One packet line, e.g. \"in=eth0 src=198.51.100.7 dst=192.168.1.1 "
                             "dport=22\"");
  pf->excludes(p1);
  p1->excludes(pf);
  cmd->add_option("--host", opts->host,
                  "Host model (interfaces and routes); default: eth0 192.168.1.1/24, "
                  "eth1 10.0.0.1/24, default route via eth1");
  cmd->add_flag("--json", opts->json, "One JSON object per packet (DESIGN.md \"Trace output\")");
  cmd->add_flag("-c,--counters", opts->counters,
                "After the packets, print the rule set with the counters the kernel would show");
  cmd->add_flag("--legacy", opts->legacy,
                "Semantics of iptables-legacy (xt_limit, xt_tcpudp hotdrop) instead of "
                "iptables-nft's native expressions");
  cmd->add_option("--conntrack", opts->conntrack,
                  "always: the host tracks connections (fragments are held for reassembly); "
                  "auto: only when the rule set asks for it (nat table, state, CT, ...)")
      ->check(CLI::IsMember({"always", "auto"}))
      ->capture_default_str();
  cmd->add_option("--seed", opts->seed, "Seed for statistic --mode random and NAT --random")
      ->capture_default_str();
  add_input_options(*cmd, opts->input);
  return [cmd, opts]() -> int {
    if (!*cmd) return -1;
    if (opts->packets.empty() && opts->packet.empty()) {
      fmt::print(stderr, "iptc trace: error: give --packets FILE or --packet \"...\"\n");
      return 2;
    }
    ir::SourceManager sm;
    auto rules_id = read_input(sm, opts->rules);
    if (!rules_id) return 1;
    ir::Diagnostics diags;
    ir::Ruleset rs;
    bool ok = frontend::load(sm, *rules_id, parse_options(opts->input), rs, diags);
    print_diagnostics(diags, sm, opts->input);
    if (!ok) return 1;
    diags.clear();

    runtime::HostModel host = runtime::HostModel::default_model();
    if (!opts->host.empty()) {
      auto hid = read_input(sm, opts->host);
      if (!hid) return 1;
      runtime::HostParseError err;
      auto h = runtime::HostModel::parse(sm.file(*hid).text(), err);
      if (!h) {
        diags.error(ir::SourceLoc{*hid, err.line, err.col ? err.col : 1}, err.message);
        print_diagnostics(diags, sm, opts->input);
        return 1;
      }
      host = std::move(*h);
    }

    std::optional<uint32_t> pid;
    if (!opts->packet.empty()) pid = sm.add("<packet>", opts->packet);
    else pid = read_input(sm, opts->packets);
    if (!pid) return 1;
    std::vector<interp::PacketLine> lines;
    std::vector<interp::PacketParseError> perrs;
    if (!interp::parse_packet_lines(sm.file(*pid).text(), host, lines, perrs)) {
      for (const auto& e : perrs)
        diags.error(ir::SourceLoc{*pid, e.line, e.col ? e.col : 1}, e.message, e.hint);
      print_diagnostics(diags, sm, opts->input);
      fmt::print(stderr, "{}: {} error{}\n", sm.file(*pid).name(), perrs.size(),
                 perrs.size() == 1 ? "" : "s");
      return 1;
    }

    interp::EngineOptions eo;
    eo.seed = opts->seed;
    eo.frontend = opts->legacy ? interp::Frontend::Legacy : interp::Frontend::Nft;
    eo.conntrack_always = opts->conntrack == "always";
    interp::Engine engine(rs, host, eo);
    interp::TraceFormatOptions fo;
    fo.sources = &sm;
    bool first = true;
    int rc = 0;
    for (const auto& l : lines) {
      switch (l.kind) {
        case interp::PacketLine::Kind::Flush: engine.flush_conntrack(); continue;
        case interp::PacketLine::Kind::Sleep: engine.advance(l.sleep_seconds); continue;
        case interp::PacketLine::Kind::Packet: break;
      }
      interp::TraceResult r = engine.process(l.packet);
      if (!r.error.empty()) rc = 1;
      std::string out;
      if (opts->json) {
        out = interp::trace_json(r, fo) + "\n";
      } else {
        if (!first) out += "\n";
        out += interp::trace_text(r, fo);
      }
      first = false;
      std::fwrite(out.data(), 1, out.size(), stdout);
    }
    if (opts->counters) {
      std::string out = ir::print_save(engine.with_counters(), ir::PrintOptions{true});
      if (!opts->json) out = "\n" + out;
      std::fwrite(out.data(), 1, out.size(), opts->json ? stderr : stdout);
    }
    return rc;
  };
}

}  // namespace iptc::cli
