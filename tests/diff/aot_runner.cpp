// A program that embeds an ahead-of-time compiled rule set without LLVM: it dlopens the shared
// object `iptc compile --emit shared` wrote (runtime::SharedRuleset), checks that it belongs
// to the rule set (fingerprint), and runs packet lines through the reference interpreter's
// engine with the shared object's hook functions deciding (EngineOptions::compiled). It prints
// what `iptc trace --json -c` prints: one JSON trace per packet on stdout, the rule set with
// counters on stderr. aot_check.cmake compares that with the JIT's output.
//   aot_runner RULES HOST PACKETS RULES.so
#include <cstdio>
#include <fstream>
#include <sstream>

#include "iptc/frontend/frontend.hpp"
#include "iptc/interp/engine.hpp"
#include "iptc/interp/packets.hpp"
#include "iptc/interp/trace.hpp"
#include "iptc/ir/lowered.hpp"
#include "iptc/ir/printer.hpp"
#include "iptc/runtime/shared_object.hpp"

using namespace iptc;

static std::string slurp(const char* path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: aot_runner RULES HOST PACKETS RULES.so\n");
    return 2;
  }
  ir::SourceManager sm;
  uint32_t id = sm.add(argv[1], slurp(argv[1]));
  ir::Diagnostics diags;
  ir::Ruleset rs;
  if (!frontend::load(sm, id, {}, rs, diags)) {
    std::fprintf(stderr, "%s", ir::render(diags, sm, {}).c_str());
    return 1;
  }
  runtime::HostParseError herr;
  auto host = runtime::HostModel::parse(slurp(argv[2]), herr);
  if (!host) {
    std::fprintf(stderr, "%s: %s\n", argv[2], herr.message.c_str());
    return 1;
  }
  std::vector<interp::PacketLine> lines;
  std::vector<interp::PacketParseError> perrs;
  if (!interp::parse_packet_lines(slurp(argv[3]), *host, lines, perrs)) {
    std::fprintf(stderr, "%s: bad packet lines\n", argv[3]);
    return 1;
  }
  std::string err;
  auto so = runtime::SharedRuleset::open(argv[4], err);
  if (!so) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 1;
  }
  if (so->descriptor().fingerprint != ir::fingerprint(rs)) {
    std::fprintf(stderr, "%s was compiled from another rule set\n", argv[4]);
    return 1;
  }
  interp::EngineOptions eo;
  eo.compiled = &so->descriptor();
  interp::Engine engine(rs, *host, eo);
  interp::TraceFormatOptions fo;
  fo.sources = &sm;
  for (const auto& l : lines) {
    switch (l.kind) {
      case interp::PacketLine::Kind::Flush: engine.flush_conntrack(); continue;
      case interp::PacketLine::Kind::Sleep: engine.advance(l.sleep_seconds); continue;
      case interp::PacketLine::Kind::Packet: break;
    }
    std::printf("%s\n", interp::trace_json(engine.process(l.packet), fo).c_str());
  }
  std::fputs(ir::print_save(engine.with_counters(), ir::PrintOptions{true}).c_str(), stderr);
  return 0;
}
