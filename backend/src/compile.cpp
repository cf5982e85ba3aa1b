// The backend pipeline (backend.hpp): lower -> LLVM IR (codegen.cpp) -> verify -> O2 (new pass
// manager) -> machine code into an in-memory ELF object (position independent, so the same
// object serves the JIT and a shared object) -> either the JIT links it (jit.cpp) or it is
// written out (IR text, assembly, object, or `cc -shared` on the object). Every stage is timed
// for `iptc compile`. llvm::Error and friends are turned into messages here.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <fmt/format.h>
#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Program.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/TargetParser/Host.h>

#include "codegen.hpp"
#include "iptc/backend/backend.hpp"

namespace iptc::backend {

struct CompiledRuleset::Impl {
  std::unique_ptr<detail::Jit> jit;
  ir::LoweredRuleset lowered;
  CompileStats stats;
  const iptc_descriptor* desc = nullptr;
};

CompiledRuleset::CompiledRuleset(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CompiledRuleset::~CompiledRuleset() = default;
const iptc_descriptor& CompiledRuleset::descriptor() const { return *impl_->desc; }
const ir::LoweredRuleset& CompiledRuleset::lowered() const { return impl_->lowered; }
const CompileStats& CompiledRuleset::stats() const { return impl_->stats; }

iptc_hook_fn CompiledRuleset::hook(ir::TableKind t, ir::Hook h) const {
  const iptc_descriptor& d = *impl_->desc;
  for (uint32_t i = 0; i < d.hook_count; ++i)
    if (d.hooks[i].table == static_cast<uint32_t>(t) && d.hooks[i].hook == static_cast<uint32_t>(h))
      return d.hooks[i].fn;
  return nullptr;
}

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string message(llvm::Error e) { return llvm::toString(std::move(e)); }

void init_llvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

std::unique_ptr<llvm::TargetMachine> target_machine(bool host_cpu, int opt_level, std::string& error) {
  std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) return nullptr;
  std::string cpu = host_cpu ? llvm::sys::getHostCPUName().str() : "generic";
  std::string features;
  if (host_cpu) {
    for (const auto& f : llvm::sys::getHostCPUFeatures())
      features += (features.empty() ? "" : ",") + std::string(f.second ? "+" : "-") + f.first().str();
  }
  llvm::TargetOptions to;
  auto level = opt_level >= 2 ? llvm::CodeGenOptLevel::Default : llvm::CodeGenOptLevel::None;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, to, llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm) error = "cannot create a target machine for " + triple;
  return tm;
}

/// Everything up to an object in memory; the module stays available for IR/asm output.
struct Built {
  ir::LoweredRuleset lowered;
  std::unique_ptr<llvm::LLVMContext> ctx;
  std::unique_ptr<llvm::Module> mod;
  std::unique_ptr<llvm::TargetMachine> tm;
  CompileStats stats;
};

bool build(const ir::Ruleset& rs, const CompileOptions& opts, Built& b, std::string& error) {
  init_llvm();
  auto t0 = Clock::now();
  b.lowered = ir::lower(rs, opts.lower);
  b.stats.times.lower = since(t0);
  if (b.lowered.slots.slots.size() > IPTC_MAX_SLOTS) {
    error = fmt::format("{} rules and policies exceed the ABI's {} counter slots",
                        b.lowered.slots.slots.size(), IPTC_MAX_SLOTS);
    return false;
  }
  for (const auto& h : b.lowered.hooks) {
    HookStats hs{h.table, h.hook, ir::hook_symbol(h.table, h.hook), h.chains.size(),
                 h.rule_count(), h.max_depth};
    b.stats.hooks.push_back(hs);
  }
  b.stats.slots = b.lowered.slots.slots.size();
  b.stats.native_matches = b.lowered.native_matches;
  b.stats.slow_matches = b.lowered.slow_matches;
  b.stats.slow_targets = b.lowered.slow_targets;

  b.tm = target_machine(opts.host_cpu, opts.opt_level, error);
  if (!b.tm) return false;
  t0 = Clock::now();
  b.ctx = std::make_unique<llvm::LLVMContext>();
  b.mod = std::make_unique<llvm::Module>("iptc", *b.ctx);
  b.mod->setDataLayout(b.tm->createDataLayout());
  b.mod->setTargetTriple(b.tm->getTargetTriple().str());
  detail::generate(b.lowered, *b.mod);
  if (opts.verify) {
    std::string msg;
    llvm::raw_string_ostream os(msg);
    if (llvm::verifyModule(*b.mod, &os)) {
      error = "internal error: invalid LLVM IR: " + os.str();
      return false;
    }
  }
  b.stats.times.codegen = since(t0);

  t0 = Clock::now();
  if (opts.opt_level >= 2) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(b.tm.get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
    mpm.run(*b.mod, mam);
  }
  b.stats.times.optimize = since(t0);
  for (const auto& f : *b.mod) b.stats.ir_instructions += f.getInstructionCount();
  return true;
}

bool machine_code(Built& b, llvm::CodeGenFileType type, llvm::SmallVectorImpl<char>& out,
                  std::string& error) {
  auto t0 = Clock::now();
  llvm::raw_svector_ostream os(out);
  llvm::legacy::PassManager pm;
  if (b.tm->addPassesToEmitFile(pm, os, nullptr, type)) {
    error = "the target cannot emit this file type";
    return false;
  }
  pm.run(*b.mod);
  b.stats.times.machine_code = since(t0);
  return true;
}

size_t text_bytes(llvm::MemoryBufferRef obj) {
  auto file = llvm::object::ObjectFile::createObjectFile(obj);
  if (!file) {
    llvm::consumeError(file.takeError());
    return 0;
  }
  size_t n = 0;
  for (const auto& s : (*file)->sections())
    if (s.isText()) n += s.getSize();
  return n;
}

}  // namespace

std::unique_ptr<CompiledRuleset> compile(const ir::Ruleset& rs, const CompileOptions& opts,
                                         std::string& error) {
  Built b;
  if (!build(rs, opts, b, error)) return nullptr;
  llvm::SmallVector<char, 0> obj;
  if (!machine_code(b, llvm::CodeGenFileType::ObjectFile, obj, error)) return nullptr;
  b.stats.code_bytes = text_bytes(llvm::MemoryBufferRef(llvm::StringRef(obj.data(), obj.size()), "iptc"));

  auto t0 = Clock::now();
  auto jit = detail::Jit::create();
  if (!jit) {
    error = message(jit.takeError());
    return nullptr;
  }
  if (auto e = (*jit)->add_object(llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(obj.data(), obj.size()), "iptc-rules.o"))) {
    error = message(std::move(e));
    return nullptr;
  }
  auto desc = (*jit)->lookup(IPTC_DESCRIPTOR_SYMBOL);
  if (!desc) {
    error = message(desc.takeError());
    return nullptr;
  }
  b.stats.times.link = since(t0);
  auto impl = std::make_unique<CompiledRuleset::Impl>();
  impl->jit = std::move(*jit);
  impl->desc = static_cast<const iptc_descriptor*>(*desc);
  impl->lowered = std::move(b.lowered);
  impl->stats = std::move(b.stats);
  return std::make_unique<CompiledRuleset>(std::move(impl));
}

namespace {

bool write_file(const std::string& path, llvm::StringRef data, std::string& error) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    error = fmt::format("cannot write {}: {}", path, ec.message());
    return false;
  }
  os << data;
  os.close();
  if (os.has_error()) {
    error = fmt::format("cannot write {}: {}", path, os.error().message());
    os.clear_error();
    return false;
  }
  return true;
}

}  // namespace

bool emit(const ir::Ruleset& rs, const CompileOptions& opts, EmitKind kind,
          const std::string& path, CompileStats* stats, std::string& error) {
  Built b;
  if (!build(rs, opts, b, error)) return false;
  bool ok = true;
  auto t0 = Clock::now();
  switch (kind) {
    case EmitKind::LlvmIr: {
      std::string text;
      llvm::raw_string_ostream os(text);
      b.mod->print(os, nullptr);
      ok = write_file(path, os.str(), error);
      break;
    }
    case EmitKind::Asm:
    case EmitKind::Object:
    case EmitKind::Shared: {
      bool want_asm = kind == EmitKind::Asm;
      llvm::SmallVector<char, 0> out;
      ok = machine_code(b, want_asm ? llvm::CodeGenFileType::AssemblyFile
                                    : llvm::CodeGenFileType::ObjectFile, out, error);
      if (!ok) break;
      llvm::StringRef data(out.data(), out.size());
      if (!want_asm) b.stats.code_bytes = text_bytes(llvm::MemoryBufferRef(data, "iptc"));
      t0 = Clock::now();
      if (kind != EmitKind::Shared) {
        ok = write_file(path, data, error);
        break;
      }
      // The system linker makes the shared object: the object has no undefined symbols, so
      // `cc -shared` needs nothing else (-nostdlib keeps libc out of its dependencies).
      llvm::SmallString<128> tmp;
      if (auto ec = llvm::sys::fs::createTemporaryFile("iptc-rules", "o", tmp)) {
        error = "cannot create a temporary file: " + ec.message();
        ok = false;
        break;
      }
      ok = write_file(tmp.str().str(), data, error);
      if (ok) {
        auto cc = llvm::sys::findProgramByName("cc");
        if (!cc) {
          error = "cannot find the system compiler `cc` to link the shared object";
          ok = false;
        } else {
          std::string err_msg;
          llvm::StringRef args[] = {*cc, "-shared", "-nostdlib", "-o", path, tmp.str()};
          int rc = llvm::sys::ExecuteAndWait(*cc, args, std::nullopt, {}, 0, 0, &err_msg);
          if (rc != 0) {
            error = fmt::format("`cc -shared` failed ({}){}", rc, err_msg.empty() ? "" : ": " + err_msg);
            ok = false;
          }
        }
      }
      llvm::sys::fs::remove(tmp);
      break;
    }
  }
  b.stats.times.link = since(t0);
  if (stats) *stats = std::move(b.stats);
  return ok;
}

}  // namespace iptc::backend
