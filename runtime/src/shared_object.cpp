// dlopen of an ahead-of-time compiled rule set (shared_object.hpp). RTLD_LOCAL: two rule sets
// export the same hook names, and each is reached only through its own descriptor.
#include "iptc/runtime/shared_object.hpp"

#include <dlfcn.h>

#include <fmt/format.h>

namespace iptc::runtime {

std::unique_ptr<SharedRuleset> SharedRuleset::open(const std::string& path, std::string& error) {
  // A bare name would make dlopen search the library path instead of opening the file.
  std::string p = path.find('/') == std::string::npos ? "./" + path : path;
  void* h = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* e = dlerror();
    error = e ? e : "dlopen failed";
    return nullptr;
  }
  auto* d = static_cast<const iptc_descriptor*>(dlsym(h, IPTC_DESCRIPTOR_SYMBOL));
  if (!d) {
    error = fmt::format("{}: no {} symbol (not made by iptc compile --emit shared?)", path,
                        IPTC_DESCRIPTOR_SYMBOL);
    dlclose(h);
    return nullptr;
  }
  if (d->abi_version != IPTC_ABI_VERSION) {
    error = fmt::format("{}: compiled for ABI version {}, this program speaks {}", path,
                        d->abi_version, IPTC_ABI_VERSION);
    dlclose(h);
    return nullptr;
  }
  return std::unique_ptr<SharedRuleset>(new SharedRuleset(h, d));
}

SharedRuleset::~SharedRuleset() { dlclose(handle_); }

iptc_hook_fn find_hook(const iptc_descriptor& d, uint32_t table, uint32_t hook) {
  for (uint32_t i = 0; i < d.hook_count; ++i)
    if (d.hooks[i].table == table && d.hooks[i].hook == hook) return d.hooks[i].fn;
  return nullptr;
}

}  // namespace iptc::runtime
