// Private to backend/: the lowered form to an LLVM module (codegen.cpp), and the in-process
// JIT (jit.cpp, the only file that uses ORC).
#pragma once

#include <memory>
#include <string>

#include <llvm/ADT/StringRef.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include "iptc/ir/lowered.hpp"

namespace iptc::backend::detail {

/// One function per LoweredHook (external, named ir::hook_symbol), internal functions for the
/// user chains, and the descriptor (abi.h) as the constant `iptc_descriptor`. The module's
/// data layout and triple must be set by the caller before.
void generate(const ir::LoweredRuleset& l, llvm::Module& m);

/// An ORC LLJIT holding one linked object; symbols resolve only within it (no process
/// symbols: compiled code calls nothing but its context's callbacks).
class Jit {
 public:
  static llvm::Expected<std::unique_ptr<Jit>> create();
  ~Jit();
  llvm::Error add_object(std::unique_ptr<llvm::MemoryBuffer> obj);
  llvm::Expected<void*> lookup(llvm::StringRef name);

 private:
  struct Impl;
  explicit Jit(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace iptc::backend::detail
