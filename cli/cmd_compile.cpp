// `iptc compile RULES [--emit llvm-ir|asm|obj|shared -o FILE]`: compiles a rule set to native
// code through the LLVM backend. Without --emit it JIT-compiles in process and prints a
// summary: the hook functions with their rules, how many matches run natively and through the
// slow path, the code size and the time of each stage (parse, verify, lower, LLVM IR, O2,
// machine code, link). With --emit it writes the artifact ahead of time; a shared object
// exports the hook functions and the descriptor of runtime/include/iptc/runtime/abi.h.
// Input that does not load gets exactly `iptc check`'s diagnostics.
#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "input.hpp"
#include "iptc/backend/backend.hpp"
#include "iptc/frontend/frontend.hpp"
#include "iptc/ir/lowered.hpp"
#include "iptc/ir/verify.hpp"

namespace iptc::cli {

namespace {
struct CompileOpts {
  std::string rules;
  std::string emit;
  std::string output;
  bool legacy = false;
  bool no_opt = false;
  bool host_cpu = false;
  bool dump_lowered = false;
  bool all_slow = false;
  InputOptions input;
};

std::string ms(double s) { return fmt::format("{:.1f} ms", s * 1000); }
}  // namespace

Runner add_compile(CLI::App& app) {
  auto opts = std::make_shared<CompileOpts>();
  CLI::App* cmd = app.add_subcommand(
      "compile", "Compile a rule set to native code (JIT summary, or an artifact with --emit)");
  cmd->add_option("rules", opts->rules, "Rule set (iptables-save file or script; - for stdin)")
      ->required();
  auto* emit = cmd->add_option("--emit", opts->emit,
                               "Write an artifact ahead of time: llvm-ir, asm, obj, or shared "
                               "(a .so exporting the hook functions and iptc_descriptor)")
                   ->check(CLI::IsMember({"llvm-ir", "asm", "obj", "shared"}));
  auto* out = cmd->add_option("-o,--output", opts->output, "Artifact path (with --emit)");
  emit->needs(out);
  out->needs(emit);
  cmd->add_flag("--legacy", opts->legacy,
                "Semantics of iptables-legacy (xt_tcpudp hotdrop) instead of iptables-nft's");
  cmd->add_flag("--no-opt", opts->no_opt, "Skip LLVM's O2 pipeline");
  cmd->add_flag("--host-cpu", opts->host_cpu,
                "With --emit: code for this machine's CPU instead of generic x86-64");
  cmd->add_flag("--dump-lowered", opts->dump_lowered, "Print the lowered form");
  cmd->add_flag("--all-slow", opts->all_slow,
                "Evaluate every match and target through the slow-path callbacks");
  add_input_options(*cmd, opts->input);
  return [cmd, opts]() -> int {
    if (!*cmd) return -1;
    using Clock = std::chrono::steady_clock;
    ir::SourceManager sm;
    auto id = read_input(sm, opts->rules);
    if (!id) return 1;
    ir::Diagnostics diags;
    ir::Ruleset rs;
    auto t0 = Clock::now();
    bool ok = frontend::parse(sm, *id, parse_options(opts->input), rs, diags);
    double t_parse = std::chrono::duration<double>(Clock::now() - t0).count();
    t0 = Clock::now();
    ok = ok && ir::verify(rs, diags);
    double t_verify = std::chrono::duration<double>(Clock::now() - t0).count();
    print_diagnostics(diags, sm, opts->input);
    if (!ok) {
      fmt::print(stderr, "{}: {} error{}\n", sm.file(*id).name(), diags.error_count(),
                 diags.error_count() == 1 ? "" : "s");
      return 1;
    }

    backend::CompileOptions co;
    co.lower.frontend = opts->legacy ? ir::LowerFrontend::Legacy : ir::LowerFrontend::Nft;
    co.lower.all_slow = opts->all_slow;
    co.opt_level = opts->no_opt ? 0 : 2;
    if (opts->dump_lowered) std::fputs(ir::dump(ir::lower(rs, co.lower)).c_str(), stdout);

    std::string err;
    backend::CompileStats stats;
    std::unique_ptr<backend::CompiledRuleset> jit;
    if (!opts->emit.empty()) {
      co.host_cpu = opts->host_cpu;
      backend::EmitKind kind = opts->emit == "llvm-ir" ? backend::EmitKind::LlvmIr
                               : opts->emit == "asm"   ? backend::EmitKind::Asm
                               : opts->emit == "obj"   ? backend::EmitKind::Object
                                                       : backend::EmitKind::Shared;
      if (!backend::emit(rs, co, kind, opts->output, &stats, err)) {
        fmt::print(stderr, "iptc compile: error: {}\n", err);
        return 1;
      }
    } else {
      jit = backend::compile(rs, co, err);
      if (!jit) {
        fmt::print(stderr, "iptc compile: error: {}\n", err);
        return 1;
      }
      stats = jit->stats();
    }

    std::string s = fmt::format("{}: {} hook function{}\n", sm.file(*id).name(), stats.hooks.size(),
                                stats.hooks.size() == 1 ? "" : "s");
    for (const auto& h : stats.hooks)
      s += fmt::format("  {:<24} {:>7} rule{} in {} chain{} (jump depth {})\n", h.symbol, h.rules,
                       h.rules == 1 ? " " : "s", h.chains, h.chains == 1 ? "" : "s", h.max_depth);
    s += fmt::format("  matches: {} native, {} slow path; slow-path targets: {}; counter slots: {}\n",
                     stats.native_matches, stats.slow_matches, stats.slow_targets, stats.slots);
    if (stats.code_bytes)
      s += fmt::format("  code: {} bytes of machine code, {} LLVM instructions\n", stats.code_bytes,
                       stats.ir_instructions);
    const auto& t = stats.times;
    double total = t_parse + t_verify + t.lower + t.codegen + t.optimize + t.machine_code + t.link;
    s += fmt::format("  time: parse {}, verify {}, lower {}, LLVM IR {}, optimise {}, "
                     "machine code {}, {} {}; total {}\n",
                     ms(t_parse), ms(t_verify), ms(t.lower), ms(t.codegen), ms(t.optimize),
                     ms(t.machine_code), opts->emit.empty() ? "JIT link" : "write", ms(t.link),
                     ms(total));
    if (!opts->emit.empty()) s += fmt::format("  wrote {} ({})\n", opts->output, opts->emit);
    std::fputs(s.c_str(), stdout);
    return 0;
  };
}

}  // namespace iptc::cli
