// Deliberate violation for tests/check_layering.cmake's self-test: LLVM outside backend/.
#include "llvm/IR/Module.h"
