// The backend's entry points: a verified rule set in, native code out, through the lowered
// form (ir/lowered.hpp). compile() JIT-compiles in process (ORC LLJIT) and returns an
// immutable CompiledRuleset whose hook functions follow the ABI of runtime/include/iptc/
// runtime/abi.h; emit() writes the same code ahead of time as LLVM IR text, assembly, an
// object or a shared object that exports the hook functions and the descriptor. Both run
// LLVM's O2 pipeline (new pass manager). LLVM's errors stay inside: they come back as a
// message, never as an exception or an llvm::Error.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "iptc/ir/lowered.hpp"
#include "iptc/ir/ruleset.hpp"
#include "iptc/runtime/abi.h"

namespace iptc::backend {

struct CompileOptions {
  ir::LowerOptions lower;
  /// LLVM's optimisation pipeline: 0 (none; for debugging the lowering) or 2 (O2).
  int opt_level = 2;
  /// Code for this machine's CPU (JIT default) or a generic x86-64 (what ahead-of-time
  /// artifacts default to, so that they run on other machines).
  bool host_cpu = true;
  /// Run LLVM's IR verifier on the generated module before optimising.
  bool verify = true;
};

/// Wall-clock seconds of each stage.
struct StageTimes {
  double lower = 0;         ///< ir::lower
  double codegen = 0;       ///< lowered form -> LLVM IR
  double optimize = 0;      ///< O2 pipeline
  double machine_code = 0;  ///< instruction selection to an object in memory
  double link = 0;          ///< JIT link (or writing the artifact)
};

struct HookStats {
  ir::TableKind table;
  ir::Hook hook;
  std::string symbol;
  size_t chains = 0, rules = 0;
  uint32_t max_depth = 0;
};

struct CompileStats {
  std::vector<HookStats> hooks;
  size_t slots = 0;
  size_t native_matches = 0, slow_matches = 0, slow_targets = 0;
  size_t ir_instructions = 0;  ///< after optimisation
  size_t code_bytes = 0;       ///< machine code (.text) in the object
  StageTimes times;
};

/// A JIT-compiled rule set. Immutable and safe to call from many threads at once (each with
/// its own iptc_ctx); the code lives as long as this object.
class CompiledRuleset {
 public:
  ~CompiledRuleset();
  CompiledRuleset(const CompiledRuleset&) = delete;
  CompiledRuleset& operator=(const CompiledRuleset&) = delete;

  /// The descriptor, as a shared object would export it (hook table, slot count).
  [[nodiscard]] const iptc_descriptor& descriptor() const;
  /// The function of a (table, hook), or null when that table has no chain there.
  [[nodiscard]] iptc_hook_fn hook(ir::TableKind t, ir::Hook h) const;
  [[nodiscard]] const ir::LoweredRuleset& lowered() const;
  [[nodiscard]] const CompileStats& stats() const;

  struct Impl;
  explicit CompiledRuleset(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

/// JIT-compiles a verified rule set. nullptr with `error` set when LLVM fails.
std::unique_ptr<CompiledRuleset> compile(const ir::Ruleset& rs, const CompileOptions& opts,
                                         std::string& error);

enum class EmitKind : uint8_t { LlvmIr, Asm, Object, Shared };

/// Writes the compiled rule set to `path` ahead of time. A shared object is linked by the
/// system's `cc -shared`. Returns false with `error` set on failure.
bool emit(const ir::Ruleset& rs, const CompileOptions& opts, EmitKind kind,
          const std::string& path, CompileStats* stats, std::string& error);

}  // namespace iptc::backend
