// The in-process JIT, shaped like the LLVM tutorial's KaleidoscopeJIT: create(), add an
// object, look symbols up. The only file that uses ORC (STYLE.md). The object comes already
// compiled (compile.cpp runs the O2 pipeline and instruction selection itself, so that it can
// time them and measure the code), so the JIT's only job is linking it into memory. Its main
// JITDylib gets no generator for the process's symbols: the explicit list of functions the
// code may call is empty (abi.h: compiled code calls only its context's callbacks), and an
// accidental external call fails to link instead of binding to whatever the process has.
#include <llvm/ExecutionEngine/Orc/LLJIT.h>

#include "codegen.hpp"

namespace iptc::backend::detail {

struct Jit::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

Jit::Jit(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Jit::~Jit() = default;

llvm::Expected<std::unique_ptr<Jit>> Jit::create() {
  auto jit = llvm::orc::LLJITBuilder()
                 .setLinkProcessSymbolsByDefault(false)
                 .setPlatformSetUp(llvm::orc::setUpInactivePlatform)
                 .create();
  if (!jit) return jit.takeError();
  auto impl = std::make_unique<Impl>();
  impl->jit = std::move(*jit);
  return std::unique_ptr<Jit>(new Jit(std::move(impl)));
}

llvm::Error Jit::add_object(std::unique_ptr<llvm::MemoryBuffer> obj) {
  return impl_->jit->addObjectFile(std::move(obj));
}

llvm::Expected<void*> Jit::lookup(llvm::StringRef name) {
  auto addr = impl_->jit->lookup(name);
  if (!addr) return addr.takeError();
  return addr->toPtr<void*>();
}

}  // namespace iptc::backend::detail
