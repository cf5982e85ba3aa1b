// A small seedable random number generator for everything the kernel draws from
// get_random_u32()/get_random_u16(): statistic --mode random, NAT port offsets with
// --random / --random-fully and port-clash resolution, and the conntrack hash key. The kernel's
// draws are not reproducible, so no generator can match them; what matters is that iptc's
// answers are reproducible for a given seed. xoshiro256** seeded through splitmix64.
#pragma once

#include <cstdint>

namespace iptc::runtime {

class Rng {
 public:
  explicit Rng(uint64_t seed = 1) { reseed(seed); }
  void reseed(uint64_t seed);
  uint64_t next_u64();
  uint32_t next_u32() { return static_cast<uint32_t>(next_u64() >> 32); }
  uint16_t next_u16() { return static_cast<uint16_t>(next_u64() >> 48); }
  /// get_random_u32_below(n): uniform in [0, n) for n > 0 (0 when n == 0).
  uint32_t below(uint32_t n);

 private:
  uint64_t s_[4] = {};
};

/// reciprocal_scale(val, ep_ro): maps a 32-bit value into [0, ep_ro) as the kernel does.
constexpr uint32_t reciprocal_scale(uint32_t val, uint32_t ep_ro) {
  return static_cast<uint32_t>((static_cast<uint64_t>(val) * ep_ro) >> 32);
}

/// The kernel's jhash2 (include/linux/jhash.h, Bob Jenkins' lookup3 hashword): deterministic,
/// used by find_best_ips_proto, so NAT address selection in a range is reproducible exactly.
uint32_t jhash2(const uint32_t* k, uint32_t length, uint32_t initval);

}  // namespace iptc::runtime
