// The seedable generator (xoshiro256**, seeded through splitmix64) and the kernel's jhash2
// (include/linux/jhash.h), which NAT's find_best_ips_proto uses to pick an address in a range.
#include "iptc/runtime/rng.hpp"

namespace iptc::runtime {
namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
constexpr uint32_t rol32(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

}  // namespace

void Rng::reseed(uint64_t seed) {
  uint64_t x = seed;
  for (auto& s : s_) s = splitmix64(x);
}

uint64_t Rng::next_u64() {
  const uint64_t result = rotl64(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl64(s_[3], 45);
  return result;
}

uint32_t Rng::below(uint32_t n) {
  // get_random_u32_below uses a multiply-shift with rejection; any unbiased method serves, the
  // draws cannot match the kernel's anyway.
  if (n == 0) return 0;
  const uint32_t limit = static_cast<uint32_t>(-n % n);
  for (;;) {
    const uint64_t m = static_cast<uint64_t>(next_u32()) * n;
    if (static_cast<uint32_t>(m) >= limit) return static_cast<uint32_t>(m >> 32);
  }
}

uint32_t jhash2(const uint32_t* k, uint32_t length, uint32_t initval) {
  uint32_t a = 0xdeadbeefU + (length << 2) + initval;
  uint32_t b = a, c = a;
  auto mix = [&] {
    a -= c; a ^= rol32(c, 4);  c += b;
    b -= a; b ^= rol32(a, 6);  a += c;
    c -= b; c ^= rol32(b, 8);  b += a;
    a -= c; a ^= rol32(c, 16); c += b;
    b -= a; b ^= rol32(a, 19); a += c;
    c -= b; c ^= rol32(b, 4);  b += a;
  };
  auto final_mix = [&] {
    c ^= b; c -= rol32(b, 14);
    a ^= c; a -= rol32(c, 11);
    b ^= a; b -= rol32(a, 25);
    c ^= b; c -= rol32(b, 16);
    a ^= c; a -= rol32(c, 4);
    b ^= a; b -= rol32(a, 14);
    c ^= b; c -= rol32(b, 24);
  };
  while (length > 3) {
    a += k[0];
    b += k[1];
    c += k[2];
    mix();
    length -= 3;
    k += 3;
  }
  switch (length) {
    case 3: c += k[2]; [[fallthrough]];
    case 2: b += k[1]; [[fallthrough]];
    case 1:
      a += k[0];
      final_mix();
      break;
    case 0: break;
  }
  return c;
}

}  // namespace iptc::runtime
