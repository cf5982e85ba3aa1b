// Loading a rule set compiled ahead of time (`iptc compile --emit shared -o rules.so`): dlopen
// the shared object and find its descriptor (abi.h, IPTC_DESCRIPTOR_SYMBOL), which lists the
// hook functions. Needs no LLVM: this is how a program embeds an AOT rule set.
#pragma once

#include <memory>
#include <string>

#include "iptc/runtime/abi.h"

namespace iptc::runtime {

class SharedRuleset {
 public:
  /// Opens the shared object; nullptr with `error` set when it cannot be loaded, has no
  /// descriptor or was built for another ABI version.
  static std::unique_ptr<SharedRuleset> open(const std::string& path, std::string& error);
  ~SharedRuleset();
  SharedRuleset(const SharedRuleset&) = delete;
  SharedRuleset& operator=(const SharedRuleset&) = delete;

  [[nodiscard]] const iptc_descriptor& descriptor() const { return *desc_; }

 private:
  SharedRuleset(void* handle, const iptc_descriptor* desc) : handle_(handle), desc_(desc) {}
  void* handle_;
  const iptc_descriptor* desc_;
};

/// The hook function of a (table, hook) in a descriptor (IPTC_TABLE_*, IPTC_HOOK_*), or null.
iptc_hook_fn find_hook(const iptc_descriptor& d, uint32_t table, uint32_t hook);

}  // namespace iptc::runtime
