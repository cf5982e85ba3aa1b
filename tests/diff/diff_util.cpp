// Differential runs of the interpreter against the JIT (diff_util.hpp).
#include "diff_util.hpp"

#include <chrono>
#include <sstream>

#include <fmt/format.h>

#include "iptc/backend/backend.hpp"
#include "iptc/frontend/frontend.hpp"
#include "iptc/interp/packets.hpp"
#include "iptc/interp/trace.hpp"
#include "iptc/ir/lowered.hpp"
#include "iptc/ir/printer.hpp"

namespace iptc::difftest {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// Packet lines, skipping any line the parser refuses (generated lines may be invalid).
std::vector<interp::PacketLine> parse_lines(const std::string& text, const runtime::HostModel& host) {
  std::vector<interp::PacketLine> lines;
  std::vector<interp::PacketParseError> errs;
  if (interp::parse_packet_lines(text, host, lines, errs)) return lines;
  lines.clear();
  std::istringstream in(text);
  std::string l;
  uint32_t n = 0;
  while (std::getline(in, l)) {
    ++n;
    std::vector<interp::PacketLine> one;
    errs.clear();
    if (!interp::parse_packet_lines(l, host, one, errs)) continue;
    for (auto& p : one) {
      p.packet.line = n;
      lines.push_back(std::move(p));
    }
  }
  return lines;
}

}  // namespace

bool load_rules(std::string& text, bool repair, ir::Ruleset& rs, std::string& error) {
  for (int attempt = 0; attempt < 40; ++attempt) {
    ir::SourceManager sm;
    uint32_t id = sm.add("rules", text);
    ir::Diagnostics diags;
    rs = ir::Ruleset{};
    if (frontend::load(sm, id, frontend::ParseOptions{}, rs, diags)) return true;
    error = ir::render(diags, sm, {});
    if (!repair) return false;
    // Drop the first refused rule line and try again.
    uint32_t bad = 0;
    for (const auto& d : diags.all())
      if (d.severity == ir::Severity::Error) {
        bad = d.loc.line;
        break;
      }
    std::istringstream in(text);
    std::string l, out;
    uint32_t n = 0;
    bool dropped = false;
    while (std::getline(in, l)) {
      ++n;
      if (n == bad && l.rfind("-A ", 0) == 0) {
        dropped = true;
        continue;
      }
      out += l + "\n";
    }
    if (!dropped) return false;
    text = out;
  }
  return false;
}

bool run_diff(const DiffCase& c, DiffStats& st, std::string* error) {
  std::string text = c.rules, err;
  ir::Ruleset rs;
  if (!load_rules(text, c.repair, rs, err)) {
    ++st.not_loaded;
    if (error) *error = err;
    return false;
  }
  runtime::HostModel host = runtime::HostModel::default_model();
  if (!c.host.empty()) {
    runtime::HostParseError herr;
    auto h = runtime::HostModel::parse(c.host, herr);
    if (!h) {
      if (error) *error = "host: " + herr.message;
      return false;
    }
    host = std::move(*h);
  }

  auto t0 = Clock::now();
  backend::CompileOptions co;
  co.lower.frontend = c.engine.frontend == interp::Frontend::Legacy ? ir::LowerFrontend::Legacy
                                                                     : ir::LowerFrontend::Nft;
  auto compiled = backend::compile(rs, co, err);
  st.compile_seconds += since(t0);
  if (!compiled) {
    if (error) *error = "compile: " + err;
    return false;
  }
  interp::EngineOptions ej = c.engine;
  ej.compiled = &compiled->descriptor();
  interp::Engine ref(rs, host, c.engine);
  interp::Engine jit(rs, host, ej);
  ++st.sets;

  auto report = [&](std::string what) {
    if (st.reports.size() < 8)
      st.reports.push_back(fmt::format("{}: {}\n--- rules ---\n{}", c.name, what, text));
  };
  for (size_t f = 0; f < c.packets.size(); ++f) {
    if (f) {
      ref.flush_conntrack();
      jit.flush_conntrack();
    }
    for (const auto& l : parse_lines(c.packets[f], host)) {
      switch (l.kind) {
        case interp::PacketLine::Kind::Flush:
          ref.flush_conntrack();
          jit.flush_conntrack();
          continue;
        case interp::PacketLine::Kind::Sleep:
          ref.advance(l.sleep_seconds);
          jit.advance(l.sleep_seconds);
          continue;
        case interp::PacketLine::Kind::Packet: break;
      }
      auto t1 = Clock::now();
      interp::TraceResult a = ref.process(l.packet);
      auto t2 = Clock::now();
      interp::TraceResult b = jit.process(l.packet);
      st.jit_seconds += since(t2);
      st.interp_seconds += std::chrono::duration<double>(t2 - t1).count();
      ++st.packets;
      std::string ja = interp::trace_json(a), jb = interp::trace_json(b);
      if (ja != jb) {
        ++st.mismatches;
        report(fmt::format("packet file {} line {} differs\n  interp: {}\n  jit:    {}", f,
                           l.packet.line, ja, jb));
      }
    }
  }
  std::string ca = ir::print_save(ref.with_counters(), ir::PrintOptions{true});
  std::string cb = ir::print_save(jit.with_counters(), ir::PrintOptions{true});
  if (ca != cb) {
    ++st.counter_mismatches;
    report("counters differ\n  interp:\n" + ca + "\n  jit:\n" + cb);
  }
  return true;
}

}  // namespace iptc::difftest
